#include "gpumarket/io/hdf5_reader.hpp"

#include <array>
#include <system_error>

#include "hdf5_handle.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kOpenFailure = "cannot open the results file";
constexpr std::string_view kReadFailure = "cannot read the results file";

std::string in_quotes(std::string_view text) {
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted += '\'';
  quoted += text;
  quoted += '\'';
  return quoted;
}

// Reads `count` strings stored with a variable- or fixed-length string type;
// `read(memory_type, buffer)` is H5Aread or H5Dread on the object.
template <class Read>
std::vector<std::string> read_strings(hid_t file_type, size_t count, Read read,
                                      const hdf5::Context& context, const std::string& what) {
  if (H5Tget_class(file_type) != H5T_STRING) context.fail(what + " does not hold text");
  const htri_t variable = H5Tis_variable_str(file_type);
  hdf5::check(variable, context, "HDF5 failed to inspect the type of " + what);
  const auto memory_type = hdf5::make<hdf5::Datatype>(H5Tcopy(file_type), context,
                                                      "HDF5 failed to copy the type of " + what);
  const std::string failure = "HDF5 failed to read " + what;
  std::vector<std::string> values;
  values.reserve(count);
  if (variable > 0) {
    std::vector<char*> data(count, nullptr);
    const herr_t status = read(memory_type.get(), data.data());
    for (char* text : data) {
      values.emplace_back(text != nullptr ? text : "");
      H5free_memory(text);
    }
    hdf5::check(status, context, failure);
  } else {
    const size_t size = H5Tget_size(file_type);
    if (size == 0) context.fail(failure);
    std::vector<char> data(count * size);
    hdf5::check(read(memory_type.get(), data.data()), context, failure);
    for (size_t i = 0; i < count; ++i) {
      const std::string_view padded(data.data() + i * size, size);
      values.emplace_back(padded.substr(0, padded.find('\0')));
    }
  }
  return values;
}

hdf5::Attribute open_attribute(hid_t object, const std::string& object_name, std::string_view name,
                               const hdf5::Context& context) {
  const std::string attribute_name(name);
  const htri_t exists = H5Aexists(object, attribute_name.c_str());
  const std::string what = "attribute " + in_quotes(name) + " of " + in_quotes(object_name);
  hdf5::check(exists, context, "HDF5 failed to look up " + what);
  if (exists == 0) context.fail("it has no " + what);
  return hdf5::make<hdf5::Attribute>(H5Aopen(object, attribute_name.c_str(), H5P_DEFAULT), context,
                                     "HDF5 failed to open " + what);
}

std::vector<std::string> read_string_attribute(hid_t object, const std::string& object_name,
                                               std::string_view name,
                                               const hdf5::Context& context) {
  const hdf5::Attribute attribute = open_attribute(object, object_name, name, context);
  const std::string what = "attribute " + in_quotes(name) + " of " + in_quotes(object_name);
  const auto type = hdf5::make<hdf5::Datatype>(H5Aget_type(attribute.get()), context,
                                               "HDF5 failed to read the type of " + what);
  const auto space = hdf5::make<hdf5::Dataspace>(H5Aget_space(attribute.get()), context,
                                                 "HDF5 failed to read the shape of " + what);
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  hdf5::check(static_cast<herr_t>(count < 0 ? -1 : 0), context,
              "HDF5 failed to read the shape of " + what);
  return read_strings(
      type.get(), static_cast<size_t>(count),
      [&](hid_t memory_type, void* buffer) {
        return H5Aread(attribute.get(), memory_type, buffer);
      },
      context, what);
}

std::string read_scalar_string_attribute(hid_t object, const std::string& object_name,
                                         std::string_view name, const hdf5::Context& context) {
  std::vector<std::string> values = read_string_attribute(object, object_name, name, context);
  if (values.size() != 1) {
    context.fail("attribute " + in_quotes(name) + " of " + in_quotes(object_name) +
                 " is not a single string");
  }
  return std::move(values.front());
}

}  // namespace

struct Hdf5Reader::State {
  hdf5::Context context;
  hdf5::File file;

  std::string string_dataset(const std::string& path) const {
    const auto dataset = hdf5::make<hdf5::Dataset>(H5Dopen2(file.get(), path.c_str(), H5P_DEFAULT),
                                                   context, "it has no dataset " + in_quotes(path));
    const std::string what = "dataset " + in_quotes(path);
    const auto type = hdf5::make<hdf5::Datatype>(H5Dget_type(dataset.get()), context,
                                                 "HDF5 failed to read the type of " + what);
    std::vector<std::string> values = read_strings(
        type.get(), 1,
        [&](hid_t memory_type, void* buffer) {
          return H5Dread(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
        },
        context, what);
    return std::move(values.front());
  }
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
  state_->context = hdf5::Context{path.string(), kReadFailure};
}

Hdf5Reader::~Hdf5Reader() = default;
Hdf5Reader::Hdf5Reader(Hdf5Reader&& other) noexcept = default;
Hdf5Reader& Hdf5Reader::operator=(Hdf5Reader&& other) noexcept = default;

std::string Hdf5Reader::string_attribute(std::string_view name) const {
  hdf5::silence_library_errors();
  return read_scalar_string_attribute(state_->file.get(), "/", name, state_->context);
}

uint64_t Hdf5Reader::uint64_attribute(std::string_view name) const {
  hdf5::silence_library_errors();
  const hdf5::Context& context = state_->context;
  const hdf5::Attribute attribute = open_attribute(state_->file.get(), "/", name, context);
  const std::string what = "attribute " + in_quotes(name) + " of '/'";
  const auto type = hdf5::make<hdf5::Datatype>(H5Aget_type(attribute.get()), context,
                                               "HDF5 failed to read the type of " + what);
  if (H5Tget_class(type.get()) != H5T_INTEGER) context.fail(what + " is not an integer");
  uint64_t value = 0;
  hdf5::check(H5Aread(attribute.get(), H5T_NATIVE_UINT64, &value), context,
              "HDF5 failed to read " + what);
  return value;
}

RunInfo Hdf5Reader::run_info() const {
  RunInfo info;
  info.scenario_file = string_attribute("scenario_file");
  info.scenario_text = state_->string_dataset("/provenance/scenario_text");
  info.resolved_scenario = state_->string_dataset("/provenance/resolved_scenario");
  info.seed = uint64_attribute("seed");
  info.program_version = string_attribute("program_version");
  info.start_date = string_attribute("start_date");
  return info;
}

std::vector<SummaryValue> Hdf5Reader::summary() const {
  hdf5::silence_library_errors();
  const hdf5::Context& context = state_->context;
  const htri_t exists = H5Lexists(state_->file.get(), "/summary", H5P_DEFAULT);
  hdf5::check(exists, context, "HDF5 failed to look up '/summary'");
  if (exists == 0) return {};
  const auto group = hdf5::make<hdf5::Group>(H5Gopen2(state_->file.get(), "/summary", H5P_DEFAULT),
                                             context, "HDF5 failed to open group '/summary'");
  H5G_info_t info;
  hdf5::check(H5Gget_info(group.get(), &info), context, "HDF5 failed to list group '/summary'");
  std::vector<SummaryValue> values;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    // The name index lists links sorted by name, whatever order they were written in.
    const ssize_t length = H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i,
                                              nullptr, 0, H5P_DEFAULT);
    hdf5::check(static_cast<herr_t>(length < 0 ? -1 : 0), context,
                "HDF5 failed to list group '/summary'");
    SummaryValue value;
    value.name.resize(static_cast<size_t>(length) + 1);
    hdf5::check(static_cast<herr_t>(H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC,
                                                       i, value.name.data(), value.name.size(),
                                                       H5P_DEFAULT) < 0
                                        ? -1
                                        : 0),
                context, "HDF5 failed to list group '/summary'");
    value.name.resize(static_cast<size_t>(length));
    const std::string path = "/summary/" + value.name;
    const auto dataset =
        hdf5::make<hdf5::Dataset>(H5Dopen2(group.get(), value.name.c_str(), H5P_DEFAULT), context,
                                  "HDF5 failed to open dataset " + in_quotes(path));
    const auto space =
        hdf5::make<hdf5::Dataspace>(H5Dget_space(dataset.get()), context,
                                    "HDF5 failed to read the shape of " + in_quotes(path));
    if (H5Sget_simple_extent_npoints(space.get()) != 1) {
      context.fail("dataset " + in_quotes(path) + " is not a single value");
    }
    hdf5::check(
        H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value.value),
        context, "HDF5 failed to read dataset " + in_quotes(path));
    value.unit = read_scalar_string_attribute(dataset.get(), path, "units", context);
    value.description = read_scalar_string_attribute(dataset.get(), path, "description", context);
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
  const auto dataset =
      hdf5::make<hdf5::Dataset>(H5Dopen2(state_->file.get(), path.c_str(), H5P_DEFAULT), context,
                                "it has no series " + in_quotes(path));
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
  result.spec.unit = read_scalar_string_attribute(dataset.get(), path, "units", context);
  result.spec.description =
      read_scalar_string_attribute(dataset.get(), path, "description", context);
  if (rank == 2) {
    result.spec.columns = read_string_attribute(dataset.get(), path, "columns", context);
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
