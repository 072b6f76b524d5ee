// storyscope: the desktop application.
#include <ATen/Parallel.h>

#include <QApplication>
#include <QLibraryInfo>
#include <QLocale>
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

  storyscope::ui::MainWindow window;
  window.resize(1400, 900);
  window.show();
  return QApplication::exec();
}
