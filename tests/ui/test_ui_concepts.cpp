// Break-A-Scene from the GUI: on the shipped demo model, generate a frame, paint two masks,
// extract two concepts with a few steps (progress, loss plot, live maps, the pack on disk), see
// them in the Story panel and generate with "<asset0>"; a cancelled extraction writes no pack
// and leaves the window ready to generate.
#include <ATen/Parallel.h>
#include <qcustomplot.h>

#include <QDir>
#include <QFileInfo>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>
#include <memory>

#include "quiet_main_window.h"
#include "ui/concept_dialog.h"
#include "ui/concept_run_view.h"
#include "ui/frames_view.h"
#include "ui/main_window.h"
#include "ui/mask_painter.h"
#include "ui/project.h"
#include "ui/project_session.h"
#include "ui/run_panel.h"
#include "ui/story_panel.h"
#include "ui_test_support.h"

using namespace storyscope;
using namespace storyscope::ui;

namespace {

// Left or right half of the frame, as a painted mask.
QImage half_mask(const QSize& size, bool left) {
  QImage mask(size, QImage::Format_Grayscale8);
  mask.fill(0);
  for (int y = 0; y < size.height(); ++y)
    for (int x = 0; x < size.width(); ++x)
      if ((x < size.width() / 2) == left) mask.setPixel(x, y, qRgb(255, 255, 255));
  return mask;
}

StorySpec two_object_story(const std::string& identity, int steps) {
  StorySpec s;
  s.identity = identity;
  s.frames = {"on the grass"};
  s.steps = steps;
  s.guidance = 2.0;
  s.seed = 3;
  s.window_size = 1;
  return s;
}

}  // namespace

class TestUiConcepts : public QObject {
  Q_OBJECT
  std::unique_ptr<MainWindow> window_;
  QTemporaryDir tmp_;
  MaskPainter* painter_ = nullptr;

  void set_story(const StorySpec& spec) {
    window_->storyPanel()->setSpec(spec);
    window_->runPanel()->setFromSpec(spec);
  }

  // Generates one frame and checks that nothing failed.
  void generate_one() {
    QSignalSpy errors(window_->engine()->worker(), &EngineWorker::error);
    QVERIFY(window_->generate());
    QTRY_VERIFY_WITH_TIMEOUT(!window_->engine()->busy(), 60000);
    QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().first().toString()));
    QCOMPARE(window_->framesView()->frames().size(), std::size_t{1});
  }

  // Opens the dialog through the Masks dock's button, with tiny step counts and its own folder.
  ConceptDialog* open_dialog(int phase1, int phase2, const QString& folder) {
    auto* button = painter_->findChild<QPushButton*>(QStringLiteral("extractConcepts"));
    if (!button || !button->isEnabled()) return nullptr;
    button->click();
    ConceptDialog* dialog = window_->conceptDialog();
    if (!dialog) return nullptr;
    dialog->phase1Box()->setValue(phase1);
    dialog->phase2Box()->setValue(phase2);
    dialog->folderEdit()->setText(folder);
    return dialog;
  }

 private slots:
  void initTestCase() {
    storyscope::testing::isolate_user_state();
    at::set_num_threads(1);
    QVERIFY(tmp_.isValid());
    QVERIFY2(!RunPanel::demoModelPath().isEmpty(), "the demo model is not installed");
    window_ = std::make_unique<MainWindow>(storyscope::testing::quiet_main_window());
    window_->setUnsavedPrompt([](const QString&) { return QMessageBox::Discard; });
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    window_->loadModel(RunPanel::demoModelPath());
    QTRY_VERIFY_WITH_TIMEOUT(window_->engine()->hasModel() && !window_->engine()->busy(), 60000);
    painter_ = window_->findChild<MaskPainter*>();
    QVERIFY(painter_);
    // No packs yet: the Story panel shows no Concepts box at all.
    QVERIFY(!window_->storyPanel()->conceptBox()->isVisibleTo(window_->storyPanel()));

    set_story(two_object_story("a red circle next to a blue square", 4));
    generate_one();
    QVERIFY(painter_->frame());  // the first frame is selected, so the painter has it
    const QSize size = painter_->frame()->image.size();
    QVERIFY(painter_->words().contains(QStringLiteral("circle")));
    QVERIFY(painter_->words().contains(QStringLiteral("square")));
    painter_->setMask(QStringLiteral("circle"), half_mask(size, true));
    painter_->setMask(QStringLiteral("square"), half_mask(size, false));
    QCOMPARE(painter_->masks().size(), 2);
  }

  void extractionWritesThePackAndTheTokensAreUsable() {
    const QString folder = tmp_.filePath(QStringLiteral("pack"));
    ConceptDialog* dialog = open_dialog(3, 2, folder);
    QVERIFY(dialog);
    // Every painted layer, in layer order, starting from its own word.
    QCOMPARE(dialog->layerTable()->rowCount(), 2);
    QCOMPARE(dialog->layerTable()->item(0, 0)->text(), QStringLiteral("circle"));
    QCOMPARE(dialog->layerTable()->item(0, 1)->text(), QStringLiteral("circle"));
    QCOMPARE(dialog->layerTable()->item(1, 0)->text(), QStringLiteral("square"));
    QCOMPARE(dialog->prefixEdit()->text(), QStringLiteral("asset"));

    QSignalSpy progress(window_->engine()->worker(), &EngineWorker::conceptProgress);
    QSignalSpy finished(window_->engine()->worker(), &EngineWorker::conceptsFinished);
    QSignalSpy errors(window_->engine()->worker(), &EngineWorker::error);
    QTest::mouseClick(dialog->startButton(), Qt::LeftButton);
    QVERIFY(dialog->running());
    QVERIFY(dialog->cancelButton()->isEnabled());
    QVERIFY(!window_->runPanel()->generateButton()->isEnabled());  // one engine task at a time
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!window_->engine()->busy(), 60000);  // then the model reloads
    QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().first().toString()));
    QCOMPARE(finished.first().at(0).toBool(), false);
    QCOMPARE(QFileInfo(finished.first().at(1).toString()).absoluteFilePath(),
             QFileInfo(folder).absoluteFilePath());

    QCOMPARE(progress.count(), 5);
    const auto last = progress.last().first().value<ConceptProgress>();
    QCOMPARE(last.step, 5);
    QCOMPARE(last.total, 5);
    QCOMPARE(last.phase, 2);
    ConceptRunView* view = dialog->runView();
    QCOMPARE(view->progressBar()->value(), 5);
    QCOMPARE(view->progressBar()->maximum(), 5);
    QCOMPARE(view->lossPlot()->graphCount(), 2);
    QCOMPARE(view->lossPlot()->graph(0)->dataCount(), 5);  // diffusion
    QCOMPARE(view->lossPlot()->graph(1)->dataCount(), 5);  // attention
    QVERIFY(!view->mapTokens().isEmpty());                 // the last step's sampled tokens
    for (const QString& t : view->mapTokens()) QVERIFY(t == "<asset0>" || t == "<asset1>");
    QVERIFY(!dialog->running());
    QVERIFY(dialog->startButton()->isEnabled());

    QVERIFY(QFileInfo::exists(QDir(folder).filePath(QStringLiteral("concepts.safetensors"))));
    QVERIFY(QFileInfo::exists(QDir(folder).filePath(QStringLiteral("concepts.json"))));

    // The Story panel lists the tokens; a double-click puts one into the identity prompt.
    StoryPanel* story = window_->storyPanel();
    QVERIFY(story->conceptBox()->isVisibleTo(story));
    QListWidget* list = story->conceptList();
    QCOMPARE(list->count(), 2);
    QCOMPARE(list->item(0)->text(), QStringLiteral("<asset0> (circle)"));
    QCOMPARE(list->item(1)->text(), QStringLiteral("<asset1> (square)"));
    QCOMPARE(window_->conceptPacks(), QStringList{QFileInfo(folder).absoluteFilePath()});
    story->identityEdit()->setText(QStringLiteral("a"));
    story->identityEdit()->setCursorPosition(1);
    emit list->itemDoubleClicked(list->item(0));
    QCOMPARE(story->identityEdit()->text(), QStringLiteral("a <asset0>"));

    // The next Generate runs on the model with the pack applied.
    set_story(two_object_story("<asset0>", 3));
    generate_one();
    QVERIFY(window_->framesView()->frames().front()->prompt.contains(QStringLiteral("<asset0>")));
    QVERIFY(window_->engine()->modelInfo().tokenizers->front().encode("<asset0>").ids.size() ==
            3);  // SOT, token, EOT

    // The project keeps the pack and brings it back.
    const QString project = tmp_.filePath(QStringLiteral("project"));
    QVERIFY(window_->saveProject(project));
    QCOMPARE(load_project(project).concept_packs, window_->conceptPacks());
    MainWindow reopened(storyscope::testing::quiet_main_window());
    QVERIFY(reopened.openProject(project));  // loads the project's model with its packs
    QTRY_VERIFY_WITH_TIMEOUT(reopened.engine()->hasModel() && !reopened.engine()->busy(), 60000);
    QCOMPARE(reopened.conceptPacks(), window_->conceptPacks());
    QCOMPARE(reopened.storyPanel()->conceptList()->count(), 2);
    QVERIFY(!reopened.session()->dirty());
  }

  void cancelWritesNoPackAndLeavesTheWindowReady() {
    set_story(two_object_story("a red circle next to a blue square", 4));
    generate_one();
    painter_->setMask(QStringLiteral("circle"), half_mask(painter_->frame()->image.size(), true));
    const QString folder = tmp_.filePath(QStringLiteral("cancelled"));
    ConceptDialog* dialog = open_dialog(300, 300, folder);
    QVERIFY(dialog);
    QCOMPARE(dialog->layerTable()->rowCount(), 1);
    // <asset0> and <asset1> are taken by the first pack.
    QCOMPARE(dialog->prefixEdit()->text(), QStringLiteral("asset2_"));

    QSignalSpy progress(window_->engine()->worker(), &EngineWorker::conceptProgress);
    QSignalSpy finished(window_->engine()->worker(), &EngineWorker::conceptsFinished);
    QTest::mouseClick(dialog->startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 1, 60000);
    QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!window_->engine()->busy(), 60000);
    QCOMPARE(finished.first().at(0).toBool(), true);
    QVERIFY(finished.first().at(1).toString().isEmpty());
    QVERIFY(progress.count() < 600);
    QVERIFY(!QFileInfo::exists(QDir(folder).filePath(QStringLiteral("concepts.safetensors"))));
    QVERIFY(!QFileInfo::exists(QDir(folder).filePath(QStringLiteral("concepts.json"))));
    QVERIFY(QFileInfo::exists(QDir(folder).filePath(QStringLiteral("checkpoint"))));  // to resume

    // Idle again: the dialog can start anew, the packs are unchanged, Generate works.
    QVERIFY(!dialog->running());
    QVERIFY(dialog->startButton()->isEnabled());
    QVERIFY(!dialog->cancelButton()->isEnabled());
    QVERIFY(window_->runPanel()->generateButton()->isEnabled());
    QCOMPARE(window_->storyPanel()->conceptList()->count(), 2);
    generate_one();
  }

  // "Remove pack" reloads the model without it: the tokens and the Concepts box go away.
  void removingThePackUnloadsItsTokens() {
    StoryPanel* story = window_->storyPanel();
    story->conceptList()->setCurrentRow(0);
    QToolButton* remove = nullptr;
    for (QToolButton* b : story->conceptBox()->findChildren<QToolButton*>())
      if (b->text() == StoryPanel::tr("Remove pack")) remove = b;
    QVERIFY(remove);
    remove->click();
    QTRY_VERIFY_WITH_TIMEOUT(!window_->engine()->busy(), 60000);
    QVERIFY(window_->conceptPacks().isEmpty());
    QCOMPARE(story->conceptList()->count(), 0);
    QVERIFY(!story->conceptBox()->isVisibleTo(story));
    QCOMPARE(window_->engine()->modelInfo().tokenizers->front().encode("<asset0>").ids.size() > 3, true);
  }

  void cleanupTestCase() { window_.reset(); }
};

QTEST_MAIN(TestUiConcepts)
#include "test_ui_concepts.moc"
