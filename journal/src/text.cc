#include "journaldb/journal/text.h"

#include <fmt/format.h>

#include <cmath>

namespace journaldb::text {

namespace {
// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if there
// is none. Follows the Unicode standard's Table 3-7: besides the lead and
// continuation bit patterns, the second byte's range excludes overlong forms
// (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points
// above U+10FFFF (F4 90..BF, F5..FF), none of which a JSON reader accepts.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned char second_low = 0x80, second_high = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) second_low = 0xA0;
    if (c == 0xED) second_high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) second_low = 0x90;
    if (c == 0xF4) second_high = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < second_low || b(i + 1) > second_high) return 0;
  for (size_t k = 2; k < n; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  return n;
}
}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string JsonString(std::string_view s) {
  if (IsValidUtf8(s)) return JsonQuote(s);
  return fmt::format(R"({{"base64":"{}"}})", Base64(s));
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\u{:04x}", c);
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += fmt::format("\\u{:04x}", c);
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  out.push_back('"');
  return out;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = at(i) << 16;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t n = (at(i) << 16) | (at(i + 1) << 8);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out += "=";
  }
  return out;
}

std::string ValueToJson(const Value& v) {
  switch (v.type()) {
    case ValueType::kNull: return "null";
    case ValueType::kBool: return v.as_bool() ? "true" : "false";
    case ValueType::kInt: return fmt::format("{}", v.as_int());
    case ValueType::kDouble: {
      double d = v.as_double();
      if (std::isnan(d)) return R"({"double":"nan"})";
      if (std::isinf(d)) return d > 0 ? R"({"double":"inf"})" : R"({"double":"-inf"})";
      std::string s = fmt::format("{}", d);
      // Keep doubles recognisable as doubles when read back (1.0, not 1).
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      return s;
    }
    case ValueType::kString: return JsonString(v.as_string());
    case ValueType::kBytes: return fmt::format(R"({{"bytes":"{}"}})", Base64(v.as_bytes()));
    case ValueType::kList: {
      // The present elements with their ids, which list ops name.
      std::string s = R"({"list":[)";
      bool first = true;
      for (const ListElement& e : v.as_list().elements) {
        if (e.removed) continue;
        if (!first) s += ',';
        first = false;
        s += fmt::format(R"({{"id":"{}","value":{}}})", e.id.ToString(), ValueToJson(e.value));
      }
      return s + "]}";
    }
  }
  return "null";
}

}  // namespace journaldb::text
