#include "gpumarket/io/sweep_result_file.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cmath>
#include <system_error>
#include <utility>

#include "hdf5_objects.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;
using hdf5::Context;
using hdf5::in_quotes;

// HDF5's default creation properties, unlike a run's file: a sweep result is not meant to be
// byte-reproducible, since its timing column differs from run to run anyway.
constexpr hid_t kDefaultCreation = H5P_DEFAULT;

hdf5::Dataset write_column(hid_t file, const std::string& path, const std::vector<uint64_t>& v,
                           const Context& c) {
  const hdf5::Dataspace space = hdf5::vector_space(v.size(), c);
  return hdf5::write_dataset(file, path, H5T_STD_U64LE, H5T_NATIVE_UINT64, space.get(), v.data(),
                             kDefaultCreation, c);
}

hdf5::Dataset write_column(hid_t file, const std::string& path, const std::vector<double>& v,
                           const Context& c) {
  const hdf5::Dataspace space = hdf5::vector_space(v.size(), c);
  return hdf5::write_dataset(file, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(), v.data(),
                             kDefaultCreation, c);
}

hdf5::Dataset write_column(hid_t file, const std::string& path, const std::vector<std::string>& v,
                           const Context& c) {
  const hdf5::Datatype type = hdf5::string_type(c);
  const hdf5::Dataspace space = hdf5::vector_space(v.size(), c);
  std::vector<const char*> data;
  data.reserve(v.size());
  for (const std::string& s : v) data.push_back(s.c_str());
  return hdf5::write_dataset(file, path, type.get(), type.get(), space.get(), data.data(),
                             kDefaultCreation, c);
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

bool is_string_dataset(hid_t dataset, const std::string& path, const Context& c) {
  const auto type = hdf5::make<hdf5::Datatype>(
      H5Dget_type(dataset), c, "HDF5 failed to read the type of " + in_quotes(path));
  return H5Tget_class(type.get()) == H5T_STRING;
}

// The names of the datasets in `group`, in the order of their attribute `order` (HDF5 lists
// links by name; `order` restores the sweep file's order of axes and indicators).
std::vector<std::string> ordered_names(hid_t file, const std::string& group, const Context& c) {
  const hdf5::Group g = hdf5::open_group(file, group, c);
  std::vector<std::pair<uint64_t, std::string>> ordered;
  for (std::string& name : hdf5::link_names(g.get(), group, c)) {
    std::string path = group;
    path += '/';
    path += name;
    const hdf5::Dataset dataset = hdf5::open_dataset(file, path, c);
    const uint64_t order = hdf5::has_attribute(dataset.get(), path, "order", c)
                               ? hdf5::read_uint64_attribute(dataset.get(), path, "order", c)
                               : ordered.size();
    ordered.emplace_back(order, std::move(name));
  }
  std::sort(ordered.begin(), ordered.end());
  std::vector<std::string> names;
  names.reserve(ordered.size());
  for (auto& [order, name] : ordered) names.push_back(std::move(name));
  return names;
}

void copy_series(hid_t destination, const std::string& file, const std::string& object,
                 const Context& c) {
  const auto source =
      hdf5::make<hdf5::File>(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), c,
                             "HDF5 failed to open the series file " + in_quotes(file));
  const auto group = hdf5::make<hdf5::Group>(
      H5Gopen2(source.get(), object.c_str(), H5P_DEFAULT), c,
      "the series file " + in_quotes(file) + " has no group " + in_quotes(object));
  for (const std::string& name : hdf5::link_names(group.get(), object, c)) {
    if (name == "provenance") continue;  // the sweep's provenance covers it
    hdf5::check(
        H5Ocopy(group.get(), name.c_str(), destination, name.c_str(), H5P_DEFAULT, H5P_DEFAULT), c,
        "HDF5 failed to copy " + in_quotes(name) + " of " + in_quotes(file));
  }
}

std::string row_group(uint64_t row) { return "/series/row_" + std::to_string(row); }

}  // namespace

void write_sweep_result(const fs::path& path, const SweepResult& r) {
  hdf5::silence_library_errors();
  const Context c{path.string(), "cannot write the sweep result"};
  const fs::path partial = path.string() + ".partial";
  std::error_code ignored;
  fs::remove(partial, ignored);
  auto file = hdf5::make<hdf5::File>(
      H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, kDefaultCreation, H5P_DEFAULT), c,
      "cannot create the file (does its directory exist and is it writable?)");
  const hid_t root = file.get();
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

  hdf5::create_group(root, "/points", kDefaultCreation, c);
  write_column(root, "/points/row", r.row, c);
  write_column(root, "/points/point", r.point, c);
  write_column(root, "/points/replication", r.replication, c);
  write_column(root, "/points/seed", r.seed, c);
  write_column(root, "/points/status", r.status, c);
  write_column(root, "/points/error", r.error, c);
  hdf5::create_group(root, "/points/axis", kDefaultCreation, c);
  for (size_t a = 0; a < r.axis_names.size(); ++a) {
    const std::string axis = "/points/axis/" + r.axis_names[a];
    const hdf5::Dataset d = r.axis_numeric[a] ? write_column(root, axis, r.axis_number[a], c)
                                              : write_column(root, axis, r.axis_text[a], c);
    hdf5::write_string_attribute(d.get(), axis, "path", r.axis_paths[a], c);
    hdf5::write_uint64_attribute(d.get(), axis, "order", a, c);
  }
  hdf5::create_group(root, "/points/indicator", kDefaultCreation, c);
  for (size_t k = 0; k < r.indicator_names.size(); ++k) {
    const std::string indicator = "/points/indicator/" + r.indicator_names[k];
    const hdf5::Dataset d = write_column(root, indicator, r.indicator[k], c);
    hdf5::write_uint64_attribute(d.get(), indicator, "order", k, c);
  }

  hdf5::create_group(root, "/timing", kDefaultCreation, c);
  write_column(root, "/timing/run_seconds", r.run_seconds, c);

  const bool any_series = std::any_of(r.series_file.begin(), r.series_file.end(),
                                      [](const std::string& f) { return !f.empty(); });
  if (any_series) {
    hdf5::create_group(root, "/series", kDefaultCreation, c);
    for (size_t i = 0; i < r.size(); ++i) {
      if (i >= r.series_file.size() || r.series_file[i].empty()) continue;
      const hdf5::Group row = hdf5::create_group(root, row_group(r.row[i]), kDefaultCreation, c);
      copy_series(row.get(), r.series_file[i], r.series_object[i], c);
    }
  }
  hdf5::check(H5Fflush(root, H5F_SCOPE_GLOBAL), c, "HDF5 failed to flush the file");
  if (!file.close()) c.fail("HDF5 failed to close " + in_quotes(partial.string()));

  // Durable before it is published under its final name, as a run's file.
  hdf5::sync_to_disk(partial, O_RDONLY, c);
  std::error_code error;
  fs::rename(partial, path, error);
  if (error) c.fail("cannot rename " + in_quotes(partial.string()) + " to it: " + error.message());
  const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
  hdf5::sync_to_disk(directory, O_RDONLY | O_DIRECTORY, c);
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

  r.row = read_column<uint64_t>(root, "/points/row", H5T_NATIVE_UINT64, c);
  r.point = read_column<uint64_t>(root, "/points/point", H5T_NATIVE_UINT64, c);
  r.replication = read_column<uint64_t>(root, "/points/replication", H5T_NATIVE_UINT64, c);
  r.seed = read_column<uint64_t>(root, "/points/seed", H5T_NATIVE_UINT64, c);
  r.status = read_string_column(root, "/points/status", c);
  r.error = read_string_column(root, "/points/error", c);
  for (const std::string& name : ordered_names(root, "/points/axis", c)) {
    const std::string axis = "/points/axis/" + name;
    const hdf5::Dataset d = hdf5::open_dataset(root, axis, c);
    r.axis_names.push_back(name);
    r.axis_paths.push_back(hdf5::read_string_attribute(d.get(), axis, "path", c));
    const bool is_string = is_string_dataset(d.get(), axis, c);
    r.axis_numeric.push_back(!is_string);
    if (is_string) {
      r.axis_text.push_back(read_string_column(root, axis, c));
      r.axis_number.emplace_back(r.axis_text.back().size(), std::nan(""));
    } else {
      r.axis_number.push_back(read_column<double>(root, axis, H5T_NATIVE_DOUBLE, c));
      r.axis_text.emplace_back();
    }
  }
  for (const std::string& name : ordered_names(root, "/points/indicator", c)) {
    r.indicator_names.push_back(name);
    r.indicator.push_back(
        read_column<double>(root, "/points/indicator/" + name, H5T_NATIVE_DOUBLE, c));
  }
  r.run_seconds = read_column<double>(root, "/timing/run_seconds", H5T_NATIVE_DOUBLE, c);

  r.series_file.assign(r.size(), "");
  r.series_object.assign(r.size(), "");
  if (hdf5::has_link(root, "/series", c)) {
    for (size_t i = 0; i < r.size(); ++i) {
      const std::string group = row_group(r.row[i]);
      if (hdf5::has_link(root, group, c)) {
        r.series_file[i] = path.string();
        r.series_object[i] = group;
      }
    }
  }
  const size_t n = r.size();
  auto check_size = [&](size_t size, const std::string& what) {
    if (size != n) {
      c.fail("column " + what + " has " + std::to_string(size) + " rows, /points/row has " +
             std::to_string(n));
    }
  };
  check_size(r.point.size(), "point");
  check_size(r.status.size(), "status");
  for (size_t k = 0; k < r.indicator.size(); ++k) {
    check_size(r.indicator[k].size(), r.indicator_names[k]);
  }
  return r;
}

}  // namespace gpumarket
