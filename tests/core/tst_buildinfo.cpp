#include "core/services/buildinfo.h"

#include <QRegularExpression>
#include <QTest>

using namespace kw;

class TestBuildInfo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void versionIsSemantic()
    {
        QVERIFY(QRegularExpression(QStringLiteral("^\\d+\\.\\d+\\.\\d+$"))
                    .match(applicationVersion())
                    .hasMatch());
    }

    void applicationIdIsReverseDns()
    {
        QCOMPARE(applicationId(), QStringLiteral("dev.keywarden.Keywarden"));
    }

    void componentsReportRealVersions()
    {
        const auto components = runtimeComponents();
        QStringList names;
        for (const auto &c : components) {
            names << c.name;
            QVERIFY2(QRegularExpression(QStringLiteral("^\\d+\\.\\d+")).match(c.version).hasMatch(),
                     qPrintable(c.name + QStringLiteral(": ") + c.version));
        }
        QCOMPARE(names, (QStringList{QStringLiteral("Qt"), QStringLiteral("OpenSSL"),
                                     QStringLiteral("librdkafka"), QStringLiteral("Avro C")}));
        QVERIFY(components.at(1).version.startsWith(QLatin1Char('3')));
    }

    void versionLineNamesProgramAndLibraries()
    {
        const QString line = versionLine(QStringLiteral("keywarden-cli"));
        QVERIFY(line.startsWith(QStringLiteral("keywarden-cli ") + applicationVersion()));
        QVERIFY(line.contains(QStringLiteral("librdkafka ")));
        QVERIFY(line.contains(QStringLiteral("OpenSSL 3")));
    }
};

QTEST_GUILESS_MAIN(TestBuildInfo)
#include "tst_buildinfo.moc"
