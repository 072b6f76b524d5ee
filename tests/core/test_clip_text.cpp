// CLIP text encoders against transformers 4.38 on the tiny fixtures: config parsing, loading the
// reference weights (which must be the splitmix rule bit for bit), parity of every output, and
// the checks that show the parity test can fail.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <QtTest/QtTest>
#include <cstdio>
#include <fstream>

#include "clip_text_fixtures.h"
#include "core/common/error.h"
#include "core/config/clip_text_config.h"
#include "core/config/json_fields.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/splitmix.h"
#include "core/tensor/state_dict.h"
#include "core/text/clip_text_model.h"

using namespace storyscope;
using storyscope::testing::fixture;
using storyscope::testing::max_abs_diff;
using storyscope::testing::tolerance;
using storyscope::testing::within;

namespace {

std::string encoder_dir(const char* name) { return fixture(std::string("tiny_clip_text/") + name); }

ClipTextConfig config_of(const char* name) {
  return ClipTextConfig::from_file(encoder_dir(name) + "/config.json");
}

TensorMap weights_of(const char* name) {
  return tensors_of(SafetensorsFile::open(encoder_dir(name) + "/model.safetensors"));
}

CLIPTextModel load_plain() {
  CLIPTextModel model(config_of("text_encoder"));
  load_state_dict(*model, weights_of("text_encoder"), encoder_dir("text_encoder"));
  return model;
}

CLIPTextModelWithProjection load_projected() {
  CLIPTextModelWithProjection model(config_of("text_encoder_2"));
  load_state_dict(*model, weights_of("text_encoder_2"), encoder_dir("text_encoder_2"));
  return model;
}

std::string write_temp_json(const std::string& name, const nlohmann::json& doc) {
  const std::string path = QDir::tempPath().toStdString() + "/storyscope_clip_" + name + ".json";
  std::ofstream(path) << doc.dump();
  return path;
}

// Runs `fn` and returns the Error's full text ("" when nothing was thrown).
template <typename Fn>
std::string error_text(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return std::string(e.what()) + " | " + e.location() + " | " + e.rule();
  }
  return "";
}

}  // namespace

class TestClipText : public QObject {
  Q_OBJECT
  std::map<std::string, at::Tensor> stored_;
  nlohmann::json case_;
  at::Tensor ids_;

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    stored_ = load_safetensors(fixture("tiny_clip_text.safetensors"));
    case_ = testing::manifest_case("tiny_clip_text");
    ids_ = stored_.at("input_ids");
    const auto manifest_ids =
        case_.at("inputs").at(0).at("value").get<std::vector<std::vector<std::int64_t>>>();
    QCOMPARE(ids_.size(0), std::int64_t(manifest_ids.size()));
    for (std::size_t r = 0; r < manifest_ids.size(); ++r)
      QVERIFY(at::equal(ids_[r], at::tensor(manifest_ids[r], at::kLong)));
  }

  void parsesTextEncoderConfigs() {
    const auto a = config_of("text_encoder");
    QCOMPARE(a.vocab_size, std::int64_t(1000));
    QCOMPARE(a.hidden_size, std::int64_t(32));
    QCOMPARE(a.intermediate_size, std::int64_t(37));
    QCOMPARE(a.num_hidden_layers, std::int64_t(5));
    QCOMPARE(a.num_attention_heads, std::int64_t(4));
    QCOMPARE(a.head_dim(), std::int64_t(8));
    QCOMPARE(a.max_position_embeddings, std::int64_t(77));
    QVERIFY(a.activation() == ClipActivation::QuickGelu);
    QCOMPARE(a.eos_token_id, std::int64_t(2));
    QVERIFY(a.legacy_eos_pooling());
    QVERIFY(!a.has_projection());
    const auto b = config_of("text_encoder_2");
    QVERIFY(b.activation() == ClipActivation::Gelu);
    QCOMPARE(b.projection_dim, std::int64_t(32));
    QVERIFY(b.has_projection());
  }

  void defaultsFollowTransformers438() {
    const auto c = ClipTextConfig::from_json(JsonFields(nlohmann::json::object(), "empty.json"));
    QCOMPARE(c.vocab_size, std::int64_t(49408));
    QCOMPARE(c.hidden_size, std::int64_t(512));
    QCOMPARE(c.intermediate_size, std::int64_t(2048));
    QCOMPARE(c.projection_dim, std::int64_t(512));
    QCOMPARE(c.num_hidden_layers, std::int64_t(12));
    QCOMPARE(c.num_attention_heads, std::int64_t(8));
    QCOMPARE(c.max_position_embeddings, std::int64_t(77));
    QCOMPARE(c.hidden_act, std::string("quick_gelu"));
    QCOMPARE(c.layer_norm_eps, 1e-5);
    QCOMPARE(c.bos_token_id, std::int64_t(49406));
    QCOMPARE(c.eos_token_id, std::int64_t(49407));
    QCOMPARE(c.pad_token_id, std::int64_t(1));
    QVERIFY(!c.legacy_eos_pooling());
  }

  void readsTextConfigOfFullClipConfig() {
    auto text = JsonFields::parse_json_file(encoder_dir("text_encoder_2") + "/config.json");
    text.erase("architectures");
    text["projection_dim"] = 16;  // CLIPModel's top-level projection_dim sizes text_projection
    const nlohmann::json full = {{"model_type", "clip"},
                                 {"architectures", {"CLIPModel"}},
                                 {"projection_dim", 32},
                                 {"text_config", text},
                                 {"vision_config", {{"hidden_size", 768}}}};
    const auto c = ClipTextConfig::from_file(write_temp_json("full", full));
    QCOMPARE(c.hidden_size, std::int64_t(32));
    QCOMPARE(c.num_hidden_layers, std::int64_t(5));
    QCOMPARE(c.projection_dim, std::int64_t(32));
    QVERIFY(c.activation() == ClipActivation::Gelu);
    QVERIFY(c.has_projection());

    nlohmann::json legacy = full;  // text_config_dict overrides text_config, as in transformers
    legacy["text_config_dict"] = {{"hidden_act", "quick_gelu"}};
    QVERIFY(ClipTextConfig::from_file(write_temp_json("legacy", legacy)).activation() ==
            ClipActivation::QuickGelu);

    nlohmann::json bad = full;
    bad["text_config"]["hidden_act"] = "swiglu";
    const auto message = error_text([&] { ClipTextConfig::from_file(write_temp_json("bad_nested", bad)); });
    QVERIFY2(
        message.find("hidden_act") != std::string::npos && message.find("text_config") != std::string::npos,
        message.c_str());
  }

  void rejectsBadConfigs() {
    auto base = JsonFields::parse_json_file(encoder_dir("text_encoder") + "/config.json");
    auto failure = [&](const char* key, nlohmann::json value) {
      auto doc = base;
      doc[key] = value;
      return error_text([&] { ClipTextConfig::from_json(JsonFields(doc, "config.json")); });
    };
    auto names = [](const std::string& message, const char* key) {
      return message.find(std::string("\"") + key + "\"") != std::string::npos;
    };
    auto m = failure("hidden_act", "swish");
    QVERIFY2(names(m, "hidden_act") && m.find("swish") != std::string::npos, m.c_str());
    m = failure("hidden_act", 3);
    QVERIFY2(names(m, "hidden_act"), m.c_str());
    m = failure("num_attention_heads", 5);
    QVERIFY2(names(m, "num_attention_heads"), m.c_str());
    m = failure("hidden_size", "32");
    QVERIFY2(names(m, "hidden_size"), m.c_str());
    m = failure("num_hidden_layers", 0);
    QVERIFY2(names(m, "num_hidden_layers"), m.c_str());
    for (const char* act : {"gelu_new", "gelu_pytorch_tanh"}) {
      auto doc = base;
      doc["hidden_act"] = act;
      QVERIFY(error_text([&] { ClipTextConfig::from_json(JsonFields(doc, "config.json")); }).empty());
    }
  }

  void activationsFollowTheirFormulas() {
    const auto x = at::linspace(-6, 6, 241, at::kDouble);
    const auto quick = clip_activation(x, ClipActivation::QuickGelu);
    QVERIFY(at::allclose(quick, x / (1 + at::exp(-1.702 * x)), 0, 1e-15));
    const auto exact = clip_activation(x, ClipActivation::Gelu);
    QVERIFY(at::allclose(exact, 0.5 * x * (1 + at::erf(x / std::sqrt(2.0))), 0, 1e-15));
    const auto tanh_new = clip_activation(x, ClipActivation::GeluNew);
    const auto tanh_torch = clip_activation(x, ClipActivation::GeluPytorchTanh);
    QVERIFY(at::allclose(tanh_new, tanh_torch, 0, 1e-12));
    QVERIFY(max_abs_diff(tanh_new, exact) > 1e-5);  // the approximation is distinguishable
  }

  void stateDictKeysMatchTransformers() {
    CLIPTextModel plain(config_of("text_encoder"));
    const auto keys = state_dict_of(*plain);
    QCOMPARE(int(keys.size()), case_["models"]["text_encoder"]["state_dict_keys_count"].get<int>());
    QVERIFY(keys.count("text_model.embeddings.token_embedding.weight"));
    QVERIFY(keys.count("text_model.embeddings.position_embedding.weight"));
    QVERIFY(!keys.count("text_model.embeddings.position_ids"));
    QVERIFY(keys.count("text_model.encoder.layers.4.self_attn.out_proj.bias"));
    QVERIFY(keys.count("text_model.encoder.layers.0.mlp.fc1.weight"));
    QVERIFY(keys.count("text_model.final_layer_norm.weight"));
    CLIPTextModelWithProjection projected(config_of("text_encoder_2"));
    const auto pkeys = state_dict_of(*projected);
    QCOMPARE(int(pkeys.size()), case_["models"]["text_encoder_2"]["state_dict_keys_count"].get<int>());
    QVERIFY(pkeys.count("text_projection.weight") && !pkeys.count("text_projection.bias"));
    std::int64_t params = 0;
    for (const auto& p : projected->parameters()) params += p.numel();
    QCOMPARE(params, case_["models"]["text_encoder_2"]["num_params"].get<std::int64_t>());
  }

  void referenceWeightsAreSplitmix() {
    for (const char* name : {"text_encoder", "text_encoder_2"}) {
      const auto weights = weights_of(name);
      CLIPTextModelWithProjection model(config_of(name));  // superset of the plain keys
      fill_splitmix(*model);
      const auto ours = state_dict_of(*model);
      for (const auto& [key, tensor] : weights) {
        QVERIFY2(ours.count(key), key.c_str());
        QVERIFY2(at::equal(ours.at(key), tensor), key.c_str());
      }
    }
  }

  void textEncoderMatchesReference() {
    auto model = load_plain();
    at::NoGradGuard no_grad;
    const auto out = model->forward(ids_, {true, 0});
    QCOMPARE(int(out.hidden_states.size()), 6);
    QVERIFY(within("last_hidden_state", out.last_hidden_state, stored_.at("last_hidden_state"),
                   tolerance(case_, "last_hidden_state")));
    QVERIFY(within("penultimate_hidden_state", out.penultimate_hidden_state,
                   stored_.at("penultimate_hidden_state"), tolerance(case_, "penultimate_hidden_state")));
    QVERIFY(within("pooler_output", out.pooler_output, stored_.at("pooler_output"),
                   tolerance(case_, "pooler_output")));
    QVERIFY(out.penultimate_hidden_state.is_same(out.hidden_states[4]));
    QVERIFY(!out.text_embeds.defined());
    const int probes =
        testing::check_hidden_state_probes(stored_, out.hidden_states, case_, "penultimate_hidden_state");
    QVERIFY(probes >= 0);
    qInfo("hidden-state probes checked: %d", probes);
  }

  void projectedEncoderMatchesReference() {
    auto model = load_projected();
    at::NoGradGuard no_grad;
    const auto out = model->forward(ids_, {true, 0});
    QVERIFY(within("proj_last_hidden_state", out.last_hidden_state, stored_.at("proj_last_hidden_state"),
                   tolerance(case_, "proj_last_hidden_state")));
    QVERIFY(within("proj_penultimate_hidden_state", out.penultimate_hidden_state,
                   stored_.at("proj_penultimate_hidden_state"),
                   tolerance(case_, "proj_penultimate_hidden_state")));
    QVERIFY(within("proj_text_embeds", out.text_embeds, stored_.at("proj_text_embeds"),
                   tolerance(case_, "proj_text_embeds")));
    const int probes = testing::check_hidden_state_probes(stored_, out.hidden_states, case_,
                                                          "proj_penultimate_hidden_state", "proj_");
    QVERIFY(probes >= 0);
  }

  void legacyPoolingTakesFirstLargestId() {
    auto model = load_plain();
    // Row 0 is padded with eos 999 (first at 8), row 1 with 0 (eos at 12).
    QCOMPARE(model->text_model->pooling_positions(ids_), (std::vector<std::int64_t>{8, 12}));
    auto c = config_of("text_encoder");
    c.eos_token_id = 320;  // not 2: pool at the first occurrence of eos_token_id
    ClipTextTransformer modern(c);
    QCOMPARE(modern->pooling_positions(ids_), (std::vector<std::int64_t>{1, 0}));
  }

  void keepsOnlyRequestedStates() {
    auto model = load_plain();
    at::NoGradGuard no_grad;
    const auto all = model->forward(ids_, {true, 0});
    const auto lean = model->forward(ids_, {false, 0});
    QVERIFY(lean.hidden_states.empty());
    QVERIFY(!lean.skipped_hidden_state.defined());
    QVERIFY(at::equal(lean.last_hidden_state, all.last_hidden_state));
    QVERIFY(at::equal(lean.penultimate_hidden_state, all.penultimate_hidden_state));
    QVERIFY(at::equal(lean.pooler_output, all.pooler_output));
    for (int skip = 1; skip <= 5; ++skip) {
      const auto out = model->forward(ids_, {false, skip});
      QVERIFY(at::equal(out.skipped_hidden_state, all.hidden_states[5 - skip]));
    }
    QVERIFY(at::equal(model->forward(ids_, {false, 1}).skipped_hidden_state, all.penultimate_hidden_state));
    QVERIFY(!error_text([&] { model->forward(ids_, {false, 6}); }).empty());
    QVERIFY(!error_text([&] { model->forward(ids_, {false, -1}); }).empty());
  }

  void shorterSequencesMatchThePrefix() {
    // Under the causal mask a prefix of the ids gives the prefix of the outputs.
    auto model = load_projected();
    at::NoGradGuard no_grad;
    for (std::int64_t n : {1, 13, 40}) {
      const auto out = model->forward(ids_.slice(1, 0, n));
      QCOMPARE(out.last_hidden_state.size(1), n);
      QVERIFY(within("prefix " + std::to_string(n) + " last_hidden_state", out.last_hidden_state,
                     stored_.at("proj_last_hidden_state").slice(1, 0, n),
                     tolerance(case_, "proj_last_hidden_state")));
    }
    // 13 tokens hold row 1's eos, so its pooled/projected output is the full sequence's.
    const auto out = model->forward(ids_.slice(1, 0, 13));
    QVERIFY(within("prefix 13 text_embeds row 1", out.text_embeds[1], stored_.at("proj_text_embeds")[1],
                   tolerance(case_, "proj_text_embeds")));
  }

  void rejectsBadInputIds() {
    auto model = load_plain();
    at::NoGradGuard no_grad;
    auto message = error_text([&] { model->forward(at::zeros({1, 78}, at::kLong)); });
    QVERIFY2(message.find("max_position_embeddings") != std::string::npos, message.c_str());
    message = error_text([&] { model->forward(at::full({1, 4}, 1000, at::kLong)); });
    QVERIFY2(message.find("1000") != std::string::npos, message.c_str());
    QVERIFY(!error_text([&] { model->forward(at::zeros({4}, at::kLong)); }).empty());
    QVERIFY(!error_text([&] { model->forward(at::zeros({1, 4}, at::kFloat)); }).empty());
    // int32 ids work like int64 ones.
    const auto a = model->forward(ids_).last_hidden_state;
    QVERIFY(at::equal(model->forward(ids_.to(at::kInt)).last_hidden_state, a));
  }

  void perturbedWeightsFailParity() {
    at::NoGradGuard no_grad;
    const double tol = tolerance(case_, "last_hidden_state");
    {  // one whole tensor flipped in sign
      auto weights = weights_of("text_encoder");
      auto& w = weights.at("text_model.encoder.layers.2.self_attn.v_proj.weight");
      w = -w;
      CLIPTextModel model(config_of("text_encoder"));
      load_state_dict(*model, weights, "perturbed");
      const double diff =
          max_abs_diff(model->forward(ids_).last_hidden_state, stored_.at("last_hidden_state"));
      qInfo("flipped v_proj: max abs diff %.3g (tolerance %.3g)", diff, tol);
      QVERIFY(diff > 100 * tol);
    }
    {  // one element nudged by 1e-3
      auto weights = weights_of("text_encoder");
      auto& w = weights.at("text_model.final_layer_norm.bias");
      w = w.clone();
      w[7] += 1e-3;
      CLIPTextModel model(config_of("text_encoder"));
      load_state_dict(*model, weights, "perturbed");
      const double diff =
          max_abs_diff(model->forward(ids_).last_hidden_state, stored_.at("last_hidden_state"));
      qInfo("nudged final_layer_norm.bias[7]: max abs diff %.3g", diff);
      QVERIFY(diff > tol);
    }
    {  // the wrong activation
      auto c = config_of("text_encoder");
      c.hidden_act = "gelu";
      CLIPTextModel model(c);
      load_state_dict(*model, weights_of("text_encoder"), "wrong activation");
      QVERIFY(max_abs_diff(model->forward(ids_).last_hidden_state, stored_.at("last_hidden_state")) >
              10 * tol);
    }
  }

  void reportsAllKeyProblemsTogether() {
    auto weights = weights_of("text_encoder_2");
    weights.erase("text_model.encoder.layers.1.mlp.fc2.bias");
    weights.erase("text_projection.weight");
    weights["text_model.encoder.layers.3.self_attn.q_proj.weight"] = at::zeros({32, 31});
    weights["text_model.embeddings.position_embedding.weight"] = at::zeros({76, 32});
    weights["text_model.encoder.layers.9.mlp.fc1.weight"] = at::zeros({37, 32});
    CLIPTextModelWithProjection model(config_of("text_encoder_2"));
    const auto message = error_text([&] { load_state_dict(*model, weights, "broken.safetensors"); });
    for (const char* expected : {"text_model.encoder.layers.1.mlp.fc2.bias", "text_projection.weight",
                                 "text_model.encoder.layers.3.self_attn.q_proj.weight", "[32, 32]",
                                 "[32, 31]", "text_model.embeddings.position_embedding.weight", "[76, 32]",
                                 "text_model.encoder.layers.9.mlp.fc1.weight", "broken.safetensors"})
      QVERIFY2(message.find(expected) != std::string::npos,
               (std::string(expected) + " not in: " + message).c_str());
  }

  void ignoresLegacyPositionIds() {
    auto weights = weights_of("text_encoder");
    weights["text_model.embeddings.position_ids"] = at::arange(77, at::kLong).unsqueeze(0);
    CLIPTextModel model(config_of("text_encoder"));
    QVERIFY(!error_text([&] { load_state_dict(*model, weights, "old"); }).empty());
    QCOMPARE(drop_ignored_clip_text_keys(weights), std::size_t(1));
    load_state_dict(*model, weights, "old");
  }

  void computesInDoubleToo() {
    // Any floating dtype works (the causal mask follows it); float64 agrees with the fixture.
    auto model = load_projected();
    model->to(at::kDouble);
    at::NoGradGuard no_grad;
    const auto out = model->forward(ids_);
    QCOMPARE(out.last_hidden_state.scalar_type(), at::kDouble);
    QVERIFY(within("float64 proj_text_embeds", out.text_embeds, stored_.at("proj_text_embeds"),
                   tolerance(case_, "proj_text_embeds")));
  }
};

QTEST_APPLESS_MAIN(TestClipText)
#include "test_clip_text.moc"
