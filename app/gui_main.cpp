// storyscope: the desktop application.
#include <ATen/Parallel.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QLibraryInfo>
#include <QLocale>
#include <QTimer>
#include <QTranslator>
#include <cstdio>
#include <thread>

#include "ui/main_window.h"

namespace {

// Saves the window once the engine is idle (the demo model loaded), or after 15 s regardless.
void screenshot_when_idle(storyscope::ui::MainWindow& window, const QString& file) {
  auto* clock = new QElapsedTimer;
  clock->start();
  auto* poll = new QTimer(&window);
  QObject::connect(poll, &QTimer::timeout, &window, [&window, file, clock, poll] {
    if (clock->elapsed() < 500 || (window.engine()->busy() && clock->elapsed() < 15000)) return;
    poll->stop();
    delete clock;
    const bool ok = window.grab().save(file);
    if (!ok) std::fprintf(stderr, "cannot write %s\n", qPrintable(file));
    QApplication::exit(ok ? 0 : 1);
  });
  poll->start(100);
}

}  // namespace

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
  const QCommandLineOption project(QStringLiteral("project"),
                                   QApplication::translate("main", "Open this project folder."),
                                   QStringLiteral("dir"));
  const QCommandLineOption view(
      QStringLiteral("view"),
      QApplication::translate("main", "Show this view first: story, frames, inspector, masks or plots."),
      QStringLiteral("name"));
  cli.addOption(screenshot);
  cli.addOption(project);
  cli.addOption(view);
  cli.process(app);

  storyscope::ui::MainWindowOptions options;
  // A screenshot is for docs and checks: no recovery question, and the default layout.
  options.offer_recovery = !cli.isSet(screenshot);
  options.restore_layout = !cli.isSet(screenshot);
  storyscope::ui::MainWindow window(options);
  window.resize(1400, 900);
  if (cli.isSet(project) && !window.openProject(cli.value(project)) && cli.isSet(screenshot)) {
    std::fprintf(stderr, "%s\n", qPrintable(window.lastError()));
    return 2;
  }
  if (cli.isSet(view) && !window.showView(cli.value(view))) {
    std::fprintf(stderr, "unknown view \"%s\" (use story, frames, inspector, masks or plots)\n",
                 qPrintable(cli.value(view)));
    return 2;
  }
  window.show();
  if (cli.isSet(screenshot)) screenshot_when_idle(window, cli.value(screenshot));
  return QApplication::exec();
}
