#pragma once
// Previewed records as the decryptor hands them over, for the record view and writer tests:
// decoded values (the GUI's reads) and values rendered as JSON text (the CLI's reads).

#include "core/services/recordpreview.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace kw::testing {

using Status = engine::FieldOutcome::Status;

inline engine::FieldOutcome field(const QString &path, Status status, int dekVersion = 0,
                                  const QString &errorCode = {})
{
    engine::FieldOutcome f;
    f.path = path;
    f.status = status;
    f.kekName = QStringLiteral("retail-pii");
    f.dekVersion = dekVersion;
    f.algorithm = QStringLiteral("AES256_GCM");
    if (!errorCode.isEmpty())
        f.error = makeError(errorCode, QStringLiteral("Field '%1' failed on purpose.").arg(path));
    return f;
}

inline QJsonValue json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

inline kafka::PreviewRecord base(int partition, qint64 offset)
{
    kafka::PreviewRecord r;
    r.record.topic = QStringLiteral("customers");
    r.record.partition = partition;
    r.record.offset = offset;
    r.record.timestampMs = 1'700'000'000'000 + offset;
    r.record.key = QByteArrayLiteral("C-1");
    r.record.value = QByteArrayLiteral("\0\0\0\0\x03payload");
    r.decrypted = true;
    r.value.schemaId = 3;
    r.value.schemaSubject = QStringLiteral("customers-value");
    r.value.schemaVersion = 2;
    r.value.dekSubject = QStringLiteral("customers-value");
    return r;
}

// ssn decrypted to "123-45-6789"; id and age were never encrypted.
inline kafka::PreviewRecord decrypted(qint64 offset)
{
    kafka::PreviewRecord r = base(0, offset);
    r.value.value = json(R"({"id":"C-1","ssn":"123-45-6789","age":40})");
    r.value.stored = json(R"({"id":"C-1","ssn":"QUJD","age":40})");
    r.value.fields = {field(QStringLiteral("ssn"), Status::Decrypted, 2)};
    return r;
}

inline kafka::PreviewRecord partiallyFailed(qint64 offset)
{
    kafka::PreviewRecord r = base(1, offset);
    r.value.value = json(R"({"id":"C-2","ssn":"999-00-1111","email":"Zm9v"})");
    r.value.stored = json(R"({"id":"C-2","ssn":"QUJE","email":"Zm9v"})");
    r.value.fields = {field(QStringLiteral("ssn"), Status::Decrypted, 2),
                      field(QStringLiteral("email"), Status::Failed, 1,
                            QStringLiteral("crypto.authentication_failed"))};
    return r;
}

// The record as a whole could not be read.
inline kafka::PreviewRecord failed(qint64 offset)
{
    kafka::PreviewRecord r = base(2, offset);
    r.value = {};
    r.value.error = makeError(QStringLiteral("engine.unknown_schema"),
                              QStringLiteral("Schema id 99 is not in the registry."));
    return r;
}

inline kafka::PreviewRecord tombstone(qint64 offset)
{
    kafka::PreviewRecord r = base(0, offset);
    r.record.value = QByteArray();
    r.decrypted = false;
    r.value = {};
    return r;
}

// An ENCRYPT_PAYLOAD record: the whole value was ciphertext.
inline kafka::PreviewRecord payloadEncrypted(qint64 offset)
{
    kafka::PreviewRecord r = base(0, offset);
    r.value.value = json(R"({"id":"C-3","card":"4111"})");
    r.value.payload = field(QStringLiteral("(payload)"), Status::Decrypted, 1);
    return r;
}

} // namespace kw::testing
