// keywarden-cli report: compliance reports' seals (writing one: cmd_reportgenerate.cpp).
//   verify FILE [--public-key FILE]  checks that the report is the one Keywarden sealed: its
//                                    SHA-256, the Ed25519 signature over it and the audit head,
//                                    and that the signing key is one you trust (the key given,
//                                    or else this installation's). Exit 0 when all hold, 1 when
//                                    not, 65 when the file carries no seal.
//   key [-o FILE]                    this installation's report-signing public key as PEM (the
//                                    key is made on first use and kept in the keychain).

#include "clicommon.h"
#include "commands.h"
#include "core/crypto/signing.h"
#include "core/domain/textout.h"
#include "core/report/seal.h"
#include "core/services/reportkey.h"

#include <QDateTime>
#include <QFile>
#include <QJsonObject>

#include <cstdio>

using namespace kw;
using namespace kw::cli;

namespace {

const QString OptPublicKey = QStringLiteral("public-key");
const QString OptOutput = QStringLiteral("output");

Result<QByteArray> readFile(const QString &path, const QString &what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(
            QStringLiteral("cli.read"),
            QStringLiteral("Could not read %1 %2: %3.").arg(what, path, file.errorString()));
    return file.readAll();
}

int verifyCommand(const QCommandLineParser &parser)
{
    auto format = formatFromOptions(parser);
    const QStringList args = parser.positionalArguments();
    if (!format || args.size() != 2) {
        printError(format ? QStringLiteral("report verify: name the report to check: "
                                           "keywarden-cli report verify FILE [--public-key FILE].")
                          : format.error().message);
        return ExitUsage;
    }
    const QString path = args.at(1);
    const auto sealFormat = report::sealFormatOf(path);
    if (!sealFormat) {
        printError(QStringLiteral("report verify: %1 is not a .pdf, .html, .json or .csv report.")
                       .arg(path));
        return ExitUsage;
    }
    auto bytes = readFile(path, QStringLiteral("the report"));
    if (!bytes) {
        printError(bytes.error());
        return ExitFailure;
    }
    QByteArray sealFile;
    if (*sealFormat == report::SealFormat::Csv && QFile::exists(report::sealFileFor(path))) {
        auto read = readFile(report::sealFileFor(path), QStringLiteral("the seal"));
        if (!read) {
            printError(read.error());
            return ExitFailure;
        }
        sealFile = *read;
    }
    QByteArray trusted;
    QString trustedAs;
    if (parser.isSet(OptPublicKey)) {
        auto text = readFile(parser.value(OptPublicKey), QStringLiteral("the public key"));
        auto key = text ? report::publicKeyFromText(*text) : Result<QByteArray>(text.error());
        if (!key) {
            printError(QStringLiteral("report verify: %1").arg(key.error().message));
            return ExitUsage;
        }
        trusted = *key;
        trustedAs = QStringLiteral("the key you gave (--public-key)");
    }
    auto checked = report::verifySeal(*sealFormat, *bytes, sealFile, trusted);
    // Without --public-key the seal must be by this installation's key: anyone can seal a
    // report with a key of their own.
    QString trustProblem;
    if (checked && trusted.isEmpty()) {
        auto local = await(report::ReportKey::existingPublicKey(
            std::make_shared<profiles::KeychainSecretStore>()));
        if (local && *local == checked->publicKey)
            trustedAs = QStringLiteral("this installation's report key");
        else
            trustProblem =
                QStringLiteral("The seal is intact, but it was made with key %1, which is not "
                               "this installation's report key%2. Check it against the key you "
                               "trust: keywarden-cli report verify %3 --public-key KEY.pem.")
                    .arg(checked->keyFingerprint(),
                         local ? QString() : QStringLiteral(" (%1)").arg(local.error().message),
                         path);
    }
    const bool ok = checked && trustProblem.isEmpty();
    if (*format == Format::Json) {
        QJsonObject out{{QStringLiteral("path"), path}, {QStringLiteral("ok"), ok}};
        if (checked) {
            out.insert(QStringLiteral("seal"), checked->toJson());
            out.insert(QStringLiteral("trustedAs"), trustedAs);
        }
        if (!ok)
            out.insert(
                QStringLiteral("error"),
                QJsonObject{
                    {QStringLiteral("code"),
                     checked ? QStringLiteral("report.untrusted_key") : checked.error().code},
                    {QStringLiteral("message"), checked ? trustProblem : checked.error().message}});
        printJsonLine(out);
    } else {
        QString text = QStringLiteral("Report:     %1\n").arg(path);
        if (checked) {
            text += QStringLiteral("SHA-256:    %1 (matches its content)\n").arg(checked->sha256);
            text += QStringLiteral("Signed:     %1 with Ed25519 key %2\n")
                        .arg(QDateTime::fromMSecsSinceEpoch(checked->signedMs)
                                 .toUTC()
                                 .toString(Qt::ISODate),
                             checked->keyFingerprint());
            text += QStringLiteral("Audit head: %1 entries, last MAC %2\n")
                        .arg(checked->auditEntries)
                        .arg(checked->auditHeadMac.isEmpty() ? QStringLiteral("(empty log)")
                                                             : checked->auditHeadMac);
        }
        if (ok)
            text += QStringLiteral("Result:     OK: unchanged since it was sealed, by %1.\n")
                        .arg(trustedAs);
        else
            text += QStringLiteral("Result:     NOT VERIFIED: %1\n")
                        .arg(checked ? trustProblem : checked.error().message);
        writeStdout(text.toUtf8());
    }
    if (ok)
        return ExitOk;
    return !checked && checked.error().code == report::ErrorNotSealed ? ExitDataError : ExitFailure;
}

int keyCommand(const QCommandLineParser &parser)
{
    if (auto extra = refuseExtraArguments(parser, {QStringLiteral("report")}, 1))
        return *extra;
    auto seed =
        await(report::ReportKey::loadOrCreate(std::make_shared<profiles::KeychainSecretStore>()));
    if (!seed) {
        printError(QStringLiteral("report key: the report-signing key lives in the system "
                                  "keychain, which refused: %1")
                       .arg(seed.error().message));
        return exitCodeFor(seed.error());
    }
    auto publicKey = crypto::ed25519PublicKey(*seed);
    if (!publicKey) {
        printError(publicKey.error());
        return ExitFailure;
    }
    const QByteArray pem = report::publicKeyPem(*publicKey);
    if (!parser.isSet(OptOutput) || parser.value(OptOutput) == QLatin1String("-")) {
        writeStdout(pem);
    } else {
        // Public, but written like every other export: whole or not at all.
        auto saved = savePrivateFile(
            parser.value(OptOutput), QStringLiteral("report.key_write"), [&pem](QIODevice *device) {
                return writeAll(device, pem, QStringLiteral("report.key_write"),
                                QStringLiteral("The public key"));
            });
        if (!saved) {
            printError(QStringLiteral("report key: %1").arg(saved.error().message));
            return ExitFailure;
        }
    }
    std::fprintf(stderr, "keywarden-cli: report key %s (Ed25519)\n",
                 qPrintable(crypto::keyFingerprint(*publicKey)));
    return ExitOk;
}

} // namespace

int runReportCommand(const QStringList &arguments)
{
    const QString action = arguments.value(1);
    if (action != QLatin1String("verify") && action != QLatin1String("key") &&
        (action.isEmpty() || action.startsWith(QLatin1Char('-'))))
        return runReportGenerateCommand(arguments);
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("verify or key."));
    if (action == QLatin1String("verify")) {
        parser.setApplicationDescription(QStringLiteral(
            "Checks a compliance report's seal: the SHA-256 of its content, the Ed25519 "
            "signature over it and the audit log's head, and that the key that signed it is one "
            "you trust: the one given with --public-key, or else this installation's report key. "
            "A CSV report's seal is the file beside it, REPORT.csv.seal.json. Exit 0 when it "
            "verifies, 1 when not, 65 when the file carries no seal."));
        parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("The report."));
        addFormatOption(parser);
        parser.addOption({OptPublicKey,
                          QStringLiteral("The report key you trust: the PEM 'report key' writes, "
                                         "or the base64 key a report prints."),
                          QStringLiteral("FILE")});
    } else if (action == QLatin1String("key")) {
        parser.setApplicationDescription(QStringLiteral(
            "Writes this installation's report-signing public key as PEM, making the key on "
            "first use (it is kept in the system keychain). Give it to auditors for 'report "
            "verify --public-key'."));
        parser.addOption({{QStringLiteral("o"), OptOutput},
                          QStringLiteral("The file to write (default: standard output)."),
                          QStringLiteral("FILE")});
    }
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    if (action == QLatin1String("verify"))
        return verifyCommand(parser);
    if (action == QLatin1String("key"))
        return keyCommand(parser);
    printError(QStringLiteral("report: the action must be verify or key, not '%1' (without an "
                              "action, 'report -o FILE' writes a report). Run 'keywarden-cli "
                              "report [ACTION] --help' for the options.")
                   .arg(action));
    return ExitUsage;
}
