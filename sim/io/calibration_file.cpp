#include "gpumarket/io/calibration_file.hpp"

#include <functional>

#include "netcdf_writer.hpp"

namespace gpumarket {
namespace {

using hdf5::Context;

class CalibrationWriter {
 public:
  CalibrationWriter(hid_t root, const CalibrationResult& r, const Context& c)
      : r_(r), c_(c), out_(root, c) {}

  void write() {
    const size_t np = r_.parameters.size(), nt = r_.targets.size(), ne = r_.evaluations.size();
    std::vector<std::string> names, paths, target_names, sources, measures, phases;
    for (const FittedParameter& p : r_.parameters) names.push_back(p.name), paths.push_back(p.path);
    for (const TargetFit& t : r_.targets) {
      target_names.push_back(t.name);
      sources.push_back(t.source);
      measures.push_back(t.measure);
    }
    std::vector<uint64_t> evaluation_index(ne);
    for (size_t e = 0; e < ne; ++e) evaluation_index[e] = e;
    for (const CalibrationEvaluation& e : r_.evaluations) phases.push_back(e.phase);
    parameter_ = out_.scale("parameter", out_.strings("/parameter", names, {}));
    target_ = out_.scale("target", out_.strings("/target", target_names, {}));
    evaluation_ =
        out_.scale("evaluation", out_.numbers("/evaluation", H5T_STD_U64LE, H5T_NATIVE_UINT64, {ne},
                                              evaluation_index.data(), {}));
    text("/parameter_path", paths, parameter_, "the scenario path the parameter sets");
    text("/source", sources, target_, "where the observed value comes from");
    text("/measure", measures, target_, "what of the simulation the target observes");
    text("/evaluation_phase", phases, evaluation_, "the part of the search that asked for it");

    const auto per_parameter = [&](const char* name, const char* long_name,
                                   const std::function<double(const FittedParameter&)>& field) {
      std::vector<double> v;
      v.reserve(np);
      for (const FittedParameter& p : r_.parameters) v.push_back(field(p));
      out_.doubles(name, long_name, {np}, v.data(), {parameter_.get()});
    };
    per_parameter("/lower", "lower bound", [](const auto& p) { return p.lower; });
    per_parameter("/upper", "upper bound", [](const auto& p) { return p.upper; });
    per_parameter("/start", "start of the first local search",
                  [](const auto& p) { return p.start; });
    per_parameter("/best", "the parameters of least objective",
                  [](const auto& p) { return p.best; });
    per_parameter("/standard_error", "sandwich standard error of best (NaN: not identified)",
                  [](const auto& p) { return p.standard_error; });
    per_parameter("/ci_low", "lower end of the normal interval of best",
                  [](const auto& p) { return p.ci_low; });
    per_parameter("/ci_high", "upper end of the normal interval of best",
                  [](const auto& p) { return p.ci_high; });

    const auto per_target = [&](const char* name, const char* long_name,
                                const std::function<double(const TargetFit&)>& field) {
      std::vector<double> v;
      v.reserve(nt);
      for (const TargetFit& t : r_.targets) v.push_back(field(t));
      out_.doubles(name, long_name, {nt}, v.data(), {target_.get()});
    };
    per_target("/observed", "the observed value", [](const auto& t) { return t.observed; });
    per_target("/tolerance", "the observed value's tolerance (standard error)",
               [](const auto& t) { return t.tolerance; });
    per_target("/simulated", "mean over the replications at best",
               [](const auto& t) { return t.simulated; });
    per_target("/simulated_ci_low", "lower end of the Student-t interval of simulated",
               [](const auto& t) { return t.ci_low; });
    per_target("/simulated_ci_high", "upper end of the Student-t interval of simulated",
               [](const auto& t) { return t.ci_high; });
    per_target("/contribution", "((simulated - observed) / tolerance)^2",
               [](const auto& t) { return t.contribution; });

    matrix("/jacobian", r_.jacobian, nt, np, {target_.get(), parameter_.get()},
           "d simulated / d parameter at best (central differences, common random numbers)");
    matrix("/scaled_jacobian", r_.scaled_jacobian, nt, np, {target_.get(), parameter_.get()},
           "jacobian x parameter range / tolerance: tolerances moved across the range");
    std::vector<std::vector<double>> xs, sims;
    std::vector<double> objective;
    xs.reserve(ne);
    sims.reserve(ne);
    objective.reserve(ne);
    for (const CalibrationEvaluation& e : r_.evaluations) {
      xs.push_back(e.parameters);
      sims.push_back(e.simulated);
      objective.push_back(e.objective);
    }
    matrix("/evaluation_parameters", xs, ne, np, {evaluation_.get(), parameter_.get()},
           "the parameters of each evaluation, in the order the search asked for them");
    matrix("/evaluation_simulated", sims, ne, nt, {evaluation_.get(), target_.get()},
           "each target's mean over the replications at each evaluation");
    out_.doubles("/evaluation_objective", "the objective at each evaluation", {ne},
                 objective.data(), {evaluation_.get()});
  }

 private:
  void text(const std::string& path, const std::vector<std::string>& values,
            const hdf5::Dataset& dimension, const std::string& long_name) {
    out_.describe(out_.strings(path, values, {dimension.get()}), path, long_name);
  }

  void matrix(const std::string& path, const std::vector<std::vector<double>>& rows, size_t n,
              size_t m, const std::vector<hid_t>& scales, const std::string& long_name) {
    std::vector<double> flat;
    flat.reserve(n * m);
    for (const std::vector<double>& row : rows) {
      if (row.size() != m) c_.fail("a row of " + path + " has the wrong length");
      flat.insert(flat.end(), row.begin(), row.end());
    }
    if (rows.size() != n) c_.fail(path + " has the wrong number of rows");
    out_.doubles(path, long_name, {n, m}, flat.data(), scales);
  }

  const CalibrationResult& r_;
  const Context& c_;
  hdf5::NetcdfWriter out_;
  hdf5::Dataset parameter_, target_, evaluation_;
};

}  // namespace

void write_calibration_file(const std::filesystem::path& path, const CalibrationResult& r) {
  const Context c{path.string(), "cannot write the calibration"};
  hdf5::write_netcdf_file(path, std::string(kCalibrationFormat), c, [&](hid_t root) {
    hdf5::write_string_attribute(root, "/", "calibration_file", r.calibration_path, c);
    hdf5::write_string_attribute(root, "/", "calibration_text", r.calibration_text, c);
    hdf5::write_string_attribute(root, "/", "command_line", r.command_line, c);
    hdf5::write_uint64_attribute(root, "/", "seed", r.seed, c);
    hdf5::write_uint64_attribute(root, "/", "replications", r.replications, c);
    hdf5::write_string_attribute(root, "/", "algorithm", r.algorithm, c);
    hdf5::write_double_attribute(root, "/", "confidence", r.confidence, c);
    hdf5::write_double_attribute(root, "/", "objective", r.objective, c);
    CalibrationWriter(root, r, c).write();  // its datasets close before the file does
  });
}

}  // namespace gpumarket
