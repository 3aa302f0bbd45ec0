#include "core/sandbox/demoestate.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

namespace kw::sandbox {

namespace {

const QStringList kFirstNames{
    QStringLiteral("Amira"), QStringLiteral("Bjorn"),   QStringLiteral("Chen"),
    QStringLiteral("Dalia"), QStringLiteral("Emeka"),   QStringLiteral("Freya"),
    QStringLiteral("Goran"), QStringLiteral("Hana"),    QStringLiteral("Ines"),
    QStringLiteral("Jonas"), QStringLiteral("Kofi"),    QStringLiteral("Lena"),
    QStringLiteral("Mateo"), QStringLiteral("Nadia"),   QStringLiteral("Oskar"),
    QStringLiteral("Priya"), QStringLiteral("Quentin"), QStringLiteral("Rosa")};
const QStringList kLastNames{
    QStringLiteral("Almeida"), QStringLiteral("Berg"),     QStringLiteral("Costa"),
    QStringLiteral("Dubois"),  QStringLiteral("Eriksen"),  QStringLiteral("Fischer"),
    QStringLiteral("Garcia"),  QStringLiteral("Haddad"),   QStringLiteral("Ivanova"),
    QStringLiteral("Jansen"),  QStringLiteral("Kowalski"), QStringLiteral("Lindqvist"),
    QStringLiteral("Moreau"),  QStringLiteral("Nowak"),    QStringLiteral("Okafor")};
const QStringList kCities{
    QStringLiteral("Amsterdam"), QStringLiteral("Berlin"),    QStringLiteral("Dublin"),
    QStringLiteral("Lisbon"),    QStringLiteral("Madrid"),    QStringLiteral("Milan"),
    QStringLiteral("Paris"),     QStringLiteral("Stockholm"), QStringLiteral("Vienna")};
const QStringList kMerchants{QStringLiteral("Corner Grocer"), QStringLiteral("Skyline Air"),
                             QStringLiteral("Metro Transit"), QStringLiteral("Bookhaven"),
                             QStringLiteral("Fuel & Go"),     QStringLiteral("Streamly"),
                             QStringLiteral("Cafe Lume")};

QString pick(const QStringList &list, QRandomGenerator &rng)
{
    return list.at(int(rng.bounded(int(list.size()))));
}

QString fullName(QRandomGenerator &rng)
{
    return pick(kFirstNames, rng) + QLatin1Char(' ') + pick(kLastNames, rng);
}

QString digits(int n, QRandomGenerator &rng)
{
    QString s;
    for (int i = 0; i < n; ++i)
        s.append(QChar(u'0' + rng.bounded(10)));
    return s;
}

QString iban(QRandomGenerator &rng)
{
    static const QStringList countries{QStringLiteral("DE"), QStringLiteral("NL"),
                                       QStringLiteral("FR"), QStringLiteral("IE"),
                                       QStringLiteral("ES")};
    return pick(countries, rng) + digits(2, rng) + QStringLiteral("NWBK") + digits(14, rng);
}

QString ssn(QRandomGenerator &rng)
{
    return digits(3, rng) + QLatin1Char('-') + digits(2, rng) + QLatin1Char('-') + digits(4, rng);
}

QString email(const QString &name, QRandomGenerator &rng)
{
    return name.toLower().replace(QLatin1Char(' '), QLatin1Char('.')) +
           QString::number(rng.bounded(100)) + QStringLiteral("@mail.example");
}

QString pan(QRandomGenerator &rng)
{
    return QStringLiteral("4") + digits(15, rng);
}

QJsonObject rule(const QString &name, const QString &type, const QString &kek,
                 const QStringList &tags, QJsonObject params = {})
{
    if (!kek.isEmpty())
        params.insert(QStringLiteral("encrypt.kek.name"), kek);
    return {{QStringLiteral("name"), name},
            {QStringLiteral("kind"), QStringLiteral("TRANSFORM")},
            {QStringLiteral("mode"), QStringLiteral("WRITEREAD")},
            {QStringLiteral("type"), type},
            {QStringLiteral("tags"), QJsonArray::fromStringList(tags)},
            {QStringLiteral("params"), params},
            {QStringLiteral("onFailure"), QStringLiteral("ERROR,NONE")}};
}

QJsonObject domainRules(const QJsonArray &rules)
{
    return {{QStringLiteral("domainRules"), rules}};
}

QJsonObject expiry(int days, const QString &algorithm = {})
{
    QJsonObject p;
    if (days > 0)
        p.insert(QStringLiteral("encrypt.dek.expiry.days"), QString::number(days));
    if (!algorithm.isEmpty())
        p.insert(QStringLiteral("encrypt.dek.algorithm"), algorithm);
    return p;
}

registry::Schema schema(const QString &text, const QJsonObject &ruleSet,
                        const QString &type = QStringLiteral("AVRO"),
                        const QJsonObject &metadata = {})
{
    registry::Schema s;
    s.schemaType = type;
    // Registered compact, as serializers send it; Protobuf as .proto text.
    s.schema = type == QLatin1String("PROTOBUF")
                   ? text
                   : QString::fromUtf8(
                         QJsonDocument::fromJson(text.toUtf8()).toJson(QJsonDocument::Compact));
    s.ruleSet = ruleSet;
    s.metadata = metadata;
    return s;
}

registry::Kek kek(const QString &name, const QString &type, const QString &keyId,
                  const QString &doc, bool shared = false)
{
    registry::Kek k;
    k.name = name;
    k.kmsType = type;
    k.kmsKeyId = keyId;
    k.doc = doc;
    k.shared = shared;
    return k;
}

DemoTopic topic(const QString &name, int partitions, int records, int firstDaysAgo, int lastDaysAgo,
                const QString &source, std::function<DemoValue(int, QRandomGenerator &)> make,
                int damagedEvery = 0)
{
    DemoTopic t;
    t.name = name;
    t.subject = name + QStringLiteral("-value");
    t.partitions = partitions;
    t.records = records;
    t.firstDaysAgo = firstDaysAgo;
    t.lastDaysAgo = lastDaysAgo;
    t.source = source;
    t.make = std::move(make);
    t.damagedEvery = damagedEvery;
    return t;
}

QString customerId(QRandomGenerator &rng)
{
    return QStringLiteral("C-%1").arg(rng.bounded(200000) + 100000);
}

} // namespace

DemoEstate demoEstate()
{
    DemoEstate e;
    const QString pii = QStringLiteral("PII"), pci = QStringLiteral("PCI"),
                  conf = QStringLiteral("CONFIDENTIAL");
    const QString encrypt = QStringLiteral("ENCRYPT");

    e.keks = {
        kek(QStringLiteral("retail-pii"), QStringLiteral("local-kms"),
            QStringLiteral("retail-pii-2024"), QStringLiteral("Customer PII of the retail bank")),
        kek(QStringLiteral("payments-pci"), QStringLiteral("local-kms"),
            QStringLiteral("payments-pci-2024"),
            QStringLiteral("Card data (PCI DSS scope); DEKs generated by the registry"), true),
        kek(QStringLiteral("hr-confidential"), QStringLiteral("local-kms"),
            QStringLiteral("hr-2023"), QStringLiteral("Employee and payroll data")),
        kek(QStringLiteral("legacy-crm"), QStringLiteral("local-kms"), QStringLiteral("crm-2022"),
            QStringLiteral("The retired CRM's contacts; soft-deleted with its DEKs")),
        kek(QStringLiteral("treasury-aws"), QStringLiteral("aws-kms"),
            QStringLiteral(
                "arn:aws:kms:eu-west-1:111122223333:key/5f1c2a7e-8d4b-4c39-9b1e-2a6f0d3c7e11"),
            QStringLiteral("Treasury trades, key in AWS KMS (eu-west-1)")),
        kek(QStringLiteral("treasury-aws-retired"), QStringLiteral("aws-kms"),
            QStringLiteral(
                "arn:aws:kms:eu-west-1:111122223333:key/0c7d9e4b-3a21-4f6e-8b5d-7e2a1c9f4b60"),
            QStringLiteral("Trades of the closed Frankfurt desk; its AWS key is scheduled for "
                           "deletion")),
        kek(QStringLiteral("analytics-gcp"), QStringLiteral("gcp-kms"),
            QStringLiteral("projects/northwind-analytics/locations/europe-west1/keyRings/csfle/"
                           "cryptoKeys/events"),
            QStringLiteral("Digital analytics, key in Google Cloud KMS")),
        kek(QStringLiteral("analytics-gcp-archive"), QStringLiteral("gcp-kms"),
            QStringLiteral("projects/northwind-analytics/locations/europe-west1/keyRings/csfle/"
                           "cryptoKeys/archive"),
            QStringLiteral("Archived sessions; the key's only version is scheduled for "
                           "destruction")),
        kek(QStringLiteral("risk-azure"), QStringLiteral("azure-kms"),
            QStringLiteral("https://northwind-risk.vault.azure.net/keys/csfle-kek/"
                           "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
            QStringLiteral("Credit risk models, key in Azure Key Vault")),
        kek(QStringLiteral("risk-azure-2023"), QStringLiteral("azure-kms"),
            QStringLiteral("https://northwind-risk.vault.azure.net/keys/csfle-kek-2023"),
            QStringLiteral("Last year's risk models; the key is disabled in Azure Key Vault")),
        kek(QStringLiteral("loans-vault"), QStringLiteral("hcvault"),
            QStringLiteral("https://vault.northwind.internal:8200/transit/keys/loans"),
            QStringLiteral("Lending, key in HashiCorp Vault transit")),
        kek(QStringLiteral("loans-vault-archive"), QStringLiteral("hcvault"),
            QStringLiteral("https://vault.northwind.internal:8200/transit/keys/loans-archive"),
            QStringLiteral("Closed loans; the key's min_decryption_version is above the version "
                           "that wrapped its DEK")),
    };

    const QString customerV1 =
        QStringLiteral(R"({"type":"record","name":"Customer","namespace":"bank.retail","fields":[
        {"name":"customerId","type":"string"},
        {"name":"fullName","type":"string","confluent:tags":["PII"]},
        {"name":"ssn","type":"string","confluent:tags":["PII"]},
        {"name":"address","type":{"type":"record","name":"Address","fields":[
            {"name":"street","type":"string","confluent:tags":["PII"]},{"name":"city","type":"string"},
            {"name":"postcode","type":"string"},{"name":"country","type":"string"}]}},
        {"name":"segment","type":{"type":"enum","name":"Segment","symbols":["RETAIL","PREMIUM","PRIVATE"]}},
        {"name":"createdAt","type":{"type":"long","logicalType":"timestamp-millis"}}]})");
    QString customerV2 = customerV1;
    customerV2.replace(
        QStringLiteral(R"({"name":"ssn")"),
        QStringLiteral(
            R"({"name":"email","type":["null","string"],"default":null,"confluent:tags":["PII"]},
        {"name":"ssn")"));
    const QJsonObject customerRules = domainRules({rule(
        QStringLiteral("encrypt-pii"), encrypt, QStringLiteral("retail-pii"), {pii}, expiry(90))});
    e.subjects.append({QStringLiteral("customers-value"),
                       {schema(customerV1, customerRules), schema(customerV2, customerRules)}});
    e.topics.append(topic(
        QStringLiteral("customers"), 6, 9000, 540, 0, QStringLiteral("onboarding-service"),
        [](int i, QRandomGenerator &rng) {
            const QString name = fullName(rng);
            const QString id = QStringLiteral("C-%1").arg(100000 + i);
            static const QStringList segments{QStringLiteral("RETAIL"), QStringLiteral("RETAIL"),
                                              QStringLiteral("PREMIUM"), QStringLiteral("PRIVATE")};
            return DemoValue{
                id,
                {{QStringLiteral("customerId"), id},
                 {QStringLiteral("fullName"), name},
                 {QStringLiteral("email"),
                  i % 7 == 0 ? QJsonValue() : QJsonValue(email(name, rng))},
                 {QStringLiteral("ssn"), ssn(rng)},
                 {QStringLiteral("address"),
                  QJsonObject{{QStringLiteral("street"),
                               QStringLiteral("%1 Harbour Street").arg(rng.bounded(200) + 1)},
                              {QStringLiteral("city"), pick(kCities, rng)},
                              {QStringLiteral("postcode"), digits(5, rng)},
                              {QStringLiteral("country"), QStringLiteral("EU")}}},
                 {QStringLiteral("segment"), pick(segments, rng)},
                 {QStringLiteral("createdAt"), 1700000000000.0 + i * 60000.0}}};
        },
        900));

    e.subjects.append(
        {QStringLiteral("accounts-value"),
         {schema(QStringLiteral(
                     R"({"type":"record","name":"Account","namespace":"bank.retail","fields":[
        {"name":"accountId","type":"string"},{"name":"customerId","type":"string"},
        {"name":"iban","type":"string","confluent:tags":["PII"]},{"name":"currency","type":"string"},
        {"name":"balance","type":"double"},{"name":"openedAt","type":"long"}]})"),
                 domainRules({rule(QStringLiteral("encrypt-iban"), encrypt,
                                   QStringLiteral("retail-pii"), {pii})}))}});
    e.topics.append(topic(
        QStringLiteral("accounts"), 3, 4000, 520, 0, QStringLiteral("core-banking"),
        [](int i, QRandomGenerator &rng) {
            const QString c = customerId(rng);
            return DemoValue{c,
                             {{QStringLiteral("accountId"), QStringLiteral("A-%1").arg(500000 + i)},
                              {QStringLiteral("customerId"), c},
                              {QStringLiteral("iban"), iban(rng)},
                              {QStringLiteral("currency"), QStringLiteral("EUR")},
                              {QStringLiteral("balance"), double(rng.bounded(5000000)) / 100.0},
                              {QStringLiteral("openedAt"), 1690000000000.0 + i * 3600000.0}}};
        }));

    e.subjects.append(
        {QStringLiteral("card-payments-value"),
         {schema(QStringLiteral(
                     R"({"type":"record","name":"CardPayment","namespace":"bank.cards","fields":[
        {"name":"paymentId","type":"string"},
        {"name":"pan","type":"string","confluent:tags":["PCI"]},
        {"name":"cardholderName","type":"string","confluent:tags":["PCI"]},
        {"name":"merchant","type":"string"},{"name":"amountMinor","type":"long"},
        {"name":"currency","type":"string"},{"name":"authorizedAt","type":"long"}]})"),
                 domainRules(
                     {rule(QStringLiteral("encrypt-pci"), encrypt, QStringLiteral("payments-pci"),
                           {pci}, expiry(30, QStringLiteral("AES256_SIV")))}))}});
    e.topics.append(topic(
        QStringLiteral("card-payments"), 6, 10000, 420, 0, QStringLiteral("card-switch"),
        [](int i, QRandomGenerator &rng) {
            return DemoValue{
                QStringLiteral("P-%1").arg(i),
                {{QStringLiteral("paymentId"), QStringLiteral("P-%1").arg(9000000 + i)},
                 {QStringLiteral("pan"), pan(rng)},
                 {QStringLiteral("cardholderName"), fullName(rng).toUpper()},
                 {QStringLiteral("merchant"), pick(kMerchants, rng)},
                 {QStringLiteral("amountMinor"), double(rng.bounded(25000) + 100)},
                 {QStringLiteral("currency"), QStringLiteral("EUR")},
                 {QStringLiteral("authorizedAt"), 1700000000000.0 + i * 1000.0}}};
        },
        500));

    e.subjects.append(
        {QStringLiteral("card-authorizations-value"),
         {schema(
             QStringLiteral(
                 R"({"type":"record","name":"Authorization","namespace":"bank.cards","fields":[
        {"name":"authId","type":"string"},{"name":"panToken","type":"string"},
        {"name":"responseCode","type":"string"},{"name":"amountMinor","type":"long"},{"name":"at","type":"long"}]})"),
             QJsonObject{{QStringLiteral("encodingRules"),
                          QJsonArray{rule(QStringLiteral("encrypt-payload"),
                                          QStringLiteral("ENCRYPT_PAYLOAD"),
                                          QStringLiteral("payments-pci"), {}, expiry(60))}}})}});
    e.topics.append(topic(
        QStringLiteral("card-authorizations"), 4, 5000, 300, 0, QStringLiteral("card-switch"),
        [](int i, QRandomGenerator &rng) {
            static const QStringList codes{QStringLiteral("00"), QStringLiteral("00"),
                                           QStringLiteral("05"), QStringLiteral("51")};
            return DemoValue{
                QStringLiteral("AUTH-%1").arg(i),
                {{QStringLiteral("authId"), QStringLiteral("AUTH-%1").arg(i)},
                 {QStringLiteral("panToken"), QString(QStringLiteral("tok_") + digits(12, rng))},
                 {QStringLiteral("responseCode"), pick(codes, rng)},
                 {QStringLiteral("amountMinor"), double(rng.bounded(50000))},
                 {QStringLiteral("at"), 1710000000000.0 + i * 2000.0}}};
        }));

    e.subjects.append(
        {QStringLiteral("employees-value"),
         {schema(
             QStringLiteral(
                 R"({"$schema":"http://json-schema.org/draft-07/schema#","title":"Employee","type":"object",
        "properties":{"employeeId":{"type":"string"},"name":{"type":"string","confluent:tags":["PII"]},
        "nationalId":{"type":"string","confluent:tags":["PII"]},"salaryBand":{"type":"string"},
        "bankAccount":{"type":"object","properties":{"iban":{"type":"string","confluent:tags":["PII"]},"bic":{"type":"string"}}}},
        "required":["employeeId","name"]})"),
             domainRules({rule(QStringLiteral("encrypt-pii"), encrypt,
                               QStringLiteral("hr-confidential"), {pii}, expiry(365))}),
             QStringLiteral("JSON"))}});
    e.topics.append(topic(
        QStringLiteral("employees"), 1, 600, 540, 200, QStringLiteral("hr-system"),
        [](int i, QRandomGenerator &rng) {
            const QString id = QStringLiteral("E-%1").arg(1000 + i);
            return DemoValue{
                id,
                {{QStringLiteral("employeeId"), id},
                 {QStringLiteral("name"), fullName(rng)},
                 {QStringLiteral("nationalId"), ssn(rng)},
                 {QStringLiteral("salaryBand"), QStringLiteral("B%1").arg(rng.bounded(7) + 1)},
                 {QStringLiteral("bankAccount"),
                  QJsonObject{{QStringLiteral("iban"), iban(rng)},
                              {QStringLiteral("bic"), QStringLiteral("NWBKDEFF")}}}}};
        }));

    e.subjects.append(
        {QStringLiteral("payroll-value"),
         {schema(
             QStringLiteral(R"({"type":"record","name":"Payment","namespace":"bank.hr","fields":[
        {"name":"runId","type":"string"},{"name":"employeeId","type":"string"},
        {"name":"iban","type":"string","confluent:tags":["PII"]},
        {"name":"netAmount","type":"string","confluent:tags":["PII"]},{"name":"period","type":"string"}]})"),
             domainRules(
                 {rule(QStringLiteral("encrypt-pii"), encrypt, QStringLiteral("hr-confidential"),
                       {pii}, expiry(30, QStringLiteral("AES128_GCM")))}))}});
    e.topics.append(topic(
        QStringLiteral("payroll"), 2, 2400, 540, 5, QStringLiteral("payroll-engine"),
        [](int i, QRandomGenerator &rng) {
            const QString emp = QStringLiteral("E-%1").arg(1000 + i % 600);
            return DemoValue{
                emp,
                {{QStringLiteral("runId"), QStringLiteral("RUN-%1").arg(i / 600 + 1)},
                 {QStringLiteral("employeeId"), emp},
                 {QStringLiteral("iban"), iban(rng)},
                 {QStringLiteral("netAmount"), QStringLiteral("%1.%2")
                                                   .arg(rng.bounded(6000) + 2000)
                                                   .arg(rng.bounded(100), 2, 10, QLatin1Char('0'))},
                 {QStringLiteral("period"), QStringLiteral("P%1").arg(i / 600 + 1)}}};
        }));

    e.subjects.append(
        {QStringLiteral("crm-contacts-value"),
         {schema(
             QStringLiteral(R"({"type":"record","name":"Contact","namespace":"bank.crm","fields":[
        {"name":"contactId","type":"string"},{"name":"name","type":"string","confluent:tags":["PII"]},
        {"name":"phone","type":["null","string"],"default":null,"confluent:tags":["PII"]},{"name":"notes","type":"string"}]})"),
             domainRules({rule(QStringLiteral("encrypt-pii"), encrypt, QStringLiteral("legacy-crm"),
                               {pii})}))}});
    e.topics.append(
        topic(QStringLiteral("crm-contacts"), 2, 1500, 540, 380, QStringLiteral("legacy-crm"),
              [](int i, QRandomGenerator &rng) {
                  return DemoValue{
                      QStringLiteral("K-%1").arg(i),
                      {{QStringLiteral("contactId"), QStringLiteral("K-%1").arg(i)},
                       {QStringLiteral("name"), fullName(rng)},
                       {QStringLiteral("phone"),
                        i % 3 ? QJsonValue(QString(QStringLiteral("+31 6 ") + digits(8, rng)))
                              : QJsonValue()},
                       {QStringLiteral("notes"), QStringLiteral("migrated")}}};
              }));

    e.subjects.append(
        {QStringLiteral("treasury-trades-value"),
         {schema(QStringLiteral(
                     R"({"type":"record","name":"Trade","namespace":"bank.treasury","fields":[
        {"name":"tradeId","type":"string"},{"name":"counterparty","type":"string","confluent:tags":["CONFIDENTIAL"]},
        {"name":"notional","type":"string","confluent:tags":["CONFIDENTIAL"]},{"name":"instrument","type":"string"},
        {"name":"tradeDate","type":"string"}]})"),
                 domainRules({rule(QStringLiteral("encrypt-confidential"), encrypt,
                                   QStringLiteral("treasury-aws"), {conf}, expiry(180))}))}});
    e.topics.append(topic(
        QStringLiteral("treasury-trades"), 2, 2000, 500, 0, QStringLiteral("treasury-desk"),
        [](int i, QRandomGenerator &rng) {
            static const QStringList cps{QStringLiteral("Atlas Capital"),
                                         QStringLiteral("Borealis Bank"),
                                         QStringLiteral("Cobalt Securities")};
            static const QStringList instruments{
                QStringLiteral("EURUSD FWD"), QStringLiteral("BUND 10Y"), QStringLiteral("IRS 5Y")};
            return DemoValue{
                QStringLiteral("T-%1").arg(i),
                {{QStringLiteral("tradeId"), QStringLiteral("T-%1").arg(700000 + i)},
                 {QStringLiteral("counterparty"), pick(cps, rng)},
                 {QStringLiteral("notional"), QStringLiteral("%1000000").arg(rng.bounded(90) + 1)},
                 {QStringLiteral("instrument"), pick(instruments, rng)},
                 {QStringLiteral("tradeDate"),
                  QStringLiteral("2026-%1").arg(rng.bounded(12) + 1)}}};
        }));

    // Under treasury-aws-retired: one DEK, wrapped while the key was enabled; the key is now
    // pending deletion in the sandbox's AWS KMS, so no client can unwrap it.
    e.subjects.append(
        {QStringLiteral("fra-trades-value"),
         {schema(QStringLiteral(
                     R"({"type":"record","name":"FraTrade","namespace":"bank.treasury","fields":[
        {"name":"tradeId","type":"string"},{"name":"counterparty","type":"string","confluent:tags":["CONFIDENTIAL"]},
        {"name":"notional","type":"string","confluent:tags":["CONFIDENTIAL"]}]})"),
                 domainRules({rule(QStringLiteral("encrypt-confidential"), encrypt,
                                   QStringLiteral("treasury-aws-retired"), {conf})}))}});
    e.topics.append(topic(
        QStringLiteral("fra-trades"), 1, 40, 520, 430, QStringLiteral("fra-desk"),
        [](int i, QRandomGenerator &rng) {
            return DemoValue{QStringLiteral("F-%1").arg(i),
                             {{QStringLiteral("tradeId"), QStringLiteral("F-%1").arg(5000 + i)},
                              {QStringLiteral("counterparty"), fullName(rng)},
                              {QStringLiteral("notional"),
                               QStringLiteral("%1000000").arg(rng.bounded(40) + 1)}}};
        }));

    e.subjects.append(
        {QStringLiteral("clickstream-value"),
         {schema(
             QStringLiteral(
                 R"({"$schema":"http://json-schema.org/draft-07/schema#","title":"Click","type":"object",
        "properties":{"sessionId":{"type":"string"},"userId":{"type":"string","confluent:tags":["PII"]},
        "page":{"type":"string"},"referrer":{"type":["null","string"]},"ts":{"type":"integer"}}})"),
             domainRules({rule(QStringLiteral("encrypt-user"), encrypt,
                               QStringLiteral("analytics-gcp"), {pii}, expiry(30))}),
             QStringLiteral("JSON"))}});
    e.topics.append(topic(
        QStringLiteral("clickstream"), 6, 8000, 200, 0, QStringLiteral("web-frontend"),
        [](int i, QRandomGenerator &rng) {
            static const QStringList pages{QStringLiteral("/"), QStringLiteral("/accounts"),
                                           QStringLiteral("/cards"),
                                           QStringLiteral("/loans/apply")};
            return DemoValue{QStringLiteral("S-%1").arg(i / 20),
                             {{QStringLiteral("sessionId"), QStringLiteral("S-%1").arg(i / 20)},
                              {QStringLiteral("userId"), customerId(rng)},
                              {QStringLiteral("page"), pick(pages, rng)},
                              {QStringLiteral("referrer"),
                               i % 4 ? QJsonValue() : QJsonValue(QStringLiteral("search"))},
                              {QStringLiteral("ts"), 1720000000000.0 + i * 500.0}}};
        },
        1000));

    // Under analytics-gcp-archive: one DEK, wrapped by the key's version 1, which is now
    // scheduled for destruction in the sandbox's Cloud KMS.
    e.subjects.append(
        {QStringLiteral("sessions-archive-value"),
         {schema(
             QStringLiteral(
                 R"({"$schema":"http://json-schema.org/draft-07/schema#","title":"Session","type":"object",
        "properties":{"sessionId":{"type":"string"},"userId":{"type":"string","confluent:tags":["PII"]},
        "pages":{"type":"integer"}}})"),
             domainRules({rule(QStringLiteral("encrypt-user"), encrypt,
                               QStringLiteral("analytics-gcp-archive"), {pii})}),
             QStringLiteral("JSON"))}});
    e.topics.append(topic(QStringLiteral("sessions-archive"), 1, 40, 800, 600,
                          QStringLiteral("web-archiver"), [](int i, QRandomGenerator &rng) {
                              return DemoValue{
                                  QStringLiteral("S-%1").arg(i),
                                  {{QStringLiteral("sessionId"), QStringLiteral("S-%1").arg(i)},
                                   {QStringLiteral("userId"), customerId(rng)},
                                   {QStringLiteral("pages"), int(rng.bounded(30) + 1)}}};
                          }));

    e.subjects.append(
        {QStringLiteral("risk-scores-value"),
         {schema(
             QStringLiteral(R"({"type":"record","name":"Score","namespace":"bank.risk","fields":[
        {"name":"customerRef","type":"string","confluent:tags":["PII"]},{"name":"score","type":"int"},
        {"name":"model","type":"string"},{"name":"computedAt","type":"long"}]})"),
             domainRules({rule(QStringLiteral("encrypt-pii"), encrypt, QStringLiteral("risk-azure"),
                               {pii})}))}});
    e.topics.append(topic(QStringLiteral("risk-scores"), 3, 1500, 365, 0,
                          QStringLiteral("risk-engine"), [](int i, QRandomGenerator &rng) {
                              return DemoValue{
                                  customerId(rng),
                                  {{QStringLiteral("customerRef"), customerId(rng)},
                                   {QStringLiteral("score"), int(rng.bounded(550) + 300)},
                                   {QStringLiteral("model"), QStringLiteral("pd-v7")},
                                   {QStringLiteral("computedAt"), 1705000000000.0 + i * 600000.0}}};
                          }));

    // Under risk-azure-2023: one DEK, which the disabled key no longer decrypts.
    e.subjects.append(
        {QStringLiteral("risk-scores-2023-value"),
         {schema(QStringLiteral(
                     R"({"type":"record","name":"Score2023","namespace":"bank.risk","fields":[
        {"name":"customerRef","type":"string","confluent:tags":["PII"]},{"name":"score","type":"int"}]})"),
                 domainRules({rule(QStringLiteral("encrypt-pii"), encrypt,
                                   QStringLiteral("risk-azure-2023"), {pii})}))}});
    e.topics.append(topic(QStringLiteral("risk-scores-2023"), 1, 40, 540, 420,
                          QStringLiteral("risk-engine"), [](int, QRandomGenerator &rng) {
                              return DemoValue{
                                  customerId(rng),
                                  {{QStringLiteral("customerRef"), customerId(rng)},
                                   {QStringLiteral("score"), int(rng.bounded(550) + 300)}}};
                          }));

    e.subjects.append(
        {QStringLiteral("loan-applications-value"),
         {schema(QStringLiteral(
                     R"({"type":"record","name":"Application","namespace":"bank.lending","fields":[
        {"name":"applicationId","type":"string"},{"name":"applicantName","type":"string","confluent:tags":["PII"]},
        {"name":"ssn","type":"string","confluent:tags":["PII"]},{"name":"annualIncome","type":"string","confluent:tags":["PII"]},
        {"name":"amountRequested","type":"long"},
        {"name":"status","type":{"type":"enum","name":"Status","symbols":["RECEIVED","APPROVED","DECLINED"]}}]})"),
                 domainRules({rule(QStringLiteral("encrypt-pii"), encrypt,
                                   QStringLiteral("loans-vault"), {pii}, expiry(90))}))}});
    e.topics.append(topic(
        QStringLiteral("loan-applications"), 3, 1500, 450, 20, QStringLiteral("lending-portal"),
        [](int i, QRandomGenerator &rng) {
            static const QStringList status{QStringLiteral("RECEIVED"), QStringLiteral("APPROVED"),
                                            QStringLiteral("DECLINED")};
            return DemoValue{
                QStringLiteral("L-%1").arg(i),
                {{QStringLiteral("applicationId"), QStringLiteral("L-%1").arg(30000 + i)},
                 {QStringLiteral("applicantName"), fullName(rng)},
                 {QStringLiteral("ssn"), ssn(rng)},
                 {QStringLiteral("annualIncome"), QString::number(rng.bounded(150000) + 20000)},
                 {QStringLiteral("amountRequested"), double(rng.bounded(400000) + 5000)},
                 {QStringLiteral("status"), pick(status, rng)}}};
        }));

    // Under loans-vault-archive: one DEK, wrapped with key version 1, which the key no longer
    // decrypts (min_decryption_version 3 in the sandbox's Vault).
    e.subjects.append(
        {QStringLiteral("loan-archive-value"),
         {schema(QStringLiteral(
                     R"({"type":"record","name":"ArchivedLoan","namespace":"bank.lending","fields":[
        {"name":"loanId","type":"string"},{"name":"borrowerName","type":"string","confluent:tags":["PII"]},
        {"name":"closedAt","type":"long"}]})"),
                 domainRules({rule(QStringLiteral("encrypt-pii"), encrypt,
                                   QStringLiteral("loans-vault-archive"), {pii})}))}});
    e.topics.append(topic(
        QStringLiteral("loan-archive"), 1, 60, 540, 420, QStringLiteral("loan-archiver"),
        [](int i, QRandomGenerator &rng) {
            return DemoValue{QStringLiteral("A-%1").arg(i),
                             {{QStringLiteral("loanId"), QStringLiteral("A-%1").arg(10000 + i)},
                              {QStringLiteral("borrowerName"), fullName(rng)},
                              {QStringLiteral("closedAt"), 1690000000000.0 + i * 86400000.0}}};
        }));

    e.subjects.append(
        {QStringLiteral("kyc-documents-value"),
         {schema(QStringLiteral(
                     R"({"type":"record","name":"KycDocument","namespace":"bank.retail","fields":[
        {"name":"documentId","type":"string"},{"name":"customerId","type":"string"},{"name":"documentType","type":"string"},
        {"name":"scan","type":"bytes","confluent:tags":["PII"]},{"name":"checksum","type":"string"}]})"),
                 domainRules({rule(QStringLiteral("encrypt-pii"), encrypt,
                                   QStringLiteral("retail-pii"), {pii}, expiry(180))}))}});
    e.topics.append(
        topic(QStringLiteral("kyc-documents"), 2, 400, 540, 0, QStringLiteral("kyc-scanner"),
              [](int i, QRandomGenerator &rng) {
                  QByteArray scan(96 + int(rng.bounded(64)), Qt::Uninitialized);
                  for (char &c : scan)
                      c = char(rng.bounded(256));
                  scan.replace(0, 4, "%PDF");
                  return DemoValue{
                      customerId(rng),
                      {{QStringLiteral("documentId"), QStringLiteral("D-%1").arg(i)},
                       {QStringLiteral("customerId"), customerId(rng)},
                       {QStringLiteral("documentType"),
                        i % 2 ? QStringLiteral("passport") : QStringLiteral("utility-bill")},
                       {QStringLiteral("scan"), QString::fromLatin1(scan.toBase64())},
                       {QStringLiteral("checksum"), QString::fromLatin1(scan.left(8).toHex())}}};
              }));

    // Tags through metadata.tags wildcard paths, parameters from metadata.properties.
    const QJsonObject transfersMeta{
        {QStringLiteral("tags"),
         QJsonObject{{QStringLiteral("**.iban"), QJsonArray{pii}},
                     {QStringLiteral("bank.payments.Transfer.beneficiaryName"), QJsonArray{pii}}}},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("encrypt.kek.name"), QStringLiteral("retail-pii")},
                     {QStringLiteral("encrypt.dek.expiry.days"), QStringLiteral("30")},
                     {QStringLiteral("owner"), QStringLiteral("payments-team")}}}};
    e.subjects.append(
        {QStringLiteral("transfers-value"),
         {schema(QStringLiteral(
                     R"({"type":"record","name":"Transfer","namespace":"bank.payments","fields":[
        {"name":"transferId","type":"string"},{"name":"beneficiaryName","type":"string"},
        {"name":"debtor","type":{"type":"record","name":"Party","fields":[{"name":"iban","type":"string"},{"name":"bic","type":"string"}]}},
        {"name":"creditor","type":"Party"},{"name":"amountMinor","type":"long"},{"name":"reference","type":"string"}]})"),
                 domainRules({rule(QStringLiteral("encrypt-pii"), encrypt, QString(), {pii})}),
                 QStringLiteral("AVRO"), transfersMeta)}});
    e.topics.append(
        topic(QStringLiteral("transfers"), 4, 6000, 540, 45, QStringLiteral("sepa-gateway"),
              [](int i, QRandomGenerator &rng) {
                  return DemoValue{
                      QStringLiteral("X-%1").arg(i),
                      {{QStringLiteral("transferId"), QStringLiteral("X-%1").arg(4000000 + i)},
                       {QStringLiteral("beneficiaryName"), fullName(rng)},
                       {QStringLiteral("debtor"),
                        QJsonObject{{QStringLiteral("iban"), iban(rng)},
                                    {QStringLiteral("bic"), QStringLiteral("NWBKDEFF")}}},
                       {QStringLiteral("creditor"),
                        QJsonObject{{QStringLiteral("iban"), iban(rng)},
                                    {QStringLiteral("bic"), QStringLiteral("COBADEFF")}}},
                       {QStringLiteral("amountMinor"), double(rng.bounded(1000000))},
                       {QStringLiteral("reference"), QStringLiteral("Invoice %1").arg(i)}}};
              }));

    e.subjects.append(
        {QStringLiteral("loyalty-events-value"),
         {schema(
             QStringLiteral(R"({"type":"record","name":"Event","namespace":"bank.loyalty","fields":[
        {"name":"customerId","type":"string"},{"name":"points","type":"int"},{"name":"reason","type":"string"}]})"),
             {})}});
    e.topics.append(topic(QStringLiteral("loyalty-events"), 2, 2000, 300, 0,
                          QStringLiteral("loyalty-service"), [](int, QRandomGenerator &rng) {
                              static const QStringList reasons{QStringLiteral("card-spend"),
                                                               QStringLiteral("referral"),
                                                               QStringLiteral("anniversary")};
                              const QString c = customerId(rng);
                              return DemoValue{c,
                                               {{QStringLiteral("customerId"), c},
                                                {QStringLiteral("points"), int(rng.bounded(500))},
                                                {QStringLiteral("reason"), pick(reasons, rng)}}};
                          }));

    e.subjects.append(
        {QStringLiteral("fraud-alerts-value"),
         {schema(
             QStringLiteral(
                 R"({"$schema":"http://json-schema.org/draft-07/schema#","title":"FraudAlert","type":"object",
        "properties":{"alertId":{"type":"string"},"cardPan":{"type":"string","confluent:tags":["PCI"]},
        "customerName":{"type":"string","confluent:tags":["PII"]},"riskScore":{"type":"number"},"reason":{"type":"string"}}})"),
             domainRules({rule(QStringLiteral("encrypt-card-and-name"), encrypt,
                               QStringLiteral("payments-pci"), {pci, pii}, expiry(7))}),
             QStringLiteral("JSON"))}});
    e.topics.append(topic(
        QStringLiteral("fraud-alerts"), 2, 1200, 120, 0, QStringLiteral("fraud-detector"),
        [](int i, QRandomGenerator &rng) {
            return DemoValue{QStringLiteral("F-%1").arg(i),
                             {{QStringLiteral("alertId"), QStringLiteral("F-%1").arg(i)},
                              {QStringLiteral("cardPan"), pan(rng)},
                              {QStringLiteral("customerName"), fullName(rng)},
                              {QStringLiteral("riskScore"), double(rng.bounded(1000)) / 1000.0},
                              {QStringLiteral("reason"), QStringLiteral("velocity")}}};
        }));

    e.subjects.append(
        {QStringLiteral("support-tickets-value"),
         {schema(
             QStringLiteral(
                 R"({"type":"record","name":"Ticket","namespace":"bank.support","fields":[
        {"name":"ticketId","type":"string"},{"name":"customerEmail","type":"string","confluent:tags":["PII"]},
        {"name":"subject","type":"string"},{"name":"body","type":"string","confluent:tags":["PII"]},{"name":"priority","type":"int"}]})"),
             domainRules({rule(QStringLiteral("encrypt-pii"), encrypt, QStringLiteral("retail-pii"),
                               {pii}, expiry(0, QStringLiteral("AES128_GCM")))}))}});
    e.topics.append(topic(
        QStringLiteral("support-tickets"), 3, 1500, 540, 0, QStringLiteral("helpdesk"),
        [](int i, QRandomGenerator &rng) {
            const QString name = fullName(rng);
            return DemoValue{QStringLiteral("TK-%1").arg(i),
                             {{QStringLiteral("ticketId"), QStringLiteral("TK-%1").arg(i)},
                              {QStringLiteral("customerEmail"), email(name, rng)},
                              {QStringLiteral("subject"), QStringLiteral("Card blocked abroad")},
                              {QStringLiteral("body"),
                               QStringLiteral("Hello, this is %1; my card %2 was declined.")
                                   .arg(name, digits(4, rng))},
                              {QStringLiteral("priority"), int(rng.bounded(3) + 1)}}};
        }));

    // Protobuf: tags from (confluent.field_meta) and from a metadata.tags wildcard, on a nested
    // message's field and a oneof member; repeated messages, a map and a Timestamp beside them.
    e.subjects.append(
        {QStringLiteral("atm-withdrawals-value"),
         {schema(QStringLiteral(R"(syntax = "proto3";
package bank.atm;

import "confluent/meta.proto";
import "google/protobuf/timestamp.proto";

message Withdrawal {
  string withdrawal_id = 1;
  Holder holder = 2;
  int64 amount_minor = 3;
  string currency = 4;
  string terminal_id = 5;
  repeated Note notes = 6;
  map<string, string> labels = 7;
  google.protobuf.Timestamp at = 8;
  // Last on the wire: a receipt always goes somewhere.
  oneof receipt {
    string receipt_email = 11 [(confluent.field_meta).tags = "PII"];
    string receipt_phone = 12 [(confluent.field_meta).tags = "PII"];
  }

  message Holder {
    string name = 1 [(confluent.field_meta).tags = "PII"];
    string account_number = 2;
  }
  message Note {
    int32 value = 1;
    int32 count = 2;
  }
}
)"),
                 domainRules({rule(QStringLiteral("encrypt-pii"), encrypt,
                                   QStringLiteral("retail-pii"), {pii}, expiry(180))}),
                 QStringLiteral("PROTOBUF"),
                 {{QStringLiteral("tags"),
                   QJsonObject{{QStringLiteral("**.account_number"), QJsonArray{pii}}}}})}});
    e.topics.append(topic(
        QStringLiteral("atm-withdrawals"), 2, 1800, 400, 0, QStringLiteral("atm-network"),
        [](int i, QRandomGenerator &rng) {
            const QString id = QStringLiteral("W-%1").arg(700000 + i);
            const QString name = fullName(rng);
            const int notes = int(rng.bounded(5)) + 1;
            QJsonObject value{
                {QStringLiteral("withdrawalId"), id},
                {QStringLiteral("holder"),
                 QJsonObject{{QStringLiteral("name"), name},
                             {QStringLiteral("accountNumber"), digits(10, rng)}}},
                {QStringLiteral("amountMinor"), QString::number(notes * 2000)},
                {QStringLiteral("currency"), QStringLiteral("EUR")},
                {QStringLiteral("terminalId"), QStringLiteral("ATM-%1").arg(rng.bounded(40) + 1)},
                {QStringLiteral("notes"),
                 QJsonArray{
                     QJsonObject{{QStringLiteral("value"), 20}, {QStringLiteral("count"), notes}}}},
                {QStringLiteral("labels"),
                 QJsonObject{{QStringLiteral("channel"), QStringLiteral("atm")}}},
                {QStringLiteral("at"),
                 QDateTime::fromMSecsSinceEpoch(1710000000000 + qint64(i) * 60000)
                     .toUTC()
                     .toString(Qt::ISODate)}};
            if (i % 3 == 0)
                value.insert(QStringLiteral("receiptEmail"), email(name, rng));
            else
                value.insert(QStringLiteral("receiptPhone"),
                             QString(QStringLiteral("+49") + digits(10, rng)));
            return DemoValue{id, value};
        },
        450));

    const QString gcm = QStringLiteral("AES256_GCM");
    e.deletions = {
        // One superseded DEK version retired.
        {DemoDeletion::Kind::DekVersion, QStringLiteral("retail-pii"),
         QStringLiteral("transfers-value"), 3, gcm},
        // The retired CRM: its DEKs, then its KEK, soft-deleted (kept for reading old data).
        {DemoDeletion::Kind::DekSubject, QStringLiteral("legacy-crm"),
         QStringLiteral("crm-contacts-value"), 0, gcm},
        {DemoDeletion::Kind::Kek, QStringLiteral("legacy-crm"), {}, 0, {}},
    };
    return e;
}

} // namespace kw::sandbox
