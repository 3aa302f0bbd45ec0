#pragma once
// Where the navigator's tree gets its rows: a narrow async interface (KEK pages, DEK subjects,
// DEK versions with their algorithms, schema subjects and versions) so the model can be tested
// with an in-memory fake, and its implementation on the real registry clients.

#include "core/domain/result.h"

#include <QFuture>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>

#include <memory>

namespace kw::registry {
class DekRegistryClient;
class SchemaRegistryClient;
} // namespace kw::registry

namespace kw {

// One row the source answers with. `version`/`algorithm` are only set for versions.
struct NavigatorItem
{
    QString name;
    int version = 0;
    QString algorithm;
    bool deleted = false;
    bool operator==(const NavigatorItem &) const = default;
};

using NavigatorItems = QList<NavigatorItem>;

class NavigatorSource
{
public:
    virtual ~NavigatorSource() = default;

    // One page of KEK names in name order. The model asks for pages one after the other,
    // starting at offset 0, so an implementation may prepare state on the first page.
    // A page shorter than `limit` is the last one.
    virtual QFuture<Result<NavigatorItems>> keks(int offset, int limit, bool includeDeleted) = 0;
    virtual QFuture<Result<NavigatorItems>> dekSubjects(const QString &kekName,
                                                        bool includeDeleted) = 0;
    // Every version of every algorithm of the DEK subject, ordered by algorithm then version.
    virtual QFuture<Result<NavigatorItems>>
    dekVersions(const QString &kekName, const QString &subject, bool includeDeleted) = 0;
    virtual QFuture<Result<NavigatorItems>> schemaSubjects(bool includeDeleted) = 0;
    virtual QFuture<Result<NavigatorItems>> schemaVersions(const QString &subject,
                                                           bool includeDeleted) = 0;
};

// The source on a live registry. Futures finish in the clients' transport thread; the
// source itself must be used from that thread too (it is a QObject for its continuations).
class RegistryNavigatorSource final : public QObject, public NavigatorSource
{
    Q_OBJECT

public:
    RegistryNavigatorSource(std::shared_ptr<registry::DekRegistryClient> keys,
                            std::shared_ptr<registry::SchemaRegistryClient> schemas,
                            QObject *parent = nullptr);
    ~RegistryNavigatorSource() override;

    QFuture<Result<NavigatorItems>> keks(int offset, int limit, bool includeDeleted) override;
    QFuture<Result<NavigatorItems>> dekSubjects(const QString &kekName,
                                                bool includeDeleted) override;
    QFuture<Result<NavigatorItems>> dekVersions(const QString &kekName, const QString &subject,
                                                bool includeDeleted) override;
    QFuture<Result<NavigatorItems>> schemaSubjects(bool includeDeleted) override;
    QFuture<Result<NavigatorItems>> schemaVersions(const QString &subject,
                                                   bool includeDeleted) override;

    // The algorithms a DEK subject's versions are listed for (the REST API lists one
    // algorithm at a time and defaults to AES256_GCM).
    static const QStringList &algorithms();

private:
    QFuture<Result<NavigatorItems>> kekPage(int offset, int limit, bool includeDeleted);

    std::shared_ptr<registry::DekRegistryClient> m_keys;
    std::shared_ptr<registry::SchemaRegistryClient> m_schemas;
    // Live (not deleted) KEK names, fetched with the first page when deleted ones are shown:
    // the REST list has no "deleted" flag per name, so deleted = listed with deleted=true only.
    QSet<QString> m_liveKeks;
};

} // namespace kw
