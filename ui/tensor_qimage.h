#pragma once
// Engine image tensors as Qt images, with the rounding diffusers uses when it saves a PNG, so
// what the GUI shows and exports has the bytes the CLI writes.
#include <ATen/Tensor.h>

#include <QImage>

namespace storyscope::ui {

// `chw`: [3,H,W] (or [1,3,H,W]) in [0, 1], any floating dtype or device. Returns RGB888.
QImage qimage_from_tensor(const at::Tensor& chw);

}  // namespace storyscope::ui
