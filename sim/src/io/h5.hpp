// complysim — private RAII layer over the HDF5 C API.
//
// The only header of complysim that includes hdf5.h. Each wrapper owns one
// hid_t and closes it in its destructor; every negative return of the C API
// becomes a complysim::io::H5Error naming the operation, the object path and
// HDF5's innermost message. HDF5's automatic printing of its error stack is
// switched off (per thread) before every operation that may fail.
#pragma once

#include <complysim/io/results_file.hpp>

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace complysim::io::h5 {

/// Turns off HDF5's automatic error printing for the calling thread (cheap after the first call).
void silence_errors();

/// Throws H5Error "<op> failed on '<where>': <innermost HDF5 message>" and clears the error stack.
[[noreturn]] void fail(std::string_view op, std::string_view where);

/// Returns `v`, or throws H5Error if it is negative.
template <class T>
T check(T v, std::string_view op, std::string_view where) {
  if (v < 0) fail(op, where);
  return v;
}

/// Move-only owner of one hid_t, closed by `Close`.
template <herr_t (*Close)(hid_t)>
class Id {
 public:
  Id() = default;
  Id(hid_t id, std::string path) : id_(id), path_(std::move(path)) {}
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  Id(Id&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), path_(std::move(o.path_)) {}
  Id& operator=(Id&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, H5I_INVALID_HID);
      path_ = std::move(o.path_);
    }
    return *this;
  }
  ~Id() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  /// Object path inside the file (or the file name for a File), for messages.
  const std::string& path() const { return path_; }
  /// Closes now, reporting failure (the destructor swallows it).
  void close() {
    if (id_ >= 0) {
      const hid_t id = std::exchange(id_, H5I_INVALID_HID);
      check(Close(id), "close", path_);
    }
  }

 protected:
  void reset() noexcept {
    if (id_ >= 0) Close(std::exchange(id_, H5I_INVALID_HID));
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  std::string path_;
};

/// A property list (H5P).
class PropList : public Id<H5Pclose> {
 public:
  using Id::Id;
  static PropList create(hid_t cls, std::string_view what);
};

/// A datatype (H5T) created by us; predefined types (H5T_NATIVE_*) are used as raw hid_t.
class DataType : public Id<H5Tclose> {
 public:
  using Id::Id;
  /// Variable-length UTF-8 string.
  static DataType vlen_string();
};

/// A dataspace (H5S).
class DataSpace : public Id<H5Sclose> {
 public:
  using Id::Id;
  static DataSpace scalar();
  /// Simple dataspace; `maxdims` empty = fixed (same as dims).
  static DataSpace simple(std::span<const hsize_t> dims, std::span<const hsize_t> maxdims = {});
  std::vector<hsize_t> dims() const;
  /// Selects the hyperslab [start, start + count).
  void select(std::span<const hsize_t> start, std::span<const hsize_t> count);
};

/// An attribute (H5A).
class Attribute : public Id<H5Aclose> {
 public:
  using Id::Id;
  DataSpace space() const;
  DataType type() const;
};

/// Location of attributes and links: a file or group (or dataset, for attributes).
/// All functions take the raw hid_t plus its path for messages.
struct Loc {
  hid_t id;
  std::string path;
};

/// A group (H5G).
class Group : public Id<H5Gclose> {
 public:
  using Id::Id;
  Loc loc() const { return {get(), path()}; }
};

/// A dataset (H5D).
class DataSet : public Id<H5Dclose> {
 public:
  using Id::Id;
  Loc loc() const { return {get(), path()}; }
  DataSpace space() const;
  DataType type() const;
  std::vector<hsize_t> dims() const;
  /// Writes all of `buf` (of memory type `memtype`) to the whole dataset.
  void write_all(hid_t memtype, const void* buf);
  /// Reads the whole dataset into `buf`.
  void read_all(hid_t memtype, void* buf) const;
  /// Grows the first dimension to at least `row + 1` if needed and writes one
  /// row (all other dimensions) from `buf`, with transfer properties `dxpl`.
  void write_row(hid_t memtype, hsize_t row, const void* buf, hid_t dxpl = H5P_DEFAULT);
  /// Reads rows [first, first + count) into `buf`, with transfer properties `dxpl`.
  void read_rows(hid_t memtype, hsize_t first, hsize_t count, void* buf, hid_t dxpl = H5P_DEFAULT) const;
};

/// True when the file at p is an HDF5 file (its signature is found); false
/// for any other file or when it cannot be read.
bool is_hdf5(const std::filesystem::path& p);

/// An open file (H5F).
class File : public Id<H5Fclose> {
 public:
  using Id::Id;
  /// Creates a file with the default (HDF5 1.8-compatible) format.
  /// overwrite = false fails if the file exists.
  static File create(const std::filesystem::path& p, bool overwrite);
  static File open_read(const std::filesystem::path& p);
  Loc loc() const { return {get(), "/"}; }
  void flush();
  /// Abandons a file being written on an error path (its partial file is
  /// about to be removed): truncates it to 0 bytes on disk, then closes it,
  /// ignoring failure. Every object in the file must be closed first.
  /// On a full disk HDF5's close must write metadata: truncating first frees
  /// the space it needs, so a file whose raw-data write failed closes cleanly.
  /// A file whose metadata flush (H5Fflush) already failed cannot be closed
  /// by HDF5 1.10 at all (its cache is left inconsistent, "slist already
  /// enabled?"), and HDF5 then keeps a freed file in its id table that crashes
  /// its shutdown at exit (upstream HDFFV-11052, HDF5 PR #2291): see
  /// io::hdf5_skip_shutdown_at_exit().
  void discard() noexcept;
};

// ---- links -------------------------------------------------------------------

bool exists(const Loc& loc, const std::string& name);
Group create_group(const Loc& loc, const std::string& name);
Group open_group(const Loc& loc, const std::string& name);
DataSet open_dataset(const Loc& loc, const std::string& name);
/// Names of the links in a group, in name order.
std::vector<std::string> list(const Loc& loc);

// ---- attributes --------------------------------------------------------------

bool has_attr(const Loc& loc, const std::string& name);
void write_attr(const Loc& loc, const std::string& name, std::string_view value);
void write_attr(const Loc& loc, const std::string& name, std::span<const std::string> values);
void write_attr(const Loc& loc, const std::string& name, std::int64_t value);
void write_attr(const Loc& loc, const std::string& name, std::uint64_t value);
std::string read_attr_string(const Loc& loc, const std::string& name);
std::vector<std::string> read_attr_strings(const Loc& loc, const std::string& name);
std::int64_t read_attr_i64(const Loc& loc, const std::string& name);
std::uint64_t read_attr_u64(const Loc& loc, const std::string& name);

// ---- datasets ----------------------------------------------------------------

/// Native HDF5 memory type of a C++ arithmetic type.
template <class T>
hid_t native_type() {
  if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
  else if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
  else if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_NATIVE_UINT64;
  else if constexpr (std::is_same_v<T, std::int8_t>) return H5T_NATIVE_INT8;
  else static_assert(sizeof(T) == 0, "no HDF5 type for T");
}

/// Little-endian file type of a C++ arithmetic type (files are the same on every machine).
template <class T>
hid_t file_type() {
  if constexpr (std::is_same_v<T, double>) return H5T_IEEE_F64LE;
  else if constexpr (std::is_same_v<T, std::int64_t>) return H5T_STD_I64LE;
  else if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_STD_U64LE;
  else if constexpr (std::is_same_v<T, std::int8_t>) return H5T_STD_I8LE;
  else static_assert(sizeof(T) == 0, "no HDF5 type for T");
}

/// Creates a dataset of shape [0, inner...] extendible without limit along the
/// first axis, chunked along it (about 64 KiB per chunk), shuffled and
/// deflate-compressed (level 4).
DataSet create_extendible(const Loc& loc, const std::string& name, hid_t filetype, std::span<const hsize_t> inner);

/// Creates a fixed-shape contiguous dataset and writes `buf` (skipped when empty).
DataSet create_fixed(const Loc& loc, const std::string& name, hid_t filetype, std::span<const hsize_t> dims,
                     hid_t memtype, const void* buf);

/// Creates a 1-D dataset of variable-length UTF-8 strings holding `values`.
DataSet create_strings(const Loc& loc, const std::string& name, std::span<const std::string> values);

/// Reads a whole 1-D string dataset.
std::vector<std::string> read_strings(const DataSet& ds);
/// Reads `count` strings of a 1-D string dataset from row `first`.
std::vector<std::string> read_strings(const DataSet& ds, hsize_t first, hsize_t count);
/// Writes one string at row `row` of an extendible 1-D string dataset (growing it).
void write_string_row(DataSet& ds, hsize_t row, const std::string& value);

/// Reads a whole numeric dataset as a flat row-major vector.
template <class T>
std::vector<T> read_vector(const DataSet& ds) {
  std::size_t n = 1;
  for (hsize_t d : ds.dims()) n *= static_cast<std::size_t>(d);
  std::vector<T> v(n);
  if (n > 0) ds.read_all(native_type<T>(), v.data());
  return v;
}

}  // namespace complysim::io::h5
