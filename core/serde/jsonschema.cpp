#include "core/serde/jsonschema.h"

#include "core/serde/wildcard.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSet>
#include <QUrl>

#include <cmath>

namespace kw::serde {

namespace {

const QString kBadSchema = QStringLiteral("serde.bad_schema");
constexpr int kMaxDepth = 400;
// Schemas one value may expand to through $ref/allOf/anyOf/oneOf; more means a $ref loop.
constexpr int kMaxExpansion = 512;

struct Sub
{
    int doc = 0;
    QJsonValue node;
};

struct Ctx
{
    QString path;
    QStringList tags;
};

void addTags(QStringList &tags, const QStringList &more)
{
    for (const QString &t : more) {
        if (!tags.contains(t)) {
            tags.append(t);
        }
    }
}

QStringList inlineTags(const QJsonValue &schema)
{
    QStringList tags;
    for (const QJsonValue &t : schema.toObject().value(QLatin1String("confluent:tags")).toArray()) {
        if (t.isString() && !tags.contains(t.toString())) {
            tags.append(t.toString());
        }
    }
    return tags;
}

QString joinPath(const QString &parent, const QString &name)
{
    return parent.isEmpty() ? name : parent + u'.' + name;
}

QString fullNameOf(const QString &path)
{
    return path.isEmpty() ? QStringLiteral("$") : QStringLiteral("$.") + path;
}

bool isIntegral(const QJsonValue &v)
{
    const double d = v.toDouble();
    return v.isDouble() && std::isfinite(d) && std::floor(d) == d;
}

bool typeNameFits(const QString &type, const QJsonValue &v)
{
    if (type == QLatin1String("string")) {
        return v.isString();
    }
    if (type == QLatin1String("number")) {
        return v.isDouble();
    }
    if (type == QLatin1String("integer")) {
        return isIntegral(v);
    }
    if (type == QLatin1String("boolean")) {
        return v.isBool();
    }
    if (type == QLatin1String("null")) {
        return v.isNull();
    }
    if (type == QLatin1String("object")) {
        return v.isObject();
    }
    if (type == QLatin1String("array")) {
        return v.isArray();
    }
    return false;
}

QString lastSegment(const QString &uri)
{
    QString s = uri;
    while (s.endsWith(u'/')) {
        s.chop(1);
    }
    return s.section(u'/', -1);
}

} // namespace

namespace detail {

struct JsonSchemaData
{
    QList<QJsonValue> docs; // 0: the main schema, then the references
    QStringList ids;        // "$id" of each document
    MetadataTags metadataTags;

    std::optional<Sub> resolve(int fromDoc, const QString &ref) const
    {
        const qsizetype hash = ref.indexOf(u'#');
        const QString uri = hash < 0 ? ref : ref.left(hash);
        const QString fragment = hash < 0 ? QString() : ref.mid(hash + 1);
        int doc = fromDoc;
        if (!uri.isEmpty() && uri != ids.value(fromDoc)) {
            doc = -1;
            for (int i = 0; i < ids.size() && doc < 0; ++i) {
                if (ids.at(i) == uri) {
                    doc = i;
                }
            }
            for (int i = 0; i < ids.size() && doc < 0; ++i) {
                if (!ids.at(i).isEmpty() && lastSegment(ids.at(i)) == lastSegment(uri)) {
                    doc = i;
                }
            }
            if (doc < 0) {
                return std::nullopt;
            }
        }
        QJsonValue node = docs.at(doc);
        if (fragment.isEmpty()) {
            return Sub{doc, node};
        }
        if (!fragment.startsWith(u'/')) {
            return std::nullopt; // plain-name anchors are not supported
        }
        const QStringList tokens = fragment.mid(1).split(u'/');
        for (QString token : tokens) {
            token = QUrl::fromPercentEncoding(token.toUtf8());
            token.replace(QLatin1String("~1"), QLatin1String("/"));
            token.replace(QLatin1String("~0"), QLatin1String("~"));
            if (node.isObject() && node.toObject().contains(token)) {
                node = node.toObject().value(token);
            } else if (node.isArray()) {
                bool ok = false;
                const int index = token.toInt(&ok);
                if (!ok || index < 0 || index >= node.toArray().size()) {
                    return std::nullopt;
                }
                node = node.toArray().at(index);
            } else {
                return std::nullopt;
            }
        }
        return Sub{doc, node};
    }

    std::optional<Sub> resolveChain(Sub s) const
    {
        for (int hops = 0; hops < 64; ++hops) {
            const QJsonValue ref = s.node.toObject().value(QLatin1String("$ref"));
            if (!ref.isString()) {
                return s;
            }
            auto next = resolve(s.doc, ref.toString());
            if (!next) {
                return std::nullopt;
            }
            s = *next;
        }
        return std::nullopt;
    }

    // Whether `value` may be an instance of `schema`, judged by "type", "const", "enum",
    // "required" and closed "properties" (enough to pick among anyOf/oneOf members).
    bool fits(const Sub &schema, const QJsonValue &value) const
    {
        const auto resolved = resolveChain(schema);
        if (!resolved) {
            return false;
        }
        if (resolved->node.isBool()) {
            return resolved->node.toBool();
        }
        const QJsonObject o = resolved->node.toObject();
        const QJsonValue type = o.value(QLatin1String("type"));
        if (type.isString() && !typeNameFits(type.toString(), value)) {
            return false;
        }
        if (type.isArray()) {
            bool any = false;
            for (const QJsonValue &t : type.toArray()) {
                any = any || typeNameFits(t.toString(), value);
            }
            if (!any) {
                return false;
            }
        }
        if (o.contains(QLatin1String("const")) && o.value(QLatin1String("const")) != value) {
            return false;
        }
        if (o.value(QLatin1String("enum")).isArray() &&
            !o.value(QLatin1String("enum")).toArray().contains(value)) {
            return false;
        }
        if (value.isObject()) {
            const QJsonObject object = value.toObject();
            for (const QJsonValue &r : o.value(QLatin1String("required")).toArray()) {
                if (!object.contains(r.toString())) {
                    return false;
                }
            }
            const QJsonValue additional = o.value(QLatin1String("additionalProperties"));
            if (additional.isBool() && !additional.toBool()) {
                const QJsonObject props = o.value(QLatin1String("properties")).toObject();
                for (auto it = object.begin(); it != object.end(); ++it) {
                    if (!props.contains(it.key())) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    // Expands `schemas` through $ref, allOf and anyOf/oneOf into every schema object that applies
    // to `value` (all members when `value` is null: the schema-only walk). `seenRefs`, when given,
    // expands each $ref target only once. False on a $ref loop or an unresolvable $ref.
    bool flatten(const QList<Sub> &schemas, const QJsonValue *value, QList<Sub> &out, int &budget,
                 QSet<QString> *seenRefs) const
    {
        for (const Sub &s : schemas) {
            if (!s.node.isObject()) {
                continue;
            }
            if (--budget < 0) {
                return false;
            }
            out.append(s);
            const QJsonObject o = s.node.toObject();
            const QJsonValue ref = o.value(QLatin1String("$ref"));
            if (ref.isString()) {
                const QString key = QString::number(s.doc) + u' ' + ref.toString();
                if (!seenRefs || !seenRefs->contains(key)) {
                    if (seenRefs) {
                        seenRefs->insert(key);
                    }
                    const auto target = resolve(s.doc, ref.toString());
                    if (!target || !flatten({*target}, value, out, budget, seenRefs)) {
                        return false;
                    }
                }
            }
            QList<Sub> members;
            for (const QJsonValue &m : o.value(QLatin1String("allOf")).toArray()) {
                if (!value || fits({s.doc, m}, *value)) {
                    members.append({s.doc, m});
                }
            }
            for (const QLatin1String key : {QLatin1String("anyOf"), QLatin1String("oneOf")}) {
                for (const QJsonValue &m : o.value(key).toArray()) {
                    if (!value) {
                        members.append({s.doc, m});
                    } else if (fits({s.doc, m}, *value)) {
                        members.append({s.doc, m});
                        break;
                    }
                }
            }
            if (!flatten(members, value, out, budget, seenRefs)) {
                return false;
            }
        }
        return true;
    }
};

} // namespace detail

using detail::JsonSchemaData;

namespace {

class DocWalker
{
public:
    DocWalker(const JsonSchemaData &d, const LeafVisitor &visitor, WalkOptions options)
        : m_d(d)
        , m_visitor(visitor)
        , m_options(options)
    {}

    kw::Result<QJsonValue> walk(const QList<Sub> &schemas, const QJsonValue &value, Ctx ctx,
                                int depth)
    {
        if (depth > kMaxDepth) {
            return kw::makeError(QStringLiteral("serde.malformed_record"),
                                 QStringLiteral("The JSON document is nested too deeply."));
        }
        QList<Sub> set;
        int budget = kMaxExpansion;
        if (!m_d.flatten(schemas, &value, set, budget, nullptr)) {
            return kw::makeError(kBadSchema,
                                 QStringLiteral("The JSON schema's $ref chain at \"%1\" loops or "
                                                "does not resolve.")
                                     .arg(fullNameOf(ctx.path)));
        }
        for (const Sub &s : set) {
            addTags(ctx.tags, inlineTags(s.node));
        }
        if (value.isObject()) {
            return walkObject(set, value.toObject(), ctx, depth);
        }
        if (value.isArray()) {
            return walkArray(set, value.toArray(), ctx, depth);
        }
        if (value.isString()) {
            if ((!ctx.tags.isEmpty() || m_options.visitAllLeaves) && m_visitor) {
                const FieldVisit visit{ctx.path, fullNameOf(ctx.path), ctx.tags, LeafKind::String};
                if (auto replacement = m_visitor(visit, value.toString().toUtf8())) {
                    return QJsonValue(QString::fromUtf8(*replacement));
                }
            }
            return value;
        }
        if ((value.isDouble() || value.isBool()) && !ctx.tags.isEmpty() && m_visitor) {
            m_visitor(FieldVisit{ctx.path, fullNameOf(ctx.path), ctx.tags, LeafKind::Other},
                      QByteArray());
        }
        return value;
    }

private:
    const JsonSchemaData &m_d;
    const LeafVisitor &m_visitor;
    WalkOptions m_options;

    kw::Result<QJsonValue> walkObject(const QList<Sub> &set, QJsonObject object, const Ctx &ctx,
                                      int depth)
    {
        const QStringList keys = object.keys();
        for (const QString &key : keys) {
            QList<Sub> declared;
            QList<Sub> additional;
            for (const Sub &s : set) {
                const QJsonObject o = s.node.toObject();
                const QJsonObject props = o.value(QLatin1String("properties")).toObject();
                if (props.contains(key)) {
                    declared.append({s.doc, props.value(key)});
                }
                const QJsonValue extra = o.value(QLatin1String("additionalProperties"));
                if (extra.isObject()) {
                    additional.append({s.doc, extra});
                }
            }
            kw::Result<QJsonValue> r = object.value(key);
            if (!declared.isEmpty()) {
                Ctx child;
                child.path = joinPath(ctx.path, key);
                child.tags = tagsForPath(m_d.metadataTags, fullNameOf(child.path));
                r = walk(declared, object.value(key), child, depth + 1);
            } else if (!additional.isEmpty()) {
                r = walk(additional, object.value(key), ctx, depth + 1); // map-like: no segment
            }
            if (!r) {
                return r.error();
            }
            object.insert(key, *r);
        }
        return QJsonValue(object);
    }

    kw::Result<QJsonValue> walkArray(const QList<Sub> &set, QJsonArray array, const Ctx &ctx,
                                     int depth)
    {
        for (qsizetype i = 0; i < array.size(); ++i) {
            QList<Sub> itemSchemas;
            for (const Sub &s : set) {
                const QJsonObject o = s.node.toObject();
                const QJsonValue items = o.value(QLatin1String("items"));
                const QJsonArray prefix = o.value(QLatin1String("prefixItems")).toArray();
                if (i < prefix.size()) {
                    itemSchemas.append({s.doc, prefix.at(i)});
                } else if (items.isObject()) {
                    itemSchemas.append({s.doc, items});
                } else if (items.isArray() && i < items.toArray().size()) {
                    itemSchemas.append({s.doc, items.toArray().at(i)});
                }
            }
            if (itemSchemas.isEmpty()) {
                continue;
            }
            auto r = walk(itemSchemas, array.at(i), ctx, depth + 1);
            if (!r) {
                return r.error();
            }
            array.replace(i, *r);
        }
        return QJsonValue(array);
    }
};

// The schema-only walk behind taggedFields().
class TagCollector
{
public:
    explicit TagCollector(const JsonSchemaData &d)
        : m_d(d)
    {}

    QList<FieldVisit> m_out;

    void collect(const QList<Sub> &schemas, const QString &path, int depth)
    {
        if (depth > 64) {
            return;
        }
        QList<Sub> set;
        int budget = kMaxExpansion;
        m_d.flatten(schemas, nullptr, set, budget, &m_seenRefs);
        QStringList order;
        QHash<QString, QList<Sub>> byKey;
        QList<Sub> inner; // items and additionalProperties: same path
        for (const Sub &s : set) {
            const QJsonObject o = s.node.toObject();
            const QJsonObject props = o.value(QLatin1String("properties")).toObject();
            for (auto it = props.begin(); it != props.end(); ++it) {
                if (!byKey.contains(it.key())) {
                    order.append(it.key());
                }
                byKey[it.key()].append({s.doc, it.value()});
            }
            appendInner(o, s.doc, inner);
        }
        if (!inner.isEmpty()) {
            collect(inner, path, depth + 1);
        }
        for (const QString &key : order) {
            const QString childPath = joinPath(path, key);
            const QList<Sub> &declared = byKey.value(key);
            QList<Sub> childSet;
            int childBudget = kMaxExpansion;
            QSet<QString> localRefs; // do not consume the shared set: collect() expands them
            m_d.flatten(declared, nullptr, childSet, childBudget, &localRefs);
            QStringList tags = tagsForPath(m_d.metadataTags, fullNameOf(childPath));
            for (const Sub &s : childSet) {
                addTags(tags, inlineTags(s.node));
            }
            if (!tags.isEmpty()) {
                addField(FieldVisit{childPath, fullNameOf(childPath), tags, leafKind(childSet)});
            }
            collect(declared, childPath, depth + 1);
        }
    }

private:
    const JsonSchemaData &m_d;
    QSet<QString> m_seenRefs;

    static void appendInner(const QJsonObject &o, int doc, QList<Sub> &inner)
    {
        for (const QLatin1String key :
             {QLatin1String("items"), QLatin1String("additionalProperties")}) {
            const QJsonValue v = o.value(key);
            if (v.isObject()) {
                inner.append({doc, v});
            }
        }
        for (const QLatin1String key : {QLatin1String("items"), QLatin1String("prefixItems")}) {
            const QJsonValue v = o.value(key);
            if (v.isArray()) {
                for (const QJsonValue &item : v.toArray()) {
                    inner.append({doc, item});
                }
            }
        }
    }

    LeafKind leafKind(const QList<Sub> &set) const
    {
        for (const Sub &s : set) {
            const QJsonObject o = s.node.toObject();
            const QJsonValue type = o.value(QLatin1String("type"));
            if (type.toString() == QLatin1String("string") ||
                type.toArray().contains(QJsonValue(QStringLiteral("string")))) {
                return LeafKind::String;
            }
            // Array items and map-like additionalProperties hold the field's leaves.
            {
                QList<Sub> items;
                appendInner(o, s.doc, items);
                QList<Sub> itemSet;
                int budget = kMaxExpansion;
                QSet<QString> refs;
                m_d.flatten(items, nullptr, itemSet, budget, &refs);
                if (leafKind(itemSet) == LeafKind::String) {
                    return LeafKind::String;
                }
            }
        }
        return LeafKind::Other;
    }

    void addField(const FieldVisit &field)
    {
        for (FieldVisit &existing : m_out) {
            if (existing.path == field.path) {
                addTags(existing.tags, field.tags);
                return;
            }
        }
        m_out.append(field);
    }
};

kw::Result<QJsonValue> parseJsonText(const QString &text, const QString &what)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text.toUtf8() + "]", &pe);
    if (pe.error != QJsonParseError::NoError || doc.array().size() != 1) {
        return kw::makeError(kBadSchema,
                             QStringLiteral("%1 is not valid JSON: %2.")
                                 .arg(what, pe.error != QJsonParseError::NoError
                                                ? pe.errorString()
                                                : QStringLiteral("expected one value")));
    }
    return doc.array().at(0);
}

// Every "$ref" in `node` must resolve; returns the first that does not.
std::optional<QString> unresolvedRef(const JsonSchemaData &d, int doc, const QJsonValue &node,
                                     int depth)
{
    if (depth > kMaxDepth) {
        return std::nullopt;
    }
    if (node.isArray()) {
        for (const QJsonValue &v : node.toArray()) {
            if (auto bad = unresolvedRef(d, doc, v, depth + 1)) {
                return bad;
            }
        }
    } else if (node.isObject()) {
        const QJsonObject o = node.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.key() == QLatin1String("$ref") && it.value().isString()) {
                if (!d.resolve(doc, it.value().toString())) {
                    return it.value().toString();
                }
            } else if (auto bad = unresolvedRef(d, doc, it.value(), depth + 1)) {
                return bad;
            }
        }
    }
    return std::nullopt;
}

} // namespace

JsonSchemaDoc::JsonSchemaDoc() = default;
JsonSchemaDoc::~JsonSchemaDoc() = default;
JsonSchemaDoc::JsonSchemaDoc(const JsonSchemaDoc &) = default;
JsonSchemaDoc &JsonSchemaDoc::operator=(const JsonSchemaDoc &) = default;
JsonSchemaDoc::JsonSchemaDoc(JsonSchemaDoc &&) noexcept = default;
JsonSchemaDoc &JsonSchemaDoc::operator=(JsonSchemaDoc &&) noexcept = default;

kw::Result<JsonSchemaDoc> JsonSchemaDoc::parse(const QString &schemaJson,
                                               const QStringList &references,
                                               const MetadataTags &metadataTags)
{
    auto d = std::make_shared<JsonSchemaData>();
    d->metadataTags = metadataTags;
    QStringList texts{schemaJson};
    texts.append(references);
    for (int i = 0; i < texts.size(); ++i) {
        auto v = parseJsonText(texts.at(i), i == 0 ? QStringLiteral("The JSON schema")
                                                   : QStringLiteral("Referenced schema %1").arg(i));
        if (!v) {
            return v.error();
        }
        if (!v->isObject() && !v->isBool()) {
            return kw::makeError(kBadSchema, QStringLiteral("A JSON schema must be an object."));
        }
        d->docs.append(*v);
        d->ids.append(v->toObject().value(QLatin1String("$id")).toString());
    }
    for (int i = 0; i < d->docs.size(); ++i) {
        if (auto bad = unresolvedRef(*d, i, d->docs.at(i), 0)) {
            return kw::makeError(kBadSchema,
                                 QStringLiteral("The JSON schema refers to \"%1\", which is not "
                                                "defined (is a reference missing?).")
                                     .arg(*bad));
        }
    }
    JsonSchemaDoc doc;
    doc.m_d = std::move(d);
    return doc;
}

QList<FieldVisit> JsonSchemaDoc::taggedFields() const
{
    if (!m_d) {
        return {};
    }
    TagCollector collector(*m_d);
    collector.collect({Sub{0, m_d->docs.at(0)}}, QString(), 0);
    return collector.m_out;
}

kw::Result<QJsonValue> JsonSchemaDoc::transform(const QJsonValue &document,
                                                const LeafVisitor &visitor,
                                                WalkOptions options) const
{
    if (!m_d) {
        return kw::makeError(kBadSchema, QStringLiteral("No JSON schema was loaded."));
    }
    DocWalker walker(*m_d, visitor, options);
    Ctx root;
    root.tags = tagsForPath(m_d->metadataTags, fullNameOf(QString()));
    return walker.walk({Sub{0, m_d->docs.at(0)}}, document, root, 0);
}

} // namespace kw::serde
