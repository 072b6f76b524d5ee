// The Attention inspector driven as a user would: step slider, views, head mode, word level,
// hover and click, play/pause, and the time a step change takes. Every map shown is checked
// against the core view functions on real records from the tiny SD 1.5 pipeline.
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest>

#include "core/analysis/attention_views.h"
#include "test_inspector_fixture.h"
#include "ui/attention_inspector.h"
#include "ui/heatmap_layer_tree.h"
#include "ui/heatmap_step_bar.h"
#include "ui/heatmap_tile.h"

using namespace storyscope;
using namespace storyscope::ui;
using storyscope::testing::expected_word_maps;
using storyscope::testing::same_maps;

class TestInspector : public QObject {
  Q_OBJECT

  FramePtr frame_;  // 32 px, per-head records, self-attention at 16
  std::vector<WordSpan> spans() const {
    return word_spans(frame_->encoding, frame_->prompt.toStdString(), frame_->records->token_positions);
  }
  std::string first_layer() const {
    for (const auto& r : frame_->records->records)
      if (r.is_cross) return r.layer;
    return {};
  }

  void select_layer_view(AttentionInspector& inspector, const std::string& layer) {
    HeatmapSelection s = inspector.selection();
    s.view = HeatmapView::Layer;
    s.layer = QString::fromStdString(layer);
    s.word_level = true;
    s.norm = MapNorm::Max;
    s.head = -1;
    inspector.setSelection(s);
  }

 private slots:
  void initTestCase() {
    storyscope::testing::FrameOptions o;
    o.size = 32;
    o.per_head = true;
    o.self_resolutions = {16};
    frame_ = storyscope::testing::make_frame(o);
    QVERIFY(frame_->records && !frame_->records->records.empty());
    QCOMPARE(static_cast<int>(frame_->x0_steps.size()), o.steps);
  }

  void layerTreeListsEveryCrossLayerWithItsResolution() {
    AttentionInspector inspector;
    inspector.setFrame(frame_);
    std::map<std::string, std::int64_t> layers;
    for (const auto& r : frame_->records->records)
      if (r.is_cross) layers[r.layer] = r.native_height;
    QCOMPARE(inspector.layerTree()->layer_count(), static_cast<int>(layers.size()));
    int listed = 0;
    for (int g = 0; g < inspector.layerTree()->topLevelItemCount(); ++g) {
      const QTreeWidgetItem* group = inspector.layerTree()->topLevelItem(g);
      QVERIFY(QStringList({"down", "mid", "up"}).contains(group->text(0)));
      for (int i = 0; i < group->childCount(); ++i, ++listed) {
        const std::string name = group->child(i)->text(0).toStdString();
        QVERIFY(layers.count(name));
        QVERIFY(QString::fromStdString(name).startsWith(group->text(0)));
        QCOMPARE(group->child(i)->text(1), QString::number(layers[name]) + QStringLiteral("²"));
      }
    }
    QCOMPARE(listed, static_cast<int>(layers.size()));
  }

  void stepSliderShowsThatStepsLayerMaps() {
    AttentionInspector inspector;
    inspector.setFrame(frame_);
    const std::string layer = first_layer();
    select_layer_view(inspector, layer);
    const std::vector<int>& steps = inspector.stepBar()->steps();
    QCOMPARE(static_cast<int>(steps.size()), 4);
    at::Tensor previous;
    for (int p = 0; p < static_cast<int>(steps.size()); ++p) {
      inspector.stepBar()->slider()->setValue(p);  // as dragging the slider does
      const at::Tensor shown = inspector.shownMaps();
      const at::Tensor expected =
          expected_word_maps(*frame_->records, spans(), layer, StepRange::single(steps[p]), MapNorm::Max);
      QVERIFY(same_maps(shown, expected));
      QCOMPARE(static_cast<int>(inspector.tiles().size()), static_cast<int>(spans().size()));
      QVERIFY(same_maps(inspector.tiles()[1]->map(), expected[1]));
      if (previous.defined()) QVERIFY(!same_maps(previous, shown));  // the maps change with the step
      previous = shown;
      QCOMPARE(inspector.selection().steps.first, steps[p]);
      QCOMPARE(inspector.selection().steps.last, steps[p]);
    }
  }

  void otherViewsMatchTheCoreViews() {
    AttentionInspector inspector;
    inspector.setFrame(frame_);
    const AttentionRecordSet& set = *frame_->records;
    const int step = inspector.stepBar()->steps()[1];
    HeatmapSelection s;
    s.steps = StepRange::single(step);
    s.word_level = true;
    s.norm = MapNorm::Max;
    s.view = HeatmapView::P2P;
    inspector.setSelection(s);
    QCOMPARE(inspector.source().p2p_resolution(), 16);
    QVERIFY(same_maps(
        inspector.shownMaps(),
        word_maps(p2p_view(set, s.steps, 16, {Place::Down, Place::Up}, 0, false), spans(), MapNorm::Max)));
    // DAAM word maps, min-max: the core's DAAM definition (sub-token mean, then min-max).
    s.view = HeatmapView::Daam;
    s.norm = MapNorm::MinMax;
    inspector.setSelection(s);
    QVERIFY(same_maps(inspector.shownMaps(), daam_word_view(set, spans(), s.steps), 1e-5));
    // Token level: one tile per recorded token, labelled with the token.
    s.view = HeatmapView::Layer;
    s.layer = QString::fromStdString(first_layer());
    s.word_level = false;
    s.norm = MapNorm::None;
    inspector.setSelection(s);
    QVERIFY(same_maps(inspector.shownMaps(), layer_view(set, first_layer(), s.steps)));
    QCOMPARE(static_cast<int>(inspector.tiles().size()), static_cast<int>(set.tokens.size()));
    QCOMPARE(inspector.tiles()[0]->label(), QString::fromStdString(set.tokens[0]));
    // Self-attention PCA: the core components, min-max per component.
    s.view = HeatmapView::SelfPca;
    inspector.setSelection(s);
    SelfPcaOptions o;
    o.resolution = 16;
    o.steps = s.steps;
    QVERIFY(
        same_maps(inspector.shownMaps(), normalise_maps(self_pca_view(set, o).components, MapNorm::MinMax)));
  }

  void oneHeadShowsThatHeadsProbabilities() {
    AttentionInspector inspector;
    inspector.setFrame(frame_);
    const std::string layer = first_layer();
    select_layer_view(inspector, layer);
    QVERIFY(inspector.source().heads() > 1);
    const int step = inspector.stepBar()->step();
    HeatmapSelection s = inspector.selection();
    s.head = 1;
    inspector.setSelection(s);
    QCOMPARE(inspector.selection().head, 1);
    // Head 1 of the record, reshaped to the grid, by hand.
    const AttentionRecord* record = nullptr;
    for (const auto& r : frame_->records->records)
      if (r.layer == layer && r.step == step && r.is_cross) record = &r;
    QVERIFY(record && record->per_head);
    const at::Tensor head =
        record->probs[1].to(at::kFloat).reshape({record->probs.size(1), record->height, record->width});
    QVERIFY(same_maps(inspector.shownMaps(), word_maps(head, spans(), MapNorm::Max), 1e-5));
    s.head = -1;
    inspector.setSelection(s);
    QVERIFY(same_maps(inspector.shownMaps(), expected_word_maps(*frame_->records, spans(), layer,
                                                                StepRange::single(step), MapNorm::Max)));
  }

  void hoverShowsTheMapValueUnderTheCursor() {
    AttentionInspector inspector;
    inspector.setFrame(frame_);
    select_layer_view(inspector, first_layer());
    inspector.resize(1600, 1200);  // every tile on screen: the hover goes through the window
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    QSignalSpy hovered(&inspector, &AttentionInspector::valueHovered);
    HeatmapTile* tile = inspector.tiles()[2];
    QVERIFY(tile->visibleRegion().contains(tile->image_rect()));
    const at::Tensor map = inspector.shownMaps()[2];
    const QRect r = tile->image_rect();
    for (const QPoint pos :
         {QPoint(r.left() + 5, r.top() + 7), QPoint(r.center()), QPoint(r.right() - 3, r.bottom() - 20)}) {
      const std::int64_t row = (pos.y() - r.top()) * map.size(0) / r.height();
      const std::int64_t col = (pos.x() - r.left()) * map.size(1) / r.width();
      const double expected = map[row][col].item<double>();
      // Sent to the tile itself: QTest::mouseMove on the offscreen platform interleaves
      // synthetic leave events between moves.
      QMouseEvent move(QEvent::MouseMove, pos, tile->mapToGlobal(pos), Qt::NoButton, Qt::NoButton,
                       Qt::NoModifier);
      QCoreApplication::sendEvent(tile, &move);
      QVERIFY(tile->hovered_value().has_value());
      QCOMPARE(*tile->hovered_value(), expected);
      QVERIFY(!hovered.isEmpty());
      QCOMPARE(hovered.last().at(0).toInt(), 2);
      QCOMPARE(hovered.last().at(1).toDouble(), expected);
      QVERIFY(inspector.statusText().contains(tile->label()));
    }
  }

  void clickSelectsAndEnlargesTheTile() {
    AttentionInspector inspector;
    inspector.setFrame(frame_);
    select_layer_view(inspector, first_layer());
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    QSignalSpy changed(&inspector, &AttentionInspector::selectionChanged);
    HeatmapTile* tile = inspector.tiles()[3];
    QTest::mouseClick(tile, Qt::LeftButton, {}, tile->image_rect().center());
    QCOMPARE(inspector.selection().token, 3);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.last().at(0).value<HeatmapSelection>().token, 3);
    QVERIFY(tile->highlighted());
    QVERIFY(same_maps(inspector.largeView()->map(), inspector.shownMaps()[3]));
    QCOMPARE(inspector.largeView()->label(), tile->label());
    QVERIFY(inspector.largeView()->image_rect().width() > tile->image_rect().width());
  }

  void tilesAreTheCoreOverlayOnTheChosenPicture() {
    AttentionInspector inspector;
    inspector.setFrame(frame_);
    select_layer_view(inspector, first_layer());
    inspector.controls()->set_colormap(Colormap::Viridis);
    inspector.controls()->set_opacity(0.7);
    const at::Tensor map = inspector.shownMaps()[1];
    QCOMPARE(inspector.tiles()[1]->picture(), heatmap_overlay(frame_->image, map, Colormap::Viridis, 0.7));
    inspector.controls()->set_background(HeatmapBackground::PredictedX0);
    const int step = inspector.stepBar()->step();
    QCOMPARE(inspector.tiles()[1]->picture(),
             heatmap_overlay(frame_->x0_steps[static_cast<std::size_t>(step)], map, Colormap::Viridis, 0.7));
    QVERIFY(inspector.tiles()[1]->picture() != heatmap_overlay(frame_->image, map, Colormap::Viridis, 0.7));
  }

  void selectionChangedFollowsTheSlider() {
    AttentionInspector inspector;
    inspector.setFrame(frame_);
    select_layer_view(inspector, first_layer());
    QSignalSpy changed(&inspector, &AttentionInspector::selectionChanged);
    inspector.stepBar()->slider()->setValue(0);
    QCOMPARE(changed.size(), 1);
    const auto s = changed.last().at(0).value<HeatmapSelection>();
    QCOMPARE(s.view, HeatmapView::Layer);
    QCOMPARE(s.layer, QString::fromStdString(first_layer()));
    QCOMPARE(s.steps.first, inspector.stepBar()->steps()[0]);
    inspector.stepBar()->set_all_steps(true);
    QCOMPARE(changed.last().at(0).value<HeatmapSelection>().steps.last, -1);
    QVERIFY(same_maps(inspector.shownMaps(), expected_word_maps(*frame_->records, spans(), first_layer(),
                                                                StepRange::all(), MapNorm::Max)));
  }

  void playAdvancesAndPauseStops() {
    AttentionInspector inspector;
    inspector.setFrame(frame_);
    inspector.stepBar()->slider()->setValue(0);
    inspector.stepBar()->set_interval_ms(5);
    QSignalSpy changed(&inspector, &AttentionInspector::selectionChanged);
    inspector.stepBar()->play();
    QVERIFY(inspector.stepBar()->playing());
    QTRY_VERIFY(changed.size() >= 5);  // wrapped around past the last step
    inspector.stepBar()->pause();
    QVERIFY(!inspector.stepBar()->playing());
    const int at = inspector.stepBar()->position();
    QTest::qWait(30);
    QCOMPARE(inspector.stepBar()->position(), at);
  }

  // The benchmark: scrubbing steps on a demo-size frame (64x64 image, ~20 tokens).
  void scrubbingStepsIsFast() {
    storyscope::testing::FrameOptions o;
    o.size = 64;
    o.steps = 8;
    o.prompt =
        "a small red fox with a fluffy tail sits in the fresh white snow under a tall dark green pine tree";
    const FramePtr frame = storyscope::testing::make_frame(o);
    AttentionInspector inspector;
    inspector.setFrame(frame);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    qInfo() << "tokens" << frame->records->tokens.size() << "cross layers"
            << inspector.source().layers().size() << "steps" << inspector.stepBar()->steps().size();
    for (const auto& [view, words] : std::vector<std::pair<HeatmapView, bool>>{{HeatmapView::Layer, true},
                                                                               {HeatmapView::Layer, false},
                                                                               {HeatmapView::P2P, true},
                                                                               {HeatmapView::Daam, true}}) {
      HeatmapSelection s = inspector.selection();
      s.view = view;
      s.word_level = words;
      s.layer = inspector.source().layers().back().name;
      inspector.setSelection(s);
      double first_pass = 0, second_pass = 0;
      for (int pass = 0; pass < 2; ++pass)
        for (int p = 0; p < static_cast<int>(inspector.stepBar()->steps().size()); ++p) {
          QElapsedTimer timer;
          timer.start();
          inspector.stepBar()->slider()->setValue(p);
          QCoreApplication::processEvents();  // the repaint of the tiles
          const double ms = timer.nsecsElapsed() / 1e6;
          (pass == 0 ? first_pass : second_pass) = std::max(pass == 0 ? first_pass : second_pass, ms);
        }
      qInfo().noquote() << QStringLiteral(
                               "scrub %1 (%2 tiles): worst step change %3 ms uncached, %4 ms cached")
                               .arg(view_id(view))
                               .arg(inspector.tiles().size())
                               .arg(first_pass, 0, 'f', 1)
                               .arg(second_pass, 0, 'f', 1);
      QVERIFY2(first_pass < 1000, "a step change took over a second");
      QVERIFY2(second_pass < 500, "a cached step change took over half a second");
    }
  }
};

QTEST_MAIN(TestInspector)
#include "test_inspector.moc"
