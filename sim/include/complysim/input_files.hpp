// complysim — input files a scenario or sweep design reads besides the
// scenario files themselves (for example a sweep's points file), and how a
// results file carries them so that `complysim reproduce` needs nothing but
// the results file (docs/output-format.md, section "/inputs").
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace complysim {

/// One embedded input file: the name the resolved scenario gives it and its
/// whole content (text; stored as a UTF-8 string dataset under /inputs).
struct InputFile {
  std::string name;     ///< as the resolved scenario names it, e.g. "points.csv"
  std::string content;  ///< the file's bytes
};

/// Reads an input file that a scenario or sweep design refers to. Code that
/// reads such a file calls this instead of opening it itself, and appends the
/// returned InputFile to SweepPlan::inputs, so every results file embeds it.
/// While an EmbeddedInputs scope is active on the calling thread (complysim
/// reproduce), the file is served from that scope by `name` (or, failing
/// that, by its file name without directories) and the disk is not touched.
/// @param name      the path as written in the scenario
/// @param resolved  where it lies on disk (name resolved against the scenario's directory)
/// @throws std::runtime_error naming the file when it cannot be read (or, in
///         an EmbeddedInputs scope, is not embedded)
InputFile read_input_file(const std::string& name, const std::filesystem::path& resolved);

/// While alive, read_input_file() on this thread serves `files` instead of the
/// disk. Scopes do not nest (the inner one wins until it ends).
class EmbeddedInputs {
 public:
  explicit EmbeddedInputs(std::vector<InputFile> files);
  ~EmbeddedInputs();
  EmbeddedInputs(const EmbeddedInputs&) = delete;
  EmbeddedInputs& operator=(const EmbeddedInputs&) = delete;

 private:
  std::vector<InputFile> files_;
  const std::vector<InputFile>* previous_;
};

}  // namespace complysim
