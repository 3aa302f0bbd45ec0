#pragma once
// A census kept between runs, in SQLite (store::Database): what was counted per topic, and per
// partition the next offset to read. Counts and positions move together in one transaction,
// so a run stopped at any point (cancelled, killed, a lost connection) resumes where it stopped
// without losing or counting anything twice. The file is the user's alone (0600, in a 0700
// folder).

#include "core/census/censustally.h"
#include "core/domain/result.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace kw::store {
class Database;
}

namespace kw::census {

struct PartitionPosition
{
    QString topic;
    int partition = 0;
    qint64 nextOffset = 0; // the first offset not counted yet
    // Records that retention deleted before they were counted (the log start moved past
    // nextOffset): the counts of this partition are a lower bound by at least this many.
    qint64 missed = 0;
};

// What the censuses kept in a folder have counted: one cluster's, or every cluster's added up
// (the invocation limit is per key, summed over every cluster that uses it).
struct CensusTotals
{
    Tally tally;
    QHash<QString, qint64> missed; // per topic: records retention deleted before counting
    QStringList files;             // the census files read; empty: none was taken yet
};

class CensusState
{
public:
    // Opens or creates the state file at `path` (its folder is created); an empty path keeps
    // the state in memory for this object's life. Errors: "store.open", "store.migrate",
    // "store.too_new", "census.state".
    static Result<std::unique_ptr<CensusState>> open(const QString &path);
    // The file for a cluster under `folder`: one per bootstrap server list, so censuses of two
    // clusters never mix.
    static QString pathFor(const QString &folder, const QString &bootstrapServers);
    // Where the CLI and the GUI keep censuses unless told otherwise: "census" in the data
    // folder.
    static QString defaultFolder();
    // The census of the cluster at `bootstrapServers` under `folder`, or with none named every
    // census there. Reads only: a cluster never counted gives empty totals, no file.
    static Result<CensusTotals> loadFolder(const QString &folder, const QString &bootstrapServers);
    ~CensusState();

    [[nodiscard]] Result<QList<PartitionPosition>> positions() const;
    [[nodiscard]] Result<QHash<int, PartitionPosition>> positions(const QString &topic) const;

    // Adds `counted` (records of `topic` only) and moves those partitions' positions, at once.
    Result<void> commit(const QString &topic, const Tally &counted,
                        const QList<PartitionPosition> &moved);
    // Everything counted so far, over every topic or over `topics` only.
    [[nodiscard]] Result<Tally> load(const QStringList &topics = {}) const;
    // Forgets everything (--rescan).
    Result<void> clear();

    [[nodiscard]] QString path() const;

private:
    explicit CensusState(std::shared_ptr<store::Database> db);

    std::shared_ptr<store::Database> m_db;
};

} // namespace kw::census
