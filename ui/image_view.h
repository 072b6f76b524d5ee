#pragma once
// Shows one image as large as the widget allows, keeping its aspect ratio. Small images (the
// demo model's 64 px frames) are enlarged with sharp pixels rather than blurred.
#include <QImage>
#include <QWidget>

namespace storyscope::ui {

class ImageView : public QWidget {
  Q_OBJECT
 public:
  explicit ImageView(QWidget* parent = nullptr);
  void setImage(const QImage& image);
  const QImage& image() const { return image_; }
  void setPlaceholder(const QString& text);
  QSize sizeHint() const override { return {320, 320}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QImage image_;
  QString placeholder_;
};

}  // namespace storyscope::ui
