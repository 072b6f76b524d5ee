#include "core/text/unicode.h"

#include <algorithm>

#include "core/text/unicode_tables.h"

namespace storyscope::unicode {
namespace t = unicode_tables;

namespace {

std::uint8_t run_value(const t::ClassRun* runs, std::size_t count, char32_t cp) {
  const t::ClassRun* end = runs + count;
  auto it = std::upper_bound(runs, end, cp, [](char32_t c, const t::ClassRun& r) { return c < r.start; });
  return it == runs ? 0 : (it - 1)->value;
}

bool in_ranges(const t::CpRange* ranges, std::size_t count, char32_t cp) {
  const t::CpRange* end = ranges + count;
  auto it = std::upper_bound(ranges, end, cp, [](char32_t c, const t::CpRange& r) { return c < r.first; });
  return it != ranges && cp <= (it - 1)->last;
}

constexpr char32_t kHangulSBase = 0xAC00, kHangulLBase = 0x1100, kHangulVBase = 0x1161, kHangulTBase = 0x11A7;
constexpr int kHangulLCount = 19, kHangulVCount = 21, kHangulTCount = 28;
constexpr int kHangulNCount = kHangulVCount * kHangulTCount, kHangulSCount = kHangulLCount * kHangulNCount;

// Full canonical decomposition; returns the number of code points written (0: none).
int decompose(char32_t cp, char32_t out[4]) {
  if (cp >= kHangulSBase && cp < kHangulSBase + kHangulSCount) {
    const int s = static_cast<int>(cp - kHangulSBase);
    out[0] = kHangulLBase + s / kHangulNCount;
    out[1] = kHangulVBase + (s % kHangulNCount) / kHangulTCount;
    if (s % kHangulTCount == 0) return 2;
    out[2] = kHangulTBase + s % kHangulTCount;
    return 3;
  }
  if (cp < 0xC0) return 0;  // nothing below U+00C0 decomposes
  const t::Decomposition* begin = t::kDecompositions;
  const t::Decomposition* end = begin + t::kDecompositionCount;
  auto it = std::lower_bound(begin, end, cp, [](const t::Decomposition& d, char32_t c) { return d.cp < c; });
  if (it == end || it->cp != cp) return 0;
  std::copy_n(t::kDecompPool + it->offset, it->count, out);
  return it->count;
}

}  // namespace

CharClass char_class(char32_t cp) {
  return static_cast<CharClass>(run_value(t::kClassRuns, t::kClassRunCount, cp));
}

bool is_py_space(char32_t cp) {
  return std::binary_search(t::kPySpaces, t::kPySpaces + t::kPySpaceCount, cp);
}

int combining_class(char32_t cp) { return cp < 0x300 ? 0 : run_value(t::kCccRuns, t::kCccRunCount, cp); }

bool is_case_ignorable(char32_t cp) { return in_ranges(t::kCaseIgnorable, t::kCaseIgnorableCount, cp); }
bool is_cased(char32_t cp) { return in_ranges(t::kCased, t::kCasedCount, cp); }

void append_lower(char32_t cp, std::u32string& out) {
  if (cp < 0x80) {
    out.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    return;
  }
  for (std::size_t i = 0; i < t::kLowerMultiCount; ++i) {
    if (t::kLowerMultis[i].cp == cp) {
      out.append(t::kLowerMultis[i].out, t::kLowerMultis[i].count);
      return;
    }
  }
  const t::LowerRange* begin = t::kLowerRanges;
  const t::LowerRange* end = begin + t::kLowerRangeCount;
  auto it = std::upper_bound(begin, end, cp, [](char32_t c, const t::LowerRange& r) { return c < r.first; });
  if (it != begin) {
    const t::LowerRange& r = *(it - 1);
    if (cp <= r.last && (cp - r.first) % static_cast<char32_t>(r.stride) == 0) {
      out.push_back(static_cast<char32_t>(static_cast<std::int64_t>(cp) + r.delta));
      return;
    }
  }
  out.push_back(cp);
}

std::u32string to_lower(std::u32string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != 0x03A3) {
      append_lower(s[i], out);
      continue;
    }
    // Python's Final_Sigma: a cased letter before (case-ignorables skipped) and none after.
    std::size_t j = i;
    while (j > 0 && is_case_ignorable(s[j - 1])) --j;
    const bool cased_before = j > 0 && is_cased(s[j - 1]);
    std::size_t k = i + 1;
    while (k < s.size() && is_case_ignorable(s[k])) ++k;
    const bool cased_after = k < s.size() && is_cased(s[k]);
    out.push_back(cased_before && !cased_after ? 0x03C2 : 0x03C3);
  }
  return out;
}

char32_t compose_pair(char32_t first, char32_t second) {
  if (first >= kHangulLBase && first < kHangulLBase + kHangulLCount && second >= kHangulVBase &&
      second < kHangulVBase + kHangulVCount) {
    return kHangulSBase + ((first - kHangulLBase) * kHangulVCount + (second - kHangulVBase)) * kHangulTCount;
  }
  if (first >= kHangulSBase && first < kHangulSBase + kHangulSCount &&
      (first - kHangulSBase) % kHangulTCount == 0 && second > kHangulTBase &&
      second < kHangulTBase + kHangulTCount) {
    return first + (second - kHangulTBase);
  }
  const t::Composition* begin = t::kCompositions;
  const t::Composition* end = begin + t::kCompositionCount;
  auto it = std::lower_bound(begin, end, std::make_pair(first, second),
                             [](const t::Composition& c, const std::pair<char32_t, char32_t>& key) {
                               return c.first != key.first ? c.first < key.first : c.second < key.second;
                             });
  if (it == end || it->first != first || it->second != second) return 0;
  return it->composed;
}

void nfc(std::vector<char32_t>& cps, std::vector<Origin>& origins) {
  // ASCII is always NFC; prompts are mostly ASCII, so skip the work for them.
  if (std::all_of(cps.begin(), cps.end(), [](char32_t c) { return c < 0x80; })) return;

  std::vector<char32_t> d;
  std::vector<Origin> dorig;
  d.reserve(cps.size());
  dorig.reserve(cps.size());
  char32_t buf[4];
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const int n = decompose(cps[i], buf);
    if (n == 0) {
      d.push_back(cps[i]);
      dorig.push_back(origins[i]);
    } else {
      for (int k = 0; k < n; ++k) {
        d.push_back(buf[k]);
        dorig.push_back(origins[i]);
      }
    }
  }

  // Canonical ordering: stable sort of each run of non-starters by combining class.
  std::vector<int> ccc(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) ccc[i] = combining_class(d[i]);
  for (std::size_t i = 0; i < d.size();) {
    if (ccc[i] == 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < d.size() && ccc[j] != 0) ++j;
    if (j - i > 1) {
      std::vector<std::size_t> idx(j - i);
      for (std::size_t k = 0; k < idx.size(); ++k) idx[k] = i + k;
      std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return ccc[a] < ccc[b]; });
      std::vector<char32_t> c2;
      std::vector<Origin> o2;
      std::vector<int> k2;
      for (std::size_t k : idx) {
        c2.push_back(d[k]);
        o2.push_back(dorig[k]);
        k2.push_back(ccc[k]);
      }
      std::copy(c2.begin(), c2.end(), d.begin() + i);
      std::copy(o2.begin(), o2.end(), dorig.begin() + i);
      std::copy(k2.begin(), k2.end(), ccc.begin() + i);
    }
    i = j;
  }

  // Canonical composition (UAX #15): a mark composes with the last starter unless blocked.
  cps.clear();
  origins.clear();
  std::size_t starter = SIZE_MAX;
  int last_class = -1;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const char32_t c = d[i];
    const int cc = ccc[i];
    if (starter != SIZE_MAX && (last_class < cc || last_class == 0)) {
      const char32_t composed = compose_pair(cps[starter], c);
      if (composed != 0) {
        cps[starter] = composed;
        origins[starter].begin = std::min(origins[starter].begin, dorig[i].begin);
        origins[starter].end = std::max(origins[starter].end, dorig[i].end);
        continue;
      }
    }
    if (cc == 0) starter = cps.size();
    last_class = cc;
    cps.push_back(c);
    origins.push_back(dorig[i]);
  }
}

std::u32string nfc(std::u32string_view s) {
  std::vector<char32_t> cps(s.begin(), s.end());
  std::vector<Origin> origins(s.size());
  nfc(cps, origins);
  return std::u32string(cps.begin(), cps.end());
}

void decode_utf8_lossy(std::string_view text, std::vector<char32_t>& cps, std::vector<Origin>& origins) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char b = s[i];
    char32_t cp = 0xFFFD;
    std::size_t len = 1;
    if (b < 0x80) {
      cp = b;
    } else {
      std::size_t need = 0;
      char32_t min = 0;
      if (b >= 0xC2 && b <= 0xDF) {
        need = 1, cp = b & 0x1F, min = 0x80;
      } else if (b >= 0xE0 && b <= 0xEF) {
        need = 2, cp = b & 0x0F, min = 0x800;
      } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3, cp = b & 0x07, min = 0x10000;
      }
      bool ok = need > 0;
      for (std::size_t k = 1; ok && k <= need; ++k) {
        if (i + k >= n || (s[i + k] & 0xC0) != 0x80) {
          ok = false;
        } else {
          cp = (cp << 6) | (s[i + k] & 0x3F);
        }
      }
      if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
      if (ok) {
        len = need + 1;
      } else {
        cp = 0xFFFD;
      }
    }
    cps.push_back(cp);
    origins.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + len)});
    i += len;
  }
}

void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string to_utf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) append_utf8(c, out);
  return out;
}

}  // namespace storyscope::unicode
