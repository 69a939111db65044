// `complysim serve`: the workshop what-if explorer, a local web page with the
// decree's levers over the `compare` machinery (sim/serve/, docs/workshop.md).
#include "cli_common.hpp"
#include "commands.hpp"

#include "serve_app.hpp"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;

namespace complysim::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void serve_stop_handler(int) { g_stop.store(true); }

/// The scenario library: --scenarios, else ./scenarios, else the source tree's.
fs::path default_scenarios_dir() {
  if (fs::exists("scenarios/decree53_2022.toml")) return fs::absolute("scenarios");
#ifdef COMPLYSIM_SOURCE_SCENARIOS
  if (fs::exists(fs::path(COMPLYSIM_SOURCE_SCENARIOS) / "decree53_2022.toml")) return COMPLYSIM_SOURCE_SCENARIOS;
#endif
  return fs::absolute("scenarios");
}

}  // namespace

int cmd_serve(const std::vector<std::string>& args) {
  CommandLine cl;
  cl.command = "serve";
  cl.usage = "complysim serve [--port 8080] [--host 127.0.0.1] [--scenarios DIR] [--max-users N] [--max-queue N]";
  cl.summary =
      "A local web page for policy workshops: pick a base scenario (Decree 53 by default), move the decree's\n"
      "levers, press Run, and read the what-if against the base (the `complysim compare` machinery with\n"
      "common random numbers; the base's runs are cached). The page exports the base and the what-if as\n"
      "two scenario files that `complysim compare BASE.toml WHATIF.toml` reproduces bit for bit.\n"
      "Listens on 127.0.0.1 unless --host names another address; --port 0 picks a free port. Prints the\n"
      "URL to open. Ctrl-C stops it. See docs/workshop.md.";
  int port = 8080;
  std::string host = "127.0.0.1", scenarios, chartjs = "/usr/share/javascript/chart.js/chart.min.js";
  std::int64_t max_users = 200000, max_queue = 4;
  cl.options.add_options()
      ("port", po::value(&port), "TCP port (default 8080; 0: any free port)")
      ("host", po::value(&host), "address to listen on (default 127.0.0.1: this machine only)")
      ("scenarios", po::value(&scenarios), "scenario library folder (default: ./scenarios, else the source tree's)")
      ("max-users", po::value(&max_users), "largest population a page may ask for (default 200000)")
      ("max-queue", po::value(&max_queue), "runs that may wait behind the running one (default 4)");
  cl.hidden.add_options()("chartjs", po::value(&chartjs), "Chart.js UMD file");
  int code = kExitOk;
  const auto vm = parse_command_line(cl, args, code);
  if (!vm) return code;
  if (port < 0 || port > 65535) return report_error(cl.command, "--port must be between 0 and 65535");
  if (max_users < 500) return report_error(cl.command, "--max-users must be at least 500");
  if (max_queue < 0) return report_error(cl.command, "--max-queue must be at least 0");

  serve::ServeOptions opt;
  opt.scenarios_dir = scenarios.empty() ? default_scenarios_dir() : fs::path(scenarios);
  if (fs::exists(opt.scenarios_dir / ".." / "docs" / "model.md")) opt.docs_dir = fs::canonical(opt.scenarios_dir / ".." / "docs");
  opt.chartjs_file = chartjs;
  opt.max_users = max_users;
  opt.max_queue = max_queue;
  if (opt.default_users > max_users) opt.default_users = max_users;
  if (!fs::exists(opt.chartjs_file))
    std::cerr << "complysim serve: warning: " << chartjs << " not found (install Debian's libjs-chart.js); the page will show no charts\n";

  // Handlers first: a Ctrl-C while the library loads stops the server as soon as it is up.
  std::signal(SIGPIPE, SIG_IGN);
  g_stop = false;
  auto prev_int = std::signal(SIGINT, serve_stop_handler);
  auto prev_term = std::signal(SIGTERM, serve_stop_handler);
  serve::App app(opt);
  const int rc = serve::run_http_server(app, host, port, &g_stop, [&](const std::string& url) {
    std::cout << "complysim serve: scenarios from " << opt.scenarios_dir.string() << "\n"
              << "complysim serve: open " << url << " in a browser (Ctrl-C stops the server)" << std::endl;
  });
  std::signal(SIGINT, prev_int);
  std::signal(SIGTERM, prev_term);
  if (rc == 0) std::cout << "complysim serve: stopped" << std::endl;
  return rc;
}

}  // namespace complysim::cli
