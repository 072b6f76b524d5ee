#include "ui/frames_view.h"

#include <QHBoxLayout>
#include <QListWidget>
#include <QPainter>
#include <QPixmap>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/image_view.h"

namespace storyscope::ui {
namespace {
constexpr int kThumb = 96;
}

FramesView::FramesView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("FramesView"));
  view_ = new ImageView;
  view_->setPlaceholder(tr("No frames yet: write a story and press Generate (Ctrl+Return)."));
  gallery_ = new QListWidget;
  gallery_->setObjectName(QStringLiteral("gallery"));
  gallery_->setViewMode(QListView::IconMode);
  gallery_->setFlow(QListView::LeftToRight);
  gallery_->setWrapping(false);
  gallery_->setMovement(QListView::Static);
  gallery_->setIconSize(QSize(kThumb, kThumb));
  gallery_->setFixedHeight(kThumb + 48);
  gallery_->setSelectionMode(QAbstractItemView::SingleSelection);
  connect(gallery_, &QListWidget::currentRowChanged, this, [this](int row) {
    show_current();
    if (row >= 0 && row < static_cast<int>(frames_.size()))
      emit frameSelected(frames_[static_cast<std::size_t>(row)]);
  });

  auto* bar = new QHBoxLayout;
  strip_ = new QToolButton;
  strip_->setText(tr("Strip"));
  strip_->setCheckable(true);
  strip_->setToolTip(tr("Show every frame side by side"));
  connect(strip_, &QToolButton::toggled, this, [this] { show_current(); });
  auto* export_button = new QToolButton;
  export_button->setText(tr("Export…"));
  export_button->setToolTip(tr("Write frames, strip, GIF/MP4, story.json and attention records to a folder"));
  connect(export_button, &QToolButton::clicked, this, &FramesView::exportRequested);
  bar->addStretch(1);
  bar->addWidget(strip_);
  bar->addWidget(export_button);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(view_, 1);
  layout->addWidget(gallery_);
}

void FramesView::clear() {
  frames_.clear();
  gallery_->clear();
  show_current();
}

void FramesView::addFrame(const FramePtr& frame) {
  if (!frame) return;
  const auto at = std::lower_bound(frames_.begin(), frames_.end(), frame->index,
                                   [](const FramePtr& f, int index) { return f->index < index; });
  const int row = static_cast<int>(at - frames_.begin());
  // Thumbnails in device pixels, so they stay sharp on high-DPI screens.
  const double dpr = devicePixelRatioF();
  QPixmap thumb = QPixmap::fromImage(
      frame->image.scaled(qRound(kThumb * dpr), qRound(kThumb * dpr), Qt::KeepAspectRatio));
  thumb.setDevicePixelRatio(dpr);
  const QIcon icon(thumb);
  const QString label = tr("Frame %1").arg(frame->index + 1);
  if (at != frames_.end() && (*at)->index == frame->index) {
    *at = frame;
    gallery_->item(row)->setIcon(icon);
    if (gallery_->currentRow() == row) {
      show_current();
      emit frameSelected(frame);
    }
    return;
  }
  frames_.insert(at, frame);
  auto* item = new QListWidgetItem(icon, label);
  item->setToolTip(frame->prompt);
  gallery_->insertItem(row, item);
  if (gallery_->currentRow() < 0)
    gallery_->setCurrentRow(row);
  else if (strip_->isChecked())
    show_current();
}

FramePtr FramesView::selectedFrame() const {
  const int row = gallery_->currentRow();
  return row >= 0 && row < static_cast<int>(frames_.size()) ? frames_[static_cast<std::size_t>(row)]
                                                            : nullptr;
}

void FramesView::selectFrame(int index) {
  for (std::size_t i = 0; i < frames_.size(); ++i)
    if (frames_[i]->index == index) gallery_->setCurrentRow(static_cast<int>(i));
}

void FramesView::setStripMode(bool strip) { strip_->setChecked(strip); }
bool FramesView::stripMode() const { return strip_->isChecked(); }

QImage FramesView::stripImage() const {
  int width = 0, height = 0;
  for (const FramePtr& f : frames_) {
    width += f->image.width();
    height = std::max(height, f->image.height());
  }
  if (width == 0) return {};
  QImage strip(width, height, QImage::Format_RGB888);
  strip.fill(Qt::black);
  QPainter painter(&strip);
  int x = 0;
  for (const FramePtr& f : frames_) {
    painter.drawImage(x, 0, f->image);
    x += f->image.width();
  }
  return strip;
}

void FramesView::show_current() {
  if (strip_->isChecked()) {
    view_->setImage(stripImage());
    return;
  }
  const FramePtr f = selectedFrame();
  view_->setImage(f ? f->image : QImage());
}

}  // namespace storyscope::ui
