#include "gpumarket/cli/sensitivity_command.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/sweep_result_file.hpp"
#include "gpumarket/sweep/sensitivity_analysis.hpp"

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
      out += csv_row(s.indicator, design.kind, m.parameter, "mu_star", {m.mu_star, none, none},
                     m.effects);
      out += csv_row(s.indicator, design.kind, m.parameter, "mu", {m.mu, none, none}, m.effects);
      out +=
          csv_row(s.indicator, design.kind, m.parameter, "sigma", {m.sigma, none, none}, m.effects);
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

std::string text(const SweepResult& r, const SweepAnalyseCommand& command,
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
        "{}; ranked by mu*\n",
        k, d.trajectories, d.levels, r.points_total, on_means);
  } else {
    out += fmt::format(
        "Sobol design: {} parameters, N = {} base rows ({} points); {}; 95% "
        "bootstrap intervals from {} resamples of the base rows\n",
        k, d.base_samples, r.points_total, on_means, command.bootstrap);
  }
  for (const IndicatorSensitivity& s : analysis) {
    if (d.kind == "morris") {
      out +=
          fmt::format("\n{}  ({} points; {})\n", s.indicator, s.points, noise_text(s.noise_share));
      out += fmt::format("  {:>4}  {:<{}}  {:>12}  {:>12}  {:>12}  {:>7}\n", "rank", "parameter",
                         width, "mu*", "mu", "sigma", "effects");
      for (size_t i = 0; i < s.morris.size(); ++i) {
        const MorrisEffect& m = s.morris[i];
        out += fmt::format("  {:>4}  {:<{}}  {:>12.6g}  {:>12.6g}  {:>12.6g}  {:>7}\n", i + 1,
                           m.parameter, width, m.mu_star, m.mu, m.sigma, m.effects);
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

}  // namespace

std::string sweep_analyse_command(const SweepAnalyseCommand& command) {
  if (command.bootstrap > kMaxBootstrap) {
    throw Error(fmt::format("--bootstrap {}: expected at most {} resamples.", command.bootstrap,
                            kMaxBootstrap));
  }
  const SweepResult result = read_sweep_result(command.result_path);
  const std::vector<IndicatorSensitivity> analysis =
      analyse_sensitivity(result, command.result_path, command.indicators, command.bootstrap);
  return command.csv ? csv(result.design, analysis) : text(result, command, analysis);
}

}  // namespace gpumarket
