#include "netcdf_writer.hpp"

#include <hdf5_hl.h>

#include "gpumarket/core/version.hpp"
#include "partial_file.hpp"

namespace gpumarket::hdf5 {

PropertyList untimed(hid_t class_id, const Context& context) {
  auto list =
      make<PropertyList>(H5Pcreate(class_id), context, "HDF5 failed to create a property list");
  check(H5Pset_obj_track_times(list.get(), false), context, "HDF5 failed to turn off timestamps");
  return list;
}

NetcdfWriter::NetcdfWriter(hid_t root, const Context& context)
    : root_(root), context_(context), creation_(untimed(H5P_DATASET_CREATE, context)) {}

Dataset NetcdfWriter::numbers(const std::string& path, hid_t file_type, hid_t memory_type,
                              const std::vector<hsize_t>& dims, const void* data,
                              const std::vector<hid_t>& scales) {
  const auto space =
      make<Dataspace>(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                      context_, "HDF5 failed to create the dataspace of " + in_quotes(path));
  const PropertyList creation =
      checksummed_creation(creation_.get(), dims, H5Tget_size(file_type), context_);
  Dataset d = write_dataset(root_, path, file_type, memory_type, space.get(), data, creation.get(),
                            context_);
  attach(d.get(), path, scales);
  return d;
}

void NetcdfWriter::doubles(const std::string& path, const std::string& long_name,
                           const std::vector<hsize_t>& dims, const double* data,
                           const std::vector<hid_t>& scales) {
  describe(numbers(path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims, data, scales), path, long_name);
}

Dataset NetcdfWriter::strings(const std::string& path, const std::vector<std::string>& values,
                              const std::vector<hid_t>& scales) {
  const Datatype type = string_type(context_);
  const Dataspace space = vector_space(values.size(), context_);
  std::vector<const char*> data;
  data.reserve(values.size());
  for (const std::string& s : values) data.push_back(s.c_str());
  Dataset d = write_dataset(root_, path, type.get(), type.get(), space.get(), data.data(),
                            creation_.get(), context_);
  attach(d.get(), path, scales);
  return d;
}

Dataset NetcdfWriter::scale(const std::string& name, Dataset d) {
  check(H5DSset_scale(d.get(), name.c_str()), context_,
        "HDF5 failed to make " + in_quotes("/" + name) + " a dimension");
  return d;
}

void NetcdfWriter::describe(const Dataset& d, const std::string& path,
                            const std::string& long_name) {
  write_string_attribute(d.get(), path, "long_name", long_name, context_);
}

void NetcdfWriter::attach(hid_t dataset, const std::string& path,
                          const std::vector<hid_t>& scales) {
  for (size_t i = 0; i < scales.size(); ++i) {
    check(H5DSattach_scale(dataset, scales[i], static_cast<unsigned>(i)), context_,
          "HDF5 failed to attach a dimension to " + in_quotes(path));
  }
}

void write_netcdf_file(const std::filesystem::path& path, const std::string& format,
                       const Context& context, const std::function<void(hid_t root)>& fill) {
  silence_library_errors();
  PartialFile partial(path, context);
  const PropertyList access = partial.file_access();
  check(H5Pset_libver_bounds(access.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), context,
        "HDF5 failed to set up file properties");
  const PropertyList creation = untimed(H5P_FILE_CREATE, context);
  auto file =
      make<File>(H5Fcreate(partial.path().c_str(), H5F_ACC_TRUNC, creation.get(), access.get()),
                 context, "HDF5 failed to create " + in_quotes(partial.path().string()));
  const hid_t root = file.get();
  write_string_attribute(root, "/", "Conventions", "CF-1.8", context);
  write_string_attribute(root, "/", "gpumarket_format", format, context);
  write_string_attribute(root, "/", "program_version", program_version(), context);
  fill(root);
  check(H5Fflush(root, H5F_SCOPE_GLOBAL), context, "HDF5 failed to flush the file");
  if (!file.close())
    fail_call(context, "HDF5 failed to close " + in_quotes(partial.path().string()));
  // Durable before it is published under its final name, as a run's file.
  partial.publish();
}

}  // namespace gpumarket::hdf5
