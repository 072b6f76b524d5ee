// storyscope: the desktop application.
#include <ATen/Parallel.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTimer>
#include <cstdio>
#include <memory>
#include <thread>

#include "ui/engine_client.h"
#include "ui/language.h"
#include "ui/main_window.h"

namespace {

// Prints how long the application took from main() until its model (the demo model by default)
// was loaded and the window was up, once: the start-time number of docs/benchmarks.md.
void report_ready_time(storyscope::ui::MainWindow& window, const QElapsedTimer& since_start) {
  auto reported = std::make_shared<bool>(false);
  QObject::connect(window.engine(), &storyscope::ui::EngineClient::busyChanged, &window,
                   [&window, &since_start, reported](bool busy) {
                     if (busy || *reported || !window.engine()->hasModel()) return;
                     *reported = true;
                     std::fprintf(stderr, "storyscope: ready in %lld ms (model loaded, window shown)\n",
                                  static_cast<long long>(since_start.elapsed()));
                   });
}

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
  QElapsedTimer since_start;
  since_start.start();
  // Fractional screen scales (1.25, 1.5) as they are, not rounded to whole numbers: must be set
  // before the application object exists.
  QGuiApplication::setHighDpiScaleFactorRoundingPolicy(Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("StoryScope"));
  QApplication::setApplicationName(QStringLiteral("StoryScope"));

  // The language chosen in View > Language (or the system's), before any widget has a string.
  storyscope::ui::install_translations(storyscope::ui::locale_name(storyscope::ui::stored_language()), &app);

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
  if (cli.isSet(screenshot)) report_ready_time(window, since_start);
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
