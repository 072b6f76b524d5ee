#include "ui/attention_inspector.h"

#include <ATen/ATen.h>

#include <QElapsedTimer>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>

#include "core/common/error.h"
#include "ui/heatmap_image.h"
#include "ui/heatmap_layer_tree.h"
#include "ui/heatmap_step_bar.h"
#include "ui/heatmap_tile.h"

namespace storyscope::ui {

namespace {
constexpr int kTileSize = 128;
constexpr int kLargeSize = 320;
constexpr int kColumns = 4;
}  // namespace

AttentionInspector::AttentionInspector(QWidget* parent)
    : QWidget(parent),
      controls_(new HeatmapControls(this)),
      step_bar_(new HeatmapStepBar(this)),
      layer_tree_(new HeatmapLayerTree(this)),
      grid_host_(new QWidget(this)),
      grid_(new QGridLayout(grid_host_)),
      large_view_(new HeatmapTile(-1, kLargeSize, this)),
      status_(new QLabel(this)) {
  qRegisterMetaType<HeatmapSelection>();
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(grid_host_);
  scroll->setWidgetResizable(true);
  grid_->setAlignment(Qt::AlignTop | Qt::AlignLeft);

  auto* right = new QSplitter(Qt::Vertical, this);
  right->addWidget(scroll);
  // The large view has a fixed size; a stretchable holder keeps it from capping the column's width.
  auto* large_holder = new QWidget(this);
  auto* large_layout = new QHBoxLayout(large_holder);
  large_layout->addWidget(large_view_, 0, Qt::AlignCenter);
  right->addWidget(large_holder);
  right->setStretchFactor(0, 1);
  right->setStretchFactor(1, 0);
  right->setSizes({420, kLargeSize + 30});
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(layer_tree_);
  split->addWidget(right);
  split->setStretchFactor(0, 0);
  split->setStretchFactor(1, 1);
  split->setSizes({260, 900});  // the layer names are long; the maps get the room

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(controls_);
  layout->addWidget(step_bar_);
  layout->addWidget(split, 1);
  layout->addWidget(status_);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  connect(controls_, &HeatmapControls::selectionOptionsChanged, this, &AttentionInspector::refresh);
  connect(controls_, &HeatmapControls::displayOptionsChanged, this, &AttentionInspector::redraw_tiles);
  connect(step_bar_, &HeatmapStepBar::changed, this, &AttentionInspector::refresh);
  connect(layer_tree_, &HeatmapLayerTree::layerChosen, this, [this] {
    // Picking a layer means "show me this layer".
    if (controls_->view() != HeatmapView::Layer) {
      const QSignalBlocker block(controls_);
      controls_->set_view(HeatmapView::Layer);
    }
    refresh();
  });
  connect(large_view_, &HeatmapTile::hovered, this, [this](int, double v) {
    emit valueHovered(selection_.token, v);
    show_status(tr("%1: %2").arg(large_view_->label()).arg(v, 0, 'f', 4));
  });
  show_status(tr("No frame selected"));
}

void AttentionInspector::setFrame(FramePtr frame) {
  source_ = HeatmapSource(std::move(frame));
  {
    const QSignalBlocker b1(controls_), b2(step_bar_);
    controls_->set_capabilities(source_.heads(), source_.has_self_attention());
    step_bar_->set_steps(source_.steps());
    layer_tree_->set_layers(source_.layers());
    const QString keep = selection_.layer;
    if (!layer_tree_->select_layer(keep) && !source_.layers().empty())
      layer_tree_->select_layer(source_.layers().front().name);
  }
  refresh();
}

void AttentionInspector::setSelection(const HeatmapSelection& s) {
  {
    const QSignalBlocker b1(controls_), b2(step_bar_);
    controls_->set_view(s.view);
    controls_->set_head(s.head);
    controls_->set_word_level(s.word_level);
    controls_->set_norm(s.norm);
    if (!s.layer.isEmpty()) layer_tree_->select_layer(s.layer);
    const bool all = s.steps.first != s.steps.last || s.steps.last < 0;
    step_bar_->set_all_steps(all);
    if (!all) {
      const auto& steps = source_.steps();
      const auto it = std::find(steps.begin(), steps.end(), s.steps.first);
      if (it != steps.end()) step_bar_->set_position(static_cast<int>(it - steps.begin()));
    }
  }
  selection_.token = s.token;
  refresh();
}

void AttentionInspector::setToken(int row) {
  if (row == selection_.token) return;
  selection_.token = row;
  redraw_tiles();
  emit selectionChanged(selection_);
}

QString AttentionInspector::statusText() const { return status_->text(); }

void AttentionInspector::show_status(const QString& text) { status_->setText(text); }

void AttentionInspector::read_selection_from_controls() {
  selection_.view = controls_->view();
  selection_.layer = layer_tree_->current_layer();
  selection_.head = controls_->head();
  selection_.word_level = controls_->word_level();
  selection_.norm = controls_->norm();
  selection_.steps = step_bar_->all_steps() || step_bar_->step() < 0 ? StepRange::all()
                                                                     : StepRange::single(step_bar_->step());
}

void AttentionInspector::refresh() {
  QElapsedTimer timer;
  timer.start();
  const HeatmapSelection before = selection_;
  read_selection_from_controls();
  shown_maps_ = at::Tensor();
  shown_labels_.clear();
  if (!source_.has_records()) {
    show_status(source_.frame() ? tr("This frame has no attention records") : tr("No frame selected"));
  } else {
    try {
      shown_maps_ = source_.maps(selection_);
      shown_labels_ = source_.labels(selection_);
      show_status(tr("%n map(s)", nullptr, static_cast<int>(shown_maps_.size(0))));
    } catch (const std::exception& e) {
      show_status(tr("Cannot show this view: %1").arg(QString::fromUtf8(e.what())));
    }
  }
  const int rows = shown_maps_.defined() ? static_cast<int>(shown_maps_.size(0)) : 0;
  if (selection_.token >= rows) selection_.token = 0;
  redraw_tiles();
  last_update_ms_ = timer.nsecsElapsed() / 1e6;
  if (selection_ != before) emit selectionChanged(selection_);
}

QImage AttentionInspector::background_image() const {
  const FramePtr& frame = source_.frame();
  if (!frame) return {};
  switch (controls_->background()) {
    case HeatmapBackground::None:
      return {};
    case HeatmapBackground::PredictedX0: {
      const int step = selection_.steps.first == selection_.steps.last ? selection_.steps.first : -1;
      if (step >= 0 && step < static_cast<int>(frame->x0_steps.size())) return frame->x0_steps[step];
      return frame->image;
    }
    case HeatmapBackground::FinalImage:
      break;
  }
  return frame->image;
}

void AttentionInspector::ensure_tiles(int count) {
  while (static_cast<int>(tiles_.size()) > count) {
    delete tiles_.back();
    tiles_.pop_back();
  }
  while (static_cast<int>(tiles_.size()) < count) {
    const int index = static_cast<int>(tiles_.size());
    auto* tile = new HeatmapTile(index, kTileSize, grid_host_);
    grid_->addWidget(tile, index / kColumns, index % kColumns);
    connect(tile, &HeatmapTile::clicked, this, &AttentionInspector::setToken);
    connect(tile, &HeatmapTile::hovered, this, [this, tile](int row, double v) {
      emit valueHovered(row, v);
      show_status(tr("%1: %2").arg(tile->label()).arg(v, 0, 'f', 4));
    });
    tiles_.push_back(tile);
  }
}

void AttentionInspector::redraw_tiles() {
  const int rows = shown_maps_.defined() ? static_cast<int>(shown_maps_.size(0)) : 0;
  ensure_tiles(rows);
  const QImage base = background_image();
  const Colormap colormap = controls_->colormap();
  const double opacity = controls_->opacity();
  // Without a picture under it the map is drawn at the tile's size in device pixels (sharp on
  // high-DPI screens).
  const double dpr = devicePixelRatioF();
  for (int i = 0; i < rows; ++i) {
    const at::Tensor map = shown_maps_[i];
    tiles_[i]->set_content(heatmap_overlay(base, map, colormap, opacity, qRound(kTileSize * dpr)), map,
                           i < shown_labels_.size() ? shown_labels_[i] : QString::number(i));
    tiles_[i]->set_highlighted(i == selection_.token);
  }
  if (rows > 0) {
    const at::Tensor map = shown_maps_[selection_.token];
    large_view_->set_content(heatmap_overlay(base, map, colormap, opacity, qRound(kLargeSize * dpr)), map,
                             shown_labels_.value(selection_.token));
  } else {
    large_view_->set_content({}, at::Tensor(), QString());
  }
}

}  // namespace storyscope::ui
