#include "core/demo/shapes_vocab.h"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/demo/shapes_world.h"

namespace storyscope {

namespace {

constexpr const char* kWordEnd = "</w>";

void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// GPT-2/CLIP's byte -> printable symbol map, in CLIP's vocabulary order: the printable bytes
// first, then the others mapped to 256, 257, ...
std::vector<std::pair<int, std::string>> byte_symbols_in_vocab_order() {
  std::vector<int> bytes;
  for (int b = '!'; b <= '~'; ++b) bytes.push_back(b);
  for (int b = 0xA1; b <= 0xAC; ++b) bytes.push_back(b);
  for (int b = 0xAE; b <= 0xFF; ++b) bytes.push_back(b);
  std::vector<bool> printable(256, false);
  for (int b : bytes) printable[b] = true;
  std::vector<char32_t> map(256);
  for (int b : bytes) map[b] = static_cast<char32_t>(b);
  char32_t next = 256;
  for (int b = 0; b < 256; ++b)
    if (!printable[b]) {
      map[b] = next++;
      bytes.push_back(b);
    }
  std::vector<std::pair<int, std::string>> out;
  for (int b : bytes) {
    std::string s;
    append_utf8(map[b], s);
    out.emplace_back(b, s);
  }
  return out;
}

// The textbook BPE loop (lowest-ranked pair first, every occurrence left to right), on a word's
// symbols; the tokenizer in core/text gives the same result.
std::vector<std::string> apply_bpe(std::vector<std::string> symbols,
                                   const std::map<std::pair<std::string, std::string>, int>& ranks) {
  while (symbols.size() > 1) {
    int best = -1;
    std::pair<std::string, std::string> best_pair;
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
      auto it = ranks.find({symbols[i], symbols[i + 1]});
      if (it != ranks.end() && (best < 0 || it->second < best)) {
        best = it->second;
        best_pair = it->first;
      }
    }
    if (best < 0) break;
    std::vector<std::string> merged;
    for (std::size_t i = 0; i < symbols.size();) {
      if (i + 1 < symbols.size() && symbols[i] == best_pair.first && symbols[i + 1] == best_pair.second) {
        merged.push_back(symbols[i] + symbols[i + 1]);
        i += 2;
      } else {
        merged.push_back(symbols[i++]);
      }
    }
    symbols = std::move(merged);
  }
  return symbols;
}

struct Vocabulary {
  std::vector<std::string> tokens;  // id order
  std::vector<std::pair<std::string, std::string>> merges;
};

// Merges are appended word by word: each new merge has a lower priority than every earlier one,
// so it never changes how an earlier word (already one symbol) is merged. For each word we run
// BPE with the merges so far and join its first two remaining symbols until one is left.
Vocabulary build_vocabulary() {
  Vocabulary v;
  const auto byte_symbols = byte_symbols_in_vocab_order();
  for (const auto& [b, s] : byte_symbols) v.tokens.push_back(s);
  for (const auto& [b, s] : byte_symbols) v.tokens.push_back(s + kWordEnd);
  std::map<std::pair<std::string, std::string>, int> ranks;
  for (const std::string& word : shapes::world_words()) {
    std::vector<std::string> symbols;
    for (std::size_t i = 0; i < word.size(); ++i)
      symbols.push_back(std::string(1, word[i]) + (i + 1 == word.size() ? kWordEnd : ""));
    for (;;) {
      const std::vector<std::string> now = apply_bpe(symbols, ranks);
      if (now.size() <= 1) break;
      const std::pair<std::string, std::string> merge{now[0], now[1]};
      ranks.emplace(merge, static_cast<int>(v.merges.size()));
      v.merges.push_back(merge);
      v.tokens.push_back(merge.first + merge.second);
    }
  }
  v.tokens.push_back("<|startoftext|>");
  v.tokens.push_back("<|endoftext|>");
  return v;
}

const Vocabulary& vocabulary() {
  static const Vocabulary v = build_vocabulary();
  return v;
}

}  // namespace

std::int64_t shapes_vocab_size() { return static_cast<std::int64_t>(vocabulary().tokens.size()); }

void write_shapes_tokenizer(const std::string& dir, int model_max_length) {
  if (model_max_length < 2) throw_bad_input(dir, "model_max_length", "must be at least 2");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw_bad_input(dir, "", "cannot create the folder: " + ec.message());
  const Vocabulary& v = vocabulary();

  nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
  for (std::size_t id = 0; id < v.tokens.size(); ++id) vocab[v.tokens[id]] = id;
  write_file_atomically(dir + "/vocab.json", vocab.dump() + "\n");

  std::string merges = "#version: 0.2\n";
  for (const auto& [a, b] : v.merges) merges += a + " " + b + "\n";
  write_file_atomically(dir + "/merges.txt", merges);

  const std::int64_t bos = static_cast<std::int64_t>(v.tokens.size()) - 2, eos = bos + 1;
  auto special = [](const std::string& content) {
    return nlohmann::ordered_json{{"content", content}, {"lstrip", false},      {"normalized", true},
                                  {"rstrip", false},    {"single_word", false}, {"special", true}};
  };
  nlohmann::ordered_json config = {
      {"add_prefix_space", false},
      {"added_tokens_decoder",
       {{std::to_string(bos), special("<|startoftext|>")}, {std::to_string(eos), special("<|endoftext|>")}}},
      {"bos_token", "<|startoftext|>"},
      {"clean_up_tokenization_spaces", true},
      {"do_lower_case", true},
      {"eos_token", "<|endoftext|>"},
      {"errors", "replace"},
      {"model_max_length", model_max_length},
      {"pad_token", "<|endoftext|>"},
      {"tokenizer_class", "CLIPTokenizer"},
      {"unk_token", "<|endoftext|>"}};
  write_file_atomically(dir + "/tokenizer_config.json", config.dump(2) + "\n");
  nlohmann::ordered_json map = {{"bos_token", "<|startoftext|>"},
                                {"eos_token", "<|endoftext|>"},
                                {"pad_token", "<|endoftext|>"},
                                {"unk_token", "<|endoftext|>"}};
  write_file_atomically(dir + "/special_tokens_map.json", map.dump(2) + "\n");
}

}  // namespace storyscope
