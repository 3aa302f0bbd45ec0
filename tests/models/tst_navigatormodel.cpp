// The navigator model as a model: QAbstractItemModelTester (fatal) through async loads, paging,
// errors, reloads and show-deleted toggles, against an in-memory fake source and against the
// sandbox registry over HTTP; plus the filter proxy.

#include "core/net/resttransport.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"
#include "core/sandbox/sandboxserver.h"
#include "core/sandbox/sandboxstore.h"
#include "models/navigator/navigatorfilterproxy.h"
#include "models/navigator/navigatormodel.h"
#include "models/navigator/navigatorsource.h"

#include <QAbstractItemModelTester>
#include <QPromise>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <functional>

using namespace kw;
using Kind = NavigatorModel::Kind;

namespace {

// Answers from memory, always later (on a zero timer) like a network would.
class FakeSource final : public QObject, public NavigatorSource
{
public:
    QStringList liveKeks;
    QStringList deletedKeks;
    QMap<QString, NavigatorItems> subjects; // by KEK
    QMap<QString, NavigatorItems> versions; // by "kek/subject"
    NavigatorItems schemaSubjectList;
    QMap<QString, NavigatorItems> schemaVersionList;
    QSet<QString> failing; // "keks", "deks:<kek>", ...
    int kekCalls = 0;
    int calls = 0;
    // While holding, answers wait for release(): lets a test look at a node mid-load.
    bool holding = false;

    void release()
    {
        holding = false;
        for (const auto &answer : std::exchange(m_held, {}))
            answer();
    }

    QFuture<Result<NavigatorItems>> keks(int offset, int limit, bool includeDeleted) override
    {
        ++kekCalls;
        if (failing.contains(QStringLiteral("keks")) && offset > 0)
            return later(makeError(QStringLiteral("registry.50001"),
                                   QStringLiteral("Listing KEKs failed: store unavailable.")));
        QStringList all = liveKeks;
        if (includeDeleted)
            all += deletedKeks;
        all.sort();
        NavigatorItems page;
        for (int i = offset; i < all.size() && (limit < 0 || i < offset + limit); ++i)
            page.append({all.at(i), 0, {}, deletedKeks.contains(all.at(i))});
        return later(page);
    }
    QFuture<Result<NavigatorItems>> dekSubjects(const QString &kek, bool includeDeleted) override
    {
        if (failing.contains(QStringLiteral("deks:") + kek))
            return later(makeError(QStringLiteral("registry.40470"),
                                   QStringLiteral("KEK '%1' not found.").arg(kek)));
        return later(filtered(subjects.value(kek), includeDeleted));
    }
    QFuture<Result<NavigatorItems>> dekVersions(const QString &kek, const QString &subject,
                                                bool includeDeleted) override
    {
        return later(filtered(versions.value(kek + QLatin1Char('/') + subject), includeDeleted));
    }
    QFuture<Result<NavigatorItems>> schemaSubjects(bool includeDeleted) override
    {
        return later(filtered(schemaSubjectList, includeDeleted));
    }
    QFuture<Result<NavigatorItems>> schemaVersions(const QString &subject,
                                                   bool includeDeleted) override
    {
        return later(filtered(schemaVersionList.value(subject), includeDeleted));
    }

private:
    static NavigatorItems filtered(const NavigatorItems &items, bool includeDeleted)
    {
        NavigatorItems out;
        for (const NavigatorItem &i : items)
            if (includeDeleted || !i.deleted)
                out.append(i);
        return out;
    }
    QFuture<Result<NavigatorItems>> later(Result<NavigatorItems> result)
    {
        ++calls;
        auto promise = std::make_shared<QPromise<Result<NavigatorItems>>>();
        promise->start();
        auto answer = [promise, result] {
            promise->addResult(result);
            promise->finish();
        };
        if (holding)
            m_held.append(answer);
        else
            QTimer::singleShot(0, this, answer);
        return promise->future();
    }
    QList<std::function<void()>> m_held;
};

std::shared_ptr<FakeSource> makeFake(int kekCount = 3)
{
    auto fake = std::make_shared<FakeSource>();
    for (int i = 0; i < kekCount; ++i)
        fake->liveKeks << QStringLiteral("kek-%1").arg(i, 4, 10, QLatin1Char('0'));
    fake->deletedKeks << QStringLiteral("kek-old");
    fake->subjects.insert(QStringLiteral("kek-0000"),
                          {{QStringLiteral("payments-value"), 0, {}, false},
                           {QStringLiteral("retired-value"), 0, {}, true}});
    fake->versions.insert(QStringLiteral("kek-0000/payments-value"),
                          {{{}, 1, QStringLiteral("AES256_GCM"), false},
                           {{}, 2, QStringLiteral("AES256_GCM"), false},
                           {{}, 1, QStringLiteral("AES256_SIV"), false}});
    fake->subjects.insert(QStringLiteral("kek-old"), {{QStringLiteral("gone-value"), 0, {}, true}});
    fake->schemaSubjectList = {{QStringLiteral("orders-value"), 0, {}, false},
                               {QStringLiteral("payments-value"), 0, {}, false}};
    fake->schemaVersionList.insert(QStringLiteral("orders-value"),
                                   {{{}, 1, {}, false}, {{}, 2, {}, true}});
    return fake;
}

QStringList childNames(const QAbstractItemModel &model, const QModelIndex &parent)
{
    QStringList names;
    for (int r = 0; r < model.rowCount(parent); ++r)
        names << model.index(r, 0, parent).data().toString();
    return names;
}

// Expands everything loaded so far, repeatedly, until nothing is left to fetch.
void fetchAll(NavigatorModel &model)
{
    for (int round = 0; round < 20; ++round) {
        bool fetched = false;
        std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
            if (model.canFetchMore(parent)) {
                model.fetchMore(parent);
                fetched = true;
            }
            for (int r = 0; r < model.rowCount(parent); ++r)
                walk(model.index(r, 0, parent));
        };
        QTRY_VERIFY(!model.isLoading()); // also loads a model tester started
        for (int r = 0; r < model.rowCount(); ++r)
            walk(model.index(r, 0));
        QTRY_VERIFY(!model.isLoading());
        if (!fetched)
            return;
    }
}

} // namespace

class TestNavigatorModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sectionsWithoutSource()
    {
        NavigatorModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        QCOMPARE(childNames(model, {}),
                 (QStringList{QStringLiteral("Keys"), QStringLiteral("Schemas")}));
        const QModelIndex keys = model.sectionIndex(NavigatorModel::Section::Keys);
        QCOMPARE(keys.data(NavigatorModel::SectionRole).toInt(),
                 int(NavigatorModel::Section::Keys));
        QVERIFY(!model.hasChildren(keys));
        QVERIFY(!model.canFetchMore(keys));
    }

    void loadsLazilyWithPlaceholder()
    {
        // No tester here: like a view, it would fetch the sections itself.
        NavigatorModel model;
        auto fake = makeFake();
        model.setSource(fake);
        const QModelIndex keys = model.sectionIndex(NavigatorModel::Section::Keys);
        QVERIFY(model.hasChildren(keys));
        QVERIFY(model.canFetchMore(keys));
        QCOMPARE(fake->calls, 0); // nothing is asked before a node is expanded
        QSignalSpy loading(&model, &NavigatorModel::loadingChanged);
        fake->holding = true;
        model.fetchMore(keys);
        QVERIFY(model.isLoading());
        QVERIFY(!model.canFetchMore(keys));
        QTRY_COMPARE(model.rowCount(keys), 1);
        QCOMPARE(model.index(0, 0, keys).data(NavigatorModel::KindRole).toInt(),
                 int(Kind::Loading));
        QCOMPARE(model.index(0, 0, keys).data().toString(), QStringLiteral("Loading…"));
        fake->release();
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(loading.count(), 2);
        QCOMPARE(childNames(model, keys),
                 (QStringList{QStringLiteral("kek-0000"), QStringLiteral("kek-0001"),
                              QStringLiteral("kek-0002")}));
        QVERIFY(!model.canFetchMore(keys));

        const QModelIndex kek = model.index(0, 0, keys);
        model.fetchMore(kek);
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(childNames(model, kek), QStringList{QStringLiteral("payments-value")});
        const QModelIndex subject = model.index(0, 0, kek);
        QCOMPARE(subject.data(NavigatorModel::KekNameRole).toString(), QStringLiteral("kek-0000"));
        model.fetchMore(subject);
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(childNames(model, subject),
                 (QStringList{QStringLiteral("v1 · AES256_GCM"), QStringLiteral("v2 · AES256_GCM"),
                              QStringLiteral("v1 · AES256_SIV")}));
        const QModelIndex v2 = model.index(1, 0, subject);
        QCOMPARE(v2.data(NavigatorModel::VersionRole).toInt(), 2);
        QCOMPARE(v2.data(NavigatorModel::AlgorithmRole).toString(), QStringLiteral("AES256_GCM"));
        QCOMPARE(v2.data(NavigatorModel::SubjectRole).toString(), QStringLiteral("payments-value"));
        QVERIFY(!model.hasChildren(v2));

        // A KEK without DEKs has nothing to expand once loaded.
        const QModelIndex empty = model.index(2, 0, keys);
        model.fetchMore(empty);
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(empty), 0);
        QVERIFY(!model.hasChildren(empty));
    }

    void kekListIsPagedOneInsertPerPage()
    {
        NavigatorModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setKekPageSizes(100, 150);
        auto fake = makeFake(450);
        fake->holding = true;
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.setSource(fake); // the tester fetches both sections, as a view would
        const QModelIndex keys = model.sectionIndex(NavigatorModel::Section::Keys);
        model.fetchMore(keys);
        QTRY_COMPARE(fake->calls, 2);
        fake->holding = false;
        fake->release();
        // First page: the placeholder stays last while further pages come.
        QTRY_VERIFY(model.rowCount(keys) > 1);
        QCOMPARE(model.rowCount(keys), 101);
        QCOMPARE(model.index(100, 0, keys).data(NavigatorModel::KindRole).toInt(),
                 int(Kind::Loading));
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(keys), 450);
        QCOMPARE(fake->kekCalls, 4); // 100 + 150 + 150 + 50 (short page ends it)
        int keyInserts = 0;
        for (const QList<QVariant> &signal : inserted)
            keyInserts += signal.at(0).value<QModelIndex>() == keys ? 1 : 0;
        QCOMPARE(keyInserts, 1 + 4); // the placeholder, then one block per page
        QCOMPARE(model.index(449, 0, keys).data().toString(), QStringLiteral("kek-0449"));
    }

    void errorsShowInlineAndRetry()
    {
        NavigatorModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        auto fake = makeFake();
        fake->failing.insert(QStringLiteral("deks:kek-0001"));
        QSignalSpy loaded(&model, &NavigatorModel::nodeLoaded);
        model.setSource(fake); // the tester walks (and so loads) the whole tree
        fetchAll(model);
        const QModelIndex keys = model.sectionIndex(NavigatorModel::Section::Keys);
        const QModelIndex kek = model.index(1, 0, keys);
        QStringList errors;
        for (const QList<QVariant> &signal : loaded)
            if (!signal.at(1).toString().isEmpty())
                errors << signal.at(1).toString();
        QCOMPARE(errors, QStringList{QStringLiteral("KEK 'kek-0001' not found.")});
        QCOMPARE(model.rowCount(kek), 1);
        const QModelIndex error = model.index(0, 0, kek);
        QCOMPARE(error.data(NavigatorModel::KindRole).toInt(), int(Kind::Error));
        QCOMPARE(error.data().toString(), QStringLiteral("KEK 'kek-0001' not found."));
        QVERIFY(!model.canFetchMore(kek));

        QVERIFY(!model.retry(model.index(0, 0, keys))); // loaded fine: nothing to retry
        fake->failing.clear();
        QVERIFY(model.retry(error));
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(kek), 0);
        QVERIFY(!model.hasChildren(kek));
    }

    void failedLaterPageKeepsEarlierRows()
    {
        NavigatorModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setKekPageSizes(10, 10);
        auto fake = makeFake(25);
        fake->failing.insert(QStringLiteral("keks"));
        model.setSource(fake);
        const QModelIndex keys = model.sectionIndex(NavigatorModel::Section::Keys);
        model.fetchMore(keys);
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(keys), 11);
        QCOMPARE(model.index(10, 0, keys).data(NavigatorModel::KindRole).toInt(), int(Kind::Error));
        fake->failing.clear();
        QVERIFY(model.retry(keys));
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(keys), 25);
    }

    void showDeletedReloadsAndMarks()
    {
        NavigatorModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        auto fake = makeFake();
        model.setSource(fake);
        fetchAll(model);
        const QModelIndex keys = model.sectionIndex(NavigatorModel::Section::Keys);
        QCOMPARE(model.rowCount(keys), 3);
        QVERIFY(!model.indexOfPath({QStringLiteral("keys"), QStringLiteral("kek-old")}).isValid());

        model.setShowDeleted(true);
        fetchAll(model);
        const QModelIndex old =
            model.indexOfPath({QStringLiteral("keys"), QStringLiteral("kek-old")});
        QVERIFY(old.isValid());
        QVERIFY(old.data(NavigatorModel::DeletedRole).toBool());
        QVERIFY(old.data().toString().endsWith(QStringLiteral("(deleted)")));
        QVERIFY(old.data(Qt::FontRole).value<QFont>().italic());
        const QModelIndex retired = model.indexOfPath(
            {QStringLiteral("keys"), QStringLiteral("kek-0000"), QStringLiteral("retired-value")});
        QVERIFY(retired.isValid());
        QVERIFY(retired.data(NavigatorModel::DeletedRole).toBool());
        const QModelIndex v2 = model.indexOfPath(
            {QStringLiteral("schemas"), QStringLiteral("orders-value"), QStringLiteral("2")});
        QVERIFY(v2.isValid());
        QVERIFY(v2.data(NavigatorModel::DeletedRole).toBool());

        model.setShowDeleted(false);
        fetchAll(model);
        QVERIFY(!model.indexOfPath({QStringLiteral("keys"), QStringLiteral("kek-old")}).isValid());
    }

    void reloadAndNewSourceDropPendingLoads()
    {
        NavigatorModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        auto first = makeFake();
        model.setSource(first);
        first->holding = true;
        model.fetchMore(model.sectionIndex(NavigatorModel::Section::Keys));
        QVERIFY(model.isLoading());
        QTRY_COMPARE(first->calls, 2); // the tester fetched the other section
        model.reload();                // the answer in flight must land nowhere
        first->release();
        // The reset made the tester fetch again; only the new answers count.
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(model.sectionIndex(NavigatorModel::Section::Keys)), 3);
        auto second = std::make_shared<FakeSource>();
        second->liveKeks << QStringLiteral("other");
        second->holding = true;
        model.setSource(second);
        first->release(); // answers for a source that is gone
        QTRY_COMPARE(second->calls, 2);
        QCOMPARE(model.rowCount(model.sectionIndex(NavigatorModel::Section::Keys)), 1);
        QCOMPARE(model.index(0, 0, model.sectionIndex(NavigatorModel::Section::Keys))
                     .data(NavigatorModel::KindRole)
                     .toInt(),
                 int(Kind::Loading));
        second->release();
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(childNames(model, model.sectionIndex(NavigatorModel::Section::Keys)),
                 QStringList{QStringLiteral("other")});
    }

    void pathsRoundTrip()
    {
        NavigatorModel model;
        model.setSource(makeFake());
        fetchAll(model);
        const QStringList path{QStringLiteral("keys"), QStringLiteral("kek-0000"),
                               QStringLiteral("payments-value"), QStringLiteral("1/AES256_SIV")};
        const QModelIndex siv = model.indexOfPath(path);
        QVERIFY(siv.isValid());
        QCOMPARE(siv.data().toString(), QStringLiteral("v1 · AES256_SIV"));
        QCOMPARE(model.pathOf(siv), path);
        QVERIFY(!model.indexOfPath({QStringLiteral("keys"), QStringLiteral("nope")}).isValid());
    }

    // Subject names are the registry's: the tree shows control characters and bidi overrides as
    // escapes, while the roles and paths that act on a node keep the real name.
    void namesShowEscapedButKeepTheirIdentity()
    {
        const QString odd = QStringLiteral("pay\x1b[2J\u202eeulav-");
        auto fake = makeFake();
        fake->subjects[QStringLiteral("kek-0000")].append({odd, 0, {}, false});
        fake->schemaSubjectList.append({odd, 0, {}, false});
        NavigatorModel model;
        model.setSource(fake);
        fetchAll(model);
        const QModelIndex kek =
            model.index(0, 0, model.sectionIndex(NavigatorModel::Section::Keys));
        QModelIndex dekSubject;
        for (int r = 0; r < model.rowCount(kek); ++r)
            if (model.index(r, 0, kek).data(NavigatorModel::SubjectRole).toString() == odd)
                dekSubject = model.index(r, 0, kek);
        QVERIFY(dekSubject.isValid());
        QCOMPARE(dekSubject.data().toString(), QStringLiteral("pay\\x1b[2J\\u202eeulav-"));
        QCOMPARE(dekSubject.data(NavigatorModel::SubjectRole).toString(), odd);
        QCOMPARE(model.indexOfPath(model.pathOf(dekSubject)), dekSubject);
        QVERIFY(model.pathOf(dekSubject).contains(odd));
        const QModelIndex schemas = model.sectionIndex(NavigatorModel::Section::Schemas);
        QVERIFY(childNames(model, schemas).contains(QStringLiteral("pay\\x1b[2J\\u202eeulav-")));
        for (const QString &name : childNames(model, schemas))
            QVERIFY(!name.contains(QChar(0x1b)) && !name.contains(QChar(0x202e)));
    }

    // A KEK whose KMS key is revoked shows it beside its name, with a warning icon and a
    // tooltip; the flag comes back after a reload, can be cleared, and goes with the source.
    void revokedKeyFlagsTheKekRow()
    {
        auto fake = makeFake();
        NavigatorModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setSource(fake);
        const QModelIndex keys = model.sectionIndex(NavigatorModel::Section::Keys);
        fetchAll(model);
        const QModelIndex kek = model.index(1, 0, keys);
        QCOMPARE(kek.data().toString(), QStringLiteral("kek-0001"));
        QVERIFY(!kek.data(NavigatorModel::KeyRevokedRole).toBool());
        QVERIFY(kek.data(Qt::ToolTipRole).isNull());

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setKekKeyFlag(QStringLiteral("kek-0001"), QStringLiteral("KMS key disabled"),
                            QStringLiteral("Disabled (\x1b[31mDISABLED)"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().first().toModelIndex(), kek);
        QCOMPARE(kek.data().toString(), QStringLiteral("kek-0001 — KMS key disabled"));
        QVERIFY(kek.data(NavigatorModel::KeyRevokedRole).toBool());
        QCOMPARE(kek.data(NavigatorModel::FilterRole).toString(), QStringLiteral("kek-0001"));
        QCOMPARE(kek.data(NavigatorModel::KekNameRole).toString(), QStringLiteral("kek-0001"));
        const QString tip = kek.data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.startsWith(QLatin1String("KMS key disabled: Disabled (")), qPrintable(tip));
        QVERIFY2(!tip.contains(QChar(0x1b)), qPrintable(tip)); // the KMS's words, escaped
        QVERIFY(kek.data(Qt::ForegroundRole).isValid());
        QCOMPARE(kek.data(Qt::AccessibleDescriptionRole).toString(),
                 QStringLiteral("KMS key disabled"));
        // Other KEKs are untouched.
        QCOMPARE(model.index(0, 0, keys).data().toString(), QStringLiteral("kek-0000"));
        QVERIFY(!model.index(0, 0, keys).data(NavigatorModel::KeyRevokedRole).toBool());

        model.reload();
        fetchAll(model);
        const QModelIndex reloaded = model.sectionIndex(NavigatorModel::Section::Keys);
        QCOMPARE(model.index(1, 0, reloaded).data().toString(),
                 QStringLiteral("kek-0001 — KMS key disabled"));

        model.setKekKeyFlag(QStringLiteral("kek-0001"), {}, {});
        QCOMPARE(model.index(1, 0, reloaded).data().toString(), QStringLiteral("kek-0001"));
        QVERIFY(model.kekKeyFlag(QStringLiteral("kek-0001")).isEmpty());

        model.setKekKeyFlag(QStringLiteral("kek-0002"), QStringLiteral("KMS key pending deletion"),
                            QStringLiteral("Pending deletion on 2026-12-13 00:00 UTC"));
        model.setSource(makeFake());
        QVERIFY(model.kekKeyFlag(QStringLiteral("kek-0002")).isEmpty());
    }

    void filterMatchesLoadedNamesWithAncestorsAndChildren()
    {
        NavigatorModel model;
        NavigatorFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setSource(makeFake());
        fetchAll(model);
        proxy.setFilterText(QStringLiteral("PAYMENTS"));
        // Both sections have a match: the DEK subject under kek-0000, and the schema subject.
        QCOMPARE(proxy.rowCount(), 2);
        const QModelIndex keys = proxy.index(0, 0);
        QCOMPARE(childNames(proxy, keys), QStringList{QStringLiteral("kek-0000")});
        const QModelIndex subject = proxy.index(0, 0, proxy.index(0, 0, keys));
        QCOMPARE(subject.data().toString(), QStringLiteral("payments-value"));
        QCOMPARE(proxy.rowCount(subject), 3); // the versions of a match stay browsable

        proxy.setFilterText(QStringLiteral("kek-0002"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(childNames(proxy, proxy.index(0, 0)), QStringList{QStringLiteral("kek-0002")});
        proxy.setFilterText(QStringLiteral("no such thing"));
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setFilterText({});
        QCOMPARE(proxy.rowCount(), 2);
        // Toggling deleted and reloading under the tester, through the proxy.
        model.setShowDeleted(true);
        fetchAll(model);
        proxy.setFilterText(QStringLiteral("old"));
        QCOMPARE(childNames(proxy, proxy.index(0, 0)),
                 QStringList{QStringLiteral("kek-old (deleted)")});
    }

    void realRegistryOverHttp()
    {
        auto store = std::make_shared<sandbox::SandboxStore>();
        QVERIFY(store->open());
        store->setLocalSecret(QStringLiteral("navigator-test-secret"));
        for (const QString &name :
             {QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("retired")}) {
            registry::Kek kek;
            kek.name = name;
            kek.kmsType = QStringLiteral("local-kms");
            kek.kmsKeyId = QStringLiteral("key-") + name;
            kek.shared = true;
            QVERIFY2(store->createKek(kek), qPrintable(store->createKek(kek).error().message));
        }
        auto dek = [&](const QString &kek, const QString &subject, int version,
                       const QString &algorithm) {
            registry::Dek request;
            request.subject = subject;
            request.version = version;
            request.algorithm = algorithm;
            const auto made = store->registerDek(kek, request);
            QVERIFY2(made, qPrintable(made.error().message));
        };
        dek(QStringLiteral("alpha"), QStringLiteral("orders-value"), 1,
            QStringLiteral("AES256_GCM"));
        dek(QStringLiteral("alpha"), QStringLiteral("orders-value"), 2,
            QStringLiteral("AES256_GCM"));
        dek(QStringLiteral("alpha"), QStringLiteral("orders-value"), 1,
            QStringLiteral("AES256_SIV"));
        dek(QStringLiteral("alpha"), QStringLiteral("cards-value"), 1,
            QStringLiteral("AES128_GCM"));
        dek(QStringLiteral("retired"), QStringLiteral("old-value"), 1,
            QStringLiteral("AES256_GCM"));
        QVERIFY(store->deleteDekVersion(QStringLiteral("alpha"), QStringLiteral("orders-value"), 1,
                                        QStringLiteral("AES256_GCM"), false));
        QVERIFY(store->deleteDekVersions(QStringLiteral("retired"), QStringLiteral("old-value"),
                                         QStringLiteral("AES256_GCM"), false));
        QVERIFY(store->deleteKek(QStringLiteral("retired"), false));
        registry::Schema schema;
        schema.schema = QStringLiteral(R"({"type":"record","name":"Order","fields":[]})");
        QVERIFY(store->registerSchema(QStringLiteral("orders-value"), schema));

        sandbox::SandboxServer server(store);
        QVERIFY(server.listen(0));
        registry::ConnectionSettings settings;
        settings.baseUrl = QUrl(server.baseUrl());
        registry::RestTransport transport(settings);
        auto keys = std::make_shared<registry::DekRegistryClient>(&transport);
        auto schemas = std::make_shared<registry::SchemaRegistryClient>(&transport);

        NavigatorModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setSource(std::make_shared<RegistryNavigatorSource>(keys, schemas));
        fetchAll(model);
        const QModelIndex keysSection = model.sectionIndex(NavigatorModel::Section::Keys);
        QCOMPARE(childNames(model, keysSection),
                 (QStringList{QStringLiteral("alpha"), QStringLiteral("beta")}));
        const QModelIndex orders = model.indexOfPath(
            {QStringLiteral("keys"), QStringLiteral("alpha"), QStringLiteral("orders-value")});
        QCOMPARE(childNames(model, orders), (QStringList{QStringLiteral("v2 · AES256_GCM"),
                                                         QStringLiteral("v1 · AES256_SIV")}));
        const QModelIndex cards = model.indexOfPath(
            {QStringLiteral("keys"), QStringLiteral("alpha"), QStringLiteral("cards-value")});
        QCOMPARE(childNames(model, cards), QStringList{QStringLiteral("v1 · AES128_GCM")});
        QVERIFY(model
                    .indexOfPath({QStringLiteral("schemas"), QStringLiteral("orders-value"),
                                  QStringLiteral("1")})
                    .isValid());

        model.setShowDeleted(true);
        fetchAll(model);
        QCOMPARE(childNames(model, model.sectionIndex(NavigatorModel::Section::Keys)),
                 (QStringList{QStringLiteral("alpha"), QStringLiteral("beta"),
                              QStringLiteral("retired (deleted)")}));
        QCOMPARE(
            childNames(model, model.indexOfPath({QStringLiteral("keys"), QStringLiteral("alpha"),
                                                 QStringLiteral("orders-value")})),
            (QStringList{QStringLiteral("v1 · AES256_GCM (deleted)"),
                         QStringLiteral("v2 · AES256_GCM"), QStringLiteral("v1 · AES256_SIV")}));
        const QModelIndex old = model.indexOfPath(
            {QStringLiteral("keys"), QStringLiteral("retired"), QStringLiteral("old-value")});
        QVERIFY(old.isValid());
        QVERIFY(old.data(NavigatorModel::DeletedRole).toBool());
    }
};

QTEST_MAIN(TestNavigatorModel)
#include "tst_navigatormodel.moc"
