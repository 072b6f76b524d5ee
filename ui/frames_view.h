#pragma once
// The central Frames view: the selected frame (or the whole strip) large, and a gallery of
// thumbnails. Clicking a thumbnail selects that frame everywhere (frameSelected).
#include <QWidget>
#include <vector>

#include "ui/frame_data.h"

class QListWidget;
class QToolButton;

namespace storyscope::ui {

class ImageView;

class FramesView : public QWidget {
  Q_OBJECT
 public:
  explicit FramesView(QWidget* parent = nullptr);

  void clear();
  // Adds a frame in story order; a frame with the same index replaces the old one. The first
  // frame added to an empty view is selected.
  void addFrame(const FramePtr& frame);
  const std::vector<FramePtr>& frames() const { return frames_; }
  FramePtr selectedFrame() const;
  // Selects the frame with this story index (no-op when absent).
  void selectFrame(int index);
  void setStripMode(bool strip);
  bool stripMode() const;
  // The frames side by side, as shown in strip mode.
  QImage stripImage() const;
  QListWidget* gallery() const { return gallery_; }

 signals:
  void frameSelected(const storyscope::ui::FramePtr& frame);
  void exportRequested();

 private:
  void show_current();

  std::vector<FramePtr> frames_;
  ImageView* view_ = nullptr;
  QListWidget* gallery_ = nullptr;
  QToolButton* strip_ = nullptr;
};

}  // namespace storyscope::ui
