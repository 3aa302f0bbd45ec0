// SandboxStore: bulk loading for synthetic seeds (see scaleseed.h).

#include "core/sandbox/sandboxstore.h"

#include <QSqlDatabase>
#include <QSqlError>

namespace kw::sandbox {

Result<void> SandboxStore::bulkInsert(const QList<registry::Kek> &keks,
                                      const QList<registry::Dek> &deks)
{
    QMutexLocker lock(&m_mutex);
    QSqlDatabase database = db();
    // One transaction: a commit per row would make 100,000 DEKs take minutes.
    database.transaction();
    for (const registry::Kek &kek : keks) {
        if (Result<void> written = writeKek(kek); !written) {
            database.rollback();
            return written;
        }
    }
    for (const registry::Dek &dek : deks) {
        if (Result<void> written = writeDek(dek); !written) {
            database.rollback();
            return written;
        }
    }
    if (!database.commit())
        return sqlError(QStringLiteral("bulk insert"), database.lastError().text());
    return {};
}

} // namespace kw::sandbox
