#include "ui/heatmap_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QStandardItemModel>

namespace storyscope::ui {

namespace {

void select_data(QComboBox* box, int value) {
  const int i = box->findData(value);
  if (i >= 0) box->setCurrentIndex(i);
}

}  // namespace

HeatmapControls::HeatmapControls(QWidget* parent)
    : QWidget(parent),
      view_(new QComboBox(this)),
      head_(new QComboBox(this)),
      word_level_(new QCheckBox(tr("Words"), this)),
      norm_(new QComboBox(this)),
      colormap_(new QComboBox(this)),
      opacity_(new QSlider(Qt::Horizontal, this)),
      background_(new QComboBox(this)) {
  view_->addItem(tr("Layer"), int(HeatmapView::Layer));
  view_->addItem(tr("Prompt-to-Prompt"), int(HeatmapView::P2P));
  view_->addItem(tr("DAAM"), int(HeatmapView::Daam));
  view_->addItem(tr("Self-attention PCA"), int(HeatmapView::SelfPca));
  view_->setToolTip(
      tr("Layer: one cross-attention layer. Prompt-to-Prompt: mean of the down/up layers at 16x16. "
         "DAAM: every layer but the coarsest, upsampled and averaged. Self-attention PCA: principal "
         "components of the self-attention matrix."));
  norm_->addItem(tr("None"), int(MapNorm::None));
  norm_->addItem(tr("Divide by max"), int(MapNorm::Max));
  norm_->addItem(tr("Min-max"), int(MapNorm::MinMax));
  norm_->setToolTip(tr("How each map is scaled before colouring"));
  for (Colormap c : {Colormap::Turbo, Colormap::Jet, Colormap::Viridis, Colormap::Gray})
    colormap_->addItem(QString::fromLatin1(colormap_name(c)), int(c));
  background_->addItem(tr("Final image"), int(HeatmapBackground::FinalImage));
  background_->addItem(tr("Predicted x0 of the step"), int(HeatmapBackground::PredictedX0));
  background_->addItem(tr("Map only"), int(HeatmapBackground::None));
  word_level_->setToolTip(tr("One map per word (mean of its tokens) instead of one per token"));
  word_level_->setChecked(true);
  opacity_->setRange(0, 100);
  opacity_->setValue(50);
  opacity_->setToolTip(tr("Opacity of the heatmap over the picture"));
  set_capabilities(0, false);
  set_view(HeatmapView::P2P);
  set_norm(MapNorm::Max);

  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->addWidget(new QLabel(tr("View"), this), 0, 0);
  grid->addWidget(view_, 0, 1);
  grid->addWidget(new QLabel(tr("Heads"), this), 0, 2);
  grid->addWidget(head_, 0, 3);
  grid->addWidget(word_level_, 0, 4);
  grid->addWidget(new QLabel(tr("Normalise"), this), 1, 0);
  grid->addWidget(norm_, 1, 1);
  grid->addWidget(new QLabel(tr("Colormap"), this), 1, 2);
  grid->addWidget(colormap_, 1, 3);
  grid->addWidget(new QLabel(tr("Opacity"), this), 2, 0);
  grid->addWidget(opacity_, 2, 1);
  grid->addWidget(new QLabel(tr("Over"), this), 2, 2);
  grid->addWidget(background_, 2, 3, 1, 2);

  const auto selection = [this] { emit selectionOptionsChanged(); };
  const auto display = [this] { emit displayOptionsChanged(); };
  connect(view_, &QComboBox::currentIndexChanged, this, [this, selection] {
    head_->setEnabled(view() == HeatmapView::Layer && head_->count() > 1);
    word_level_->setEnabled(view() != HeatmapView::SelfPca);
    selection();
  });
  connect(head_, &QComboBox::currentIndexChanged, this, selection);
  connect(word_level_, &QCheckBox::toggled, this, selection);
  connect(norm_, &QComboBox::currentIndexChanged, this, selection);
  connect(colormap_, &QComboBox::currentIndexChanged, this, display);
  connect(opacity_, &QSlider::valueChanged, this, display);
  connect(background_, &QComboBox::currentIndexChanged, this, display);
}

void HeatmapControls::set_capabilities(int heads, bool self_attention) {
  {
    const QSignalBlocker block(head_);
    const int previous = head();
    head_->clear();
    head_->addItem(tr("Mean"), -1);
    for (int h = 0; h < heads; ++h) head_->addItem(tr("Head %1").arg(h + 1), h);
    select_data(head_, previous < heads ? previous : -1);
    head_->setEnabled(view() == HeatmapView::Layer && heads > 0);
    head_->setToolTip(heads > 0 ? tr("Mean over heads or one head (Layer view)")
                                : tr("These records were averaged over heads when recorded"));
  }
  auto* model = qobject_cast<QStandardItemModel*>(view_->model());
  if (QStandardItem* item = model->item(view_->findData(int(HeatmapView::SelfPca))))
    item->setEnabled(self_attention);
  if (!self_attention && view() == HeatmapView::SelfPca) set_view(HeatmapView::P2P);
}

HeatmapView HeatmapControls::view() const { return HeatmapView(view_->currentData().toInt()); }
void HeatmapControls::set_view(HeatmapView view) { select_data(view_, int(view)); }
int HeatmapControls::head() const { return head_->count() ? head_->currentData().toInt() : -1; }
void HeatmapControls::set_head(int head) { select_data(head_, head); }
bool HeatmapControls::word_level() const { return word_level_->isChecked(); }
void HeatmapControls::set_word_level(bool on) { word_level_->setChecked(on); }
MapNorm HeatmapControls::norm() const { return MapNorm(norm_->currentData().toInt()); }
void HeatmapControls::set_norm(MapNorm norm) { select_data(norm_, int(norm)); }
Colormap HeatmapControls::colormap() const { return Colormap(colormap_->currentData().toInt()); }
void HeatmapControls::set_colormap(Colormap colormap) { select_data(colormap_, int(colormap)); }
double HeatmapControls::opacity() const { return opacity_->value() / 100.0; }
void HeatmapControls::set_opacity(double opacity) { opacity_->setValue(qRound(opacity * 100)); }
HeatmapBackground HeatmapControls::background() const {
  return HeatmapBackground(background_->currentData().toInt());
}
void HeatmapControls::set_background(HeatmapBackground background) {
  select_data(background_, int(background));
}

}  // namespace storyscope::ui
