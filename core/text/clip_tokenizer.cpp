#include "core/text/clip_tokenizer.h"

#include <algorithm>
#include <climits>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <queue>
#include <unordered_map>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/json_text.h"
#include "core/text/unicode.h"

namespace storyscope {

using json = nlohmann::json;
using unicode::Origin;

namespace {

constexpr const char* kWordEnd = "</w>";
// transformers reads merges.txt as lines[1 : 49152 - 256 - 2 + 1], so a longer file is cut here.
constexpr std::size_t kMaxMerges = 49152 - 256 - 2;
// Words longer than this are not cached: the cache is for the handful of words prompts repeat.
constexpr std::size_t kMaxCachedWordBytes = 128;
constexpr std::size_t kMaxCacheEntries = 1 << 16;

// GPT-2's reversible byte -> printable code point map, so BPE symbols are valid text.
std::vector<char32_t> bytes_to_unicode() {
  std::vector<char32_t> map(256, 0);
  std::vector<bool> printable(256, false);
  for (int b = '!'; b <= '~'; ++b) printable[b] = true;
  for (int b = 0xA1; b <= 0xAC; ++b) printable[b] = true;
  for (int b = 0xAE; b <= 0xFF; ++b) printable[b] = true;
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) map[b] = printable[b] ? static_cast<char32_t>(b) : next++;
  return map;
}

bool is_bert_cjk(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

std::u32string utf32(std::string_view s) {
  std::vector<char32_t> cps;
  std::vector<Origin> origins;
  unicode::decode_utf8_lossy(s, cps, origins);
  return std::u32string(cps.begin(), cps.end());
}

// A run of code points, each remembering which input bytes it came from.
struct Text {
  std::vector<char32_t> cps;
  std::vector<Origin> origins;
  void push(char32_t c, Origin o) {
    cps.push_back(c);
    origins.push_back(o);
  }
  std::size_t size() const { return cps.size(); }
};

// Reads "token" or {"content": "token"} (both forms occur in tokenizer configs).
bool token_string(const json& v, std::string& out) {
  if (v.is_string()) {
    out = v.get<std::string>();
    return true;
  }
  if (v.is_object() && v.contains("content") && v["content"].is_string()) {
    out = v["content"].get<std::string>();
    return true;
  }
  return false;
}

json parse_json_file(const std::string& path) { return parse_json_text(read_file(path), path); }

}  // namespace

struct ClipTokenizer::Impl {
  // vocabulary
  std::unordered_map<std::string, std::int64_t> encoder;
  std::vector<std::string> decoder;  // id -> token; holes are empty strings
  std::vector<bool> has_id;
  std::size_t count = 0;

  // BPE symbols are interned so merges compare integers, not strings.
  std::unordered_map<std::string, int> symbol_index;
  std::vector<std::string> symbols;
  std::vector<std::int64_t> symbol_vocab_id;  // -1 where the symbol is not in the vocabulary
  struct Merge {
    int rank, result;
  };
  std::unordered_map<std::uint64_t, Merge> merges;
  int byte_symbol[256] = {};
  int byte_end_symbol[256] = {};
  std::vector<char32_t> byte_encoder;
  std::unordered_map<char32_t, unsigned char> byte_decoder;

  // added tokens split off before any clean-up, as transformers' tokens_trie does
  std::vector<std::pair<std::u32string, std::int64_t>> added;
  std::int64_t bos = 0, eos = 0, pad = 0, unk = 0;
  int max_length = 77;

  mutable std::mutex cache_mutex;
  mutable std::unordered_map<std::string, std::vector<int>> cache;

  Impl() = default;
  // Everything but the lock and the BPE cache (with_added_tokens copies a tokenizer).
  Impl(const Impl& o)
      : encoder(o.encoder),
        decoder(o.decoder),
        has_id(o.has_id),
        count(o.count),
        symbol_index(o.symbol_index),
        symbols(o.symbols),
        symbol_vocab_id(o.symbol_vocab_id),
        merges(o.merges),
        byte_encoder(o.byte_encoder),
        byte_decoder(o.byte_decoder),
        added(o.added),
        bos(o.bos),
        eos(o.eos),
        pad(o.pad),
        unk(o.unk),
        max_length(o.max_length) {
    std::copy(std::begin(o.byte_symbol), std::end(o.byte_symbol), std::begin(byte_symbol));
    std::copy(std::begin(o.byte_end_symbol), std::end(o.byte_end_symbol), std::begin(byte_end_symbol));
  }

  int intern(const std::string& s) {
    auto [it, inserted] = symbol_index.emplace(s, static_cast<int>(symbols.size()));
    if (inserted) {
      symbols.push_back(s);
      auto v = encoder.find(s);
      symbol_vocab_id.push_back(v == encoder.end() ? -1 : v->second);
    }
    return it->second;
  }

  std::int64_t token_id(const std::string& s) const {
    for (const auto& [text, id] : added)
      if (unicode::to_utf8(text) == s) return id;
    auto it = encoder.find(s);
    return it == encoder.end() ? unk : it->second;
  }

  std::vector<int> bpe(const std::string& word_bytes) const;
  void encode_word(const Text& text, std::size_t begin, std::size_t end, Encoding& out) const;
  void encode_chunk(const Text& text, std::size_t begin, std::size_t end, Encoding& out) const;
  void add_word(Encoding& out, const Text& text, std::size_t begin, std::size_t end,
                const std::vector<std::int64_t>& ids) const;
};

namespace {

void load_vocab(ClipTokenizer::Impl& impl, const std::string& path) {
  const json v = parse_json_file(path);
  if (!v.is_object()) throw_bad_input(path, "top level", "must be an object {token: id}");
  std::int64_t max_id = -1;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!it.value().is_number_integer())
      throw_bad_input(path, "token \"" + it.key() + "\"",
                      "id must be an integer, found " + it.value().dump());
    const std::int64_t id = it.value().get<std::int64_t>();
    if (id < 0 || id > (1 << 24))
      throw_bad_input(path, "token \"" + it.key() + "\"", "id " + std::to_string(id) + " out of range");
    impl.encoder[it.key()] = id;
    max_id = std::max(max_id, id);
  }
  if (impl.encoder.empty()) throw_bad_input(path, "top level", "vocabulary is empty");
  impl.decoder.assign(max_id + 1, std::string());
  impl.has_id.assign(max_id + 1, false);
  for (const auto& [token, id] : impl.encoder) {
    if (!impl.has_id[id]) impl.decoder[id] = token;
    impl.has_id[id] = true;
  }
  impl.count = impl.encoder.size();
}

void load_merges(ClipTokenizer::Impl& impl, const std::string& path) {
  const std::string data = read_file(path);
  std::size_t line_no = 0, pos = 0;
  int rank = 0;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
  // transformers strips the file first, so trailing blank lines are harmless.
  std::size_t end = data.size();
  while (end > 0 && (is_space(data[end - 1]) || data[end - 1] == '\n')) --end;
  while (pos < end && static_cast<std::size_t>(rank) < kMaxMerges) {
    std::size_t nl = data.find('\n', pos);
    if (nl == std::string::npos || nl > end) nl = end;
    const std::string_view line(data.data() + pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line_no == 1 && line.substr(0, 8) == "#version") continue;
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < line.size();) {
      while (i < line.size() && is_space(line[i])) ++i;
      std::size_t j = i;
      while (j < line.size() && !is_space(line[j])) ++j;
      if (j > i) parts.emplace_back(line.substr(i, j - i));
      i = j;
    }
    if (parts.size() != 2)
      throw_bad_input(
          path, "line " + std::to_string(line_no),
          "a merge must be two symbols separated by a space, found " + std::to_string(parts.size()));
    const int a = impl.intern(parts[0]);
    const int b = impl.intern(parts[1]);
    const int r = impl.intern(parts[0] + parts[1]);
    const std::uint64_t key = (static_cast<std::uint64_t>(a) << 32) | static_cast<std::uint32_t>(b);
    impl.merges.emplace(key, ClipTokenizer::Impl::Merge{rank++, r});  // first occurrence wins, as in a dict
  }
  if (rank == 0) throw_bad_input(path, "", "no merges found");
}

}  // namespace

ClipTokenizer ClipTokenizer::from_files(const std::string& vocab_json, const std::string& merges_txt,
                                        const ClipTokenizerOptions& options) {
  auto impl = std::make_shared<Impl>();
  load_vocab(*impl, vocab_json);
  impl->byte_encoder = bytes_to_unicode();
  for (int b = 0; b < 256; ++b) {
    std::string s;
    unicode::append_utf8(impl->byte_encoder[b], s);
    impl->byte_decoder[impl->byte_encoder[b]] = static_cast<unsigned char>(b);
    impl->byte_symbol[b] = impl->intern(s);
    impl->byte_end_symbol[b] = impl->intern(s + kWordEnd);
  }
  load_merges(*impl, merges_txt);

  // Added tokens: explicit ids first, then the special tokens (id from the vocabulary, or a new id
  // past its end, which is what transformers does for a special token the vocabulary lacks).
  auto add = [&](const std::string& content, std::int64_t id) {
    const std::u32string text = utf32(content);
    if (text.empty()) return;
    for (const auto& a : impl->added)
      if (a.first == text) return;
    impl->added.emplace_back(text, id);
  };
  for (const auto& [id, content] : options.added_tokens) add(content, id);
  std::int64_t next_id = static_cast<std::int64_t>(impl->decoder.size());
  auto special = [&](const std::string& content, const char* what) -> std::int64_t {
    if (content.empty()) throw_bad_input(vocab_json, what, "special token is empty");
    const std::u32string text = utf32(content);
    for (const auto& a : impl->added)
      if (a.first == text) return a.second;
    auto it = impl->encoder.find(content);
    const std::int64_t id = it != impl->encoder.end() ? it->second : next_id++;
    add(content, id);
    return id;
  };
  impl->bos = special(options.bos_token, "bos_token");
  impl->eos = special(options.eos_token, "eos_token");
  impl->unk = special(options.unk_token, "unk_token");
  impl->pad = special(options.pad_token, "pad_token");
  for (const auto& [text, id] : impl->added) {
    if (id >= static_cast<std::int64_t>(impl->decoder.size())) {
      impl->decoder.resize(id + 1);
      impl->has_id.resize(id + 1, false);
    }
    if (!impl->has_id[id]) ++impl->count;
    impl->decoder[id] = unicode::to_utf8(text);
    impl->has_id[id] = true;
  }
  if (options.model_max_length < 2)
    throw_bad_input(vocab_json, "model_max_length", "must be at least 2 (bos and eos)");
  impl->max_length = options.model_max_length;
  return ClipTokenizer(std::move(impl));
}

ClipTokenizer ClipTokenizer::from_folder(const std::string& dir) {
  ClipTokenizerOptions options;
  auto exists = [](const std::string& p) { return std::ifstream(p).good(); };
  auto read_tokens = [&](const std::string& path) {
    const json cfg = parse_json_file(path);
    if (!cfg.is_object()) throw_bad_input(path, "top level", "must be a JSON object");
    const std::pair<const char*, std::string*> fields[] = {{"bos_token", &options.bos_token},
                                                           {"eos_token", &options.eos_token},
                                                           {"unk_token", &options.unk_token},
                                                           {"pad_token", &options.pad_token}};
    for (const auto& [key, dest] : fields) {
      if (!cfg.contains(key) || cfg[key].is_null()) continue;
      if (!token_string(cfg[key], *dest))
        throw_bad_input(path, std::string("\"") + key + "\"",
                        "must be a string or an object with \"content\"");
    }
    return cfg;
  };
  const std::string config_path = dir + "/tokenizer_config.json";
  if (exists(config_path)) {
    const json cfg = read_tokens(config_path);
    if (cfg.contains("model_max_length") && cfg["model_max_length"].is_number()) {
      const double m = cfg["model_max_length"].get<double>();
      // transformers writes ~1e30 for "unset"; CLIP text models have 77 positions.
      if (m >= 2 && m <= 1e6) options.model_max_length = static_cast<int>(m);
    }
    if (cfg.contains("added_tokens_decoder")) {
      const json& added = cfg["added_tokens_decoder"];
      if (!added.is_object()) throw_bad_input(config_path, "\"added_tokens_decoder\"", "must be an object");
      for (auto it = added.begin(); it != added.end(); ++it) {
        std::string content;
        std::int64_t id = -1;
        try {
          std::size_t used = 0;
          id = std::stoll(it.key(), &used);
          if (used != it.key().size()) id = -1;
        } catch (const std::exception&) {
        }
        if (id < 0 || id > (1 << 24) || !token_string(it.value(), content))
          throw_bad_input(config_path, "\"added_tokens_decoder\" entry \"" + it.key() + "\"",
                          "must map a token id to {\"content\": ...}");
        options.added_tokens[id] = content;
      }
    }
  }
  const std::string map_path = dir + "/special_tokens_map.json";
  if (exists(map_path)) read_tokens(map_path);
  return from_files(dir + "/vocab.json", dir + "/merges.txt", options);
}

std::vector<int> ClipTokenizer::Impl::bpe(const std::string& word) const {
  const bool cacheable = word.size() <= kMaxCachedWordBytes;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = cache.find(word);
    if (it != cache.end()) return it->second;
  }
  const std::size_t n = word.size();
  std::vector<int> sym(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto b = static_cast<unsigned char>(word[i]);
    sym[i] = i + 1 == n ? byte_end_symbol[b] : byte_symbol[b];
  }
  // Linked list + heap: O(n log n) where the textbook loop is quadratic, so a megabyte-long word
  // costs well under a second. Merging every occurrence of the lowest-ranked pair left to right
  // before looking at new pairs keeps the result identical to the textbook loop.
  std::vector<int> prev(n), next(n);
  for (std::size_t i = 0; i < n; ++i) {
    prev[i] = static_cast<int>(i) - 1;
    next[i] = i + 1 < n ? static_cast<int>(i + 1) : -1;
  }
  struct Candidate {
    int rank, pos, left, right;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
  auto consider = [&](int pos) {
    if (pos < 0 || next[pos] < 0) return;
    const std::uint64_t key =
        (static_cast<std::uint64_t>(sym[pos]) << 32) | static_cast<std::uint32_t>(sym[next[pos]]);
    auto it = merges.find(key);
    if (it != merges.end()) heap.push({it->second.rank, pos, sym[pos], sym[next[pos]]});
  };
  for (std::size_t i = 0; i + 1 < n; ++i) consider(static_cast<int>(i));
  std::vector<bool> alive(n, true);
  std::vector<Candidate> round;
  std::vector<int> merged;
  auto valid = [&](const Candidate& c) {
    return alive[c.pos] && sym[c.pos] == c.left && next[c.pos] >= 0 && sym[next[c.pos]] == c.right;
  };
  while (!heap.empty()) {
    const int rank = heap.top().rank;
    round.clear();
    while (!heap.empty() && heap.top().rank == rank) {
      round.push_back(heap.top());
      heap.pop();
    }
    merged.clear();
    for (const Candidate& c : round) {  // already in position order
      if (!valid(c)) continue;
      const int right = next[c.pos];
      const std::uint64_t key =
          (static_cast<std::uint64_t>(c.left) << 32) | static_cast<std::uint32_t>(c.right);
      sym[c.pos] = merges.find(key)->second.result;
      alive[right] = false;
      next[c.pos] = next[right];
      if (next[right] >= 0) prev[next[right]] = c.pos;
      merged.push_back(c.pos);
    }
    for (int p : merged) {
      if (!alive[p]) continue;
      consider(prev[p]);
      consider(p);
    }
  }
  std::vector<int> out;
  for (int i = 0; i >= 0 && n > 0; i = next[i]) out.push_back(sym[i]);
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex);
    if (cache.size() >= kMaxCacheEntries) cache.clear();
    cache.emplace(word, out);
  }
  return out;
}

void ClipTokenizer::Impl::add_word(Encoding& out, const Text& text, std::size_t begin, std::size_t end,
                                   const std::vector<std::int64_t>& ids) const {
  TokenSpan span{SIZE_MAX, 0, static_cast<int>(out.ids.size()), 0};
  for (std::size_t i = begin; i < end; ++i) {
    span.char_begin = std::min<std::size_t>(span.char_begin, text.origins[i].begin);
    span.char_end = std::max<std::size_t>(span.char_end, text.origins[i].end);
  }
  if (span.char_begin > span.char_end) span.char_begin = span.char_end;
  out.ids.insert(out.ids.end(), ids.begin(), ids.end());
  span.token_end = static_cast<int>(out.ids.size());
  out.words.push_back(span);
}

void ClipTokenizer::Impl::encode_word(const Text& text, std::size_t begin, std::size_t end,
                                      Encoding& out) const {
  std::string bytes;
  for (std::size_t i = begin; i < end; ++i) unicode::append_utf8(text.cps[i], bytes);
  std::vector<std::int64_t> ids;
  // CLIP's regex keeps these two whole and its BPE cache maps them to themselves, so they reach
  // the id lookup even when the added-token split did not see them (e.g. after clean-up).
  if (bytes == "<|startoftext|>" || bytes == "<|endoftext|>") {
    ids.push_back(token_id(bytes));
  } else {
    for (int s : bpe(bytes)) ids.push_back(symbol_vocab_id[s] >= 0 ? symbol_vocab_id[s] : unk);
  }
  add_word(out, text, begin, end, ids);
}

// One piece of text between added tokens: BasicTokenizer(strip_accents=False,
// do_split_on_punc=False).tokenize, " ".join, then CLIP's regex, word by word.
void ClipTokenizer::Impl::encode_chunk(const Text& in, std::size_t begin, std::size_t end,
                                       Encoding& out) const {
  using unicode::CharClass;
  Text t;
  t.cps.reserve(end - begin);
  t.origins.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    const char32_t c = in.cps[i];
    const Origin o = in.origins[i];
    const CharClass cls = unicode::char_class(c);
    const bool ws_control = c == '\t' || c == '\n' || c == '\r';
    if (c == 0 || c == 0xFFFD || (cls == CharClass::Control && !ws_control)) continue;
    if (c == ' ' || ws_control || cls == CharClass::SpaceSeparator) {
      t.push(' ', o);
    } else if (is_bert_cjk(c)) {
      t.push(' ', o);
      t.push(c, o);
      t.push(' ', o);
    } else {
      t.push(c, o);
    }
  }
  unicode::nfc(t.cps, t.origins);

  Text word;  // one whitespace-separated token, lower-cased
  std::u32string lowered;
  std::size_t i = 0;
  while (i < t.size()) {
    if (unicode::is_py_space(t.cps[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < t.size() && !unicode::is_py_space(t.cps[j])) ++j;
    word.cps.clear();
    word.origins.clear();
    for (std::size_t k = i; k < j; ++k) {
      lowered.clear();
      if (t.cps[k] == 0x03A3) {
        // Python's lower() picks the final sigma from the surrounding token.
        std::size_t a = k;
        while (a > i && unicode::is_case_ignorable(t.cps[a - 1])) --a;
        std::size_t b = k + 1;
        while (b < j && unicode::is_case_ignorable(t.cps[b])) ++b;
        const bool final_form =
            a > i && unicode::is_cased(t.cps[a - 1]) && !(b < j && unicode::is_cased(t.cps[b]));
        lowered.push_back(final_form ? 0x03C2 : 0x03C3);
      } else {
        unicode::append_lower(t.cps[k], lowered);
      }
      for (char32_t c : lowered) word.push(c, t.origins[k]);
    }
    i = j;

    // CLIP's pattern, alternatives in order:
    // <|startoftext|> | <|endoftext|> | 's|'t|'re|'ve|'m|'ll|'d | \p{L}+ | \p{N} | [^\s\p{L}\p{N}]+
    // (no alternative can cross whitespace, so matching each whitespace token alone is the same).
    static const std::u32string kSpecials[] = {U"<|startoftext|>", U"<|endoftext|>"};
    static const std::u32string kContractions[] = {U"s", U"t", U"re", U"ve", U"m", U"ll", U"d"};
    const auto& w = word.cps;
    auto starts_with = [&](std::size_t at, const std::u32string& s) {
      if (at + s.size() > w.size()) return false;
      for (std::size_t k = 0; k < s.size(); ++k) {
        char32_t c = w[at + k];
        if (c >= 'A' && c <= 'Z') c += 32;  // the pattern is case-insensitive
        if (c != s[k]) return false;
      }
      return true;
    };
    std::size_t p = 0;
    while (p < w.size()) {
      std::size_t q = 0;
      for (const auto& s : kSpecials)
        if (!q && starts_with(p, s)) q = p + s.size();
      if (!q && w[p] == '\'') {
        for (const auto& s : kContractions)
          if (!q && starts_with(p + 1, s)) q = p + 1 + s.size();
      }
      if (!q) {
        const CharClass cls = unicode::char_class(w[p]);
        if (cls == CharClass::Letter) {
          q = p + 1;
          while (q < w.size() && unicode::char_class(w[q]) == CharClass::Letter) ++q;
        } else if (cls == CharClass::Number) {
          q = p + 1;
        } else {
          q = p + 1;
          while (q < w.size()) {
            const CharClass c = unicode::char_class(w[q]);
            if (c == CharClass::Letter || c == CharClass::Number || unicode::is_py_space(w[q])) break;
            ++q;
          }
        }
      }
      encode_word(word, p, q, out);
      p = q;
    }
  }
}

Encoding ClipTokenizer::encode(std::string_view text) const {
  const Impl& m = *impl_;
  Text t;
  unicode::decode_utf8_lossy(text, t.cps, t.origins);
  Encoding out;
  out.ids.push_back(m.bos);
  std::size_t chunk = 0, i = 0;
  while (i < t.size()) {
    // Longest added token starting here; added tokens are few, so a scan beats a trie.
    std::size_t best_len = 0;
    std::int64_t best_id = 0;
    for (const auto& [s, id] : m.added) {
      if (s.size() > best_len && s[0] == t.cps[i] && i + s.size() <= t.size() &&
          std::equal(s.begin(), s.end(), t.cps.begin() + i)) {
        best_len = s.size();
        best_id = id;
      }
    }
    if (best_len == 0) {
      ++i;
      continue;
    }
    m.encode_chunk(t, chunk, i, out);
    m.add_word(out, t, i, i + best_len, {best_id});
    i += best_len;
    chunk = i;
  }
  m.encode_chunk(t, chunk, t.size(), out);
  out.ids.push_back(m.eos);
  out.tokens.reserve(out.ids.size());
  for (std::int64_t id : out.ids) out.tokens.push_back(token_of(id));
  return out;
}

std::vector<std::int64_t> ClipTokenizer::encode_padded(std::string_view text, int max_length) const {
  if (max_length < 2)
    throw_bad_input("", "max_length", "must be at least 2 (bos and eos), got " + std::to_string(max_length));
  std::vector<std::int64_t> ids = encode(text).ids;
  if (ids.size() > static_cast<std::size_t>(max_length)) {
    ids.resize(max_length);
    ids.back() = impl_->eos;
  }
  ids.resize(max_length, impl_->pad);
  return ids;
}

std::string ClipTokenizer::decode(const std::vector<std::int64_t>& ids) const {
  const Impl& m = *impl_;
  std::string joined;
  for (std::size_t k = 0; k < ids.size(); ++k) {
    const std::int64_t id = ids[k];
    if (id == m.bos || id == m.eos) continue;
    if (id < 0 || id >= static_cast<std::int64_t>(m.decoder.size()) || !m.has_id[id])
      throw_bad_input("token ids", "position " + std::to_string(k),
                      "id " + std::to_string(id) + " is not in the vocabulary");
    joined += m.decoder[id];
  }
  std::vector<char32_t> cps;
  std::vector<Origin> origins;
  unicode::decode_utf8_lossy(joined, cps, origins);
  std::string bytes;
  for (char32_t c : cps) {
    auto it = m.byte_decoder.find(c);
    if (it != m.byte_decoder.end()) {
      bytes.push_back(static_cast<char>(it->second));
    } else {
      unicode::append_utf8(c, bytes);
    }
  }
  std::string text;
  for (std::size_t p = 0; p < bytes.size();) {
    if (bytes.compare(p, 4, kWordEnd) == 0) {
      text.push_back(' ');
      p += 4;
    } else {
      text.push_back(bytes[p++]);
    }
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  // Tokens can split a multi-byte character; show the broken bytes as U+FFFD like errors="replace".
  cps.clear();
  origins.clear();
  unicode::decode_utf8_lossy(text, cps, origins);
  return unicode::to_utf8(std::u32string(cps.begin(), cps.end()));
}

std::int64_t ClipTokenizer::bos_id() const { return impl_->bos; }
std::int64_t ClipTokenizer::eos_id() const { return impl_->eos; }
std::int64_t ClipTokenizer::pad_id() const { return impl_->pad; }
int ClipTokenizer::model_max_length() const { return impl_->max_length; }
std::size_t ClipTokenizer::vocab_size() const { return impl_->count; }

std::int64_t ClipTokenizer::id_limit() const { return static_cast<std::int64_t>(impl_->decoder.size()); }

ClipTokenizer ClipTokenizer::with_added_tokens(
    const std::vector<std::pair<std::string, std::int64_t>>& tokens) const {
  auto impl = std::make_shared<Impl>(*impl_);
  for (const auto& [content, id] : tokens) {
    const std::u32string text = utf32(content);
    if (text.empty()) throw_bad_input("tokenizer", "added token", "is empty");
    if (id < 0) throw_bad_input("tokenizer", "added token " + content, "has a negative id");
    if (id < static_cast<std::int64_t>(impl->decoder.size()) && impl->has_id[id])
      throw_bad_input("tokenizer", "added token " + content,
                      "id " + std::to_string(id) + " is taken by \"" + impl->decoder[id] + "\"");
    for (const auto& a : impl->added)
      if (a.first == text) throw_bad_input("tokenizer", "added token " + content, "is already a token");
    if (impl->encoder.count(content))
      throw_bad_input("tokenizer", "added token " + content, "is already in the vocabulary");
    impl->added.emplace_back(text, id);
    if (id >= static_cast<std::int64_t>(impl->decoder.size())) {
      impl->decoder.resize(id + 1);
      impl->has_id.resize(id + 1, false);
    }
    impl->decoder[id] = content;
    impl->has_id[id] = true;
    ++impl->count;
  }
  return ClipTokenizer(std::move(impl));
}

std::string ClipTokenizer::token_of(std::int64_t id) const {
  const Impl& m = *impl_;
  if (id < 0 || id >= static_cast<std::int64_t>(m.decoder.size()) || !m.has_id[id])
    throw_bad_input("token ids", "id " + std::to_string(id), "is not in the vocabulary");
  return m.decoder[id];
}

}  // namespace storyscope
