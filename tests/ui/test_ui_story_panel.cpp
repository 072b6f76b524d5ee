// The Story panel driven as a user would: typing, adding, duplicating, moving and removing
// frames, presets, and the per-frame window and token count checked against the tokenizer.
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSignalSpy>
#include <QTreeWidget>
#include <QtTest>
#include <nlohmann/json.hpp>

#include "core/story/prompt_windows.h"
#include "core/text/clip_tokenizer.h"
#include "ui/story_panel.h"
#include "ui_test_support.h"

using namespace storyscope;
using namespace storyscope::ui;

class TestUiStoryPanel : public QObject {
  Q_OBJECT
  std::shared_ptr<std::vector<ClipTokenizer>> tokenizers_;

  static QStringList frame_texts(const StoryPanel& panel) {
    QStringList out;
    for (const std::string& f : panel.spec().frames) out << QString::fromStdString(f);
    return out;
  }

 private slots:
  void initTestCase() {
    storyscope::testing::isolate_user_state();
    tokenizers_ = std::make_shared<std::vector<ClipTokenizer>>();
    tokenizers_->push_back(
        ClipTokenizer::from_folder(storyscope::testing::fixture("e2e/tiny_sd15_pipeline/tokenizer")));
  }

  void specRoundTripsEveryField() {
    StoryPanel panel;
    StorySpec s = storyscope::testing::tiny_story(3, 7);
    s.negative = "blurry";
    s.window_mode = WindowMode::Trailing;
    s.window_size = 2;
    s.svr_mode = SvrMode::Npr;
    s.enhance = {-0.02, 1.5};
    s.suppress = {0.03, 0.25};
    s.ipca = false;
    s.ipca_positions = {"down1", "up"};
    s.ipca_start_step = 4;
    s.ipca_dropout = 0.25;
    s.same_noise = false;
    panel.setSpec(s);
    QCOMPARE(story_to_json(panel.spec()), story_to_json(s));
  }

  void typingAndFrameEditsChangeTheSpec() {
    StoryPanel panel;
    panel.setSpec(storyscope::testing::tiny_story(2, 2));
    QSignalSpy changed(&panel, &StoryPanel::changed);
    panel.identityEdit()->clear();
    QTest::keyClicks(panel.identityEdit(), QStringLiteral("a blue whale"));
    QCOMPARE(panel.spec().identity, std::string("a blue whale"));
    QVERIFY(changed.count() > 0);

    QListWidget* list = panel.frameList();
    list->setCurrentRow(0);
    panel.duplicateSelectedFrame();
    QCOMPARE(frame_texts(panel), (QStringList{"in the snow", "in the snow", "by a river"}));
    QCOMPARE(list->currentRow(), 1);
    panel.addFrame(QStringLiteral("at sea"));  // after the selected one
    QCOMPARE(frame_texts(panel), (QStringList{"in the snow", "in the snow", "at sea", "by a river"}));
    panel.moveSelectedFrame(1);
    QCOMPARE(frame_texts(panel), (QStringList{"in the snow", "in the snow", "by a river", "at sea"}));
    panel.moveSelectedFrame(1);  // already last: nothing moves
    QCOMPARE(frame_texts(panel), (QStringList{"in the snow", "in the snow", "by a river", "at sea"}));
    list->setCurrentRow(1);
    panel.removeSelectedFrame();
    QCOMPARE(frame_texts(panel), (QStringList{"in the snow", "by a river", "at sea"}));
    // Editing an item in place (what a double-click edit commits).
    list->item(2)->setText(QStringLiteral("under the sea"));
    QCOMPARE(panel.spec().frames[2], std::string("under the sea"));
  }

  void presetsSwitchTheTechniques() {
    StoryPanel panel;
    StorySpec s = storyscope::testing::tiny_story(2, 2);
    s.enhance = {0.5, 2.0};
    panel.setSpec(s);
    panel.applyPreset(StoryPanel::Preset::Off);
    QCOMPARE(panel.spec().svr_mode, SvrMode::Off);
    QCOMPARE(panel.spec().ipca, false);
    panel.applyPreset(StoryPanel::Preset::Npr);
    QCOMPARE(panel.spec().svr_mode, SvrMode::Npr);
    panel.applyPreset(StoryPanel::Preset::Svr);
    QCOMPARE(panel.spec().svr_mode, SvrMode::Svr);
    QCOMPARE(panel.spec().ipca, false);
    panel.applyPreset(StoryPanel::Preset::SvrIpca);
    QCOMPARE(panel.spec().ipca, true);
    panel.applyPreset(StoryPanel::Preset::Reference);
    const StorySpec reference;
    QCOMPARE(panel.spec().enhance.alpha, reference.enhance.alpha);
    QCOMPARE(panel.spec().window_size, reference.window_size);
    QCOMPARE(panel.spec().frames, s.frames);  // presets never touch the prompts
  }

  // Token counts: identity + window prompts tokenized as one text, real tokens only (the ids
  // minus BOS and EOS), against the 77 - 2 budget.
  void budgetShowsEachFramesWindowAndTokens() {
    StoryPanel panel;
    StorySpec s = storyscope::testing::tiny_story(4, 2);
    s.window_mode = WindowMode::Circular;
    s.window_size = 2;
    panel.setSpec(s);
    QVERIFY(panel.budgetView()->topLevelItemCount() == 0);
    QVERIFY(panel.budgetMessage()->text().contains(QStringLiteral("model")));
    panel.setTokenizers(tokenizers_);
    QCOMPARE(panel.budgetView()->topLevelItemCount(), 4);
    const ClipTokenizer& tok = tokenizers_->front();
    for (int j = 0; j < 4; ++j) {
      const int next = (j + 1) % 4;
      const std::string text = s.identity + " " + s.frames[j] + " " + s.frames[next];
      const auto tokens = static_cast<long long>(tok.encode(text).ids.size()) - 2;
      QTreeWidgetItem* row = panel.budgetView()->topLevelItem(j);
      QCOMPARE(row->text(0), QString::number(j + 1));
      QCOMPARE(row->text(1), QStringLiteral("%1 %2").arg(j + 1).arg(next + 1));
      QCOMPARE(row->text(2), QStringLiteral("%1/75").arg(tokens));
    }
    QVERIFY(panel.budgetMessage()->text().contains(QStringLiteral("2 of 2")));

    // A frame too long even alone: the panel says which, and does not crash or truncate.
    std::string long_prompt;
    for (int i = 0; i < 90; ++i) long_prompt += "fox ";
    s.frames[1] = long_prompt;
    panel.setSpec(s);
    QVERIFY2(panel.budgetMessage()->text().contains(QStringLiteral("frames[1]")),
             qPrintable(panel.budgetMessage()->text()));
  }

  void budgetFollowsTypingAfterAPause() {
    StoryPanel panel;
    panel.setSpec(storyscope::testing::tiny_story(1, 2));
    panel.setTokenizers(tokenizers_);
    const QString before = panel.budgetView()->topLevelItem(0)->text(2);
    QTest::keyClicks(panel.identityEdit(), QStringLiteral(" with a long bushy tail"));
    QTRY_VERIFY(panel.budgetView()->topLevelItemCount() == 1 &&
                panel.budgetView()->topLevelItem(0)->text(2) != before);
  }
};

QTEST_MAIN(TestUiStoryPanel)
#include "test_ui_story_panel.moc"
