#include "common/option_docs.h"

#include <sstream>
#include <vector>

#include <boost/program_options/value_semantic.hpp>

namespace po = boost::program_options;

namespace item2vec {
namespace {

// --help and --config describe the command line itself, not a setting.
bool IsSetting(const po::option_description& o) {
  return o.long_name() != "help" && o.long_name() != "config";
}

struct Shown {
  bool takes_value = false;
  bool has_default = false;
  std::string value;  // the default as --help shows it
};

// What --help prints after the name: "arg (=100)", "[=arg(=required)] (=no)", "" (a switch).
Shown DefaultOf(const po::option_description& o) {
  Shown s;
  const std::string p = o.format_parameter();
  s.takes_value = !p.empty() && o.semantic()->max_tokens() > 0;
  const auto at = p.rfind("(=");
  if (at != std::string::npos && p.back() == ')' && (at == 0 || p[at - 1] == ' ')) {
    s.has_default = true;
    s.value = p.substr(at + 2, p.size() - at - 3);
  }
  return s;
}

std::string MarkdownCell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

// Words of `text` as "# "-comment lines of at most `width` characters.
std::string Comment(const std::string& text, std::size_t width) {
  std::istringstream in(text);
  std::string word, line, out;
  while (in >> word) {
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += "# " + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out += "# " + line + "\n";
  return out;
}

}  // namespace

std::string OptionsMarkdown(const std::vector<OptionGroup>& groups) {
  std::string out;
  for (const OptionGroup& group : groups) {
    std::string rows;
    for (const auto& o : group.options.options()) {
      if (!IsSetting(*o)) continue;
      const Shown d = DefaultOf(*o);
      const std::string value = d.has_default ? "`" + d.value + "`" : d.takes_value ? "—" : "off";
      rows += "| `--" + o->long_name() + "` | " + MarkdownCell(value) + " | " + MarkdownCell(o->description()) + " |\n";
    }
    if (rows.empty()) continue;
    out += "#### " + group.caption + "\n\n| option | default | meaning |\n|---|---|---|\n" + rows + "\n";
  }
  return out;
}

std::string OptionsIni(const std::vector<OptionGroup>& groups, const std::string& header) {
  std::string out = Comment(header, 94);
  for (const OptionGroup& group : groups) {
    std::string entries;
    for (const auto& o : group.options.options()) {
      if (!IsSetting(*o)) continue;
      const Shown d = DefaultOf(*o);
      entries += Comment(o->description(), 94);
      // A default shown as words ("bf16, fp32 with --deterministic") is no value to set.
      if (!d.takes_value)
        entries += o->long_name() + " = false\n";
      else if (d.has_default && d.value.find(' ') == std::string::npos)
        entries += o->long_name() + " = " + d.value + "\n";
      else
        entries += "# " + o->long_name() + " =" + (d.has_default ? " (" + d.value + ")" : std::string()) + "\n";
    }
    if (!entries.empty()) out += "\n# --- " + group.caption + " ---\n" + entries;
  }
  return out;
}

}  // namespace item2vec
