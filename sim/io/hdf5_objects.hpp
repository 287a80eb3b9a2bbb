// Groups, attributes and whole datasets, created and read the same way by every HDF5 file
// that io writes (run results, sweep results) and by their readers. Private to sim/io.
//
// `path` arguments name an object relative to `parent` (an absolute path when `parent` is
// the file) and name it in error messages; `creation` is a creation property list, H5P_DEFAULT
// or one that turns off timestamps.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hdf5_handle.hpp"

namespace gpumarket::hdf5 {

/// 'text', for object and file names in messages.
std::string in_quotes(std::string_view text);

/// Variable-length UTF-8 strings: the type of every text attribute and dataset written.
Datatype string_type(const Context& context);
Dataspace scalar_space(const Context& context);
Dataspace vector_space(hsize_t size, const Context& context);

/// Whether a link `path` exists below `parent`.
bool has_link(hid_t parent, const std::string& path, const Context& context);
Group create_group(hid_t parent, const std::string& path, hid_t creation, const Context& context);
Group open_group(hid_t parent, const std::string& path, const Context& context);
/// The names of the links in `group` (which `path` names), sorted by name whatever order they
/// were written in.
std::vector<std::string> link_names(hid_t group, const std::string& path, const Context& context);

/// Adds HDF5's Fletcher-32 filter to a chunked `creation` list: a checksum of each chunk as
/// stored (after compression, so it is checked before inflating), verified by HDF5 on every
/// read; a chunk that does not match fails the read (library_failure() names it).
void add_checksum(hid_t creation, const Context& context);
/// A copy of `base` (H5P_DEFAULT: a new list) that stores a dataset of shape `dims`, whose
/// elements take `element_bytes` in the file, checksummed: in chunks of whole rows (at most 32
/// KiB, or one row) with add_checksum. A dataset without elements cannot be chunked to a fixed
/// shape of zero and has nothing to check: it keeps `base`'s layout.
PropertyList checksummed_creation(hid_t base, const std::vector<hsize_t>& dims,
                                  size_t element_bytes, const Context& context);
/// A copy of `base` that stores a small dataset inside its object header (compact layout),
/// where the checksum of the header (file format 1.8 and later) covers its value. For scalars,
/// which HDF5 cannot chunk.
PropertyList compact_creation(hid_t base, const Context& context);

Dataset create_dataset(hid_t parent, const std::string& path, hid_t file_type, hid_t space,
                       hid_t creation, const Context& context);
/// Creates dataset `path` of `file_type` and shape `space` and writes all of it from `data`,
/// laid out as `memory_type` (nothing is written when the shape holds no element).
Dataset write_dataset(hid_t parent, const std::string& path, hid_t file_type, hid_t memory_type,
                      hid_t space, const void* data, hid_t creation, const Context& context);
/// A scalar string dataset.
void write_string_dataset(hid_t parent, const std::string& path, const std::string& value,
                          hid_t creation, const Context& context);
/// Fails with "it has no <kind> '<path>'" when it is missing, or with HDF5's reason (e.g. a
/// checksum that does not match).
Dataset open_dataset(hid_t parent, const std::string& path, const Context& context,
                     std::string_view kind = "dataset");
/// Every element of a string dataset, variable- or fixed-length, row-major.
std::vector<std::string> read_strings(hid_t dataset, const std::string& path,
                                      const Context& context);
/// A dataset that holds a single string.
std::string read_string_dataset(hid_t parent, const std::string& path, const Context& context);

/// Attributes of `object`, which `object_name` names in messages (e.g. "/"). Text is
/// variable-length UTF-8, uint64 is stored little-endian unsigned 64-bit, int as 32-bit, double
/// as IEEE 754 binary64.
void write_string_attribute(hid_t object, const std::string& object_name, const std::string& name,
                            const std::string& value, const Context& context);
void write_strings_attribute(hid_t object, const std::string& object_name, const std::string& name,
                             const std::vector<std::string>& values, const Context& context);
void write_uint64_attribute(hid_t object, const std::string& object_name, const std::string& name,
                            uint64_t value, const Context& context);
void write_int_attribute(hid_t object, const std::string& object_name, const std::string& name,
                         int value, const Context& context);
void write_double_attribute(hid_t object, const std::string& object_name, const std::string& name,
                            double value, const Context& context);
bool has_attribute(hid_t object, const std::string& object_name, const std::string& name,
                   const Context& context);
/// The unit attributes of a variable: `units_label` (the label the CLI prints), and CF's
/// `units` (and `currency`) when the label has a UDUNITS spelling (cf_units.hpp). A label
/// without one gets no `units` rather than an error: CF allows a variable without units, and
/// summary values arrive at the end of a run, which must not fail there.
void write_unit_attributes(hid_t object, const std::string& object_name, const std::string& label,
                           const Context& context);
/// Every string of a string attribute, variable- or fixed-length.
std::vector<std::string> read_strings_attribute(hid_t object, const std::string& object_name,
                                                const std::string& name, const Context& context);
/// An attribute that holds a single string.
std::string read_string_attribute(hid_t object, const std::string& object_name,
                                  const std::string& name, const Context& context);
/// An integer attribute, converted to uint64.
uint64_t read_uint64_attribute(hid_t object, const std::string& object_name,
                               const std::string& name, const Context& context);

/// fsync of a file or (with O_DIRECTORY) a directory: written files are on disk before
/// they are renamed to their final name, and the rename before the writer reports success.
void sync_to_disk(const std::filesystem::path& path, int open_flags, const Context& context);

}  // namespace gpumarket::hdf5
