#pragma once
// The language of the user interface: the system's, or one the user picked (stored in QSettings and
// applied at the next start, before any widget exists). Translations are the .qm files compiled
// from translations/*.ts into the resources under :/i18n, plus Qt's own qtbase ones for the
// standard dialogs when they are installed.
#include <QLocale>
#include <QString>
#include <QStringList>

class QCoreApplication;

namespace storyscope::ui {

enum class Language { System, English, SimplifiedChinese, TraditionalChinese };

// "system", "en", "zh_CN", "zh_TW": the values stored under kLanguageSettingKey.
QString language_id(Language language);
// Unknown or empty ids read as System.
Language language_from_id(const QString& id);

inline constexpr const char* kLanguageSettingKey = "appearance/language";
Language stored_language();  // from QSettings
void store_language(Language language);

// The locale whose translation to use: "en", "zh_CN", "zh_TW", or for System the system locale's
// name ("de_DE"), where any Chinese locale maps to the translation of its script (zh_HK -> zh_TW).
QString locale_name(Language language, const QLocale& system = QLocale::system());

// StoryScope's translation for a locale name (":/i18n/storyscope_zh_CN.qm"), or empty when the
// interface stays in English (an English locale, or one without a translation).
QString translation_file(const QString& locale_name);

// Loads StoryScope's and Qt's translations for `locale_name` and installs them in `app`, which owns
// them. Returns the files loaded (none for English).
QStringList install_translations(const QString& locale_name, QCoreApplication* app);

}  // namespace storyscope::ui
