#include "gpumarket/io/hdf5_recorder.hpp"

#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/check.hpp"
#include "hdf5_objects.hpp"
#include "partial_file.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;
using hdf5::in_quotes;

// Chunks run along time. A chunk of 32 KiB sits in the middle of the 16-64 KiB range
// where HDF5 chunked I/O is efficient, stays far below HDF5's 1 MiB chunk cache per
// dataset (a reader of a time window decompresses each chunk once), gives deflate
// enough of a series (4'096 ticks of a scalar, 682 of a six-venue series) to find the
// values that repeat from row to row, and bounds each series' row buffer.
constexpr size_t kChunkBytes = size_t{32} * 1024;
// The names a series group gives its time coordinate, its bounds and their second
// dimension (CF §7.1: time_bnds(time, nv) holds each row's [start, end]).
constexpr std::string_view kTimeName = "time";
constexpr std::string_view kBoundsName = "time_bnds";
constexpr std::string_view kBoundsAxis = "nv";
// netCDF-4's NAME of a dimension scale that is not a variable, followed by its length
// as printf's "%10d": what netCDF-C and h5netcdf write, and how h5netcdf knows to hide it.
constexpr std::string_view kNotAVariable = "This is a netCDF dimension but not a netCDF variable.";
constexpr size_t kNoSeries = std::numeric_limits<size_t>::max();
constexpr std::string_view kWriteFailure = "cannot write the output file";
// Groups the recorder writes itself; series may not use them.
constexpr std::array<std::string_view, 2> kReservedGroups = {"provenance", "summary"};

std::string errno_text(int error) { return std::strerror(error); }

bool is_valid_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

// The checks that make a run fail before it starts rather than when it ends.
void check_output_location(const fs::path& path, const hdf5::Context& context) {
  if (!path.has_filename()) context.fail("the path names a directory, not a file");
  const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code error;
  const fs::file_status status = fs::status(directory, error);
  if (status.type() == fs::file_type::none) {
    context.fail("cannot inspect directory " + in_quotes(directory.string()) + ": " +
                 error.message());
  }
  if (!fs::exists(status)) {
    context.fail("directory " + in_quotes(directory.string()) + " does not exist");
  }
  if (!fs::is_directory(status)) {
    context.fail(in_quotes(directory.string()) + " is not a directory");
  }
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    const int access_error = errno;
    context.fail("directory " + in_quotes(directory.string()) + " is not writable (" +
                 errno_text(access_error) + ")");
  }
  if (fs::is_directory(fs::status(path, error))) {
    context.fail("a directory of that name exists");
  }
}

// One declared series and the rows not yet written. The dataset is created at the
// first write, so that a series shorter than one chunk gets a chunk of its own
// length instead of a mostly empty 32 KiB one. A group's time bounds are a series
// too, which the recorder appends with each time row and which has no SeriesId: ids
// number the declared series in declaration order, as every Recorder does.
struct SeriesState {
  SeriesSpec spec;
  std::string path;  // "/<group>/<name>", for HDF5 calls and messages
  size_t group = 0;  // index in State::groups
  int rank = 1;
  size_t width = 1;
  size_t chunk_rows = 1;
  hdf5::Dataset dataset;
  hsize_t rows_written = 0;
  std::vector<double> buffer;  // chunk_rows * width values, row-major
  size_t buffered_rows = 0;
};

// A column axis of a group: a dimension scale holding its labels.
struct AxisState {
  std::vector<std::string> labels;
  hdf5::Dataset scale;
};

// A group of series that share a time axis: the netCDF dimensions they are attached to.
struct GroupState {
  std::string path;           // "" for the root, else "/<group>"
  size_t time = kNoSeries;    // its time series, in State::series
  SeriesState bounds;         // time_bnds
  double last_time_h = 0;     // the end of the last row: the next row's start
  hdf5::Dataset bounds_axis;  // the nv dimension, not a variable
  std::map<std::string, AxisState, std::less<>> axes;
  std::set<std::string, std::less<>> names;  // links in the group, series and coordinates
};

}  // namespace

struct Hdf5Recorder::State {
  Options options;
  hdf5::Context context;
  std::optional<hdf5::PartialFile> partial;  // declared before the file: removed after closing
  hdf5::PropertyList group_creation;         // no timestamps
  hdf5::File file;                           // declared before the objects in it: closed last
  std::vector<SeriesState> series;
  std::vector<GroupState> groups;
  std::string start_date;
  std::vector<SummaryValue> summary;
  std::set<std::string> summary_names;
  bool begun = false;
  bool finished = false;

  hdf5::PropertyList dataset_creation() const {
    auto list = hdf5::make<hdf5::PropertyList>(H5Pcreate(H5P_DATASET_CREATE), context,
                                               "HDF5 failed to create a property list");
    hdf5::check(H5Pset_obj_track_times(list.get(), false), context,
                "HDF5 failed to turn off timestamps");
    // Attributes stay in the object header (compact) up to 16 instead of 8: the time
    // coordinate has 10, and HDF5 1.10's H5Ocopy, with which a sweep result takes in a run's
    // series, crashes on variable-length attributes held in dense storage.
    hdf5::check(H5Pset_attr_phase_change(list.get(), 16, 14), context,
                "HDF5 failed to set up attribute storage");
    return list;
  }

  void ensure_group(const std::string& path) {
    if (!hdf5::has_link(file.get(), path, context)) {
      hdf5::create_group(file.get(), path, group_creation.get(), context);
    }
  }

  void write_string_dataset(const std::string& path, const std::string& value) {
    hdf5::write_string_dataset(file.get(), path, value, dataset_creation().get(), context);
  }

  size_t group_of(const std::string& path) {
    for (size_t g = 0; g < groups.size(); ++g) {
      if (groups[g].path == path) return g;
    }
    groups.emplace_back().path = path;
    return groups.size() - 1;
  }

  void claim_name(GroupState& group, std::string_view name) {
    if (!group.names.emplace(name).second) {
      context.fail("the name " + in_quotes(name) + " is used twice in group " +
                   in_quotes(group.path.empty() ? "/" : group.path) +
                   " (series, its time coordinate '" + std::string(kTimeName) + "', '" +
                   std::string(kBoundsName) + "', '" + std::string(kBoundsAxis) +
                   "' and its column axes share the group's names)");
    }
  }

  hdf5::PropertyList chunked_creation(int rank, const hsize_t* chunk,
                                      const std::string& path) const {
    hdf5::PropertyList creation = dataset_creation();
    const std::string setup = "HDF5 failed to set up the storage of " + in_quotes(path);
    hdf5::check(H5Pset_chunk(creation.get(), rank, chunk), context, setup);
    // An explicit fill value makes HDF5 initialise the unwritten tail of the last
    // chunk; otherwise those bytes would be whatever memory held, and two runs
    // would not produce identical files.
    const double fill = 0.0;
    hdf5::check(H5Pset_fill_value(creation.get(), H5T_NATIVE_DOUBLE, &fill), context, setup);
    if (options.deflate_level > 0) {
      hdf5::check(H5Pset_deflate(creation.get(), static_cast<unsigned>(options.deflate_level)),
                  context, setup);
    }
    hdf5::add_checksum(creation.get(), context);
    return creation;
  }

  void write_time_attributes(const SeriesState& s) const {
    const hid_t id = s.dataset.get();
    const std::string failure = "HDF5 failed to make " + in_quotes(s.path) + " a dimension";
    hdf5::check(H5DSset_scale(id, std::string(kTimeName).c_str()), context, failure);
    hdf5::write_string_attribute(id, s.path, "units", "hours since " + start_date + " 00:00:00",
                                 context);
    hdf5::write_string_attribute(id, s.path, "calendar", "standard", context);
    hdf5::write_string_attribute(id, s.path, "standard_name", "time", context);
    hdf5::write_string_attribute(id, s.path, "axis", "T", context);
    hdf5::write_string_attribute(id, s.path, "bounds", std::string(kBoundsName), context);
    hdf5::write_string_attribute(id, s.path, "units_label", s.spec.unit, context);
    hdf5::write_string_attribute(id, s.path, "long_name", s.spec.description, context);
  }

  // A dimension scale that is only a dimension: netCDF's form, which h5netcdf hides.
  hdf5::Dataset write_bounds_axis(const std::string& group_path) {
    const std::string path = group_path + "/" + std::string(kBoundsAxis);
    const hdf5::Dataspace space = hdf5::vector_space(2, context);
    hdf5::Dataset axis = hdf5::create_dataset(
        file.get(), path, H5T_IEEE_F32LE, space.get(),
        hdf5::compact_creation(dataset_creation().get(), context).get(), context);
    std::array<char, 80> name{};
    std::snprintf(name.data(), name.size(), "%s%10d", kNotAVariable.data(), 2);
    hdf5::check(H5DSset_scale(axis.get(), name.data()), context,
                "HDF5 failed to make " + in_quotes(path) + " a dimension");
    return axis;
  }

  void write_axis(GroupState& group, const SeriesSpec& spec, const std::string& series_path) {
    if (spec.axis.empty() || !is_valid_name(spec.axis)) {
      context.fail("the series " + in_quotes(series_path) +
                   " has columns but no valid axis name (e.g. 'venue')");
    }
    if (const auto found = group.axes.find(spec.axis); found != group.axes.end()) {
      if (found->second.labels != spec.columns) {
        context.fail("the columns of " + in_quotes(series_path) + " differ from those of axis " +
                     in_quotes(spec.axis) + " in its group, which an earlier series declared");
      }
      return;
    }
    claim_name(group, spec.axis);
    const std::string path = group.path + "/" + spec.axis;
    const hdf5::Datatype type = hdf5::string_type(context);
    const hdf5::Dataspace space = hdf5::vector_space(spec.columns.size(), context);
    std::vector<const char*> data;
    data.reserve(spec.columns.size());
    for (const std::string& label : spec.columns) data.push_back(label.c_str());
    AxisState axis{spec.columns,
                   hdf5::write_dataset(file.get(), path, type.get(), type.get(), space.get(),
                                       data.data(), dataset_creation().get(), context)};
    hdf5::check(H5DSset_scale(axis.scale.get(), spec.axis.c_str()), context,
                "HDF5 failed to make " + in_quotes(path) + " a dimension");
    group.axes.emplace(spec.axis, std::move(axis));
  }

  void create_dataset(SeriesState& s, size_t chunk_rows) {
    const int rank = s.rank;
    const std::array<hsize_t, 2> dims = {0, s.width};
    const std::array<hsize_t, 2> max_dims = {H5S_UNLIMITED, s.width};
    const std::array<hsize_t, 2> chunk = {chunk_rows, s.width};
    const auto space =
        hdf5::make<hdf5::Dataspace>(H5Screate_simple(rank, dims.data(), max_dims.data()), context,
                                    "HDF5 failed to create the dataspace of " + in_quotes(s.path));
    s.dataset = hdf5::create_dataset(file.get(), s.path, H5T_IEEE_F64LE, space.get(),
                                     chunked_creation(rank, chunk.data(), s.path).get(), context);
    const GroupState& group = groups[s.group];
    if (&s == &series[group.time]) {
      write_time_attributes(s);
    } else if (&s != &group.bounds) {
      hdf5::write_unit_attributes(s.dataset.get(), s.path, s.spec.unit, context);
      hdf5::write_string_attribute(s.dataset.get(), s.path, "long_name", s.spec.description,
                                   context);
      if (rank == 2) {
        hdf5::write_strings_attribute(s.dataset.get(), s.path, "columns", s.spec.columns, context);
      }
    }
  }

  // Attaches a series to its dimensions: its group's time, and `columns` for axis 1.
  void attach(const SeriesState& s, hid_t columns) const {
    const std::string failure = "HDF5 failed to attach the dimensions of " + in_quotes(s.path);
    const hid_t time = series[groups[s.group].time].dataset.get();
    hdf5::check(H5DSattach_scale(s.dataset.get(), time, 0), context, failure);
    if (s.rank == 2) hdf5::check(H5DSattach_scale(s.dataset.get(), columns, 1), context, failure);
  }

  void attach_dimensions() const {
    for (const SeriesState& s : series) {
      const GroupState& group = groups[s.group];
      if (&s == &series[group.time]) continue;
      attach(s, s.rank == 2 ? group.axes.at(s.spec.axis).scale.get() : H5I_INVALID_HID);
    }
    for (const GroupState& group : groups) attach(group.bounds, group.bounds_axis.get());
  }

  // Every series of a group has a row per time row: they share the time dimension.
  void check_row_counts() const {
    for (const SeriesState& s : series) {
      const SeriesState& time = series[groups[s.group].time];
      if (s.rows_written != time.rows_written) {
        context.fail("the series " + in_quotes(s.path) + " has " + std::to_string(s.rows_written) +
                     " rows but its group's time has " + std::to_string(time.rows_written));
      }
    }
  }

  void append_row(SeriesState& s, std::span<const double> row) {
    std::copy(row.begin(), row.end(),
              s.buffer.begin() + static_cast<ptrdiff_t>(s.buffered_rows * s.width));
    if (++s.buffered_rows == s.chunk_rows) flush(s);
  }

  void flush(SeriesState& s) {
    hdf5::silence_library_errors();
    if (!s.dataset.valid()) create_dataset(s, std::max<size_t>(s.buffered_rows, 1));
    if (s.buffered_rows == 0) return;
    const int rank = s.rank;
    const std::string what = "HDF5 failed to append to dataset " + in_quotes(s.path);
    const std::array<hsize_t, 2> dims = {s.rows_written + s.buffered_rows, s.width};
    hdf5::check(H5Dset_extent(s.dataset.get(), dims.data()), context, what);
    const auto file_space =
        hdf5::make<hdf5::Dataspace>(H5Dget_space(s.dataset.get()), context, what);
    const std::array<hsize_t, 2> start = {s.rows_written, 0};
    const std::array<hsize_t, 2> count = {s.buffered_rows, s.width};
    hdf5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                                    count.data(), nullptr),
                context, what);
    const auto memory_space =
        hdf5::make<hdf5::Dataspace>(H5Screate_simple(rank, count.data(), nullptr), context, what);
    hdf5::check(H5Dwrite(s.dataset.get(), H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(),
                         H5P_DEFAULT, s.buffer.data()),
                context, what);
    s.rows_written += s.buffered_rows;
    s.buffered_rows = 0;
  }

  void write_summary() {
    ensure_group("/summary");
    const hdf5::Dataspace space = hdf5::scalar_space(context);
    // Compact: the value sits in the dataset's object header, whose checksum covers it.
    const hdf5::PropertyList creation = hdf5::compact_creation(dataset_creation().get(), context);
    for (const SummaryValue& value : summary) {
      const std::string path = "/summary/" + value.name;
      const hdf5::Dataset dataset =
          hdf5::write_dataset(file.get(), path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(),
                              &value.value, creation.get(), context);
      hdf5::write_unit_attributes(dataset.get(), path, value.unit, context);
      hdf5::write_string_attribute(dataset.get(), path, "long_name", value.description, context);
    }
  }
};

Hdf5Recorder::Hdf5Recorder(const fs::path& path) : Hdf5Recorder(path, Options{}) {}

Hdf5Recorder::Hdf5Recorder(const fs::path& path, const Options& options)
    : path_(path), state_(std::make_unique<State>()) {
  hdf5::silence_library_errors();
  State& st = *state_;
  st.options = options;
  st.context = hdf5::Context{path.string(), kWriteFailure};
  const hdf5::Context& context = st.context;
  if (options.deflate_level < 0 || options.deflate_level > 9) {
    context.fail("the deflate level " + std::to_string(options.deflate_level) +
                 " is not between 0 and 9");
  }
  check_output_location(path, context);
  st.partial.emplace(path, context);

  const std::string setup = "HDF5 failed to set up file properties";
  auto creation = hdf5::make<hdf5::PropertyList>(H5Pcreate(H5P_FILE_CREATE), context, setup);
  // The file creation list also creates the root group: no timestamps there either.
  hdf5::check(H5Pset_obj_track_times(creation.get(), false), context, setup);
  hdf5::PropertyList access = st.partial->file_access();
  // A fixed format version, so that the bytes written do not depend on the HDF5
  // release's defaults; the 1.8 format is readable by every current tool.
  hdf5::check(H5Pset_libver_bounds(access.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), context, setup);
  st.group_creation = hdf5::make<hdf5::PropertyList>(H5Pcreate(H5P_GROUP_CREATE), context, setup);
  hdf5::check(H5Pset_obj_track_times(st.group_creation.get(), false), context, setup);
  const fs::path& partial = st.partial->path();
  st.file = hdf5::make<hdf5::File>(
      H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, creation.get(), access.get()), context,
      "HDF5 failed to create " + in_quotes(partial.string()));
}

Hdf5Recorder::~Hdf5Recorder() {
  if (!state_ || state_->finished) return;
  // The run did not finish: close every object, then the file, and let the partial file's
  // destructor remove it, so that nothing is left behind that could pass for its output.
  state_->series.clear();
  state_->groups.clear();
  state_->file.close();
  state_->partial.reset();
}

void Hdf5Recorder::begin(const RunInfo& info) {
  hdf5::silence_library_errors();
  State& st = *state_;
  GPUMARKET_CHECK_MSG(!st.begun && !st.finished, "begin() called twice or after finish()");
  st.begun = true;
  st.start_date = info.start_date;
  const hid_t root = st.file.get();
  hdf5::write_string_attribute(root, "/", "Conventions", "CF-1.8", st.context);
  hdf5::write_string_attribute(root, "/", "gpumarket_format", std::string(kFormatVersion),
                               st.context);
  hdf5::write_string_attribute(root, "/", "program_version", info.program_version, st.context);
  hdf5::write_uint64_attribute(root, "/", "seed", info.seed, st.context);
  hdf5::write_string_attribute(root, "/", "start_date", info.start_date, st.context);
  hdf5::write_string_attribute(root, "/", "scenario_file", info.scenario_file, st.context);
  st.ensure_group("/provenance");
  st.write_string_dataset("/provenance/scenario_text", info.scenario_text);
  st.write_string_dataset("/provenance/resolved_scenario", info.resolved_scenario);
  const hdf5::Group provenance = hdf5::open_group(root, "/provenance", st.context);
  const hid_t group = provenance.get();
  hdf5::write_string_attribute(group, "/provenance", "command_line", info.command_line, st.context);
  hdf5::write_strings_attribute(group, "/provenance", "overrides", info.overrides, st.context);
  std::vector<std::string> dates, labels;
  for (const TimelineMark& mark : info.timeline) {
    dates.push_back(mark.date);
    labels.push_back(mark.label);
  }
  hdf5::write_strings_attribute(group, "/provenance", "timeline_dates", dates, st.context);
  hdf5::write_strings_attribute(group, "/provenance", "timeline_labels", labels, st.context);
  for (const IndicatorSetting& setting : info.indicator_settings) {
    hdf5::write_strings_attribute(group, "/provenance", setting.key, setting.values, st.context);
  }
}

SeriesId Hdf5Recorder::declare_series(const SeriesSpec& spec) {
  hdf5::silence_library_errors();
  State& st = *state_;
  GPUMARKET_CHECK_MSG(!st.finished, "declare_series() called after finish()");
  std::string group_path;
  size_t start = 0;
  while (start <= spec.group.size()) {
    const size_t end = std::min(spec.group.find('/', start), spec.group.size());
    const std::string_view part = std::string_view(spec.group).substr(start, end - start);
    start = end + 1;
    if (part.empty()) continue;
    if (!is_valid_name(part) ||
        (group_path.empty() && std::find(kReservedGroups.begin(), kReservedGroups.end(), part) !=
                                   kReservedGroups.end())) {
      st.context.fail("the series group " + in_quotes(spec.group) + " is not allowed");
    }
    group_path += "/";
    group_path += part;
    st.ensure_group(group_path);
  }
  const bool reserved_at_root =
      group_path.empty() &&
      std::find(kReservedGroups.begin(), kReservedGroups.end(), spec.name) != kReservedGroups.end();
  if (!is_valid_name(spec.name) || reserved_at_root) {
    st.context.fail("the series name " + in_quotes(spec.name) +
                    " is not allowed (it must be non-empty, contain no '/' and not be "
                    "'provenance' or 'summary' at the root)");
  }
  GPUMARKET_CHECK_MSG(st.begun, "declare_series() called before begin()");
  const size_t g = st.group_of(group_path);
  const std::string series_path = group_path + "/" + spec.name;
  if (spec.is_time) {
    if (st.groups[g].time != kNoSeries) {
      st.context.fail("the series " + in_quotes(series_path) + " is a second time of its group");
    }
    if (!spec.columns.empty() || spec.unit != "h") {
      st.context.fail("the time series " + in_quotes(series_path) +
                      " must have one value per row, in unit 'h'");
    }
    if (!parse_date(st.start_date)) {
      st.context.fail("the time series " + in_quotes(series_path) +
                      " needs the run's start date, which is " + in_quotes(st.start_date) +
                      " instead of YYYY-MM-DD");
    }
    st.claim_name(st.groups[g], kTimeName);
    st.claim_name(st.groups[g], kBoundsName);
    st.claim_name(st.groups[g], kBoundsAxis);
    st.groups[g].bounds_axis = st.write_bounds_axis(group_path);
  } else {
    if (st.groups[g].time == kNoSeries) {
      st.context.fail("the series " + in_quotes(series_path) +
                      " is declared before its group's time series");
    }
    st.claim_name(st.groups[g], spec.name);
    if (!spec.columns.empty()) st.write_axis(st.groups[g], spec, series_path);
  }
  const auto make = [&](SeriesSpec declared, std::string_view name, size_t width) {
    SeriesState s;
    s.spec = std::move(declared);
    s.path = group_path + "/" + std::string(name);
    s.group = g;
    s.rank = s.spec.columns.empty() && width == 1 ? 1 : 2;
    s.width = width;
    s.chunk_rows = std::max<size_t>(1, kChunkBytes / (sizeof(double) * s.width));
    s.buffer.resize(s.chunk_rows * s.width);
    return s;
  };
  if (spec.is_time) {
    st.groups[g].time = st.series.size();
    st.groups[g].bounds = make(SeriesSpec{}, kBoundsName, 2);
    st.series.push_back(make(spec, kTimeName, 1));
  } else {
    st.series.push_back(make(spec, spec.name, std::max<size_t>(spec.columns.size(), 1)));
  }
  return static_cast<SeriesId>(st.series.size() - 1);
}

void Hdf5Recorder::append(SeriesId series, std::span<const double> row) {
  State& st = *state_;
  GPUMARKET_CHECK_MSG(!st.finished, "append() called after finish()");
  GPUMARKET_CHECK(series < st.series.size());
  SeriesState& s = st.series[series];
  GroupState& group = st.groups[s.group];
  GPUMARKET_CHECK(row.size() == s.width);
  st.append_row(s, row);
  if (series == group.time) {
    GPUMARKET_CHECK_MSG(row[0] >= group.last_time_h, "time went backwards in a series group");
    const std::array<double, 2> bounds = {group.last_time_h, row[0]};
    group.last_time_h = row[0];
    st.append_row(group.bounds, bounds);
  }
}

void Hdf5Recorder::add_summary(const SummaryValue& value) {
  State& st = *state_;
  GPUMARKET_CHECK_MSG(!st.finished, "add_summary() called after finish()");
  if (!is_valid_name(value.name)) {
    st.context.fail("the summary name " + in_quotes(value.name) +
                    " is not allowed (it must be non-empty and contain no '/')");
  }
  if (!st.summary_names.insert(value.name).second) {
    st.context.fail("the summary value " + in_quotes(value.name) + " is added twice");
  }
  st.summary.push_back(value);
}

void Hdf5Recorder::finish() {
  hdf5::silence_library_errors();
  State& st = *state_;
  GPUMARKET_CHECK_MSG(!st.finished, "finish() called twice");
  const hdf5::Context& context = st.context;
  for (SeriesState& s : st.series) st.flush(s);
  for (GroupState& group : st.groups) st.flush(group.bounds);
  st.check_row_counts();
  st.attach_dimensions();
  st.write_summary();
  hdf5::write_int_attribute(st.file.get(), "/", "complete", 1, context);
  const auto close = [&](SeriesState& s) {
    if (!s.dataset.close()) {
      hdf5::fail_call(context, "HDF5 failed to close dataset " + in_quotes(s.path));
    }
  };
  for (SeriesState& s : st.series) close(s);
  for (GroupState& group : st.groups) close(group.bounds);
  st.series.clear();
  st.groups.clear();
  if (!st.file.close()) {
    hdf5::fail_call(context, "HDF5 failed to close " + in_quotes(st.partial->path().string()));
  }
  st.partial->publish();
  st.finished = true;
}

}  // namespace gpumarket
