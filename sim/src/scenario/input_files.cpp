// complysim — input files read by scenarios and designs (complysim/input_files.hpp).
#include "complysim/input_files.hpp"

#include "complysim/io/text_file.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace complysim {

namespace {
thread_local const std::vector<InputFile>* t_embedded = nullptr;
}  // namespace

InputFile read_input_file(const std::string& name, const std::filesystem::path& resolved) {
  if (t_embedded) {
    for (const InputFile& f : *t_embedded)
      if (f.name == name) return f;
    const std::string base = std::filesystem::path(name).filename().string();
    for (const InputFile& f : *t_embedded)
      if (std::filesystem::path(f.name).filename().string() == base) return f;
    throw std::runtime_error("input file '" + name + "' is not embedded in the results file");
  }
  // Bounded and regular files only, as every text file complysim reads (io/text_file.hpp).
  return InputFile{name, io::read_text_file(resolved, io::kMaxDataFileBytes)};
}

EmbeddedInputs::EmbeddedInputs(std::vector<InputFile> files) : files_(std::move(files)), previous_(t_embedded) {
  t_embedded = &files_;
}

EmbeddedInputs::~EmbeddedInputs() { t_embedded = previous_; }

}  // namespace complysim
