// storyscope-cli shapes <render|vocab|check|train>: the shapes world from the command line.
//   render (--caption TEXT | --seed N) --out DIR [--size 64] [--count K]
//       images, one mask PNG per caption word, and captions.json describing them
//   vocab --out DIR            the world's CLIP tokenizer files
//   check IMAGE... (--caption TEXT [--caption TEXT...] | --story-file story.json) [--json] [--story]
//       reads images back against their captions (one caption for all, or one per image);
//       --story adds the identity drift over the images as frames of one story; --story-file
//       takes the captions from a story file's frames (and implies --story)
//   train ...                  the trainer (app/cli/shapes_train.cpp)
//   eval --model DIR --out report.json ...   the model's measurement (app/cli/shapes_eval.cpp)
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/shapes_eval.h"
#include "app/cli/shapes_train.h"
#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/demo/shapes_checker.h"
#include "core/demo/shapes_vocab.h"
#include "core/demo/shapes_world.h"
#include "core/pipeline/vanilla_frame.h"
#include "core/story/story_spec.h"

#ifdef STORYSCOPE_HAS_IMAGING
#include <ATen/ATen.h>

#include "core/imaging/image_tensor.h"
#include "core/imaging/png_metadata.h"
#endif

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace storyscope;

namespace {

constexpr const char* kUsage =
    "usage: storyscope-cli shapes render (--caption TEXT | --seed N) --out DIR [--size 64] [--count K]\n"
    "       storyscope-cli shapes vocab --out DIR\n"
    "       storyscope-cli shapes check IMAGE... (--caption TEXT [--caption TEXT...] | --story-file FILE)\n"
    "                                   [--json] [--story]\n"
    "       storyscope-cli shapes train --out DIR [--steps N] [--device cpu|cuda] ...\n"
    "       storyscope-cli shapes eval --model DIR --out report.json [--markdown report.md] [--captions "
    "200]\n"
    "                                  [--stories 20] [--steps 30] [--seed 0] [--guidance 2] [--sampler "
    "ddim]\n"
    "                                  [--min-frames 4] [--max-frames 6]\n";

[[noreturn]] void no_imaging(const char* what) {
  throw_bad_input("", what,
                  "this storyscope-cli was built without imaging (OpenCV): PNG files are unavailable");
}

json object_json(const shapes::ShapeObject& o) {
  return {{"shape", shapes::word(o.shape)},
          {"colour", shapes::word(o.colour)},
          {"size", shapes::word(o.size)},
          {"pattern", shapes::word(o.pattern)},
          {"position", shapes::word(o.position)},
          {"center", {o.cx, o.cy}},
          {"radius", o.radius},
          {"rotation_degrees", o.rotation * 180 / 3.141592653589793},
          {"hue_jitter", o.hue_jitter}};
}

int render_command(int argc, char** argv) {
  const cli::Args args(argc, argv, {"caption", "seed", "out", "size", "count"}, {});
  const std::string out = args.require("out");
  const auto caption = args.get("caption");
  if (!caption && !args.has("seed"))
    throw_bad_input("", "--caption/--seed",
                    "give a caption (its unstated attributes drawn from --seed, default 0) or a seed alone "
                    "(random captions)");
  const std::int64_t seed = args.get_int("seed", 0);
  const std::int64_t size = args.get_int("size", 64);
  const std::int64_t count = args.get_int("count", 1);
  if (size < 16 || size > 1024) throw_bad_input("", "--size", "must be in [16, 1024]");
  if (count < 1 || count > 100000) throw_bad_input("", "--count", "must be in [1, 100000]");
  if (seed < 0) throw_bad_input("", "--seed", "must be >= 0");
  if (caption) shapes::parse_caption(*caption, "--caption");  // fail before writing anything
#ifdef STORYSCOPE_HAS_IMAGING
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw_bad_input(out, "--out", "cannot create the folder: " + ec.message());
  json listing = json::array();
  for (std::int64_t k = 0; k < count; ++k) {
    const auto s = static_cast<std::uint64_t>(seed + k);
    const shapes::Scene scene = caption ? shapes::scene_from_caption(*caption, s) : shapes::random_scene(s);
    const std::string text = caption ? *caption : shapes::caption_text(scene.caption);
    const shapes::Render r = shapes::render(scene, static_cast<int>(size));
    char stem[32];
    std::snprintf(stem, sizeof stem, "%05lld", static_cast<long long>(k));
    const std::string image_file = std::string(stem) + ".png";
    write_png(out + "/" + image_file, image_from_tensor(r.image, ValueRange::ZeroToOne));
    json masks = json::array();
    for (const shapes::WordMask& m : shapes::word_masks(text, r)) {
      const std::string file = std::string(stem) + "_mask_" + std::to_string(m.index) + "_" + m.word + ".png";
      write_png(out + "/" + file,
                image_from_tensor(m.mask.unsqueeze(0).expand({3, -1, -1}), ValueRange::ZeroToOne));
      masks.push_back({{"word", m.word}, {"index", m.index}, {"file", file}});
    }
    json objects = json::array();
    for (const auto& o : scene.objects) objects.push_back(object_json(o));
    listing.push_back({{"file", image_file},
                       {"caption", text},
                       {"seed", s},
                       {"scene", shapes::word(scene.background)},
                       {"objects", objects},
                       {"masks", masks}});
  }
  write_file_atomically(out + "/captions.json", listing.dump(2) + "\n");
  std::cout << "wrote " << count << " image(s) to " << out << "\n";
  return 0;
#else
  no_imaging("render");
#endif
}

int vocab_command(int argc, char** argv) {
  const cli::Args args(argc, argv, {"out"}, {});
  const std::string out = args.require("out");
  write_shapes_tokenizer(out);
  std::cout << "wrote the shapes tokenizer (" << shapes_vocab_size() << " tokens) to " << out << "\n";
  return 0;
}

int check_command(int argc, char** argv) {
  const cli::Args args(argc, argv, {"caption", "story-file"}, {"json", "story"});
  const std::vector<std::string>& images = args.positional();
  std::vector<std::string> captions = args.get_all("caption");
  if (images.empty()) throw_bad_input("", "IMAGE", "give at least one image to check");
  const std::optional<std::string> story_file = args.get("story-file");
  if (story_file) {
    // The frames of a story file, in order: frame k was made from "identity frames[k]".
    if (!captions.empty())
      throw_bad_input("", "--caption", "give either --caption or --story-file, not both");
    const StorySpec spec = read_story_file(*story_file);
    if (spec.frames.size() != images.size())
      throw_bad_input(*story_file, "frames",
                      "has " + std::to_string(spec.frames.size()) + " frames but " +
                          std::to_string(images.size()) + " images were given");
    for (int f = 0; f < static_cast<int>(spec.frames.size()); ++f)
      captions.push_back(vanilla_frame_prompt(spec, f));
  }
  if (captions.empty()) throw_bad_input("", "--caption", "give the caption the images were made from");
  if (captions.size() != 1 && captions.size() != images.size())
    throw_bad_input(
        "", "--caption",
        "give one caption for all images or one per image (" + std::to_string(images.size()) + ")");
  for (std::size_t i = 0; i < captions.size(); ++i) shapes::parse_caption(captions[i], "--caption");
#ifdef STORYSCOPE_HAS_IMAGING
  json results = json::array();
  std::vector<shapes::ObjectMeasurement> frames;
  for (std::size_t i = 0; i < images.size(); ++i) {
    const std::string& caption = captions.size() == 1 ? captions[0] : captions[i];
    const at::Tensor t = tensor_from_image(read_png(images[i]), ValueRange::ZeroToOne)[0];
    if (t.size(1) != t.size(2) || t.size(1) < 16)
      throw_bad_input(images[i], "size", "the checker reads square images of at least 16x16");
    const shapes::CheckResult r = shapes::check_image(t, caption);
    frames.push_back(r.main);
    json j = shapes::to_json(r);
    j["image"] = images[i];
    results.push_back(j);
    if (!args.has("json")) {
      std::cout << images[i] << ": " << (r.all_ok() ? "OK" : "MISMATCH") << "  scene "
                << j["scene"].get<std::string>();
      if (r.main.found)
        std::cout << ", main " << shapes::word(r.main.size) << " " << shapes::word(r.main.colour) << " "
                  << shapes::word(r.main.pattern) << " " << shapes::word(r.main.shape) << " at "
                  << shapes::word(r.main.position);
      else
        std::cout << ", no object found";
      if (r.companion)
        std::cout << ", companion " << shapes::word(r.companion->colour) << " "
                  << shapes::word(r.companion->shape);
      std::cout << "\n    verdicts " << j["verdicts"].dump() << "\n";
    }
  }
  json doc = {{"images", results}};
  if (args.has("story") || story_file) {
    const shapes::StoryDrift d = shapes::story_drift(frames);
    doc["drift"] = shapes::to_json(d);
    if (!args.has("json"))
      std::cout << "drift over " << d.frames << " frames: total " << d.total << " (area " << d.area
                << ", hue " << d.hue << ", pattern " << d.pattern << ", rotation " << d.rotation << ")\n";
  }
  if (args.has("json")) std::cout << doc.dump(2) << "\n";
  return 0;
#else
  no_imaging("check");
#endif
}

int shapes_body(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string sub = argv[1];
  if (sub == "train") return cli::run_shapes_train(argc - 1, argv + 1);
  if (sub == "eval") return cli::run_shapes_eval(argc - 1, argv + 1);
  if (sub == "render") return render_command(argc - 1, argv + 1);
  if (sub == "vocab") return vocab_command(argc - 1, argv + 1);
  if (sub == "check") return check_command(argc - 1, argv + 1);
  throw_bad_input("", sub, std::string("unknown subcommand\n") + kUsage);
}

}  // namespace

int cmd_shapes(int argc, char** argv) { return cli::run_command("shapes", shapes_body, argc, argv); }

STORYSCOPE_CLI_COMMAND("shapes", cmd_shapes, "the shapes world: render, vocab, check, train, eval");
