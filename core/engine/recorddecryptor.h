#pragma once
// Reads a Kafka record the way Confluent's deserializers do: framing, writer schema, payload
// and field decryption, then renders it as JSON. Every failure is a value: per field
// (decrypted, plain or failed, with the precise reason) or per record (framing, schema,
// payload, decoding). No byte string can crash it.

#include "core/crypto/crypto.h"
#include "core/domain/keysources.h"
#include "core/domain/rules.h"
#include "core/engine/dekcache.h"
#include "core/kms/kms.h"
#include "core/serde/framing.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QJsonValue>
#include <QMutex>
#include <QSet>

#include <atomic>
#include <memory>

namespace kw::engine {

struct RecordInput
{
    QString topic;
    bool isKey = false;
    QByteArray payload;
    QList<serde::RecordHeader> headers;
    // The serializer subject that names the DEKs; empty means TopicNameStrategy
    // (<topic>-value or <topic>-key).
    QString dekSubject;
};

struct FieldOutcome
{
    enum class Status
    {
        Decrypted,
        Plain, // tagged, but no rule that runs on read covers it
        Failed
    };
    QString path;
    Status status = Status::Plain;
    QStringList tags;
    QString kekName;
    int dekVersion = 0;
    QString algorithm;
    Error error;             // set when Failed
    bool kekDeleted = false; // decrypted with a soft-deleted KEK
};

struct RecordOutcome
{
    Error error; // the record as a whole failed (framing, schema, payload, decoding)
    [[nodiscard]] bool ok() const { return error.isEmpty(); }

    serde::SchemaRef schemaRef;
    int schemaId = 0;
    QString schemaSubject;
    int schemaVersion = 0;
    QString schemaType;
    QString dekSubject;
    QJsonValue value;  // decoded, encrypted fields decrypted where possible
    QJsonValue stored; // decoded as stored: field ciphertexts visible (DecryptOptions::stored)
    // With DecryptOptions::jsonText: `value` as compact JSON text (and `value`, `stored` left
    // null). Empty when the record failed as a whole.
    QByteArray valueJson;
    QList<FieldOutcome> fields;
    std::optional<FieldOutcome> payload; // the ENCRYPT_PAYLOAD step, when the schema has one
    QList<qint32> messageIndexes;        // Protobuf records: the message path in the schema
    QString messageType;                 // Protobuf records: that message's full name
};

// One encrypted value as it is stored: where it sits and which key it names, read from the
// record's bytes alone (no KMS call, no key material).
struct EncryptedValue
{
    QString path; // "(payload)" for an ENCRYPT_PAYLOAD body
    QString kekName;
    QString algorithm;
    int dekVersion = 0; // from the version prefix; 1 when the rule does not rotate
    // The value carries the DEK version prefix (its rule rotates: encrypt.dek.expiry.days).
    // Without one, every value of the rule counts against version 1 (workflow-facts §3.1).
    bool versionPrefixed = false;
    Error error; // the value's own framing is damaged (not base64, bad prefix, ...)
};

// What a record reveals about its encryption without decrypting anything: the census's input.
struct RecordInspection
{
    Error error; // the record as a whole could not be read (framing, schema, decoding)
    [[nodiscard]] bool ok() const { return error.isEmpty(); }

    serde::SchemaRef schemaRef;
    int schemaId = 0;
    QString schemaSubject;
    int schemaVersion = 0;
    QString schemaType;
    QString dekSubject;
    std::optional<EncryptedValue> payload; // the outermost ENCRYPT_PAYLOAD layer
    // Encrypted fields, in record order; for a field under several rules, the outermost layer.
    // Empty when an encrypted payload hides the fields (fieldsHidden).
    QList<EncryptedValue> values;
    bool fieldsHidden = false;
};

struct DecryptOptions
{
    // Fill RecordOutcome::stored (a second decoding pass when a field was decrypted). Callers
    // that never show the stored form (the CLI) turn it off; it costs about a third of a read.
    bool stored = true;
    // Render the value as JSON text into RecordOutcome::valueJson instead of a QJsonValue: the
    // fast path for callers that print records (the CLI). Avro records are rendered straight
    // from the binary, members in schema order; JSON records keep their (sorted) member order.
    bool jsonText = false;
    // With jsonText: when not empty, every decrypted value is written as this string instead
    // (masking), so plaintext never leaves the engine.
    QString mask;
};

class RecordDecryptor
{
public:
    RecordDecryptor(std::shared_ptr<SchemaSource> schemas, std::shared_ptr<KeySource> keys,
                    std::shared_ptr<const kms::KmsRegistry> kms, kms::KmsSettings kmsSettings,
                    std::shared_ptr<DekCache> cache = std::make_shared<DekCache>());
    ~RecordDecryptor();

private:
    struct ParsedSchema;

public:
    // Carries the DEK and the schema last used from one decrypt() call to the next, so a run of
    // records under one key and schema costs no cache lookup. One per thread. It holds the
    // unwrapped key: keep it for a short batch, or call forgetKey() between batches so the
    // cache's expiry applies again.
    class KeyMemo
    {
    public:
        // For a memo that serves one thread for a long read (a pipeline worker): the schemas it
        // remembers are parsed again for it, so the strings every record copies (field paths,
        // tags, KEK names, subjects) are this thread's own and their reference counts are not
        // contended with other threads. Costs one parse per schema per memo.
        void usePrivateSchemas() { privateSchemas = true; }
        // Drops the DEK (the next record looks it up in the cache again); keeps the schema.
        void forgetKey()
        {
            key = {};
            cipher = {};
            kekDeleted = false;
        }

    private:
        friend class RecordDecryptor;
        DekKey key;
        DekCache::Cipher cipher;
        bool kekDeleted = false;
        // The schema of the last record, so a run of records under one schema skips the
        // shared cache (its lock and reference counts, contended between worker threads).
        serde::SchemaRef schemaRef;
        std::shared_ptr<const ParsedSchema> schema;
        bool privateSchemas = false;
        qsizetype fieldCount = 0; // field outcomes of the last record: the next one's reserve
    };

    // Blocking: waits for registry and KMS answers. Call from a worker thread, never the UI
    // thread. Thread-safe.
    RecordOutcome decrypt(const RecordInput &input, const DecryptOptions &options = {});
    RecordOutcome decrypt(const RecordInput &input, const DecryptOptions &options, KeyMemo &memo);
    // The same into `out`, which is reset first: reusing one outcome for a run of records
    // keeps the allocations of its text and field list.
    void decrypt(const RecordInput &input, const DecryptOptions &options, KeyMemo &memo,
                 RecordOutcome &out);

    // Reads framing, schema and each encrypted value's KEK, algorithm and DEK version, asking
    // the registry for schemas only: no DEK lookup, no KMS call, no key material. Blocking
    // like decrypt(); thread-safe.
    RecordInspection inspect(const RecordInput &input);
    RecordInspection inspect(const RecordInput &input, KeyMemo &memo);

    [[nodiscard]] DekCache::Stats cacheStats() const;

    // Asks the registries ahead for what reading the records of `subject` most likely needs:
    // its latest schema, the KEKs that schema's rules name and their newest DEK versions under
    // `subject`. Registry lookups only, never a KMS unwrap: the keys are unwrapped when a
    // record uses them. Failures are not reported here; the records that need what failed
    // report it. Blocking, like decrypt(); thread-safe.
    void warmUp(const QString &subject);

private:
    Result<std::shared_ptr<const ParsedSchema>> schemaFor(const serde::SchemaRef &ref);
    // Points memo.schema at the schema `ref` names, looking it up unless the memo has it.
    Result<void> useSchema(const serde::SchemaRef &ref, KeyMemo &memo);
    std::shared_ptr<const ParsedSchema> ownCopy(const std::shared_ptr<const ParsedSchema> &shared);
    Result<std::shared_ptr<const ParsedSchema>> parseSchema(const registry::Schema &schema);
    Result<DekCache::Cipher> dekFor(const DekKey &key, bool &kekDeleted);
    Result<registry::Kek> kekFor(const QString &name);
    // The KEK as the registry described it within kRecentKekMs, if it did; and remembering it.
    std::optional<registry::Kek> recentKek(const QString &name);
    void rememberKek(const QString &name, const registry::Kek &kek);
    QFuture<Result<registry::Dek>> pendingDek(const DekKey &key);
    // Lists the DEK versions of (KEK, subject, algorithm), once per decryptor, and asks for the
    // newest of them but `except` (which the caller asks for itself).
    void fetchDeksAhead(const QString &kekName, const QString &subject,
                        crypto::DekAlgorithm algorithm, int except);
    Result<QByteArray> decryptValue(const EncryptionRule &rule, const QString &dekSubject,
                                    QByteArrayView ciphertext, FieldOutcome &outcome,
                                    KeyMemo &memo);

    std::shared_ptr<SchemaSource> m_schemas;
    std::shared_ptr<KeySource> m_keys;
    std::shared_ptr<const kms::KmsRegistry> m_kms;
    kms::KmsSettings m_kmsSettings; // per kmsType; each KEK gets its own type's
    std::shared_ptr<DekCache> m_cache;
    QMutex m_mutex; // guards everything below but the atomic
    QHash<qint32, std::shared_ptr<const ParsedSchema>> m_schemasById;
    QHash<QUuid, std::shared_ptr<const ParsedSchema>> m_schemasByGuid;
    // Schemas the registry said do not exist, with the answer and when it came: records naming
    // one fail with that answer, and the registry is asked again only after a while. A
    // damaged topic otherwise costs one request (and a stalled worker) per damaged record.
    struct Missing
    {
        Error error;
        QDeadlineTimer retry;
    };
    QHash<QString, Missing> m_missingSchemas; // by SchemaRef::toString()
    // KEKs as the registry last described them, for loading the next DEK under the same KEK
    // without asking again (a topic's DEK versions are loaded one after another).
    struct RecentKek
    {
        registry::Kek kek;
        QDeadlineTimer fresh;
    };
    QHash<QString, RecentKek> m_recentKeks;
    // DEK registry answers asked for ahead of use, each taken once, and the subjects (KEK,
    // subject, algorithm) whose versions were listed for that.
    struct PendingDek
    {
        QFuture<Result<registry::Dek>> reply;
        QDeadlineTimer fresh; // an answer older than this is not used
    };
    QHash<DekKey, PendingDek> m_pendingDeks;
    QSet<QString> m_listedDekFamilies;
    QSet<QString> m_deletedKeks;             // soft-deleted KEKs seen by DEK loads
    std::atomic_bool m_anyDeletedKek{false}; // m_deletedKeks is not empty
};

QString statusName(FieldOutcome::Status status);

} // namespace kw::engine
