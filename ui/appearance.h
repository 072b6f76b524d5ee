#pragma once
// The application's colour theme: the platform's own look, or Qt's Fusion style with a light or a
// dark palette. Only this file knows about themes: widgets paint from their palette() and react to
// QEvent::PaletteChange, so a theme switch reaches every window live.
#include <QPalette>
#include <QString>

namespace storyscope::ui {

enum class Theme { System, Light, Dark };

// "system", "light", "dark": the values stored under kThemeSettingKey.
QString theme_id(Theme theme);
// Unknown or empty ids read as System, so a damaged setting never hides the window.
Theme theme_from_id(const QString& id);

inline constexpr const char* kThemeSettingKey = "appearance/theme";
Theme stored_theme();  // from QSettings
void store_theme(Theme theme);

// Fusion's palettes: the style's own light one, and a dark one with every role (disabled
// included) set so text, links, selections and tooltips stay legible.
QPalette light_palette();
QPalette dark_palette();

// Sets the application's style and palette. System restores the style and palette the application
// started with (captured on the first call, before anything was changed). Calling it again with
// the theme already shown changes nothing.
void apply_theme(Theme theme);

// True for a palette whose windows are dark (light text on a dark background).
bool is_dark(const QPalette& palette);

// The colour of error text, legible on `palette`'s window colour (a darker red on light windows,
// a lighter one on dark windows), and a style sheet giving a label that colour. Applied when the
// message is shown.
QColor error_text_colour(const QPalette& palette);
QString error_text_style(const QPalette& palette);

}  // namespace storyscope::ui
