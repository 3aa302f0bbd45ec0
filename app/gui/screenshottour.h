#pragma once
// keywarden --demo --screenshots DIR: walks the demo estate the way a person would (a KEK, a
// DEK version, a schema, a records preview, the rotation schedule, a workflow's plan) and saves a
// PNG of the window at each stop, then quits. scripts/screenshots.sh runs it under xvfb-run to
// refresh the README's pictures.

#include <QObject>
#include <QString>

#include <functional>

class QWidget;

namespace kw {

class MainWindow;

class ScreenshotTour final : public QObject
{
    Q_OBJECT

public:
    ScreenshotTour(MainWindow *window, QString directory, QObject *parent = nullptr);
    void start();

Q_SIGNALS:
    void finished(bool ok);

private:
    struct Step
    {
        QString what;
        std::function<bool()> ready;            // polled until true (or the step times out)
        std::function<void()> action;           // then run
        QString file;                           // then the window is saved here, when set
        std::function<QWidget *()> target = {}; // what to save instead of the window
    };
    void next();
    void poll();

    MainWindow *m_window;
    QString m_directory;
    QList<Step> m_steps;
    int m_current = -1;
    int m_waitedMs = 0;
};

} // namespace kw
