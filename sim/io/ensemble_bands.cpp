#include "ensemble_bands.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <utility>

#include "gpumarket/core/quantile.hpp"
#include "hdf5_layout.hpp"
#include "hdf5_objects.hpp"

namespace gpumarket::hdf5 {
namespace {

// 32 KiB chunks along time, deflate level 1 and Fletcher-32, as a run's series (docs/output.md,
// "Storage").
constexpr size_t kChunkBytes = size_t{32} * 1024;
constexpr unsigned kDeflateLevel = 1;
// What one block of times may hold in memory: the values of every replication and the block's
// statistics. Bounds the memory of a long run's bands whatever its length.
constexpr size_t kBlockBytes = size_t{32} * 1024 * 1024;
constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
// The attributes of a run's time coordinate the bands keep (not `bounds`: no time_bnds here).
constexpr std::array<std::string_view, 5> kTimeAttributes = {"units", "calendar", "standard_name",
                                                             "axis", "long_name"};
constexpr std::array<std::string_view, 3> kUnitAttributes = {"units", "currency", "units_label"};

using Attributes = std::vector<std::pair<std::string, std::string>>;

struct SeriesInfo {
  std::string name;
  std::string axis;  // "" for one value per time
  size_t width = 1;
  Attributes units;
  std::string long_name;

  bool operator==(const SeriesInfo& o) const {
    return name == o.name && axis == o.axis && width == o.width;
  }
};

// A timed group of a run file: its time, column axes and series, without their values.
struct GroupInfo {
  std::string name;
  std::vector<double> time;
  Attributes time_attributes;
  std::map<std::string, std::vector<std::string>> axes;
  std::vector<SeriesInfo> series;
};

Attributes string_attributes(hid_t object, const std::string& path,
                             std::span<const std::string_view> names, const Context& c) {
  Attributes out;
  for (const std::string_view name : names) {
    const std::string a(name);
    if (has_attribute(object, path, a, c)) {
      out.emplace_back(a, read_string_attribute(object, path, a, c));
    }
  }
  return out;
}

File open_run_file(const std::string& path, const Context& c) {
  return make<File>(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), c,
                    "HDF5 failed to open the replication's run file " + in_quotes(path));
}

GroupInfo load_group(hid_t group, const std::string& name, const std::string& file,
                     const Context& c) {
  GroupInfo g;
  g.name = name;
  g.time = read_vector<double>(group, "time", H5T_NATIVE_DOUBLE, c);
  {
    const Dataset time = open_dataset(group, "time", c);
    g.time_attributes = string_attributes(time.get(), name + "/time", kTimeAttributes, c);
  }
  for (const std::string& link : link_names(group, name, c)) {
    if (link == "time" || link == "time_bnds" || !is_dataset(group, link)) continue;
    const Dataset dataset = open_dataset(group, link, c);
    if (H5DSis_scale(dataset.get()) > 0) {
      if (holds_text(dataset.get())) g.axes[link] = read_strings(dataset.get(), link, c);
      continue;  // nv and the column axes are coordinates, not series
    }
    std::string path = name;
    path += "/";
    path += link;
    const std::vector<hsize_t> dims = dims_of(dataset.get(), path, c);
    if (dims.empty() || dims.size() > 2 || dims[0] != g.time.size()) {
      c.fail("the series " + in_quotes(path) + " of " + in_quotes(file) +
             " is not over its group's time and at most one column axis");
    }
    SeriesInfo s;
    s.name = link;
    if (dims.size() == 2) {
      s.axis = dimension_name(dataset.get(), 1);
      s.width = dims[1];
    }
    s.units = string_attributes(dataset.get(), path, kUnitAttributes, c);
    if (has_attribute(dataset.get(), path, "long_name", c)) {
      s.long_name = read_string_attribute(dataset.get(), path, "long_name", c);
    }
    g.series.push_back(std::move(s));
  }
  return g;
}

// The groups with a time coordinate (tick, day, ...), in link order.
std::vector<GroupInfo> timed_groups(const std::string& file, const Context& c) {
  const File f = open_run_file(file, c);
  std::vector<GroupInfo> groups;
  for (const std::string& name : link_names(f.get(), "/", c)) {
    if (!is_group(f.get(), name)) continue;
    const Group group = open_group(f.get(), name, c);
    if (has_link(group.get(), "time", c)) groups.push_back(load_group(group.get(), name, file, c));
  }
  return groups;
}

void check_same_layout(const std::vector<GroupInfo>& first, const std::vector<GroupInfo>& other,
                       const std::string& first_file, const std::string& other_file,
                       const Context& c) {
  const auto differ = [&](const std::string& what) {
    c.fail("the run file " + in_quotes(other_file) + " differs from " + in_quotes(first_file) +
           " in " + what + ": the bands need replications of one scenario");
  };
  if (first.size() != other.size()) differ("its series groups");
  for (size_t i = 0; i < first.size(); ++i) {
    const GroupInfo& a = first[i];
    const GroupInfo& b = other[i];
    if (a.name != b.name) differ("its series groups");
    if (a.time != b.time) differ("the times of " + in_quotes(a.name));
    if (a.axes != b.axes) differ("the column labels of " + in_quotes(a.name));
    if (a.series != b.series) differ("the series of " + in_quotes(a.name));
  }
}

void write_attributes(hid_t object, const std::string& path, const Attributes& attributes,
                      const Context& c) {
  for (const auto& [name, value] : attributes) write_string_attribute(object, path, name, value, c);
}

Dataset write_scale(hid_t group, const std::string& name, const std::vector<double>& values,
                    const Context& c) {
  const Dataspace space = vector_space(values.size(), c);
  Dataset scale =
      write_dataset(group, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(), values.data(),
                    checksummed_creation(H5P_DEFAULT, {values.size()}, sizeof(double), c).get(), c);
  check(H5DSset_scale(scale.get(), name.c_str()), c,
        "HDF5 failed to make " + in_quotes(name) + " a dimension");
  return scale;
}

// A chunked, compressed, checksummed dataset attached to `scales`; `chunk` as long as `dims`.
Dataset create_band(hid_t group, const std::string& name, hid_t file_type,
                    const std::vector<hsize_t>& dims, std::vector<hsize_t> chunk,
                    const std::vector<hid_t>& scales, const std::string& path, const Context& c) {
  const auto creation =
      make<PropertyList>(H5Pcreate(H5P_DATASET_CREATE), c, "HDF5 failed to create a property list");
  const std::string setup = "HDF5 failed to set up the storage of " + in_quotes(path);
  const bool empty = std::find(dims.begin(), dims.end(), hsize_t{0}) != dims.end();
  if (!empty) {
    for (size_t d = 0; d < dims.size(); ++d) chunk[d] = std::clamp<hsize_t>(chunk[d], 1, dims[d]);
    check(H5Pset_chunk(creation.get(), static_cast<int>(chunk.size()), chunk.data()), c, setup);
    check(H5Pset_deflate(creation.get(), kDeflateLevel), c, setup);
    add_checksum(creation.get(), c);
  }
  if (H5Tget_class(file_type) == H5T_FLOAT) {
    check(H5Pset_fill_value(creation.get(), H5T_NATIVE_DOUBLE, &kMissing), c, setup);
  }
  const auto space = make<Dataspace>(
      H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), c, setup);
  Dataset dataset = create_dataset(group, name, file_type, space.get(), creation.get(), c);
  for (size_t d = 0; d < scales.size(); ++d) {
    check(H5DSattach_scale(dataset.get(), scales[d], static_cast<unsigned>(d)), c,
          "HDF5 failed to attach the dimensions of " + in_quotes(path));
  }
  return dataset;
}

// `dataset`'s space with the box [start, start + count) selected, and a flat memory space of
// the box's size; nullopt for an empty box.
struct Box {
  Dataspace file, memory;
};

std::optional<Box> select_box(hid_t dataset, const std::vector<hsize_t>& start,
                              const std::vector<hsize_t>& count, const std::string& what,
                              const Context& c) {
  hsize_t size = 1;
  for (hsize_t n : count) size *= n;
  if (size == 0) return std::nullopt;
  Box box{make<Dataspace>(H5Dget_space(dataset), c, what),
          make<Dataspace>(H5Screate_simple(1, &size, nullptr), c, what)};
  check(H5Sselect_hyperslab(box.file.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                            nullptr),
        c, what);
  return box;
}

void read_box(hid_t dataset, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
              double* data, const std::string& what, const Context& c) {
  if (const std::optional<Box> box = select_box(dataset, start, count, what, c)) {
    check(
        H5Dread(dataset, H5T_NATIVE_DOUBLE, box->memory.get(), box->file.get(), H5P_DEFAULT, data),
        c, what);
  }
}

void write_box(hid_t dataset, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
               hid_t memory_type, const void* data, const std::string& what, const Context& c) {
  if (const std::optional<Box> box = select_box(dataset, start, count, what, c)) {
    check(H5Dwrite(dataset, memory_type, box->memory.get(), box->file.get(), H5P_DEFAULT, data), c,
          what);
  }
}

// The statistics of one block of cells (times x columns), filled from every replication's values.
struct BlockStatistics {
  std::vector<double> mean;      // [cell]
  std::vector<double> quantile;  // [q][cell]
  std::vector<uint32_t> count;   // [cell]: replications with a value
};

// `values` holds replication r's cells at [r * cells, (r + 1) * cells).
BlockStatistics block_statistics(const std::vector<double>& values, size_t replications,
                                 size_t cells, const std::vector<double>& quantiles) {
  BlockStatistics out;
  out.mean.assign(cells, kMissing);
  out.quantile.assign(quantiles.size() * cells, kMissing);
  out.count.assign(cells, 0);
  std::vector<double> cell;
  cell.reserve(replications);
  for (size_t i = 0; i < cells; ++i) {
    cell.clear();
    double sum = 0;  // in replication order, before the sort
    for (size_t r = 0; r < replications; ++r) {
      const double x = values[r * cells + i];
      if (std::isnan(x)) continue;
      cell.push_back(x);
      sum += x;
    }
    out.count[i] = static_cast<uint32_t>(cell.size());
    if (cell.empty()) continue;
    out.mean[i] = sum / static_cast<double>(cell.size());
    std::sort(cell.begin(), cell.end());
    for (size_t q = 0; q < quantiles.size(); ++q) {
      out.quantile[q * cells + i] = type7_quantile(cell, quantiles[q]);
    }
  }
  return out;
}

// The output names of a group: every series' three variables, the dimensions, once each.
void check_names(const GroupInfo& g, const Context& c) {
  std::set<std::string> names = {"time", "quantile"};
  for (const auto& [axis, labels] : g.axes) names.insert(axis);
  for (const SeriesInfo& s : g.series) {
    for (const char* suffix : {"_mean", "_quantile", "_count"}) {
      if (!names.insert(s.name + suffix).second) {
        c.fail("the bands of " + in_quotes(g.name + "/" + s.name) + " would take the name " +
               in_quotes(s.name + suffix) + " of another variable of " + in_quotes(g.name));
      }
    }
  }
}

void write_series_bands(hid_t group, const GroupInfo& g, const SeriesInfo& s,
                        const std::vector<std::string>& files, const std::vector<double>& quantiles,
                        hid_t quantile_scale, hid_t time_scale, hid_t axis_scale,
                        const Context& c) {
  const hsize_t times = g.time.size();
  const hsize_t width = s.width;
  const hsize_t nq = quantiles.size();
  const bool columns = !s.axis.empty();
  std::vector<hsize_t> dims = {times}, chunk = {kChunkBytes / (sizeof(double) * width)};
  std::vector<hid_t> scales = {time_scale};
  if (columns) dims.push_back(width), chunk.push_back(width), scales.push_back(axis_scale);
  std::vector<hsize_t> q_dims = dims, q_chunk = chunk;
  std::vector<hid_t> q_scales = scales;
  q_dims.insert(q_dims.begin(), nq);
  q_chunk.insert(q_chunk.begin(), 1);  // a reader of the median decompresses nothing else
  q_scales.insert(q_scales.begin(), quantile_scale);

  const std::string base = g.name + "/" + s.name;
  const Dataset mean =
      create_band(group, s.name + "_mean", H5T_IEEE_F64LE, dims, chunk, scales, base + "_mean", c);
  const Dataset quantile = create_band(group, s.name + "_quantile", H5T_IEEE_F64LE, q_dims, q_chunk,
                                       q_scales, base + "_quantile", c);
  const Dataset count =
      create_band(group, s.name + "_count", H5T_STD_U32LE, dims, chunk, scales, base + "_count", c);
  const std::string what = s.long_name.empty() ? s.name : s.long_name;
  write_attributes(mean.get(), base + "_mean", s.units, c);
  write_string_attribute(mean.get(), base + "_mean", "long_name",
                         "mean over replications of: " + what, c);
  write_attributes(quantile.get(), base + "_quantile", s.units, c);
  write_string_attribute(quantile.get(), base + "_quantile", "long_name",
                         "quantiles over replications (Hyndman-Fan type 7) of: " + what, c);
  write_string_attribute(count.get(), base + "_count", "long_name",
                         "replications with a value (not NaN) of: " + what, c);
  write_string_attribute(count.get(), base + "_count", "units", "1", c);

  const size_t n = files.size();
  const size_t per_time = (n + nq + 2) * width * sizeof(double);
  const hsize_t block = std::clamp<hsize_t>(kBlockBytes / per_time, 1, std::max<hsize_t>(times, 1));
  std::vector<double> values;
  for (hsize_t t0 = 0; t0 < times; t0 += block) {
    const hsize_t rows = std::min(block, times - t0);
    const size_t cells = rows * width;
    values.resize(n * cells);
    std::vector<hsize_t> start = {t0}, counts = {rows};
    if (columns) start.push_back(0), counts.push_back(width);
    for (size_t r = 0; r < n; ++r) {
      const File file = open_run_file(files[r], c);
      const Dataset source = open_dataset(file.get(), base, c);
      read_box(source.get(), start, counts, values.data() + r * cells,
               "HDF5 failed to read " + in_quotes(base) + " of " + in_quotes(files[r]), c);
    }
    const BlockStatistics stats = block_statistics(values, n, cells, quantiles);
    const std::string failed = "HDF5 failed to write the bands of " + in_quotes(base);
    write_box(mean.get(), start, counts, H5T_NATIVE_DOUBLE, stats.mean.data(), failed, c);
    write_box(count.get(), start, counts, H5T_NATIVE_UINT32, stats.count.data(), failed, c);
    std::vector<hsize_t> q_start = start, q_counts = counts;
    q_start.insert(q_start.begin(), 0);
    q_counts.insert(q_counts.begin(), nq);
    write_box(quantile.get(), q_start, q_counts, H5T_NATIVE_DOUBLE, stats.quantile.data(), failed,
              c);
  }
}

void write_group_bands(hid_t bands, const GroupInfo& g, const std::vector<std::string>& files,
                       const std::vector<double>& quantiles, const Context& c) {
  check_names(g, c);
  const Group group = create_group(bands, g.name, H5P_DEFAULT, c);
  const Dataset quantile = write_scale(group.get(), "quantile", quantiles, c);
  write_string_attribute(quantile.get(), g.name + "/quantile", "long_name",
                         "probability of the quantile over replications", c);
  const Dataset time = write_scale(group.get(), "time", g.time, c);
  write_attributes(time.get(), g.name + "/time", g.time_attributes, c);
  std::map<std::string, Dataset> axes;
  for (const auto& [axis, labels] : g.axes) {
    axes.emplace(axis, write_label_scale(group.get(), axis, labels, c));
  }
  for (const SeriesInfo& s : g.series) {
    const auto axis = axes.find(s.axis);
    if (!s.axis.empty() && axis == axes.end()) {
      c.fail("the series " + in_quotes(g.name + "/" + s.name) + " is over " + in_quotes(s.axis) +
             ", which is not a column axis of its group");
    }
    write_series_bands(group.get(), g, s, files, quantiles, quantile.get(), time.get(),
                       s.axis.empty() ? H5I_INVALID_HID : axis->second.get(), c);
  }
}

}  // namespace

void write_ensemble_bands(hid_t file, const std::vector<std::string>& run_files,
                          const std::vector<double>& quantiles, const Context& c) {
  if (run_files.empty()) return;
  for (const double p : quantiles) {
    if (!(p >= 0 && p <= 1)) c.fail("a band's quantile must lie in [0, 1]");
  }
  const std::vector<GroupInfo> groups = timed_groups(run_files.front(), c);
  for (size_t r = 1; r < run_files.size(); ++r) {
    check_same_layout(groups, timed_groups(run_files[r], c), run_files.front(), run_files[r], c);
  }
  const Group bands = create_group(file, "/bands", H5P_DEFAULT, c);
  write_uint64_attribute(bands.get(), "/bands", "replications", run_files.size(), c);
  write_string_attribute(bands.get(), "/bands", "quantile_method",
                         "Hyndman and Fan (1996) definition 7 (numpy's default, 'linear'); NaN "
                         "values left out",
                         c);
  for (const GroupInfo& g : groups) write_group_bands(bands.get(), g, run_files, quantiles, c);
}

}  // namespace gpumarket::hdf5
