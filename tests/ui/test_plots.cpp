// The plots panel on real records: the number of graphs and points, and every plotted value
// against the core views and score_alignment; PNG/PDF export.
#include <qcustomplot.h>

#include <QTemporaryDir>
#include <QtTest>

#include "core/analysis/alignment.h"
#include "core/common/error.h"
#include "test_inspector_fixture.h"
#include "ui/plots_panel.h"

using namespace storyscope;
using namespace storyscope::ui;
using storyscope::testing::mask_from_pixels;

class TestPlots : public QObject {
  Q_OBJECT

  FramePtr frame_;
  HeatmapSelection selection_;
  std::vector<std::string> layers_;

  std::vector<WordSpan> spans() const {
    return word_spans(frame_->encoding, frame_->prompt.toStdString(), frame_->records->token_positions);
  }
  at::Tensor word_map_raw(const std::string& layer, StepRange steps) const {
    return word_maps(layer_view(*frame_->records, layer, steps), spans(), MapNorm::None);
  }

 private slots:
  void initTestCase() {
    storyscope::testing::FrameOptions o;
    o.size = 32;
    frame_ = storyscope::testing::make_frame(o);
    for (const auto& r : frame_->records->records)
      if (r.is_cross && std::find(layers_.begin(), layers_.end(), r.layer) == layers_.end())
        layers_.push_back(r.layer);
    selection_.view = HeatmapView::Layer;
    selection_.layer = QString::fromStdString(layers_.back());
    selection_.steps = StepRange::single(1);
    selection_.token = 2;  // "fox"
  }

  void massPerTokenOverSteps() {
    PlotsPanel panel;
    panel.setFrame(frame_);
    panel.setSelection(selection_);
    QCustomPlot* plot = panel.plot(PlotsPanel::Plot::MassOverSteps);
    const auto words = spans();
    QCOMPARE(plot->graphCount(), static_cast<int>(words.size()));
    for (int g = 0; g < plot->graphCount(); ++g) {
      QCPGraph* graph = plot->graph(g);
      QCOMPARE(graph->name(), QString::fromStdString(words[g].word));
      QCOMPARE(graph->dataCount(), 4);
      for (int s = 0; s < 4; ++s) {
        const double expected = word_map_raw(layers_.back(), StepRange::single(s))[g].mean().item<double>();
        QCOMPARE(graph->data()->at(s)->key, double(s));
        QVERIFY(qAbs(graph->data()->at(s)->value - expected) < 1e-9);
      }
    }
    QCOMPARE(graph_pen_width(plot, 2), 3);  // the selected token stands out
  }

  void perLayerBarsForTheSelectedToken() {
    PlotsPanel panel;
    panel.setFrame(frame_);
    panel.setSelection(selection_);
    QCustomPlot* plot = panel.plot(PlotsPanel::Plot::LayerBars);
    QCOMPARE(plot->plottableCount(), 1);
    auto* bars = qobject_cast<QCPBars*>(plot->plottable(0));
    QVERIFY(bars);
    QCOMPARE(bars->dataCount(), static_cast<int>(layers_.size()));
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      const double expected = word_map_raw(layers_[i], selection_.steps)[2].mean().item<double>();
      QVERIFY(qAbs(bars->data()->at(static_cast<int>(i))->value - expected) < 1e-9);
    }
    HeatmapSelection other = selection_;
    other.token = 5;  // "snow"
    panel.setSelection(other);
    bars = qobject_cast<QCPBars*>(plot->plottable(0));
    QVERIFY(qAbs(bars->data()->at(0)->value -
                 word_map_raw(layers_[0], other.steps)[5].mean().item<double>()) < 1e-9);
  }

  void alignmentOverStepsWhenMasksExist() {
    PlotsPanel panel;
    panel.setFrame(frame_);
    panel.setSelection(selection_);
    QCustomPlot* plot = panel.plot(PlotsPanel::Plot::AlignmentOverSteps);
    QCOMPARE(plot->graphCount(), 0);
    QImage mask(frame_->image.size(), QImage::Format_Grayscale8);
    mask.fill(0);
    for (int y = 4; y < 20; ++y)
      for (int x = 6; x < 26; ++x) mask.setPixel(x, y, qRgb(255, 255, 255));
    panel.setMasks({{"fox", mask}});
    QCOMPARE(plot->graphCount(), 1);
    QCOMPARE(plot->graph(0)->name(), QStringLiteral("fox"));
    QCOMPARE(plot->graph(0)->dataCount(), 4);
    for (const auto metric : {AlignmentMetric::Iou, AlignmentMetric::Mse, AlignmentMetric::MassInside}) {
      panel.setAlignmentMetric(metric);
      for (int s = 0; s < 4; ++s) {
        const AlignmentScores sc =
            score_alignment(word_map_raw(layers_.back(), StepRange::single(s))[2], mask_from_pixels(mask));
        const double expected = metric == AlignmentMetric::Iou   ? sc.iou
                                : metric == AlignmentMetric::Mse ? sc.mse
                                                                 : sc.mass_inside;
        QCOMPARE(plot->graph(0)->data()->at(s)->value, expected);
      }
    }
  }

  void exportsPngAndPdf() {
    PlotsPanel panel;
    panel.setFrame(frame_);
    panel.setSelection(selection_);
    QTemporaryDir dir;
    for (auto which : {PlotsPanel::Plot::MassOverSteps, PlotsPanel::Plot::LayerBars}) {
      const QString png = dir.filePath(QStringLiteral("p%1.png").arg(int(which)));
      const QString pdf = dir.filePath(QStringLiteral("p%1.pdf").arg(int(which)));
      panel.exportPlot(which, png);
      panel.exportPlot(which, pdf);
      QVERIFY(QFileInfo(png).size() > 1000);
      QVERIFY(QFileInfo(pdf).size() > 1000);
      QCOMPARE(QImage(png).width(), 640);
      QFile f(pdf);
      QVERIFY(f.open(QIODevice::ReadOnly));
      QVERIFY(f.read(5) == "%PDF-");
    }
    bool thrown = false;
    try {
      panel.exportPlot(PlotsPanel::Plot::LayerBars, dir.filePath("x.txt"));
    } catch (const storyscope::Error&) {
      thrown = true;
    }
    QVERIFY(thrown);
  }

 private:
  static int graph_pen_width(QCustomPlot* plot, int g) { return plot->graph(g)->pen().width(); }
};

QTEST_MAIN(TestPlots)
#include "test_plots.moc"
