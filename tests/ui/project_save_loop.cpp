// Child process of test_ui_project's kill test: saves the project in DIR over and over, each
// save one version newer than the one on disk, until it is killed. Version k is recognisable in
// every file it writes: the identity reads "version k" and every pixel of every frame and preview
// is colour(k), so the test can tell whether what survives a kill is one whole version.
#include <QCoreApplication>
#include <QImage>
#include <cstdio>

#include "ui/project.h"

using namespace storyscope;
using namespace storyscope::ui;

namespace {

QRgb colour(int version) { return qRgb(version * 37 % 256, version * 91 % 256, version * 53 % 256); }

Project version_of(int k) {
  Project p;
  p.spec.identity = "version " + std::to_string(k);
  p.spec.frames = {"in the snow", "at night", "on the grass"};
  for (int i = 0; i < 3; ++i) {
    auto f = std::make_shared<FrameData>();
    f->index = i;
    f->image = QImage(96, 96, QImage::Format_RGB888);
    f->image.fill(colour(k));
    f->x0_steps = {f->image, f->image, f->image, f->image};
    f->prompt = QStringLiteral("version %1 frame %2").arg(k).arg(i);
    p.frames.push_back(std::move(f));
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: project_save_loop DIR\n");
    return 2;
  }
  const QString dir = QString::fromLocal8Bit(argv[1]);
  int version = 0;
  try {
    version = std::stoi(load_project(dir).spec.identity.substr(8));
  } catch (const std::exception&) {
  }
  std::printf("saving from version %d\n", version);  // the parent starts its clock here
  std::fflush(stdout);
  for (;;) save_project(dir, version_of(++version));
}
