#include "ui/about_info.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <QCoreApplication>
#include <QtGlobal>

namespace storyscope::ui {

QString about_text() {
  const QString device = at::hasCUDA() ? QCoreApplication::translate("About", "CUDA available")
                                       : QCoreApplication::translate("About", "CPU only");
  return QCoreApplication::translate(
             "About",
             "<h3>StoryScope %1</h3>"
             "<p>Look inside Stable Diffusion: per-token attention at every step and layer, "
             "and consistent multi-frame stories.</p>"
             "<p>Qt %2<br>LibTorch %3<br>Device: %4, %5 threads</p>")
      .arg(QStringLiteral(STORYSCOPE_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(TORCH_VERSION),
           device)
      .arg(at::get_num_threads());
}

}  // namespace storyscope::ui
