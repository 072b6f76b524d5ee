#include "ui/language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QSettings>
#include <QTranslator>
#include <cstring>

namespace storyscope::ui {

namespace {

const QString kTranslations = QStringLiteral(":/i18n");

// lupdate (Qt 6.4) does not follow `namespace storyscope::ui {`, so the .ts contexts are bare class
// names ("MainWindow") while tr() asks with the moc name ("storyscope::ui::MainWindow"). A lookup
// that misses under the qualified name is retried under the class name alone.
class ClassNameTranslator : public QTranslator {
 public:
  using QTranslator::QTranslator;
  QString translate(const char* context, const char* source, const char* disambiguation,
                    int n) const override {
    QString text = QTranslator::translate(context, source, disambiguation, n);
    if (!text.isNull() || !context) return text;
    const char* last = nullptr;
    for (const char* at = std::strstr(context, "::"); at; at = std::strstr(at + 2, "::")) last = at;
    return last ? QTranslator::translate(last + 2, source, disambiguation, n) : text;
  }
};

bool is_english(const QLocale& locale) { return locale.language() == QLocale::English; }

}  // namespace

QString language_id(Language language) {
  switch (language) {
    case Language::English:
      return QStringLiteral("en");
    case Language::SimplifiedChinese:
      return QStringLiteral("zh_CN");
    case Language::TraditionalChinese:
      return QStringLiteral("zh_TW");
    case Language::System:
      break;
  }
  return QStringLiteral("system");
}

Language language_from_id(const QString& id) {
  for (Language l : {Language::English, Language::SimplifiedChinese, Language::TraditionalChinese})
    if (id == language_id(l)) return l;
  return Language::System;
}

Language stored_language() {
  return language_from_id(QSettings().value(QLatin1String(kLanguageSettingKey)).toString());
}

void store_language(Language language) {
  QSettings().setValue(QLatin1String(kLanguageSettingKey), language_id(language));
}

QString locale_name(Language language, const QLocale& system) {
  if (language != Language::System) return language_id(language);
  if (system.language() != QLocale::Chinese) return system.name();
  // Hong Kong, Macau and Taiwan write Traditional Chinese; the mainland and Singapore Simplified.
  const bool traditional = system.script() == QLocale::TraditionalChineseScript ||
                           system.territory() == QLocale::HongKong || system.territory() == QLocale::Macao ||
                           system.territory() == QLocale::Taiwan;
  return traditional ? language_id(Language::TraditionalChinese) : language_id(Language::SimplifiedChinese);
}

QString translation_file(const QString& locale_name) {
  const QLocale locale(locale_name);
  if (is_english(locale)) return {};  // the source strings are English
  QTranslator probe;
  return probe.load(locale, QStringLiteral("storyscope"), QStringLiteral("_"), kTranslations)
             ? probe.filePath()
             : QString();
}

QStringList install_translations(const QString& locale_name, QCoreApplication* app) {
  QStringList loaded;
  const QString ours = translation_file(locale_name);
  if (ours.isEmpty()) return loaded;
  auto* storyscope = new ClassNameTranslator(app);
  if (storyscope->load(ours)) {
    QCoreApplication::installTranslator(storyscope);
    loaded << storyscope->filePath();
  } else {
    delete storyscope;
  }
  // Qt's own strings (standard buttons and dialogs), when the distribution ships them.
  auto* qt = new QTranslator(app);
  if (qt->load(QLocale(locale_name), QStringLiteral("qtbase"), QStringLiteral("_"),
               QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
    QCoreApplication::installTranslator(qt);
    loaded << qt->filePath();
  } else {
    delete qt;
  }
  return loaded;
}

}  // namespace storyscope::ui
