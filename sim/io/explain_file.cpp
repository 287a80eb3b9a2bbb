#include "gpumarket/io/explain_file.hpp"

#include "netcdf_writer.hpp"

namespace gpumarket {
namespace {

using hdf5::Context;

class ExplainWriter {
 public:
  ExplainWriter(hid_t root, const Attribution& a, const Context& c) : a_(a), c_(c), out_(root, c) {}

  void write() {
    std::vector<std::string> indicators, units;
    indicators.reserve(a_.indicators.size());
    units.reserve(a_.indicators.size());
    for (const IndicatorExplanation& e : a_.indicators) {
      indicators.push_back(e.indicator);
      units.push_back(e.unit);
    }
    std::vector<uint64_t> replications(a_.replications);
    for (uint64_t r = 0; r < a_.replications; ++r) replications[r] = r;
    std::vector<std::string> parts;
    parts.reserve(a_.group_parts.size());
    for (const std::vector<std::string>& group : a_.group_parts) {
      std::string joined;
      for (const std::string& p : group) joined += (joined.empty() ? "" : ", ") + p;
      parts.push_back(std::move(joined));
    }
    indicator_ = out_.scale("indicator", out_.strings("/indicator", indicators, {}));
    group_ = out_.scale("group", out_.strings("/group", a_.group_names, {}));
    replication_ =
        out_.scale("replication", out_.numbers("/replication", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                                               {a_.replications}, replications.data(), {}));
    out_.describe(out_.strings("/units", units, {indicator_.get()}), "/units",
                  "the unit label of each indicator");
    out_.describe(out_.strings("/parts", parts, {group_.get()}), "/parts",
                  "the parts of B that each group switches into A");

    const auto per_group = [&](const char* name, const char* long_name, auto field) {
      std::vector<double> values;
      values.reserve(a_.indicators.size() * a_.group_names.size());
      for (const IndicatorExplanation& e : a_.indicators) {
        for (const GroupContribution& g : e.groups) values.push_back(field(g));
      }
      out_.doubles(name, long_name, {a_.indicators.size(), a_.group_names.size()}, values.data(),
                   {indicator_.get(), group_.get()});
    };
    per_group("/contribution",
              "Shapley contribution of the group to B - A (mean over replications)",
              [](const GroupContribution& g) { return g.mean; });
    per_group("/ci_low", "lower end of the 95% Student-t interval of contribution",
              [](const GroupContribution& g) { return g.ci_low; });
    per_group("/ci_high", "upper end of the 95% Student-t interval of contribution",
              [](const GroupContribution& g) { return g.ci_high; });
    per_group("/permutation_se",
              "standard error of contribution from the sampled orders (0: exact)",
              [](const GroupContribution& g) { return g.permutation_se; });

    const auto per_indicator = [&](const char* name, const char* long_name, auto field) {
      std::vector<double> values;
      values.reserve(a_.indicators.size());
      for (const IndicatorExplanation& e : a_.indicators) values.push_back(field(e));
      out_.doubles(name, long_name, {a_.indicators.size()}, values.data(), {indicator_.get()});
    };
    per_indicator("/total", "B - A (mean over replications); the contributions add up to it",
                  [](const IndicatorExplanation& e) { return e.total.mean; });
    per_indicator("/total_ci_low", "lower end of the 95% Student-t interval of total",
                  [](const IndicatorExplanation& e) { return e.total.ci_low; });
    per_indicator("/total_ci_high", "upper end of the 95% Student-t interval of total",
                  [](const IndicatorExplanation& e) { return e.total.ci_high; });
    per_indicator("/a_mean", "the indicator in scenario A (mean over replications)",
                  [](const IndicatorExplanation& e) { return e.a_mean; });
    per_indicator("/b_mean", "the indicator in scenario B (mean over replications)",
                  [](const IndicatorExplanation& e) { return e.b_mean; });
    std::vector<uint64_t> counted;
    counted.reserve(a_.indicators.size());
    for (const IndicatorExplanation& e : a_.indicators) counted.push_back(e.replications);
    out_.describe(out_.numbers("/replications", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                               {a_.indicators.size()}, counted.data(), {indicator_.get()}),
                  "/replications", "replications with a value in every combination");

    std::vector<double> shapley;
    shapley.reserve(a_.indicators.size() * a_.replications * a_.group_names.size());
    for (const IndicatorExplanation& e : a_.indicators) {
      if (e.shapley.size() != a_.replications) c_.fail("an indicator's replications differ");
      for (const std::vector<double>& row : e.shapley) {
        if (row.size() != a_.group_names.size()) c_.fail("a replication's groups differ");
        shapley.insert(shapley.end(), row.begin(), row.end());
      }
    }
    out_.doubles("/shapley",
                 "Shapley contribution of the group in each replication (NaN: undefined)",
                 {a_.indicators.size(), a_.replications, a_.group_names.size()}, shapley.data(),
                 {indicator_.get(), replication_.get(), group_.get()});
  }

 private:
  const Attribution& a_;
  const Context& c_;
  hdf5::NetcdfWriter out_;
  hdf5::Dataset indicator_, group_, replication_;
};

}  // namespace

void write_explain_file(const std::filesystem::path& path, const Attribution& a) {
  const Context c{path.string(), "cannot write the attribution"};
  hdf5::write_netcdf_file(path, std::string(kExplainFormat), c, [&](hid_t root) {
    hdf5::write_string_attribute(root, "/", "scenario_a", a.a_path, c);
    hdf5::write_string_attribute(root, "/", "scenario_b", a.b_path, c);
    hdf5::write_uint64_attribute(root, "/", "seed", a.seed, c);
    hdf5::write_uint64_attribute(root, "/", "replications", a.replications, c);
    hdf5::write_uint64_attribute(root, "/", "groups", a.group_names.size(), c);
    hdf5::write_string_attribute(root, "/", "method", a.method, c);
    hdf5::write_uint64_attribute(root, "/", "permutations", a.permutations, c);
    hdf5::write_uint64_attribute(root, "/", "combinations", a.combinations, c);
    hdf5::write_uint64_attribute(root, "/", "runs", a.runs, c);
    hdf5::write_string_attribute(root, "/", "command_line", a.command_line, c);
    ExplainWriter(root, a, c).write();  // its datasets close before the file does
  });
}

}  // namespace gpumarket
