#include "core/serde/protobufschema.h"

#include "core/serde/wildcard.h"

#include <QHash>
#include <QJsonDocument>

#include <functional>
#include <google/protobuf/compiler/parser.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/json_util.h>
#include <mutex>

namespace kw::serde {

namespace pb = google::protobuf;

QStringList schemaTexts(const QList<NamedSchema> &schemas)
{
    QStringList texts;
    texts.reserve(schemas.size());
    for (const NamedSchema &s : schemas)
        texts.append(s.text);
    return texts;
}

namespace {

// The file name the schema itself gets in its pool; no import can name it.
const std::string kMainFile = "<schema>";

// Confluent's built-in imports, as its clients provide them without a reference. Written from
// the published definitions: field numbers, names and types are what goes on the wire.
constexpr const char kConfluentMeta[] = R"(syntax = "proto3";
package confluent;
import "google/protobuf/descriptor.proto";
option go_package = "../confluent";
message Meta {
  string doc = 1;
  map<string, string> params = 2;
  repeated string tags = 3;
}
extend google.protobuf.FileOptions { Meta file_meta = 1088; }
extend google.protobuf.MessageOptions { Meta message_meta = 1088; }
extend google.protobuf.FieldOptions { Meta field_meta = 1088; }
extend google.protobuf.EnumOptions { Meta enum_meta = 1088; }
extend google.protobuf.EnumValueOptions { Meta enum_value_meta = 1088; }
)";

constexpr const char kConfluentDecimal[] = R"(syntax = "proto3";
package confluent.type;
option go_package = "../types";
message Decimal {
  bytes value = 1;
  uint32 precision = 2;
  int32 scale = 3;
}
)";

constexpr int kFieldMetaNumber = 1088;
constexpr int kMetaTagsNumber = 3;

QString qs(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

Error schemaError(const QString &message)
{
    return makeError(QStringLiteral("serde.bad_schema"), message);
}

// libprotobuf logs some decoding problems (a proto3 string that is not UTF-8) to stderr; the
// engine reports every problem itself, per record.
void silenceProtobufLog()
{
    static std::once_flag once;
    std::call_once(once, [] { pb::SetLogHandler(nullptr); });
}

class TextErrors : public pb::io::ErrorCollector
{
public:
    void AddError(int line, pb::io::ColumnNumber column, const std::string &message) override
    {
        if (first.isEmpty())
            first = QStringLiteral("line %1, column %2: %3")
                        .arg(line + 1)
                        .arg(column + 1)
                        .arg(qs(message));
    }
    QString first;
};

class PoolErrors : public pb::DescriptorPool::ErrorCollector
{
public:
    void AddError(const std::string &filename, const std::string &elementName, const pb::Message *,
                  ErrorLocation, const std::string &message) override
    {
        if (!first.isEmpty())
            return;
        const QString where = filename == kMainFile ? QStringLiteral("the schema")
                                                    : QStringLiteral("'%1'").arg(qs(filename));
        first = elementName.empty() || elementName == filename
                    ? QStringLiteral("%1: %2").arg(where, qs(message))
                    : QStringLiteral("%1, %2: %3").arg(where, qs(elementName), qs(message));
    }
    QString first;
};

// A schema text in either form the registry may hold, as a FileDescriptorProto named `name`.
Result<pb::FileDescriptorProto> fileProto(const QString &text, const std::string &name,
                                          const QString &what)
{
    pb::FileDescriptorProto file;
    const QByteArray trimmed = text.trimmed().toUtf8();
    auto decoded = QByteArray::fromBase64Encoding(trimmed, QByteArray::AbortOnBase64DecodingErrors);
    if (decoded && !trimmed.isEmpty() &&
        file.ParseFromArray(decoded.decoded.constData(), int(decoded.decoded.size()))) {
        file.set_name(name);
        return file;
    }
    file.Clear();
    pb::io::ArrayInputStream input(trimmed.constData(), int(trimmed.size()));
    TextErrors errors;
    pb::io::Tokenizer tokenizer(&input, &errors);
    pb::compiler::Parser parser;
    parser.RecordErrorsTo(&errors);
    if (!parser.Parse(&tokenizer, &file) || !errors.first.isEmpty())
        return schemaError(
            QStringLiteral("%1 is not valid Protobuf: %2")
                .arg(what, errors.first.isEmpty() ? QStringLiteral("parse error") : errors.first));
    file.set_name(name);
    return file;
}

bool builtin(const std::string &name)
{
    return name.rfind("confluent/", 0) == 0 || name.rfind("google/protobuf/", 0) == 0;
}

// The messages declared inside `message`, as Confluent's clients number them for message
// indexes: without the entry types libprotobuf makes for map fields.
QList<const pb::Descriptor *> declaredNested(const pb::Descriptor *message)
{
    QList<const pb::Descriptor *> out;
    for (int i = 0; i < message->nested_type_count(); ++i)
        if (!message->nested_type(i)->options().map_entry())
            out.append(message->nested_type(i));
    return out;
}

struct FieldInfo
{
    QString fullName;
    QStringList tags;
    LeafKind kind = LeafKind::Other;
};

} // namespace

struct ProtobufSchema::Data
{
    pb::SimpleDescriptorDatabase files; // the schema, its references and Confluent's files
    pb::DescriptorPoolDatabase generated{*pb::DescriptorPool::generated_pool()};
    pb::MergedDescriptorDatabase merged{&files, &generated};
    std::unique_ptr<pb::DescriptorPool> pool;
    const pb::FileDescriptor *file = nullptr;
    std::unique_ptr<pb::DynamicMessageFactory> factory;
    QHash<const pb::FieldDescriptor *, FieldInfo> fields; // every field of every message used

    Result<const pb::Descriptor *> messageAt(const QList<qint32> &indexes) const;
    void collectFields(const pb::Descriptor *message, const MetadataTags &metadataTags,
                       QSet<const pb::Descriptor *> &seen);
    QStringList inlineTags(const pb::FieldDescriptor *fd) const;
};

QStringList ProtobufSchema::Data::inlineTags(const pb::FieldDescriptor *fd) const
{
    // (confluent.field_meta) is not known to the generated FieldOptions type, so its value is
    // kept among the options' unknown fields; decode it as this pool's confluent.Meta.
    const pb::Descriptor *meta = pool->FindMessageTypeByName("confluent.Meta");
    if (!meta)
        return {};
    const pb::FieldDescriptor *tagsField = meta->FindFieldByNumber(kMetaTagsNumber);
    QStringList tags;
    const pb::UnknownFieldSet &unknown = fd->options().unknown_fields();
    for (int i = 0; i < unknown.field_count(); ++i) {
        const pb::UnknownField &f = unknown.field(i);
        if (f.number() != kFieldMetaNumber || f.type() != pb::UnknownField::TYPE_LENGTH_DELIMITED)
            continue;
        std::unique_ptr<pb::Message> value(factory->GetPrototype(meta)->New());
        if (!value->ParseFromString(f.length_delimited()) || !tagsField)
            continue;
        const pb::Reflection *r = value->GetReflection();
        for (int t = 0; t < r->FieldSize(*value, tagsField); ++t) {
            const QString tag = qs(r->GetRepeatedString(*value, tagsField, t));
            if (!tags.contains(tag))
                tags.append(tag);
        }
    }
    return tags;
}

void ProtobufSchema::Data::collectFields(const pb::Descriptor *message,
                                         const MetadataTags &metadataTags,
                                         QSet<const pb::Descriptor *> &seen)
{
    if (seen.contains(message))
        return;
    seen.insert(message);
    for (int i = 0; i < message->field_count(); ++i) {
        const pb::FieldDescriptor *fd = message->field(i);
        FieldInfo f;
        f.fullName = qs(fd->full_name());
        f.tags = inlineTags(fd);
        for (const QString &tag : tagsForPath(metadataTags, f.fullName))
            if (!f.tags.contains(tag))
                f.tags.append(tag);
        f.kind = fd->type() == pb::FieldDescriptor::TYPE_STRING  ? LeafKind::String
                 : fd->type() == pb::FieldDescriptor::TYPE_BYTES ? LeafKind::Bytes
                                                                 : LeafKind::Other;
        fields.insert(fd, f);
        if (fd->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE)
            collectFields(fd->message_type(), metadataTags, seen);
    }
    for (int i = 0; i < message->nested_type_count(); ++i)
        collectFields(message->nested_type(i), metadataTags, seen);
}

Result<const pb::Descriptor *> ProtobufSchema::Data::messageAt(const QList<qint32> &indexes) const
{
    const auto outOfRange = [](const QList<qint32> &all, qint32 index, int count,
                               const QString &where) {
        QStringList shown;
        for (qint32 i : all)
            shown.append(QString::number(i));
        return makeError(QStringLiteral("serde.unknown_message"),
                         QStringLiteral("The record's message indexes [%1] name no message: index "
                                        "%2 is out of range, %3 has %4 message(s).")
                             .arg(shown.join(QStringLiteral(", ")))
                             .arg(index)
                             .arg(where)
                             .arg(count));
    };
    if (indexes.isEmpty())
        return makeError(QStringLiteral("serde.unknown_message"),
                         QStringLiteral("The record's message indexes are empty."));
    const qint32 first = indexes.first();
    if (first < 0 || first >= file->message_type_count())
        return outOfRange(indexes, first, file->message_type_count(), QStringLiteral("the schema"));
    const pb::Descriptor *d = file->message_type(first);
    for (qsizetype i = 1; i < indexes.size(); ++i) {
        const qint32 index = indexes.at(i);
        const QList<const pb::Descriptor *> nested = declaredNested(d);
        if (index < 0 || index >= nested.size())
            return outOfRange(indexes, index, int(nested.size()),
                              QStringLiteral("message %1").arg(qs(d->full_name())));
        d = nested.at(index);
    }
    return d;
}

ProtobufSchema::ProtobufSchema() = default;
ProtobufSchema::~ProtobufSchema() = default;
ProtobufSchema::ProtobufSchema(const ProtobufSchema &) = default;
ProtobufSchema &ProtobufSchema::operator=(const ProtobufSchema &) = default;
ProtobufSchema::ProtobufSchema(ProtobufSchema &&) noexcept = default;
ProtobufSchema &ProtobufSchema::operator=(ProtobufSchema &&) noexcept = default;

Result<ProtobufSchema> ProtobufSchema::parse(const QString &text,
                                             const QList<NamedSchema> &references,
                                             const MetadataTags &metadataTags)
{
    silenceProtobufLog();
    auto d = std::make_shared<Data>();

    const auto add = [&d](const Result<pb::FileDescriptorProto> &file) -> Result<void> {
        if (!file)
            return file.error();
        pb::FileDescriptorProto existing;
        if (d->files.FindFileByName(file->name(), &existing))
            return {};
        if (!d->files.Add(*file))
            return schemaError(
                QStringLiteral("The file '%1' cannot be added twice.").arg(qs(file->name())));
        return {};
    };
    QSet<QString> referenced;
    for (const NamedSchema &r : references) {
        const std::string name = r.name.toStdString();
        if (builtin(name) || referenced.contains(r.name))
            continue; // Confluent's clients always use their own copy of a built-in file
        referenced.insert(r.name);
        if (auto added =
                add(fileProto(r.text, name, QStringLiteral("Referenced file '%1'").arg(r.name)));
            !added)
            return added.error();
    }
    if (auto added = add(fileProto(QString::fromUtf8(kConfluentMeta), "confluent/meta.proto", {}));
        !added)
        return added.error();
    if (auto added = add(
            fileProto(QString::fromUtf8(kConfluentDecimal), "confluent/type/decimal.proto", {}));
        !added)
        return added.error();

    auto main = fileProto(text, kMainFile, QStringLiteral("The schema"));
    if (!main)
        return main.error();
    for (const std::string &dependency : main->dependency()) {
        const QString name = qs(dependency);
        if (!builtin(dependency) && !referenced.contains(name))
            return schemaError(QStringLiteral("The schema imports '%1', but has no reference of "
                                              "that name to resolve it.")
                                   .arg(name));
        pb::FileDescriptorProto found;
        if (builtin(dependency) && !d->merged.FindFileByName(dependency, &found))
            return schemaError(QStringLiteral("The schema imports '%1', which is not a file "
                                              "Keywarden provides.")
                                   .arg(name));
    }
    if (!d->files.Add(*main))
        return schemaError(QStringLiteral("The schema cannot be read as a file."));

    PoolErrors errors;
    d->pool = std::make_unique<pb::DescriptorPool>(&d->merged, &errors);
    d->file = d->pool->FindFileByName(kMainFile);
    if (!d->file)
        return schemaError(
            QStringLiteral("The schema does not resolve: %1")
                .arg(errors.first.isEmpty() ? QStringLiteral("unknown error") : errors.first));
    if (d->file->message_type_count() == 0)
        return schemaError(QStringLiteral("The schema declares no message."));
    d->factory = std::make_unique<pb::DynamicMessageFactory>(d->pool.get());
    d->factory->SetDelegateToGeneratedFactory(false);
    QSet<const pb::Descriptor *> seen;
    for (int i = 0; i < d->file->message_type_count(); ++i)
        d->collectFields(d->file->message_type(i), metadataTags, seen);

    ProtobufSchema schema;
    schema.m_d = std::move(d);
    return schema;
}

QStringList ProtobufSchema::messageNames() const
{
    QStringList names;
    if (!m_d)
        return names;
    for (int i = 0; i < m_d->file->message_type_count(); ++i)
        names.append(qs(m_d->file->message_type(i)->full_name()));
    return names;
}

Result<QList<qint32>> ProtobufSchema::messageIndexesOf(const QString &fullName) const
{
    const pb::Descriptor *d =
        m_d ? m_d->pool->FindMessageTypeByName(fullName.toStdString()) : nullptr;
    if (!d || d->file() != m_d->file || d->options().map_entry())
        return makeError(QStringLiteral("serde.unknown_message"),
                         QStringLiteral("The schema declares no message '%1'.").arg(fullName));
    QList<qint32> indexes;
    for (; d; d = d->containing_type())
        indexes.prepend(d->containing_type()
                            ? qint32(declaredNested(d->containing_type()).indexOf(d))
                            : qint32(d->index()));
    return indexes;
}

Result<QString> ProtobufSchema::messageNameAt(const QList<qint32> &indexes) const
{
    if (!m_d)
        return schemaError(QStringLiteral("No Protobuf schema."));
    auto d = m_d->messageAt(indexes);
    if (!d)
        return d.error();
    return qs((*d)->full_name());
}

namespace {

// Visits the leaves of `message` the way Confluent's clients do: every field in declaration
// order, nested and repeated messages and map entries (messages of their own) recursively,
// the member of a oneof only when it is set, a field with explicit presence only when present,
// and a field with implicit presence always (its default value included, as the clients
// encrypt an empty string too).
struct Walker
{
    const QHash<const pb::FieldDescriptor *, FieldInfo> &fields;
    const LeafVisitor &visitor;
    const WalkOptions &options;
    bool replaced = false;
    QString notText = {}; // the first string field given bytes that are not UTF-8

    // Protobuf's JSON printer would drop such a value silently; say so instead.
    void checkText(const FieldInfo &info, const QString &path, const QByteArray &replacement)
    {
        if (info.kind == LeafKind::String && notText.isEmpty() &&
            !QByteArrayView(replacement).isValidUtf8())
            notText = path;
    }

    std::optional<QByteArray> visit(const FieldInfo &info, const QString &path,
                                    const QByteArray &value)
    {
        FieldVisit v;
        v.path = path;
        v.fullName = info.fullName;
        v.tags = info.tags;
        v.kind = info.kind;
        return visitor(v, value);
    }

    void walk(pb::Message &message, const QString &prefix)
    {
        const pb::Descriptor *d = message.GetDescriptor();
        const pb::Reflection *r = message.GetReflection();
        for (int i = 0; i < d->field_count(); ++i) {
            const pb::FieldDescriptor *fd = d->field(i);
            static const FieldInfo none;
            const auto found = fields.constFind(fd);
            const FieldInfo &info = found == fields.cend() ? none : *found;
            const QString path =
                prefix.isEmpty() ? qs(fd->name()) : prefix + QLatin1Char('.') + qs(fd->name());
            const bool nested = fd->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE;
            const bool visited =
                !info.tags.isEmpty() || (options.visitAllLeaves && info.kind != LeafKind::Other);
            if (fd->is_repeated()) {
                const int n = r->FieldSize(message, fd);
                for (int k = 0; k < n; ++k) {
                    if (nested) {
                        walk(*r->MutableRepeatedMessage(&message, fd, k), path);
                    } else if (visited) {
                        if (info.kind == LeafKind::Other) {
                            visit(info, path, {});
                            continue;
                        }
                        std::string scratch;
                        const std::string &value =
                            r->GetRepeatedStringReference(message, fd, k, &scratch);
                        auto replacement =
                            visit(info, path,
                                  QByteArray::fromRawData(value.data(), qsizetype(value.size())));
                        if (replacement) {
                            checkText(info, path, *replacement);
                            r->SetRepeatedString(&message, fd, k, replacement->toStdString());
                            replaced = true;
                        }
                    }
                }
                continue;
            }
            if (fd->has_presence() && !r->HasField(message, fd))
                continue;
            if (nested) {
                walk(*r->MutableMessage(&message, fd), path);
                continue;
            }
            if (!visited)
                continue;
            if (info.kind == LeafKind::Other) {
                visit(info, path, {});
                continue;
            }
            std::string scratch;
            const std::string &value = r->GetStringReference(message, fd, &scratch);
            auto replacement =
                visit(info, path, QByteArray::fromRawData(value.data(), qsizetype(value.size())));
            if (replacement) {
                checkText(info, path, *replacement);
                r->SetString(&message, fd, replacement->toStdString());
                replaced = true;
            }
        }
    }
};

Result<QByteArray> jsonOf(const pb::Message &message)
{
    std::string out;
    pb::util::JsonPrintOptions options;
    const auto status = pb::util::MessageToJsonString(message, &out, options);
    if (!status.ok())
        return makeError(
            QStringLiteral("serde.bad_value"),
            QStringLiteral("The %1 message has no JSON form: %2")
                .arg(qs(message.GetDescriptor()->full_name()), qs(std::string(status.message()))));
    return QByteArray(out.data(), qsizetype(out.size()));
}

} // namespace

Result<ProtobufSchema::Decoded> ProtobufSchema::decode(const QList<qint32> &indexes,
                                                       QByteArrayView body,
                                                       const LeafVisitor &visitor,
                                                       const WalkOptions &options, bool render,
                                                       bool stored) const
{
    if (!m_d)
        return schemaError(QStringLiteral("No Protobuf schema."));
    auto descriptor = m_d->messageAt(indexes);
    if (!descriptor)
        return descriptor.error();
    const pb::Message *prototype = m_d->factory->GetPrototype(*descriptor);
    std::unique_ptr<pb::Message> message(prototype->New());
    const QString type = qs((*descriptor)->full_name());
    if (!message->ParsePartialFromArray(body.data(), int(body.size())))
        return makeError(QStringLiteral("serde.bad_record"),
                         QStringLiteral("The record body (%1 bytes) is not a valid %2 message: it "
                                        "is truncated or malformed.")
                             .arg(body.size())
                             .arg(type));
    if (!message->IsInitialized())
        return makeError(QStringLiteral("serde.bad_record"),
                         QStringLiteral("The record body is not a complete %1 message: required "
                                        "fields are missing (%2).")
                             .arg(type, qs(message->InitializationErrorString())));

    std::unique_ptr<pb::Message> original;
    if (render && stored) {
        original.reset(prototype->New());
        original->CopyFrom(*message);
    }
    Walker walker{m_d->fields, visitor, options};
    walker.walk(*message, {});

    Decoded out;
    out.replaced = walker.replaced;
    if (!render)
        return out;
    if (!walker.notText.isEmpty())
        return makeError(QStringLiteral("serde.bad_value"),
                         QStringLiteral("String field '%1' of %2 would hold bytes that are not "
                                        "UTF-8 text, which no Protobuf string can.")
                             .arg(walker.notText, type));
    auto json = jsonOf(*message);
    if (!json)
        return json.error();
    out.json = std::move(*json);
    if (original && walker.replaced) {
        auto storedJson = jsonOf(*original);
        if (!storedJson)
            return storedJson.error();
        out.storedJson = std::move(*storedJson);
    }
    return out;
}

Result<ProtobufSchema::Encoded> ProtobufSchema::encode(const QJsonValue &value,
                                                       const QString &messageType,
                                                       const LeafVisitor &visitor,
                                                       const WalkOptions &options) const
{
    if (!m_d)
        return schemaError(QStringLiteral("No Protobuf schema."));
    Encoded out;
    if (messageType.isEmpty()) {
        out.messageIndexes = {0};
    } else {
        auto indexes = messageIndexesOf(messageType);
        if (!indexes)
            return indexes.error();
        out.messageIndexes = *indexes;
    }
    auto descriptor = m_d->messageAt(out.messageIndexes);
    if (!descriptor)
        return descriptor.error();
    if (!value.isObject())
        return makeError(QStringLiteral("serde.bad_value"),
                         QStringLiteral("A %1 message is written from a JSON object.")
                             .arg(qs((*descriptor)->full_name())));
    std::unique_ptr<pb::Message> message(m_d->factory->GetPrototype(*descriptor)->New());
    const QByteArray json = QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    pb::util::JsonParseOptions parseOptions;
    const auto status = pb::util::JsonStringToMessage(
        pb::StringPiece(json.constData(), size_t(json.size())), message.get(), parseOptions);
    if (!status.ok())
        return makeError(
            QStringLiteral("serde.bad_value"),
            QStringLiteral("The value is not a %1 message: %2")
                .arg(qs((*descriptor)->full_name()), qs(std::string(status.message()))));
    Walker walker{m_d->fields, visitor, options};
    walker.walk(*message, {});
    if (!walker.notText.isEmpty())
        return makeError(QStringLiteral("serde.bad_value"),
                         QStringLiteral("String field '%1' of %2 would hold bytes that are not "
                                        "UTF-8 text, which no Protobuf string can.")
                             .arg(walker.notText, qs((*descriptor)->full_name())));
    std::string bytes;
    if (!message->SerializeToString(&bytes))
        return makeError(
            QStringLiteral("serde.bad_value"),
            QStringLiteral("The %1 message cannot be serialized: %2")
                .arg(qs((*descriptor)->full_name()), qs(message->InitializationErrorString())));
    out.body = QByteArray(bytes.data(), qsizetype(bytes.size()));
    return out;
}

QList<FieldVisit> ProtobufSchema::taggedFields() const
{
    QList<FieldVisit> out;
    if (!m_d)
        return out;
    QList<const pb::Descriptor *> open; // the messages on the current path
    std::function<void(const pb::Descriptor *, const QString &)> walk =
        [&](const pb::Descriptor *message, const QString &prefix) {
            if (open.contains(message))
                return;
            open.append(message);
            for (int i = 0; i < message->field_count(); ++i) {
                const pb::FieldDescriptor *fd = message->field(i);
                const QString path =
                    prefix.isEmpty() ? qs(fd->name()) : prefix + QLatin1Char('.') + qs(fd->name());
                if (fd->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
                    walk(fd->message_type(), path);
                    continue;
                }
                const auto found = m_d->fields.constFind(fd);
                if (found == m_d->fields.cend() || found->tags.isEmpty())
                    continue;
                FieldVisit v;
                v.path = path;
                v.fullName = found->fullName;
                v.tags = found->tags;
                v.kind = found->kind;
                out.append(v);
            }
            open.removeLast();
        };
    for (int i = 0; i < m_d->file->message_type_count(); ++i) {
        const pb::Descriptor *message = m_d->file->message_type(i);
        // Several top-level messages: each field's path names its message.
        walk(message, m_d->file->message_type_count() > 1 ? qs(message->name()) : QString());
    }
    return out;
}

QByteArray ProtobufSchema::serializedDescriptor() const
{
    if (!m_d)
        return {};
    pb::FileDescriptorProto file;
    m_d->file->CopyTo(&file);
    file.set_name("schema.proto");
    const std::string bytes = file.SerializeAsString();
    return QByteArray(bytes.data(), qsizetype(bytes.size())).toBase64();
}

} // namespace kw::serde
