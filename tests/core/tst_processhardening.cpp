// disableCoreDumps: afterwards the core limit is 0, soft and hard, and the process is not
// dumpable; coreDumpsPossible() reports both.

#include "core/domain/processhardening.h"

#include <QTest>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

class TestProcessHardening : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void turnsOffCoreDumpsForGood()
    {
        // Start from a process that could dump, whatever the test runner set.
        rlimit some{};
        QCOMPARE(getrlimit(RLIMIT_CORE, &some), 0);
        if (some.rlim_max != 0) {
            some.rlim_cur = some.rlim_max;
            QCOMPARE(setrlimit(RLIMIT_CORE, &some), 0);
        }
        QCOMPARE(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
        QVERIFY(kw::coreDumpsPossible());

        const kw::Result<void> done = kw::disableCoreDumps();
        QVERIFY2(done, qPrintable(done ? QString() : done.error().message));
        rlimit after{};
        QCOMPARE(getrlimit(RLIMIT_CORE, &after), 0);
        QCOMPARE(after.rlim_cur, rlim_t(0));
        QCOMPARE(after.rlim_max, rlim_t(0));
        QCOMPARE(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
        QVERIFY(!kw::coreDumpsPossible());

        // The hard limit is 0 too, so the process cannot raise it again (unless privileged).
        if (geteuid() != 0) {
            const rlimit raise{1 << 20, 1 << 20};
            QVERIFY(setrlimit(RLIMIT_CORE, &raise) != 0);
        }
    }
};

QTEST_GUILESS_MAIN(TestProcessHardening)
#include "tst_processhardening.moc"
