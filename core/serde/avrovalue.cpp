#include "core/serde/avrovalue.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cmath>
#include <limits>

namespace kw::serde::detail {

namespace {

const QString kMalformed = QStringLiteral("serde.malformed_record");
const QString kMismatch = QStringLiteral("serde.json_mismatch");

kw::Error avroCallError(const char *what)
{
    return kw::makeError(
        kMalformed,
        QStringLiteral("Avro C could not %1: %2.").arg(QLatin1String(what), avroLastError()));
}

// Walks an Avro C value for the write path: visits leaves and stores the visitor's
// replacements in the value. (Reading for display goes through the binary decoder in
// avrobinary.cpp, which renders JSON directly.)
class Walker
{
public:
    explicit Walker(const AvroWalkRequest &request)
        : m_request(request)
        , m_model(*request.model)
    {}

    kw::Result<void> walk(int index, avro_value_t &v, const LeafCtx &ctx, bool viaUnion, int depth)
    {
        if (depth > kAvroMaxDepth + 1) {
            return kw::makeError(kMalformed,
                                 QStringLiteral("The Avro record is nested too deeply."));
        }
        const AvroNode &node = m_model.nodes.at(index);
        switch (node.kind) {
        case AvroKind::Record:
            for (qsizetype i = 0; i < node.fields.size(); ++i) {
                avro_value_t child;
                if (avro_value_get_by_index(&v, static_cast<size_t>(i), &child, nullptr) != 0) {
                    return avroCallError("read a record field");
                }
                const LeafCtx fieldCtx{&ctx, &node.fields.at(i)};
                if (auto r = walk(node.fields.at(i).type, child, fieldCtx, false, depth + 1); !r) {
                    return r;
                }
            }
            return {};
        case AvroKind::Array:
        case AvroKind::Map: {
            size_t count = 0;
            if (avro_value_get_size(&v, &count) != 0) {
                return avroCallError("read a container size");
            }
            for (size_t i = 0; i < count; ++i) {
                avro_value_t child;
                if (avro_value_get_by_index(&v, i, &child, nullptr) != 0) {
                    return avroCallError("read a container item");
                }
                if (auto r = walk(node.child, child, ctx, false, depth + 1); !r) {
                    return r;
                }
            }
            return {};
        }
        case AvroKind::Union: {
            int discriminant = -1;
            avro_value_t branch;
            if (avro_value_get_discriminant(&v, &discriminant) != 0 ||
                avro_value_get_current_branch(&v, &branch) != 0 || discriminant < 0 ||
                discriminant >= node.branches.size()) {
                return avroCallError("read a union branch");
            }
            return walk(node.branches.at(discriminant), branch, ctx, true, depth + 1);
        }
        case AvroKind::String:
        case AvroKind::Bytes:
            return walkText(node, v, ctx);
        case AvroKind::Null:
            return {}; // a null (e.g. an unset optional) is never visited
        default:
            // Tagged leaves that cannot be encrypted are reported so the engine can refuse
            // them, except inside a union, where Confluent's serializers skip them.
            if (!ctx.tags().isEmpty() && !viaUnion && hasVisitor()) {
                (*m_request.visitor)(ctx.visit(LeafKind::Other), QByteArray());
            }
            return {};
        }
    }

private:
    const AvroWalkRequest &m_request;
    const AvroModel &m_model;

    bool hasVisitor() const { return m_request.visitor && *m_request.visitor; }

    kw::Result<void> walkText(const AvroNode &node, avro_value_t &v, const LeafCtx &ctx)
    {
        if ((ctx.tags().isEmpty() && !m_request.options.visitAllLeaves) || !hasVisitor()) {
            return {};
        }
        const bool isString = node.kind == AvroKind::String;
        QByteArray value;
        if (isString) {
            const char *text = nullptr;
            size_t size = 0;
            if (avro_value_get_string(&v, &text, &size) != 0) {
                return avroCallError("read a string");
            }
            // Avro C counts the terminating NUL in the size.
            value = QByteArray(text, size > 0 ? static_cast<qsizetype>(size - 1) : 0);
        } else {
            const void *data = nullptr;
            size_t size = 0;
            if (avro_value_get_bytes(&v, &data, &size) != 0) {
                return avroCallError("read a bytes value");
            }
            value = QByteArray(static_cast<const char *>(data), static_cast<qsizetype>(size));
        }
        auto replacement =
            (*m_request.visitor)(ctx.visit(isString ? LeafKind::String : LeafKind::Bytes), value);
        if (!replacement) {
            return {};
        }
        const int rc = isString
                           ? avro_value_set_string_len(&v, replacement->constData(),
                                                       static_cast<size_t>(replacement->size()) + 1)
                           : avro_value_set_bytes(&v, replacement->data(),
                                                  static_cast<size_t>(replacement->size()));
        if (rc != 0) {
            return avroCallError("store a replaced value");
        }
        return {};
    }
};

bool isIntegral(const QJsonValue &j)
{
    if (!j.isDouble()) {
        return false;
    }
    const double d = j.toDouble();
    return std::isfinite(d) && std::floor(d) == d && d >= -9223372036854775808.0 &&
           d < 9223372036854775808.0;
}

std::optional<QByteArray> strictBase64(const QJsonValue &j)
{
    if (!j.isString()) {
        return std::nullopt;
    }
    auto decoded = QByteArray::fromBase64Encoding(j.toString().toLatin1(),
                                                  QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        return std::nullopt;
    }
    return std::move(decoded.decoded);
}

class Filler
{
public:
    explicit Filler(const AvroModel &model)
        : m_model(model)
    {}

    kw::Result<void> fill(int index, const QJsonValue &j, avro_value_t &v, const QString &path,
                          int depth)
    {
        if (depth > kAvroMaxDepth) {
            return mismatch(path, QStringLiteral("a value nested less deeply"));
        }
        const AvroNode &node = m_model.nodes.at(index);
        if (!fits(node, j, false)) {
            return mismatch(path, expected(node));
        }
        int rc = 0;
        switch (node.kind) {
        case AvroKind::Null:
            rc = avro_value_set_null(&v);
            break;
        case AvroKind::Boolean:
            rc = avro_value_set_boolean(&v, j.toBool() ? 1 : 0);
            break;
        case AvroKind::Int:
            rc = avro_value_set_int(&v, static_cast<int32_t>(j.toInteger()));
            break;
        case AvroKind::Long:
            rc = avro_value_set_long(&v, static_cast<int64_t>(j.toInteger()));
            break;
        case AvroKind::Float:
            rc = avro_value_set_float(&v, static_cast<float>(j.toDouble()));
            break;
        case AvroKind::Double:
            rc = avro_value_set_double(&v, j.toDouble());
            break;
        case AvroKind::String: {
            const QByteArray text = j.toString().toUtf8();
            rc = avro_value_set_string_len(&v, text.constData(),
                                           static_cast<size_t>(text.size()) + 1);
            break;
        }
        case AvroKind::Bytes:
        case AvroKind::Fixed: {
            QByteArray bytes = *strictBase64(j);
            rc = node.kind == AvroKind::Bytes
                     ? avro_value_set_bytes(&v, bytes.data(), static_cast<size_t>(bytes.size()))
                     : avro_value_set_fixed(&v, bytes.data(), static_cast<size_t>(bytes.size()));
            break;
        }
        case AvroKind::Enum:
            rc = avro_value_set_enum(&v, static_cast<int>(node.symbols.indexOf(j.toString())));
            break;
        case AvroKind::Array:
            return fillArray(node, j.toArray(), v, path, depth);
        case AvroKind::Map:
            return fillMap(node, j.toObject(), v, path, depth);
        case AvroKind::Record:
            return fillRecord(node, j.toObject(), v, path, depth);
        case AvroKind::Union:
            return fillUnion(node, j, v, path, depth);
        }
        if (rc != 0) {
            return avroCallError("store a value");
        }
        return {};
    }

private:
    const AvroModel &m_model;

    static kw::Error mismatch(const QString &path, const QString &expected)
    {
        return kw::makeError(kMismatch,
                             QStringLiteral("The JSON value at \"%1\" does not fit the "
                                            "Avro schema: expected %2.")
                                 .arg(path.isEmpty() ? QStringLiteral("(root)") : path, expected));
    }

    QString expected(const AvroNode &node) const
    {
        switch (node.kind) {
        case AvroKind::Bytes:
        case AvroKind::Fixed:
            return QStringLiteral("%1 as base64").arg(avroTypeName(node.kind));
        case AvroKind::Enum:
            return QStringLiteral("one of %1").arg(node.symbols.join(QLatin1String(", ")));
        case AvroKind::Record:
            return QStringLiteral("an object with the fields of %1").arg(node.fullName);
        case AvroKind::Union: {
            QStringList names;
            for (int b : node.branches) {
                names.append(avroTypeName(m_model.nodes.at(b).kind));
            }
            return QStringLiteral("one of (%1)").arg(names.join(QLatin1String(", ")));
        }
        default:
            return avroTypeName(node.kind);
        }
    }

    bool nullable(int index) const
    {
        const AvroNode &node = m_model.nodes.at(index);
        if (node.kind == AvroKind::Null) {
            return true;
        }
        if (node.kind != AvroKind::Union) {
            return false;
        }
        for (int b : node.branches) {
            if (m_model.nodes.at(b).kind == AvroKind::Null) {
                return true;
            }
        }
        return false;
    }

    // Whether `j` has the shape of `node`; `strictRecord` also requires an object's keys to be the
    // record's fields (used to pick among union branches).
    bool fits(const AvroNode &node, const QJsonValue &j, bool strictRecord) const
    {
        switch (node.kind) {
        case AvroKind::Null:
            return j.isNull();
        case AvroKind::Boolean:
            return j.isBool();
        case AvroKind::Int:
            return isIntegral(j) && j.toDouble() >= std::numeric_limits<qint32>::min() &&
                   j.toDouble() <= std::numeric_limits<qint32>::max();
        case AvroKind::Long:
            return isIntegral(j);
        case AvroKind::Float:
        case AvroKind::Double:
            return j.isDouble();
        case AvroKind::String:
            return j.isString();
        case AvroKind::Enum:
            return j.isString() && node.symbols.contains(j.toString());
        case AvroKind::Bytes:
            return strictBase64(j).has_value();
        case AvroKind::Fixed: {
            const auto bytes = strictBase64(j);
            return bytes && bytes->size() == node.fixedSize;
        }
        case AvroKind::Array:
            return j.isArray();
        case AvroKind::Map:
            return j.isObject();
        case AvroKind::Union:
            return true; // decided per branch
        case AvroKind::Record: {
            if (!j.isObject()) {
                return false;
            }
            if (!strictRecord) {
                return true;
            }
            const QJsonObject o = j.toObject();
            for (auto it = o.begin(); it != o.end(); ++it) {
                if (fieldIndex(node, it.key()) < 0) {
                    return false;
                }
            }
            for (const AvroField &f : node.fields) {
                if (!o.contains(f.name) && !f.hasDefault && !nullable(f.type)) {
                    return false;
                }
            }
            return true;
        }
        }
        return false;
    }

    static qsizetype fieldIndex(const AvroNode &node, const QString &name)
    {
        for (qsizetype i = 0; i < node.fields.size(); ++i) {
            if (node.fields.at(i).name == name) {
                return i;
            }
        }
        return -1;
    }

    int pickBranch(const AvroNode &u, const QJsonValue &j) const
    {
        QList<AvroKind> order;
        if (j.isNull()) {
            order = {AvroKind::Null};
        } else if (j.isBool()) {
            order = {AvroKind::Boolean};
        } else if (j.isDouble()) {
            order = isIntegral(j) ? QList<AvroKind>{AvroKind::Int, AvroKind::Long, AvroKind::Double,
                                                    AvroKind::Float}
                                  : QList<AvroKind>{AvroKind::Double, AvroKind::Float};
        } else if (j.isString()) {
            order = {AvroKind::String, AvroKind::Enum, AvroKind::Bytes, AvroKind::Fixed};
        } else if (j.isArray()) {
            order = {AvroKind::Array};
        } else if (j.isObject()) {
            order = {AvroKind::Record, AvroKind::Map};
        }
        for (AvroKind kind : order) {
            for (qsizetype b = 0; b < u.branches.size(); ++b) {
                const AvroNode &branch = m_model.nodes.at(u.branches.at(b));
                if (branch.kind == kind && fits(branch, j, true)) {
                    return static_cast<int>(b);
                }
            }
        }
        return -1;
    }

    kw::Result<void> fillUnion(const AvroNode &u, const QJsonValue &j, avro_value_t &v,
                               const QString &path, int depth)
    {
        QJsonValue inner = j;
        int b = pickBranch(u, j);
        if (b < 0 && j.isObject() && j.toObject().size() == 1) {
            // Also accept Avro's JSON encoding of a union: {"<branch type name>": value}.
            const QJsonObject wrapper = j.toObject();
            const QString key = wrapper.begin().key();
            for (qsizetype i = 0; i < u.branches.size() && b < 0; ++i) {
                const AvroNode &branch = m_model.nodes.at(u.branches.at(i));
                const QString name =
                    branch.fullName.isEmpty() ? avroTypeName(branch.kind) : branch.fullName;
                if (name == key || name.section(u'.', -1) == key) {
                    b = static_cast<int>(i);
                    inner = wrapper.begin().value();
                }
            }
        }
        if (b < 0) {
            return mismatch(path, expected(u));
        }
        avro_value_t branch;
        if (avro_value_set_branch(&v, b, &branch) != 0) {
            return avroCallError("select a union branch");
        }
        return fill(u.branches.at(b), inner, branch, path, depth + 1);
    }

    kw::Result<void> fillRecord(const AvroNode &node, const QJsonObject &o, avro_value_t &v,
                                const QString &path, int depth)
    {
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (fieldIndex(node, it.key()) < 0) {
                return kw::makeError(kMismatch,
                                     QStringLiteral("The JSON object at \"%1\" has a "
                                                    "field \"%2\" that %3 does not have.")
                                         .arg(path.isEmpty() ? QStringLiteral("(root)") : path,
                                              it.key(), node.fullName));
            }
        }
        for (qsizetype i = 0; i < node.fields.size(); ++i) {
            const AvroField &field = node.fields.at(i);
            const QString fieldPath = path.isEmpty() ? field.name : path + u'.' + field.name;
            QJsonValue value;
            if (o.contains(field.name)) {
                value = o.value(field.name);
            } else if (field.hasDefault) {
                value = field.defaultValue;
            } else if (nullable(field.type)) {
                value = QJsonValue(QJsonValue::Null);
            } else {
                return mismatch(fieldPath, QStringLiteral("a value (the field is required)"));
            }
            avro_value_t child;
            if (avro_value_get_by_index(&v, static_cast<size_t>(i), &child, nullptr) != 0) {
                return avroCallError("access a record field");
            }
            auto r = fill(field.type, value, child, fieldPath, depth + 1);
            if (!r) {
                return r;
            }
        }
        return {};
    }

    kw::Result<void> fillArray(const AvroNode &node, const QJsonArray &a, avro_value_t &v,
                               const QString &path, int depth)
    {
        for (const QJsonValue &item : a) {
            avro_value_t child;
            if (avro_value_append(&v, &child, nullptr) != 0) {
                return avroCallError("append an array item");
            }
            auto r = fill(node.child, item, child, path, depth + 1);
            if (!r) {
                return r;
            }
        }
        return {};
    }

    kw::Result<void> fillMap(const AvroNode &node, const QJsonObject &o, avro_value_t &v,
                             const QString &path, int depth)
    {
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QByteArray key = it.key().toUtf8();
            avro_value_t child;
            if (avro_value_add(&v, key.constData(), &child, nullptr, nullptr) != 0) {
                return avroCallError("add a map entry");
            }
            auto r = fill(node.child, it.value(), child, path, depth + 1);
            if (!r) {
                return r;
            }
        }
        return {};
    }
};

} // namespace

kw::Result<void> walkAvroValue(const AvroWalkRequest &request, avro_value_t &value)
{
    Walker walker(request);
    return walker.walk(request.model->root, value, LeafCtx{}, false, 0);
}

kw::Result<void> fillAvroValue(const AvroModel &model, const QJsonValue &json, avro_value_t &value)
{
    Filler filler(model);
    return filler.fill(model.root, json, value, QString(), 0);
}

QString avroLastError()
{
    const char *message = avro_strerror();
    return message && *message ? QString::fromUtf8(message).trimmed()
                               : QStringLiteral("unknown error");
}

} // namespace kw::serde::detail
