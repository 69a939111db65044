// complysim serve — the HTTP routes (cpp-httplib, Debian libcpp-httplib-dev)
// over serve::App. The page and its script are compiled in (web/); Chart.js
// is Debian's libjs-chart.js, read from /usr/share/javascript at run time.
//
//   GET  /                      the page
//   GET  /app.js, /app.css      its script and style
//   GET  /vendor/chart.js       Chart.js (libjs-chart.js)
//   GET  /docs/model.md         the model's documentation (plain text)
//   GET  /api/config            scenarios, sizes, caps, outcomes, headline list
//   GET  /api/scenario?id=ID    the levers with the base's values
//   GET  /api/status            running and waiting runs
//   POST /api/run               {"scenario","users","replicates","levers":{...}}:
//                               4xx JSON {"error","fields"} when refused, else a
//                               stream of JSON lines: queued / progress / result
//                               (or error); closing the connection cancels the run.
#include "serve_app.hpp"

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace complysim::serve {

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;

void json_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(ApiError{status, message, {}}.json(), "application/json");
}

std::optional<std::string> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int run_http_server(App& app, const std::string& host, int port, const std::atomic<bool>* stop_flag,
                    const std::function<void(const std::string& url)>& on_listening) {
  httplib::Server srv;
  // Streaming runs hold a thread each; the queue cap keeps them few.
  srv.new_task_queue = [] { return new httplib::ThreadPool(16); };
  srv.set_payload_max_length(kMaxBody);
  srv.set_read_timeout(10, 0);
  srv.set_write_timeout(10, 0);
  srv.set_keep_alive_max_count(100);

  for (const Asset& a : embedded_assets()) {
    const std::string path = a.path;
    srv.Get(path == "/index.html" ? "/" : path, [a](const httplib::Request&, httplib::Response& res) {
      res.set_content(reinterpret_cast<const char*>(a.data), a.size, a.content_type);
      res.set_header("Cache-Control", "no-cache");
    });
  }
  const auto chart = read_file(app.options().chartjs_file);
  srv.Get("/vendor/chart.js", [chart, &app](const httplib::Request&, httplib::Response& res) {
    if (!chart) {
      res.status = 404;
      res.set_content("// Chart.js not found at " + app.options().chartjs_file.string() + " (install libjs-chart.js)\n",
                      "application/javascript");
      return;
    }
    res.set_content(*chart, "application/javascript");
  });
  srv.Get("/docs/model.md", [&app](const httplib::Request&, httplib::Response& res) {
    const auto text = app.options().docs_dir.empty() ? std::nullopt : read_file(app.options().docs_dir / "model.md");
    if (!text) return json_error(res, 404, "docs/model.md is not next to this scenario library");
    res.set_content(*text, "text/plain; charset=utf-8");
  });
  srv.Get("/api/config", [&app](const httplib::Request&, httplib::Response& res) {
    res.set_content(app.config_json(), "application/json");
  });
  srv.Get("/api/scenario", [&app](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.get_param_value("id");
    const auto json = app.scenario_json(id);
    if (!json) return json_error(res, 404, "unknown scenario '" + id + "' (see /api/config)");
    res.set_content(*json, "application/json");
  });
  srv.Get("/api/status", [&app](const httplib::Request&, httplib::Response& res) {
    res.set_content(app.status_json(), "application/json");
  });
  srv.Post("/api/run", [&app](const httplib::Request& req, httplib::Response& res) {
    const auto busy = [&] {
      json_error(res, 429,
                 "busy: " + std::to_string(app.queued()) + (app.queued() == 1 ? " run is" : " runs are") +
                     " already waiting for the one running; try again when one has finished");
    };
    if (app.queue_full()) return busy();  // before any work: a flood costs nothing
    auto prepared = app.prepare(req.body);
    if (const auto* err = std::get_if<ApiError>(&prepared)) {
      res.status = err->status;
      res.set_content(err->json(), "application/json");
      return;
    }
    auto job = std::get<std::shared_ptr<Job>>(prepared);
    if (!app.enqueue(job)) return busy();
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_chunked_content_provider(
        "application/x-ndjson",
        [job, &app, first = true](std::size_t, httplib::DataSink& sink) mutable {
          Job::State state;
          {
            // The first event goes out at once (the queue position); then one every 250 ms, or the end.
            std::unique_lock lk(job->mutex);
            if (!first)
              job->changed.wait_for(lk, std::chrono::milliseconds(250),
                                    [&] { return job->state == Job::State::Done || job->state == Job::State::Failed ||
                                                 job->state == Job::State::Cancelled; });
            first = false;
            state = job->state;
          }
          std::string line;
          bool last = false;
          if (state == Job::State::Done) {
            std::lock_guard lk(job->mutex);
            line = job->result_json;
            last = true;
          } else if (state == Job::State::Failed || state == Job::State::Cancelled) {
            std::string message;
            {
              std::lock_guard lk(job->mutex);
              message = state == Job::State::Failed ? "the run failed: " + job->error : "the run was cancelled";
            }
            line = ApiError{500, message, {}}.json();
            line.insert(1, "\"event\":\"error\",");
            last = true;
          } else if (state == Job::State::Queued) {
            line = "{\"event\":\"queued\",\"position\":" + std::to_string(app.queue_position(*job)) + "}";
          } else {
            line = "{\"event\":\"progress\",\"done\":" + std::to_string(job->done_days.load()) +
                   ",\"total\":" + std::to_string(job->total_days.load()) + "}";
          }
          line += '\n';
          if (!sink.is_writable() || !sink.write(line.data(), line.size())) {
            job->cancel = true;  // the page went away
            return false;
          }
          if (last) sink.done();
          return true;
        },
        [job](bool success) {
          if (!success) job->cancel = true;
        });
  });

  srv.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message;
    if (res.status == 413) message = "request body larger than " + std::to_string(kMaxBody / 1024) + " KiB";
    else if (res.status == 404) message = "no such page or API: " + req.path;
    else message = "HTTP " + std::to_string(res.status);
    res.set_content(ApiError{res.status, message, {}}.json(), "application/json");
  });
  srv.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string message = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      message += std::string(": ") + e.what();
    } catch (...) {
    }
    res.status = 500;
    res.set_content(ApiError{500, message, {}}.json(), "application/json");
  });

  int bound = port;
  if (port == 0) {
    bound = srv.bind_to_any_port(host);
    if (bound < 0) {
      std::cerr << "complysim serve: error: cannot listen on " << host << " (any port)\n";
      return 2;
    }
  } else if (!srv.bind_to_port(host, port)) {
    std::cerr << "complysim serve: error: cannot listen on " << host << ":" << port
              << " (in use, or not an address of this machine; try --port 0 for any free port)\n";
    return 2;
  }
  // Listening on every address: this machine reaches it as 127.0.0.1 (others use its network address).
  const std::string local = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host;
  const std::string shown_host = local.find(':') != std::string::npos ? "[" + local + "]" : local;
  on_listening("http://" + shown_host + ":" + std::to_string(bound) + "/");
  std::thread listener([&] { srv.listen_after_bind(); });
  while (!(stop_flag && stop_flag->load())) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  app.stop();
  srv.stop();
  listener.join();
  return 0;
}

}  // namespace complysim::serve
