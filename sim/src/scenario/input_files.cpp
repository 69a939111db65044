// complysim — input files read by scenarios and designs (complysim/input_files.hpp).
#include "complysim/input_files.hpp"

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
  std::ifstream in(resolved, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read input file '" + resolved.string() + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw std::runtime_error("error reading input file '" + resolved.string() + "'");
  return InputFile{name, ss.str()};
}

EmbeddedInputs::EmbeddedInputs(std::vector<InputFile> files) : files_(std::move(files)), previous_(t_embedded) {
  t_embedded = &files_;
}

EmbeddedInputs::~EmbeddedInputs() { t_embedded = previous_; }

}  // namespace complysim
