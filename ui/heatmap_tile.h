#pragma once
// One per-token heatmap in the inspector's grid: the overlay image scaled to the tile, its label
// underneath, the value of the map cell under the mouse, and a click to enlarge it.
#include <ATen/Tensor.h>

#include <QImage>
#include <QWidget>
#include <optional>

namespace storyscope::ui {

class HeatmapTile : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapTile(int index, int image_size = 128, QWidget* parent = nullptr);

  // `map` [h, w] is the map behind the picture (what hover values read).
  void set_content(const QImage& picture, const at::Tensor& map, const QString& label);
  int index() const { return index_; }
  const QImage& picture() const { return picture_; }
  const at::Tensor& map() const { return map_; }
  QString label() const { return label_; }
  // The selected tile gets a frame in the highlight colour.
  void set_highlighted(bool on);
  bool highlighted() const { return highlighted_; }
  // The picture's rectangle inside the widget.
  QRect image_rect() const;
  // The map value of the cell under `pos` (widget coordinates); nothing outside the picture.
  std::optional<double> value_at(const QPoint& pos) const;
  // The last value shown by hovering (nothing when the mouse is not over the picture).
  std::optional<double> hovered_value() const { return hovered_; }

  QSize sizeHint() const override;

 signals:
  void hovered(int index, double value);
  void clicked(int index);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  int index_;
  int image_size_;
  QImage picture_;
  at::Tensor map_;
  QString label_;
  std::optional<double> hovered_;
  bool highlighted_ = false;
};

}  // namespace storyscope::ui
