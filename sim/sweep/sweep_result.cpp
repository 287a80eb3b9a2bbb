#include "gpumarket/sweep/sweep_result.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "../io/hdf5_handle.hpp"
#include "gpumarket/core/error.hpp"

namespace gpumarket {
namespace {

using hdf5::Context;

hdf5::Datatype string_type(const Context& c) {
  auto t = hdf5::make<hdf5::Datatype>(H5Tcopy(H5T_C_S1), c, "cannot make a string type");
  hdf5::check(H5Tset_size(t.get(), H5T_VARIABLE), c, "cannot make a string type");
  hdf5::check(H5Tset_cset(t.get(), H5T_CSET_UTF8), c, "cannot make a string type");
  return t;
}

void write_string_attribute(hid_t object, const char* name, const std::string& value,
                            const Context& c) {
  const auto type = string_type(c);
  const auto space = hdf5::make<hdf5::Dataspace>(H5Screate(H5S_SCALAR), c, "cannot make a space");
  const auto attr = hdf5::make<hdf5::Attribute>(
      H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), c,
      fmt::format("cannot create attribute {}", name));
  const char* p = value.c_str();
  hdf5::check(H5Awrite(attr.get(), type.get(), &p), c, fmt::format("cannot write {}", name));
}

void write_u64_attribute(hid_t object, const char* name, uint64_t value, const Context& c) {
  const auto space = hdf5::make<hdf5::Dataspace>(H5Screate(H5S_SCALAR), c, "cannot make a space");
  const auto attr = hdf5::make<hdf5::Attribute>(
      H5Acreate2(object, name, H5T_STD_U64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), c,
      fmt::format("cannot create attribute {}", name));
  hdf5::check(H5Awrite(attr.get(), H5T_NATIVE_UINT64, &value), c,
              fmt::format("cannot write {}", name));
}

std::string read_string_attribute(hid_t object, const char* name, const Context& c) {
  const auto attr = hdf5::make<hdf5::Attribute>(H5Aopen(object, name, H5P_DEFAULT), c,
                                                fmt::format("no attribute {}", name));
  const auto type = string_type(c);
  char* p = nullptr;
  hdf5::check(H5Aread(attr.get(), type.get(), &p), c, fmt::format("cannot read {}", name));
  std::string value = p == nullptr ? "" : p;
  H5free_memory(p);
  return value;
}

uint64_t read_u64_attribute(hid_t object, const char* name, const Context& c) {
  const auto attr = hdf5::make<hdf5::Attribute>(H5Aopen(object, name, H5P_DEFAULT), c,
                                                fmt::format("no attribute {}", name));
  uint64_t value = 0;
  hdf5::check(H5Aread(attr.get(), H5T_NATIVE_UINT64, &value), c,
              fmt::format("cannot read {}", name));
  return value;
}

hdf5::Dataset create_column(hid_t group, const std::string& name, hid_t file_type, size_t n,
                            const Context& c) {
  const hsize_t dims[1] = {n};
  const auto space =
      hdf5::make<hdf5::Dataspace>(H5Screate_simple(1, dims, nullptr), c, "cannot make a space");
  return hdf5::make<hdf5::Dataset>(H5Dcreate2(group, name.c_str(), file_type, space.get(),
                                              H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                   c, fmt::format("cannot create {}", name));
}

void write_u64_column(hid_t group, const std::string& name, const std::vector<uint64_t>& v,
                      const Context& c) {
  const auto d = create_column(group, name, H5T_STD_U64LE, v.size(), c);
  if (!v.empty()) {
    hdf5::check(H5Dwrite(d.get(), H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), c,
                fmt::format("cannot write {}", name));
  }
}

hdf5::Dataset write_double_column(hid_t group, const std::string& name,
                                  const std::vector<double>& v, const Context& c) {
  auto d = create_column(group, name, H5T_IEEE_F64LE, v.size(), c);
  if (!v.empty()) {
    hdf5::check(H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), c,
                fmt::format("cannot write {}", name));
  }
  return d;
}

hdf5::Dataset write_string_column(hid_t group, const std::string& name,
                                  const std::vector<std::string>& v, const Context& c) {
  const auto type = string_type(c);
  auto d = create_column(group, name, type.get(), v.size(), c);
  std::vector<const char*> p;
  for (const std::string& s : v) p.push_back(s.c_str());
  if (!v.empty()) {
    hdf5::check(H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()), c,
                fmt::format("cannot write {}", name));
  }
  return d;
}

void write_string_dataset(hid_t group, const std::string& name, const std::string& value,
                          const Context& c) {
  const auto type = string_type(c);
  const auto space = hdf5::make<hdf5::Dataspace>(H5Screate(H5S_SCALAR), c, "cannot make a space");
  const auto d = hdf5::make<hdf5::Dataset>(H5Dcreate2(group, name.c_str(), type.get(), space.get(),
                                                      H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                           c, fmt::format("cannot create {}", name));
  const char* p = value.c_str();
  hdf5::check(H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &p), c,
              fmt::format("cannot write {}", name));
}

size_t column_size(hid_t dataset, const Context& c) {
  const auto space = hdf5::make<hdf5::Dataspace>(H5Dget_space(dataset), c, "cannot read a space");
  hsize_t dims[1] = {0};
  if (H5Sget_simple_extent_ndims(space.get()) != 1) c.fail("a points column is not 1-D");
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  return dims[0];
}

template <class T>
std::vector<T> read_numeric_column(hid_t group, const std::string& name, hid_t memory_type,
                                   const Context& c) {
  const auto d = hdf5::make<hdf5::Dataset>(H5Dopen2(group, name.c_str(), H5P_DEFAULT), c,
                                           fmt::format("no column {}", name));
  std::vector<T> v(column_size(d.get(), c));
  if (!v.empty()) {
    hdf5::check(H5Dread(d.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), c,
                fmt::format("cannot read {}", name));
  }
  return v;
}

std::vector<std::string> read_string_column(hid_t dataset, const Context& c) {
  const size_t n = column_size(dataset, c);
  std::vector<char*> p(n, nullptr);
  const auto type = string_type(c);
  std::vector<std::string> v;
  if (n == 0) return v;
  hdf5::check(H5Dread(dataset, type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()), c,
              "cannot read a string column");
  for (char* s : p) {
    v.emplace_back(s == nullptr ? "" : s);
    H5free_memory(s);
  }
  return v;
}

std::string read_string_dataset(hid_t group, const std::string& name, const Context& c) {
  const auto d = hdf5::make<hdf5::Dataset>(H5Dopen2(group, name.c_str(), H5P_DEFAULT), c,
                                           fmt::format("no dataset {}", name));
  const auto type = string_type(c);
  char* p = nullptr;
  hdf5::check(H5Dread(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &p), c,
              fmt::format("cannot read {}", name));
  std::string value = p == nullptr ? "" : p;
  H5free_memory(p);
  return value;
}

// Names of the links in `group`, in name order.
std::vector<std::string> link_names(hid_t group) {
  std::vector<std::string> names;
  H5Literate(
      group, H5_INDEX_NAME, H5_ITER_INC, nullptr,
      [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
      },
      &names);
  return names;
}

bool is_string_dataset(hid_t dataset) {
  const hid_t type = H5Dget_type(dataset);
  const bool is_string = H5Tget_class(type) == H5T_STRING;
  H5Tclose(type);
  return is_string;
}

void copy_series(hid_t destination, const std::string& file, const std::string& object,
                 const Context& c) {
  const auto source = hdf5::make<hdf5::File>(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), c,
                                             fmt::format("cannot open the series file {}", file));
  const auto group = hdf5::make<hdf5::Group>(H5Gopen2(source.get(), object.c_str(), H5P_DEFAULT), c,
                                             fmt::format("no group {} in {}", object, file));
  for (const std::string& name : link_names(group.get())) {
    if (name == "provenance") continue;  // the sweep's provenance covers it
    hdf5::check(
        H5Ocopy(group.get(), name.c_str(), destination, name.c_str(), H5P_DEFAULT, H5P_DEFAULT), c,
        fmt::format("cannot copy {} of {}", name, file));
  }
}

}  // namespace

void write_sweep_result(const std::filesystem::path& path, const SweepResult& r) {
  hdf5::silence_library_errors();
  const Context c{path.string(), "cannot write the sweep result"};
  const std::filesystem::path partial = path.string() + ".partial";
  {
    std::error_code ec;
    std::filesystem::remove(partial, ec);
    const auto file = hdf5::make<hdf5::File>(
        H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), c,
        "cannot create the file (does its directory exist and is it writable?)");
    const hid_t root = file.get();
    write_string_attribute(root, "format", r.format, c);
    write_string_attribute(root, "program_version", r.program_version, c);
    write_string_attribute(root, "fingerprint", r.fingerprint, c);
    write_u64_attribute(root, "sweep_seed", r.sweep_seed, c);
    write_u64_attribute(root, "replications", r.replications, c);
    write_u64_attribute(root, "points_total", r.points_total, c);
    write_u64_attribute(root, "rows_total", r.rows_total, c);
    write_u64_attribute(root, "shard_index", r.shard_index, c);
    write_u64_attribute(root, "shard_count", r.shard_count, c);
    write_u64_attribute(root, "common_random_numbers", r.common_random_numbers ? 1 : 0, c);

    auto group = [&](hid_t parent, const char* name) {
      return hdf5::make<hdf5::Group>(
          H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), c,
          fmt::format("cannot create group {}", name));
    };
    {
      const auto prov = group(root, "provenance");
      write_string_dataset(prov.get(), "sweep_file", r.sweep_text, c);
      write_string_dataset(prov.get(), "sweep_path", r.sweep_path, c);
      write_string_dataset(prov.get(), "base_scenario", r.base_scenario, c);
    }
    {
      const auto points = group(root, "points");
      write_u64_column(points.get(), "row", r.row, c);
      write_u64_column(points.get(), "point", r.point, c);
      write_u64_column(points.get(), "replication", r.replication, c);
      write_u64_column(points.get(), "seed", r.seed, c);
      write_string_column(points.get(), "status", r.status, c);
      write_string_column(points.get(), "error", r.error, c);
      const auto axes = group(points.get(), "axis");
      for (size_t a = 0; a < r.axis_names.size(); ++a) {
        const auto d = r.axis_numeric[a]
                           ? write_double_column(axes.get(), r.axis_names[a], r.axis_number[a], c)
                           : write_string_column(axes.get(), r.axis_names[a], r.axis_text[a], c);
        write_string_attribute(d.get(), "path", r.axis_paths[a], c);
        write_u64_attribute(d.get(), "order", a, c);
      }
      const auto indicators = group(points.get(), "indicator");
      for (size_t k = 0; k < r.indicator_names.size(); ++k) {
        const auto d =
            write_double_column(indicators.get(), r.indicator_names[k], r.indicator[k], c);
        write_u64_attribute(d.get(), "order", k, c);
      }
    }
    {
      const auto timing = group(root, "timing");
      write_double_column(timing.get(), "run_seconds", r.run_seconds, c);
    }
    const bool any_series = std::any_of(r.series_file.begin(), r.series_file.end(),
                                        [](const std::string& f) { return !f.empty(); });
    if (any_series) {
      const auto series = group(root, "series");
      for (size_t i = 0; i < r.size(); ++i) {
        if (i >= r.series_file.size() || r.series_file[i].empty()) continue;
        const auto row = group(series.get(), fmt::format("row_{}", r.row[i]).c_str());
        copy_series(row.get(), r.series_file[i], r.series_object[i], c);
      }
    }
    hdf5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), c, "cannot flush the file");
  }
  // Durable before it is published under its final name.
  const int fd = ::open(partial.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) c.fail(fmt::format("cannot rename {} to it: {}", partial.string(), ec.message()));
}

SweepResult read_sweep_result(const std::filesystem::path& path) {
  hdf5::silence_library_errors();
  const Context c{path.string(), "cannot read the sweep result"};
  if (!std::filesystem::exists(path)) c.fail("the file does not exist");
  const auto file = hdf5::make<hdf5::File>(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), c,
                                           "not an HDF5 file");
  const hid_t root = file.get();
  SweepResult r;
  r.format = read_string_attribute(root, "format", c);
  if (!r.format.starts_with("gpumarket-sweep")) c.fail("not a gpumarket sweep result");
  r.program_version = read_string_attribute(root, "program_version", c);
  r.fingerprint = read_string_attribute(root, "fingerprint", c);
  r.sweep_seed = read_u64_attribute(root, "sweep_seed", c);
  r.replications = read_u64_attribute(root, "replications", c);
  r.points_total = read_u64_attribute(root, "points_total", c);
  r.rows_total = read_u64_attribute(root, "rows_total", c);
  r.shard_index = read_u64_attribute(root, "shard_index", c);
  r.shard_count = read_u64_attribute(root, "shard_count", c);
  r.common_random_numbers = read_u64_attribute(root, "common_random_numbers", c) != 0;
  {
    const auto prov = hdf5::make<hdf5::Group>(H5Gopen2(root, "provenance", H5P_DEFAULT), c,
                                              "no /provenance group");
    r.sweep_text = read_string_dataset(prov.get(), "sweep_file", c);
    r.sweep_path = read_string_dataset(prov.get(), "sweep_path", c);
    r.base_scenario = read_string_dataset(prov.get(), "base_scenario", c);
  }
  const auto points =
      hdf5::make<hdf5::Group>(H5Gopen2(root, "points", H5P_DEFAULT), c, "no /points group");
  r.row = read_numeric_column<uint64_t>(points.get(), "row", H5T_NATIVE_UINT64, c);
  r.point = read_numeric_column<uint64_t>(points.get(), "point", H5T_NATIVE_UINT64, c);
  r.replication = read_numeric_column<uint64_t>(points.get(), "replication", H5T_NATIVE_UINT64, c);
  r.seed = read_numeric_column<uint64_t>(points.get(), "seed", H5T_NATIVE_UINT64, c);
  for (const char* name : {"status", "error"}) {
    const auto d = hdf5::make<hdf5::Dataset>(H5Dopen2(points.get(), name, H5P_DEFAULT), c,
                                             fmt::format("no column {}", name));
    (std::string_view(name) == "status" ? r.status : r.error) = read_string_column(d.get(), c);
  }
  // HDF5 lists links by name; the attribute `order` restores the sweep file's order.
  const auto axes =
      hdf5::make<hdf5::Group>(H5Gopen2(points.get(), "axis", H5P_DEFAULT), c, "no axis group");
  std::vector<std::string> names = link_names(axes.get());
  std::vector<std::pair<uint64_t, std::string>> ordered;
  for (const std::string& name : names) {
    const auto d = hdf5::make<hdf5::Dataset>(H5Dopen2(axes.get(), name.c_str(), H5P_DEFAULT), c,
                                             fmt::format("no axis {}", name));
    const uint64_t order =
        H5Aexists(d.get(), "order") > 0 ? read_u64_attribute(d.get(), "order", c) : ordered.size();
    ordered.emplace_back(order, name);
  }
  std::sort(ordered.begin(), ordered.end());
  for (const auto& [order, name] : ordered) {
    const auto d = hdf5::make<hdf5::Dataset>(H5Dopen2(axes.get(), name.c_str(), H5P_DEFAULT), c,
                                             fmt::format("no axis {}", name));
    r.axis_names.push_back(name);
    r.axis_paths.push_back(read_string_attribute(d.get(), "path", c));
    const bool is_string = is_string_dataset(d.get());
    r.axis_numeric.push_back(!is_string);
    if (is_string) {
      r.axis_text.push_back(read_string_column(d.get(), c));
      r.axis_number.emplace_back(r.axis_text.back().size(), std::nan(""));
    } else {
      r.axis_number.push_back(read_numeric_column<double>(axes.get(), name, H5T_NATIVE_DOUBLE, c));
      r.axis_text.emplace_back();
    }
  }
  const auto indicators = hdf5::make<hdf5::Group>(H5Gopen2(points.get(), "indicator", H5P_DEFAULT),
                                                  c, "no indicator group");
  names = link_names(indicators.get());
  ordered.clear();
  for (const std::string& name : names) {
    const auto d = hdf5::make<hdf5::Dataset>(H5Dopen2(indicators.get(), name.c_str(), H5P_DEFAULT),
                                             c, "no indicator");
    const uint64_t order =
        H5Aexists(d.get(), "order") > 0 ? read_u64_attribute(d.get(), "order", c) : ordered.size();
    ordered.emplace_back(order, name);
  }
  std::sort(ordered.begin(), ordered.end());
  for (const auto& [order, name] : ordered) {
    r.indicator_names.push_back(name);
    r.indicator.push_back(
        read_numeric_column<double>(indicators.get(), name, H5T_NATIVE_DOUBLE, c));
  }
  {
    const auto timing =
        hdf5::make<hdf5::Group>(H5Gopen2(root, "timing", H5P_DEFAULT), c, "no /timing group");
    r.run_seconds = read_numeric_column<double>(timing.get(), "run_seconds", H5T_NATIVE_DOUBLE, c);
  }
  r.series_file.assign(r.size(), "");
  r.series_object.assign(r.size(), "");
  if (H5Lexists(root, "series", H5P_DEFAULT) > 0) {
    const auto series =
        hdf5::make<hdf5::Group>(H5Gopen2(root, "series", H5P_DEFAULT), c, "no /series group");
    for (size_t i = 0; i < r.size(); ++i) {
      const std::string name = fmt::format("row_{}", r.row[i]);
      if (H5Lexists(series.get(), name.c_str(), H5P_DEFAULT) > 0) {
        r.series_file[i] = path.string();
        r.series_object[i] = fmt::format("/series/{}", name);
      }
    }
  }
  const size_t n = r.size();
  auto check_size = [&](size_t size, const std::string& what) {
    if (size != n) c.fail(fmt::format("column {} has {} rows, /points/row has {}", what, size, n));
  };
  check_size(r.point.size(), "point");
  check_size(r.status.size(), "status");
  for (size_t k = 0; k < r.indicator.size(); ++k)
    check_size(r.indicator[k].size(), r.indicator_names[k]);
  return r;
}

SweepResult merge_sweep_results(const std::vector<SweepResult>& shards,
                                const std::vector<std::string>& shard_paths) {
  if (shards.empty()) throw Error("sweep-merge: no shard files were given.");
  const SweepResult& first = shards.front();
  SweepResult merged = first;
  merged.shard_index = 0;
  merged.shard_count = 1;
  std::map<uint64_t, std::pair<size_t, size_t>> where;  // row -> (shard, index)
  std::set<uint64_t> shard_indices;
  for (size_t s = 0; s < shards.size(); ++s) {
    const SweepResult& shard = shards[s];
    if (shard.fingerprint != first.fingerprint) {
      throw Error(fmt::format("{}: belongs to another sweep than {} (fingerprint {} vs {}).",
                              shard_paths[s], shard_paths[0], shard.fingerprint,
                              first.fingerprint));
    }
    if (shard.shard_count == first.shard_count) shard_indices.insert(shard.shard_index);
    for (size_t i = 0; i < shard.size(); ++i) {
      if (!where.emplace(shard.row[i], std::make_pair(s, i)).second) {
        throw Error(fmt::format("{}: row {} is also in {}; give each shard once.", shard_paths[s],
                                shard.row[i], shard_paths[where[shard.row[i]].first]));
      }
    }
  }
  if (where.size() != first.rows_total) {
    std::string absent;
    for (uint64_t k = 0; k < first.shard_count; ++k) {
      if (shard_indices.count(k) == 0) absent += fmt::format(" {}/{}", k, first.shard_count);
    }
    throw Error(
        fmt::format("sweep-merge: the shards hold {} of the sweep's {} rows; missing "
                    "shard(s):{}.",
                    where.size(), first.rows_total, absent.empty() ? " (none)" : absent));
  }
  auto clear = [](auto& v) { v.clear(); };
  clear(merged.row), clear(merged.point), clear(merged.replication), clear(merged.seed);
  clear(merged.status), clear(merged.error), clear(merged.run_seconds);
  clear(merged.series_file), clear(merged.series_object);
  for (auto& v : merged.axis_number) v.clear();
  for (auto& v : merged.axis_text) v.clear();
  for (auto& v : merged.indicator) v.clear();
  for (const auto& [row, at] : where) {
    const SweepResult& s = shards[at.first];
    const size_t i = at.second;
    merged.row.push_back(s.row[i]);
    merged.point.push_back(s.point[i]);
    merged.replication.push_back(s.replication[i]);
    merged.seed.push_back(s.seed[i]);
    merged.status.push_back(s.status[i]);
    merged.error.push_back(s.error[i]);
    merged.run_seconds.push_back(s.run_seconds[i]);
    merged.series_file.push_back(s.series_file[i]);
    merged.series_object.push_back(s.series_object[i]);
    for (size_t a = 0; a < merged.axis_names.size(); ++a) {
      merged.axis_number[a].push_back(s.axis_number[a][i]);
      if (!merged.axis_numeric[a]) merged.axis_text[a].push_back(s.axis_text[a][i]);
    }
    for (size_t k = 0; k < merged.indicator_names.size(); ++k) {
      merged.indicator[k].push_back(s.indicator[k][i]);
    }
  }
  return merged;
}

}  // namespace gpumarket
