#include "widgets/common/theme.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QPalette>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

namespace kw {

namespace {

const QLatin1String kThemeKey("ui/theme");

struct PlatformLook
{
    QString styleName;
    QPalette palette;
};

PlatformLook &platformLook()
{
    static PlatformLook look{QApplication::style() ? QApplication::style()->name() : QString(),
                             QApplication::palette()};
    return look;
}

Theme g_current = Theme::System;

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30);
    const QColor base(0x1e, 0x1f, 0x22);
    const QColor text(0xdf, 0xe1, 0xe5);
    const QColor disabledText(0x7f, 0x84, 0x8e);
    const QColor highlight(0x35, 0x74, 0xf0);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabledText);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x68));
    p.setColor(QPalette::Link, QColor(0x6c, 0xa0, 0xf6));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x3c, 0x3f, 0x41));
    p.setColor(QPalette::Midlight, QColor(0x35, 0x37, 0x3a));
    p.setColor(QPalette::Mid, QColor(0x25, 0x26, 0x29));
    p.setColor(QPalette::Dark, QColor(0x19, 0x1a, 0x1c));
    p.setColor(QPalette::Shadow, Qt::black);
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
        p.setColor(QPalette::Disabled, role, disabledText);
    }
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x4a, 0x4d, 0x52));
    return p;
}

} // namespace

void applyTheme(Theme theme)
{
    const PlatformLook &look = platformLook(); // captured before the first change
    g_current = theme;
    if (theme == Theme::System) {
        if (!look.styleName.isEmpty())
            QApplication::setStyle(QStyleFactory::create(look.styleName));
        QApplication::setPalette(look.palette);
        return;
    }
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(theme == Theme::Dark ? darkPalette()
                                                  : QApplication::style()->standardPalette());
}

Theme currentTheme()
{
    return g_current;
}

Theme loadThemeSetting()
{
    return themeFromName(QSettings().value(kThemeKey).toString());
}

void saveThemeSetting(Theme theme)
{
    QSettings().setValue(kThemeKey, themeName(theme));
}

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    case Theme::System:
        break;
    }
    return QStringLiteral("system");
}

Theme themeFromName(const QString &name)
{
    if (name == QLatin1String("light"))
        return Theme::Light;
    if (name == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

QActionGroup *createThemeActions(QObject *parent)
{
    auto *group = new QActionGroup(parent);
    group->setExclusive(true);
    const Theme saved = loadThemeSetting();
    for (Theme theme : {Theme::System, Theme::Light, Theme::Dark}) {
        const QString text = theme == Theme::System  ? QObject::tr("&System")
                             : theme == Theme::Light ? QObject::tr("&Light")
                                                     : QObject::tr("&Dark");
        QAction *action = group->addAction(text);
        action->setObjectName(QStringLiteral("actionTheme_") + themeName(theme));
        action->setCheckable(true);
        action->setChecked(theme == saved);
        QObject::connect(action, &QAction::triggered, group, [theme] {
            applyTheme(theme);
            saveThemeSetting(theme);
        });
    }
    if (saved != Theme::System)
        applyTheme(saved);
    return group;
}

} // namespace kw
