// Fuzz target: the bounded text-file reader behind every data and points file
// (io/text_file.hpp), on an in-memory regular file, with a small limit.
//
// HOOK for the points-file reader: complysim has no C++ data-file or points-file
// parser yet (the bundled data CSVs are read by the Python report). When the
// points file of `design = "file"` lands (branch calib), parse `text` with it
// below and catch only its documented error type; its seeds go in
// tests/fuzz/seeds/points/ (tests/fuzz/run picks that folder up by name).
#include "complysim/io/text_file.hpp"
#include "fuzz_common.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace complysim;
  const fuzz::MemFile file(data, size);
  const std::uintmax_t limit = 4096;
  try {
    const std::string text = io::read_text_file(file.path(), limit);
    if (text.size() != size || (size > 0 && text.compare(0, size, reinterpret_cast<const char*>(data), size) != 0)) std::abort();
    // points-file hook: parse `text` here.
  } catch (const io::TextFileError& e) {
    if (size <= limit) std::abort();  // only the size limit may refuse a memfd
  }
  return 0;
}
