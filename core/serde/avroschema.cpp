#include "core/serde/avroschema.h"

#include "core/serde/avrobinary.h"
#include "core/serde/avromodel.h"
#include "core/serde/avrovalue.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <avro.h>

namespace kw::serde {

using namespace detail;

struct AvroSchema::Data
{
    QString resolvedJson;
    AvroModel model;
    avro_schema_t schema = nullptr;
    avro_value_iface_t *iface = nullptr;

    Data() = default;
    Data(const Data &) = delete;
    Data &operator=(const Data &) = delete;
    ~Data()
    {
        if (iface) {
            avro_value_iface_decref(iface);
        }
        if (schema) {
            avro_schema_decref(schema);
        }
    }
};

namespace {

const QString kBadSchema = QStringLiteral("serde.bad_schema");
const QString kMalformed = QStringLiteral("serde.malformed_record");

// QJsonDocument only takes objects and arrays at the top, but a schema may be a bare name
// ("string"), so the text is parsed as the only element of an array.
kw::Result<QJsonValue> parseSchemaText(const QString &text)
{
    QJsonParseError pe;
    const QByteArray wrapped = "[" + text.toUtf8() + "]";
    const QJsonDocument doc = QJsonDocument::fromJson(wrapped, &pe);
    if (pe.error != QJsonParseError::NoError || doc.array().size() != 1) {
        return kw::makeError(kBadSchema, QStringLiteral("The Avro schema is not valid JSON: %1.")
                                             .arg(pe.error != QJsonParseError::NoError
                                                      ? pe.errorString()
                                                      : QStringLiteral("expected one value")));
    }
    return doc.array().at(0);
}

QByteArray compactJson(const QJsonValue &v)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

// Owns one generic value for the length of a call.
class ValueHolder
{
public:
    explicit ValueHolder(avro_value_iface_t *iface)
    {
        m_ok = avro_generic_value_new(iface, &m_value) == 0;
    }
    ~ValueHolder()
    {
        if (m_ok) {
            avro_value_decref(&m_value);
        }
    }
    ValueHolder(const ValueHolder &) = delete;
    ValueHolder &operator=(const ValueHolder &) = delete;

    bool ok() const { return m_ok; }
    avro_value_t &value() { return m_value; }

private:
    avro_value_t m_value{};
    bool m_ok = false;
};

kw::Result<void> readBody(const AvroModel &model, QByteArrayView body, avro_value_t &value)
{
    auto scanned = prescanAvroBody(model, body);
    if (!scanned) {
        return scanned;
    }
    static const char empty = 0;
    avro_reader_t reader = avro_reader_memory(body.isEmpty() ? &empty : body.data(),
                                              static_cast<int64_t>(body.size()));
    if (!reader) {
        return kw::makeError(kMalformed, QStringLiteral("Avro C could not open a reader."));
    }
    const int rc = avro_value_read(reader, &value);
    avro_reader_free(reader);
    if (rc != 0) {
        return kw::makeError(
            kMalformed,
            QStringLiteral("The Avro record could not be decoded: %1.").arg(avroLastError()));
    }
    return {};
}

kw::Result<QByteArray> writeBody(avro_value_t &value)
{
    size_t size = 0;
    if (avro_value_sizeof(&value, &size) != 0) {
        return kw::makeError(
            kMalformed,
            QStringLiteral("The Avro record could not be sized: %1.").arg(avroLastError()));
    }
    QByteArray out(static_cast<qsizetype>(size), '\0');
    avro_writer_t writer = avro_writer_memory(out.data(), static_cast<int64_t>(out.size()));
    if (!writer) {
        return kw::makeError(kMalformed, QStringLiteral("Avro C could not open a writer."));
    }
    const int rc = avro_value_write(writer, &value);
    const int64_t written = avro_writer_tell(writer);
    avro_writer_free(writer);
    if (rc != 0 || written != static_cast<int64_t>(size)) {
        return kw::makeError(
            kMalformed,
            QStringLiteral("The Avro record could not be encoded: %1.").arg(avroLastError()));
    }
    return out;
}

void collectTagged(const AvroModel &model, int index, const QString &path, QSet<int> &seenRecords,
                   QList<FieldVisit> &out)
{
    const AvroNode &node = model.nodes.at(index);
    switch (node.kind) {
    case AvroKind::Record:
        if (seenRecords.contains(index)) {
            return;
        }
        seenRecords.insert(index);
        for (const AvroField &field : node.fields) {
            const QString fieldPath = path.isEmpty() ? field.name : path + u'.' + field.name;
            if (!field.tags.isEmpty()) {
                out.append(FieldVisit{fieldPath, node.fullName + u'.' + field.name, field.tags,
                                      avroLeafKind(model, field.type)});
            }
            collectTagged(model, field.type, fieldPath, seenRecords, out);
        }
        return;
    case AvroKind::Union:
        for (int b : node.branches) {
            collectTagged(model, b, path, seenRecords, out);
        }
        return;
    case AvroKind::Array:
    case AvroKind::Map:
        collectTagged(model, node.child, path, seenRecords, out);
        return;
    default:
        return;
    }
}

kw::Error nullSchemaError()
{
    return kw::makeError(kBadSchema, QStringLiteral("No Avro schema was loaded."));
}

} // namespace

AvroSchema::AvroSchema() = default;
AvroSchema::~AvroSchema() = default;
AvroSchema::AvroSchema(const AvroSchema &) = default;
AvroSchema &AvroSchema::operator=(const AvroSchema &) = default;
AvroSchema::AvroSchema(AvroSchema &&) noexcept = default;
AvroSchema &AvroSchema::operator=(AvroSchema &&) noexcept = default;

kw::Result<AvroSchema> AvroSchema::parse(const QString &schemaJson, const QStringList &references,
                                         const MetadataTags &metadataTags)
{
    auto parsed = parseSchemaText(schemaJson);
    if (!parsed) {
        return parsed.error();
    }
    auto resolved = inlineAvroReferences(*parsed, references);
    if (!resolved) {
        return resolved.error();
    }
    auto model = buildAvroModel(*resolved, metadataTags);
    if (!model) {
        return model.error();
    }
    auto d = std::make_shared<Data>();
    const QByteArray text = compactJson(*resolved);
    if (avro_schema_from_json_length(text.constData(), static_cast<size_t>(text.size()),
                                     &d->schema) != 0) {
        d->schema = nullptr;
        return kw::makeError(
            kBadSchema, QStringLiteral("Avro C rejected the schema: %1.").arg(avroLastError()));
    }
    d->iface = avro_generic_class_from_schema(d->schema);
    if (!d->iface) {
        return kw::makeError(
            kBadSchema,
            QStringLiteral("Avro C could not use the schema: %1.").arg(avroLastError()));
    }
    d->resolvedJson = QString::fromUtf8(text);
    d->model = std::move(*model);
    AvroSchema schema;
    schema.m_d = std::move(d);
    return schema;
}

QString AvroSchema::resolvedJson() const
{
    return m_d ? m_d->resolvedJson : QString();
}

QList<FieldVisit> AvroSchema::taggedFields() const
{
    QList<FieldVisit> out;
    if (!m_d) {
        return out;
    }
    QSet<int> seenRecords;
    collectTagged(m_d->model, m_d->model.root, QString(), seenRecords, out);
    return out;
}

kw::Result<QByteArray> AvroSchema::transform(QByteArrayView body, const LeafVisitor &visitor,
                                             WalkOptions options) const
{
    if (!m_d) {
        return nullSchemaError();
    }
    ValueHolder holder(m_d->iface);
    if (!holder.ok()) {
        return kw::makeError(
            kMalformed,
            QStringLiteral("Avro C could not create a value: %1.").arg(avroLastError()));
    }
    auto read = readBody(m_d->model, body, holder.value());
    if (!read) {
        return read.error();
    }
    AvroWalkRequest request;
    request.model = &m_d->model;
    request.visitor = &visitor;
    request.options = options;
    auto walked = walkAvroValue(request, holder.value());
    if (!walked) {
        return walked.error();
    }
    return writeBody(holder.value());
}

kw::Result<QJsonValue> AvroSchema::toJson(QByteArrayView body, const LeafVisitor &visitor,
                                          WalkOptions options) const
{
    // One decoder for every reading: the text renderer, parsed back. (Avro C's generic values
    // would also lose map keys after an embedded NUL.)
    QByteArray text;
    text.reserve(body.size() * 2 + 16);
    text += '[';
    if (auto rendered = appendJson(body, text, visitor, options); !rendered) {
        return rendered.error();
    }
    text += ']';
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isArray()) {
        return kw::makeError(kMalformed, QStringLiteral("The record's JSON rendering could not "
                                                        "be read back: %1.")
                                             .arg(parseError.errorString()));
    }
    return doc.array().first();
}

kw::Result<void> AvroSchema::appendJson(QByteArrayView body, QByteArray &out,
                                        const LeafVisitor &visitor, WalkOptions options,
                                        const QByteArray *mask) const
{
    if (!m_d) {
        return nullSchemaError();
    }
    AvroJsonRequest request;
    request.model = &m_d->model;
    request.visitor = &visitor;
    request.options = options;
    request.mask = mask;
    return renderAvroJson(request, body, out);
}

kw::Result<QByteArray> AvroSchema::fromJson(const QJsonValue &value) const
{
    if (!m_d) {
        return nullSchemaError();
    }
    ValueHolder holder(m_d->iface);
    if (!holder.ok()) {
        return kw::makeError(
            kMalformed,
            QStringLiteral("Avro C could not create a value: %1.").arg(avroLastError()));
    }
    auto filled = fillAvroValue(m_d->model, value, holder.value());
    if (!filled) {
        return filled.error();
    }
    return writeBody(holder.value());
}

} // namespace kw::serde
