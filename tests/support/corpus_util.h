// Generated sequence files for the reader and batch tests, with the sentences a correct
// reader must return. Test-only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/input_files.h"
#include "common/random.h"
#include "common/sequence_reader.h"

namespace item2vec::testing {

struct Corpus {
  std::string text;                                // the file's bytes
  std::vector<std::vector<std::string>> sentences;  // one per non-blank line, in order
  std::int64_t tokens = 0;
};

struct CorpusShape {
  int lines = 100;
  int max_items = 20;      // items per non-blank line: 1..max_items
  int max_item_bytes = 12;
  int vocabulary = 0;      // > 0: items are "w<rank>" with a Zipf-like rank below this
};

// Random lines of random lengths: blank and whitespace-only lines, leading and trailing
// blanks, tabs and other whitespace between items, CRLF endings, item bytes >= 0x80, and
// sometimes no newline at the end of the file.
inline Corpus MakeCorpus(std::uint64_t seed, const CorpusShape& shape) {
  Rng rng(seed);
  Corpus c;
  static const char kSeparators[] = {' ', ' ', ' ', '\t', '\v', '\f'};
  auto blanks = [&](int max) {
    std::string s;
    const int n = static_cast<int>(rng.Below(static_cast<std::uint32_t>(max))) + 1;
    for (int i = 0; i < n; ++i) s += kSeparators[rng.Below(sizeof kSeparators)];
    return s;
  };
  for (int line = 0; line < shape.lines; ++line) {
    std::string text;
    const std::uint32_t kind = rng.Below(100);
    if (kind < 5) {
      // empty line
    } else if (kind < 9) {
      text = blanks(4) + (rng.Below(2) ? "\r" : "");
    } else {
      std::vector<std::string> items;
      const int n = 1 + static_cast<int>(rng.Below(static_cast<std::uint32_t>(shape.max_items)));
      if (rng.Below(5) == 0) text += blanks(3);
      for (int i = 0; i < n; ++i) {
        std::string item;
        if (shape.vocabulary > 0) {
          const double u = rng.UniformDouble();
          item = "w" + std::to_string(static_cast<int>(u * u * shape.vocabulary));
        } else {
          const int len = 1 + static_cast<int>(rng.Below(static_cast<std::uint32_t>(shape.max_item_bytes)));
          for (int b = 0; b < len; ++b) {
            const std::uint32_t r = rng.Below(100);
            char ch;
            if (r < 70) ch = static_cast<char>('a' + rng.Below(26));
            else if (r < 85) ch = static_cast<char>('0' + rng.Below(10));
            else if (r < 92) ch = "_-.:/#\"'"[rng.Below(8)];
            else ch = static_cast<char>(0x80 + rng.Below(128));  // not UTF-8 on its own
            item += ch;
          }
        }
        if (i > 0) text += blanks(3);
        text += item;
        items.push_back(std::move(item));
      }
      if (rng.Below(10) == 0) text += blanks(2);
      c.tokens += static_cast<std::int64_t>(items.size());
      c.sentences.push_back(std::move(items));
    }
    c.text += text;
    const bool last = line + 1 == shape.lines;
    if (!last || rng.Below(2) == 0) c.text += rng.Below(10) < 3 ? "\r\n" : "\n";
  }
  return c;
}

struct ReadResult {
  std::vector<std::vector<std::string>> sentences;
  ReaderStats stats;
  Status status;
};

inline void ReadRest(SequenceReader* reader, ReadResult* out) {
  std::vector<std::string_view> items;
  while (reader->Next(&items)) out->sentences.emplace_back(items.begin(), items.end());
  out->stats = reader->stats();
  out->status = reader->status();
}

inline ReadResult ReadShard(const std::vector<InputFile>& files, int shard, int num_shards,
                            std::int64_t max_sentence = 1000) {
  SequenceReader reader(files, ShardRanges(files, shard, num_shards), max_sentence);
  ReadResult r;
  ReadRest(&reader, &r);
  return r;
}

}  // namespace item2vec::testing
