#include "gpumarket/cli/sensitivity_command.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/io/sensitivity_file.hpp"
#include "gpumarket/io/sweep_result_file.hpp"
#include "gpumarket/sweep/sensitivity_analysis.hpp"
#include "output_not_input.hpp"

namespace gpumarket {
namespace {

// A CSV field of a number: empty for NaN, so that a spreadsheet or pandas reads it as missing.
std::string csv_number(double x) { return std::isnan(x) ? std::string() : fmt::format("{}", x); }

std::string csv_row(const std::string& indicator, const std::string& design,
                    const std::string& parameter, const char* measure, const Estimate& e,
                    uint64_t count) {
  return fmt::format("{},{},{},{},{},{},{},{}\n", indicator, design, parameter, measure,
                     csv_number(e.value), csv_number(e.low), csv_number(e.high), count);
}

std::string csv(const SweepDesign& design, const std::vector<IndicatorSensitivity>& analysis) {
  std::string out = "indicator,design,parameter,measure,value,ci_low,ci_high,count\n";
  const double none = std::nan("");
  for (const IndicatorSensitivity& s : analysis) {
    for (const MorrisEffect& m : s.morris) {
      out += csv_row(s.indicator, design.kind, m.parameter, "mu_star", m.mu_star, m.effects);
      out += csv_row(s.indicator, design.kind, m.parameter, "mu", m.mu, m.effects);
      out += csv_row(s.indicator, design.kind, m.parameter, "sigma", m.sigma, m.effects);
    }
    for (const SobolIndex& i : s.sobol.indices) {
      out += csv_row(s.indicator, design.kind, i.parameter, "S1", i.first, s.sobol.base_rows);
      out += csv_row(s.indicator, design.kind, i.parameter, "ST", i.total, s.sobol.base_rows);
    }
    out +=
        csv_row(s.indicator, design.kind, "", "noise_share", {s.noise_share, none, none}, s.points);
  }
  return out;
}

std::string noise_text(double share) {
  return std::isnan(share) ? "no point with two done replications: no noise estimate"
                           : fmt::format("noise share of the variance {:.3g}", share);
}

// A Morris measure and its interval: significant digits, since effects are in the indicator's
// unit and may be of any size.
std::string morris_text(const Estimate& e) {
  return fmt::format("{:>10.4g}  [{:>9.4g}, {:>9.4g}]", e.value, e.low, e.high);
}

std::string text(const SweepResult& r, uint64_t bootstrap,
                 const std::vector<IndicatorSensitivity>& analysis) {
  const SweepDesign& d = r.design;
  const size_t k = d.parameters.size();
  std::string out;
  const std::string on_means =
      r.replications > 1
          ? fmt::format("indices on the means over {} replications (common random numbers: {})",
                        r.replications, r.common_random_numbers ? "yes" : "no")
          : std::string("one replication per point");
  size_t width = 9;
  for (const std::string& p : d.parameters) width = std::max(width, p.size());
  if (d.kind == "morris") {
    out += fmt::format(
        "Morris design: {} parameters, {} trajectories on {} levels ({} points); "
        "{}; ranked by mu*; 95% bootstrap intervals from {} resamples of the trajectories\n",
        k, d.trajectories, d.levels, r.points_total, on_means, bootstrap);
  } else {
    out += fmt::format(
        "Sobol design: {} parameters, N = {} base rows ({} points); {}; 95% "
        "bootstrap intervals from {} resamples of the base rows\n",
        k, d.base_samples, r.points_total, on_means, bootstrap);
  }
  for (const IndicatorSensitivity& s : analysis) {
    if (d.kind == "morris") {
      out +=
          fmt::format("\n{}  ({} points; {})\n", s.indicator, s.points, noise_text(s.noise_share));
      out += fmt::format("  {:>4}  {:<{}}  {:>10}  {:>21}  {:>10}  {:>21}  {:>10}  {:>21}  {:>7}\n",
                         "rank", "parameter", width, "mu*", "95% interval", "mu", "95% interval",
                         "sigma", "95% interval", "effects");
      for (size_t i = 0; i < s.morris.size(); ++i) {
        const MorrisEffect& m = s.morris[i];
        out +=
            fmt::format("  {:>4}  {:<{}}  {}  {}  {}  {:>7}\n", i + 1, m.parameter, width,
                        morris_text(m.mu_star), morris_text(m.mu), morris_text(m.sigma), m.effects);
      }
      continue;
    }
    out +=
        fmt::format("\n{}  ({} of {} base rows complete; variance {:.6g}; {})\n", s.indicator,
                    s.sobol.base_rows, d.base_samples, s.sobol.variance, noise_text(s.noise_share));
    out += fmt::format("  {:<{}}  {:>9}  {:>21}  {:>9}  {:>21}\n", "parameter", width, "S1",
                       "95% interval", "ST", "95% interval");
    for (const SobolIndex& i : s.sobol.indices) {
      out +=
          fmt::format("  {:<{}}  {:>9.4f}  [{:>8.4f}, {:>8.4f}]  {:>9.4f}  [{:>8.4f}, {:>8.4f}]\n",
                      i.parameter, width, i.first.value, i.first.low, i.first.high, i.total.value,
                      i.total.low, i.total.high);
    }
  }
  return out;
}

// A measure of every indicator and input, inputs in the design's order: Morris's tables are
// ranked per indicator, so each is found by name.
template <class Field>
SensitivityMeasure measure(const std::string& name, const std::string& long_name,
                           const SweepDesign& d, const std::vector<IndicatorSensitivity>& analysis,
                           Field field) {
  SensitivityMeasure m{name, long_name, {}, {}, {}};
  for (const IndicatorSensitivity& s : analysis) {
    for (const std::string& input : d.parameters) {
      const Estimate e = field(s, input);
      m.value.push_back(e.value);
      m.low.push_back(e.low);
      m.high.push_back(e.high);
    }
  }
  return m;
}

const MorrisEffect& morris_of(const IndicatorSensitivity& s, const std::string& input) {
  const auto found = std::find_if(s.morris.begin(), s.morris.end(),
                                  [&](const MorrisEffect& m) { return m.parameter == input; });
  GPUMARKET_CHECK(found != s.morris.end());
  return *found;
}

const SobolIndex& sobol_of(const IndicatorSensitivity& s, const std::string& input) {
  const auto found = std::find_if(s.sobol.indices.begin(), s.sobol.indices.end(),
                                  [&](const SobolIndex& i) { return i.parameter == input; });
  GPUMARKET_CHECK(found != s.sobol.indices.end());
  return *found;
}

SensitivityReport report(const SweepResult& r, const std::string& result_path, uint64_t bootstrap,
                         const std::vector<IndicatorSensitivity>& analysis) {
  const SweepDesign& d = r.design;
  SensitivityReport out{result_path, d.kind, r.sweep_seed, r.replications,
                        bootstrap,   0.95,   {},           d.parameters,
                        {},          {},     {},           {},
                        {}};
  const bool morris = d.kind == "morris";
  for (const IndicatorSensitivity& s : analysis) {
    out.indicators.push_back(s.indicator);
    out.noise_share.push_back(s.noise_share);
    out.points.push_back(s.points);
    if (!morris) out.variance.push_back(s.sobol.variance);
    for (const std::string& input : d.parameters) {
      out.count.push_back(morris ? morris_of(s, input).effects : s.sobol.base_rows);
    }
  }
  if (morris) {
    out.measures = {
        measure("mu_star", "mu*: mean absolute elementary effect per unit of the unit cube", d,
                analysis, [](auto& s, auto& i) { return morris_of(s, i).mu_star; }),
        measure("mu", "mu: mean elementary effect per unit of the unit cube", d, analysis,
                [](auto& s, auto& i) { return morris_of(s, i).mu; }),
        measure("sigma", "sigma: standard deviation of the elementary effects", d, analysis,
                [](auto& s, auto& i) { return morris_of(s, i).sigma; })};
  } else {
    out.measures = {measure("S1", "first-order Sobol index (Saltelli et al. 2010)", d, analysis,
                            [](auto& s, auto& i) { return sobol_of(s, i).first; }),
                    measure("ST", "total Sobol index (Jansen 1999)", d, analysis,
                            [](auto& s, auto& i) { return sobol_of(s, i).total; })};
  }
  return out;
}

}  // namespace

std::string sweep_analyse_command(const SweepAnalyseCommand& command) {
  if (command.bootstrap && *command.bootstrap > kMaxBootstrap) {
    throw Error(fmt::format("--bootstrap {}: expected at most {} resamples.", *command.bootstrap,
                            kMaxBootstrap));
  }
  if (!command.output.empty()) {
    check_output_not_input(command.output, "-o " + command.output,
                           {{"the sweep result", command.result_path}});
  }
  const SweepResult result = read_sweep_result(command.result_path);
  const uint64_t bootstrap = command.bootstrap.value_or(
      result.design.kind == "morris" ? kMorrisBootstrap : kSobolBootstrap);
  const std::vector<IndicatorSensitivity> analysis =
      analyse_sensitivity(result, command.result_path, command.indicators, bootstrap);
  std::string out = command.csv ? csv(result.design, analysis) : text(result, bootstrap, analysis);
  if (!command.output.empty()) {
    write_sensitivity_file(command.output,
                           report(result, command.result_path, bootstrap, analysis));
    if (!command.csv) out += fmt::format("\nwrote {}\n", command.output);
  }
  return out;
}

}  // namespace gpumarket
