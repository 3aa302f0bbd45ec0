#pragma once
// Light and dark palettes for the whole application (View > Theme), applied with the Fusion
// style so they look the same on every desktop, and remembered in QSettings.

#include <QString>

class QActionGroup;
class QObject;

namespace kw {

enum class Theme
{
    System, // the platform's own style and palette
    Light,
    Dark,
};

// Applies `theme` to the running QApplication. The first call remembers the platform style
// and palette so System can go back to them.
void applyTheme(Theme theme);
[[nodiscard]] Theme currentTheme();

[[nodiscard]] Theme loadThemeSetting();
void saveThemeSetting(Theme theme);

[[nodiscard]] QString themeName(Theme theme);
[[nodiscard]] Theme themeFromName(const QString &name);

// View > Theme: one checkable action per theme (objectName "actionTheme_<name>"), the saved
// one checked and applied; choosing one applies and remembers it.
QActionGroup *createThemeActions(QObject *parent);

} // namespace kw
