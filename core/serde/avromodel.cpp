#include "core/serde/avromodel.h"

#include "core/serde/jsontext.h"
#include "core/serde/wildcard.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSet>

namespace kw::serde::detail {

namespace {

const QString kBadSchema = QStringLiteral("serde.bad_schema");

kw::Error schemaError(const QString &detail)
{
    return kw::makeError(kBadSchema,
                         QStringLiteral("The Avro schema is not valid: %1.").arg(detail));
}

std::optional<AvroKind> primitiveKind(const QString &name)
{
    static const QHash<QString, AvroKind> kinds = {
        {QStringLiteral("null"), AvroKind::Null},   {QStringLiteral("boolean"), AvroKind::Boolean},
        {QStringLiteral("int"), AvroKind::Int},     {QStringLiteral("long"), AvroKind::Long},
        {QStringLiteral("float"), AvroKind::Float}, {QStringLiteral("double"), AvroKind::Double},
        {QStringLiteral("bytes"), AvroKind::Bytes}, {QStringLiteral("string"), AvroKind::String},
    };
    const auto it = kinds.constFind(name);
    if (it == kinds.cend()) {
        return std::nullopt;
    }
    return *it;
}

bool isComplexKeyword(const QString &type)
{
    return type == QLatin1String("record") || type == QLatin1String("error") ||
           type == QLatin1String("enum") || type == QLatin1String("fixed") ||
           type == QLatin1String("array") || type == QLatin1String("map");
}

// The full names a type reference may stand for, in lookup order: a dotted name is already
// full; a simple name is looked up in the enclosing namespace, then without namespace.
QStringList candidateNames(const QString &name, const QString &enclosingNamespace)
{
    if (name.contains(u'.') || enclosingNamespace.isEmpty()) {
        return {name};
    }
    return {enclosingNamespace + u'.' + name, name};
}

struct DefinedName
{
    QString fullName;
    QString space; // namespace that nested definitions inherit
};

std::optional<DefinedName> definedName(const QJsonObject &o, const QString &enclosingNamespace)
{
    const QString name = o.value(QLatin1String("name")).toString();
    if (name.isEmpty()) {
        return std::nullopt;
    }
    if (name.contains(u'.')) {
        return DefinedName{name, name.left(name.lastIndexOf(u'.'))};
    }
    const QJsonValue nsValue = o.value(QLatin1String("namespace"));
    const QString space = nsValue.isString() ? nsValue.toString() : enclosingNamespace;
    return DefinedName{space.isEmpty() ? name : space + u'.' + name, space};
}

class Inliner
{
public:
    QHash<QString, QJsonValue> m_pending; // full name -> definition not used yet
    QSet<QString> m_defined;

    kw::Result<QJsonValue> walk(const QJsonValue &v, const QString &space, int depth)
    {
        if (depth > kAvroMaxDepth) {
            return schemaError(QStringLiteral("it is nested too deeply"));
        }
        if (v.isString()) {
            return resolveName(v, space, depth);
        }
        if (v.isArray()) {
            QJsonArray out;
            for (const QJsonValue &branch : v.toArray()) {
                auto r = walk(branch, space, depth + 1);
                if (!r) {
                    return r.error();
                }
                out.append(*r);
            }
            return QJsonValue(out);
        }
        if (!v.isObject()) {
            return v;
        }
        QJsonObject o = v.toObject();
        const QString type = o.value(QLatin1String("type")).toString();
        if (type == QLatin1String("record") || type == QLatin1String("error")) {
            const auto name = definedName(o, space);
            if (!name) {
                return v;
            }
            m_defined.insert(name->fullName);
            QJsonArray fields;
            for (const QJsonValue &fv : o.value(QLatin1String("fields")).toArray()) {
                QJsonObject field = fv.toObject();
                auto r = walk(field.value(QLatin1String("type")), name->space, depth + 1);
                if (!r) {
                    return r.error();
                }
                field.insert(QLatin1String("type"), *r);
                fields.append(field);
            }
            o.insert(QLatin1String("fields"), fields);
            return QJsonValue(o);
        }
        if (type == QLatin1String("enum") || type == QLatin1String("fixed")) {
            if (const auto name = definedName(o, space)) {
                m_defined.insert(name->fullName);
            }
            return v;
        }
        if (type == QLatin1String("array") || type == QLatin1String("map")) {
            const QLatin1String key(type == QLatin1String("array") ? "items" : "values");
            auto r = walk(o.value(key), space, depth + 1);
            if (!r) {
                return r.error();
            }
            o.insert(key, *r);
            return QJsonValue(o);
        }
        if (type.isEmpty() || primitiveKind(type)) {
            return v;
        }
        // {"type": "some.Name"}: a reference in object form.
        auto r = walk(o.value(QLatin1String("type")), space, depth + 1);
        if (!r) {
            return r.error();
        }
        return r->isObject() ? *r : v;
    }

private:
    kw::Result<QJsonValue> resolveName(const QJsonValue &v, const QString &space, int depth)
    {
        const QString name = v.toString();
        if (primitiveKind(name)) {
            return v;
        }
        const QStringList candidates = candidateNames(name, space);
        for (const QString &c : candidates) {
            if (m_defined.contains(c)) {
                return v;
            }
        }
        for (const QString &c : candidates) {
            const auto it = m_pending.constFind(c);
            if (it != m_pending.cend()) {
                const QJsonValue definition = *it;
                m_pending.erase(it);
                return walk(definition, QString(), depth + 1);
            }
        }
        return v; // unknown: Avro C reports it
    }
};

class ModelBuilder
{
public:
    explicit ModelBuilder(const MetadataTags &metadataTags)
        : m_metadataTags(metadataTags)
    {}

    AvroModel m_model;

    kw::Result<int> parse(const QJsonValue &v, const QString &space, int depth)
    {
        if (depth > kAvroMaxDepth) {
            return schemaError(QStringLiteral("it is nested too deeply"));
        }
        if (v.isString()) {
            return parseName(v.toString(), space);
        }
        if (v.isArray()) {
            AvroNode node;
            node.kind = AvroKind::Union;
            for (const QJsonValue &branch : v.toArray()) {
                auto r = parse(branch, space, depth + 1);
                if (!r) {
                    return r.error();
                }
                node.branches.append(*r);
            }
            return add(std::move(node));
        }
        if (!v.isObject()) {
            return schemaError(QStringLiteral("a type must be a name, an object or a union"));
        }
        const QJsonObject o = v.toObject();
        const QJsonValue typeValue = o.value(QLatin1String("type"));
        if (!typeValue.isString()) {
            return schemaError(QStringLiteral("the \"type\" attribute must be a string"));
        }
        const QString type = typeValue.toString();
        if (!isComplexKeyword(type)) {
            return parseName(type, space);
        }
        if (type == QLatin1String("array") || type == QLatin1String("map")) {
            const bool isArray = type == QLatin1String("array");
            const QJsonValue inner = o.value(QLatin1String(isArray ? "items" : "values"));
            if (inner.isUndefined()) {
                return schemaError(QStringLiteral("an %1 without its element type").arg(type));
            }
            auto r = parse(inner, space, depth + 1);
            if (!r) {
                return r.error();
            }
            AvroNode node;
            node.kind = isArray ? AvroKind::Array : AvroKind::Map;
            node.child = *r;
            return add(std::move(node));
        }
        const auto name = definedName(o, space);
        if (!name) {
            return schemaError(QStringLiteral("a %1 without a name").arg(type));
        }
        if (m_named.contains(name->fullName)) {
            return schemaError(QStringLiteral("the type %1 is defined twice").arg(name->fullName));
        }
        AvroNode node;
        node.fullName = name->fullName;
        if (type == QLatin1String("enum")) {
            node.kind = AvroKind::Enum;
            for (const QJsonValue &s : o.value(QLatin1String("symbols")).toArray()) {
                node.symbols.append(s.toString());
                QByteArray json;
                appendJsonString(json, node.symbols.constLast());
                node.symbolsJson.append(json);
            }
            return addNamed(std::move(node));
        }
        if (type == QLatin1String("fixed")) {
            node.kind = AvroKind::Fixed;
            const QJsonValue size = o.value(QLatin1String("size"));
            node.fixedSize = size.toInteger(-1);
            if (node.fixedSize < 0 || node.fixedSize > (1 << 24)) {
                return schemaError(
                    QStringLiteral("the fixed %1 has no valid size").arg(node.fullName));
            }
            return addNamed(std::move(node));
        }
        node.kind = AvroKind::Record;
        const int index = addNamed(std::move(node)); // before the fields: they may refer to it
        const QJsonValue fields = o.value(QLatin1String("fields"));
        if (!fields.isArray()) {
            return schemaError(
                QStringLiteral("the record %1 has no fields array").arg(name->fullName));
        }
        for (const QJsonValue &fv : fields.toArray()) {
            auto field = parseField(fv.toObject(), *name, depth);
            if (!field) {
                return field.error();
            }
            m_model.nodes[index].fields.append(std::move(*field));
        }
        return index;
    }

private:
    const MetadataTags &m_metadataTags;
    QHash<QString, int> m_named;

    int add(AvroNode node)
    {
        m_model.nodes.append(std::move(node));
        return static_cast<int>(m_model.nodes.size() - 1);
    }

    int addNamed(AvroNode node)
    {
        const QString fullName = node.fullName;
        const int index = add(std::move(node));
        m_named.insert(fullName, index);
        return index;
    }

    kw::Result<int> parseName(const QString &name, const QString &space)
    {
        if (const auto kind = primitiveKind(name)) {
            AvroNode node;
            node.kind = *kind;
            return add(std::move(node));
        }
        for (const QString &c : candidateNames(name, space)) {
            const auto it = m_named.constFind(c);
            if (it != m_named.cend()) {
                return *it;
            }
        }
        return schemaError(
            QStringLiteral("the type %1 is not defined (is a reference missing?)").arg(name));
    }

    kw::Result<AvroField> parseField(const QJsonObject &o, const DefinedName &record, int depth)
    {
        AvroField field;
        field.name = o.value(QLatin1String("name")).toString();
        if (field.name.isEmpty()) {
            return schemaError(QStringLiteral("a field of %1 has no name").arg(record.fullName));
        }
        auto type = parse(o.value(QLatin1String("type")), record.space, depth + 1);
        if (!type) {
            return type.error();
        }
        field.type = *type;
        for (const QJsonValue &tag : o.value(QLatin1String("confluent:tags")).toArray()) {
            if (tag.isString() && !field.tags.contains(tag.toString())) {
                field.tags.append(tag.toString());
            }
        }
        field.fullName = record.fullName + u'.' + field.name;
        appendJsonString(field.jsonKey, field.name);
        field.jsonKey += ':';
        for (const QString &tag : tagsForPath(m_metadataTags, field.fullName)) {
            if (!field.tags.contains(tag)) {
                field.tags.append(tag);
            }
        }
        field.hasDefault = o.contains(QLatin1String("default"));
        field.defaultValue = o.value(QLatin1String("default"));
        for (const LeafKind kind : {LeafKind::String, LeafKind::Bytes, LeafKind::Other}) {
            field.topLevelVisits[std::size_t(kind)] =
                FieldVisit{field.name, field.fullName, field.tags, kind};
        }
        return field;
    }
};

kw::Result<QJsonValue> parseReference(const QString &text, int index)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &pe);
    if (pe.error != QJsonParseError::NoError) {
        return kw::makeError(kBadSchema,
                             QStringLiteral("Referenced schema %1 is not valid JSON: %2.")
                                 .arg(index + 1)
                                 .arg(pe.errorString()));
    }
    return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
}

} // namespace

kw::Result<QJsonValue> inlineAvroReferences(const QJsonValue &schema, const QStringList &references)
{
    Inliner inliner;
    for (int i = 0; i < references.size(); ++i) {
        auto ref = parseReference(references.at(i), i);
        if (!ref) {
            return ref.error();
        }
        if (!ref->isObject()) {
            continue; // only named types can be referred to
        }
        QJsonObject o = ref->toObject();
        const auto name = definedName(o, QString());
        if (!name) {
            continue;
        }
        // Pin the namespace: once inlined, the definition must not inherit its new parent's.
        if (!o.contains(QLatin1String("namespace"))) {
            o.insert(QLatin1String("namespace"), name->space);
        }
        inliner.m_pending.insert(name->fullName, o);
    }
    if (inliner.m_pending.isEmpty()) {
        return schema;
    }
    return inliner.walk(schema, QString(), 0);
}

kw::Result<AvroModel> buildAvroModel(const QJsonValue &schema, const MetadataTags &metadataTags)
{
    ModelBuilder builder(metadataTags);
    auto root = builder.parse(schema, QString(), 0);
    if (!root) {
        return root.error();
    }
    builder.m_model.root = *root;
    return std::move(builder.m_model);
}

QString LeafCtx::path() const
{
    if (!field)
        return {};
    if (!parent || !parent->field)
        return field->name;
    return parent->path() + u'.' + field->name;
}

const QStringList &LeafCtx::tags() const
{
    static const QStringList none;
    return field ? field->tags : none;
}

LeafKind avroLeafKind(const AvroModel &model, int node)
{
    QSet<int> seen;
    QList<int> todo{node};
    while (!todo.isEmpty()) {
        const int n = todo.takeFirst();
        if (n < 0 || n >= model.nodes.size() || seen.contains(n)) {
            continue;
        }
        seen.insert(n);
        const AvroNode &an = model.nodes.at(n);
        switch (an.kind) {
        case AvroKind::String:
            return LeafKind::String;
        case AvroKind::Bytes:
            return LeafKind::Bytes;
        case AvroKind::Union:
            todo.append(an.branches);
            break;
        case AvroKind::Array:
        case AvroKind::Map:
            todo.append(an.child);
            break;
        default:
            break;
        }
    }
    return LeafKind::Other;
}

QString avroTypeName(AvroKind kind)
{
    switch (kind) {
    case AvroKind::Null:
        return QStringLiteral("null");
    case AvroKind::Boolean:
        return QStringLiteral("boolean");
    case AvroKind::Int:
        return QStringLiteral("int");
    case AvroKind::Long:
        return QStringLiteral("long");
    case AvroKind::Float:
        return QStringLiteral("float");
    case AvroKind::Double:
        return QStringLiteral("double");
    case AvroKind::Bytes:
        return QStringLiteral("bytes");
    case AvroKind::String:
        return QStringLiteral("string");
    case AvroKind::Record:
        return QStringLiteral("record");
    case AvroKind::Enum:
        return QStringLiteral("enum");
    case AvroKind::Array:
        return QStringLiteral("array");
    case AvroKind::Map:
        return QStringLiteral("map");
    case AvroKind::Union:
        return QStringLiteral("union");
    case AvroKind::Fixed:
        return QStringLiteral("fixed");
    }
    return {};
}

} // namespace kw::serde::detail
