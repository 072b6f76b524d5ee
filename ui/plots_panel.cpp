#include "ui/plots_panel.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

#include "core/common/error.h"
#include "ui/plot_style.h"

namespace storyscope::ui {

namespace {

QColor series_color(int i) { return QColor::fromHsv((i * 137) % 360, 200, 210); }

QCustomPlot* make_plot(QWidget* parent, const QString& x_label, const QString& y_label) {
  auto* plot = new QCustomPlot(parent);
  plot->xAxis->setLabel(x_label);
  plot->yAxis->setLabel(y_label);
  plot->legend->setVisible(true);
  plot->legend->setFont(QFont(plot->font().family(), 8));
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot->setMinimumHeight(160);
  return plot;
}

// "up_blocks.1.attentions.2.transformer_blocks.0.attn2" -> "up 1.2" for the axis ticks (the full
// names stay in series(Plot::LayerBars).names).
QString short_layer_name(const QString& name) {
  const QStringList parts = name.split(QLatin1Char('.'));
  const int at = static_cast<int>(parts.indexOf(QStringLiteral("attentions")));
  if (at < 0 || at + 1 >= parts.size()) return name;
  const QString place = parts[0].section(QLatin1Char('_'), 0, 0);
  return at == 2 ? QStringLiteral("%1 %2.%3").arg(place, parts[1], parts[at + 1])
                 : QStringLiteral("%1 %2").arg(place, parts[at + 1]);
}

// Steps are integers: whole-number ticks, and a margin so the first and last points are not on
// the frame.
void fit_step_axes(QCustomPlot* plot) {
  auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
  ticker->setTickStep(1.0);
  ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  plot->xAxis->setTicker(ticker);
  plot->rescaleAxes();
  const QCPRange x = plot->xAxis->range();
  plot->xAxis->setRange(x.lower - 0.25, x.upper + 0.25);
  plot->yAxis->scaleRange(1.15, plot->yAxis->range().center());
}

QVector<double> to_qvector(const std::vector<double>& v) { return QVector<double>(v.begin(), v.end()); }

}  // namespace

PlotsPanel::PlotsPanel(QWidget* parent)
    : QWidget(parent),
      tabs_(new QTabWidget(this)),
      mass_plot_(make_plot(this, tr("Step"), tr("Mean attention"))),
      layer_plot_(make_plot(this, tr("Layer"), tr("Mean attention"))),
      alignment_plot_(make_plot(this, tr("Step"), tr("Score"))),
      metric_box_(new QComboBox(this)),
      status_(new QLabel(this)) {
  tabs_->addTab(mass_plot_, tr("Mass per token"));
  tabs_->addTab(layer_plot_, tr("Per layer"));
  tabs_->addTab(alignment_plot_, tr("Alignment"));
  metric_box_->addItem(tr("IoU"), int(AlignmentMetric::Iou));
  metric_box_->addItem(tr("MSE"), int(AlignmentMetric::Mse));
  metric_box_->addItem(tr("Mass inside"), int(AlignmentMetric::MassInside));
  metric_box_->setToolTip(tr("Alignment score plotted over steps"));
  auto* export_button = new QPushButton(tr("Export…"), this);
  export_button->setToolTip(tr("Save the plot shown as PNG or PDF"));

  auto* bar = new QHBoxLayout;
  bar->addWidget(status_, 1);
  bar->addWidget(new QLabel(tr("Alignment score"), this));
  bar->addWidget(metric_box_);
  bar->addWidget(export_button);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(tabs_, 1);
  layout->addLayout(bar);

  connect(metric_box_, &QComboBox::currentIndexChanged, this,
          [this] { setAlignmentMetric(AlignmentMetric(metric_box_->currentData().toInt())); });
  connect(export_button, &QPushButton::clicked, this, &PlotsPanel::export_clicked);
  apply_palette();
  refresh();
}

void PlotsPanel::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange) {
    apply_palette();
    for (QCustomPlot* p : {mass_plot_, layer_plot_, alignment_plot_}) p->replot();
  }
}

void PlotsPanel::apply_palette() {
  for (QCustomPlot* p : {mass_plot_, layer_plot_, alignment_plot_}) colour_plot(p, palette());
}

void PlotsPanel::setFrame(FramePtr frame) {
  source_ = HeatmapSource(std::move(frame));
  masks_.clear();
  refresh();
}

void PlotsPanel::setSelection(const HeatmapSelection& selection) {
  selection_ = selection;
  refresh();
}

void PlotsPanel::setMasks(const QMap<QString, QImage>& masks) {
  masks_ = masks;
  draw_alignment();
}

void PlotsPanel::setAlignmentMetric(AlignmentMetric metric) {
  metric_ = metric;
  const int i = metric_box_->findData(int(metric));
  if (i != metric_box_->currentIndex()) metric_box_->setCurrentIndex(i);  // re-enters once, harmless
  draw_alignment();
}

QCustomPlot* PlotsPanel::plot(Plot which) const {
  switch (which) {
    case Plot::MassOverSteps:
      return mass_plot_;
    case Plot::LayerBars:
      return layer_plot_;
    case Plot::AlignmentOverSteps:
      return alignment_plot_;
  }
  return nullptr;
}

const StepSeries& PlotsPanel::series(Plot which) const {
  switch (which) {
    case Plot::MassOverSteps:
      return mass_;
    case Plot::LayerBars:
      return layers_;
    case Plot::AlignmentOverSteps:
      break;
  }
  return alignment_;
}

void PlotsPanel::showPlot(Plot which) { tabs_->setCurrentWidget(plot(which)); }

void PlotsPanel::refresh() {
  status_->clear();
  try {
    draw_mass();
    draw_layers();
  } catch (const std::exception& e) {
    status_->setText(tr("Cannot plot this view: %1").arg(QString::fromUtf8(e.what())));
  }
  draw_alignment();
}

void PlotsPanel::draw_mass() {
  mass_plot_->clearGraphs();
  mass_ = mass_over_steps(source_, selection_);
  const QVector<double> x = to_qvector(mass_.steps);
  for (std::size_t i = 0; i < mass_.values.size(); ++i) {
    QCPGraph* g = mass_plot_->addGraph();
    g->setName(mass_.names.value(static_cast<int>(i)));
    g->setPen(QPen(series_color(static_cast<int>(i)), static_cast<int>(i) == selection_.token ? 3 : 1));
    g->setScatterStyle(QCPScatterStyle::ssCircle);
    g->setData(x, to_qvector(mass_.values[i]), true);
  }
  const QString where = selection_.view == HeatmapView::Layer ? selection_.layer : view_id(selection_.view);
  mass_plot_->xAxis->setLabel(tr("Step (%1)").arg(where));
  fit_step_axes(mass_plot_);
  mass_plot_->replot();
}

void PlotsPanel::draw_layers() {
  layer_plot_->clearPlottables();
  layers_ = mass_per_layer(source_, selection_);
  if (!layers_.values.empty() && !layers_.names.isEmpty()) {
    auto* bars = new QCPBars(layer_plot_->xAxis, layer_plot_->yAxis);
    const QStringList labels = source_.labels(selection_);
    bars->setName(tr("mass of \"%1\"").arg(labels.value(selection_.token)));
    bars->setBrush(series_color(0));
    bars->setData(to_qvector(layers_.steps), to_qvector(layers_.values[0]), true);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (std::size_t i = 0; i < layers_.steps.size(); ++i) {
      // Short names on the axis ("up_blocks.1.attentions.0"), the full one in the data.
      ticker->addTick(layers_.steps[i], short_layer_name(layers_.names.value(static_cast<int>(i))));
    }
    layer_plot_->xAxis->setTicker(ticker);
    layer_plot_->xAxis->setTickLabelRotation(60);
  }
  layer_plot_->rescaleAxes();
  layer_plot_->xAxis->setRange(-0.6, static_cast<double>(layers_.steps.size()) - 0.4);
  layer_plot_->yAxis->setRange(0, layer_plot_->yAxis->range().upper * 1.1);
  layer_plot_->replot();
}

void PlotsPanel::draw_alignment() {
  alignment_plot_->clearGraphs();
  try {
    alignment_ = alignment_over_steps(source_, selection_, masks_, metric_);
  } catch (const std::exception& e) {
    alignment_ = {};
    status_->setText(tr("Cannot score the masks: %1").arg(QString::fromUtf8(e.what())));
  }
  const QVector<double> x = to_qvector(alignment_.steps);
  for (std::size_t i = 0; i < alignment_.values.size(); ++i) {
    QCPGraph* g = alignment_plot_->addGraph();
    g->setName(alignment_.names.value(static_cast<int>(i)));
    g->setPen(QPen(series_color(static_cast<int>(i)), 2));
    g->setScatterStyle(QCPScatterStyle::ssDisc);
    g->setData(x, to_qvector(alignment_.values[i]), true);
  }
  alignment_plot_->yAxis->setLabel(metric_box_->currentText());
  fit_step_axes(alignment_plot_);
  alignment_plot_->replot();
}

void PlotsPanel::exportPlot(Plot which, const QString& path) const {
  QCustomPlot* p = plot(which);
  const QString suffix = QFileInfo(path).suffix().toLower();
  const int w = std::max(p->width(), 640), h = std::max(p->height(), 400);
  bool ok = false;
  if (suffix == QLatin1String("pdf"))
    ok = p->savePdf(path, w, h);
  else if (suffix == QLatin1String("png"))
    ok = p->savePng(path, w, h);
  else
    throw_bad_input(path.toStdString(), "", "expected a .png or .pdf file name");
  if (!ok) throw_bad_input(path.toStdString(), "", "cannot write the plot");
}

void PlotsPanel::export_clicked() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Export plot"), QStringLiteral("plot.png"),
                                                    tr("PNG image (*.png);;PDF document (*.pdf)"));
  if (path.isEmpty()) return;
  const Plot which = tabs_->currentWidget() == layer_plot_       ? Plot::LayerBars
                     : tabs_->currentWidget() == alignment_plot_ ? Plot::AlignmentOverSteps
                                                                 : Plot::MassOverSteps;
  try {
    exportPlot(which, path);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Export plot"), QString::fromUtf8(e.what()));
  }
}

}  // namespace storyscope::ui
