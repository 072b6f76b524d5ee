// The diffusion trainer on a tiny UNet + text encoder and a two-pattern in-test world: loss goes
// down on a fixed batch, k steps + checkpoint + resume == N steps bit for bit, the exported
// folder loads and generates, EMA follows its formula, cancellation checkpoints. Also the demo
// presets build and have the sizes their documentation states.
#include <ATen/ATen.h>
#include <torch/nn.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/config/clip_text_config.h"
#include "core/config/json_fields.h"
#include "core/config/unet_config.h"
#include "core/demo/shapes_model_config.h"
#include "core/demo/trainer.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/txt2img.h"
#include "core/tensor/safetensors.h"

using namespace storyscope;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kSize = 16;

// Two colours x two sides: the caption says which half of a black image is painted which colour.
// `fixed` makes every index return batch 0 (for the overfitting check).
class TwoPatternData : public TrainingDataSource {
 public:
  explicit TwoPatternData(bool fixed = false) : fixed_(fixed) {}
  TrainingBatch batch(std::uint64_t index, int size) const override {
    if (fixed_) index = 0;
    TrainingBatch b;
    b.images = at::full({size, 3, kSize, kSize}, -1.0f);
    for (int i = 0; i < size; ++i) {
      const std::uint64_t h = (index * 2654435761ULL + static_cast<std::uint64_t>(i) * 40503ULL) >> 3;
      const bool red = h & 1, left = (h >> 1) & 1;
      auto half = b.images[i].narrow(2, left ? 0 : kSize / 2, kSize / 2);
      half[red ? 0 : 2].fill_(1.0f);
      b.captions.push_back(std::string(red ? "red" : "blue") + (left ? " left" : " right"));
    }
    return b;
  }
  std::int64_t image_size() const override { return kSize; }

 private:
  bool fixed_;
};

// A character-level CLIP BPE vocabulary (plus one merge, which the format requires).
std::string write_tokenizer(const fs::path& dir) {
  fs::create_directories(dir);
  json vocab = json::object();
  std::int64_t id = 0;
  for (char c = 'a'; c <= 'z'; ++c) vocab[std::string(1, c)] = id++;
  for (char c = 'a'; c <= 'z'; ++c) vocab[std::string(1, c) + "</w>"] = id++;
  vocab["re"] = id++;
  vocab["<|startoftext|>"] = id++;
  vocab["<|endoftext|>"] = id++;
  write_file_atomically((dir / "vocab.json").string(), vocab.dump());
  write_file_atomically((dir / "merges.txt").string(), "#version: 0.2\nr e\n");
  return dir.string();
}

TrainerOptions tiny_options(const fs::path& out, const std::string& tokenizer_dir) {
  TrainerOptions o;
  o.unet_config = json{{"_class_name", "UNet2DConditionModel"},
                       {"sample_size", kSize},
                       {"in_channels", 3},
                       {"out_channels", 3},
                       {"down_block_types", {"CrossAttnDownBlock2D", "DownBlock2D"}},
                       {"up_block_types", {"UpBlock2D", "CrossAttnUpBlock2D"}},
                       {"block_out_channels", {16, 32}},
                       {"layers_per_block", 1},
                       {"norm_num_groups", 8},
                       {"cross_attention_dim", 32},
                       {"attention_head_dim", {1, 2}},
                       {"use_linear_projection", true}};
  const ClipTokenizer tok = ClipTokenizer::from_folder(tokenizer_dir);
  o.text_encoder_config = json{{"architectures", {"CLIPTextModel"}},
                               {"vocab_size", static_cast<std::int64_t>(tok.vocab_size())},
                               {"hidden_size", 32},
                               {"intermediate_size", 64},
                               {"num_hidden_layers", 2},
                               {"num_attention_heads", 2},
                               {"max_position_embeddings", 77},
                               {"bos_token_id", tok.bos_id()},
                               {"eos_token_id", tok.eos_id()},
                               {"pad_token_id", tok.pad_id()}};
  o.scheduler_config = shapes_scheduler_config();
  o.tokenizer_dir = tokenizer_dir;
  o.out_dir = out.string();
  o.batch_size = 8;
  o.seed = 7;
  o.learning_rate = 2e-3;
  o.warmup_steps = 5;
  o.checkpoint_every = 0;
  return o;
}

bool bit_equal(const at::Tensor& a, const at::Tensor& b) {
  return a.sizes() == b.sizes() && a.dtype() == b.dtype() && at::equal(a, b);
}

}  // namespace

class TestTrainer : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  std::string tokenizer_;
  fs::path dir(const std::string& name) const { return fs::path(tmp_.path().toStdString()) / name; }

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    QVERIFY(tmp_.isValid());
    tokenizer_ = write_tokenizer(dir("tokenizer"));
  }

  // (a) Memorising one fixed batch: the loss at fixed noise drops well below where it started.
  void lossDecreasesOnFixedBatch() {
    auto data = std::make_shared<TwoPatternData>(/*fixed=*/true);
    auto o = tiny_options(dir("overfit"), tokenizer_);
    o.steps = 40;
    o.caption_dropout = 0.0;
    DiffusionTrainer trainer(o, data);
    const TrainingBatch batch = data->batch(0, o.batch_size);
    const double before = trainer.loss_on(batch, 123);
    QVERIFY2(before > 0.5, qPrintable(QString::number(before)));  // a fresh model: about var(noise)
    const TrainResult r = trainer.train();
    QCOMPARE(r.steps_done, std::int64_t(40));
    QVERIFY(!r.cancelled);
    const double after = trainer.loss_on(batch, 123);
    qInfo("fixed-noise loss before %.4f, after 40 steps %.4f", before, after);
    QVERIFY2(after < 0.6 * before, qPrintable(QString("before %1 after %2").arg(before).arg(after)));
    // One header + one row per step.
    std::ifstream log(trainer.log_path());
    int lines = 0;
    for (std::string line; std::getline(log, line);) ++lines;
    QCOMPARE(lines, 41);
  }

  // (b) N steps in one go == k steps, checkpoint, new process state, resume to N: bit for bit.
  void resumeIsExact() {
    auto data = std::make_shared<TwoPatternData>();
    auto straight = tiny_options(dir("straight"), tokenizer_);
    straight.steps = 6;
    DiffusionTrainer a(straight, data);
    a.train();

    auto split = tiny_options(dir("split"), tokenizer_);
    split.steps = 3;
    {
      DiffusionTrainer b(split, data);
      QVERIFY(!b.resume());  // nothing to resume yet
      b.train();
      QVERIFY(fs::exists(dir("split") / "checkpoint" / "state.json"));
    }
    split.steps = 6;
    split.seed = straight.seed;
    DiffusionTrainer c(split, data);
    QVERIFY(c.resume());
    QCOMPARE(c.step(), std::int64_t(3));
    c.train();
    QCOMPARE(c.step(), std::int64_t(6));

    const auto pa = a.named_parameters(), pc = c.named_parameters();
    QCOMPARE(pa.size(), pc.size());
    for (std::size_t i = 0; i < pa.size(); ++i) {
      QVERIFY2(bit_equal(pa[i].second, pc[i].second), pa[i].first.c_str());
      QVERIFY2(bit_equal(a.ema_parameters()[i], c.ema_parameters()[i]), pa[i].first.c_str());
    }
    // The logs agree too (the seconds column aside): same losses at every step.
    auto losses = [](const std::string& path) {
      std::ifstream in(path);
      std::vector<std::string> out;
      std::string line;
      std::getline(in, line);
      while (std::getline(in, line)) {
        const auto first = line.find(','), second = line.find(',', first + 1),
                   third = line.find(',', second + 1);
        out.push_back(line.substr(0, third));
      }
      return out;
    };
    QCOMPARE(losses(c.log_path()), losses(a.log_path()));
    QCOMPARE(losses(a.log_path()).size(), std::size_t(6));
  }

  // A checkpoint from another architecture is refused with the field named.
  void resumeRejectsOtherConfig() {
    auto data = std::make_shared<TwoPatternData>();
    auto o = tiny_options(dir("other"), tokenizer_);
    o.steps = 1;
    DiffusionTrainer(o, data).train();
    o.unet_config["block_out_channels"] = {16, 16};
    DiffusionTrainer other(o, data);
    try {
      other.resume();
      QFAIL("resume accepted a checkpoint of another model");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.location()), QString("unet_config"));
    }
  }

  // (c) The exported folder is a pixel-space diffusers pipeline that loads and generates.
  void exportLoadsAndGenerates() {
    auto data = std::make_shared<TwoPatternData>();
    auto o = tiny_options(dir("export"), tokenizer_);
    o.steps = 2;
    DiffusionTrainer trainer(o, data);
    trainer.train();
    trainer.export_pipeline();

    auto bundle = ModelBundle::load_diffusers_folder(o.out_dir);
    QVERIFY(!bundle->has_vae());
    QCOMPARE(bundle->default_image_size(), kSize);
    // The shipped weights are the EMA ones.
    const auto names = trainer.named_parameters();
    const auto unet_state = bundle->unet()->named_parameters(true);
    for (std::size_t i = 0; i < names.size(); ++i) {
      const std::string& n = names[i].first;
      if (n.rfind("unet.", 0) != 0) continue;
      QVERIFY2(bit_equal(*unet_state.find(n.substr(5)), trainer.ema_parameters()[i]), n.c_str());
    }

    Txt2Img pipe(bundle);
    Txt2ImgRequest req;
    req.prompt = "red left";
    req.steps = 3;
    req.guidance = 3.0;
    req.seed = 1;
    const auto result = pipe.run(req);
    QCOMPARE(result.images.sizes().vec(), (std::vector<std::int64_t>{1, 3, kSize, kSize}));
    QVERIFY(at::isfinite(result.images).all().item<bool>());
    QCOMPARE(result.scheduler, std::string("DDIMScheduler"));

    // Half-precision export: same values, rounded to fp16.
    o.export_fp16 = true;
    o.out_dir = dir("export16").string();
    DiffusionTrainer half(o, data);
    half.export_pipeline();
    const auto f =
        SafetensorsFile::open((dir("export16") / "unet" / "diffusion_pytorch_model.safetensors").string());
    QCOMPARE(f->tensor("conv_in.weight").scalar_type(), at::kHalf);
    auto bundle16 = ModelBundle::load_diffusers_folder(o.out_dir);
    QCOMPARE(bundle16->unet()->conv_in->weight.scalar_type(), at::kFloat);
  }

  // (d) EMA after n updates: e <- e - (1 - d_k)(e - p_k), d_k = min(decay, (1 + k) / (10 + k)),
  // recomputed here in float64 from the parameters recorded after each step.
  void emaFollowsFormula() {
    auto data = std::make_shared<TwoPatternData>();
    auto o = tiny_options(dir("ema"), tokenizer_);
    o.steps = 3;
    o.ema_decay = 0.15;  // d = 0.1, then the cap 0.15, 0.15
    DiffusionTrainer trainer(o, data);
    QCOMPARE(trainer.ema_decay_at(0), 0.1);
    QCOMPARE(trainer.ema_decay_at(1), 0.15);
    const std::vector<std::size_t> watched{0, trainer.named_parameters().size() - 1};
    std::vector<at::Tensor> expected;
    for (auto i : watched) expected.push_back(trainer.named_parameters()[i].second.detach().to(at::kDouble));
    trainer.train([&](const TrainProgress& p) {
      const double d = std::min(0.15, (1.0 + double(p.step - 1)) / (10.0 + double(p.step - 1)));
      for (std::size_t j = 0; j < watched.size(); ++j) {
        const auto now = trainer.named_parameters()[watched[j]].second.detach().to(at::kDouble);
        expected[j] = expected[j] - (1 - d) * (expected[j] - now);
      }
    });
    for (std::size_t j = 0; j < watched.size(); ++j) {
      const auto got = trainer.ema_parameters()[watched[j]].to(at::kDouble);
      QVERIFY(!at::equal(got, trainer.named_parameters()[watched[j]].second.to(at::kDouble)));
      QVERIFY2(at::allclose(got, expected[j], 1e-6, 1e-7),
               trainer.named_parameters()[watched[j]].first.c_str());
    }
    // Warmup: lr rises linearly over warmup_steps, then stays.
    QCOMPARE(trainer.learning_rate_at(0), o.learning_rate / 5);
    QCOMPARE(trainer.learning_rate_at(4), o.learning_rate);
    QCOMPARE(trainer.learning_rate_at(100), o.learning_rate);
  }

  // The high-noise weight is 1 where SNR >= 1, 1/SNR below, capped; a cap of 1 is the plain MSE.
  void highNoiseWeightFollowsFormula() {
    const at::Tensor a = at::tensor({0.9, 0.5, 0.2, 0.1, 1e-4}, at::kDouble);
    const at::Tensor w = high_noise_loss_weight(a, 5.0);
    const at::Tensor expected = at::tensor({1.0, 1.0, 4.0, 5.0, 5.0}, at::kDouble);
    QVERIFY2(at::allclose(w, expected, 1e-12, 1e-12), "weights");
    QVERIFY(at::equal(high_noise_loss_weight(a, 1.0), at::ones({5}, at::kDouble)));
  }

  // Cancelling stops after the step in progress and leaves a checkpoint of it; validation rows
  // carry both losses.
  void cancelCheckpointsAndValidationIsLogged() {
    auto data = std::make_shared<TwoPatternData>();
    auto o = tiny_options(dir("cancel"), tokenizer_);
    o.steps = 10;
    o.validate_every = 2;
    o.validation_batch_size = 4;
    DiffusionTrainer trainer(o, data);
    CancellationToken cancel;
    const TrainResult r = trainer.train(
        [&](const TrainProgress& p) {
          if (p.step == 2) cancel.cancel();
        },
        cancel);
    QVERIFY(r.cancelled);
    QCOMPARE(r.steps_done, std::int64_t(2));
    const json state = json::parse(read_file((dir("cancel") / "checkpoint" / "state.json").string()));
    QCOMPARE(state.at("step").get<std::int64_t>(), std::int64_t(2));
    std::ifstream log(trainer.log_path());
    std::string header, row1, row2;
    std::getline(log, header);
    std::getline(log, row1);
    std::getline(log, row2);
    QVERIFY2(row1.substr(row1.size() - 2) == ",,", row1.c_str());  // no validation at step 1
    const auto v = trainer.validate();
    QVERIFY(std::isfinite(v.with_caption) && std::isfinite(v.empty_caption));
    QVERIFY2(row2.find(",,") == std::string::npos, row2.c_str());
  }

  // The demo presets: valid configs of the documented shape and size.
  void presetsBuild() {
    const ShapesTokenizerInfo tok{120, 118, 119, 119};
    for (auto preset : {ShapesPreset::Cpu32, ShapesPreset::Gpu64}) {
      const auto c = shapes_model_config(preset, tok);
      const UNetConfig u = UNetConfig::from_json(c.unet, c.preset);
      u.validate();
      QCOMPARE(*u.sample_size, c.image_size);
      QCOMPARE(u.cross_attention_dim[0], c.text_encoder.at("hidden_size").get<std::int64_t>());
      QCOMPARE(c.text_encoder.at("vocab_size").get<std::int64_t>(), std::int64_t(120));
      // Heads 32 to 48 channels wide (diffusers' attention_head_dim counts heads).
      for (std::size_t i = 0; i < u.num_levels(); ++i) {
        const auto width = u.block_out_channels[i] / u.num_attention_heads[i];
        QVERIFY(width >= 32 && width <= 48);
      }
      UNet2DConditionModel unet(u);
      std::int64_t params = 0;
      for (const auto& p : unet->parameters()) params += p.numel();
      CLIPTextModel text(ClipTextConfig::from_json(JsonFields(c.text_encoder, c.preset)));
      std::int64_t text_params = 0;
      for (const auto& p : text->parameters()) text_params += p.numel();
      qInfo("%s: UNet %lld + text encoder %lld parameters", c.preset.c_str(), static_cast<long long>(params),
            static_cast<long long>(text_params));
      params += text_params;
      const auto layers = unet->attention_layers();
      bool down = false, mid = false, up = false;
      for (const auto& l : layers) {
        down |= l.place == Place::Down;
        mid |= l.place == Place::Mid;
        up |= l.place == Place::Up;
      }
      QVERIFY(down && mid && up);
      // The budget for the GPU model: 10-25M parameters, <= 50 MB shipped as fp16.
      if (preset == ShapesPreset::Gpu64) QVERIFY(params > 10'000'000 && params * 2 < 50'000'000);
    }
    QCOMPARE(parse_shapes_preset("gpu64"), ShapesPreset::Gpu64);
    QVERIFY_THROWS_EXCEPTION(Error, parse_shapes_preset("huge"));
  }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "test_trainer.moc"
