// Fault injection in the sandbox registry: the seeded rate is honoured and reproducible, a
// failing write is sometimes applied before the 500 (and then really is in the store), reads
// never are, only the eligible routes fail, server-side KMS calls fail with 50070, and nothing
// of it happens unless asked for.

#include "core/sandbox/faults.h"
#include "core/sandbox/httpexchange.h"
#include "core/sandbox/sandbox.h"
#include "core/sandbox/sandboxserver.h"
#include "core/sandbox/sandboxstore.h"
#include "httptestclient.h"

#include <QJsonDocument>
#include <QTest>

#include <memory>

using namespace kw;
using namespace kw::sandbox;

namespace {

const QString Secret = QStringLiteral("sandbox-faults-secret");
constexpr int Requests = 2000;

HttpRequest request(const QByteArray &method, const QString &path, const QJsonObject &body = {})
{
    HttpRequest r;
    r.method = method;
    r.segments = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (!body.isEmpty())
        r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return r;
}

QJsonObject kekBody(const QString &name, bool shared)
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("kmsType"), QStringLiteral("local-kms")},
            {QStringLiteral("kmsKeyId"), QString(QStringLiteral("key-") + name)},
            {QStringLiteral("shared"), shared}};
}

int errorCode(const HttpReply &reply)
{
    return QJsonDocument::fromJson(reply.body).object().value(QStringLiteral("error_code")).toInt();
}

std::shared_ptr<SandboxStore> openStore()
{
    auto store = std::make_shared<SandboxStore>();
    if (!store->open())
        return nullptr;
    store->setLocalSecret(Secret);
    return store;
}

FaultOptions faults(double rate, quint64 seed)
{
    FaultOptions options;
    options.rate = rate;
    options.seed = seed;
    return options;
}

// The statuses of `Requests` GETs of the KEK list through a server with these faults.
QList<int> listStatuses(const FaultOptions &options)
{
    auto store = openStore();
    SandboxServer server(store);
    server.setFaultInjector(std::make_shared<FaultInjector>(options));
    QList<int> statuses;
    for (int i = 0; i < Requests; ++i)
        statuses.append(
            server.dispatch(request("GET", QStringLiteral("/dek-registry/v1/keks"))).status);
    return statuses;
}

registry::Dek dekRequest(const QString &subject)
{
    registry::Dek dek;
    dek.subject = subject;
    dek.version = 1;
    return dek;
}

} // namespace

class TestSandboxFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void diceIsSeededAndHonoursTheRate()
    {
        const auto draws = [](double rate, quint64 seed) {
            FaultDice dice(rate, seed);
            QList<bool> out;
            for (int i = 0; i < Requests; ++i)
                out.append(dice.roll());
            return out;
        };
        const QList<bool> a = draws(0.2, 42);
        QCOMPARE(draws(0.2, 42), a);
        QVERIFY(draws(0.2, 43) != a);
        const double share = double(a.count(true)) / Requests;
        QVERIFY2(share >= 0.15 && share <= 0.25, qPrintable(QString::number(share)));
        QCOMPARE(draws(0.0, 42).count(true), 0);
        QCOMPARE(draws(1.0, 42).count(true), Requests);

        FaultDice numbered(0.5, 1);
        quint64 index = 0;
        (void)numbered.roll(&index);
        QCOMPARE(index, quint64(1));
        (void)numbered.roll(&index);
        QCOMPARE(index, quint64(2));
    }

    void requestsFailAtTheSeededRate()
    {
        const QList<int> statuses = listStatuses(faults(0.2, 7));
        const qsizetype failed = statuses.count(500);
        QCOMPARE(failed + statuses.count(200), statuses.size());
        const double share = double(failed) / Requests;
        QVERIFY2(share >= 0.15 && share <= 0.25, qPrintable(QString::number(share)));
        // The same seed fails the same requests; another seed others.
        QCOMPARE(listStatuses(faults(0.2, 7)), statuses);
        QVERIFY(listStatuses(faults(0.2, 8)) != statuses);
    }

    void injectedFailureLooksLikeAStoreError()
    {
        auto store = openStore();
        SandboxServer server(store);
        auto injector = std::make_shared<FaultInjector>(faults(1.0, 3));
        server.setFaultInjector(injector);
        const HttpReply reply =
            server.dispatch(request("GET", QStringLiteral("/dek-registry/v1/keks")));
        QCOMPARE(reply.status, 500);
        QCOMPARE(errorCode(reply), 50001);
        const QString message = QJsonDocument::fromJson(reply.body)
                                    .object()
                                    .value(QStringLiteral("message"))
                                    .toString();
        QVERIFY2(message.contains(QStringLiteral("injected")) &&
                     message.contains(QStringLiteral("seed 3")),
                 qPrintable(message));
        QCOMPARE(injector->counts().requests, quint64(1));
        QCOMPARE(injector->counts().failedBefore, quint64(1));
    }

    // A failing POST is applied first exactly when the injector says so: a twin injector with
    // the same seed predicts each request's fate, and the store shows the row for exactly
    // those that were applied, although every one of them answered 500.
    void failingWritesAreSometimesApplied()
    {
        auto store = openStore();
        SandboxServer server(store);
        const FaultOptions options = faults(1.0, 11);
        auto injector = std::make_shared<FaultInjector>(options);
        server.setFaultInjector(injector);
        FaultInjector twin(options);

        constexpr int Keks = 200;
        int applied = 0;
        for (int i = 0; i < Keks; ++i) {
            const QString name = QStringLiteral("kek%1").arg(i);
            const FaultKind predicted = twin.nextRequest(true);
            const HttpReply reply = server.dispatch(
                request("POST", QStringLiteral("/dek-registry/v1/keks"), kekBody(name, false)));
            QCOMPARE(reply.status, 500);
            QCOMPARE(errorCode(reply), 50001);
            const bool stored = bool(store->getKek(name, false));
            QCOMPARE(stored, predicted == FaultKind::FailAfterApplying);
            applied += stored ? 1 : 0;
        }
        // Both kinds occur, about as often each.
        QVERIFY2(applied > Keks / 4 && applied < Keks * 3 / 4,
                 qPrintable(QString::number(applied)));
        QCOMPARE(injector->counts().failedAfterApplying, quint64(applied));
        QCOMPARE(injector->counts().failedBefore, quint64(Keks - applied));

        // A DELETE that answered 500 after applying did delete.
        for (int i = 0; i < Keks; ++i) {
            const QString name = QStringLiteral("kek%1").arg(i);
            if (!store->getKek(name, false))
                continue;
            const FaultKind predicted = twin.nextRequest(true);
            const HttpReply reply =
                server.dispatch(request("DELETE", QStringLiteral("/dek-registry/v1/keks/") + name));
            QCOMPARE(reply.status, 500);
            QCOMPARE(bool(store->getKek(name, false)), predicted != FaultKind::FailAfterApplying);
        }
    }

    void readsAreNeverApplied()
    {
        FaultInjector injector(faults(1.0, 5));
        for (int i = 0; i < 100; ++i)
            QCOMPARE(injector.nextRequest(false), FaultKind::FailBefore);
        QCOMPARE(injector.counts().failedAfterApplying, quint64(0));
    }

    void onlyDekRegistryRoutesByDefault()
    {
        auto store = openStore();
        SandboxServer server(store);
        FaultOptions options = faults(1.0, 1);
        server.setFaultInjector(std::make_shared<FaultInjector>(options));
        QCOMPARE(server.dispatch(request("GET", QStringLiteral("/subjects"))).status, 200);
        QCOMPARE(server.dispatch(request("GET", QStringLiteral("/dek-registry/v1/keks"))).status,
                 500);

        options.schemaRoutes = true;
        server.setFaultInjector(std::make_shared<FaultInjector>(options));
        const HttpReply subjects = server.dispatch(request("GET", QStringLiteral("/subjects")));
        QCOMPARE(subjects.status, 500);
        QCOMPARE(errorCode(subjects), 50001);
    }

    void kmsCallsFailWith50070()
    {
        auto store = openStore();
        QVERIFY(store->createKek(registry::Kek{QStringLiteral("shared"),
                                               QStringLiteral("local-kms"),
                                               QStringLiteral("k"),
                                               {},
                                               {},
                                               true}));
        FaultOptions options = faults(1.0, 9);
        auto injector = std::make_shared<FaultInjector>(options);
        store->setFaultInjector(injector);

        const auto created =
            store->registerDek(QStringLiteral("shared"), dekRequest(QStringLiteral("s1")));
        QVERIFY(!created);
        QCOMPARE(created.error().code, QStringLiteral("registry.50070"));
        QVERIFY2(created.error().message.contains(QStringLiteral("'shared'")),
                 qPrintable(created.error().message));
        QVERIFY(!store->getDek(QStringLiteral("shared"), QStringLiteral("s1"), 1, {}, true));
        QCOMPARE(injector->counts().kmsFailed, quint64(1));

        // Without KMS faults the same call succeeds, though every request would fail.
        options.kms = false;
        store->setFaultInjector(std::make_shared<FaultInjector>(options));
        QVERIFY(store->registerDek(QStringLiteral("shared"), dekRequest(QStringLiteral("s1"))));

        // A GET of a shared KEK's DEK unwraps on the server: it fails at the seeded rate.
        auto someFail = std::make_shared<FaultInjector>(faults(0.2, 4));
        store->setFaultInjector(someFail);
        int failed = 0;
        for (int i = 0; i < 1000; ++i) {
            const auto got =
                store->getDek(QStringLiteral("shared"), QStringLiteral("s1"), 1, {}, false);
            if (!got) {
                QCOMPARE(got.error().code, QStringLiteral("registry.50070"));
                ++failed;
            }
        }
        QCOMPARE(someFail->counts().kmsCalls, quint64(1000));
        QCOMPARE(someFail->counts().kmsFailed, quint64(failed));
        QVERIFY2(failed >= 150 && failed <= 250, qPrintable(QString::number(failed)));
    }

    void invalidOptionsAreRefused()
    {
        for (const FaultOptions &bad : {faults(-0.1, 0), faults(1.5, 0), faults(qQNaN(), 0)}) {
            const auto valid = validateFaultOptions(bad);
            QVERIFY(!valid);
            QCOMPARE(valid.error().code, QStringLiteral("sandbox.bad_faults"));
        }
        FaultOptions slow;
        slow.delayMs = MaxFaultDelayMs + 1;
        QVERIFY(!validateFaultOptions(slow));
        QVERIFY(validateFaultOptions(faults(0.2, 1)));

        Sandbox sandbox;
        SandboxOptions options;
        options.faults = faults(2.0, 0);
        const auto started = sandbox.start(options);
        QVERIFY(!started);
        QCOMPARE(started.error().code, QStringLiteral("sandbox.bad_faults"));
    }

    void offByDefault()
    {
        QVERIFY(!SandboxOptions().faults.enabled());
        Sandbox sandbox;
        QVERIFY(sandbox.start());
        QVERIFY(!sandbox.faultInjector());
        QVERIFY(!sandbox.server()->faultInjector());
        HttpTestClient http(sandbox.registryUrl());
        for (int i = 0; i < 50; ++i)
            QCOMPARE(http.get(QStringLiteral("/dek-registry/v1/keks")).status, 200);
    }

    // Through the sockets, as keywarden-sandbox serves it: a write that answered 500 after
    // applying is there for the next read.
    void sandboxInjectsOverHttp()
    {
        Sandbox sandbox;
        SandboxOptions options;
        options.faults = faults(1.0, 21);
        options.faults.delayMs = 1;
        QVERIFY(sandbox.start(options));
        QVERIFY(sandbox.faultInjector());
        FaultInjector twin(options.faults);
        HttpTestClient http(sandbox.registryUrl());
        bool sawApplied = false;
        for (int i = 0; i < 20; ++i) {
            const QString name = QStringLiteral("http%1").arg(i);
            const FaultKind predicted = twin.nextRequest(true);
            const TestReply reply =
                http.post(QStringLiteral("/dek-registry/v1/keks"), kekBody(name, false));
            QCOMPARE(reply.status, 500);
            QCOMPARE(reply.errorCode(), 50001);
            const bool stored = bool(sandbox.store()->getKek(name, false));
            QCOMPARE(stored, predicted == FaultKind::FailAfterApplying);
            sawApplied = sawApplied || stored;
        }
        QVERIFY(sawApplied);
        QCOMPARE(sandbox.faultInjector()->counts().requests, quint64(20));
    }
};

QTEST_GUILESS_MAIN(TestSandboxFaults)
#include "tst_sandboxfaults.moc"
