#pragma once
// The step scrubber of the inspector: a slider over the recorded steps, play/pause (a timer that
// advances one step per tick and wraps), and "all steps" for the mean over every step.
#include <QWidget>
#include <vector>

class QCheckBox;
class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace storyscope::ui {

class HeatmapStepBar : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapStepBar(QWidget* parent = nullptr);

  // The recorded step indices (ascending); keeps the position when it still exists.
  void set_steps(const std::vector<int>& steps);
  // Index into steps() of the slider; -1 when there are none.
  int position() const;
  void set_position(int index);
  // The step under the slider (-1 when none).
  int step() const;
  bool all_steps() const;
  void set_all_steps(bool all);
  const std::vector<int>& steps() const { return steps_; }

  bool playing() const;
  void play();
  void pause();
  void set_interval_ms(int ms);
  QSlider* slider() const { return slider_; }

 signals:
  void changed();

 private:
  void update_label();
  void advance();

  std::vector<int> steps_;
  QSlider* slider_;
  QToolButton* play_button_;
  QLabel* label_;
  QCheckBox* all_steps_;
  QTimer* timer_;
};

}  // namespace storyscope::ui
