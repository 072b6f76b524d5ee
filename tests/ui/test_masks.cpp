// The mask painter driven with the mouse: strokes, eraser, fill, undo/redo, PNG import/export,
// and the alignment table checked against the core score_alignment for the painted mask.
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include "core/analysis/alignment.h"
#include "core/common/error.h"
#include "test_inspector_fixture.h"
#include "ui/alignment_table.h"
#include "ui/attention_inspector.h"
#include "ui/heatmap_step_bar.h"
#include "ui/mask_painter.h"

using namespace storyscope;
using namespace storyscope::ui;
using storyscope::testing::mask_from_pixels;

class TestMasks : public QObject {
  Q_OBJECT

  FramePtr frame_;
  HeatmapSelection selection_;

  std::vector<WordSpan> spans() const {
    return word_spans(frame_->encoding, frame_->prompt.toStdString(), frame_->records->token_positions);
  }
  int word_index(const std::string& word) const {
    const auto s = spans();
    for (std::size_t i = 0; i < s.size(); ++i)
      if (s[i].word == word) return static_cast<int>(i);
    return -1;
  }
  // The core's scores for `mask` on the word's map of `selection` (unnormalised word map).
  AlignmentScores core_scores(const HeatmapSelection& selection, const std::string& word,
                              const QImage& mask) const {
    const at::Tensor maps = word_maps(
        layer_view(*frame_->records, selection.layer.toStdString(), selection.steps), spans(), MapNorm::None);
    return score_alignment(maps[word_index(word)], mask_from_pixels(mask));
  }
  static void compare_row(const AlignmentTable* table, int row, const AlignmentScores& s) {
    QCOMPARE(table->value(row, AlignmentTable::MseColumn), s.mse);
    QCOMPARE(table->value(row, AlignmentTable::IouColumn), s.iou);
    QCOMPARE(table->value(row, AlignmentTable::MassColumn), s.mass_inside);
  }
  static void stroke(MaskPainter& painter, const std::vector<QPoint>& image_points) {
    MaskCanvas* canvas = painter.canvas();
    const auto at = [&](const QPoint& p) { return canvas->widget_point(p).toPoint(); };
    QTest::mousePress(canvas, Qt::LeftButton, {}, at(image_points.front()));
    for (std::size_t i = 1; i < image_points.size(); ++i) {
      QMouseEvent move(QEvent::MouseMove, at(image_points[i]), canvas->mapToGlobal(at(image_points[i])),
                       Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
      QCoreApplication::sendEvent(canvas, &move);
    }
    QTest::mouseRelease(canvas, Qt::LeftButton, {}, at(image_points.back()));
  }
  std::unique_ptr<MaskPainter> make_painter() {
    auto painter = std::make_unique<MaskPainter>();
    painter->setFrame(frame_);
    painter->setSelection(selection_);
    painter->canvas()->setFixedSize(256, 256);
    painter->show();
    [&] { QVERIFY(QTest::qWaitForWindowExposed(painter.get())); }();
    return painter;
  }

 private slots:
  void initTestCase() {
    storyscope::testing::FrameOptions o;
    o.size = 32;
    frame_ = storyscope::testing::make_frame(o);
    selection_.view = HeatmapView::Layer;
    selection_.layer = QString::fromStdString(frame_->records->records.front().layer);
    selection_.steps = StepRange::single(2);
    QVERIFY(word_index("fox") >= 0);
  }

  void wordsAreThePromptsWords() {
    auto painter = make_painter();
    QCOMPARE(painter->words(), QStringList({"a", "red", "fox", "in", "the", "snow"}));
    QVERIFY(painter->masks().isEmpty());
    QCOMPARE(painter->alignmentTable()->rowCount(), 0);
  }

  void strokeChangesTheMaskAndTheTable() {
    auto painter = make_painter();
    painter->setCurrentWord("fox");
    painter->setBrushSize(3);
    stroke(*painter, {{4, 4}, {10, 4}, {12, 8}});
    const QImage mask = painter->masks().value("fox");
    QVERIFY(!mask.isNull());
    QCOMPARE(mask.size(), frame_->image.size());
    QVERIFY(qGray(mask.pixel(7, 4)) == 255);     // on the first segment
    QVERIFY(qGray(mask.pixel(25, 25)) == 0);     // far away
    QCOMPARE(painter->undoStack()->count(), 1);  // one command per stroke
    AlignmentTable* table = painter->alignmentTable();
    QCOMPARE(table->rowCount(), 1);
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("fox"));
    compare_row(table, 0, core_scores(selection_, "fox", mask));
    const double iou = table->value(0, AlignmentTable::IouColumn);
    const double mse = table->value(0, AlignmentTable::MseColumn);
    // A second, larger stroke: new values, still the core's.
    painter->setBrushSize(8);
    stroke(*painter, {{20, 20}, {28, 28}});
    compare_row(table, 0, core_scores(selection_, "fox", painter->masks().value("fox")));
    QVERIFY(table->value(0, AlignmentTable::IouColumn) != iou ||
            table->value(0, AlignmentTable::MseColumn) != mse);
  }

  void undoRestoresTheExactMaskAndTable() {
    auto painter = make_painter();
    painter->setCurrentWord("fox");
    painter->setBrushSize(4);
    stroke(*painter, {{5, 5}, {15, 5}});
    const QImage first = painter->masks().value("fox");
    const double mse = painter->alignmentTable()->value(0, AlignmentTable::MseColumn);
    const double iou = painter->alignmentTable()->value(0, AlignmentTable::IouColumn);
    stroke(*painter, {{5, 20}, {25, 20}});
    const QImage second = painter->masks().value("fox");
    QVERIFY(second != first);
    QCOMPARE(painter->undoStack()->count(), 2);
    painter->undoStack()->undo();
    QCOMPARE(painter->masks().value("fox"), first);
    QCOMPARE(painter->alignmentTable()->value(0, AlignmentTable::MseColumn), mse);
    QCOMPARE(painter->alignmentTable()->value(0, AlignmentTable::IouColumn), iou);
    painter->undoStack()->redo();
    QCOMPARE(painter->masks().value("fox"), second);
    painter->undoStack()->undo();
    painter->undoStack()->undo();
    QVERIFY(painter->masks().isEmpty());
    QCOMPARE(painter->alignmentTable()->rowCount(), 0);
  }

  void eraserAndFill() {
    auto painter = make_painter();
    painter->setCurrentWord("snow");
    painter->setBrushSize(2);
    // A wall down column 16..17, then fill the left side: only the left side (and the wall) is set.
    stroke(*painter, {{16, 0}, {16, 31}});
    painter->setTool(MaskTool::Fill);
    QTest::mouseClick(painter->canvas(), Qt::LeftButton, {},
                      painter->canvas()->widget_point({3, 3}).toPoint());
    QImage mask = painter->masks().value("snow");
    QCOMPARE(qGray(mask.pixel(0, 0)), 255);
    QCOMPARE(qGray(mask.pixel(10, 30)), 255);
    QCOMPARE(qGray(mask.pixel(25, 10)), 0);
    QCOMPARE(painter->undoStack()->count(), 2);
    painter->setTool(MaskTool::Eraser);
    painter->setBrushSize(3);
    stroke(*painter, {{5, 5}, {5, 12}});
    mask = painter->masks().value("snow");
    QCOMPARE(qGray(mask.pixel(5, 8)), 0);
    QCOMPARE(qGray(mask.pixel(12, 8)), 255);
    compare_row(painter->alignmentTable(), 0, core_scores(selection_, "snow", mask));
  }

  void importExportRoundTrip() {
    auto painter = make_painter();
    painter->setCurrentWord("fox");
    painter->setBrushSize(5);
    stroke(*painter, {{8, 8}, {20, 14}});
    const QImage fox = painter->masks().value("fox");
    QTemporaryDir dir;
    const QString path = dir.filePath("fox.png");
    painter->exportMask("fox", path);
    QVERIFY(QFileInfo(path).size() > 0);
    const QImage read = QImage(path).convertToFormat(QImage::Format_Grayscale8);
    QCOMPARE(read, fox);
    painter->importMask("snow", path);
    QCOMPARE(painter->masks().value("snow"), fox);
    QCOMPARE(painter->alignmentTable()->rowCount(), 2);
    painter->undoStack()->undo();
    QVERIFY(!painter->masks().contains("snow"));
    bool thrown = false;
    try {
      painter->importMask("snow", dir.filePath("missing.png"));
    } catch (const storyscope::Error&) {
      thrown = true;
    }
    QVERIFY(thrown);
  }

  void setMasksForProjects() {
    auto painter = make_painter();
    QSignalSpy changed(painter.get(), &MaskPainter::masksChanged);
    QImage red(frame_->image.size(), QImage::Format_Grayscale8);
    red.fill(0);
    for (int y = 10; y < 20; ++y)
      for (int x = 2; x < 12; ++x) red.setPixel(x, y, qRgb(255, 255, 255));
    painter->setMasks({{"red", red}, {"not-a-word", red}});
    QCOMPARE(painter->masks().keys(), QStringList({"red"}));
    QCOMPARE(painter->masks().value("red"), red);
    QCOMPARE(painter->undoStack()->count(), 0);
    QVERIFY(!changed.isEmpty());
    compare_row(painter->alignmentTable(), 0, core_scores(selection_, "red", red));
  }

  void tableFollowsTheInspectorsStep() {
    auto painter = make_painter();
    AttentionInspector inspector;
    QObject::connect(&inspector, &AttentionInspector::selectionChanged, painter.get(),
                     &MaskPainter::setSelection);
    inspector.setFrame(frame_);
    inspector.setSelection(selection_);
    painter->setCurrentWord("fox");
    stroke(*painter, {{4, 4}, {20, 20}});
    const QImage mask = painter->masks().value("fox");
    for (int p : {0, 3, 1}) {
      inspector.stepBar()->slider()->setValue(p);
      const HeatmapSelection now = inspector.selection();
      QCOMPARE(painter->selection().steps.first, now.steps.first);
      compare_row(painter->alignmentTable(), 0, core_scores(now, "fox", mask));
    }
  }
};

QTEST_MAIN(TestMasks)
#include "test_masks.moc"
