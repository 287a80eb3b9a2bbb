#include "gpumarket/io/explain_file.hpp"

#include <hdf5_hl.h>

#include <array>

#include "gpumarket/core/version.hpp"
#include "hdf5_objects.hpp"
#include "partial_file.hpp"

namespace gpumarket {
namespace {

using hdf5::Context;
using hdf5::in_quotes;

constexpr size_t kDoubleBytes = 8;

// Creation lists without timestamps, as a run's file: the same attribution, the same bytes.
hdf5::PropertyList untimed(hid_t class_id, const Context& c) {
  auto list = hdf5::make<hdf5::PropertyList>(H5Pcreate(class_id), c,
                                             "HDF5 failed to create a property list");
  hdf5::check(H5Pset_obj_track_times(list.get(), false), c, "HDF5 failed to turn off timestamps");
  return list;
}

class ExplainWriter {
 public:
  ExplainWriter(hid_t root, const Attribution& a, const Context& c)
      : root_(root), a_(a), c_(c), creation_(untimed(H5P_DATASET_CREATE, c)) {}

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
    indicator_ = scale("indicator", strings("/indicator", indicators, {}));
    group_ = scale("group", strings("/group", a_.group_names, {}));
    replication_ = scale("replication", numbers("/replication", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                                                {a_.replications}, replications.data(), {}));
    describe(strings("/units", units, {indicator_.get()}), "/units",
             "the unit label of each indicator");
    describe(strings("/parts", parts, {group_.get()}), "/parts",
             "the parts of B that each group switches into A");

    const auto per_group = [&](const char* name, const char* long_name, auto field) {
      std::vector<double> values;
      values.reserve(a_.indicators.size() * a_.group_names.size());
      for (const IndicatorExplanation& e : a_.indicators) {
        for (const GroupContribution& g : e.groups) values.push_back(field(g));
      }
      doubles(name, long_name, {a_.indicators.size(), a_.group_names.size()}, values.data(),
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
      doubles(name, long_name, {a_.indicators.size()}, values.data(), {indicator_.get()});
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
    describe(numbers("/replications", H5T_STD_U64LE, H5T_NATIVE_UINT64, {a_.indicators.size()},
                     counted.data(), {indicator_.get()}),
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
    doubles("/shapley", "Shapley contribution of the group in each replication (NaN: undefined)",
            {a_.indicators.size(), a_.replications, a_.group_names.size()}, shapley.data(),
            {indicator_.get(), replication_.get(), group_.get()});
  }

 private:
  hdf5::Dataset numbers(const std::string& path, hid_t file_type, hid_t memory_type,
                        const std::vector<hsize_t>& dims, const void* data,
                        const std::vector<hid_t>& scales) {
    const auto space = hdf5::make<hdf5::Dataspace>(
        H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), c_,
        "HDF5 failed to create the dataspace of " + in_quotes(path));
    const hdf5::PropertyList creation =
        hdf5::checksummed_creation(creation_.get(), dims, H5Tget_size(file_type), c_);
    hdf5::Dataset d = hdf5::write_dataset(root_, path, file_type, memory_type, space.get(), data,
                                          creation.get(), c_);
    attach(d.get(), path, scales);
    return d;
  }

  void doubles(const std::string& path, const std::string& long_name,
               const std::vector<hsize_t>& dims, const double* data,
               const std::vector<hid_t>& scales) {
    describe(numbers(path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims, data, scales), path, long_name);
  }

  // Text keeps HDF5's default layout: it lives in the global heap, which a chunk checksum
  // would not cover (as in a sweep result).
  hdf5::Dataset strings(const std::string& path, const std::vector<std::string>& values,
                        const std::vector<hid_t>& scales) {
    const hdf5::Datatype type = hdf5::string_type(c_);
    const hdf5::Dataspace space = hdf5::vector_space(values.size(), c_);
    std::vector<const char*> data;
    data.reserve(values.size());
    for (const std::string& s : values) data.push_back(s.c_str());
    hdf5::Dataset d = hdf5::write_dataset(root_, path, type.get(), type.get(), space.get(),
                                          data.data(), creation_.get(), c_);
    attach(d.get(), path, scales);
    return d;
  }

  hdf5::Dataset scale(const std::string& name, hdf5::Dataset d) {
    hdf5::check(H5DSset_scale(d.get(), name.c_str()), c_,
                "HDF5 failed to make " + in_quotes("/" + name) + " a dimension");
    return d;
  }

  void attach(hid_t dataset, const std::string& path, const std::vector<hid_t>& scales) {
    for (size_t i = 0; i < scales.size(); ++i) {
      hdf5::check(H5DSattach_scale(dataset, scales[i], static_cast<unsigned>(i)), c_,
                  "HDF5 failed to attach a dimension to " + in_quotes(path));
    }
  }

  void describe(const hdf5::Dataset& d, const std::string& path, const std::string& long_name) {
    hdf5::write_string_attribute(d.get(), path, "long_name", long_name, c_);
  }

  hid_t root_;
  const Attribution& a_;
  const Context& c_;
  hdf5::PropertyList creation_;
  hdf5::Dataset indicator_, group_, replication_;
};

}  // namespace

void write_explain_file(const std::filesystem::path& path, const Attribution& a) {
  hdf5::silence_library_errors();
  const Context c{path.string(), "cannot write the attribution"};
  hdf5::PartialFile partial(path, c);
  const hdf5::PropertyList access = partial.file_access();
  // The 1.8 format, as a run's file: its object headers carry checksums (of attributes too).
  hdf5::check(H5Pset_libver_bounds(access.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), c,
              "HDF5 failed to set up file properties");
  const hdf5::PropertyList creation = untimed(H5P_FILE_CREATE, c);
  auto file = hdf5::make<hdf5::File>(
      H5Fcreate(partial.path().c_str(), H5F_ACC_TRUNC, creation.get(), access.get()), c,
      "HDF5 failed to create " + in_quotes(partial.path().string()));
  const hid_t root = file.get();
  hdf5::write_string_attribute(root, "/", "Conventions", "CF-1.8", c);
  hdf5::write_string_attribute(root, "/", "gpumarket_format", std::string(kExplainFormat), c);
  hdf5::write_string_attribute(root, "/", "program_version", program_version(), c);
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
  {
    // The datasets close before the file does.
    ExplainWriter writer(root, a, c);
    writer.write();
  }
  hdf5::check(H5Fflush(root, H5F_SCOPE_GLOBAL), c, "HDF5 failed to flush the file");
  if (!file.close()) {
    hdf5::fail_call(c, "HDF5 failed to close " + in_quotes(partial.path().string()));
  }
  // Durable before it is published under its final name, as a run's file.
  partial.publish();
}

}  // namespace gpumarket
