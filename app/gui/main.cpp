// keywarden: the desktop console.

#include "app/gui/demo.h"
#include "core/domain/privatefiles.h"
#include "core/domain/processhardening.h"
#include "core/sandbox/sandboxhost.h"
#include "core/services/buildinfo.h"
#include "screenshottour.h"
#include "widgets/mainwindow/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

void describeOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Administration console for the keys behind Kafka client-side field level encryption."));
    parser.addHelpOption();
    parser.addOption({QStringList{QStringLiteral("v"), QStringLiteral("version")},
                      QStringLiteral("Print the version and the libraries in use, then exit.")});
    parser.addOption(
        {QStringLiteral("demo"),
         QStringLiteral("Open the embedded sandbox with demo data (no servers needed).")});
    QCommandLineOption screenshots(
        QStringLiteral("screenshots"),
        QStringLiteral("With --demo: walk the demo estate, save screenshots into DIR, quit."),
        QStringLiteral("DIR"));
    screenshots.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshots);
}

// --help and --version must work without a display, so they are answered before a
// QApplication (which needs one) exists.
bool wantsInformationOnly(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (!std::strcmp(a, "-h") || !std::strcmp(a, "--help") || !std::strcmp(a, "--help-all") ||
            !std::strcmp(a, "-v") || !std::strcmp(a, "--version") || !std::strcmp(a, "-?"))
            return true;
    }
    return false;
}

bool hasDisplay()
{
    const QByteArray platform = qgetenv("QT_QPA_PLATFORM");
    if (!platform.isEmpty())
        return true; // the user chose a platform (offscreen, vnc, ...); let Qt judge it
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

void setIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Keywarden"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("keywarden.dev"));
    QCoreApplication::setApplicationName(QStringLiteral("Keywarden"));
    QCoreApplication::setApplicationVersion(kw::applicationVersion());
}

} // namespace

int main(int argc, char *argv[])
{
#ifdef KEYWARDEN_NO_CORE_DUMPS
    // Unwrapped DEKs and revealed values live in this process: never in a core file.
    if (auto off = kw::disableCoreDumps(); !off)
        std::fprintf(stderr, "keywarden: warning: %s\n", qPrintable(off.error().message));
#endif
    setIdentity();

    if (wantsInformationOnly(argc, argv)) {
        QCoreApplication app(argc, argv);
        QCommandLineParser parser;
        describeOptions(parser);
        parser.process(app); // prints help and exits for -h/--help
        if (parser.isSet(QStringLiteral("version"))) {
            std::printf("%s\n", qPrintable(kw::versionLine(QStringLiteral("keywarden"))));
            std::printf("core dumps: %s\n", kw::coreDumpsPossible() ? "on" : "off");
        }
        return 0;
    }

    if (!hasDisplay()) {
        std::fprintf(stderr,
                     "keywarden: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
                     "Keywarden is a desktop application. To run it without a screen, start it\n"
                     "under a virtual X server:\n"
                     "    xvfb-run -a keywarden%s\n"
                     "(xvfb-run comes with the Debian package 'xvfb').\n",
                     argc > 1 ? " --demo" : "");
        return 2;
    }

    QApplication app(argc, argv);
    QGuiApplication::setDesktopFileName(kw::applicationId());
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/keywarden.svg")));

    QCommandLineParser parser;
    describeOptions(parser);
    parser.process(app);

    // The data and config folders are the owner's alone, whatever the umask.
    if (auto ok = kw::makePrivateAppFolders(); !ok)
        std::fprintf(stderr, "keywarden: warning: %s\n", qPrintable(ok.error().message));

    kw::MainWindow::Options options;
    options.demo = parser.isSet(QStringLiteral("demo"));
    kw::MainWindow window(options);
    // --demo runs the same sandbox as keywarden-sandbox, in-process on a thread of its own.
    kw::sandbox::SandboxHost sandboxHost;
    if (options.demo) {
        kw::sandbox::SandboxOptions sandboxOptions;
        sandboxOptions.seed = QStringLiteral("demo");
        kw::followSandbox(window, sandboxHost);
        sandboxHost.start(sandboxOptions);
    }
    window.show();
    std::unique_ptr<kw::ScreenshotTour> tour;
    if (options.demo && parser.isSet(QStringLiteral("screenshots"))) {
        window.resize(1400, 860);
        tour = std::make_unique<kw::ScreenshotTour>(&window,
                                                    parser.value(QStringLiteral("screenshots")));
        QObject::connect(tour.get(), &kw::ScreenshotTour::finished, &app,
                         [](bool ok) { QCoreApplication::exit(ok ? 0 : 1); });
        tour->start();
    }
    return app.exec();
}
