#include "gpumarket/io/sensitivity_file.hpp"

#include "netcdf_writer.hpp"

namespace gpumarket {
namespace {

using hdf5::Context;

class SensitivityWriter {
 public:
  SensitivityWriter(hid_t root, const SensitivityReport& r, const Context& c)
      : r_(r), c_(c), out_(root, c) {}

  void write() {
    const size_t n = r_.indicators.size(), k = r_.inputs.size();
    indicator_ = out_.scale("indicator", out_.strings("/indicator", r_.indicators, {}));
    input_ = out_.scale("input", out_.strings("/input", r_.inputs, {}));
    bound_ = out_.scale("bound", out_.strings("/bound", {"low", "high"}, {}));
    for (const SensitivityMeasure& m : r_.measures) {
      if (m.value.size() != n * k || m.low.size() != n * k || m.high.size() != n * k) {
        c_.fail("a measure does not have one value per indicator and input");
      }
      out_.doubles("/" + m.name, m.long_name, {n, k}, m.value.data(),
                   {indicator_.get(), input_.get()});
      std::vector<double> bounds;
      bounds.reserve(2 * n * k);
      for (size_t i = 0; i < n * k; ++i) bounds.push_back(m.low[i]), bounds.push_back(m.high[i]);
      out_.doubles("/" + m.name + "_ci",
                   "95% bootstrap percentile interval of " + m.name + " (NaN: none)", {n, k, 2},
                   bounds.data(), {indicator_.get(), input_.get(), bound_.get()});
    }
    const bool morris = r_.design == "morris";
    const std::string count = morris ? "/effects" : "/base_rows";
    if (r_.count.size() != n * k) c_.fail("the counts do not fit the indicators and inputs");
    out_.describe(out_.numbers(count, H5T_STD_U64LE, H5T_NATIVE_UINT64, {n, k}, r_.count.data(),
                               {indicator_.get(), input_.get()}),
                  count,
                  morris ? "elementary effects with both outputs"
                         : "base rows whose k + 2 outputs are all finite");
    per_indicator("/variance", "variance of f(A) and f(B) over the complete base rows",
                  r_.variance);
    per_indicator("/noise_share",
                  "share of the variance that is replication noise, W / (W + M) (NaN: no "
                  "point with two done replications)",
                  r_.noise_share);
    if (r_.points.size() != n) c_.fail("the point counts do not fit the indicators");
    out_.describe(out_.numbers("/points", H5T_STD_U64LE, H5T_NATIVE_UINT64, {n}, r_.points.data(),
                               {indicator_.get()}),
                  "/points", "points with at least one done replication");
  }

 private:
  // A double per indicator; nothing when `values` is empty (a measure of the other design).
  void per_indicator(const std::string& path, const std::string& long_name,
                     const std::vector<double>& values) {
    if (values.empty()) return;
    if (values.size() != r_.indicators.size()) c_.fail(path + " does not fit the indicators");
    out_.doubles(path, long_name, {values.size()}, values.data(), {indicator_.get()});
  }

  const SensitivityReport& r_;
  const Context& c_;
  hdf5::NetcdfWriter out_;
  hdf5::Dataset indicator_, input_, bound_;
};

}  // namespace

void write_sensitivity_file(const std::filesystem::path& path, const SensitivityReport& r) {
  const Context c{path.string(), "cannot write the sensitivity analysis"};
  hdf5::write_netcdf_file(path, std::string(kSensitivityFormat), c, [&](hid_t root) {
    hdf5::write_string_attribute(root, "/", "result_file", r.result_path, c);
    hdf5::write_string_attribute(root, "/", "design", r.design, c);
    hdf5::write_uint64_attribute(root, "/", "sweep_seed", r.sweep_seed, c);
    hdf5::write_uint64_attribute(root, "/", "replications", r.replications, c);
    hdf5::write_uint64_attribute(root, "/", "bootstrap", r.bootstrap, c);
    hdf5::write_double_attribute(root, "/", "confidence", r.confidence, c);
    SensitivityWriter(root, r, c).write();  // its datasets close before the file does
  });
}

}  // namespace gpumarket
