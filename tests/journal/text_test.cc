// Text forms (journal/src/text.cc): JSON string quoting of arbitrary bytes,
// Base64, and values as JSON, as docs/cli.md ("JSON output") specifies them.
// Well-formed UTF-8 follows the Unicode standard's table of well-formed byte
// sequences (Table 3-7); Base64 follows RFC 4648.
#include "journaldb/journal/text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

namespace journaldb::text {
namespace {

using namespace std::string_literals;

// Input bytes, the expected quoted form, and what the input exemplifies.
struct QuoteCase {
  std::string in;
  const char* out;
  const char* what;
};

TEST(TextJsonQuote, PlainTextIsOnlyQuoted) {
  EXPECT_EQ(JsonQuote(""), R"("")");
  EXPECT_EQ(JsonQuote("milk and honey 42"), R"("milk and honey 42")");
  EXPECT_EQ(JsonQuote("/'"), R"("/'")") << "neither needs escaping in JSON";
}

TEST(TextJsonQuote, QuoteAndBackslashAreEscaped) {
  EXPECT_EQ(JsonQuote(R"(say "hi" \o/)"), R"("say \"hi\" \\o/")");
}

TEST(TextJsonQuote, ControlCharactersAreEscaped) {
  EXPECT_EQ(JsonQuote("a\nb\rc\td"), R"("a\nb\rc\td")");
  // The others (and DEL) as \u00XX with lower-case hex.
  EXPECT_EQ(JsonQuote("\0"s), R"("\u0000")");
  EXPECT_EQ(JsonQuote("\x01\x08\x0c\x1f"), R"("\u0001\u0008\u000c\u001f")");
  EXPECT_EQ(JsonQuote("\x7f"), R"("\u007f")");
  EXPECT_EQ(JsonQuote("x\0y"s), R"("x\u0000y")") << "NUL does not end the string";
}

TEST(TextJsonQuote, WellFormedUtf8PassesThrough) {
  // One of each sequence length, and the ends of the ranges Table 3-7 allows.
  for (std::string s : {"\xc2\x80"s,           // U+0080, lowest two-byte
                        "\xc3\xa9"s,           // e acute
                        "\xdf\xbf"s,           // U+07FF
                        "\xe0\xa0\x80"s,       // U+0800, lowest three-byte
                        "\xe2\x82\xac"s,       // euro sign
                        "\xed\x9f\xbf"s,       // U+D7FF, just below the surrogates
                        "\xee\x80\x80"s,       // U+E000, just above them
                        "\xef\xbf\xbd"s,       // U+FFFD
                        "\xf0\x90\x80\x80"s,   // U+10000, lowest four-byte
                        "\xf0\x9f\x98\x80"s,   // an emoji
                        "\xf4\x8f\xbf\xbf"s})  // U+10FFFF, the highest code point
    EXPECT_EQ(JsonQuote(s), "\"" + s + "\"") << ::testing::PrintToString(s);
}

TEST(TextJsonQuote, BytesThatAreNotUtf8AreEscapedOneByOne) {
  const QuoteCase cases[] = {
      {"\x80", R"("\u0080")", "lone continuation byte"},
      {"\xff\xfe", R"("\u00ff\u00fe")", "bytes that never occur in UTF-8"},
      {"\xc3", R"("\u00c3")", "lead byte at the end"},
      {"\xe2\x82", R"("\u00e2\u0082")", "three-byte sequence cut short"},
      {"\xc3"
       "A",
       R"("\u00c3A")", "lead byte followed by ASCII"},
      {"\xf0\x9f\x98", R"("\u00f0\u009f\u0098")", "four-byte sequence cut short"},
      {"a\xe9z", R"("a\u00e9z")", "Latin-1 e acute"},
  };
  for (const QuoteCase& c : cases) EXPECT_EQ(JsonQuote(c.in), c.out) << c.what;
}

TEST(TextJsonQuote, IllFormedSequencesWithValidShapeAreEscaped) {
  // These have a lead byte followed by the right number of continuation
  // bytes, but Unicode forbids them: the output must still be valid UTF-8
  // (RFC 8259 section 8.1), so each byte is escaped.
  const QuoteCase cases[] = {
      {"\xc0\x80", R"("\u00c0\u0080")", "overlong NUL (C0 80)"},
      {"\xc1\xbf", R"("\u00c1\u00bf")", "overlong two-byte (C1 lead)"},
      {"\xe0\x80\x80", R"("\u00e0\u0080\u0080")", "overlong three-byte"},
      {"\xe0\x9f\xbf", R"("\u00e0\u009f\u00bf")", "overlong U+07FF"},
      {"\xed\xa0\x80", R"("\u00ed\u00a0\u0080")", "high surrogate U+D800"},
      {"\xed\xbf\xbf", R"("\u00ed\u00bf\u00bf")", "low surrogate U+DFFF"},
      {"\xf0\x80\x80\x80", R"("\u00f0\u0080\u0080\u0080")", "overlong four-byte"},
      {"\xf0\x8f\xbf\xbf", R"("\u00f0\u008f\u00bf\u00bf")", "overlong U+FFFF"},
      {"\xf4\x90\x80\x80", R"("\u00f4\u0090\u0080\u0080")", "U+110000, above the last code point"},
      {"\xf5\x80\x80\x80", R"("\u00f5\u0080\u0080\u0080")", "F5 lead byte"},
      {"\xf7\xbf\xbf\xbf", R"("\u00f7\u00bf\u00bf\u00bf")", "F7 lead byte"},
  };
  for (const QuoteCase& c : cases) EXPECT_EQ(JsonQuote(c.in), c.out) << c.what;
}

TEST(TextJsonQuote, AValidSequenceAfterAnInvalidByteIsKept) {
  EXPECT_EQ(JsonQuote("\xe2\xc3\xa9"), "\"\\u00e2\xc3\xa9\"");
}

TEST(TextIsValidUtf8, AcceptsWellFormedTextAndRejectsAnyIllFormedByte) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xbf\xc3\xbe"));      // "ÿþ"
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));      // U+1F600
  EXPECT_FALSE(IsValidUtf8("\xff\xfe"));
  EXPECT_FALSE(IsValidUtf8("ok\xc3"));                 // truncated at the end
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));              // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));          // a surrogate
}

TEST(TextJsonString, Utf8IsAQuotedStringAndAnythingElseTaggedBase64) {
  EXPECT_EQ(JsonString("a\"b"), R"("a\"b")");
  EXPECT_EQ(JsonString("\xc3\xbf\xc3\xbe"), "\"\xc3\xbf\xc3\xbe\"");
  EXPECT_EQ(JsonString("\xff\xfe"), R"({"base64":"//4="})");
  EXPECT_NE(JsonString("\xff\xfe"), JsonString("\xc3\xbf\xc3\xbe"));
}

TEST(TextQuoted, IsTheJsonQuotedForm) {
  EXPECT_EQ(Quoted("my key"), R"("my key")");
  EXPECT_EQ(Quoted("\x01"), R"("\u0001")");
}

TEST(TextBase64, Rfc4648TestVectors) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
}

TEST(TextBase64, HighBytesUseTheStandardAlphabet) {
  // ff fe fd = 111111 111111 111011 111101 = 63 63 59 61 = "/" "/" "7" "9".
  EXPECT_EQ(Base64("\xff\xfe\xfd"), "//79");
  // fb ff = 111110 111111 1111(00) = 62 63 60 = "+" "/" "8", then padding.
  EXPECT_EQ(Base64("\xfb\xff"), "+/8=");
  EXPECT_EQ(Base64("\0"s), "AA==");
  EXPECT_EQ(Base64("\0\0\0"s), "AAAA");
}

TEST(TextValueToJson, ScalarsAreJsonLiterals) {
  EXPECT_EQ(ValueToJson(Value::Null()), "null");
  EXPECT_EQ(ValueToJson(Value::Bool(true)), "true");
  EXPECT_EQ(ValueToJson(Value::Bool(false)), "false");
  EXPECT_EQ(ValueToJson(Value::Int(42)), "42");
  EXPECT_EQ(ValueToJson(Value::Int(0)), "0");
  EXPECT_EQ(ValueToJson(Value::Int(std::numeric_limits<int64_t>::min())),
            "-9223372036854775808");
  EXPECT_EQ(ValueToJson(Value::Int(std::numeric_limits<int64_t>::max())),
            "9223372036854775807");
}

TEST(TextValueToJson, WholeDoublesKeepAFractionSoTheyReadBackAsDoubles) {
  EXPECT_EQ(ValueToJson(Value::Double(1.0)), "1.0");
  EXPECT_EQ(ValueToJson(Value::Double(-2.0)), "-2.0");
  EXPECT_EQ(ValueToJson(Value::Double(100.0)), "100.0");
  EXPECT_EQ(ValueToJson(Value::Double(0.0)), "0.0");
  EXPECT_EQ(ValueToJson(Value::Double(-0.0)), "-0.0");
  EXPECT_EQ(ValueToJson(Value::Double(1.5)), "1.5");
  EXPECT_EQ(ValueToJson(Value::Double(0.1)), "0.1") << "shortest form that reads back";
}

TEST(TextValueToJson, FiniteDoublesReadBackExactlyAndLookLikeDoubles) {
  const double samples[] = {1e300,
                            -1e-300,
                            123456789.125,
                            0.30000000000000004,
                            std::numeric_limits<double>::max(),
                            std::numeric_limits<double>::min(),
                            std::numeric_limits<double>::denorm_min(),
                            9007199254740993.0,
                            1e16,
                            1e15};
  for (double d : samples) {
    std::string json = ValueToJson(Value::Double(d));
    EXPECT_NE(json.find_first_of(".eE"), std::string::npos) << json;
    EXPECT_EQ(std::strtod(json.c_str(), nullptr), d) << json;
  }
  EXPECT_EQ(ValueToJson(Value::Double(1e300)), "1e+300");
}

TEST(TextValueToJson, NonFiniteDoublesAreTaggedObjects) {
  EXPECT_EQ(ValueToJson(Value::Double(std::nan(""))), R"({"double":"nan"})");
  EXPECT_EQ(ValueToJson(Value::Double(-std::nan(""))), R"({"double":"nan"})");
  EXPECT_EQ(ValueToJson(Value::Double(INFINITY)), R"({"double":"inf"})");
  EXPECT_EQ(ValueToJson(Value::Double(-INFINITY)), R"({"double":"-inf"})");
}

TEST(TextValueToJson, StringsAreQuotedAndBytesAreTaggedBase64) {
  EXPECT_EQ(ValueToJson(Value::String("a\"b")), R"("a\"b")");
  // Not UTF-8: base64 under a tag of its own, so neither "\u00ff" (the text
  // U+00FF) nor {"bytes":...} (a bytes value) can be taken for it.
  EXPECT_EQ(ValueToJson(Value::String("a\"b\xff")), R"({"base64":"YSJi/w=="})");
  EXPECT_EQ(ValueToJson(Value::String("")), R"("")");
  EXPECT_EQ(ValueToJson(Value::BytesValue("foo")), R"({"bytes":"Zm9v"})");
  EXPECT_EQ(ValueToJson(Value::BytesValue("")), R"({"bytes":""})");
}

}  // namespace
}  // namespace journaldb::text
