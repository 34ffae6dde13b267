#include "tools/tune/tune_space.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace item2vec {

namespace {

bool ParseDouble(const std::string& text, double* out) {
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size() && std::isfinite(*out);
}

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

std::string FormatTuneNumber(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return buf;
}

std::string SettingValue(const TuneSettings& settings, const std::string& name) {
  for (const auto& [key, value] : settings)
    if (key == name) return value;
  return "";
}

void SetSetting(TuneSettings* settings, const std::string& name, const std::string& value) {
  for (auto& [key, v] : *settings)
    if (key == name) {
      v = value;
      return;
    }
  settings->emplace_back(name, value);
}

Result<TuneSpace> TuneSpace::Parse(const std::string& text, const std::string& source) {
  TuneSpace space;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    const std::string where = source + ":" + std::to_string(number) + ": ";
    const auto eq = line.find('=');
    if (eq == std::string::npos) return Status::InvalidArgument(where + "expected `name = KIND ARGS`");
    TuneParam p;
    p.name = Trim(line.substr(0, eq));
    if (p.name.empty()) return Status::InvalidArgument(where + "empty option name");
    if (space.Has(p.name)) return Status::InvalidArgument(where + "'" + p.name + "' appears twice");
    std::istringstream words(line.substr(eq + 1));
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    if (w.size() >= 2 && w[w.size() - 2] == "or") {
      p.has_or = true;
      p.or_value = w.back();
      w.resize(w.size() - 2);
    }
    if (w.empty()) return Status::InvalidArgument(where + "no kind after '='");
    const std::string kind = w[0];
    if (kind == "choice") {
      p.kind = TuneParam::Kind::kChoice;
      p.choices.assign(w.begin() + 1, w.end());
      if (p.choices.empty()) return Status::InvalidArgument(where + "choice needs at least one value");
    } else if (kind == "float" || kind == "logfloat" || kind == "int" || kind == "logint") {
      p.kind = kind.find("int") != std::string::npos ? TuneParam::Kind::kInt : TuneParam::Kind::kFloat;
      p.log = kind.rfind("log", 0) == 0;
      if (w.size() != 3 || !ParseDouble(w[1], &p.lo) || !ParseDouble(w[2], &p.hi) || p.lo > p.hi)
        return Status::InvalidArgument(where + kind + " needs two numbers LO <= HI");
      if (p.log && p.lo <= 0) return Status::InvalidArgument(where + kind + " needs LO > 0");
    } else {
      return Status::InvalidArgument(where + "unknown kind '" + kind +
                                     "' (float, logfloat, int, logint or choice)");
    }
    space.params_.push_back(std::move(p));
  }
  if (space.params_.empty()) return Status::InvalidArgument(source + ": the space names no option");
  return space;
}

Result<TuneSpace> TuneSpace::ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot open the space file '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return Parse(buffer.str(), path);
}

bool TuneSpace::Has(const std::string& name) const {
  return std::any_of(params_.begin(), params_.end(), [&](const TuneParam& p) { return p.name == name; });
}

TuneSettings TuneSpace::Map(const std::vector<double>& u) const {
  TuneSettings out;
  for (std::size_t d = 0; d < params_.size(); ++d) {
    const TuneParam& p = params_[d];
    double x = u[d];
    if (p.has_or) {
      // The low fifth of the axis is the special value; the rest is stretched back to [0, 1).
      if (x < kTuneOrShare) {
        out.emplace_back(p.name, p.or_value);
        continue;
      }
      x = (x - kTuneOrShare) / (1 - kTuneOrShare);
    }
    if (p.kind == TuneParam::Kind::kChoice) {
      const std::size_t i = std::min(p.choices.size() - 1, static_cast<std::size_t>(x * p.choices.size()));
      out.emplace_back(p.name, p.choices[i]);
      continue;
    }
    double lo = p.lo, hi = p.hi;
    if (p.kind == TuneParam::Kind::kInt) {
      // Every integer gets an equal share of the axis (in log space for logint).
      lo -= 0.5;
      hi += 0.5;
      if (p.log) lo = std::max(p.lo - 0.5, p.lo * 0.5);
    }
    double v = p.log ? std::exp(std::log(lo) + x * (std::log(hi) - std::log(lo))) : lo + x * (hi - lo);
    if (p.kind == TuneParam::Kind::kInt) {
      v = std::min(p.hi, std::max(p.lo, std::round(v)));
      out.emplace_back(p.name, std::to_string(static_cast<long long>(v)));
    } else {
      out.emplace_back(p.name, FormatTuneNumber(v));
    }
  }
  return out;
}

}  // namespace item2vec
