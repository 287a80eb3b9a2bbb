#include "hdf5_layout.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <string_view>

namespace gpumarket::hdf5 {
namespace {

std::string base_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string object_path(hid_t id) {
  const ssize_t length = H5Iget_name(id, nullptr, 0);
  if (length <= 0) return {};
  std::string name(static_cast<size_t>(length) + 1, '\0');
  H5Iget_name(id, name.data(), name.size());
  name.resize(static_cast<size_t>(length));
  return name;
}

herr_t take_scale_name(hid_t /*dataset*/, unsigned /*dim*/, hid_t scale, void* name) {
  *static_cast<std::string*>(name) = base_name(object_path(scale));
  return 1;  // the first scale attached is the dimension
}

}  // namespace

std::string dimension_name(hid_t dataset, unsigned dim) {
  if (H5DSget_num_scales(dataset, dim) <= 0) return {};
  std::string name;
  H5DSiterate_scales(dataset, dim, nullptr, take_scale_name, &name);
  return name;
}

std::vector<hsize_t> dims_of(hid_t dataset, const std::string& path, const Context& c) {
  const auto space = make<Dataspace>(H5Dget_space(dataset), c,
                                     "HDF5 failed to read the shape of " + in_quotes(path));
  std::vector<hsize_t> dims(
      static_cast<size_t>(std::max(H5Sget_simple_extent_ndims(space.get()), 0)));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

bool is_dataset(hid_t parent, const std::string& name) {
  const Object object(H5Oopen(parent, name.c_str(), H5P_DEFAULT));
  return object.valid() && H5Iget_type(object.get()) == H5I_DATASET;
}

bool is_group(hid_t parent, const std::string& name) {
  const Object object(H5Oopen(parent, name.c_str(), H5P_DEFAULT));
  return object.valid() && H5Iget_type(object.get()) == H5I_GROUP;
}

bool holds_text(hid_t dataset) {
  const Datatype type(H5Dget_type(dataset));
  return type.valid() && H5Tget_class(type.get()) == H5T_STRING;
}

Dataset write_label_scale(hid_t group, const std::string& name,
                          const std::vector<std::string>& labels, const Context& c) {
  const Datatype type = string_type(c);
  const Dataspace space = vector_space(labels.size(), c);
  std::vector<const char*> data;
  data.reserve(labels.size());
  for (const std::string& label : labels) data.push_back(label.c_str());
  Dataset scale =
      write_dataset(group, name, type.get(), type.get(), space.get(), data.data(), H5P_DEFAULT, c);
  check(H5DSset_scale(scale.get(), name.c_str()), c,
        "HDF5 failed to make " + in_quotes(name) + " a dimension");
  return scale;
}

}  // namespace gpumarket::hdf5
