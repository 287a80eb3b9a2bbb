#include "gpumarket/io/hdf5_recorder.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "gpumarket/core/check.hpp"
#include "hdf5_objects.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;
using hdf5::in_quotes;

// A chunk of 32 KiB sits in the middle of the 16-64 KiB range where HDF5 chunked
// I/O is efficient, and bounds the memory of each series' row buffer.
constexpr size_t kChunkBytes = size_t{32} * 1024;
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
// length instead of a mostly empty 32 KiB one.
struct SeriesState {
  SeriesSpec spec;
  std::string path;  // "/<group>/<name>", for HDF5 calls and messages
  size_t width = 1;
  size_t chunk_rows = 1;
  hdf5::Dataset dataset;
  hsize_t rows_written = 0;
  std::vector<double> buffer;  // chunk_rows * width values, row-major
  size_t buffered_rows = 0;
};

}  // namespace

struct Hdf5Recorder::State {
  Options options;
  hdf5::Context context;
  fs::path partial_path;
  hdf5::PropertyList group_creation;  // no timestamps
  hdf5::File file;                    // declared before the objects in it: closed last
  std::vector<SeriesState> series;
  std::set<std::string> series_paths;
  std::vector<SummaryValue> summary;
  std::set<std::string> summary_names;
  bool begun = false;
  bool finished = false;

  hdf5::PropertyList dataset_creation() const {
    auto list = hdf5::make<hdf5::PropertyList>(H5Pcreate(H5P_DATASET_CREATE), context,
                                               "HDF5 failed to create a property list");
    hdf5::check(H5Pset_obj_track_times(list.get(), false), context,
                "HDF5 failed to turn off timestamps");
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

  void create_dataset(SeriesState& s, size_t chunk_rows) {
    const int rank = s.spec.columns.empty() ? 1 : 2;
    const std::array<hsize_t, 2> dims = {0, s.width};
    const std::array<hsize_t, 2> max_dims = {H5S_UNLIMITED, s.width};
    const std::array<hsize_t, 2> chunk = {chunk_rows, s.width};
    const auto space =
        hdf5::make<hdf5::Dataspace>(H5Screate_simple(rank, dims.data(), max_dims.data()), context,
                                    "HDF5 failed to create the dataspace of " + in_quotes(s.path));
    const hdf5::PropertyList creation = dataset_creation();
    const std::string setup = "HDF5 failed to set up the storage of " + in_quotes(s.path);
    hdf5::check(H5Pset_chunk(creation.get(), rank, chunk.data()), context, setup);
    // An explicit fill value makes HDF5 initialise the unwritten tail of the last
    // chunk; otherwise those bytes would be whatever memory held, and two runs
    // would not produce identical files.
    const double fill = 0.0;
    hdf5::check(H5Pset_fill_value(creation.get(), H5T_NATIVE_DOUBLE, &fill), context, setup);
    if (options.deflate_level > 0) {
      hdf5::check(H5Pset_shuffle(creation.get()), context, setup);
      hdf5::check(H5Pset_deflate(creation.get(), static_cast<unsigned>(options.deflate_level)),
                  context, setup);
    }
    s.dataset = hdf5::create_dataset(file.get(), s.path, H5T_IEEE_F64LE, space.get(),
                                     creation.get(), context);
    hdf5::write_string_attribute(s.dataset.get(), s.path, "units", s.spec.unit, context);
    hdf5::write_string_attribute(s.dataset.get(), s.path, "description", s.spec.description,
                                 context);
    if (rank == 2) {
      hdf5::write_strings_attribute(s.dataset.get(), s.path, "columns", s.spec.columns, context);
    }
  }

  void flush(SeriesState& s) {
    hdf5::silence_library_errors();
    if (!s.dataset.valid()) create_dataset(s, std::max<size_t>(s.buffered_rows, 1));
    if (s.buffered_rows == 0) return;
    const int rank = s.spec.columns.empty() ? 1 : 2;
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
    const hdf5::PropertyList creation = dataset_creation();
    for (const SummaryValue& value : summary) {
      const std::string path = "/summary/" + value.name;
      const hdf5::Dataset dataset =
          hdf5::write_dataset(file.get(), path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(),
                              &value.value, creation.get(), context);
      hdf5::write_string_attribute(dataset.get(), path, "units", value.unit, context);
      hdf5::write_string_attribute(dataset.get(), path, "description", value.description, context);
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
  st.partial_path = path;
  st.partial_path += ".partial";

  const std::string setup = "HDF5 failed to set up file properties";
  auto creation = hdf5::make<hdf5::PropertyList>(H5Pcreate(H5P_FILE_CREATE), context, setup);
  // The file creation list also creates the root group: no timestamps there either.
  hdf5::check(H5Pset_obj_track_times(creation.get(), false), context, setup);
  auto access = hdf5::make<hdf5::PropertyList>(H5Pcreate(H5P_FILE_ACCESS), context, setup);
  // A fixed format version, so that the bytes written do not depend on the HDF5
  // release's defaults; the 1.8 format is readable by every current tool.
  hdf5::check(H5Pset_libver_bounds(access.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), context, setup);
  st.group_creation = hdf5::make<hdf5::PropertyList>(H5Pcreate(H5P_GROUP_CREATE), context, setup);
  hdf5::check(H5Pset_obj_track_times(st.group_creation.get(), false), context, setup);

  // Creating the file with open() first gives the system's reason when that fails,
  // which HDF5 does not report.
  const int fd = ::open(st.partial_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int error = errno;
    context.fail("cannot create " + in_quotes(st.partial_path.string()) + ": " + errno_text(error));
  }
  ::close(fd);

  const hid_t file =
      H5Fcreate(st.partial_path.c_str(), H5F_ACC_TRUNC, creation.get(), access.get());
  if (file < 0) {
    std::error_code ignored;
    fs::remove(st.partial_path, ignored);
    context.fail("HDF5 failed to create " + in_quotes(st.partial_path.string()));
  }
  st.file = hdf5::File(file);
}

Hdf5Recorder::~Hdf5Recorder() {
  if (!state_ || state_->finished) return;
  // The run did not finish: leave nothing behind that could pass for its output.
  state_->series.clear();
  state_->file.close();
  std::error_code ignored;
  fs::remove(state_->partial_path, ignored);
}

void Hdf5Recorder::begin(const RunInfo& info) {
  hdf5::silence_library_errors();
  State& st = *state_;
  GPUMARKET_CHECK_MSG(!st.begun && !st.finished, "begin() called twice or after finish()");
  st.begun = true;
  const hid_t root = st.file.get();
  hdf5::write_string_attribute(root, "/", "program_version", info.program_version, st.context);
  hdf5::write_uint64_attribute(root, "/", "seed", info.seed, st.context);
  hdf5::write_string_attribute(root, "/", "start_date", info.start_date, st.context);
  hdf5::write_string_attribute(root, "/", "scenario_file", info.scenario_file, st.context);
  st.ensure_group("/provenance");
  st.write_string_dataset("/provenance/scenario_text", info.scenario_text);
  st.write_string_dataset("/provenance/resolved_scenario", info.resolved_scenario);
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
  SeriesState s;
  s.spec = spec;
  s.path = group_path + "/" + spec.name;
  if (!st.series_paths.insert(s.path).second) {
    st.context.fail("the series " + in_quotes(s.path) + " is declared twice");
  }
  s.width = spec.columns.empty() ? 1 : spec.columns.size();
  s.chunk_rows = std::max<size_t>(1, kChunkBytes / (sizeof(double) * s.width));
  s.buffer.resize(s.chunk_rows * s.width);
  st.series.push_back(std::move(s));
  return static_cast<SeriesId>(st.series.size() - 1);
}

void Hdf5Recorder::append(SeriesId series, std::span<const double> row) {
  State& st = *state_;
  GPUMARKET_CHECK_MSG(!st.finished, "append() called after finish()");
  GPUMARKET_CHECK(series < st.series.size());
  SeriesState& s = st.series[series];
  GPUMARKET_CHECK(row.size() == s.width);
  std::copy(row.begin(), row.end(),
            s.buffer.begin() + static_cast<ptrdiff_t>(s.buffered_rows * s.width));
  if (++s.buffered_rows == s.chunk_rows) st.flush(s);
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
  st.write_summary();
  hdf5::write_int_attribute(st.file.get(), "/", "complete", 1, context);
  for (SeriesState& s : st.series) {
    if (!s.dataset.close()) context.fail("HDF5 failed to close dataset " + in_quotes(s.path));
  }
  st.series.clear();
  if (!st.file.close()) {
    context.fail("HDF5 failed to close " + in_quotes(st.partial_path.string()));
  }
  hdf5::sync_to_disk(st.partial_path, O_RDONLY, context);
  std::error_code error;
  fs::rename(st.partial_path, path_, error);
  if (error) {
    context.fail("cannot rename " + in_quotes(st.partial_path.string()) + " to " +
                 in_quotes(path_.string()) + ": " + error.message());
  }
  st.finished = true;
  const fs::path directory = path_.has_parent_path() ? path_.parent_path() : fs::path(".");
  hdf5::sync_to_disk(directory, O_RDONLY | O_DIRECTORY, context);
}

}  // namespace gpumarket
