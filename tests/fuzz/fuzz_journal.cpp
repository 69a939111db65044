// Fuzz target: the sweep journal reader (io/journal.hpp): scan every record,
// then read each intact one back against the header. Every bad journal is a
// JournalError.
#include "complysim/io/journal.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace complysim;
  const fuzz::MemFile file(data, size);
  try {
    const io::JournalScan scan = io::scan_journal(file.path());
    io::JournalReader reader(file.path());
    for (const auto& e : scan.index) {
      try {
        (void)reader.read(e.offset, scan.header);
      } catch (const io::JournalError&) {
      }
    }
  } catch (const io::JournalError&) {
  }
  return 0;
}
