#include "ui/appearance.h"

#include <QApplication>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>
#include <memory>
#include <optional>

namespace storyscope::ui {

namespace {

const QString kFusion = QStringLiteral("Fusion");

// What the application looked like before the first theme was applied: System goes back to it.
struct PlatformLook {
  QString style;
  QPalette palette;
};

PlatformLook& platform_look() {
  static PlatformLook look{QApplication::style()->name(), QApplication::palette()};
  return look;
}

std::optional<Theme>& shown_theme() {
  static std::optional<Theme> shown;
  return shown;
}

void use_style(const QString& name) {
  if (QApplication::style()->name().compare(name, Qt::CaseInsensitive) == 0) return;
  if (QStyle* style = QStyleFactory::create(name)) QApplication::setStyle(style);
}

}  // namespace

QString theme_id(Theme theme) {
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

Theme theme_from_id(const QString& id) {
  if (id == QLatin1String("light")) return Theme::Light;
  if (id == QLatin1String("dark")) return Theme::Dark;
  return Theme::System;
}

Theme stored_theme() { return theme_from_id(QSettings().value(QLatin1String(kThemeSettingKey)).toString()); }

void store_theme(Theme theme) { QSettings().setValue(QLatin1String(kThemeSettingKey), theme_id(theme)); }

QPalette light_palette() {
  std::unique_ptr<QStyle> fusion(QStyleFactory::create(kFusion));
  return fusion ? fusion->standardPalette() : QPalette();
}

QPalette dark_palette() {
  const QColor window(53, 53, 53), base(35, 35, 35), alternate(45, 45, 45);
  const QColor text(230, 230, 230), disabled_text(127, 127, 127);
  const QColor accent(42, 130, 218);
  QPalette p;
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::AlternateBase, alternate);
  p.setColor(QPalette::ToolTipBase, QColor(25, 25, 25));
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::PlaceholderText, QColor(150, 150, 150));
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, window);
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::BrightText, QColor(255, 90, 90));
  // The bevel roles: Fusion draws frames, sliders and separators with these.
  p.setColor(QPalette::Light, QColor(80, 80, 80));
  p.setColor(QPalette::Midlight, QColor(66, 66, 66));
  p.setColor(QPalette::Mid, QColor(40, 40, 40));
  p.setColor(QPalette::Dark, QColor(30, 30, 30));
  p.setColor(QPalette::Shadow, QColor(20, 20, 20));
  p.setColor(QPalette::Highlight, accent);
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::Link, QColor(90, 160, 240));
  p.setColor(QPalette::LinkVisited, QColor(170, 130, 230));

  p.setColor(QPalette::Disabled, QPalette::WindowText, disabled_text);
  p.setColor(QPalette::Disabled, QPalette::Text, disabled_text);
  p.setColor(QPalette::Disabled, QPalette::ButtonText, disabled_text);
  p.setColor(QPalette::Disabled, QPalette::PlaceholderText, QColor(100, 100, 100));
  p.setColor(QPalette::Disabled, QPalette::Base, window);
  p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(80, 80, 80));
  p.setColor(QPalette::Disabled, QPalette::HighlightedText, disabled_text);
  p.setColor(QPalette::Disabled, QPalette::Light, QColor(53, 53, 53));
  return p;
}

void apply_theme(Theme theme) {
  const PlatformLook& platform = platform_look();  // captured before the first change
  if (shown_theme() == theme) return;
  if (!shown_theme() && theme == Theme::System) {
    shown_theme() = theme;  // nothing changed yet: the platform look is already up
    return;
  }
  switch (theme) {
    case Theme::System:
      use_style(platform.style);
      QApplication::setPalette(platform.palette);
      break;
    case Theme::Light:
      use_style(kFusion);
      QApplication::setPalette(light_palette());
      break;
    case Theme::Dark:
      use_style(kFusion);
      QApplication::setPalette(dark_palette());
      break;
  }
  shown_theme() = theme;
}

bool is_dark(const QPalette& palette) {
  return palette.color(QPalette::Window).lightness() < palette.color(QPalette::WindowText).lightness();
}

QColor error_text_colour(const QPalette& palette) {
  return is_dark(palette) ? QColor(0xff, 0x8a, 0x7a) : QColor(0xc0, 0x39, 0x2b);
}

QString error_text_style(const QPalette& palette) {
  return QStringLiteral("color: %1;").arg(error_text_colour(palette).name());
}

}  // namespace storyscope::ui
