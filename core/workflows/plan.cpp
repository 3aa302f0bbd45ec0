#include "core/workflows/plan.h"

#include <QCryptographicHash>
#include <QJsonArray>

namespace kw::workflows {

namespace {

struct Named
{
    int value;
    const char *name;
};

constexpr Named ActionNames[] = {
    {int(Action::RotateDek), "dek.rotate"},     {int(Action::RewrapKek), "kek.rewrap"},
    {int(Action::SwitchKek), "kek.switch"},     {int(Action::DeleteDek), "dek.delete"},
    {int(Action::UndeleteDek), "dek.undelete"}, {int(Action::DeleteKek), "kek.delete"},
    {int(Action::UndeleteKek), "kek.undelete"},
};

constexpr Named StepNames[] = {
    {int(StepKind::CreateDekVersion), "dek.create"},
    {int(StepKind::RewrapDekVersion), "dek.rewrap"},
    {int(StepKind::DeleteDekVersion), "dek.delete-version"},
    {int(StepKind::DeleteDekSubject), "dek.delete-subject"},
    {int(StepKind::UndeleteDekVersion), "dek.undelete-version"},
    {int(StepKind::UndeleteDekSubject), "dek.undelete-subject"},
    {int(StepKind::CreateKek), "kek.create"},
    {int(StepKind::DeleteKek), "kek.delete"},
    {int(StepKind::UndeleteKek), "kek.undelete"},
    {int(StepKind::RegisterSchema), "schema.register"},
};

template<std::size_t N>
QString nameOf(const Named (&table)[N], int value)
{
    for (const Named &n : table)
        if (n.value == value)
            return QString::fromLatin1(n.name);
    return {};
}

template<std::size_t N>
std::optional<int> valueOf(const Named (&table)[N], const QString &name)
{
    for (const Named &n : table)
        if (name == QLatin1String(n.name))
            return n.value;
    return std::nullopt;
}

QJsonArray stringArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QStringList stringList(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &v : value.toArray())
        out.append(v.toString());
    return out;
}

template<typename T>
QJsonArray objectArray(const QList<T> &items)
{
    QJsonArray out;
    for (const T &item : items)
        out.append(item.toJson());
    return out;
}

template<typename T>
QList<T> objectList(const QJsonValue &value)
{
    QList<T> out;
    for (const QJsonValue &v : value.toArray())
        out.append(T::fromJson(v.toObject()));
    return out;
}

Error badPlan(const QString &what)
{
    return makeError(ErrorJournal,
                     QStringLiteral("The journalled plan cannot be read: %1. The journal was "
                                    "written by another version of Keywarden or was altered.")
                         .arg(what));
}

} // namespace

QString actionName(Action action)
{
    return nameOf(ActionNames, int(action));
}

Result<Action> actionFromName(const QString &name)
{
    if (const auto v = valueOf(ActionNames, name))
        return Action(*v);
    return badPlan(QStringLiteral("unknown action '%1'").arg(name));
}

QString stepKindName(StepKind kind)
{
    return nameOf(StepNames, int(kind));
}

Result<StepKind> stepKindFromName(const QString &name)
{
    if (const auto v = valueOf(StepNames, name))
        return StepKind(*v);
    return badPlan(QStringLiteral("unknown step '%1'").arg(name));
}

QJsonObject Step::toJson() const
{
    QJsonObject o{{QStringLiteral("kind"), stepKindName(kind)},
                  {QStringLiteral("kek"), kek},
                  {QStringLiteral("calls"), stringArray(calls)},
                  {QStringLiteral("description"), description}};
    if (!subject.isEmpty())
        o.insert(QStringLiteral("subject"), subject);
    if (!algorithm.isEmpty())
        o.insert(QStringLiteral("algorithm"), algorithm);
    if (version > 0)
        o.insert(QStringLiteral("version"), version);
    if (permanent)
        o.insert(QStringLiteral("permanent"), true);
    if (shared)
        o.insert(QStringLiteral("shared"), true);
    if (deleted)
        o.insert(QStringLiteral("deleted"), true);
    if (!plannedBlob.isEmpty()) {
        o.insert(QStringLiteral("plannedBlob"), QString::fromLatin1(plannedBlob.toBase64()));
        o.insert(QStringLiteral("plannedBlobSha256"), blobDigest(plannedBlob));
    }
    if (plannedTs > 0)
        o.insert(QStringLiteral("plannedTs"), plannedTs);
    if (!payload.isEmpty())
        o.insert(QStringLiteral("payload"), payload);
    return o;
}

Result<Step> Step::fromJson(const QJsonObject &json)
{
    auto kind = stepKindFromName(json.value(QStringLiteral("kind")).toString());
    if (!kind)
        return kind.error();
    Step s;
    s.kind = *kind;
    s.kek = json.value(QStringLiteral("kek")).toString();
    s.subject = json.value(QStringLiteral("subject")).toString();
    s.algorithm = json.value(QStringLiteral("algorithm")).toString();
    s.version = json.value(QStringLiteral("version")).toInt();
    s.permanent = json.value(QStringLiteral("permanent")).toBool();
    s.shared = json.value(QStringLiteral("shared")).toBool();
    s.deleted = json.value(QStringLiteral("deleted")).toBool();
    s.plannedBlob =
        QByteArray::fromBase64(json.value(QStringLiteral("plannedBlob")).toString().toLatin1());
    s.plannedTs = json.value(QStringLiteral("plannedTs")).toInteger();
    s.payload = json.value(QStringLiteral("payload")).toObject();
    s.calls = stringList(json.value(QStringLiteral("calls")));
    s.description = json.value(QStringLiteral("description")).toString();
    return s;
}

QString Step::objectName() const
{
    switch (kind) {
    case StepKind::CreateKek:
    case StepKind::DeleteKek:
    case StepKind::UndeleteKek:
        return QStringLiteral("kek:%1").arg(kek);
    case StepKind::RegisterSchema:
        return QStringLiteral("subject:%1").arg(subject);
    case StepKind::DeleteDekSubject:
    case StepKind::UndeleteDekSubject:
        return QStringLiteral("dek:%1/%2/%3").arg(kek, subject, algorithm);
    default:
        return QStringLiteral("dek:%1/%2/%3/v%4").arg(kek, subject, algorithm).arg(version);
    }
}

QJsonObject DekRow::toJson() const
{
    return {{QStringLiteral("kek"), kek},
            {QStringLiteral("subject"), subject},
            {QStringLiteral("algorithm"), algorithm},
            {QStringLiteral("version"), version},
            {QStringLiteral("deleted"), deleted},
            {QStringLiteral("ts"), ts},
            {QStringLiteral("latestLive"), latestLive}};
}

DekRow DekRow::fromJson(const QJsonObject &json)
{
    DekRow r;
    r.kek = json.value(QStringLiteral("kek")).toString();
    r.subject = json.value(QStringLiteral("subject")).toString();
    r.algorithm = json.value(QStringLiteral("algorithm")).toString();
    r.version = json.value(QStringLiteral("version")).toInt();
    r.deleted = json.value(QStringLiteral("deleted")).toBool();
    r.ts = json.value(QStringLiteral("ts")).toInteger();
    r.latestLive = json.value(QStringLiteral("latestLive")).toBool();
    return r;
}

QJsonObject SchemaUse::toJson() const
{
    return {{QStringLiteral("subject"), subject},
            {QStringLiteral("version"), version},
            {QStringLiteral("rule"), ruleName},
            {QStringLiteral("latest"), latest}};
}

SchemaUse SchemaUse::fromJson(const QJsonObject &json)
{
    return {json.value(QStringLiteral("subject")).toString(),
            json.value(QStringLiteral("version")).toInt(),
            json.value(QStringLiteral("rule")).toString(),
            json.value(QStringLiteral("latest")).toBool()};
}

QJsonObject TopicImpact::toJson() const
{
    QJsonObject o{{QStringLiteral("topic"), topic},
                  {QStringLiteral("encryptions"), encryptions},
                  {QStringLiteral("records"), records}};
    if (lastSeenMs >= 0)
        o.insert(QStringLiteral("lastSeenMs"), lastSeenMs);
    return o;
}

TopicImpact TopicImpact::fromJson(const QJsonObject &json)
{
    return {json.value(QStringLiteral("topic")).toString(),
            json.value(QStringLiteral("encryptions")).toInteger(),
            json.value(QStringLiteral("records")).toInteger(),
            json.value(QStringLiteral("lastSeenMs")).toInteger(-1)};
}

QJsonObject GroupImpact::toJson() const
{
    return {{QStringLiteral("group"), groupId},
            {QStringLiteral("state"), state},
            {QStringLiteral("topics"), stringArray(topics)}};
}

GroupImpact GroupImpact::fromJson(const QJsonObject &json)
{
    return {json.value(QStringLiteral("group")).toString(),
            json.value(QStringLiteral("state")).toString(),
            stringList(json.value(QStringLiteral("topics")))};
}

qint64 BlastRadius::records() const
{
    qint64 n = 0;
    for (const TopicImpact &t : topics)
        n += t.records;
    return n;
}

qint64 BlastRadius::encryptions() const
{
    qint64 n = 0;
    for (const TopicImpact &t : topics)
        n += t.encryptions;
    return n;
}

QJsonObject Plan::toJson() const
{
    QJsonObject o{{QStringLiteral("action"), actionName(action)},
                  {QStringLiteral("title"), title},
                  {QStringLiteral("question"), question},
                  {QStringLiteral("verb"), verb},
                  {QStringLiteral("kek"), kek},
                  {QStringLiteral("steps"), objectArray(steps)},
                  {QStringLiteral("deks"), objectArray(radius.deks)},
                  {QStringLiteral("schemas"), objectArray(radius.schemas)},
                  {QStringLiteral("topics"), objectArray(radius.topics)},
                  {QStringLiteral("consumerGroups"), objectArray(radius.consumerGroups)},
                  {QStringLiteral("unknowns"), stringArray(radius.unknowns)},
                  {QStringLiteral("consequences"), stringArray(radius.consequences)},
                  {QStringLiteral("warnings"), stringArray(warnings)},
                  {QStringLiteral("unrecoverable"), unrecoverable},
                  {QStringLiteral("plannedAtMs"), plannedAtMs}};
    if (!subject.isEmpty())
        o.insert(QStringLiteral("subject"), subject);
    if (!algorithm.isEmpty())
        o.insert(QStringLiteral("algorithm"), algorithm);
    if (version > 0)
        o.insert(QStringLiteral("version"), version);
    if (permanent)
        o.insert(QStringLiteral("permanent"), true);
    if (!targetKek.isEmpty())
        o.insert(QStringLiteral("targetKek"), targetKek);
    if (!secondWarning.isEmpty())
        o.insert(QStringLiteral("secondWarning"), secondWarning);
    if (!typedName.isEmpty())
        o.insert(QStringLiteral("typedName"), typedName);
    if (graceOverridden)
        o.insert(QStringLiteral("graceOverridden"), true);
    return o;
}

Result<Plan> Plan::fromJson(const QJsonObject &json)
{
    auto action = actionFromName(json.value(QStringLiteral("action")).toString());
    if (!action)
        return action.error();
    Plan p;
    p.action = *action;
    p.kek = json.value(QStringLiteral("kek")).toString();
    p.subject = json.value(QStringLiteral("subject")).toString();
    p.algorithm = json.value(QStringLiteral("algorithm")).toString();
    p.version = json.value(QStringLiteral("version")).toInt();
    p.permanent = json.value(QStringLiteral("permanent")).toBool();
    p.targetKek = json.value(QStringLiteral("targetKek")).toString();
    p.title = json.value(QStringLiteral("title")).toString();
    p.question = json.value(QStringLiteral("question")).toString();
    p.verb = json.value(QStringLiteral("verb")).toString();
    for (const QJsonValue &v : json.value(QStringLiteral("steps")).toArray()) {
        auto step = Step::fromJson(v.toObject());
        if (!step)
            return step.error();
        p.steps.append(*step);
    }
    p.radius.deks = objectList<DekRow>(json.value(QStringLiteral("deks")));
    p.radius.schemas = objectList<SchemaUse>(json.value(QStringLiteral("schemas")));
    p.radius.topics = objectList<TopicImpact>(json.value(QStringLiteral("topics")));
    p.radius.consumerGroups = objectList<GroupImpact>(json.value(QStringLiteral("consumerGroups")));
    p.radius.unknowns = stringList(json.value(QStringLiteral("unknowns")));
    p.radius.consequences = stringList(json.value(QStringLiteral("consequences")));
    p.warnings = stringList(json.value(QStringLiteral("warnings")));
    p.unrecoverable = json.value(QStringLiteral("unrecoverable")).toBool();
    p.secondWarning = json.value(QStringLiteral("secondWarning")).toString();
    p.typedName = json.value(QStringLiteral("typedName")).toString();
    p.graceOverridden = json.value(QStringLiteral("graceOverridden")).toBool();
    p.plannedAtMs = json.value(QStringLiteral("plannedAtMs")).toInteger();
    return p;
}

QString Plan::doneSentence(int stepsDone) const
{
    const auto versions = [](int n) {
        return n == 1 ? QStringLiteral("1 DEK version") : QStringLiteral("%1 DEK versions").arg(n);
    };
    const QString how =
        permanent ? QStringLiteral("Permanently deleted") : QStringLiteral("Deleted");
    switch (action) {
    case Action::RotateDek:
        return QStringLiteral("Rotated DEK subject %1 under KEK %2 (%3): version %4 created.")
            .arg(subject, kek, algorithm)
            .arg(steps.isEmpty() ? 0 : steps.constFirst().version);
    case Action::RewrapKek:
        return QStringLiteral("Rewrapped %1 of KEK %2.").arg(versions(stepsDone), kek);
    case Action::SwitchKek:
        return QStringLiteral("Switched subject %1 to KEK %2.").arg(subject, targetKek);
    case Action::DeleteDek:
        return QStringLiteral("%1 %2 of subject %3 under KEK %4.")
            .arg(how, versions(int(radius.deks.size())), subject, kek);
    case Action::UndeleteDek:
        return QStringLiteral("Undeleted %1 of subject %2 under KEK %3.")
            .arg(versions(int(radius.deks.size())), subject, kek);
    case Action::DeleteKek:
        return QStringLiteral("%1 KEK %2.").arg(how, kek);
    case Action::UndeleteKek:
        return QStringLiteral("Undeleted KEK %1.").arg(kek);
    }
    return {};
}

QString blobDigest(const QByteArray &wrapped)
{
    if (wrapped.isEmpty())
        return {};
    return QString::fromLatin1(
        QCryptographicHash::hash(wrapped, QCryptographicHash::Sha256).toHex());
}

} // namespace kw::workflows
