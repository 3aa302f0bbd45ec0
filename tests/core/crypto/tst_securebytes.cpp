#include "core/crypto/securebytes.h"

#include <QTest>

#include <utility>

using kw::crypto::SecureBytes;

class TestSecureBytes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void construction()
    {
        const SecureBytes empty;
        QVERIFY(empty.isEmpty());
        QCOMPARE(empty.size(), 0);
        QVERIFY(empty.view().isEmpty());

        const SecureBytes zeros(5);
        QCOMPARE(zeros.size(), 5);
        QVERIFY(!zeros.isEmpty());
        QCOMPARE(zeros.view().toByteArray(), QByteArray(5, '\0'));

        QVERIFY(SecureBytes(-1).isEmpty());

        const SecureBytes fromBytes = SecureBytes::fromBytes("key!");
        QCOMPARE(fromBytes.size(), 4);
        QCOMPARE(fromBytes.view(), QByteArrayView("key!"));
        QCOMPARE(fromBytes.data()[3], '!');
    }

    void copyIsDeep()
    {
        SecureBytes original = SecureBytes::fromBytes("secret");
        SecureBytes copy(original);
        QVERIFY(copy == original);
        QVERIFY(copy.data() != original.data());
        copy.data()[0] = 'S';
        QCOMPARE(original.view(), QByteArrayView("secret"));
        QCOMPARE(copy.view(), QByteArrayView("Secret"));

        SecureBytes assigned;
        assigned = original;
        QVERIFY(assigned.data() != original.data());
        QCOMPARE(assigned.view(), QByteArrayView("secret"));

        const SecureBytes &alias = assigned;
        assigned = alias; // self-assignment keeps the contents
        QCOMPARE(assigned.view(), QByteArrayView("secret"));
    }

    void moveTransfersOwnership()
    {
        SecureBytes source = SecureBytes::fromBytes("0123456789");
        const unsigned char *buffer = source.data();
        SecureBytes moved(std::move(source));
        QCOMPARE(moved.data(), buffer); // no copy of the key was made
        QCOMPARE(moved.view(), QByteArrayView("0123456789"));
        QVERIFY(source.isEmpty()); // NOLINT(bugprone-use-after-move): defined moved-from state
        QVERIFY(source.data() == nullptr);

        SecureBytes target = SecureBytes::fromBytes("old");
        target = std::move(moved);
        QCOMPARE(target.data(), buffer);
        QVERIFY(moved.isEmpty()); // NOLINT(bugprone-use-after-move)
    }

    void resizeAndClear()
    {
        SecureBytes bytes = SecureBytes::fromBytes("abcdef");
        bytes.resize(3);
        QCOMPARE(bytes.view(), QByteArrayView("abc"));
        bytes.resize(5);
        QCOMPARE(bytes.view().toByteArray(), QByteArray("abc\0\0", 5));
        bytes.clear();
        QVERIFY(bytes.isEmpty());
        QVERIFY(bytes.data() == nullptr);
    }

    void equality()
    {
        QVERIFY(SecureBytes::fromBytes("abc") == SecureBytes::fromBytes("abc"));
        QVERIFY(!(SecureBytes::fromBytes("abc") == SecureBytes::fromBytes("abd")));
        QVERIFY(!(SecureBytes::fromBytes("abc") == SecureBytes::fromBytes("abcd")));
        QVERIFY(SecureBytes() == SecureBytes(0));
        QVERIFY(!(SecureBytes(1) == SecureBytes()));
    }
};

QTEST_GUILESS_MAIN(TestSecureBytes)
#include "tst_securebytes.moc"
