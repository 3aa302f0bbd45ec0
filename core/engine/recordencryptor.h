#pragma once
// Writes records as Confluent's serializers do: encode the value with the schema, encrypt
// tagged fields (ENCRYPT) and the payload (ENCRYPT_PAYLOAD) with the subject's DEK, add the
// DEK version prefix when rotation is on, and frame with the schema id. DEKs are created like
// a producer creates them: version 1 when missing, latest+1 when the latest has expired.

#include "core/crypto/crypto.h"
#include "core/domain/clock.h"
#include "core/domain/keysources.h"
#include "core/domain/rules.h"
#include "core/kms/kms.h"
#include "core/serde/fieldvisit.h"

#include <QHash>
#include <QJsonValue>
#include <QMutex>

#include <memory>

namespace kw::engine {

class RecordEncryptor
{
public:
    RecordEncryptor(std::shared_ptr<KeySource> keys, std::shared_ptr<const kms::KmsRegistry> kms,
                    kms::KmsSettings kmsSettings, const Clock &clock = Clock::system());
    ~RecordEncryptor();

    // Serializes `value` (JSON in the same conventions the decryptor renders: bytes as base64;
    // Protobuf in its canonical JSON mapping) with `schema` (framed with its id) for DEK subject
    // `dekSubject`. `references`: the schemas `schema` references, by reference name.
    // `messageType`: for Protobuf, the full name of the message `value` is (empty: the file's
    // first message). Blocking: call from a worker thread or a tool, never the UI thread.
    Result<QByteArray> encrypt(const registry::Schema &schema, const QString &dekSubject,
                               const QJsonValue &value,
                               const QList<serde::NamedSchema> &references = {},
                               const QString &messageType = {});

    // Number of DEKs this encryptor registered.
    [[nodiscard]] int createdDeks() const;

private:
    struct ActiveDek;
    struct ParsedSchema;
    Result<std::shared_ptr<const ParsedSchema>> parsed(const registry::Schema &schema,
                                                       const QList<serde::NamedSchema> &references);
    Result<std::shared_ptr<const ActiveDek>> dekFor(const EncryptionRule &rule,
                                                    const QString &subject);
    Result<std::shared_ptr<const ActiveDek>> createDek(const registry::Kek &kek,
                                                       const EncryptionRule &rule,
                                                       const QString &subject, int version);
    Result<QByteArray> encryptValue(const EncryptionRule &rule, const QString &subject,
                                    const QByteArray &plaintext);

    std::shared_ptr<KeySource> m_keys;
    std::shared_ptr<const kms::KmsRegistry> m_kms;
    kms::KmsSettings m_kmsSettings; // per kmsType; each KEK gets its own type's
    const Clock &m_clock;
    QMutex m_mutex;
    QHash<QString, std::shared_ptr<const ActiveDek>> m_active;
    QMutex m_schemaMutex;
    QHash<QString, std::shared_ptr<const ParsedSchema>> m_schemas;
    int m_created = 0;
};

} // namespace kw::engine
