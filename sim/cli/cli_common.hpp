// complysim CLI — helpers shared by the subcommands: option parsing with
// per-command --help, --set collection, error reporting and exit codes.
#pragma once

#include "complysim/io/output_lock.hpp"
#include "complysim/scenario.hpp"

#include <boost/program_options.hpp>

#include <atomic>
#include <csignal>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace complysim::cli {

namespace po = boost::program_options;

inline constexpr int kExitOk = 0;
/// Every error (bad arguments, bad scenario, failed run) exits with 2.
inline constexpr int kExitError = 2;

/// The user-facing text of an exception: complysim's own errors as they are;
/// the standard library's (std::bad_alloc, filesystem and system errors, a
/// logic error) translated, so no "std::" text reaches the user (issue 13).
std::string error_text(const std::exception& e);

/// Prints "complysim COMMAND: error: MESSAGE" on stderr; returns kExitError.
int report_error(std::string_view command, std::string_view message);

/// Description of a subcommand's command line.
struct CommandLine {
  std::string_view command;      ///< "validate"
  std::string usage;             ///< "complysim validate SCENARIO [--set NAME=VALUE]..."
  std::string summary;           ///< one paragraph printed under the usage by --help
  po::options_description options{"Options"};
  po::positional_options_description positional;
  /// Hidden options (positional arguments): parsed but not listed by --help.
  po::options_description hidden{"Hidden"};
};

/// Parses `args` against `cl` (adds --help itself). On --help prints the usage
/// and options to stdout and sets `exit_code` to 0; on a bad command line
/// prints the error and sets `exit_code` to kExitError. Returns the parsed
/// options only when the command should proceed.
std::optional<po::variables_map> parse_command_line(CommandLine& cl, const std::vector<std::string>& args,
                                                    int& exit_code);

/// Adds the repeatable `--set NAME=VALUE` option.
void add_set_option(po::options_description& options);
/// The --set values in order (empty when none were given).
std::vector<std::string> set_values(const po::variables_map& vm);

/// Runs `body`, turning a ScenarioError into its "FILE:LINE:COLUMN: error: ..."
/// line and any other exception into "complysim COMMAND: error: ...", both on
/// stderr with exit status kExitError.
int run_guarded(std::string_view command, const std::function<int()>& body);

/// Checks an output path before any work is done: it must be non-empty, must
/// not name an existing directory or one of `inputs` (files the command reads),
/// its parent directory must exist, be a directory and accept a new file (a
/// trial file is created and removed), and (unless `force`) the file must not
/// exist yet. Returns the one-line message to print on stderr ("PATH: error:
/// ...") when the path cannot be used, std::nullopt when it can.
std::optional<std::string> check_output_path(const std::string& path, bool force,
                                             const std::vector<std::string>& inputs = {});

/// Takes the exclusive lock on `output` for the rest of the command (into
/// `lock`; io::OutputLock, OUT.lock) and then, unless `force`, checks again
/// under the lock that no file appeared at `output`. A second writer is
/// refused at once. Returns the one-line message to print ("OUT: error: ...")
/// when refused, std::nullopt when locked. Call after check_output_path.
std::optional<std::string> lock_output(std::optional<io::OutputLock>& lock, const std::string& output, bool force);

/// Exit status after Ctrl-C (128 + SIGINT, the shell convention).
inline constexpr int kExitInterrupted = 130;

/// While alive, Ctrl-C (SIGINT) raises flag() instead of killing the process;
/// the previous handler comes back on destruction. One at a time.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  /// Raised by Ctrl-C; poll it (simulate() and the sweep do, once per day / run).
  static const std::atomic<bool>* flag();

 private:
  void (*previous_)(int);
};

/// Records the process's command line (called once by main).
void set_command_line(int argc, char** argv);
/// The command line as typed, words joined by spaces (quoted where they contain spaces).
const std::string& command_line();

/// "default", "FILE:LINE", "extended FILE:LINE" or "--set".
std::string describe_origin(const ValueOrigin& origin);

}  // namespace complysim::cli
