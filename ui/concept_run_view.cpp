#include "ui/concept_run_view.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QVBoxLayout>

#include "ui/plot_style.h"
#include "ui/time_format.h"

namespace storyscope::ui {

ConceptRunView::ConceptRunView(QWidget* parent)
    : QWidget(parent),
      progress_(new QProgressBar(this)),
      status_(new QLabel(this)),
      plot_(new QCustomPlot(this)),
      maps_(new QHBoxLayout) {
  progress_->setRange(0, 1);
  progress_->setValue(0);
  status_->setWordWrap(true);

  plot_->xAxis->setLabel(tr("Step"));
  plot_->yAxis->setLabel(tr("Loss"));
  // The two losses differ by orders of magnitude and fall by several: log scale shows both.
  plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
  plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
  plot_->yAxis->setNumberFormat(QStringLiteral("eb"));
  plot_->yAxis->setNumberPrecision(0);
  plot_->legend->setVisible(true);
  plot_->legend->setFont(QFont(plot_->font().family(), 8));
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->setMinimumHeight(180);
  plot_->addGraph()->setName(tr("Diffusion (masked)"));
  plot_->graph(0)->setPen(QPen(QColor::fromHsv(210, 200, 220), 1.5));
  plot_->addGraph()->setName(tr("Attention"));
  plot_->graph(1)->setPen(QPen(QColor::fromHsv(20, 220, 230), 1.5));
  colour_plot(plot_, palette());

  auto* maps_title = new QLabel(tr("Attention of the tokens trained in the last step:"), this);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(progress_);
  layout->addWidget(status_);
  layout->addWidget(plot_, 1);
  layout->addWidget(maps_title);
  layout->addLayout(maps_);
}

void ConceptRunView::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange) {
    colour_plot(plot_, palette());
    plot_->replot();
  }
}

void ConceptRunView::start(int total) {
  progress_->setRange(0, std::max(1, total));
  progress_->setValue(0);
  status_->setText(tr("Starting…"));
  for (int g = 0; g < plot_->graphCount(); ++g) plot_->graph(g)->data()->clear();
  plot_->replot();
  clear_maps();
}

void ConceptRunView::clear_maps() {
  while (QLayoutItem* item = maps_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  map_tokens_.clear();
}

void ConceptRunView::showProgress(const ConceptProgress& p) {
  progress_->setRange(0, std::max(1, p.total));
  progress_->setValue(p.step);
  status_->setText(tr("step %1/%2 · phase %3 · %4 steps/s · ETA %5")
                       .arg(p.step)
                       .arg(p.total)
                       .arg(p.phase)
                       .arg(p.steps_per_second, 0, 'f', 2)
                       .arg(format_eta(p.eta_seconds)));
  plot_->graph(0)->addData(p.step, p.diffusion_loss);
  plot_->graph(1)->addData(p.step, p.attention_loss);
  plot_->rescaleAxes();
  plot_->xAxis->setRange(0, std::max(1, p.total));
  // Room above the curves for the legend, and below so the lowest point is not on the frame.
  const QCPRange y = plot_->yAxis->range();
  plot_->yAxis->setRange(y.lower / 2, y.upper * 12);
  plot_->replot(QCustomPlot::rpQueuedReplot);

  // The sampled tokens change from step to step: rebuild the row (a handful of small labels).
  clear_maps();
  for (int k = 0; k < p.tokens.size() && k < p.maps.size(); ++k) {
    auto* tile = new QWidget(this);
    auto* column = new QVBoxLayout(tile);
    column->setContentsMargins(0, 0, 0, 0);
    auto* picture = new QLabel(tile);
    picture->setPixmap(QPixmap::fromImage(p.maps[k]));
    auto* caption = new QLabel(p.tokens[k], tile);
    caption->setAlignment(Qt::AlignHCenter);
    column->addWidget(picture);
    column->addWidget(caption);
    tile->setToolTip(tr("Where %1 attends (attention divided by its maximum)").arg(p.tokens[k]));
    maps_->addWidget(tile);
    map_tokens_ << p.tokens[k];
  }
  maps_->addStretch(1);
}

void ConceptRunView::setStatus(const QString& text) { status_->setText(text); }

}  // namespace storyscope::ui
