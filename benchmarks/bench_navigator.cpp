// Navigator at scale: a sandbox with 10,000 KEKs and 100,000 DEKs (the synthetic scale seed,
// served over HTTP from a thread of its own) browsed by the real MainWindow, offscreen.
// Run: build/dev/bin/bench_navigator [keks] [deks]   (QT_QPA_PLATFORM defaults to offscreen)
//
// Prints: time to the first KEK rows in the view; KEK list time (all pages); total time, which
// covers every KEK row, then every KEK's DEK subjects and every subject's versions (all three
// algorithms) loaded through the model with at most 48 node loads in flight, as a user
// expanding everything would; peak RSS (VmHWM); and the longest gap between ticks of a 5 ms
// UI-thread timer while loading (the worst stall a user would feel).

#include "core/sandbox/sandbox.h"
#include "core/sandbox/sandboxstore.h"
#include "core/sandbox/scaleseed.h"
#include "models/navigator/navigatormodel.h"
#include "widgets/mainwindow/mainwindow.h"
#include "widgets/mainwindow/navigatorpane.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QQueue>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <memory>

using namespace kw;

namespace {

QString vmHwm()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return QStringLiteral("n/a");
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return QString::fromLatin1(line.mid(6).trimmed());
    return QStringLiteral("n/a");
}

// Owns the sandbox in the thread it runs on, so its server never competes with the UI thread.
class SandboxThread
{
public:
    Result<QString> start(int keks, int deks)
    {
        m_thread.start();
        m_context = new QObject;
        m_context->moveToThread(&m_thread);
        Result<QString> result = makeError(QStringLiteral("bench"), QStringLiteral("not run"));
        QMetaObject::invokeMethod(
            m_context,
            [&] {
                m_sandbox = std::make_unique<sandbox::Sandbox>();
                sandbox::SandboxOptions options;
                options.maxKeys = keks + deks + 1000;
                if (auto started = m_sandbox->start(options); !started) {
                    result = started.error();
                    return;
                }
                QElapsedTimer seedTimer;
                seedTimer.start();
                auto seeded = sandbox::seedScale(*m_sandbox->store(), {keks, deks, 2});
                if (!seeded) {
                    result = seeded.error();
                    return;
                }
                std::printf("seed: %d KEKs, %d DEK subjects, %d DEKs in %lld ms\n", seeded->keks,
                            seeded->subjects, seeded->deks,
                            static_cast<long long>(seedTimer.elapsed()));
                result = m_sandbox->registryUrl();
            },
            Qt::BlockingQueuedConnection);
        return result;
    }
    ~SandboxThread()
    {
        if (m_context)
            QMetaObject::invokeMethod(
                m_context, [this] { m_sandbox.reset(); }, Qt::BlockingQueuedConnection);
        delete m_context;
        m_thread.quit();
        m_thread.wait();
    }

private:
    QThread m_thread;
    QObject *m_context = nullptr;
    std::unique_ptr<sandbox::Sandbox> m_sandbox;
};

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("KeywardenBench"));
    const QStringList args = QCoreApplication::arguments();
    const int kekCount = args.size() > 1 ? args.at(1).toInt() : 10000;
    const int dekCount = args.size() > 2 ? args.at(2).toInt() : 100000;

    SandboxThread sandboxThread;
    const Result<QString> url = sandboxThread.start(kekCount, dekCount);
    if (!url) {
        std::fprintf(stderr, "sandbox: %s\n", qPrintable(url.error().message));
        return 1;
    }

    MainWindow window({});
    window.show();
    NavigatorModel *model = window.navigatorPane()->model();

    // Stall meter: a 5 ms timer on the UI thread; the longest gap between ticks.
    QElapsedTimer tick;
    qint64 maxGap = 0;
    QTimer meter;
    meter.setTimerType(Qt::PreciseTimer);
    meter.setInterval(5);
    QObject::connect(&meter, &QTimer::timeout, &app,
                     [&] { maxGap = qMax(maxGap, tick.restart()); });

    QElapsedTimer clock;
    qint64 firstRows = -1, kekListDone = -1, total = -1;
    qint64 kekListStall = 0;
    int subjectsLoaded = 0, versionRows = 0, kekRows = 0;
    // Plain indexes: nothing above them moves during the crawl, and persistent ones would
    // make every row insert walk 30,000 of them (that would measure the benchmark).
    QQueue<QModelIndex> queue;
    int inFlight = 0;
    constexpr int kWindow = 48;
    auto pump = [&] {
        while (inFlight < kWindow && !queue.isEmpty()) {
            const QModelIndex next = queue.dequeue();
            if (next.isValid() && model->canFetchMore(next)) {
                model->fetchMore(next);
                ++inFlight;
            }
        }
        if (inFlight == 0 && queue.isEmpty() && kekListDone >= 0 && total < 0) {
            total = clock.elapsed();
            QCoreApplication::quit();
        }
    };

    QObject::connect(model, &QAbstractItemModel::rowsInserted, &app,
                     [&](const QModelIndex &parent, int first, int last) {
                         const auto kind = NavigatorModel::Kind(
                             model->index(first, 0, parent).data(NavigatorModel::KindRole).toInt());
                         if (kind == NavigatorModel::Kind::Kek) {
                             kekRows += last - first + 1;
                             if (firstRows < 0)
                                 firstRows = clock.elapsed();
                         } else if (kind == NavigatorModel::Kind::DekVersion) {
                             versionRows += last - first + 1;
                         }
                     });
    QObject::connect(model, &NavigatorModel::nodeLoaded, &app,
                     [&](const QModelIndex &index, const QString &error) {
                         if (!error.isEmpty())
                             std::fprintf(stderr, "load error: %s\n", qPrintable(error));
                         const auto kind =
                             NavigatorModel::Kind(index.data(NavigatorModel::KindRole).toInt());
                         if (kind == NavigatorModel::Kind::Section &&
                             index.data(NavigatorModel::SectionRole).toInt() ==
                                 int(NavigatorModel::Section::Keys)) {
                             kekListDone = clock.elapsed();
                             kekListStall = maxGap;
                             for (int r = 0; r < model->rowCount(index); ++r)
                                 queue.enqueue(model->index(r, 0, index));
                         } else if (kind == NavigatorModel::Kind::Kek) {
                             --inFlight;
                             for (int r = 0; r < model->rowCount(index); ++r)
                                 queue.enqueue(model->index(r, 0, index));
                         } else if (kind == NavigatorModel::Kind::DekSubject) {
                             --inFlight;
                             ++subjectsLoaded;
                         }
                         pump();
                     });

    QTimer::singleShot(0, &app, [&] {
        const QString registryUrl = *url;
        profiles::ConnectionProfile profile;
        profile.name = QStringLiteral("Scale sandbox");
        profile.registry.baseUrl = QUrl(registryUrl);
        clock.start();
        tick.start();
        meter.start();
        window.openConnection(profile);
    });
    QTimer::singleShot(600000, &app, [] {
        std::fprintf(stderr, "timed out after 10 minutes\n");
        QCoreApplication::exit(2);
    });
    const int rc = app.exec();
    meter.stop();

    std::printf("first KEK rows visible:   %lld ms\n", static_cast<long long>(firstRows));
    std::printf("KEK list (%d rows):     %lld ms (longest UI stall so far %lld ms)\n", kekRows,
                static_cast<long long>(kekListDone), static_cast<long long>(kekListStall));
    std::printf("total (KEKs + %d DEK subjects + %d DEK version rows): %lld ms\n", subjectsLoaded,
                versionRows, static_cast<long long>(total));
    std::printf("peak memory (VmHWM):      %s\n", qPrintable(vmHwm()));
    std::printf("longest UI stall:         %lld ms (5 ms timer)\n", static_cast<long long>(maxGap));
    return rc;
}
