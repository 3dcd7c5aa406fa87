#include "json_checker.h"

#include <cstdint>

namespace journaldb::testing {

namespace {

const Json& NullJson() {
  static const Json kNull;
  return kNull;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::optional<Json> Document(std::string* error) {
    Json v;
    SkipSpace();
    bool ok = ParseValue(v, 0);
    SkipSpace();
    if (ok && i_ != s_.size()) ok = Fail("trailing characters after the document");
    if (!ok) {
      if (error) *error = error_;
      return std::nullopt;
    }
    return v;
  }

 private:
  bool Fail(std::string what) {
    if (error_.empty()) error_ = what + " at offset " + std::to_string(i_);
    return false;
  }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return Fail("bad literal");
    i_ += word.size();
    return true;
  }
  bool Digits() {
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start || Fail("expected a digit");
  }

  bool ParseValue(Json& v, int depth) {
    if (depth > 200) return Fail("nesting too deep");
    if (i_ >= s_.size()) return Fail("unexpected end");
    char c = s_[i_];
    if (c == 'n') {
      v.kind = Json::Kind::kNull;
      return Literal("null");
    }
    if (c == 't' || c == 'f') {
      v.kind = Json::Kind::kBool;
      v.boolean = c == 't';
      return Literal(v.boolean ? "true" : "false");
    }
    if (c == '"') {
      v.kind = Json::Kind::kString;
      return ParseString(v.string);
    }
    if (c == '[') return ParseArray(v, depth);
    if (c == '{') return ParseObject(v, depth);
    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(v);
    return Fail(std::string("unexpected character '") + c + "'");
  }

  bool ParseNumber(Json& v) {
    v.kind = Json::Kind::kNumber;
    size_t start = i_;
    if (s_[i_] == '-') ++i_;
    if (i_ < s_.size() && s_[i_] == '0') {
      ++i_;
    } else if (!Digits()) {
      return false;
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (!Digits()) return false;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!Digits()) return false;
    }
    v.number = std::string(s_.substr(start, i_ - start));
    return true;
  }

  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool Hex4(uint32_t& cp) {
    if (i_ + 4 > s_.size()) return Fail("truncated \\u escape");
    cp = 0;
    for (int k = 0; k < 4; ++k) {
      char h = s_[i_++];
      cp <<= 4;
      if (h >= '0' && h <= '9')
        cp |= static_cast<uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f')
        cp |= static_cast<uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        cp |= static_cast<uint32_t>(h - 'A' + 10);
      else
        return Fail("bad hex digit in \\u escape");
    }
    return true;
  }

  // Length of the well-formed UTF-8 sequence at i_, or 0. Written from the
  // Unicode standard's Table 3-7 (valid first byte, then the allowed range
  // of each following byte), which rules out overlong forms, surrogates and
  // code points above U+10FFFF.
  size_t Utf8Length() const {
    struct Row {
      unsigned char lead_low, lead_high;
      size_t length;
      unsigned char second_low, second_high;
    };
    static constexpr Row kTable[] = {
        {0x00, 0x7F, 1, 0, 0},       {0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF},
        {0xE1, 0xEC, 3, 0x80, 0xBF}, {0xED, 0xED, 3, 0x80, 0x9F}, {0xEE, 0xEF, 3, 0x80, 0xBF},
        {0xF0, 0xF0, 4, 0x90, 0xBF}, {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
    };
    auto b = [&](size_t k) { return static_cast<unsigned char>(s_[k]); };
    for (const Row& row : kTable) {
      if (b(i_) < row.lead_low || b(i_) > row.lead_high) continue;
      if (i_ + row.length > s_.size()) return 0;
      if (row.length == 1) return 1;
      if (b(i_ + 1) < row.second_low || b(i_ + 1) > row.second_high) return 0;
      for (size_t k = 2; k < row.length; ++k)
        if (b(i_ + k) < 0x80 || b(i_ + k) > 0xBF) return 0;
      return row.length;
    }
    return 0;
  }

  bool ParseString(std::string& out) {
    ++i_;  // opening quote
    while (true) {
      if (i_ >= s_.size()) return Fail("unterminated string");
      auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return Fail("unescaped control character in string");
      if (c == '\\') {
        if (++i_ >= s_.size()) return Fail("truncated escape");
        char e = s_[i_++];
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            uint32_t cp = 0;
            if (!Hex4(cp)) return false;
            AppendUtf8(out, cp);
            break;
          }
          default:
            return Fail("bad escape");
        }
        continue;
      }
      size_t n = Utf8Length();
      if (n == 0) return Fail("invalid UTF-8 in string");
      out.append(s_.substr(i_, n));
      i_ += n;
    }
  }

  bool ParseArray(Json& v, int depth) {
    v.kind = Json::Kind::kArray;
    ++i_;
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return true;
    }
    while (true) {
      SkipSpace();
      v.items.emplace_back();
      if (!ParseValue(v.items.back(), depth + 1)) return false;
      SkipSpace();
      if (i_ >= s_.size()) return Fail("unterminated array");
      if (s_[i_] == ']') {
        ++i_;
        return true;
      }
      if (s_[i_] != ',') return Fail("expected ',' or ']'");
      ++i_;
    }
  }

  bool ParseObject(Json& v, int depth) {
    v.kind = Json::Kind::kObject;
    ++i_;
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return true;
    }
    while (true) {
      SkipSpace();
      if (i_ >= s_.size() || s_[i_] != '"') return Fail("expected a member name");
      std::string name;
      if (!ParseString(name)) return false;
      SkipSpace();
      if (i_ >= s_.size() || s_[i_] != ':') return Fail("expected ':'");
      ++i_;
      SkipSpace();
      Json value;
      if (!ParseValue(value, depth + 1)) return false;
      v.members.push_back(JsonMember{std::move(name), std::move(value)});
      SkipSpace();
      if (i_ >= s_.size()) return Fail("unterminated object");
      if (s_[i_] == '}') {
        ++i_;
        return true;
      }
      if (s_[i_] != ',') return Fail("expected ',' or '}'");
      ++i_;
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string error_;
};

}  // namespace

const Json* Json::Find(std::string_view key) const {
  if (kind != Kind::kObject) return nullptr;
  for (const auto& [name, value] : members)
    if (name == key) return &value;
  return nullptr;
}

const Json& Json::operator[](std::string_view key) const {
  const Json* v = Find(key);
  return v ? *v : NullJson();
}

const Json& Json::operator[](size_t i) const {
  return kind == Kind::kArray && i < items.size() ? items[i] : NullJson();
}

std::optional<Json> ParseJson(std::string_view text, std::string* error) {
  return Parser(text).Document(error);
}

}  // namespace journaldb::testing
