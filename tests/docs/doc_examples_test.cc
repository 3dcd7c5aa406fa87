// Every code example a reader copies (README.md and docs/*.md ```cpp blocks,
// each public header's opening example) is compiled: examples/ holds them as
// programs that tests/install builds against the installed package. This
// test pins that the text in the docs is the text that compiles: each block
// must name its example file (`<!-- compiled: examples/X.cc -->` on the line
// before a markdown block; examples/headers.cc for headers), and each run of
// non-blank lines of the block must appear there, contiguously and in order
// (leading and trailing spaces ignored).
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = boost::filesystem;
const fs::path kRoot = JOURNALDB_SOURCE_DIR;

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> ReadLines(const fs::path& p) {
  std::ifstream in(p.string());
  EXPECT_TRUE(in.good()) << "cannot read " << p;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Runs of non-blank trimmed lines, split at blank lines.
std::vector<std::vector<std::string>> Runs(const std::vector<std::string>& lines) {
  std::vector<std::vector<std::string>> runs(1);
  for (const std::string& l : lines) {
    std::string t = Trim(l);
    if (t.empty()) {
      if (!runs.back().empty()) runs.emplace_back();
    } else {
      runs.back().push_back(t);
    }
  }
  if (runs.back().empty()) runs.pop_back();
  return runs;
}

// "" if every run of `block` occurs contiguously, in order, in `file`;
// otherwise the first run that does not.
std::string MissingRun(const std::vector<std::string>& block, const fs::path& file) {
  std::vector<std::string> text;
  for (const std::string& l : ReadLines(file)) text.push_back(Trim(l));
  size_t from = 0;
  for (const auto& run : Runs(block)) {
    bool found = false;
    for (size_t i = from; i + run.size() <= text.size() && !found; ++i) {
      if (std::equal(run.begin(), run.end(), text.begin() + static_cast<long>(i))) {
        found = true;
        from = i + run.size();
      }
    }
    if (!found) {
      std::string joined;
      for (const auto& l : run) joined += l + "\n";
      return joined;
    }
  }
  return "";
}

std::vector<fs::path> MarkdownFiles() {
  std::vector<fs::path> files{kRoot / "README.md"};
  for (const auto& e : fs::directory_iterator(kRoot / "docs"))
    if (e.path().extension() == ".md") files.push_back(e.path());
  return files;
}

TEST(DocExamples, EveryMarkdownCppBlockIsInTheExampleItNames) {
  int blocks = 0;
  for (const fs::path& md : MarkdownFiles()) {
    std::vector<std::string> lines = ReadLines(md);
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i] != "```cpp") continue;
      ++blocks;
      const std::string marker = i > 0 ? lines[i - 1] : "";
      const std::string prefix = "<!-- compiled: ";
      ASSERT_EQ(marker.rfind(prefix, 0), 0u)
          << md << ":" << i + 1 << ": a ```cpp block without a '<!-- compiled: examples/X.cc -->' line before it";
      const std::string example = marker.substr(prefix.size(), marker.find(" -->") - prefix.size());
      ASSERT_TRUE(fs::exists(kRoot / example)) << md << ":" << i + 1 << ": " << example << " does not exist";
      std::vector<std::string> block;
      size_t j = i + 1;
      for (; j < lines.size() && lines[j] != "```"; ++j) block.push_back(lines[j]);
      EXPECT_EQ(MissingRun(block, kRoot / example), "")
          << md << ":" << i + 1 << ": these lines are not in " << example;
      i = j;
    }
  }
  EXPECT_GE(blocks, 5) << "the README, api.md and client-reset.md examples were not found";
}

TEST(DocExamples, EveryPublicHeaderOpeningExampleIsInExamplesHeaders) {
  int headers = 0;
  for (const char* component : {"journal", "engine", "recovery"}) {
    for (const auto& e : fs::directory_iterator(kRoot / component / "include" / "journaldb")) {
      if (e.path().extension() != ".h") continue;
      ++headers;
      std::vector<std::string> example;
      for (const std::string& l : ReadLines(e.path())) {
        if (l.rfind("//   ", 0) == 0) {
          example.push_back(l.substr(5));
        } else if (!example.empty() || l.rfind("#", 0) == 0) {
          break;  // the opening comment's first example ends here
        }
      }
      ASSERT_FALSE(example.empty()) << e.path() << " has no usage example in its opening comment";
      EXPECT_EQ(MissingRun(example, kRoot / "examples" / "headers.cc"), "")
          << e.path() << ": its example is not in examples/headers.cc";
    }
  }
  EXPECT_GE(headers, 13);
}

}  // namespace
