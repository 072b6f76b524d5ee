// The vanilla baseline of a story: frame k alone as "identity frame" with the story's settings
// and the start noise the story gives frame k.
#include <ATen/ATen.h>

#include <QtTest/QtTest>

#include "core/common/error.h"
#include "core/pipeline/story.h"
#include "core/pipeline/vanilla_frame.h"

using namespace storyscope;

class TestVanillaFrame : public QObject {
  Q_OBJECT

 private slots:
  void carriesTheStorySettings() {
    StorySpec spec;
    spec.identity = "a red fox";
    spec.frames = {"in the snow", "under a tree"};
    spec.negative = "blurry";
    spec.seed = 11;
    spec.steps = 7;
    spec.guidance = 3.5;
    spec.sampler = "ddim";
    spec.width = 96;
    spec.height = 64;
    const Txt2ImgRequest r = vanilla_frame_request(spec, 1);
    QCOMPARE(r.prompt, std::string("a red fox under a tree"));
    QCOMPARE(r.negative.value(), std::string("blurry"));
    QCOMPARE(r.steps, 7);
    QCOMPARE(r.guidance, 3.5);
    QCOMPARE(r.sampler, std::string("ddim"));
    QCOMPARE(r.seed, std::uint64_t(11));
    QCOMPARE(r.width, std::int64_t(96));
    QCOMPARE(r.height, std::int64_t(64));
    QCOMPARE(r.batch, 1);
    QVERIFY(!r.init_latents.defined() && !r.embeddings);
  }

  void seedAndNegativeFollowTheStory() {
    StorySpec spec;
    spec.identity = "a star";
    spec.frames = {"a", "b", "c"};
    spec.seed = 5;
    QVERIFY(!vanilla_frame_request(spec, 0).negative);  // empty story negative: none
    spec.same_noise = false;
    QCOMPARE(vanilla_frame_request(spec, 2).seed, std::uint64_t(7));
    // The seed's noise is the noise the story starts that frame from.
    QVERIFY(!at::equal(story_frame_noise(spec, 2, 4, 8, 8), story_frame_noise(spec, 0, 4, 8, 8)));
    StorySpec alone = spec;
    alone.same_noise = true;
    alone.seed = vanilla_frame_request(spec, 2).seed;
    QVERIFY(at::equal(story_frame_noise(spec, 2, 4, 8, 8), story_frame_noise(alone, 0, 4, 8, 8)));
  }

  void rejectsAFrameOutOfRange() {
    StorySpec spec;
    spec.identity = "a star";
    spec.frames = {"a"};
    QVERIFY_THROWS_EXCEPTION(Error, vanilla_frame_request(spec, 1));
    QVERIFY_THROWS_EXCEPTION(Error, vanilla_frame_prompt(spec, -1));
  }
};

QTEST_APPLESS_MAIN(TestVanillaFrame)
#include "test_vanilla_frame.moc"
