// MainWindow: the View > Theme and View > Language menus. The theme applies at once; the language
// at the next start (every widget takes its strings when it is built).
#include <QAction>
#include <QActionGroup>
#include <QMenu>
#include <QMessageBox>

#include "ui/appearance.h"
#include "ui/language.h"
#include "ui/main_window.h"

namespace storyscope::ui {

void MainWindow::add_theme_menu(QMenu* parent) {
  QMenu* menu = parent->addMenu(tr("&Theme"));
  auto* group = new QActionGroup(menu);
  group->setExclusive(true);
  const Theme current = stored_theme();
  const struct {
    Theme theme;
    QString text;
    const char* name;
  } choices[] = {{Theme::System, tr("&System"), "themeSystemAction"},
                 {Theme::Light, tr("&Light"), "themeLightAction"},
                 {Theme::Dark, tr("&Dark"), "themeDarkAction"}};
  for (const auto& c : choices) {
    QAction* action = menu->addAction(c.text);
    action->setObjectName(QLatin1String(c.name));
    action->setCheckable(true);
    action->setChecked(c.theme == current);
    group->addAction(action);
    connect(action, &QAction::triggered, this, [this, theme = c.theme] {
      store_theme(theme);
      apply_theme(theme);
      log(tr("Theme: %1").arg(theme_id(theme)));
    });
  }
}

void MainWindow::add_language_menu(QMenu* parent) {
  QMenu* menu = parent->addMenu(tr("&Language"));
  auto* group = new QActionGroup(menu);
  group->setExclusive(true);
  const Language current = stored_language();
  // Languages are named in their own script (not translated): whoever cannot read the current
  // language must still find theirs.
  const struct {
    Language language;
    QString text;
    const char* name;
  } choices[] = {{Language::System, tr("&System language"), "languageSystemAction"},
                 {Language::English, QStringLiteral("English"), "languageEnglishAction"},
                 {Language::SimplifiedChinese, QStringLiteral("简体中文"), "languageZhCnAction"},
                 {Language::TraditionalChinese, QStringLiteral("繁體中文"), "languageZhTwAction"}};
  for (const auto& c : choices) {
    QAction* action = menu->addAction(c.text);
    action->setObjectName(QLatin1String(c.name));
    action->setCheckable(true);
    action->setChecked(c.language == current);
    group->addAction(action);
    connect(action, &QAction::triggered, this, [this, language = c.language] {
      if (language == stored_language()) return;
      store_language(language);
      log(tr("Language: %1 (from the next start)").arg(language_id(language)));
      // Not blocking: the event loop (and a running generation) keeps going.
      auto* box = new QMessageBox(QMessageBox::Information, tr("Language"),
                                  tr("The new language is used the next time StoryScope starts."),
                                  QMessageBox::Ok, this);
      box->setAttribute(Qt::WA_DeleteOnClose);
      box->setObjectName(QStringLiteral("languageNotice"));
      box->open();
    });
  }
}

}  // namespace storyscope::ui
