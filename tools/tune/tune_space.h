// The search space of `item2vec tune`: which train options vary, over what, and how a point
// of the unit cube becomes one setting of each (configs/tune_space.ini documents the format).
//
// Contract:
// - A space file has one line per option, `name = KIND ARGS [or VALUE]`, comments (#) and
//   blank lines ignored. KIND is `float LO HI`, `logfloat LO HI` (uniform in log), `int LO HI`,
//   `logint LO HI` (log-uniform over [LO-0.5, HI+0.5), rounded) or `choice A B ...`. A trailing `or VALUE` gives VALUE to a fifth of the
//   samples (e.g. `sample = logfloat 1e-5 1e-2 or 0`: subsampling off). Names are train's
//   option names; each may appear once. Errors name the line.
// - `epochs` is special: its sampled value is a trial's full epoch count, and successive
//   halving trains early rounds on a fraction of it (tune_search.h).
// - Map() turns u in [0,1)^dims() into values, one per parameter in file order, formatted
//   as train reads them. Pure functions of their arguments; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace item2vec {

// A trial's settings: (train option name, value) in the space's order.
using TuneSettings = std::vector<std::pair<std::string, std::string>>;

struct TuneParam {
  enum class Kind { kFloat, kInt, kChoice };
  std::string name;
  Kind kind = Kind::kFloat;
  bool log = false;
  double lo = 0, hi = 0;
  std::vector<std::string> choices;
  bool has_or = false;
  std::string or_value;
};

class TuneSpace {
 public:
  static Result<TuneSpace> Parse(const std::string& text, const std::string& source);
  static Result<TuneSpace> ReadFile(const std::string& path);

  const std::vector<TuneParam>& params() const { return params_; }
  std::size_t dims() const { return params_.size(); }
  bool Has(const std::string& name) const;
  // REQUIRES: u.size() == dims(), each in [0, 1).
  TuneSettings Map(const std::vector<double>& u) const;

 private:
  std::vector<TuneParam> params_;
};

// The share of samples that take a parameter's `or VALUE`.
inline constexpr double kTuneOrShare = 0.2;

// A number as train reads it, short: 6 significant digits, no trailing zeros.
std::string FormatTuneNumber(double value);

// Looks a setting up by name; empty when absent.
std::string SettingValue(const TuneSettings& settings, const std::string& name);
// Sets (or appends) name = value.
void SetSetting(TuneSettings* settings, const std::string& name, const std::string& value);

}  // namespace item2vec
