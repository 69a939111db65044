// complysim — private RAII layer over the HDF5 C API (see h5.hpp).
#include "io/h5.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace complysim::io::h5 {

void silence_errors() {
  // The error-printing setting is per thread in thread-safe HDF5 builds.
  thread_local bool done = false;
  if (!done) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    done = true;
  }
}

namespace {

herr_t innermost(unsigned n, const H5E_error2_t* err, void* data) {
  // Walked upward: n == 0 is the innermost (original) error.
  if (n == 0 && err->desc != nullptr) *static_cast<std::string*>(data) = err->desc;
  return 0;
}

}  // namespace

void fail(std::string_view op, std::string_view where) {
  std::string detail;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &detail);
  H5Eclear2(H5E_DEFAULT);
  // The sec2 driver's I/O messages are multi-line dumps ("file write failed:
  // time = ..., errno = 28, error message = 'No space left on device', ..."):
  // keep their first words and the system's message.
  if (const auto em = detail.find("error message = '"); em != std::string::npos) {
    const auto start = em + 17, end = detail.find('\'', start);
    const auto colon = detail.find(':');
    detail = detail.substr(0, std::min(colon, em)) + ": " + detail.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
  std::replace(detail.begin(), detail.end(), '\n', ' ');
  std::string msg = std::string(op) + " failed on '" + std::string(where) + "'";
  if (!detail.empty()) msg += ": " + detail;
  throw H5Error(msg);
}

namespace {

std::string child_path(const Loc& loc, const std::string& name) {
  if (loc.path.empty() || loc.path == "/") return "/" + name;
  return loc.path + "/" + name;
}

/// Frees the memory HDF5 allocated for variable-length strings read into `buf`.
void reclaim(hid_t memtype, hid_t space, void* buf) {
#if H5_VERSION_GE(1, 12, 0)
  H5Treclaim(memtype, space, H5P_DEFAULT, buf);
#else
  H5Dvlen_reclaim(memtype, space, H5P_DEFAULT, buf);
#endif
}

std::vector<const char*> c_strings(std::span<const std::string> values) {
  std::vector<const char*> p(values.size());
  std::transform(values.begin(), values.end(), p.begin(), [](const std::string& s) { return s.c_str(); });
  return p;
}

/// Transfer properties for variable-length strings. Converting them goes through
/// a zeroed buffer of H5Pset_buffer's size (1 MiB by default) on every call,
/// which dominates the cost of writing one string per row: use 4 KiB.
hid_t string_dxpl() {
  thread_local const PropList dxpl = [] {
    PropList pl = PropList::create(H5P_DATASET_XFER, "string transfer");
    check(H5Pset_buffer(pl.get(), 4096, nullptr, nullptr), "H5Pset_buffer", "string transfer");
    return pl;
  }();
  return dxpl.get();
}

std::vector<std::string> take_strings(std::vector<char*>& p) {
  std::vector<std::string> out(p.size());
  for (std::size_t i = 0; i < p.size(); ++i)
    if (p[i] != nullptr) out[i] = p[i];
  return out;
}

}  // namespace

// ---- objects -----------------------------------------------------------------

PropList PropList::create(hid_t cls, std::string_view what) {
  silence_errors();
  return PropList(check(H5Pcreate(cls), "H5Pcreate", what), std::string(what));
}

DataType DataType::vlen_string() {
  silence_errors();
  DataType t(check(H5Tcopy(H5T_C_S1), "H5Tcopy", "string type"), "string type");
  check(H5Tset_size(t.get(), H5T_VARIABLE), "H5Tset_size", "string type");
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "H5Tset_cset", "string type");
  return t;
}

DataSpace DataSpace::scalar() {
  silence_errors();
  return DataSpace(check(H5Screate(H5S_SCALAR), "H5Screate", "scalar dataspace"), "dataspace");
}

DataSpace DataSpace::simple(std::span<const hsize_t> dims, std::span<const hsize_t> maxdims) {
  silence_errors();
  const int rank = static_cast<int>(dims.size());
  return DataSpace(check(H5Screate_simple(rank, dims.data(), maxdims.empty() ? nullptr : maxdims.data()),
                         "H5Screate_simple", "dataspace"),
                   "dataspace");
}

std::vector<hsize_t> DataSpace::dims() const {
  const int rank = check(H5Sget_simple_extent_ndims(get()), "H5Sget_simple_extent_ndims", path());
  std::vector<hsize_t> d(static_cast<std::size_t>(rank));
  if (rank > 0) check(H5Sget_simple_extent_dims(get(), d.data(), nullptr), "H5Sget_simple_extent_dims", path());
  return d;
}

void DataSpace::select(std::span<const hsize_t> start, std::span<const hsize_t> count) {
  check(H5Sselect_hyperslab(get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        "H5Sselect_hyperslab", path());
}

DataSpace Attribute::space() const {
  return DataSpace(check(H5Aget_space(get()), "H5Aget_space", path()), path());
}

DataType Attribute::type() const { return DataType(check(H5Aget_type(get()), "H5Aget_type", path()), path()); }

DataSpace DataSet::space() const {
  return DataSpace(check(H5Dget_space(get()), "H5Dget_space", path()), path());
}

DataType DataSet::type() const { return DataType(check(H5Dget_type(get()), "H5Dget_type", path()), path()); }

std::vector<hsize_t> DataSet::dims() const { return space().dims(); }

void DataSet::write_all(hid_t memtype, const void* buf) {
  silence_errors();
  check(H5Dwrite(get(), memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), "H5Dwrite", path());
}

void DataSet::read_all(hid_t memtype, void* buf) const {
  silence_errors();
  check(H5Dread(get(), memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), "H5Dread", path());
}

void DataSet::write_row(hid_t memtype, hsize_t row, const void* buf, hid_t dxpl) {
  silence_errors();
  std::vector<hsize_t> d = dims();
  if (d.empty()) throw H5Error("write_row on scalar dataset '" + path() + "'");
  if (d[0] <= row) {
    d[0] = row + 1;
    check(H5Dset_extent(get(), d.data()), "H5Dset_extent", path());
  }
  std::vector<hsize_t> start(d.size(), 0), count = d;
  start[0] = row;
  count[0] = 1;
  DataSpace file_space = space();
  file_space.select(start, count);
  DataSpace mem_space = DataSpace::simple(count);
  check(H5Dwrite(get(), memtype, mem_space.get(), file_space.get(), dxpl, buf), "H5Dwrite", path());
}

void DataSet::read_rows(hid_t memtype, hsize_t first, hsize_t count, void* buf, hid_t dxpl) const {
  silence_errors();
  std::vector<hsize_t> d = dims();
  if (d.empty() || first + count > d[0])
    throw std::out_of_range("rows [" + std::to_string(first) + ", " + std::to_string(first + count) +
                            ") out of range for '" + path() + "'");
  if (count == 0) return;
  std::vector<hsize_t> start(d.size(), 0), cnt = d;
  start[0] = first;
  cnt[0] = count;
  DataSpace file_space = space();
  file_space.select(start, cnt);
  DataSpace mem_space = DataSpace::simple(cnt);
  check(H5Dread(get(), memtype, mem_space.get(), file_space.get(), dxpl, buf), "H5Dread", path());
}

namespace {
/// File access properties with a metadata cache of at most 4 MiB (HDF5's
/// adaptive default grows to 32 MiB as a file's chunk indexes and string heaps
/// grow, so a sweep's memory would climb with its number of runs).
PropList bounded_cache_fapl(const std::string& name) {
  // HDF5 also keeps freed blocks on internal free lists; cap them too
  // (regular/array/block lists: 1 MiB in all, 256 KiB per list).
  static const bool limited = [] {
    (void)H5set_free_list_limits(1 << 20, 1 << 18, 1 << 20, 1 << 18, 1 << 20, 1 << 18);
    return true;
  }();
  (void)limited;
  PropList fapl = PropList::create(H5P_FILE_ACCESS, name);
  H5AC_cache_config_t cfg;
  cfg.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  check(H5Pget_mdc_config(fapl.get(), &cfg), "H5Pget_mdc_config", name);
  cfg.set_initial_size = true;
  cfg.initial_size = std::size_t{1} << 20;
  cfg.min_size = std::size_t{1} << 20;
  cfg.max_size = std::size_t{4} << 20;
  check(H5Pset_mdc_config(fapl.get(), &cfg), "H5Pset_mdc_config", name);
  return fapl;
}
}  // namespace

File File::create(const std::filesystem::path& p, bool overwrite) {
  silence_errors();
  const std::string name = p.string();
  // Default creation and access properties: the HDF5 1.8-compatible format,
  // readable by HDF5 1.8+, h5py and every other HDF5 tool.
  const PropList fapl = bounded_cache_fapl(name);
  const hid_t id = H5Fcreate(name.c_str(), overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT, fapl.get());
  return File(check(id, "H5Fcreate", name), name);
}

bool is_hdf5(const std::filesystem::path& p) {
  silence_errors();
  return H5Fis_hdf5(p.string().c_str()) > 0;
}

File File::open_read(const std::filesystem::path& p) {
  silence_errors();
  const std::string name = p.string();
  const PropList fapl = bounded_cache_fapl(name);
  return File(check(H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl.get()), "H5Fopen", name), name);
}

void File::discard() noexcept {
  if (!valid()) return;
  silence_errors();
  void* handle = nullptr;
  if (H5Fget_vfd_handle(get(), H5P_DEFAULT, &handle) >= 0 && handle != nullptr) {
    const int fd = *static_cast<int*>(handle);  // the sec2 driver's handle is its file descriptor
    if (::ftruncate(fd, 0) != 0) {
      // Nothing more to do: the close below may still succeed.
    }
  }
  reset();
  H5Eclear2(H5E_DEFAULT);
}

void File::flush() {
  silence_errors();
  check(H5Fflush(get(), H5F_SCOPE_LOCAL), "H5Fflush", path());
}

// ---- links -------------------------------------------------------------------

bool exists(const Loc& loc, const std::string& name) {
  silence_errors();
  return check(H5Lexists(loc.id, name.c_str(), H5P_DEFAULT), "H5Lexists", child_path(loc, name)) > 0;
}

Group create_group(const Loc& loc, const std::string& name) {
  silence_errors();
  const std::string p = child_path(loc, name);
  return Group(check(H5Gcreate2(loc.id, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2", p), p);
}

Group open_group(const Loc& loc, const std::string& name) {
  silence_errors();
  const std::string p = child_path(loc, name);
  return Group(check(H5Gopen2(loc.id, name.c_str(), H5P_DEFAULT), "H5Gopen2", p), p);
}

DataSet open_dataset(const Loc& loc, const std::string& name) {
  silence_errors();
  const std::string p = child_path(loc, name);
  // A chunk cache of two chunks (HDF5's default is 1 MiB per dataset): rows
  // are read in order, and a merge holds 37 datasets open in each of many files.
  std::size_t cache = 0;
  {
    const DataSet probe(check(H5Dopen2(loc.id, name.c_str(), H5P_DEFAULT), "H5Dopen2", p), p);
    const PropList dcpl(check(H5Dget_create_plist(probe.get()), "H5Dget_create_plist", p), p);
    if (H5Pget_layout(dcpl.get()) == H5D_CHUNKED) {
      const int rank = H5Pget_chunk(dcpl.get(), 0, nullptr);
      std::vector<hsize_t> chunk(static_cast<std::size_t>(std::max(rank, 0)));
      if (rank > 0 && H5Pget_chunk(dcpl.get(), rank, chunk.data()) == rank) {
        const DataType type(check(H5Dget_type(probe.get()), "H5Dget_type", p), p);
        cache = std::max<std::size_t>(H5Tget_size(type.get()), 1);
        for (hsize_t c : chunk) cache *= static_cast<std::size_t>(c);
        cache *= 2;
      }
    }
  }
  if (cache == 0) return DataSet(check(H5Dopen2(loc.id, name.c_str(), H5P_DEFAULT), "H5Dopen2", p), p);
  PropList dapl = PropList::create(H5P_DATASET_ACCESS, p);
  check(H5Pset_chunk_cache(dapl.get(), 521, cache, 0.75), "H5Pset_chunk_cache", p);
  return DataSet(check(H5Dopen2(loc.id, name.c_str(), dapl.get()), "H5Dopen2", p), p);
}

namespace {
herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> list(const Loc& loc) {
  silence_errors();
  std::vector<std::string> names;
  hsize_t idx = 0;
  check(H5Literate(loc.id, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_name, &names), "H5Literate", loc.path);
  return names;
}

// ---- attributes --------------------------------------------------------------

namespace {

std::string attr_path(const Loc& loc, const std::string& name) { return loc.path + "@" + name; }

Attribute create_attr(const Loc& loc, const std::string& name, hid_t type, const DataSpace& space) {
  silence_errors();
  const std::string p = attr_path(loc, name);
  if (check(H5Aexists(loc.id, name.c_str()), "H5Aexists", p) > 0) check(H5Adelete(loc.id, name.c_str()), "H5Adelete", p);
  return Attribute(check(H5Acreate2(loc.id, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2", p),
                   p);
}

Attribute open_attr(const Loc& loc, const std::string& name) {
  silence_errors();
  const std::string p = attr_path(loc, name);
  return Attribute(check(H5Aopen(loc.id, name.c_str(), H5P_DEFAULT), "H5Aopen", p), p);
}

template <class T>
void write_scalar_attr(const Loc& loc, const std::string& name, T value) {
  Attribute a = create_attr(loc, name, file_type<T>(), DataSpace::scalar());
  check(H5Awrite(a.get(), native_type<T>(), &value), "H5Awrite", a.path());
}

template <class T>
T read_scalar_attr(const Loc& loc, const std::string& name) {
  Attribute a = open_attr(loc, name);
  DataSpace s = a.space();
  if (check(H5Sget_simple_extent_npoints(s.get()), "H5Sget_simple_extent_npoints", a.path()) != 1)
    throw FormatError("attribute '" + a.path() + "' is not a single value");
  T value{};
  check(H5Aread(a.get(), native_type<T>(), &value), "H5Aread", a.path());
  return value;
}

}  // namespace

bool has_attr(const Loc& loc, const std::string& name) {
  silence_errors();
  return check(H5Aexists(loc.id, name.c_str()), "H5Aexists", attr_path(loc, name)) > 0;
}

void write_attr(const Loc& loc, const std::string& name, std::string_view value) {
  const DataType t = DataType::vlen_string();
  Attribute a = create_attr(loc, name, t.get(), DataSpace::scalar());
  const std::string s(value);
  const char* p = s.c_str();
  check(H5Awrite(a.get(), t.get(), &p), "H5Awrite", a.path());
}

void write_attr(const Loc& loc, const std::string& name, std::span<const std::string> values) {
  const DataType t = DataType::vlen_string();
  const std::array<hsize_t, 1> dims{values.size()};
  Attribute a = create_attr(loc, name, t.get(), DataSpace::simple(dims));
  std::vector<const char*> p = c_strings(values);
  const char* dummy = "";
  check(H5Awrite(a.get(), t.get(), p.empty() ? static_cast<const void*>(&dummy) : p.data()), "H5Awrite", a.path());
}

void write_attr(const Loc& loc, const std::string& name, std::int64_t value) { write_scalar_attr(loc, name, value); }
void write_attr(const Loc& loc, const std::string& name, std::uint64_t value) { write_scalar_attr(loc, name, value); }

std::int64_t read_attr_i64(const Loc& loc, const std::string& name) {
  return read_scalar_attr<std::int64_t>(loc, name);
}
std::uint64_t read_attr_u64(const Loc& loc, const std::string& name) {
  return read_scalar_attr<std::uint64_t>(loc, name);
}

std::vector<std::string> read_attr_strings(const Loc& loc, const std::string& name) {
  Attribute a = open_attr(loc, name);
  DataSpace s = a.space();
  const hssize_t n = check(H5Sget_simple_extent_npoints(s.get()), "H5Sget_simple_extent_npoints", a.path());
  const DataType t = DataType::vlen_string();
  std::vector<char*> p(static_cast<std::size_t>(n), nullptr);
  if (n == 0) return {};
  check(H5Aread(a.get(), t.get(), p.data()), "H5Aread", a.path());
  std::vector<std::string> out = take_strings(p);
  reclaim(t.get(), s.get(), p.data());
  return out;
}

std::string read_attr_string(const Loc& loc, const std::string& name) {
  std::vector<std::string> v = read_attr_strings(loc, name);
  if (v.size() != 1) throw FormatError("attribute '" + attr_path(loc, name) + "' is not a single string");
  return v[0];
}

// ---- datasets ----------------------------------------------------------------

DataSet create_extendible(const Loc& loc, const std::string& name, hid_t filetype, std::span<const hsize_t> inner) {
  silence_errors();
  const std::string p = child_path(loc, name);
  const std::size_t rank = inner.size() + 1;
  std::vector<hsize_t> dims(rank, 0), maxdims(rank, H5S_UNLIMITED), chunk(rank, 1);
  std::size_t row_elems = 1;
  for (std::size_t i = 0; i < inner.size(); ++i) {
    dims[i + 1] = inner[i];
    // A zero-length axis cannot hold a chunk of 1 unless it may grow: leave it unlimited.
    maxdims[i + 1] = inner[i] == 0 ? H5S_UNLIMITED : inner[i];
    chunk[i + 1] = std::max<hsize_t>(inner[i], 1);
    row_elems *= static_cast<std::size_t>(chunk[i + 1]);
  }
  const std::size_t elem = H5Tget_size(filetype) > 0 ? H5Tget_size(filetype) : 8;
  // About 64 KiB per chunk, at most 4096 rows: large enough to compress well,
  // small enough that a chunk cache of two chunks stays small.
  const std::size_t rows = std::clamp<std::size_t>(65536 / std::max<std::size_t>(row_elems * elem, 1), 1, 4096);
  chunk[0] = rows;

  DataSpace space = DataSpace::simple(dims, maxdims);
  PropList dcpl = PropList::create(H5P_DATASET_CREATE, p);
  check(H5Pset_chunk(dcpl.get(), static_cast<int>(rank), chunk.data()), "H5Pset_chunk", p);
  check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle", p);
  check(H5Pset_deflate(dcpl.get(), 4), "H5Pset_deflate", p);
  PropList dapl = PropList::create(H5P_DATASET_ACCESS, p);
  // Rows are appended in order, so only the chunk being filled needs caching:
  // room for two chunks keeps a writer's memory flat however many rows it
  // writes (a 1 MiB cache per dataset grew by ~35 MB over 100,000 rows).
  const std::size_t chunk_bytes = rows * row_elems * elem;
  check(H5Pset_chunk_cache(dapl.get(), 521, 2 * chunk_bytes, 0.75), "H5Pset_chunk_cache", p);
  return DataSet(check(H5Dcreate2(loc.id, name.c_str(), filetype, space.get(), H5P_DEFAULT, dcpl.get(), dapl.get()),
                       "H5Dcreate2", p),
                 p);
}

DataSet create_fixed(const Loc& loc, const std::string& name, hid_t filetype, std::span<const hsize_t> dims,
                     hid_t memtype, const void* buf) {
  silence_errors();
  const std::string p = child_path(loc, name);
  DataSpace space = DataSpace::simple(dims);
  DataSet ds(check(H5Dcreate2(loc.id, name.c_str(), filetype, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                   "H5Dcreate2", p),
             p);
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  if (n > 0) ds.write_all(memtype, buf);
  return ds;
}

DataSet create_strings(const Loc& loc, const std::string& name, std::span<const std::string> values) {
  const DataType t = DataType::vlen_string();
  const std::array<hsize_t, 1> dims{values.size()};
  std::vector<const char*> p = c_strings(values);
  return create_fixed(loc, name, t.get(), dims, t.get(), p.data());
}

std::vector<std::string> read_strings(const DataSet& ds) {
  std::vector<hsize_t> d = ds.dims();
  if (d.size() != 1) throw FormatError("'" + ds.path() + "' is not a 1-D string dataset");
  return read_strings(ds, 0, d[0]);
}

std::vector<std::string> read_strings(const DataSet& ds, hsize_t first, hsize_t count) {
  if (count == 0) return {};
  const DataType t = DataType::vlen_string();
  std::vector<char*> p(static_cast<std::size_t>(count), nullptr);
  ds.read_rows(t.get(), first, count, p.data(), string_dxpl());
  std::vector<std::string> out = take_strings(p);
  const std::array<hsize_t, 1> mdims{count};
  DataSpace mem = DataSpace::simple(mdims);
  reclaim(t.get(), mem.get(), p.data());
  return out;
}

void write_string_row(DataSet& ds, hsize_t row, const std::string& value) {
  const DataType t = DataType::vlen_string();
  // An empty string is written as a null string: HDF5 then stores no object in
  // the file's global heap, whose in-memory collections otherwise grow with
  // every row (about 80 bytes per run of a sweep; every reader returns "" for it).
  const char* p = value.empty() ? nullptr : value.c_str();
  ds.write_row(t.get(), row, &p, string_dxpl());
}

}  // namespace complysim::io::h5
