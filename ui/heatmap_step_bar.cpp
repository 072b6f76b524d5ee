#include "ui/heatmap_step_bar.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <algorithm>

namespace storyscope::ui {

HeatmapStepBar::HeatmapStepBar(QWidget* parent)
    : QWidget(parent),
      slider_(new QSlider(Qt::Horizontal, this)),
      play_button_(new QToolButton(this)),
      label_(new QLabel(this)),
      all_steps_(new QCheckBox(tr("All steps"), this)),
      timer_(new QTimer(this)) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(new QLabel(tr("Step"), this));
  layout->addWidget(play_button_);
  layout->addWidget(slider_, 1);
  layout->addWidget(label_);
  layout->addWidget(all_steps_);
  play_button_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
  play_button_->setToolTip(tr("Play through the steps"));
  slider_->setToolTip(tr("Denoising step whose attention is shown"));
  all_steps_->setToolTip(tr("Show the mean over every recorded step"));
  slider_->setPageStep(1);
  timer_->setInterval(300);
  connect(slider_, &QSlider::valueChanged, this, [this] {
    update_label();
    emit changed();
  });
  connect(all_steps_, &QCheckBox::toggled, this, [this](bool all) {
    slider_->setEnabled(!all);
    update_label();
    emit changed();
  });
  connect(play_button_, &QToolButton::clicked, this, [this] { playing() ? pause() : play(); });
  connect(timer_, &QTimer::timeout, this, &HeatmapStepBar::advance);
  set_steps({});
}

void HeatmapStepBar::set_steps(const std::vector<int>& steps) {
  const int previous = step();
  steps_ = steps;
  const QSignalBlocker block(slider_);
  slider_->setRange(0, std::max(0, static_cast<int>(steps_.size()) - 1));
  int index = static_cast<int>(steps_.size()) - 1;  // a new frame opens on its last step
  for (std::size_t i = 0; i < steps_.size(); ++i)
    if (steps_[i] == previous) index = static_cast<int>(i);
  slider_->setValue(std::max(0, index));
  setEnabled(!steps_.empty());
  if (steps_.empty()) pause();
  update_label();
}

int HeatmapStepBar::position() const { return steps_.empty() ? -1 : slider_->value(); }
void HeatmapStepBar::set_position(int index) { slider_->setValue(index); }
int HeatmapStepBar::step() const {
  return steps_.empty() ? -1 : steps_[static_cast<std::size_t>(slider_->value())];
}
bool HeatmapStepBar::all_steps() const { return all_steps_->isChecked(); }
void HeatmapStepBar::set_all_steps(bool all) { all_steps_->setChecked(all); }
bool HeatmapStepBar::playing() const { return timer_->isActive(); }
void HeatmapStepBar::set_interval_ms(int ms) { timer_->setInterval(ms); }

void HeatmapStepBar::play() {
  if (steps_.size() < 2) return;
  all_steps_->setChecked(false);
  timer_->start();
  play_button_->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
  play_button_->setToolTip(tr("Pause"));
}

void HeatmapStepBar::pause() {
  timer_->stop();
  play_button_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
  play_button_->setToolTip(tr("Play through the steps"));
}

void HeatmapStepBar::advance() {
  if (steps_.empty()) return pause();
  slider_->setValue((slider_->value() + 1) % static_cast<int>(steps_.size()));
}

void HeatmapStepBar::update_label() {
  if (steps_.empty())
    label_->setText(tr("no steps"));
  else if (all_steps())
    label_->setText(tr("all %n step(s)", nullptr, static_cast<int>(steps_.size())));
  else
    label_->setText(tr("%1/%2").arg(slider_->value() + 1).arg(steps_.size()));
}

}  // namespace storyscope::ui
