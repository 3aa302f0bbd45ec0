#pragma once
// A centred "nothing here yet" panel: icon, title, explanation and an optional action, used
// wherever a pane has nothing to show, so an empty pane always says why and what to do.

#include <QWidget>

class QLabel;
class QPushButton;

namespace kw {

class EmptyStateWidget final : public QWidget
{
    Q_OBJECT

public:
    explicit EmptyStateWidget(QWidget *parent = nullptr);

    void setIcon(const QIcon &icon);
    void setTitle(const QString &title);
    void setText(const QString &text);
    QString title() const;
    QString text() const;

private:
    QLabel *m_icon;
    QLabel *m_title;
    QLabel *m_text;
};

} // namespace kw
