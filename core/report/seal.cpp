#include "core/report/seal.h"

#include "core/crypto/signing.h"
#include "core/domain/textout.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonDocument>

namespace kw::report {

namespace {

const QByteArray PdfMarker = QByteArrayLiteral("\n%KEYWARDEN-SEAL ");
const QByteArray HtmlMarker = QByteArrayLiteral("\n<!-- KEYWARDEN-SEAL ");
const QByteArray HtmlEnd = QByteArrayLiteral(" -->\n");
const QString SealMember = QStringLiteral("seal");
constexpr int SealVersion = 1;

Error notSealed(const QString &why)
{
    return makeError(QString(ErrorNotSealed),
                     QStringLiteral("The report carries no Keywarden seal: %1. Only reports "
                                    "Keywarden generated and nobody re-saved can be verified.")
                         .arg(why));
}

Error tampered(const QString &why)
{
    return makeError(QString(ErrorTampered),
                     QStringLiteral("The report was changed after it was sealed: %1.").arg(why));
}

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Splits PDF and HTML files at their seal: (content, seal JSON).
Result<std::pair<QByteArray, QByteArray>> splitTrailer(SealFormat format, const QByteArray &file)
{
    const QByteArray &marker = format == SealFormat::Pdf ? PdfMarker : HtmlMarker;
    const qsizetype at = file.lastIndexOf(marker);
    if (at < 0)
        return notSealed(QStringLiteral("no seal line at its end"));
    QByteArray json = file.mid(at + marker.size());
    if (format == SealFormat::Html) {
        if (!json.endsWith(HtmlEnd))
            return tampered(QStringLiteral("something follows its seal"));
        json.chop(HtmlEnd.size());
    } else {
        if (!json.endsWith('\n') || json.count('\n') != 1)
            return tampered(QStringLiteral("something follows its seal"));
        json.chop(1);
    }
    return std::pair{file.left(at), json};
}

} // namespace

std::optional<SealFormat> sealFormatOf(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("pdf"))
        return SealFormat::Pdf;
    if (suffix == QLatin1String("html") || suffix == QLatin1String("htm"))
        return SealFormat::Html;
    if (suffix == QLatin1String("json"))
        return SealFormat::Json;
    if (suffix == QLatin1String("csv"))
        return SealFormat::Csv;
    return std::nullopt;
}

QByteArray Seal::signedBytes() const
{
    QByteArray out = QByteArrayLiteral("keywarden-report-seal/1\n");
    out += "sha256 " + sha256.toLatin1() + '\n';
    out += "audit-head " + auditHeadMac.toLatin1() + '\n';
    out += "audit-entries " + QByteArray::number(auditEntries) + '\n';
    out += "signed-ms " + QByteArray::number(signedMs) + '\n';
    out += "public-key " + publicKey.toHex() + '\n';
    return out;
}

QJsonObject Seal::toJson() const
{
    return {{QStringLiteral("format"), QStringLiteral("keywarden-report-seal")},
            {QStringLiteral("version"), SealVersion},
            {QStringLiteral("sha256"), sha256},
            {QStringLiteral("auditHeadMac"), auditHeadMac},
            {QStringLiteral("auditEntries"), auditEntries},
            {QStringLiteral("signedAt"),
             QDateTime::fromMSecsSinceEpoch(signedMs).toUTC().toString(Qt::ISODateWithMs)},
            {QStringLiteral("signedMs"), signedMs},
            {QStringLiteral("algorithm"), QStringLiteral("Ed25519")},
            {QStringLiteral("publicKey"), QString::fromLatin1(publicKey.toBase64())},
            {QStringLiteral("keyFingerprint"), keyFingerprint()},
            {QStringLiteral("signature"), QString::fromLatin1(signature.toBase64())}};
}

Result<Seal> Seal::fromJson(const QJsonObject &o)
{
    if (o.value(QStringLiteral("format")).toString() != QLatin1String("keywarden-report-seal") ||
        o.value(QStringLiteral("version")).toInt() != SealVersion)
        return notSealed(QStringLiteral("its seal is not a keywarden-report-seal of version %1")
                             .arg(SealVersion));
    Seal seal;
    seal.sha256 = o.value(QStringLiteral("sha256")).toString();
    seal.auditHeadMac = o.value(QStringLiteral("auditHeadMac")).toString();
    seal.auditEntries = o.value(QStringLiteral("auditEntries")).toInteger(-1);
    seal.signedMs = o.value(QStringLiteral("signedMs")).toInteger(-1);
    const auto decode = [](const QJsonValue &value) {
        return QByteArray::fromBase64Encoding(value.toString().toLatin1(),
                                              QByteArray::AbortOnBase64DecodingErrors);
    };
    const auto key = decode(o.value(QStringLiteral("publicKey")));
    const auto signature = decode(o.value(QStringLiteral("signature")));
    if (!key || !signature || seal.sha256.size() != 64 || seal.auditEntries < 0 ||
        seal.signedMs < 0)
        return tampered(QStringLiteral("its seal's fields are malformed"));
    seal.publicKey = *key;
    seal.signature = *signature;
    return seal;
}

QString Seal::keyFingerprint() const
{
    return crypto::keyFingerprint(publicKey);
}

Result<SealedReport> seal(SealFormat format, const QByteArray &content, const AuditHeadRef &head,
                          const crypto::SecureBytes &seed, qint64 nowMs)
{
    auto publicKey = crypto::ed25519PublicKey(seed);
    if (!publicKey)
        return publicKey.error();
    Seal s;
    s.auditHeadMac = head.lastMac;
    s.auditEntries = head.entries;
    s.signedMs = nowMs;
    s.publicKey = *publicKey;
    SealedReport out;
    QByteArray signedContent = content;
    QJsonObject document;
    if (format == SealFormat::Json) {
        QJsonParseError error{};
        const QJsonDocument parsed = QJsonDocument::fromJson(content, &error);
        if (!parsed.isObject())
            return makeError(QString(ErrorNotSealed),
                             QStringLiteral("A JSON report must be one JSON object (%1).")
                                 .arg(error.errorString()));
        document = parsed.object();
        document.remove(SealMember);
        signedContent = compact(document);
    }
    s.sha256 = sha256Hex(signedContent);
    auto signature = crypto::ed25519Sign(seed, s.signedBytes());
    if (!signature)
        return signature.error();
    s.signature = *signature;
    out.sha256 = s.sha256;
    const QByteArray sealJson = compact(s.toJson());
    switch (format) {
    case SealFormat::Pdf:
        out.file = content + PdfMarker + sealJson + '\n';
        break;
    case SealFormat::Html:
        out.file = content + HtmlMarker + sealJson + HtmlEnd;
        break;
    case SealFormat::Json:
        document.insert(SealMember, s.toJson());
        out.file = QJsonDocument(document).toJson(QJsonDocument::Indented);
        break;
    case SealFormat::Csv:
        out.file = content;
        out.sealFile = QJsonDocument(s.toJson()).toJson(QJsonDocument::Indented);
        break;
    }
    return out;
}

Result<Seal> verifySeal(SealFormat format, const QByteArray &file, const QByteArray &sealFile,
                        const QByteArray &trustedKey)
{
    QByteArray content;
    QJsonObject sealJson;
    if (format == SealFormat::Pdf || format == SealFormat::Html) {
        auto split = splitTrailer(format, file);
        if (!split)
            return split.error();
        content = split->first;
        const QJsonDocument parsed = QJsonDocument::fromJson(split->second);
        if (!parsed.isObject())
            return tampered(QStringLiteral("its seal line is not JSON"));
        sealJson = parsed.object();
    } else if (format == SealFormat::Json) {
        const QJsonDocument parsed = QJsonDocument::fromJson(file);
        if (!parsed.isObject())
            return notSealed(QStringLiteral("it is not one JSON object"));
        QJsonObject document = parsed.object();
        if (!document.value(SealMember).isObject())
            return notSealed(QStringLiteral("it has no \"seal\" member"));
        sealJson = document.value(SealMember).toObject();
        document.remove(SealMember);
        content = compact(document);
    } else {
        if (sealFile.isEmpty())
            return notSealed(QStringLiteral("a CSV report's seal is the file beside it, "
                                            "REPORT.csv.seal.json, and it is missing or empty"));
        const QJsonDocument parsed = QJsonDocument::fromJson(sealFile);
        if (!parsed.isObject())
            return notSealed(QStringLiteral("its seal file is not JSON"));
        sealJson = parsed.object();
        content = file;
    }
    auto s = Seal::fromJson(sealJson);
    if (!s)
        return s.error();
    const QString actual = sha256Hex(content);
    if (actual != s->sha256)
        return tampered(QStringLiteral("its content's SHA-256 is %1, the seal names %2")
                            .arg(actual, s->sha256));
    if (!crypto::ed25519Verify(s->publicKey, s->signedBytes(), s->signature))
        return tampered(QStringLiteral("the seal's Ed25519 signature does not verify under the "
                                       "key it names (%1)")
                            .arg(s->keyFingerprint()));
    if (!trustedKey.isEmpty() && trustedKey != s->publicKey)
        return makeError(QString(ErrorUntrustedKey),
                         QStringLiteral("The report's seal is intact, but it was signed by key %1, "
                                        "not by the key you trust (%2).")
                             .arg(s->keyFingerprint(), crypto::keyFingerprint(trustedKey)));
    return s;
}

QString sealFileFor(const QString &reportPath)
{
    return reportPath + QStringLiteral(".seal.json");
}

Result<QString> saveSealed(const QString &path, SealFormat format, const QByteArray &content,
                           const AuditHeadRef &head, const crypto::SecureBytes &seed, qint64 nowMs)
{
    auto sealed = seal(format, content, head, seed, nowMs);
    if (!sealed)
        return sealed.error();
    const QString code = QStringLiteral("report.write");
    const auto writeBytes = [&](const QByteArray &bytes, const QString &file) {
        return savePrivateFile(file, code, [&](QIODevice *device) {
            return writeAll(device, bytes, code, QStringLiteral("The report %1").arg(file));
        });
    };
    if (format == SealFormat::Csv) {
        // The seal first: a report without its seal would be refused as unsealed, never taken
        // as one whose seal is an older report's.
        if (auto written = writeBytes(sealed->sealFile, sealFileFor(path)); !written)
            return written.error();
    }
    if (auto written = writeBytes(sealed->file, path); !written)
        return written.error();
    return sealed->sha256;
}

} // namespace kw::report
