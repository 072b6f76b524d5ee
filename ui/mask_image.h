#pragma once
// Word masks as the GUI keeps them: QImage Format_Grayscale8 with 0 (outside) or 255 (inside),
// the frame's size. Conversions to the engine's [H, W] float mask, and PNG import/export.
#include <ATen/Tensor.h>

#include <QImage>
#include <QSize>
#include <QString>

namespace storyscope::ui {

QImage blank_mask(const QSize& size);
// Grayscale8, thresholded at 128 (any format in; alpha-only images use their alpha).
QImage binarise_mask(const QImage& image);
bool mask_is_empty(const QImage& mask);
// [H, W] float32 in {0, 1}, a copy.
at::Tensor mask_tensor(const QImage& mask);

// Reads a PNG (grey, RGB or alpha), nearest-resized to `size`, binarised; throws storyscope::Error
// naming the file when it cannot be read.
QImage read_mask_file(const QString& path, const QSize& size);
// Writes the mask as an 8-bit grey PNG (0/255); throws storyscope::Error naming the file on failure.
void write_mask_file(const QImage& mask, const QString& path);

}  // namespace storyscope::ui
