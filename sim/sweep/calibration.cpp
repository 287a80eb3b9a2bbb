#include "gpumarket/sweep/calibration.hpp"

#include <fmt/core.h>

#include <Eigen/Dense>
#include <algorithm>
#include <bit>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "gpumarket/core/check.hpp"
#include "gpumarket/sweep/ensemble.hpp"
#include "gpumarket/sweep/journal.hpp"
#include "gpumarket/sweep/sample_statistics.hpp"
#include "gpumarket/sweep/sweep_runner.hpp"

namespace gpumarket {
namespace {

// Each target's value in each replication: [target][replication].
using TargetValues = std::vector<std::vector<double>>;

std::vector<uint64_t> bits_of(const std::vector<double>& x) {
  std::vector<uint64_t> key;
  key.reserve(x.size());
  for (double v : x) key.push_back(std::bit_cast<uint64_t>(v));
  return key;
}

std::vector<double> means_of(const TargetValues& values) {
  std::vector<double> means;
  means.reserve(values.size());
  for (const std::vector<double>& reps : values) {
    RunningStats stats;
    for (double v : reps) stats.add(v);
    means.push_back(stats.mean);
  }
  return means;
}

// "rate=2.4, mean_h=1.1": a parameter vector in messages.
std::string describe_point(const CalibrationSpec& spec, const std::vector<double>& x) {
  std::string text;
  for (size_t i = 0; i < x.size(); ++i) {
    text += fmt::format("{}{}={}", i == 0 ? "" : ", ", spec.parameters[i].name,
                        spec.value_text(i, x[i]));
  }
  return text;
}

// Runs the ensembles the search asks for, serves those the journal holds, and records every
// evaluation in the order asked.
class Evaluator {
 public:
  Evaluator(const CalibrationSpec& spec, const CalibrationOptions& options)
      : spec_(spec), options_(options), names_(journal_names(spec)) {
    const std::filesystem::path dir = journal_directory(options.output);
    for (const auto& [row, entry] : read_journal(dir, spec.fingerprint(), names_)) {
      const size_t np = spec.parameters.size();
      const std::vector<double> x(entry.indicators.begin(),
                                  entry.indicators.begin() + static_cast<std::ptrdiff_t>(np));
      TargetValues values(spec.targets.size());
      for (size_t j = 0; j < values.size(); ++j) {
        const auto from =
            entry.indicators.begin() + static_cast<std::ptrdiff_t>(np + j * spec.replications);
        values[j].assign(from, from + static_cast<std::ptrdiff_t>(spec.replications));
      }
      journal_.emplace(bits_of(x), std::move(values));
      next_row_ = std::max(next_row_, row + 1);
    }
    writer_.emplace(dir, "evaluations", spec.fingerprint(), names_);
  }

  // The targets' replication values at `x`, and a record of the evaluation.
  const TargetValues& evaluate(const std::vector<double>& x, const std::string& phase) {
    const std::vector<uint64_t> key = bits_of(x);
    auto it = journal_.find(key);
    const bool cached = it != journal_.end();
    if (!cached) it = journal_.emplace(key, run(x)).first;
    CalibrationEvaluation& e = evaluations_.emplace_back();
    e.parameters = x;
    e.simulated = means_of(it->second);
    e.objective = calibration_objective(spec_, x, e.simulated);
    e.phase = phase;
    e.from_journal = cached && !ran_here_.contains(key);
    return it->second;
  }

  std::vector<CalibrationEvaluation>& evaluations() { return evaluations_; }
  uint64_t ran() const { return ran_; }

 private:
  static std::vector<std::string> journal_names(const CalibrationSpec& spec) {
    std::vector<std::string> names;
    for (const CalibrationParameter& p : spec.parameters) names.push_back("parameter/" + p.name);
    for (const CalibrationTarget& t : spec.targets) {
      for (uint64_t r = 0; r < spec.replications; ++r) {
        names.push_back(fmt::format("{}/{}", t.name, r));
      }
    }
    return names;
  }

  TargetValues run(const std::vector<double>& x) {
    if (options_.stop_after != 0 && ran_ >= options_.stop_after) {
      throw Error(fmt::format("{}: stopped after {} evaluations (stop_after)", spec_.path, ran_));
    }
    const SweepSpec ensemble = ensemble_spec_of(spec_.scenario_at(x), spec_.path, spec_.text,
                                                spec_.seed, spec_.replications);
    // Summary targets are the entry's named indicators; series targets follow them.
    std::vector<std::string> indicators;
    std::vector<size_t> column_of(spec_.targets.size());
    for (size_t j = 0; j < spec_.targets.size(); ++j) {
      if (spec_.targets[j].indicator.empty()) continue;
      column_of[j] = indicators.size();
      indicators.push_back(spec_.targets[j].indicator);
    }
    std::vector<size_t> series_targets;
    for (size_t j = 0; j < spec_.targets.size(); ++j) {
      if (!spec_.targets[j].indicator.empty()) continue;
      column_of[j] = indicators.size() + series_targets.size();
      series_targets.push_back(j);
    }
    const RowStatistics statistics =
        series_targets.empty() ? RowStatistics() : [&](const MemoryRecorder& memory) {
          return series_values(memory, series_targets);
        };
    const std::vector<JournalEntry> rows =
        run_rows_in_process(ensemble, indicators, statistics, options_.threads);
    TargetValues values(spec_.targets.size());
    JournalEntry line;
    line.row = next_row_++;
    line.done = true;
    line.indicators = x;
    for (size_t j = 0; j < spec_.targets.size(); ++j) {
      for (const JournalEntry& row : rows) {
        if (!row.done) {
          throw Error(fmt::format("{}: the scenario at {} failed in replication {}: {}", spec_.path,
                                  describe_point(spec_, x), row.row, row.error));
        }
        values[j].push_back(row.indicators[column_of[j]]);
        line.run_seconds += j == 0 ? row.run_seconds : 0;
      }
      line.indicators.insert(line.indicators.end(), values[j].begin(), values[j].end());
    }
    writer_->append(line);
    ran_here_.insert(bits_of(x));
    ++ran_;
    if (options_.log) {
      options_.log(fmt::format("  evaluation {} ({}): objective {:.6g}", line.row,
                               describe_point(spec_, x),
                               calibration_objective(spec_, x, means_of(values))));
    }
    return values;
  }

  std::vector<double> series_values(const MemoryRecorder& memory,
                                    const std::vector<size_t>& targets) const {
    std::vector<double> out;
    out.reserve(targets.size());
    for (size_t j : targets) {
      const CalibrationTarget& t = spec_.targets[j];
      const MemoryRecorder::Series* series = memory.find_series(t.series_group, t.series_name);
      const MemoryRecorder::Series* time = nullptr;
      for (const MemoryRecorder::Series& s : memory.series()) {
        if (s.spec.group == t.series_group && s.spec.is_time) time = &s;
      }
      GPUMARKET_CHECK(series != nullptr && time != nullptr);
      const auto& columns = series->spec.columns;
      const size_t c =
          t.column.empty()
              ? 0
              : static_cast<size_t>(std::find(columns.begin(), columns.end(), t.column) -
                                    columns.begin());
      std::vector<double> column(series->rows());
      for (size_t row = 0; row < column.size(); ++row) column[row] = series->at(row, c);
      out.push_back(series_statistic(time->values, column, t.statistic));
    }
    return out;
  }

  const CalibrationSpec& spec_;
  const CalibrationOptions& options_;
  std::vector<std::string> names_;
  std::map<std::vector<uint64_t>, TargetValues> journal_;
  std::set<std::vector<uint64_t>> ran_here_;
  std::optional<JournalWriter> writer_;
  uint64_t next_row_ = 0;
  uint64_t ran_ = 0;
  std::vector<CalibrationEvaluation> evaluations_;
};

// d mean_j / d x_i at `best` by central differences (one-sided where a bound cuts the step).
std::vector<std::vector<double>> jacobian_at(const CalibrationSpec& spec,
                                             const std::vector<double>& best,
                                             Evaluator& evaluator) {
  const size_t np = spec.parameters.size(), nt = spec.targets.size();
  std::vector<std::vector<double>> jacobian(nt, std::vector<double>(np));
  for (size_t i = 0; i < np; ++i) {
    const CalibrationParameter& p = spec.parameters[i];
    const double h = spec.jacobian_step * (p.upper - p.lower);
    std::vector<double> below = best, above = best;
    below[i] = std::max(p.lower, best[i] - h);
    above[i] = std::min(p.upper, best[i] + h);
    const std::vector<double> low = means_of(evaluator.evaluate(below, "jacobian"));
    const std::vector<double> high = means_of(evaluator.evaluate(above, "jacobian"));
    for (size_t j = 0; j < nt; ++j) jacobian[j][i] = (high[j] - low[j]) / (above[i] - below[i]);
  }
  return jacobian;
}

// The sandwich covariance of the estimate, A^-1 B A^-1 with A = G'WG + P and
// B = G'W Sigma W G + P: G the Jacobian, W = diag(1/tolerance^2), Sigma the observed values'
// variance diag(tolerance^2) plus the simulated means' (the replications' covariance / R),
// P = diag(1/sd^2) of the priors. Empty when A is singular: the targets do not identify the
// parameters.
std::optional<Eigen::MatrixXd> estimate_covariance(const CalibrationSpec& spec,
                                                   const std::vector<std::vector<double>>& jacobian,
                                                   const TargetValues& at_best) {
  const auto np = static_cast<Eigen::Index>(spec.parameters.size());
  const auto nt = static_cast<Eigen::Index>(spec.targets.size());
  const auto reps = static_cast<Eigen::Index>(spec.replications);
  Eigen::MatrixXd g(nt, np), sims(reps, nt);
  Eigen::VectorXd w(nt);
  for (Eigen::Index j = 0; j < nt; ++j) {
    const auto uj = static_cast<size_t>(j);
    w(j) = 1 / (spec.targets[uj].tolerance * spec.targets[uj].tolerance);
    for (Eigen::Index i = 0; i < np; ++i) g(j, i) = jacobian[uj][static_cast<size_t>(i)];
    for (Eigen::Index r = 0; r < reps; ++r) sims(r, j) = at_best[uj][static_cast<size_t>(r)];
  }
  Eigen::MatrixXd sigma = w.cwiseInverse().asDiagonal();
  if (reps > 1) {
    const Eigen::MatrixXd centred = sims.rowwise() - sims.colwise().mean();
    sigma += (centred.transpose() * centred) / static_cast<double>((reps - 1) * reps);
  }
  Eigen::MatrixXd prior = Eigen::MatrixXd::Zero(np, np);
  for (Eigen::Index i = 0; i < np; ++i) {
    if (const auto& p = spec.parameters[static_cast<size_t>(i)].prior) {
      prior(i, i) = 1 / (p->sd * p->sd);
    }
  }
  const Eigen::MatrixXd wg = w.asDiagonal() * g;
  const Eigen::MatrixXd a = g.transpose() * wg + prior;
  const Eigen::MatrixXd b = wg.transpose() * sigma * wg + prior;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(a);
  const double largest = eigen.eigenvalues().maxCoeff();
  if (!(largest > 0) || eigen.eigenvalues().minCoeff() <= 1e-10 * largest) return std::nullopt;
  const Eigen::MatrixXd a_inverse = a.inverse();
  return Eigen::MatrixXd(a_inverse * b * a_inverse);
}

}  // namespace

double calibration_objective(const CalibrationSpec& spec, const std::vector<double>& parameters,
                             const std::vector<double>& simulated) {
  double sum = 0;
  for (size_t j = 0; j < spec.targets.size(); ++j) {
    const double z = (simulated[j] - spec.targets[j].observed) / spec.targets[j].tolerance;
    sum += z * z;
  }
  for (size_t i = 0; i < spec.parameters.size(); ++i) {
    if (const auto& p = spec.parameters[i].prior) {
      const double z = (parameters[i] - p->mean) / p->sd;
      sum += z * z;
    }
  }
  // An undefined target (NaN: e.g. a window without rows) is as bad as can be, so that the
  // search moves away from it rather than stopping there.
  return std::isnan(sum) ? HUGE_VAL : sum;
}

CalibrationResult run_calibration(const CalibrationSpec& spec, const CalibrationOptions& options) {
  Evaluator evaluator(spec, options);
  std::vector<double> lower, upper, start;
  for (const CalibrationParameter& p : spec.parameters) {
    lower.push_back(p.lower);
    upper.push_back(p.upper);
    start.push_back(p.start);
  }
  const MinimiserResult search = minimise(
      [&](const std::vector<double>& x) {
        return calibration_objective(spec, x, means_of(evaluator.evaluate(x, "search")));
      },
      lower, upper, start, spec.optimiser);
  // Label each search's evaluations by the local search that asked for them.
  size_t e = 0;
  for (size_t k = 0; k < search.searches.size(); ++k) {
    for (uint64_t n = 0; n < search.searches[k].evaluations; ++n) {
      evaluator.evaluations()[e++].phase = fmt::format("search {}", k);
    }
  }
  const std::vector<std::vector<double>> jacobian = jacobian_at(spec, search.best, evaluator);
  const TargetValues at_best = evaluator.evaluate(search.best, "best");
  const std::optional<Eigen::MatrixXd> covariance = estimate_covariance(spec, jacobian, at_best);

  CalibrationResult result;
  result.calibration_path = spec.path;
  result.calibration_text = spec.text;
  result.command_line = options.command_line;
  result.seed = spec.seed;
  result.replications = spec.replications;
  result.confidence = spec.confidence;
  result.algorithm = spec.optimiser.algorithm;
  const double z = boost::math::quantile(boost::math::normal(), (1 + spec.confidence) / 2);
  for (size_t i = 0; i < spec.parameters.size(); ++i) {
    const CalibrationParameter& p = spec.parameters[i];
    FittedParameter& f = result.parameters.emplace_back();
    f.name = p.name;
    f.path = p.path;
    f.lower = p.lower;
    f.upper = p.upper;
    f.start = p.start;
    f.best = search.best[i];
    const auto ii = static_cast<Eigen::Index>(i);
    f.standard_error = covariance ? std::sqrt((*covariance)(ii, ii)) : std::nan("");
    f.ci_low = f.best - z * f.standard_error;
    f.ci_high = f.best + z * f.standard_error;
  }
  const std::vector<double> simulated = means_of(at_best);
  for (size_t j = 0; j < spec.targets.size(); ++j) {
    const CalibrationTarget& t = spec.targets[j];
    TargetFit& fit = result.targets.emplace_back();
    fit.name = t.name;
    fit.source = t.source;
    fit.measure = t.measure();
    fit.observed = t.observed;
    fit.tolerance = t.tolerance;
    RunningStats stats;
    for (double v : at_best[j]) stats.add(v);
    const double half = stats.half_width(spec.confidence);
    fit.simulated = stats.mean;
    fit.ci_low = stats.mean - half;
    fit.ci_high = stats.mean + half;
    const double dev = (stats.mean - t.observed) / t.tolerance;
    fit.contribution = dev * dev;
    std::vector<double>& scaled = result.scaled_jacobian.emplace_back();
    for (size_t i = 0; i < spec.parameters.size(); ++i) {
      const CalibrationParameter& p = spec.parameters[i];
      scaled.push_back(jacobian[j][i] * (p.upper - p.lower) / t.tolerance);
    }
  }
  result.objective = calibration_objective(spec, search.best, simulated);
  result.jacobian = jacobian;
  result.evaluations = std::move(evaluator.evaluations());
  result.evaluations_run = evaluator.ran();
  write_calibration_file(options.output, result);
  return result;
}

}  // namespace gpumarket
