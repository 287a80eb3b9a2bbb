#include "sweep_result_file_series.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "gpumarket/core/calendar.hpp"
#include "hdf5_layout.hpp"
#include "hdf5_objects.hpp"

namespace gpumarket::hdf5 {
namespace {

// The attributes of a run's series that their arrays in the sweep file keep.
constexpr std::array<std::string_view, 4> kKeptAttributes = {"units", "currency", "units_label",
                                                             "long_name"};
// 32 KiB chunks along time, as a run's file (hdf5_recorder.cpp says why), one row per chunk so
// that a reader of one row decompresses nothing else and rows without series cost nothing.
constexpr size_t kChunkBytes = size_t{32} * 1024;
constexpr unsigned kDeflateLevel = 1;
constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// A series of one row's group: its name, its column axis ("" for none), its attributes.
struct VariableInfo {
  std::string name;
  std::string axis;
  std::vector<std::pair<std::string, std::string>> attributes;
};

// One group of one row's source.
struct SourceGroup {
  std::string name;
  bool timed = false;
  hsize_t index = 0;  // the row's place along the group's `row` (sweep files only)
  std::map<std::string, std::vector<std::string>> axes;
  std::vector<VariableInfo> variables;
};

struct Source {
  SeriesSource where;
  bool sweep = false;
  int64_t start_day = 0;  // the start date of the source's time, as days since 1970-01-01
  std::vector<SourceGroup> groups;
};

int rank_of(hid_t dataset, const std::string& path, const Context& c) {
  const auto space = make<Dataspace>(H5Dget_space(dataset), c,
                                     "HDF5 failed to read the shape of " + in_quotes(path));
  return H5Sget_simple_extent_ndims(space.get());
}

int64_t start_day(hid_t object, const std::string& name, const std::string& file,
                  const Context& c) {
  const std::string text = read_string_attribute(object, name, "start_date", c);
  const std::optional<Date> date = parse_date(text);
  if (!date) {
    c.fail("the start date " + in_quotes(text) + " of the series in " + in_quotes(file) +
           " is not YYYY-MM-DD");
  }
  return date->days_since_epoch();
}

// What one group of a source holds; nullopt when a sweep file's group lacks the row.
std::optional<SourceGroup> load_group(hid_t parent, const std::string& name, bool sweep,
                                      uint64_t row, const Context& c) {
  const Group group = open_group(parent, name, c);
  SourceGroup g;
  g.name = name;
  g.timed = has_link(group.get(), "time", c);
  if (sweep) {
    const std::vector<uint64_t> rows =
        read_vector<uint64_t>(group.get(), "row", H5T_NATIVE_UINT64, c);
    const auto found = std::find(rows.begin(), rows.end(), row);
    if (found == rows.end()) return std::nullopt;
    g.index = static_cast<hsize_t>(found - rows.begin());
  }
  const int leading = (sweep ? 1 : 0) + (g.timed ? 1 : 0);
  for (const std::string& link : link_names(group.get(), name, c)) {
    if (link == "time_bnds" || !is_dataset(group.get(), link)) continue;
    const Dataset dataset = open_dataset(group.get(), link, c);
    if (H5DSis_scale(dataset.get()) > 0) {
      if (holds_text(dataset.get())) g.axes[link] = read_strings(dataset.get(), link, c);
      continue;  // time, row, nv and the column axes are coordinates, not series
    }
    VariableInfo v;
    v.name = link;
    const int rank = rank_of(dataset.get(), link, c);
    if (rank > leading + 1) {
      std::string series = name;
      series += "/";
      series += link;
      c.fail("the series " + in_quotes(series) + " has more than one column axis");
    }
    if (rank == leading + 1) v.axis = dimension_name(dataset.get(), static_cast<unsigned>(leading));
    for (std::string_view attribute : kKeptAttributes) {
      const std::string a(attribute);
      if (has_attribute(dataset.get(), link, a, c)) {
        v.attributes.emplace_back(a, read_string_attribute(dataset.get(), link, a, c));
      }
    }
    g.variables.push_back(std::move(v));
  }
  return g;
}

Source load_source(const SeriesSource& where, const Context& c) {
  Source s;
  s.where = where;
  s.sweep = where.object != "/";
  const auto file = make<File>(H5Fopen(where.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), c,
                               "HDF5 failed to open the series file " + in_quotes(where.file));
  const Group top = open_group(file.get(), where.object, c);
  s.start_day = start_day(top.get(), where.object, where.file, c);
  for (const std::string& name : link_names(top.get(), where.object, c)) {
    if (name == "provenance" || !is_group(top.get(), name)) continue;
    if (std::optional<SourceGroup> g = load_group(top.get(), name, s.sweep, where.row, c)) {
      s.groups.push_back(std::move(*g));
    }
  }
  return s;
}

// One group of the sweep file: the union of its rows' groups.
struct OutputGroup {
  std::string name;
  bool timed = false;
  std::vector<uint64_t> rows;
  std::vector<double> time_h;  // sorted, since the earliest start date
  std::map<std::string, std::vector<std::string>> axes;
  std::vector<VariableInfo> variables;
  std::vector<Dataset> datasets;  // one per variable, once created
  Dataset row_scale, time_scale;
  std::map<std::string, Dataset> axis_scales;
};

void add_labels(std::vector<std::string>& labels, const std::vector<std::string>& more) {
  for (const std::string& label : more) {
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(label);
  }
}

OutputGroup& output_group(std::vector<OutputGroup>& groups, const SourceGroup& g,
                          const Context& c) {
  for (OutputGroup& out : groups) {
    if (out.name != g.name) continue;
    if (out.timed != g.timed) {
      c.fail("the series group " + in_quotes(g.name) + " has a time in some rows only");
    }
    return out;
  }
  OutputGroup& out = groups.emplace_back();
  out.name = g.name;
  out.timed = g.timed;
  return out;
}

void add_variables(OutputGroup& out, const SourceGroup& g, const Context& c) {
  for (const VariableInfo& v : g.variables) {
    const auto same = [&](const VariableInfo& other) { return other.name == v.name; };
    const auto found = std::find_if(out.variables.begin(), out.variables.end(), same);
    if (found == out.variables.end()) {
      out.variables.push_back(v);
    } else if (found->axis != v.axis) {
      c.fail("the series " + in_quotes(g.name + "/" + v.name) +
             " is over different axes in different rows");
    }
  }
  for (const auto& [axis, labels] : g.axes) add_labels(out.axes[axis], labels);
}

// A source's times, shifted to the output's start date; exact when the dates agree.
std::vector<double> shifted_times(const Source& s, const SourceGroup& g, int64_t epoch_day,
                                  const Context& c) {
  const auto file = make<File>(H5Fopen(s.where.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), c,
                               "HDF5 failed to open the series file " + in_quotes(s.where.file));
  const std::string path = (s.sweep ? s.where.object + "/" : std::string("/")) + g.name + "/time";
  std::vector<double> time = read_vector<double>(file.get(), path, H5T_NATIVE_DOUBLE, c);
  const double shift = static_cast<double>(s.start_day - epoch_day) * 24.0;
  if (shift != 0) {
    for (double& t : time) t += shift;
  }
  return time;
}

void write_string_column(hid_t parent, OutputGroup& out, const std::string& axis,
                         const std::vector<std::string>& labels, const Context& c) {
  out.axis_scales.emplace(axis, write_label_scale(parent, axis, labels, c));
}

void create_group_datasets(hid_t series, OutputGroup& out, int64_t epoch_day, const Context& c) {
  const Group group = create_group(series, out.name, H5P_DEFAULT, c);
  const hid_t g = group.get();
  const Dataspace row_space = vector_space(out.rows.size(), c);
  out.row_scale = write_dataset(
      g, "row", H5T_STD_U64LE, H5T_NATIVE_UINT64, row_space.get(), out.rows.data(),
      checksummed_creation(H5P_DEFAULT, {out.rows.size()}, sizeof(uint64_t), c).get(), c);
  check(H5DSset_scale(out.row_scale.get(), "row"), c, "HDF5 failed to make 'row' a dimension");
  write_string_attribute(out.row_scale.get(), "row", "long_name", "row of the points table", c);
  if (out.timed) {
    const Dataspace time_space = vector_space(out.time_h.size(), c);
    out.time_scale = write_dataset(
        g, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, time_space.get(), out.time_h.data(),
        checksummed_creation(H5P_DEFAULT, {out.time_h.size()}, sizeof(double), c).get(), c);
    const hid_t t = out.time_scale.get();
    check(H5DSset_scale(t, "time"), c, "HDF5 failed to make 'time' a dimension");
    write_string_attribute(t, "time", "units",
                           "hours since " + Date::from_days(epoch_day).to_string() + " 00:00:00",
                           c);
    write_string_attribute(t, "time", "calendar", "standard", c);
    write_string_attribute(t, "time", "standard_name", "time", c);
    write_string_attribute(t, "time", "axis", "T", c);
    write_string_attribute(t, "time", "long_name", "end of the interval each value covers", c);
  }
  for (const auto& [axis, labels] : out.axes) write_string_column(g, out, axis, labels, c);

  for (const VariableInfo& v : out.variables) {
    std::vector<hsize_t> dims = {out.rows.size()};
    std::vector<hid_t> scales = {out.row_scale.get()};
    if (out.timed) dims.push_back(out.time_h.size()), scales.push_back(out.time_scale.get());
    const size_t width = v.axis.empty() ? 1 : out.axes.at(v.axis).size();
    if (!v.axis.empty()) dims.push_back(width), scales.push_back(out.axis_scales.at(v.axis).get());
    std::vector<hsize_t> chunk = dims;
    if (out.timed) {
      chunk[0] = 1;
      chunk[1] = std::clamp<hsize_t>(kChunkBytes / (sizeof(double) * width), 1,
                                     std::max<hsize_t>(dims[1], 1));
    }
    for (hsize_t& d : chunk) d = std::max<hsize_t>(d, 1);
    const std::string path = out.name + "/" + v.name;
    const auto creation = make<PropertyList>(H5Pcreate(H5P_DATASET_CREATE), c,
                                             "HDF5 failed to create a property list");
    const std::string setup = "HDF5 failed to set up the storage of " + in_quotes(path);
    check(H5Pset_chunk(creation.get(), static_cast<int>(chunk.size()), chunk.data()), c, setup);
    check(H5Pset_fill_value(creation.get(), H5T_NATIVE_DOUBLE, &kMissing), c, setup);
    check(H5Pset_deflate(creation.get(), kDeflateLevel), c, setup);
    add_checksum(creation.get(), c);
    const auto space = make<Dataspace>(
        H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), c, setup);
    Dataset dataset = create_dataset(g, v.name, H5T_IEEE_F64LE, space.get(), creation.get(), c);
    for (size_t d = 0; d < scales.size(); ++d) {
      check(H5DSattach_scale(dataset.get(), scales[d], static_cast<unsigned>(d)), c,
            "HDF5 failed to attach the dimensions of " + in_quotes(path));
    }
    for (const auto& [name, value] : v.attributes) {
      write_string_attribute(dataset.get(), path, name, value, c);
    }
    out.datasets.push_back(std::move(dataset));
  }
}

// The values of one variable of one row of a source, row-major over (time, column).
std::vector<double> read_row(hid_t source_group, const Source& s, const SourceGroup& g,
                             const std::string& name, const Context& c) {
  const Dataset dataset = open_dataset(source_group, name, c);
  std::vector<hsize_t> dims = dims_of(dataset.get(), name, c);
  if (!s.sweep) {
    hsize_t size = 1;
    for (hsize_t d : dims) size *= d;
    std::vector<double> v(size);
    if (size > 0) {
      check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), c,
            "HDF5 failed to read " + in_quotes(name) + " of " + in_quotes(s.where.file));
    }
    return v;
  }
  std::vector<hsize_t> start(dims.size(), 0);
  start[0] = g.index;
  dims[0] = 1;
  hsize_t size = 1;
  for (hsize_t d : dims) size *= d;
  std::vector<double> v(size);
  const std::string what =
      "HDF5 failed to read " + in_quotes(name) + " of " + in_quotes(s.where.file);
  const auto file_space = make<Dataspace>(H5Dget_space(dataset.get()), c, what);
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, dims.data(),
                            nullptr),
        c, what);
  const auto memory_space = make<Dataspace>(H5Screate_simple(1, &size, nullptr), c, what);
  if (size > 0) {
    check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(),
                  H5P_DEFAULT, v.data()),
          c, what);
  }
  return v;
}

// Index of each of `part` in `whole`; both hold distinct entries of `part`.
std::vector<size_t> positions(const std::vector<std::string>& part,
                              const std::vector<std::string>& whole) {
  std::vector<size_t> at;
  at.reserve(part.size());
  for (const std::string& label : part) {
    at.push_back(static_cast<size_t>(std::find(whole.begin(), whole.end(), label) - whole.begin()));
  }
  return at;
}

void write_row(OutputGroup& out, size_t k, const Source& s, const SourceGroup& g, int64_t epoch_day,
               const Context& c) {
  std::vector<size_t> time_at;
  if (out.timed) {
    for (double t : shifted_times(s, g, epoch_day, c)) {
      time_at.push_back(static_cast<size_t>(
          std::lower_bound(out.time_h.begin(), out.time_h.end(), t) - out.time_h.begin()));
    }
  }
  const auto file = make<File>(H5Fopen(s.where.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), c,
                               "HDF5 failed to open the series file " + in_quotes(s.where.file));
  const std::string group_path = (s.sweep ? s.where.object + "/" : std::string("/")) + g.name;
  const Group source_group = open_group(file.get(), group_path, c);
  const size_t rows_out = out.timed ? out.time_h.size() : 1;
  const size_t rows_in = out.timed ? time_at.size() : 1;
  for (const VariableInfo& v : g.variables) {
    const size_t index =
        static_cast<size_t>(std::find_if(out.variables.begin(), out.variables.end(),
                                         [&](const VariableInfo& o) { return o.name == v.name; }) -
                            out.variables.begin());
    const std::vector<std::string> none;
    const std::vector<std::string>& labels_in = v.axis.empty() ? none : g.axes.at(v.axis);
    const std::vector<size_t> column_at =
        v.axis.empty() ? std::vector<size_t>{0} : positions(labels_in, out.axes.at(v.axis));
    const size_t width_out = v.axis.empty() ? 1 : out.axes.at(v.axis).size();
    const size_t width_in = column_at.size();
    const std::vector<double> values = read_row(source_group.get(), s, g, v.name, c);
    if (values.size() != rows_in * width_in) {
      c.fail("the series " + in_quotes(group_path + "/" + v.name) + " of " +
             in_quotes(s.where.file) + " does not match its group's time and axis");
    }
    std::vector<double> buffer(rows_out * width_out, kMissing);
    for (size_t i = 0; i < rows_in; ++i) {
      const size_t to = out.timed ? time_at[i] : 0;
      for (size_t j = 0; j < width_in; ++j) {
        buffer[to * width_out + column_at[j]] = values[i * width_in + j];
      }
    }
    const hid_t dataset = out.datasets[index].get();
    const std::string what = "HDF5 failed to write " + in_quotes(out.name + "/" + v.name);
    std::vector<hsize_t> start = {k}, count = {1};
    if (out.timed) start.push_back(0), count.push_back(rows_out);
    if (!v.axis.empty()) start.push_back(0), count.push_back(width_out);
    const auto file_space = make<Dataspace>(H5Dget_space(dataset), c, what);
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          c, what);
    const hsize_t size = buffer.size();
    const auto memory_space = make<Dataspace>(H5Screate_simple(1, &size, nullptr), c, what);
    if (size > 0) {
      check(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(), H5P_DEFAULT,
                     buffer.data()),
            c, what);
    }
  }
}

}  // namespace

void write_sweep_series(hid_t file, const std::vector<SeriesSource>& rows, const Context& c) {
  if (rows.empty()) return;
  std::vector<Source> sources;
  sources.reserve(rows.size());
  for (const SeriesSource& row : rows) sources.push_back(load_source(row, c));
  int64_t epoch_day = sources.front().start_day;
  for (const Source& s : sources) epoch_day = std::min(epoch_day, s.start_day);

  std::vector<OutputGroup> groups;
  for (const Source& s : sources) {
    for (const SourceGroup& g : s.groups) {
      OutputGroup& out = output_group(groups, g, c);
      out.rows.push_back(s.where.row);
      add_variables(out, g, c);
      if (!g.timed) continue;
      std::vector<double> time = shifted_times(s, g, epoch_day, c);
      std::sort(time.begin(), time.end());
      std::vector<double> merged;
      merged.reserve(std::max(time.size(), out.time_h.size()));
      std::set_union(out.time_h.begin(), out.time_h.end(), time.begin(), time.end(),
                     std::back_inserter(merged));
      merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
      out.time_h = std::move(merged);
    }
  }
  const Group series = create_group(file, "/series", H5P_DEFAULT, c);
  write_string_attribute(series.get(), "/series", "start_date",
                         Date::from_days(epoch_day).to_string(), c);
  for (OutputGroup& out : groups) create_group_datasets(series.get(), out, epoch_day, c);
  std::map<std::string, size_t> next_row;  // per group: the next place along its `row`
  for (const Source& s : sources) {
    for (const SourceGroup& g : s.groups) {
      OutputGroup& out = output_group(groups, g, c);
      write_row(out, next_row[g.name]++, s, g, epoch_day, c);
    }
  }
}

std::vector<uint64_t> sweep_series_rows(hid_t file, const Context& c) {
  if (!has_link(file, "/series", c)) return {};
  const Group series = open_group(file, "/series", c);
  std::set<uint64_t> rows;
  for (const std::string& name : link_names(series.get(), "/series", c)) {
    if (!is_group(series.get(), name)) continue;
    for (uint64_t row : read_vector<uint64_t>(series.get(), name + "/row", H5T_NATIVE_UINT64, c)) {
      rows.insert(row);
    }
  }
  return {rows.begin(), rows.end()};
}

}  // namespace gpumarket::hdf5
