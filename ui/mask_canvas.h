#pragma once
// Where masks are painted: the frame scaled to fit, the visible word layers tinted over it, and
// brush / eraser / flood fill on the current word's layer. A stroke (press to release) or a fill
// is reported once, as the mask before and after, for the undo stack.
#include <QImage>
#include <QPoint>
#include <QWidget>
#include <algorithm>
#include <optional>

#include "ui/mask_document.h"

namespace storyscope::ui {

enum class MaskTool { Brush, Eraser, Fill };

class MaskCanvas : public QWidget {
  Q_OBJECT
 public:
  explicit MaskCanvas(MaskDocument* document, QWidget* parent = nullptr);

  void set_background(const QImage& image);
  void set_current_word(const QString& word);
  QString current_word() const { return word_; }
  void set_tool(MaskTool tool) { tool_ = tool; }
  MaskTool tool() const { return tool_; }
  void set_brush_size(int pixels) { brush_size_ = std::max(1, pixels); }  // in image pixels
  int brush_size() const { return brush_size_; }

  // Where the image is drawn, and the mapping between widget and image pixels.
  QRectF image_rect() const;
  QPoint image_point(const QPointF& widget_pos) const;
  QPointF widget_point(const QPoint& image_pos) const;  // centre of the pixel

  QSize sizeHint() const override { return {320, 320}; }

 signals:
  void editFinished(const QString& word, const QImage& before, const QImage& after, const QString& what);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;

 private:
  void paint_segment(const QPoint& from, const QPoint& to);
  void flood_fill(const QPoint& seed);

  MaskDocument* document_;
  QImage background_;
  QString word_;
  MaskTool tool_ = MaskTool::Brush;
  int brush_size_ = 6;
  // The stroke in progress: the mask before it, the mask being painted, the last point.
  std::optional<QImage> before_;
  QImage working_;
  QPoint last_;
};

}  // namespace storyscope::ui
