#include "gpumarket/io/hdf5_reader.hpp"

#include <hdf5_hl.h>

#include <array>
#include <system_error>

#include "gpumarket/io/hdf5_recorder.hpp"
#include "hdf5_objects.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;
using hdf5::in_quotes;

constexpr std::string_view kOpenFailure = "cannot open the results file";
constexpr std::string_view kReadFailure = "cannot read the results file";

// The name of the dimension scale attached to the columns (axis 1) of a series.
std::string column_axis(hid_t dataset, const std::string& path, const hdf5::Context& context) {
  std::string axis;
  const auto name_of = [](hid_t /*dataset*/, unsigned /*dim*/, hid_t scale, void* data) -> herr_t {
    auto& found = *static_cast<std::string*>(data);
    const ssize_t length = H5DSget_scale_name(scale, nullptr, 0);
    if (length < 0) return -1;
    found.assign(static_cast<size_t>(length) + 1, '\0');
    if (H5DSget_scale_name(scale, found.data(), found.size()) < 0) return -1;
    found.resize(static_cast<size_t>(length));
    return 1;  // the first scale is the axis
  };
  if (H5DSiterate_scales(dataset, 1, nullptr, name_of, &axis) < 0 || axis.empty()) {
    context.fail("dataset " + in_quotes(path) + " has no dimension for its columns");
  }
  return axis;
}

}  // namespace

struct Hdf5Reader::State {
  hdf5::Context context;
  hdf5::File file;
};

Hdf5Reader::Hdf5Reader(const fs::path& path) : path_(path), state_(std::make_unique<State>()) {
  hdf5::silence_library_errors();
  const hdf5::Context open{path.string(), kOpenFailure};
  std::error_code error;
  if (!fs::exists(path, error)) {
    fs::path partial = path;
    partial += ".partial";
    if (fs::exists(partial, error)) {
      open.fail("it does not exist; " + in_quotes(partial.string()) +
                " is the output of a run that did not finish");
    }
    open.fail("it does not exist");
  }
  if (fs::is_directory(path, error)) open.fail("it is a directory");
  if (H5Fis_hdf5(path.c_str()) <= 0) open.fail("it is not an HDF5 file");
  state_->file = hdf5::make<hdf5::File>(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), open,
                                        "HDF5 failed to open it");
  // The version first: what "complete" means, and every name below, belong to a format.
  const std::string version_attribute = "gpumarket_format";
  if (H5Aexists(state_->file.get(), version_attribute.c_str()) <= 0) {
    open.fail("it has no format version (root attribute '" + version_attribute +
              "'): a gpumarket older than format " + std::string(Hdf5Recorder::kFormatVersion) +
              " wrote it, or another program did; run its scenario again to read it");
  }
  const std::string version =
      hdf5::read_string_attribute(state_->file.get(), "/", version_attribute, open);
  if (version != Hdf5Recorder::kFormatVersion) {
    open.fail("its format version is " + in_quotes(version) + ", but this gpumarket reads only " +
              "format " + std::string(Hdf5Recorder::kFormatVersion));
  }
  const std::string incomplete =
      "it is not marked complete, so the run that wrote it did not finish";
  const htri_t marked = H5Aexists(state_->file.get(), "complete");
  if (marked <= 0) open.fail(incomplete);
  const auto attribute = hdf5::make<hdf5::Attribute>(
      H5Aopen(state_->file.get(), "complete", H5P_DEFAULT), open, incomplete);
  int complete = 0;
  if (H5Aread(attribute.get(), H5T_NATIVE_INT, &complete) < 0 || complete != 1) {
    open.fail(incomplete);
  }
  // The mark alone proves nothing: every run's file has these groups, whatever its model.
  for (const std::string group : {"/provenance", "/summary"}) {
    if (!hdf5::has_link(state_->file.get(), group, open)) {
      open.fail("it is marked complete but has no group " + in_quotes(group) +
                ", which every run's file has: gpumarket did not write it, or it is damaged");
    }
  }
  state_->context = hdf5::Context{path.string(), kReadFailure};
}

Hdf5Reader::~Hdf5Reader() = default;
Hdf5Reader::Hdf5Reader(Hdf5Reader&& other) noexcept = default;
Hdf5Reader& Hdf5Reader::operator=(Hdf5Reader&& other) noexcept = default;

std::string Hdf5Reader::string_attribute(std::string_view name) const {
  hdf5::silence_library_errors();
  return hdf5::read_string_attribute(state_->file.get(), "/", std::string(name), state_->context);
}

uint64_t Hdf5Reader::uint64_attribute(std::string_view name) const {
  hdf5::silence_library_errors();
  return hdf5::read_uint64_attribute(state_->file.get(), "/", std::string(name), state_->context);
}

RunInfo Hdf5Reader::run_info() const {
  RunInfo info;
  info.scenario_file = string_attribute("scenario_file");
  info.scenario_text =
      hdf5::read_string_dataset(state_->file.get(), "/provenance/scenario_text", state_->context);
  info.resolved_scenario = hdf5::read_string_dataset(
      state_->file.get(), "/provenance/resolved_scenario", state_->context);
  info.seed = uint64_attribute("seed");
  info.program_version = string_attribute("program_version");
  info.start_date = string_attribute("start_date");
  const hdf5::Context& context = state_->context;
  const hdf5::Group provenance = hdf5::open_group(state_->file.get(), "/provenance", context);
  const hid_t group = provenance.get();
  info.command_line = hdf5::read_string_attribute(group, "/provenance", "command_line", context);
  info.overrides = hdf5::read_strings_attribute(group, "/provenance", "overrides", context);
  const std::vector<std::string> dates =
      hdf5::read_strings_attribute(group, "/provenance", "timeline_dates", context);
  const std::vector<std::string> labels =
      hdf5::read_strings_attribute(group, "/provenance", "timeline_labels", context);
  if (dates.size() != labels.size()) {
    context.fail("its provenance has " + std::to_string(dates.size()) + " timeline dates but " +
                 std::to_string(labels.size()) + " labels");
  }
  for (size_t i = 0; i < dates.size(); ++i) info.timeline.push_back({dates[i], labels[i]});
  return info;
}

std::vector<SummaryValue> Hdf5Reader::summary() const {
  hdf5::silence_library_errors();
  const hdf5::Context& context = state_->context;
  const hdf5::Group group = hdf5::open_group(state_->file.get(), "/summary", context);
  std::vector<SummaryValue> values;
  for (std::string& name : hdf5::link_names(group.get(), "/summary", context)) {
    SummaryValue value;
    value.name = std::move(name);
    const std::string path = "/summary/" + value.name;
    const hdf5::Dataset dataset = hdf5::open_dataset(state_->file.get(), path, context);
    const auto space =
        hdf5::make<hdf5::Dataspace>(H5Dget_space(dataset.get()), context,
                                    "HDF5 failed to read the shape of " + in_quotes(path));
    if (H5Sget_simple_extent_npoints(space.get()) != 1) {
      context.fail("dataset " + in_quotes(path) + " is not a single value");
    }
    hdf5::check(
        H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value.value),
        context, "HDF5 failed to read dataset " + in_quotes(path));
    value.unit = hdf5::read_string_attribute(dataset.get(), path, "units_label", context);
    value.description = hdf5::read_string_attribute(dataset.get(), path, "long_name", context);
    values.push_back(std::move(value));
  }
  return values;
}

Hdf5Reader::Series Hdf5Reader::series(std::string_view group, std::string_view name) const {
  hdf5::silence_library_errors();
  const hdf5::Context& context = state_->context;
  std::string path;
  if (!group.empty()) {
    path += "/";
    path += group;
  }
  path += "/";
  path += name;
  const hdf5::Dataset dataset = hdf5::open_dataset(state_->file.get(), path, context, "series");
  const auto space = hdf5::make<hdf5::Dataspace>(
      H5Dget_space(dataset.get()), context, "HDF5 failed to read the shape of " + in_quotes(path));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  hdf5::check(rank, context, "HDF5 failed to read the shape of " + in_quotes(path));
  if (rank != 1 && rank != 2) {
    context.fail("dataset " + in_quotes(path) + " is not a series (it has " + std::to_string(rank) +
                 " dimensions)");
  }
  std::array<hsize_t, 2> dims = {0, 1};
  hdf5::check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), context,
              "HDF5 failed to read the shape of " + in_quotes(path));

  Series result;
  result.spec.group = std::string(group);
  result.spec.name = std::string(name);
  result.spec.unit = hdf5::read_string_attribute(dataset.get(), path, "units_label", context);
  result.spec.description = hdf5::read_string_attribute(dataset.get(), path, "long_name", context);
  result.spec.is_time = name == "time";
  if (rank == 2) {
    result.spec.columns = hdf5::read_strings_attribute(dataset.get(), path, "columns", context);
    result.spec.axis = column_axis(dataset.get(), path, context);
    if (result.spec.columns.size() != dims[1]) {
      context.fail("dataset " + in_quotes(path) + " has " + std::to_string(dims[1]) +
                   " columns but names " + std::to_string(result.spec.columns.size()));
    }
  }
  result.rows = dims[0];
  result.values.resize(dims[0] * dims[1]);
  if (!result.values.empty()) {
    hdf5::check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                        result.values.data()),
                context, "HDF5 failed to read dataset " + in_quotes(path));
  }
  return result;
}

}  // namespace gpumarket
