// Themes and languages driven through the real menus: View > Theme switches the application's
// palette live and remembers it for the next window; the plots follow the palette; View > Language
// stores the choice for the next start, and the loader finds and installs the translation, whose
// strings then reach tr() of the (namespaced) widgets exactly as translations/*.ts spell them.
#include <qcustomplot.h>

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QLibraryInfo>
#include <QMessageBox>
#include <QSettings>
#include <QStyle>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>
#include <cmath>

#include "quiet_main_window.h"
#include "ui/appearance.h"
#include "ui/language.h"
#include "ui/main_window.h"
#include "ui/plots_panel.h"
#include "ui/story_panel.h"
#include "ui_test_support.h"

using namespace storyscope::ui;

namespace {

QAction* action(const QWidget& window, const char* name) {
  return window.findChild<QAction*>(QLatin1String(name));
}

int window_lightness() { return QApplication::palette().color(QPalette::Window).lightness(); }
int text_lightness() { return QApplication::palette().color(QPalette::WindowText).lightness(); }

// The translation of `source` in `context` as translations/<file> has it (empty when absent).
QString ts_translation(const QString& file, const QString& context, const QString& source) {
  QFile f(QStringLiteral(STORYSCOPE_SOURCE_DIR "/translations/") + file);
  if (!f.open(QIODevice::ReadOnly)) return {};
  QXmlStreamReader xml(&f);
  QString current_context, current_source;
  while (!xml.atEnd()) {
    if (!xml.readNextStartElement()) continue;
    if (xml.name() == QLatin1String("name"))
      current_context = xml.readElementText();
    else if (xml.name() == QLatin1String("source"))
      current_source = xml.readElementText();
    else if (xml.name() == QLatin1String("translation") && current_context == context &&
             current_source == source)
      return xml.readElementText();
  }
  return {};
}

void remove_translators() {
  for (QTranslator* t : qApp->findChildren<QTranslator*>()) {
    QCoreApplication::removeTranslator(t);
    delete t;
  }
}

}  // namespace

class TestUiAppearance : public QObject {
  Q_OBJECT
  QString starting_style_;
  QColor starting_window_;

 private slots:
  void initTestCase() {
    storyscope::testing::isolate_user_state();
    starting_style_ = QApplication::style()->name();
    starting_window_ = QApplication::palette().color(QPalette::Window);
  }

  void idsRoundTrip() {
    for (Theme t : {Theme::System, Theme::Light, Theme::Dark}) QCOMPARE(theme_from_id(theme_id(t)), t);
    QCOMPARE(theme_from_id(QStringLiteral("purple")), Theme::System);
    for (Language l :
         {Language::System, Language::English, Language::SimplifiedChinese, Language::TraditionalChinese})
      QCOMPARE(language_from_id(language_id(l)), l);
    QCOMPARE(language_from_id(QStringLiteral("xx")), Language::System);
  }

  void darkPaletteIsComplete() {
    const QPalette p = dark_palette();
    QVERIFY(is_dark(p));
    QVERIFY(!is_dark(light_palette()));
    // Every text role readable on its background: lightness apart by at least half the range.
    const QPair<QPalette::ColorRole, QPalette::ColorRole> pairs[] = {
        {QPalette::WindowText, QPalette::Window},
        {QPalette::Text, QPalette::Base},
        {QPalette::Text, QPalette::AlternateBase},
        {QPalette::ButtonText, QPalette::Button},
        {QPalette::ToolTipText, QPalette::ToolTipBase},
        {QPalette::HighlightedText, QPalette::Highlight},
        {QPalette::Link, QPalette::Base}};
    for (const auto& [fg, bg] : pairs)
      QVERIFY2(p.color(fg).lightness() - p.color(bg).lightness() >= 90,
               qPrintable(QStringLiteral("role %1 on %2").arg(fg).arg(bg)));
    // Disabled text is dimmer than enabled text but still above its background.
    QVERIFY(p.color(QPalette::Disabled, QPalette::Text).lightness() < p.color(QPalette::Text).lightness());
    QVERIFY(p.color(QPalette::Disabled, QPalette::Text).lightness() >
            p.color(QPalette::Disabled, QPalette::Base).lightness() + 40);
  }

  void errorTextIsLegibleInBothThemes() {
    // WCAG contrast of the error colour against the window colour: >= 4.5 on light and dark.
    auto luminance = [](const QColor& c) {
      auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
      return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    for (const QPalette& p : {light_palette(), dark_palette()}) {
      const double a = luminance(error_text_colour(p)), b = luminance(p.color(QPalette::Window));
      const double contrast = (std::max(a, b) + 0.05) / (std::min(a, b) + 0.05);
      QVERIFY2(contrast >= 4.5, qPrintable(QStringLiteral("contrast %1").arg(contrast)));
      QVERIFY(error_text_style(p).contains(error_text_colour(p).name()));
    }
  }

  void darkFromTheMenuIsAppliedAndRemembered() {
    MainWindow window(storyscope::testing::quiet_main_window());
    window.show();
    QVERIFY(action(window, "themeSystemAction")->isChecked());  // nothing stored yet
    QAction* dark = action(window, "themeDarkAction");
    QVERIFY(dark && dark->isCheckable());
    dark->trigger();

    QVERIFY2(window_lightness() < 80, qPrintable(QString::number(window_lightness())));
    QVERIFY(text_lightness() > 180);
    QVERIFY(QApplication::palette().color(QPalette::Text).lightness() > 180);
    QVERIFY(QApplication::palette().color(QPalette::Base).lightness() < 80);
    QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
    // Live: a widget that was already up takes the dark palette (once the change has propagated
    // through the event loop).
    QTRY_COMPARE(window.storyPanel()->palette().color(QPalette::Window),
                 QApplication::palette().color(QPalette::Window));
    QVERIFY(dark->isChecked());
    QVERIFY(!action(window, "themeSystemAction")->isChecked());  // exclusive
    QCOMPARE(QSettings().value(QLatin1String(kThemeSettingKey)).toString(), QStringLiteral("dark"));

    // A new window applies the stored theme, whatever is shown before it.
    apply_theme(Theme::Light);
    QVERIFY(window_lightness() > 180);
    {
      MainWindow again(storyscope::testing::quiet_main_window());
      QVERIFY(window_lightness() < 80);
      QVERIFY(action(again, "themeDarkAction")->isChecked());
    }

    // Light from the menu restores Fusion's light palette.
    action(window, "themeLightAction")->trigger();
    QVERIFY(window_lightness() > 180);
    QVERIFY(text_lightness() < 80);
    QCOMPARE(QApplication::palette().color(QPalette::Window), light_palette().color(QPalette::Window));
    QCOMPARE(QSettings().value(QLatin1String(kThemeSettingKey)).toString(), QStringLiteral("light"));

    // System goes back to the look the application started with.
    action(window, "themeSystemAction")->trigger();
    QCOMPARE(QApplication::style()->name(), starting_style_);
    QCOMPARE(QApplication::palette().color(QPalette::Window), starting_window_);
    QCOMPARE(stored_theme(), Theme::System);
  }

  void plotsFollowThePalette() {
    PlotsPanel panel;
    panel.resize(500, 300);
    panel.show();
    QCustomPlot* plot = panel.plot(PlotsPanel::Plot::MassOverSteps);
    const auto corner_lightness = [plot] {
      return plot->toPixmap(200, 120).toImage().pixelColor(2, 2).lightness();
    };

    apply_theme(Theme::Dark);
    QTRY_COMPARE(plot->xAxis->labelColor(), QApplication::palette().color(QPalette::Text));
    QCOMPARE(plot->yAxis->tickLabelColor(), QApplication::palette().color(QPalette::Text));
    QCOMPARE(plot->legend->textColor(), QApplication::palette().color(QPalette::Text));
    QVERIFY(plot->xAxis->labelColor().lightness() > 180);
    QVERIFY2(corner_lightness() < 80, qPrintable(QString::number(corner_lightness())));

    apply_theme(Theme::Light);
    QTRY_COMPARE(plot->xAxis->labelColor(), QApplication::palette().color(QPalette::Text));
    QVERIFY(plot->xAxis->labelColor().lightness() < 80);
    QVERIFY(corner_lightness() > 180);
    // Every plot, not just the one shown.
    QCOMPARE(panel.plot(PlotsPanel::Plot::AlignmentOverSteps)->yAxis->labelColor(),
             QApplication::palette().color(QPalette::Text));
    apply_theme(Theme::System);
  }

  void languageMenuStoresTheChoiceForTheNextStart() {
    MainWindow window(storyscope::testing::quiet_main_window());
    window.show();
    QVERIFY(action(window, "languageSystemAction")->isChecked());
    action(window, "languageZhCnAction")->trigger();
    QCOMPARE(QSettings().value(QLatin1String(kLanguageSettingKey)).toString(), QStringLiteral("zh_CN"));
    QCOMPARE(stored_language(), Language::SimplifiedChinese);
    QVERIFY(action(window, "languageZhCnAction")->isChecked());
    // The user is told it takes effect at the next start, without blocking the window.
    auto* notice = window.findChild<QMessageBox*>(QStringLiteral("languageNotice"));
    QVERIFY(notice);
    QTRY_VERIFY(notice->isVisible());
    notice->close();

    action(window, "languageEnglishAction")->trigger();
    QCOMPARE(stored_language(), Language::English);
    {
      MainWindow again(storyscope::testing::quiet_main_window());
      QVERIFY(action(again, "languageEnglishAction")->isChecked());
    }
    for (auto* box : window.findChildren<QMessageBox*>()) box->close();
    action(window, "languageSystemAction")->trigger();
    QCOMPARE(stored_language(), Language::System);
  }

  void localeNames() {
    QCOMPARE(locale_name(Language::English, QLocale(QStringLiteral("zh_CN"))), QStringLiteral("en"));
    QCOMPARE(locale_name(Language::TraditionalChinese, QLocale(QStringLiteral("de_DE"))),
             QStringLiteral("zh_TW"));
    QCOMPARE(locale_name(Language::System, QLocale(QStringLiteral("de_DE"))), QStringLiteral("de_DE"));
    QCOMPARE(locale_name(Language::System, QLocale(QStringLiteral("zh_CN"))), QStringLiteral("zh_CN"));
    QCOMPARE(locale_name(Language::System, QLocale(QStringLiteral("zh_SG"))), QStringLiteral("zh_CN"));
    QCOMPARE(locale_name(Language::System, QLocale(QStringLiteral("zh_HK"))), QStringLiteral("zh_TW"));
    QCOMPARE(locale_name(Language::System, QLocale(QStringLiteral("zh_TW"))), QStringLiteral("zh_TW"));
  }

  void loaderPicksTheTranslation() {
    QCOMPARE(translation_file(QStringLiteral("zh_CN")), QStringLiteral(":/i18n/storyscope_zh_CN.qm"));
    QCOMPARE(translation_file(QStringLiteral("zh_TW")), QStringLiteral(":/i18n/storyscope_zh_TW.qm"));
    QVERIFY(translation_file(QStringLiteral("en")).isEmpty());
    QVERIFY(translation_file(QStringLiteral("en_GB")).isEmpty());
    QVERIFY(translation_file(QStringLiteral("fr_FR")).isEmpty());  // no French: stays English
    QVERIFY(install_translations(QStringLiteral("en"), qApp).isEmpty());
    QVERIFY(qApp->findChildren<QTranslator*>().isEmpty());
  }

  void installedTranslationReachesTheWidgets_data() {
    QTest::addColumn<QString>("locale");
    QTest::newRow("simplified") << QStringLiteral("zh_CN");
    QTest::newRow("traditional") << QStringLiteral("zh_TW");
  }

  void installedTranslationReachesTheWidgets() {
    QFETCH(QString, locale);
    const QString ts = QStringLiteral("storyscope_%1.ts").arg(locale);
    const QString story = ts_translation(ts, QStringLiteral("MainWindow"), QStringLiteral("Story"));
    const QString theme = ts_translation(ts, QStringLiteral("MainWindow"), QStringLiteral("&Theme"));
    QVERIFY(!story.isEmpty() && story != QLatin1String("Story"));
    QVERIFY(!theme.isEmpty());
    QCOMPARE(MainWindow::tr("Story"), QStringLiteral("Story"));

    const QStringList loaded = install_translations(locale, qApp);
    QVERIFY(loaded.contains(QStringLiteral(":/i18n/storyscope_%1.qm").arg(locale)));
    const QString qtbase =
        QLibraryInfo::path(QLibraryInfo::TranslationsPath) + QStringLiteral("/qtbase_%1.qm").arg(locale);
    QCOMPARE(loaded.contains(qtbase), QFile::exists(qtbase));
    // tr() asks under the moc name "storyscope::ui::MainWindow"; the .ts has "MainWindow".
    QCOMPARE(MainWindow::tr("Story"), story);
    QCOMPARE(QCoreApplication::translate("MainWindow", "&Theme"), theme);
    {
      MainWindow window(storyscope::testing::quiet_main_window());
      QCOMPARE(window.dock(QStringLiteral("StoryDock"))->windowTitle(), story);
    }
    remove_translators();
    QCOMPARE(MainWindow::tr("Story"), QStringLiteral("Story"));
  }
};

QTEST_MAIN(TestUiAppearance)
#include "test_ui_appearance.moc"
