#include "hdf5_objects.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "cf_units.hpp"

namespace gpumarket::hdf5 {
namespace {

std::string attribute_text(const std::string& name, const std::string& object_name) {
  return "attribute " + in_quotes(name) + " of " + in_quotes(object_name);
}

Attribute create_attribute(hid_t object, const std::string& object_name, const std::string& name,
                           hid_t type, hid_t space, const Context& context) {
  return make<Attribute>(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                         context, "HDF5 failed to create " + attribute_text(name, object_name));
}

Attribute open_attribute(hid_t object, const std::string& object_name, const std::string& name,
                         const Context& context) {
  if (!has_attribute(object, object_name, name, context)) {
    context.fail("it has no " + attribute_text(name, object_name));
  }
  return make<Attribute>(H5Aopen(object, name.c_str(), H5P_DEFAULT), context,
                         "HDF5 failed to open " + attribute_text(name, object_name));
}

size_t element_count(hid_t space, const Context& context, const std::string& what) {
  const hssize_t count = H5Sget_simple_extent_npoints(space);
  if (count < 0) context.fail("HDF5 failed to read the shape of " + what);
  return static_cast<size_t>(count);
}

// The size of the file that holds `object`: no string in it can be longer.
hsize_t file_size(hid_t object, const Context& context, const std::string& what) {
  const std::string failure = "HDF5 failed to read the size of the file of " + what;
  const auto file = make<File>(H5Iget_file_id(object), context, failure);
  hsize_t size = 0;
  check(H5Fget_filesize(file.get(), &size), context, failure);
  return size;
}

// Reads `count` strings stored with a variable- or fixed-length string type;
// `read(memory_type, buffer)` is H5Aread or H5Dread on `object`. Variable-length strings come
// from the file's global heap, which has no checksum: a length longer than the file is damage.
template <class Read>
std::vector<std::string> read_string_values(hid_t object, hid_t file_type, size_t count, Read read,
                                            const Context& context, const std::string& what) {
  if (H5Tget_class(file_type) != H5T_STRING) context.fail(what + " does not hold text");
  const htri_t variable = H5Tis_variable_str(file_type);
  check(variable, context, "HDF5 failed to inspect the type of " + what);
  const auto memory_type =
      make<Datatype>(H5Tcopy(file_type), context, "HDF5 failed to copy the type of " + what);
  const std::string failure = "HDF5 failed to read " + what;
  std::vector<std::string> values;
  values.reserve(count);
  if (count == 0) return values;
  if (variable > 0) {
    const hsize_t limit = file_size(object, context, what);
    std::vector<char*> data(count, nullptr);
    const herr_t status = read(memory_type.get(), data.data());
    bool too_long = false;
    for (char* text : data) {
      const size_t length = text != nullptr ? strnlen(text, limit + 1) : 0;
      too_long = too_long || length > limit;
      if (!too_long) values.emplace_back(text != nullptr ? text : "", length);
      H5free_memory(text);
    }
    check(status, context, failure);
    if (too_long) {
      context.fail(what + " holds a string longer than the file (" + std::to_string(limit) +
                   " bytes): the file is corrupted");
    }
  } else {
    const size_t size = H5Tget_size(file_type);
    if (size == 0) context.fail(failure);
    std::vector<char> data(count * size);
    check(read(memory_type.get(), data.data()), context, failure);
    for (size_t i = 0; i < count; ++i) {
      const std::string_view padded(data.data() + i * size, size);
      values.emplace_back(padded.substr(0, padded.find('\0')));
    }
  }
  return values;
}

// An object that cannot be opened is missing, unless HDF5 says why (a corrupted file).
hid_t check_opened(hid_t id, const std::string& what, const Context& context) {
  if (id >= 0) return id;
  const std::string reason = library_failure();
  if (reason.empty()) context.fail("it has no " + what);
  context.fail("HDF5 failed to open " + what + ": " + reason);
}

// A dataset creation list to modify: a copy of `base`, or a new one for H5P_DEFAULT.
PropertyList copy_of(hid_t base, const Context& context) {
  const std::string failure = "HDF5 failed to create a property list";
  if (base == H5P_DEFAULT) {
    return make<PropertyList>(H5Pcreate(H5P_DATASET_CREATE), context, failure);
  }
  return make<PropertyList>(H5Pcopy(base), context, failure);
}

}  // namespace

std::string in_quotes(std::string_view text) {
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted += '\'';
  quoted += text;
  quoted += '\'';
  return quoted;
}

Datatype string_type(const Context& context) {
  auto type = make<Datatype>(H5Tcopy(H5T_C_S1), context, "HDF5 failed to copy a type");
  check(H5Tset_size(type.get(), H5T_VARIABLE), context, "HDF5 failed to set a string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), context, "HDF5 failed to set a string type");
  return type;
}

Dataspace scalar_space(const Context& context) {
  return make<Dataspace>(H5Screate(H5S_SCALAR), context, "HDF5 failed to create a dataspace");
}

Dataspace vector_space(hsize_t size, const Context& context) {
  return make<Dataspace>(H5Screate_simple(1, &size, nullptr), context,
                         "HDF5 failed to create a dataspace");
}

bool has_link(hid_t parent, const std::string& path, const Context& context) {
  const htri_t exists = H5Lexists(parent, path.c_str(), H5P_DEFAULT);
  check(exists, context, "HDF5 failed to look up " + in_quotes(path));
  return exists > 0;
}

Group create_group(hid_t parent, const std::string& path, hid_t creation, const Context& context) {
  return make<Group>(H5Gcreate2(parent, path.c_str(), H5P_DEFAULT, creation, H5P_DEFAULT), context,
                     "HDF5 failed to create group " + in_quotes(path));
}

Group open_group(hid_t parent, const std::string& path, const Context& context) {
  return Group(check_opened(H5Gopen2(parent, path.c_str(), H5P_DEFAULT), "group " + in_quotes(path),
                            context));
}

std::vector<std::string> link_names(hid_t group, const std::string& path, const Context& context) {
  std::vector<std::string> names;
  const auto collect = [](hid_t /*group*/, const char* name, const H5L_info_t* /*info*/,
                          void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  // One pass in storage order, then sorted as the name index sorts (strcmp): listing by index
  // (H5Lget_name_by_idx) builds and frees a table of the links per call, and HDF5 1.10 frees a
  // wild pointer there for some damaged files (found by fuzz/hdf5_reader_fuzzer).
  check(H5Literate(group, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect, &names), context,
        "HDF5 failed to list group " + in_quotes(path));
  std::sort(names.begin(), names.end());
  return names;
}

void add_checksum(hid_t creation, const Context& context) {
  check(H5Pset_fletcher32(creation), context, "HDF5 failed to set up a checksum");
}

PropertyList checksummed_creation(hid_t base, const std::vector<hsize_t>& dims,
                                  size_t element_bytes, const Context& context) {
  PropertyList creation = copy_of(base, context);
  if (dims.empty() || std::find(dims.begin(), dims.end(), hsize_t{0}) != dims.end()) {
    return creation;
  }
  constexpr size_t kMaxChunkBytes = size_t{32} * 1024;  // as a run's series (hdf5_recorder.cpp)
  size_t row_bytes = element_bytes;
  for (size_t d = 1; d < dims.size(); ++d) row_bytes *= static_cast<size_t>(dims[d]);
  std::vector<hsize_t> chunk = dims;
  chunk[0] = std::min<hsize_t>(dims[0], std::max<size_t>(1, kMaxChunkBytes / row_bytes));
  const std::string setup = "HDF5 failed to set up the storage of a dataset";
  check(H5Pset_chunk(creation.get(), static_cast<int>(chunk.size()), chunk.data()), context, setup);
  add_checksum(creation.get(), context);
  return creation;
}

PropertyList compact_creation(hid_t base, const Context& context) {
  PropertyList creation = copy_of(base, context);
  check(H5Pset_layout(creation.get(), H5D_COMPACT), context,
        "HDF5 failed to set up the storage of a dataset");
  return creation;
}

Dataset create_dataset(hid_t parent, const std::string& path, hid_t file_type, hid_t space,
                       hid_t creation, const Context& context) {
  return make<Dataset>(
      H5Dcreate2(parent, path.c_str(), file_type, space, H5P_DEFAULT, creation, H5P_DEFAULT),
      context, "HDF5 failed to create dataset " + in_quotes(path));
}

Dataset write_dataset(hid_t parent, const std::string& path, hid_t file_type, hid_t memory_type,
                      hid_t space, const void* data, hid_t creation, const Context& context) {
  Dataset dataset = create_dataset(parent, path, file_type, space, creation, context);
  if (element_count(space, context, "dataset " + in_quotes(path)) > 0) {
    check(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), context,
          "HDF5 failed to write dataset " + in_quotes(path));
  }
  return dataset;
}

void write_string_dataset(hid_t parent, const std::string& path, const std::string& value,
                          hid_t creation, const Context& context) {
  const Datatype type = string_type(context);
  const Dataspace space = scalar_space(context);
  const char* data = value.c_str();
  write_dataset(parent, path, type.get(), type.get(), space.get(), &data, creation, context);
}

Dataset open_dataset(hid_t parent, const std::string& path, const Context& context,
                     std::string_view kind) {
  return Dataset(check_opened(H5Dopen2(parent, path.c_str(), H5P_DEFAULT),
                              std::string(kind) + " " + in_quotes(path), context));
}

std::vector<std::string> read_strings(hid_t dataset, const std::string& path,
                                      const Context& context) {
  const std::string what = "dataset " + in_quotes(path);
  const auto type =
      make<Datatype>(H5Dget_type(dataset), context, "HDF5 failed to read the type of " + what);
  const auto space =
      make<Dataspace>(H5Dget_space(dataset), context, "HDF5 failed to read the shape of " + what);
  return read_string_values(
      dataset, type.get(), element_count(space.get(), context, what),
      [&](hid_t memory_type, void* buffer) {
        return H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
      },
      context, what);
}

std::string read_string_dataset(hid_t parent, const std::string& path, const Context& context) {
  const Dataset dataset = open_dataset(parent, path, context);
  std::vector<std::string> values = read_strings(dataset.get(), path, context);
  if (values.size() != 1) context.fail("dataset " + in_quotes(path) + " is not a single string");
  return std::move(values.front());
}

void write_string_attribute(hid_t object, const std::string& object_name, const std::string& name,
                            const std::string& value, const Context& context) {
  const Datatype type = string_type(context);
  const Dataspace space = scalar_space(context);
  const Attribute attribute =
      create_attribute(object, object_name, name, type.get(), space.get(), context);
  const char* data = value.c_str();
  check(H5Awrite(attribute.get(), type.get(), &data), context,
        "HDF5 failed to write " + attribute_text(name, object_name));
}

void write_strings_attribute(hid_t object, const std::string& object_name, const std::string& name,
                             const std::vector<std::string>& values, const Context& context) {
  const Datatype type = string_type(context);
  const Dataspace space = vector_space(values.size(), context);
  const Attribute attribute =
      create_attribute(object, object_name, name, type.get(), space.get(), context);
  // An empty list is an attribute of no elements: there is nothing to write.
  if (values.empty()) return;
  std::vector<const char*> data;
  data.reserve(values.size());
  for (const std::string& value : values) data.push_back(value.c_str());
  check(H5Awrite(attribute.get(), type.get(), data.data()), context,
        "HDF5 failed to write " + attribute_text(name, object_name));
}

namespace {

// One number of `file_type`, given as `memory_type` at `value`.
void write_number_attribute(hid_t object, const std::string& object_name, const std::string& name,
                            hid_t file_type, hid_t memory_type, const void* value,
                            const Context& context) {
  const Dataspace space = scalar_space(context);
  const Attribute attribute =
      create_attribute(object, object_name, name, file_type, space.get(), context);
  check(H5Awrite(attribute.get(), memory_type, value), context,
        "HDF5 failed to write " + attribute_text(name, object_name));
}

}  // namespace

void write_uint64_attribute(hid_t object, const std::string& object_name, const std::string& name,
                            uint64_t value, const Context& context) {
  write_number_attribute(object, object_name, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value,
                         context);
}

void write_int_attribute(hid_t object, const std::string& object_name, const std::string& name,
                         int value, const Context& context) {
  write_number_attribute(object, object_name, name, H5T_STD_I32LE, H5T_NATIVE_INT, &value, context);
}

void write_double_attribute(hid_t object, const std::string& object_name, const std::string& name,
                            double value, const Context& context) {
  write_number_attribute(object, object_name, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value,
                         context);
}

void write_unit_attributes(hid_t object, const std::string& object_name, const std::string& label,
                           const Context& context) {
  write_string_attribute(object, object_name, "units_label", label, context);
  const std::optional<CfUnit> unit = cf_unit(label);
  if (!unit) return;
  write_string_attribute(object, object_name, "units", std::string(unit->units), context);
  if (!unit->currency.empty()) {
    write_string_attribute(object, object_name, "currency", std::string(unit->currency), context);
  }
}

bool has_attribute(hid_t object, const std::string& object_name, const std::string& name,
                   const Context& context) {
  const htri_t exists = H5Aexists(object, name.c_str());
  check(exists, context, "HDF5 failed to look up " + attribute_text(name, object_name));
  return exists > 0;
}

std::vector<std::string> read_strings_attribute(hid_t object, const std::string& object_name,
                                                const std::string& name, const Context& context) {
  const Attribute attribute = open_attribute(object, object_name, name, context);
  const std::string what = attribute_text(name, object_name);
  const auto type = make<Datatype>(H5Aget_type(attribute.get()), context,
                                   "HDF5 failed to read the type of " + what);
  const auto space = make<Dataspace>(H5Aget_space(attribute.get()), context,
                                     "HDF5 failed to read the shape of " + what);
  return read_string_values(
      attribute.get(), type.get(), element_count(space.get(), context, what),
      [&](hid_t memory_type, void* buffer) {
        return H5Aread(attribute.get(), memory_type, buffer);
      },
      context, what);
}

std::string read_string_attribute(hid_t object, const std::string& object_name,
                                  const std::string& name, const Context& context) {
  std::vector<std::string> values = read_strings_attribute(object, object_name, name, context);
  if (values.size() != 1) {
    context.fail(attribute_text(name, object_name) + " is not a single string");
  }
  return std::move(values.front());
}

uint64_t read_uint64_attribute(hid_t object, const std::string& object_name,
                               const std::string& name, const Context& context) {
  const Attribute attribute = open_attribute(object, object_name, name, context);
  const std::string what = attribute_text(name, object_name);
  const auto type = make<Datatype>(H5Aget_type(attribute.get()), context,
                                   "HDF5 failed to read the type of " + what);
  if (H5Tget_class(type.get()) != H5T_INTEGER) context.fail(what + " is not an integer");
  uint64_t value = 0;
  check(H5Aread(attribute.get(), H5T_NATIVE_UINT64, &value), context,
        "HDF5 failed to read " + what);
  return value;
}

void sync_to_disk(const std::filesystem::path& path, int open_flags, const Context& context) {
  const int fd = ::open(path.c_str(), open_flags | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    context.fail("cannot open " + in_quotes(path.string()) + ": " + std::strerror(error));
  }
  const int status = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (status != 0) {
    context.fail("cannot flush " + in_quotes(path.string()) + " to disk: " + std::strerror(error));
  }
}

}  // namespace gpumarket::hdf5
