// Tests for the private folder / private file helper: modes are 0700 / 0600 whatever the umask,
// looser existing modes are tightened, and the application's data and config folders are made
// private.

#include "core/domain/privatefiles.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace kw;

namespace {

int modeOf(const QString &path)
{
    struct stat st
    {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
}

// Sets the umask for the life of the object.
class Umask
{
public:
    explicit Umask(int mask)
        : m_previous(::umask(mode_t(mask)))
    {}
    ~Umask() { ::umask(m_previous); }

private:
    mode_t m_previous;
};

} // namespace

class TestPrivateFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void foldersAndFiles_data()
    {
        QTest::addColumn<int>("mask");
        QTest::newRow("umask 000") << 0;
        QTest::newRow("umask 022") << 022;
        QTest::newRow("umask 077") << 077;
    }

    void foldersAndFiles()
    {
        QFETCH(int, mask);
        QTemporaryDir dir;
        const QString nested = dir.filePath(QStringLiteral("a/b/c"));
        {
            Umask umask(mask);
            QVERIFY(makePrivateFolder(nested));
            QVERIFY(makePrivateFile(nested + QStringLiteral("/state.json")));
        }
        QCOMPARE(modeOf(dir.filePath(QStringLiteral("a"))), 0700);
        QCOMPARE(modeOf(dir.filePath(QStringLiteral("a/b"))), 0700);
        QCOMPARE(modeOf(nested), 0700);
        QCOMPARE(modeOf(nested + QStringLiteral("/state.json")), 0600);
        QCOMPARE(modeOf(dir.path()), 0700); // QTemporaryDir's own; the helper left it alone
    }

    void existingLooseModesAreTightened()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("open"));
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(::chmod(QFile::encodeName(folder).constData(), 0755) == 0);
        const QString file = folder + QStringLiteral("/journal");
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("kept");
        }
        QVERIFY(::chmod(QFile::encodeName(file).constData(), 0666) == 0);
        QVERIFY(makePrivateFolder(folder));
        QVERIFY(makePrivateFile(file));
        QCOMPARE(modeOf(folder), 0700);
        QCOMPARE(modeOf(file), 0600);
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("kept")); // not truncated
    }

    void errorsNameThePath()
    {
        QTemporaryDir dir;
        const QString blocker = dir.filePath(QStringLiteral("file"));
        QVERIFY(makePrivateFile(blocker));
        const auto folder = makePrivateFolder(blocker + QStringLiteral("/sub"));
        QVERIFY(!folder);
        QCOMPARE(folder.error().code, QString(ErrorPrivateFiles));
        QVERIFY2(folder.error().message.contains(blocker), qPrintable(folder.error().message));
        const auto file = makePrivateFile(dir.filePath(QStringLiteral("missing/x")));
        QVERIFY(!file);
        QVERIFY(file.error().message.contains(QLatin1String("missing/x")));
    }

    void applicationFolders()
    {
        QTemporaryDir dir;
        qputenv("XDG_DATA_HOME", QFile::encodeName(dir.filePath(QStringLiteral("data"))));
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(dir.filePath(QStringLiteral("config"))));
        QCoreApplication::setOrganizationName(QStringLiteral("Keywarden"));
        QCoreApplication::setApplicationName(QStringLiteral("Keywarden"));
        {
            Umask umask(0);
            QVERIFY(makePrivateAppFolders());
        }
        const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        QVERIFY(data.startsWith(dir.path()));
        QCOMPARE(modeOf(data), 0700);
        const QString config = QFileInfo(QSettings().fileName()).absolutePath();
        QVERIFY(config.startsWith(dir.path()));
        QCOMPARE(modeOf(config), 0700);
    }
};

QTEST_GUILESS_MAIN(TestPrivateFiles)
#include "tst_privatefiles.moc"
