#include "ui/mask_image.h"

#include <ATen/ATen.h>

#include <QImageReader>
#include <cstring>

#include "core/common/error.h"

namespace storyscope::ui {

QImage blank_mask(const QSize& size) {
  QImage mask(size, QImage::Format_Grayscale8);
  mask.fill(0);
  return mask;
}

QImage binarise_mask(const QImage& image) {
  QImage grey;
  if (image.format() == QImage::Format_Alpha8) {
    grey = QImage(image.size(), QImage::Format_Grayscale8);
    for (int y = 0; y < image.height(); ++y)
      std::memcpy(grey.scanLine(y), image.constScanLine(y), image.width());
  } else {
    grey = image.convertToFormat(QImage::Format_Grayscale8);
  }
  for (int y = 0; y < grey.height(); ++y) {
    uchar* row = grey.scanLine(y);
    for (int x = 0; x < grey.width(); ++x) row[x] = row[x] >= 128 ? 255 : 0;
  }
  return grey;
}

bool mask_is_empty(const QImage& mask) {
  for (int y = 0; y < mask.height(); ++y) {
    const uchar* row = mask.constScanLine(y);
    for (int x = 0; x < mask.width(); ++x)
      if (row[x]) return false;
  }
  return true;
}

at::Tensor mask_tensor(const QImage& mask) {
  const QImage grey = mask.format() == QImage::Format_Grayscale8 ? mask : binarise_mask(mask);
  at::Tensor out = at::empty({grey.height(), grey.width()}, at::kByte);
  auto* data = out.data_ptr<std::uint8_t>();
  for (int y = 0; y < grey.height(); ++y)
    std::memcpy(data + static_cast<std::size_t>(y) * grey.width(), grey.constScanLine(y), grey.width());
  return out.gt(127).to(at::kFloat);
}

QImage read_mask_file(const QString& path, const QSize& size) {
  QImageReader reader(path);
  const QImage image = reader.read();
  if (image.isNull())
    throw_bad_input(path.toStdString(), "",
                    "cannot read the mask image: " + reader.errorString().toStdString());
  QImage scaled =
      image.size() == size ? image : image.scaled(size, Qt::IgnoreAspectRatio, Qt::FastTransformation);
  return binarise_mask(scaled);
}

void write_mask_file(const QImage& mask, const QString& path) {
  if (!binarise_mask(mask).save(path, "PNG"))
    throw_bad_input(path.toStdString(), "", "cannot write the mask PNG");
}

}  // namespace storyscope::ui
