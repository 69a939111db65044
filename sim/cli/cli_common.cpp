#include "cli_common.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
#include <stdexcept>
#include <system_error>
#include <typeinfo>

namespace complysim::cli {

std::string error_text(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e) || dynamic_cast<const std::length_error*>(&e))
    return "out of memory (try fewer users, days, runs or threads)";
  if (const auto* fe = dynamic_cast<const std::filesystem::filesystem_error*>(&e)) {
    std::string where = fe->path1().string();
    return (where.empty() ? std::string() : where + ": ") + fe->code().message();
  }
  if (dynamic_cast<const std::system_error*>(&e)) return e.what();  // complysim's carry the file: "commit_file: rename 'a' to 'b': ..."
  if (dynamic_cast<const std::invalid_argument*>(&e) || dynamic_cast<const std::domain_error*>(&e)) return e.what();
  if (dynamic_cast<const std::logic_error*>(&e) || dynamic_cast<const std::bad_cast*>(&e) ||
      dynamic_cast<const std::bad_exception*>(&e))
    return "internal error (a bug in complysim; please report it with the command line)";
  return e.what();
}

int report_error(std::string_view command, std::string_view message) {
  std::cerr << "complysim";
  if (!command.empty()) std::cerr << ' ' << command;
  std::cerr << ": error: " << message << '\n';
  return kExitError;
}

std::optional<po::variables_map> parse_command_line(CommandLine& cl, const std::vector<std::string>& args,
                                                    int& exit_code) {
  cl.options.add_options()("help,h", "show this help and exit");
  po::options_description all;
  all.add(cl.options).add(cl.hidden);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(cl.positional).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: " << cl.usage << "\n\n" << cl.summary << "\n\n" << cl.options << "\n";
      exit_code = kExitOk;
      return std::nullopt;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    report_error(cl.command, std::string(e.what()) + " (see complysim " + std::string(cl.command) + " --help)");
    exit_code = kExitError;
    return std::nullopt;
  }
  return vm;
}

void add_set_option(po::options_description& options) {
  options.add_options()("set", po::value<std::vector<std::string>>()->composing(),
                        "override a parameter, NAME=VALUE (repeatable), e.g. --set law.vagueness=0.3 "
                        "--set platforms.global_social.reputation_weight=2; VALUE is a TOML value");
}

std::vector<std::string> set_values(const po::variables_map& vm) {
  if (!vm.count("set")) return {};
  return vm["set"].as<std::vector<std::string>>();
}

int run_guarded(std::string_view command, const std::function<int()>& body) {
  try {
    return body();
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << '\n';
  } catch (const std::exception& e) {
    report_error(command, error_text(e));
  } catch (...) {
    report_error(command, "unexpected failure");
  }
  return kExitError;
}

std::string describe_origin(const ValueOrigin& origin) {
  std::string where = origin.file;
  if (origin.line > 0) {
    where += ':';
    where += std::to_string(origin.line);
  }
  switch (origin.kind) {
    case ValueOrigin::Kind::Default: return "default";
    case ValueOrigin::Kind::File: return where;
    case ValueOrigin::Kind::ExtendedFile: return "extended " + where;
    case ValueOrigin::Kind::Override: return "--set";
  }
  return "?";
}

std::optional<std::string> check_output_path(const std::string& path, bool force, const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  if (path.empty()) return std::string("-o: error: the output file name is empty");
  const fs::path p(path);
  const std::string head = path + ": error: ";
  std::error_code ec;
  if (fs::is_directory(p, ec)) return head + "is a directory; give a file name";
  const fs::path parent = p.parent_path();
  const fs::path dir = parent.empty() ? fs::path(".") : parent;
  if (!fs::exists(dir, ec)) return head + "directory '" + parent.string() + "' does not exist";
  if (!fs::is_directory(dir, ec)) return head + "'" + parent.string() + "' is not a directory";
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return head + "directory '" + (parent.empty() ? std::string(".") : parent.string()) + "' is not writable";
  for (const auto& in : inputs)
    if (fs::exists(p, ec) && fs::equivalent(p, fs::path(in), ec))
      return head + "is also an input of this command ('" + in + "'); choose another output file";
  if (!force && fs::exists(p, ec)) return head + "file exists; use --force to overwrite it";
  // Some places refuse new files although access() allows them (read-only or
  // pseudo file systems): create and remove a trial file next to the output.
  const fs::path trial = fs::path(path + ".complysim-check-" + std::to_string(::getpid()));
  const int fd = ::open(trial.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return head + "cannot create a file there (" + std::strerror(errno) + ")";
  ::close(fd);
  fs::remove(trial, ec);
  return std::nullopt;
}

std::optional<std::string> lock_output(std::optional<io::OutputLock>& lock, const std::string& output, bool force) {
  try {
    lock.emplace(output, command_line());
  } catch (const io::OutputLocked& e) {
    return std::string(e.what());
  } catch (const std::system_error& e) {
    return output + ": error: " + e.what();
  }
  std::error_code ec;
  if (!force && std::filesystem::exists(output, ec)) {
    lock.reset();
    return output + ": error: file exists; use --force to overwrite it";
  }
  return std::nullopt;
}

namespace {
std::string g_command_line;
}

void set_command_line(int argc, char** argv) {
  g_command_line.clear();
  for (int i = 0; i < argc; ++i) {
    std::string w = argv[i];
    if (i > 0) g_command_line += ' ';
    const bool quote = w.find_first_of(" \t\"'") != std::string::npos;
    if (quote) g_command_line += '\'';
    g_command_line += w;
    if (quote) g_command_line += '\'';
  }
}

const std::string& command_line() { return g_command_line; }

namespace {
std::atomic<bool> g_interrupted{false};
extern "C" void raise_interrupted(int) { g_interrupted.store(true); }
}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupted.store(false);
  previous_ = std::signal(SIGINT, raise_interrupted);
}

InterruptGuard::~InterruptGuard() { std::signal(SIGINT, previous_); }

const std::atomic<bool>* InterruptGuard::flag() { return &g_interrupted; }

}  // namespace complysim::cli
