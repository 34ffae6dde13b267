// Display names for items from a delimited file: MovieLens' movies.csv (movieId,title,
// genres; comma, quoted, header), ml-100k's u.item (pipe-separated, no header, latin-1),
// or any other table of ids and titles.
//
// Contract:
// - Read with prep's reader (common/delimited_reader.h) and the same options as prep:
//   --name-delimiter (auto: '::', tab, comma, ';', '|' from the first line), --name-quote
//   (one character or none), --name-header (yes, no, auto = yes when a column is given by
//   name), and --name-columns ID,TITLE, each a header name or a 1-based position
//   (common/column_spec.h).
// - Titles are returned in UTF-8: with encoding "auto" a file holding any byte sequence
//   that is not valid UTF-8 is read as latin-1 (ISO-8859-1, each byte its code point);
//   "latin-1" always converts, "utf-8" never does (bytes pass through).
// - Maps id -> title; a duplicate id keeps the first title; blank lines are skipped. A
//   record with too few fields, an unterminated quote or an over-long line is an error
//   naming "path:line"; a missing column names the header; a missing file is kNotFound.
#pragma once

#include <string>
#include <unordered_map>

#include "common/status.h"

namespace item2vec {

using NameMap = std::unordered_map<std::string, std::string>;

struct NameFileOptions {
  std::string columns = "movieId,title";  // ID,TITLE: header names or 1-based positions
  std::string delimiter = "auto";
  std::string quote = "\"";               // one character, or "none"
  std::string header = "auto";            // yes, no, auto
  std::string encoding = "auto";          // auto, utf-8, latin-1
};

Result<NameMap> ReadNames(const std::string& path, const NameFileOptions& options);

}  // namespace item2vec
