// option_table_gen: turns a command's option table (a .opt data file) into the C++ that
// registers those options with Boost.Program_options, at build time (as GCC builds its
// option handling from its .opt files). The table is the one place where an option's name,
// bound field, default and help text are written; --help, docs/commands/*.md and
// configs/default.ini all come from the registration this program writes.
//
// Usage: option_table_gen TABLE.opt OUTPUT.cc   (exit 1 with "TABLE:LINE: why" on a bad table)
//
// The table, line by line (blank lines and lines starting with '#' are skipped):
//   include PATH           the generated file includes "PATH" (the header declaring the function)
//   groups NAME(PARAMS)    defines std::vector<OptionGroup> NAME(PARAMS) (common/option_table.h):
//                          every `group` line starts a group of options under its caption
//   adds NAME(PARAMS)      defines void NAME(boost::program_options::options_description* options,
//                          PARAMS), adding every row to *options (no `group` lines)
//   command CMD NAME(PARAMS)  defines Command NAME(PARAMS) (common/command.h): the wiring of
//                          `item2vec CMD`, its rows added to the Command's options (no `group`)
//   usage                  (command tables) --help's text before the options: the lines after it
//                          that start, indented, with "|"; each is the text after "| ", one line
//   required NAME WHY      (command tables) --NAME must be given: "--NAME is required: WHY"
//   group CAPTION          a new group, printed by --help under CAPTION
//   call FUNC(ARGS)        a shared row (common/shared_options.h): FUNC(&group, ARGS);
//   option NAME[,S] VAR [FLAGS]  an option bound to the C++ lvalue VAR; FLAGS, in any order:
//       switch             a bool_switch (off unless given)
//       multitoken composing   as Boost's flags of the same names
//       default            shows and starts from VAR's value at registration
//       default(EXPR)      starts from EXPR instead
//       shown(EXPR)        with default: --help shows EXPR (a string) as the default
//       implicit(EXPR)     the value of the bare option (--resume)
//       given(FLAG)        sets the bool lvalue FLAG when the option is given (a notifier)
//     followed by its help text on indented lines, joined with single spaces.
// One function a table; the generated file is a normal translation unit of its target
// (item2vec_option_table in common/CMakeLists.txt).
#include <cctype>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Row {
  std::string kind;  // "option", "call" or "group"
  std::string text;  // option: NAME; call: FUNC(ARGS); group: CAPTION
  std::string var;
  std::vector<std::string> flags;  // "switch", "default(EXPR)", ...
  std::string help;
};

struct Table {
  std::vector<std::string> includes;
  std::string form;       // "groups", "adds" or "command"
  std::string signature;  // NAME(PARAMS)
  std::string command;    // command tables: the word after `item2vec`
  std::string usage;
  std::vector<std::pair<std::string, std::string>> required;  // option, why
  std::vector<Row> rows;
};

struct BadTable {
  int line;
  std::string why;
};

// The next whitespace-separated token of `s` from *at; a "(" inside it runs to its matching
// ")", string literals included, so `shown("a, b")` is one token.
std::string NextToken(const std::string& s, std::size_t* at) {
  std::size_t i = *at;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  const std::size_t start = i;
  int depth = 0;
  char quote = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (quote != 0) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (depth == 0 && std::isspace(static_cast<unsigned char>(c))) {
      break;
    }
  }
  *at = i;
  return s.substr(start, i - start);
}

std::string Trim(const std::string& s) {
  const std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

Row ParseOptionLine(const std::string& rest, int line) {
  Row row{"option", "", "", {}, ""};
  std::size_t at = 0;
  row.text = NextToken(rest, &at);
  row.var = NextToken(rest, &at);
  if (row.text.empty() || row.var.empty()) throw BadTable{line, "option wants NAME and VAR"};
  for (std::string flag = NextToken(rest, &at); !flag.empty(); flag = NextToken(rest, &at)) {
    const std::string word = flag.substr(0, flag.find('('));
    if (word != "switch" && word != "multitoken" && word != "composing" && word != "default" &&
        word != "shown" && word != "implicit" && word != "given")
      throw BadTable{line, "unknown flag '" + flag + "'"};
    row.flags.push_back(flag);
  }
  return row;
}

Table ReadTable(std::istream& in) {
  Table t;
  std::string raw;
  for (int line = 1; std::getline(in, raw); ++line) {
    if (Trim(raw).empty() || Trim(raw)[0] == '#') continue;
    if (std::isspace(static_cast<unsigned char>(raw[0])) && Trim(raw)[0] == '|') {  // a usage line
      if (t.form != "command") throw BadTable{line, "usage lines outside a command table"};
      t.usage += Trim(raw).substr(Trim(raw).size() > 1 ? 2 : 1) + "\n";
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(raw[0]))) {  // help text of the option above
      if (t.rows.empty() || t.rows.back().kind != "option") throw BadTable{line, "text outside an option"};
      std::string& help = t.rows.back().help;
      help += (help.empty() ? "" : " ") + Trim(raw);
      continue;
    }
    const std::size_t space = raw.find(' ');
    const std::string word = raw.substr(0, space);
    const std::string rest = space == std::string::npos ? "" : Trim(raw.substr(space + 1));
    if (word == "include") t.includes.push_back(rest);
    else if (word == "groups" || word == "adds") t.form = word, t.signature = rest;
    else if (word == "command") t.form = word, t.command = rest.substr(0, rest.find(' ')),
                                t.signature = Trim(rest.substr(rest.find(' ') + 1));
    else if (word == "usage") continue;
    else if (word == "required") t.required.push_back({rest.substr(0, rest.find(' ')),
                                                       Trim(rest.substr(rest.find(' ') + 1))});
    else if (word == "group" || word == "call") t.rows.push_back({word, rest, "", {}, ""});
    else if (word == "option") t.rows.push_back(ParseOptionLine(rest, line));
    else throw BadTable{line, "unknown line '" + word + "'"};
    if (t.form != "groups" && word == "group") throw BadTable{line, "group in a table without groups"};
    if (t.form.empty() && (word == "option" || word == "call" || word == "group"))
      throw BadTable{line, "rows before the `groups` or `adds` line"};
    if (t.form == "groups" && (word == "option" || word == "call") && t.rows.size() == 1)
      throw BadTable{line, "a row before the first `group` line"};
  }
  if (t.form.empty()) throw BadTable{0, "no `groups` or `adds` line"};
  return t;
}

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out + "\"";
}

// The argument of flag `word(ARG)`, or `fallback` when the flag is bare; "" when it is absent.
std::string FlagArgument(const Row& row, const std::string& word, const std::string& fallback) {
  for (const std::string& flag : row.flags) {
    if (flag == word) return fallback;
    if (flag.rfind(word + "(", 0) == 0) return flag.substr(word.size() + 1, flag.size() - word.size() - 2);
  }
  return "";
}

// The value semantic of an option row: po::value(&VAR)->... or po::bool_switch(&VAR).
std::string Semantic(const Row& row) {
  if (!FlagArgument(row, "switch", "1").empty()) return "po::bool_switch(&" + row.var + ")";
  std::string s = "po::value(&" + row.var + ")";
  if (!FlagArgument(row, "multitoken", "1").empty()) s += "->multitoken()";
  if (!FlagArgument(row, "composing", "1").empty()) s += "->composing()";
  const std::string implicit = FlagArgument(row, "implicit", "");
  if (!implicit.empty()) s += "->implicit_value(" + implicit + ")";
  const std::string start = FlagArgument(row, "default", row.var);
  const std::string shown = FlagArgument(row, "shown", "");
  if (!start.empty()) s += "->default_value(" + start + (shown.empty() ? "" : ", " + shown) + ")";
  const std::string given = FlagArgument(row, "given", "");
  if (!given.empty()) s += "->notifier([=](const auto&) { " + given + " = true; })";
  return s;
}

void WriteBody(const Table& t, std::ostream& out) {
  const std::string target = t.form == "groups" ? "&groups.back().options" : t.form == "adds" ? "options"
                                                                                            : "&command.options";
  for (const Row& row : t.rows) {
    if (row.kind == "group") {
      out << "  groups.push_back({" << Quoted(row.text) << ", po::options_description(" << Quoted(row.text)
          << ")});\n";
    } else if (row.kind == "call") {
      const std::size_t open = row.text.find('(');
      const bool no_args = row.text.compare(open, std::string::npos, "()") == 0;
      out << "  " << row.text.substr(0, open + 1) << target << (no_args ? "" : ", ") << row.text.substr(open + 1)
          << ";\n";
    } else {
      out << "  (" << target << ")->add_options()(" << Quoted(row.text) << ", " << Semantic(row) << ",\n      "
          << Quoted(row.help) << ");\n";
    }
  }
}

void WriteSource(const Table& t, const std::string& table_path, std::ostream& out) {
  out << "// Generated by option_table_gen from " << table_path << ": edit the table, not this file.\n"
      << "#include <boost/program_options.hpp>\n\n#include \"common/option_table.h\"\n";
  if (t.form == "command") out << "#include \"common/command.h\"\n";
  for (const std::string& include : t.includes) out << "#include \"" << include << "\"\n";
  out << "\nnamespace po = boost::program_options;\n\nnamespace item2vec {\n\n";
  if (t.form == "groups") {
    out << "std::vector<OptionGroup> " << t.signature << " {\n  std::vector<OptionGroup> groups;\n";
    WriteBody(t, out);
    out << "  return groups;\n}\n";
  } else if (t.form == "command") {
    out << "Command " << t.signature << " {\n  Command command(" << Quoted(t.command) << ", " << Quoted(t.usage)
        << ");\n";
    WriteBody(t, out);
    for (const auto& [option, why] : t.required)
      out << "  command.required.push_back({" << Quoted(option) << ", " << Quoted(why) << "});\n";
    out << "  return command;\n}\n";
  } else {
    const std::size_t open = t.signature.find('(');
    const bool no_params = t.signature.compare(open, std::string::npos, "()") == 0;
    out << "void " << t.signature.substr(0, open + 1) << "po::options_description* options"
        << (no_params ? "" : ", ") << t.signature.substr(open + 1) << " {\n";
    WriteBody(t, out);
    out << "}\n";
  }
  out << "\n}  // namespace item2vec\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: option_table_gen TABLE.opt OUTPUT.cc\n";
    return 1;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << argv[1] << ": cannot read\n";
    return 1;
  }
  std::ostringstream source;
  try {
    WriteSource(ReadTable(in), argv[1], source);
  } catch (const BadTable& bad) {
    std::cerr << argv[1] << ":" << bad.line << ": " << bad.why << "\n";
    return 1;
  }
  std::ofstream out(argv[2]);
  out << source.str();
  return out.good() ? 0 : 1;
}
