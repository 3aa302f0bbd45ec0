// libFuzzer target: arbitrary server bytes through every parser the registry clients apply to
// a reply: the transport's body reading (JSON or a bare scalar) and error-body reading, then
// the KEK, DEK, schema, schema list, subject list, version list, {subject, version} list,
// register id and bare-number parsers, and the rule set and metadata.tags of a schema. Must
// never crash, hang or read out of bounds; what parses must survive a round trip through the
// entity's own JSON form.
//
// Input layout: byte 0 bit 0 set: an error answer (byte 1 picks the HTTP status, bit 1 of byte
// 0 gives it a reason phrase), the rest is its body; bit 0 clear: a 200 answer, the rest is its
// body.

#include "core/domain/rules.h"
#include "core/registry/replyparsers_p.h"
#include "reach.h"

#include <QCoreApplication>

#include <cstdint>
#include <cstdlib>
#include <iterator>

using namespace kw;
using namespace kw::registry;

namespace {

enum Counter
{
    KekParsed,
    DekParsed,
    SchemaParsed,
    SchemaListParsed,
    StringListParsed,
    IntListParsed,
    SubjectVersionsParsed,
    RegisterIdParsed,
    BareIntParsed,
    RulesRead,
    RegistryErrorRead,
    HttpErrorRead,
};
constexpr const char *kCounterNames[] = {
    "kek",         "dek",      "schema",           "schema_list",
    "string_list", "int_list", "subject_versions", "register_id",
    "bare_int",    "rules",    "registry_error",   "http_error",
};

fuzz::Reach &reach()
{
    static fuzz::Reach r{kCounterNames};
    return r;
}

const detail::RequestContext kCtx{QStringLiteral("Schema Registry"), QStringLiteral("GET /fuzz")};

void check(bool condition)
{
    if (!condition)
        abort();
}

void roundTrip(const Kek &k)
{
    auto again = Kek::fromJson(k.toJson());
    check(again.hasValue());
    check(again->name == k.name && again->kmsType == k.kmsType && again->kmsKeyId == k.kmsKeyId &&
          again->kmsProps == k.kmsProps && again->doc == k.doc && again->shared == k.shared &&
          again->ts == k.ts && again->deleted == k.deleted);
}

void roundTrip(const Dek &d)
{
    auto again = Dek::fromJson(d.toJson());
    check(again.hasValue());
    check(again->kekName == d.kekName && again->subject == d.subject &&
          again->version == d.version && again->algorithm == d.algorithm &&
          again->encryptedKeyMaterial == d.encryptedKeyMaterial &&
          again->keyMaterial == d.keyMaterial && again->ts == d.ts && again->deleted == d.deleted);
}

void roundTrip(const Schema &s)
{
    auto again = Schema::fromJson(s.toJson());
    check(again.hasValue());
    check(again->id == s.id && again->guid == s.guid && again->subject == s.subject &&
          again->version == s.version && again->schemaType == s.schemaType &&
          again->schema == s.schema && again->references == s.references &&
          again->metadata == s.metadata && again->ruleSet == s.ruleSet && again->ts == s.ts &&
          again->deleted == s.deleted);
}

// What the engine reads from a schema the registry sent: its rules and metadata.tags.
void readRules(const Schema &s)
{
    const RuleSet rules = parseRuleSet(s.ruleSet, s.metadata);
    for (const Error &problem : rules.problems)
        check(!problem.code.isEmpty() && !problem.message.isEmpty());
    for (const auto *list : {&rules.fieldRules, &rules.payloadRules})
        for (const EncryptionRule &r : *list) {
            check(!r.kekName.isEmpty() && r.expiryDays >= 0);
            (void)r.appliesOnRead();
            (void)r.coversTags({QStringLiteral("PII")});
        }
    if (!rules.isEmpty())
        reach().count(RulesRead);
    (void)metadataTags(s.metadata);
}

void parseSuccess(const QByteArray &body)
{
    auto reply = replyFromBody(200, body, true, kCtx.service, kCtx.what);
    if (!reply) {
        check(reply.error().code == QLatin1String("registry.malformed_reply"));
        return;
    }
    if (auto kek = detail::parseKek(*reply, kCtx)) {
        roundTrip(*kek);
        reach().count(KekParsed);
    }
    if (auto dek = detail::parseDek(*reply, kCtx)) {
        roundTrip(*dek);
        reach().count(DekParsed);
    }
    if (auto schema = detail::parseSchema(*reply, kCtx)) {
        roundTrip(*schema);
        readRules(*schema);
        reach().count(SchemaParsed);
    }
    if (auto list = detail::parseSchemaList(*reply, kCtx)) {
        for (const Schema &s : *list)
            readRules(s);
        reach().count(SchemaListParsed);
    }
    if (detail::parseStringList(*reply, kCtx))
        reach().count(StringListParsed);
    if (detail::parseIntList(*reply, kCtx))
        reach().count(IntListParsed);
    if (detail::parseSubjectVersions(*reply, kCtx))
        reach().count(SubjectVersionsParsed);
    if (detail::parseIntField(*reply, kCtx, QStringLiteral("id")))
        reach().count(RegisterIdParsed);
    if (detail::parseBareInt(*reply, kCtx))
        reach().count(BareIntParsed);
    (void)detail::parseObject(*reply, kCtx);
}

void parseError(int status, const QByteArray &body, bool withReason)
{
    const Error e =
        errorFromReply(status, body, withReason ? QStringLiteral("Not Found") : QString(),
                       kCtx.service, kCtx.what);
    check(e.code.startsWith(QLatin1String("registry.")) && !e.message.isEmpty());
    reach().count(e.code.startsWith(QLatin1String("registry.http_")) ? HttpErrorRead
                                                                     : RegistryErrorRead);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int argc = 1;
    static char name[] = "fuzz_registry_json";
    static char *argv[] = {name, nullptr};
    static QCoreApplication app(argc, argv);
    (void)reach();
    if (size < 1)
        return 0;
    const uint8_t control = data[0];
    if (control & 1) {
        static constexpr int kStatuses[] = {400, 401, 403, 404, 405, 408, 409,
                                            422, 429, 500, 502, 503, 504, 599};
        const int status = size > 1 ? kStatuses[data[1] % std::size(kStatuses)] : 500;
        const qsizetype skip = size > 1 ? 2 : 1;
        parseError(status,
                   QByteArray(reinterpret_cast<const char *>(data + skip), qsizetype(size) - skip),
                   control & 2);
    } else {
        parseSuccess(QByteArray(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1)));
    }
    return 0;
}
