#pragma once
// What the audit tests share: waiting for an AuditLog future (its continuations run on the
// test thread's event loop) and a typical reveal entry.

#include "core/audit/auditstore.h"

#include <QFuture>
#include <QJsonArray>
#include <QTest>

namespace kw::audit::testing {

template<typename T>
T await(QFuture<T> future)
{
    if (!QTest::qWaitFor([&future] { return future.isFinished(); }, 10000))
        qFatal("an audit log future did not finish");
    return future.result();
}

// A reveal of field "ssn" of the record at `offset` of customers/0.
inline AuditEntry reveal(int offset)
{
    AuditEntry entry;
    entry.action = ActionRecordReveal;
    entry.profile = QStringLiteral("demo");
    entry.topic = QStringLiteral("customers");
    entry.partition = 0;
    entry.offset = offset;
    entry.details = {{QStringLiteral("fields"), QJsonArray{QStringLiteral("ssn")}}};
    return entry;
}

} // namespace kw::audit::testing
