#include "widgets/records/secretclipboard.h"

#include <QClipboard>
#include <QGuiApplication>

namespace kw::records {

namespace {
const QString HintFormat = QStringLiteral("x-kde-passwordManagerHint");
}

SecretClipboard::SecretClipboard(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(DefaultClearMs);
    connect(&m_timer, &QTimer::timeout, this, &SecretClipboard::clearIfOurs);
}

QMimeData *SecretClipboard::secretMimeData(const QString &text)
{
    auto *mime = new QMimeData;
    mime->setText(text);
    mime->setData(HintFormat, QByteArrayLiteral("secret"));
    return mime;
}

void SecretClipboard::copy(const QString &text)
{
    QGuiApplication::clipboard()->setMimeData(secretMimeData(text));
    armClear(text);
}

void SecretClipboard::armClear(const QString &text)
{
    m_copied = text;
    m_timer.start();
}

void SecretClipboard::clearIfOurs()
{
    QClipboard *clipboard = QGuiApplication::clipboard();
    const QMimeData *current = clipboard->mimeData();
    // Only clear what we put there: the user may have copied something else since.
    if (current && current->hasFormat(HintFormat) && current->text() == m_copied) {
        clipboard->clear();
        Q_EMIT cleared();
    }
    m_copied.clear();
}

} // namespace kw::records
