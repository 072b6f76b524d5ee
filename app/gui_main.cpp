// storyscope: the desktop application.
#include <ATen/Parallel.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QLocale>
#include <QTimer>
#include <QTranslator>
#include <thread>

#include "ui/main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("StoryScope"));
  QApplication::setApplicationName(QStringLiteral("StoryScope"));

  QTranslator translator;
  if (translator.load(QLocale(), QStringLiteral("storyscope"), QStringLiteral("_"), QStringLiteral(":/i18n")))
    QApplication::installTranslator(&translator);

  // Debian's LibTorch starts with one thread.
  at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));

  QCommandLineParser cli;
  cli.addHelpOption();
  const QCommandLineOption screenshot(
      QStringLiteral("screenshot"),
      QApplication::translate("main", "Save a PNG of the main window and quit."), QStringLiteral("file"));
  cli.addOption(screenshot);
  cli.process(app);

  storyscope::ui::MainWindow window;
  window.resize(1400, 900);
  window.show();
  // For documentation screenshots and headless smoke tests.
  if (cli.isSet(screenshot)) {
    QTimer::singleShot(1000, &window, [&] {
      const bool ok = window.grab().save(cli.value(screenshot));
      QApplication::exit(ok ? 0 : 1);
    });
  }
  return QApplication::exec();
}
