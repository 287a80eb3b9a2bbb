#include "gpumarket/io/sweep_result_file.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

#include "ensemble_bands.hpp"
#include "hdf5_objects.hpp"
#include "partial_file.hpp"
#include "sweep_result_file_series.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;
using hdf5::Context;
using hdf5::in_quotes;

// HDF5's default creation properties, unlike a run's file: a sweep result is not meant to be
// byte-reproducible, since its timing column differs from run to run anyway.
constexpr hid_t kDefaultCreation = H5P_DEFAULT;
// The attribute that tells a reader which columns are axes and which indicators; `order`
// restores the sweep file's order (HDF5 lists links by name).
constexpr const char* kRole = "gpumarket_role";
// Names of the root that are not axes or indicators.
constexpr std::array<std::string_view, 11> kFixedNames = {
    "row",    "point",  "replication", "seed",  "status", "error",
    "timing", "series", "provenance",  "bands", "design"};

// Numbers are stored checksummed (hdf5_objects.hpp); text comes from the global heap, which a
// checksum of its heap IDs would not cover, and keeps HDF5's default layout.
hdf5::Dataset write_column(hid_t file, const std::string& path, hid_t file_type, hid_t memory_type,
                           size_t size, const void* data, const Context& c) {
  const hdf5::Dataspace space = hdf5::vector_space(size, c);
  const bool text = H5Tget_class(file_type) == H5T_STRING;
  const hdf5::PropertyList creation =
      text ? hdf5::PropertyList()
           : hdf5::checksummed_creation(kDefaultCreation, {size}, H5Tget_size(file_type), c);
  return hdf5::write_dataset(file, path, file_type, memory_type, space.get(), data,
                             text ? kDefaultCreation : creation.get(), c);
}

hdf5::Dataset write_column(hid_t file, const std::string& path, const std::vector<uint64_t>& v,
                           const Context& c) {
  return write_column(file, path, H5T_STD_U64LE, H5T_NATIVE_UINT64, v.size(), v.data(), c);
}

hdf5::Dataset write_column(hid_t file, const std::string& path, const std::vector<int64_t>& v,
                           const Context& c) {
  return write_column(file, path, H5T_STD_I64LE, H5T_NATIVE_INT64, v.size(), v.data(), c);
}

hdf5::Dataset write_column(hid_t file, const std::string& path, const std::vector<double>& v,
                           const Context& c) {
  return write_column(file, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.size(), v.data(), c);
}

hdf5::Dataset write_column(hid_t file, const std::string& path, const std::vector<std::string>& v,
                           const Context& c) {
  const hdf5::Datatype type = hdf5::string_type(c);
  std::vector<const char*> data;
  data.reserve(v.size());
  for (const std::string& s : v) data.push_back(s.c_str());
  return write_column(file, path, type.get(), type.get(), v.size(), data.data(), c);
}

size_t column_size(hid_t dataset, const std::string& path, const Context& c) {
  const auto space = hdf5::make<hdf5::Dataspace>(
      H5Dget_space(dataset), c, "HDF5 failed to read the shape of " + in_quotes(path));
  if (H5Sget_simple_extent_ndims(space.get()) != 1) {
    c.fail("dataset " + in_quotes(path) + " is not a points column (1-D)");
  }
  hsize_t size = 0;
  hdf5::check(H5Sget_simple_extent_dims(space.get(), &size, nullptr), c,
              "HDF5 failed to read the shape of " + in_quotes(path));
  return size;
}

template <class T>
std::vector<T> read_column(hid_t file, const std::string& path, hid_t memory_type,
                           const Context& c) {
  const hdf5::Dataset dataset = hdf5::open_dataset(file, path, c);
  std::vector<T> v(column_size(dataset.get(), path, c));
  if (!v.empty()) {
    hdf5::check(H5Dread(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), c,
                "HDF5 failed to read dataset " + in_quotes(path));
  }
  return v;
}

std::vector<std::string> read_string_column(hid_t file, const std::string& path, const Context& c) {
  const hdf5::Dataset dataset = hdf5::open_dataset(file, path, c);
  column_size(dataset.get(), path, c);
  return hdf5::read_strings(dataset.get(), path, c);
}

H5T_class_t type_class(hid_t dataset, const std::string& path, const Context& c) {
  const auto type = hdf5::make<hdf5::Datatype>(
      H5Dget_type(dataset), c, "HDF5 failed to read the type of " + in_quotes(path));
  return H5Tget_class(type.get());
}

std::string optional_attribute(hid_t object, const std::string& path, const std::string& name,
                               const Context& c) {
  return hdf5::has_attribute(object, path, name, c)
             ? hdf5::read_string_attribute(object, path, name, c)
             : std::string();
}

// Every column's name once: the fixed ones, the axes and the indicators share the root.
void check_names(const SweepResult& r, const Context& c) {
  std::set<std::string> names(kFixedNames.begin(), kFixedNames.end());
  const auto claim = [&](const std::string& name, const char* what) {
    if (!names.insert(name).second) {
      c.fail("the " + std::string(what) + " name " + in_quotes(name) +
             " is also the name of another column of the points table (row, point, "
             "replication, seed, status, error, an axis or an indicator); rename the axis");
    }
  };
  for (const std::string& name : r.axis_names) claim(name, "axis");
  for (const std::string& name : r.indicator_names) claim(name, "indicator");
  const size_t axes = r.axis_names.size();
  if (r.axis_paths.size() != axes || r.axis_numeric.size() != axes ||
      r.axis_integer.size() != axes || r.axis_units.size() != axes) {
    c.fail("the axes' names, paths, kinds and units differ in number");
  }
  const size_t indicators = r.indicator_names.size();
  if (r.indicator_units.size() != indicators || r.indicator_descriptions.size() != indicators) {
    c.fail("the indicators' names, units and descriptions differ in number");
  }
}

// The columns that identify a row, for CF's `coordinates` attribute of the other columns:
// xarray then makes them coordinates along `row`.
std::string coordinates_of(const SweepResult& r) {
  std::string names = "point replication seed";
  for (const std::string& axis : r.axis_names) names += " " + axis;
  return names;
}

class ColumnWriter {
 public:
  ColumnWriter(hid_t root, hid_t row_scale, const Context& c)
      : root_(root), row_scale_(row_scale), c_(c) {}

  // Attaches a column to `row` and gives it a long name (and a unit label when not "").
  template <class T>
  hdf5::Dataset write(const std::string& path, const std::vector<T>& values,
                      const std::string& long_name, const std::string& unit_label) const {
    hdf5::Dataset d = write_column(root_, path, values, c_);
    hdf5::check(H5DSattach_scale(d.get(), row_scale_, 0), c_,
                "HDF5 failed to attach " + in_quotes(path) + " to 'row'");
    hdf5::write_string_attribute(d.get(), path, "long_name", long_name, c_);
    if (!unit_label.empty()) hdf5::write_unit_attributes(d.get(), path, unit_label, c_);
    return d;
  }

 private:
  hid_t root_;
  hid_t row_scale_;
  const Context& c_;
};

// /design: each row's place in the Morris or Sobol design, which sweep-analyse reads.
void write_design(hid_t root, const SweepResult& r, const ColumnWriter& column, const Context& c) {
  if (r.design_role.size() != r.size()) c.fail("the design's roles and the rows differ in number");
  const hdf5::Group group = hdf5::create_group(root, "/design", kDefaultCreation, c);
  hdf5::write_string_attribute(group.get(), "/design", "kind", r.design.kind, c);
  hdf5::write_strings_attribute(group.get(), "/design", "parameters", r.design.parameters, c);
  hdf5::write_uint64_attribute(group.get(), "/design", "levels", r.design.levels, c);
  hdf5::write_uint64_attribute(group.get(), "/design", "trajectories", r.design.trajectories, c);
  hdf5::write_uint64_attribute(group.get(), "/design", "base_samples", r.design.base_samples, c);
  std::vector<std::string> matrix;
  std::vector<uint64_t> sample, step;
  std::vector<int64_t> parameter;
  std::vector<double> delta;
  for (const DesignRole& role : r.design_role) {
    matrix.push_back(role.matrix);
    sample.push_back(role.sample);
    parameter.push_back(role.parameter);
    step.push_back(role.step);
    delta.push_back(role.delta);
  }
  column.write("/design/matrix", matrix, "Sobol matrix (A, B, AB) or Morris trajectory", "");
  column.write("/design/sample", sample, "Sobol base row or Morris trajectory", "");
  column.write("/design/parameter", parameter,
               "parameter taken from B (AB) or moved by the Morris step; -1 for none", "");
  column.write("/design/step", step, "step along the Morris trajectory", "");
  column.write("/design/delta", delta, "signed move of the parameter in the unit cube", "");
}

void write_points(hid_t root, const SweepResult& r, const Context& c) {
  const hdf5::Dataset row = write_column(root, "/row", r.row, c);
  hdf5::check(H5DSset_scale(row.get(), "row"), c, "HDF5 failed to make '/row' a dimension");
  hdf5::write_string_attribute(row.get(), "/row", "long_name",
                               "row of the points table: point * replications + replication", c);
  const ColumnWriter column(root, row.get(), c);
  const std::string coordinates = coordinates_of(r);
  column.write("/point", r.point, "point: index of the axes' values", "");
  column.write("/replication", r.replication, "replication of the point", "");
  column.write("/seed", r.seed, "scenario seed of the row", "");
  for (size_t a = 0; a < r.axis_names.size(); ++a) {
    const std::string path = "/" + r.axis_names[a];
    // An axis of scenario files has no path: each value is a file.
    const std::string long_name =
        r.axis_paths[a].empty() ? "scenario file" : "scenario value " + r.axis_paths[a];
    hdf5::Dataset d;
    if (!r.axis_numeric[a]) {
      d = column.write(path, r.axis_text[a], long_name, "");
    } else if (r.axis_integer[a]) {
      std::vector<int64_t> values;
      values.reserve(r.axis_number[a].size());
      for (double x : r.axis_number[a]) values.push_back(std::llround(x));
      d = column.write(path, values, long_name, r.axis_units[a]);
    } else {
      d = column.write(path, r.axis_number[a], long_name, r.axis_units[a]);
    }
    hdf5::write_string_attribute(d.get(), path, kRole, "axis", c);
    hdf5::write_string_attribute(d.get(), path, "path", r.axis_paths[a], c);
    hdf5::write_uint64_attribute(d.get(), path, "order", a, c);
  }
  for (size_t k = 0; k < r.indicator_names.size(); ++k) {
    const std::string path = "/" + r.indicator_names[k];
    const std::string& description = r.indicator_descriptions[k];
    const hdf5::Dataset d =
        column.write(path, r.indicator[k], description.empty() ? r.indicator_names[k] : description,
                     r.indicator_units[k]);
    hdf5::write_string_attribute(d.get(), path, kRole, "indicator", c);
    hdf5::write_uint64_attribute(d.get(), path, "order", k, c);
    hdf5::write_string_attribute(d.get(), path, "coordinates", coordinates, c);
  }
  const hdf5::Dataset status = column.write("/status", r.status, "done, failed or pending", "");
  hdf5::write_string_attribute(status.get(), "/status", "coordinates", coordinates, c);
  const hdf5::Dataset error =
      column.write("/error", r.error, "the error of a failed row, else empty", "");
  hdf5::write_string_attribute(error.get(), "/error", "coordinates", coordinates, c);

  hdf5::create_group(root, "/timing", kDefaultCreation, c);
  column.write("/timing/run_seconds", r.run_seconds, "wall time of the row's run", "s");
  if (!r.design.kind.empty()) write_design(root, r, column, c);
}

void write_series(hid_t root, const SweepResult& r, const Context& c) {
  std::vector<hdf5::SeriesSource> sources;
  for (size_t i = 0; i < r.size(); ++i) {
    if (i < r.series_file.size() && !r.series_file[i].empty()) {
      sources.push_back({r.row[i], r.series_file[i], r.series_object[i]});
    }
  }
  hdf5::write_sweep_series(root, sources, c);
}

// The axis and indicator columns of the root, each kind in its `order`.
struct RoleColumns {
  std::vector<std::string> axes, indicators;
};

RoleColumns role_columns(hid_t root, const Context& c) {
  std::vector<std::pair<uint64_t, std::string>> axes, indicators;
  for (std::string& name : hdf5::link_names(root, "/", c)) {
    const std::string path = "/" + name;
    if (H5Oexists_by_name(root, path.c_str(), H5P_DEFAULT) <= 0) continue;
    const hdf5::Object object(H5Oopen(root, path.c_str(), H5P_DEFAULT));
    if (!object.valid() || H5Iget_type(object.get()) != H5I_DATASET) continue;
    const hdf5::Dataset d = hdf5::open_dataset(root, path, c);
    const std::string role = optional_attribute(d.get(), path, kRole, c);
    if (role.empty()) continue;
    const uint64_t order = hdf5::read_uint64_attribute(d.get(), path, "order", c);
    (role == "axis" ? axes : indicators).emplace_back(order, std::move(name));
  }
  std::sort(axes.begin(), axes.end());
  std::sort(indicators.begin(), indicators.end());
  RoleColumns columns;
  for (auto& [order, name] : axes) columns.axes.push_back(std::move(name));
  for (auto& [order, name] : indicators) columns.indicators.push_back(std::move(name));
  return columns;
}

void read_axis(hid_t root, const std::string& name, SweepResult& r, const Context& c) {
  const std::string path = "/" + name;
  const hdf5::Dataset d = hdf5::open_dataset(root, path, c);
  r.axis_names.push_back(name);
  r.axis_paths.push_back(hdf5::read_string_attribute(d.get(), path, "path", c));
  r.axis_units.push_back(optional_attribute(d.get(), path, "units_label", c));
  const H5T_class_t kind = type_class(d.get(), path, c);
  r.axis_numeric.push_back(kind != H5T_STRING);
  r.axis_integer.push_back(kind == H5T_INTEGER);
  if (kind == H5T_STRING) {
    r.axis_text.push_back(read_string_column(root, path, c));
    r.axis_number.emplace_back(r.axis_text.back().size(), std::nan(""));
    return;
  }
  r.axis_text.emplace_back();
  if (kind == H5T_INTEGER) {
    const std::vector<int64_t> values = read_column<int64_t>(root, path, H5T_NATIVE_INT64, c);
    r.axis_number.emplace_back(values.begin(), values.end());
  } else {
    r.axis_number.push_back(read_column<double>(root, path, H5T_NATIVE_DOUBLE, c));
  }
}

void read_indicator(hid_t root, const std::string& name, SweepResult& r, const Context& c) {
  const std::string path = "/" + name;
  const hdf5::Dataset d = hdf5::open_dataset(root, path, c);
  r.indicator_names.push_back(name);
  r.indicator_units.push_back(optional_attribute(d.get(), path, "units_label", c));
  const std::string long_name = optional_attribute(d.get(), path, "long_name", c);
  r.indicator_descriptions.push_back(long_name == name ? std::string() : long_name);
  r.indicator.push_back(read_column<double>(root, path, H5T_NATIVE_DOUBLE, c));
}

// The design columns, when the file has /design.
void read_design(hid_t root, SweepResult& r, const Context& c) {
  if (!hdf5::has_link(root, "/design", c)) return;
  const hdf5::Group group = hdf5::open_group(root, "/design", c);
  r.design.kind = hdf5::read_string_attribute(group.get(), "/design", "kind", c);
  r.design.parameters = hdf5::read_strings_attribute(group.get(), "/design", "parameters", c);
  r.design.levels = hdf5::read_uint64_attribute(group.get(), "/design", "levels", c);
  r.design.trajectories = hdf5::read_uint64_attribute(group.get(), "/design", "trajectories", c);
  r.design.base_samples = hdf5::read_uint64_attribute(group.get(), "/design", "base_samples", c);
  const auto matrix = read_string_column(root, "/design/matrix", c);
  const auto sample = read_column<uint64_t>(root, "/design/sample", H5T_NATIVE_UINT64, c);
  const auto parameter = read_column<int64_t>(root, "/design/parameter", H5T_NATIVE_INT64, c);
  const auto step = read_column<uint64_t>(root, "/design/step", H5T_NATIVE_UINT64, c);
  const auto delta = read_column<double>(root, "/design/delta", H5T_NATIVE_DOUBLE, c);
  for (const size_t size : {matrix.size(), sample.size(), parameter.size(), step.size()}) {
    if (size != delta.size()) c.fail("the columns of /design differ in length");
  }
  r.design_role.reserve(matrix.size());
  for (size_t i = 0; i < matrix.size(); ++i) {
    if (parameter[i] >= static_cast<int64_t>(r.design.parameters.size())) {
      c.fail("/design/parameter names a parameter the design does not have");
    }
    r.design_role.push_back({matrix[i], sample[i], parameter[i], step[i], delta[i]});
  }
}

}  // namespace

void write_sweep_result(const fs::path& path, const SweepResult& r) {
  hdf5::silence_library_errors();
  const Context c{path.string(), "cannot write the sweep result"};
  check_names(r, c);
  hdf5::PartialFile partial(path, c);
  const hdf5::PropertyList access = partial.file_access();
  // The 1.8 format, as a run's file: its object headers carry checksums (of attributes too).
  hdf5::check(H5Pset_libver_bounds(access.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), c,
              "HDF5 failed to set up file properties");
  auto file = hdf5::make<hdf5::File>(
      H5Fcreate(partial.path().c_str(), H5F_ACC_TRUNC, kDefaultCreation, access.get()), c,
      "HDF5 failed to create " + in_quotes(partial.path().string()));
  const hid_t root = file.get();
  hdf5::write_string_attribute(root, "/", "Conventions", "CF-1.8", c);
  hdf5::write_string_attribute(root, "/", "format", r.format, c);
  hdf5::write_string_attribute(root, "/", "program_version", r.program_version, c);
  hdf5::write_string_attribute(root, "/", "fingerprint", r.fingerprint, c);
  hdf5::write_uint64_attribute(root, "/", "sweep_seed", r.sweep_seed, c);
  hdf5::write_uint64_attribute(root, "/", "replications", r.replications, c);
  hdf5::write_uint64_attribute(root, "/", "points_total", r.points_total, c);
  hdf5::write_uint64_attribute(root, "/", "rows_total", r.rows_total, c);
  hdf5::write_uint64_attribute(root, "/", "shard_index", r.shard_index, c);
  hdf5::write_uint64_attribute(root, "/", "shard_count", r.shard_count, c);
  hdf5::write_uint64_attribute(root, "/", "common_random_numbers", r.common_random_numbers ? 1 : 0,
                               c);

  hdf5::create_group(root, "/provenance", kDefaultCreation, c);
  hdf5::write_string_dataset(root, "/provenance/sweep_file", r.sweep_text, kDefaultCreation, c);
  hdf5::write_string_dataset(root, "/provenance/sweep_path", r.sweep_path, kDefaultCreation, c);
  hdf5::write_string_dataset(root, "/provenance/base_scenario", r.base_scenario, kDefaultCreation,
                             c);
  write_points(root, r, c);
  write_series(root, r, c);
  if (!r.band_quantiles.empty())
    hdf5::write_ensemble_bands(root, r.band_files, r.band_quantiles, c);

  hdf5::check(H5Fflush(root, H5F_SCOPE_GLOBAL), c, "HDF5 failed to flush the file");
  if (!file.close()) {
    hdf5::fail_call(c, "HDF5 failed to close " + in_quotes(partial.path().string()));
  }
  // Durable before it is published under its final name, as a run's file.
  partial.publish();
}

SweepResult read_sweep_result(const fs::path& path) {
  hdf5::silence_library_errors();
  const Context c{path.string(), "cannot read the sweep result"};
  if (!fs::exists(path)) c.fail("the file does not exist");
  const auto file = hdf5::make<hdf5::File>(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), c,
                                           "not an HDF5 file");
  const hid_t root = file.get();
  SweepResult r;
  r.format = hdf5::read_string_attribute(root, "/", "format", c);
  if (!r.format.starts_with("gpumarket-sweep")) c.fail("not a gpumarket sweep result");
  if (r.format != kSweepFormat) {
    c.fail("its format is " + in_quotes(r.format) + " but this gpumarket reads " +
           in_quotes(kSweepFormat) + "; run the sweep again with this version");
  }
  r.program_version = hdf5::read_string_attribute(root, "/", "program_version", c);
  r.fingerprint = hdf5::read_string_attribute(root, "/", "fingerprint", c);
  r.sweep_seed = hdf5::read_uint64_attribute(root, "/", "sweep_seed", c);
  r.replications = hdf5::read_uint64_attribute(root, "/", "replications", c);
  r.points_total = hdf5::read_uint64_attribute(root, "/", "points_total", c);
  r.rows_total = hdf5::read_uint64_attribute(root, "/", "rows_total", c);
  r.shard_index = hdf5::read_uint64_attribute(root, "/", "shard_index", c);
  r.shard_count = hdf5::read_uint64_attribute(root, "/", "shard_count", c);
  r.common_random_numbers = hdf5::read_uint64_attribute(root, "/", "common_random_numbers", c) != 0;

  r.sweep_text = hdf5::read_string_dataset(root, "/provenance/sweep_file", c);
  r.sweep_path = hdf5::read_string_dataset(root, "/provenance/sweep_path", c);
  r.base_scenario = hdf5::read_string_dataset(root, "/provenance/base_scenario", c);

  r.row = read_column<uint64_t>(root, "/row", H5T_NATIVE_UINT64, c);
  r.point = read_column<uint64_t>(root, "/point", H5T_NATIVE_UINT64, c);
  r.replication = read_column<uint64_t>(root, "/replication", H5T_NATIVE_UINT64, c);
  r.seed = read_column<uint64_t>(root, "/seed", H5T_NATIVE_UINT64, c);
  r.status = read_string_column(root, "/status", c);
  r.error = read_string_column(root, "/error", c);
  const RoleColumns columns = role_columns(root, c);
  for (const std::string& name : columns.axes) read_axis(root, name, r, c);
  for (const std::string& name : columns.indicators) read_indicator(root, name, r, c);
  r.run_seconds = read_column<double>(root, "/timing/run_seconds", H5T_NATIVE_DOUBLE, c);
  read_design(root, r, c);

  const std::vector<uint64_t> with_series = hdf5::sweep_series_rows(root, c);
  r.series_file.assign(r.size(), "");
  r.series_object.assign(r.size(), "");
  for (size_t i = 0; i < r.size(); ++i) {
    if (std::binary_search(with_series.begin(), with_series.end(), r.row[i])) {
      r.series_file[i] = path.string();
      r.series_object[i] = "/series";
    }
  }
  const size_t n = r.size();
  auto check_size = [&](size_t size, const std::string& what) {
    if (size != n) {
      c.fail("column " + what + " has " + std::to_string(size) + " rows, /row has " +
             std::to_string(n));
    }
  };
  check_size(r.point.size(), "point");
  check_size(r.replication.size(), "replication");
  check_size(r.seed.size(), "seed");
  check_size(r.status.size(), "status");
  check_size(r.error.size(), "error");
  check_size(r.run_seconds.size(), "run_seconds");
  if (!r.design.kind.empty()) check_size(r.design_role.size(), "design/matrix");
  for (size_t a = 0; a < r.axis_names.size(); ++a) {
    check_size(r.axis_number[a].size(), r.axis_names[a]);
  }
  for (size_t k = 0; k < r.indicator.size(); ++k) {
    check_size(r.indicator[k].size(), r.indicator_names[k]);
  }
  return r;
}

}  // namespace gpumarket
