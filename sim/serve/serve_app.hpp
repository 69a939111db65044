// complysim serve — the workshop what-if explorer behind `complysim serve`
// (issue 16): the decree's levers, request checking, the run queue, the base
// cache and the JSON answers. No HTTP here (http_server.cpp maps routes onto
// this class), so the logic is testable without a socket.
//
// A run is exactly `complysim compare BASE.toml WHATIF.toml`: the server
// writes both files (the base resolved at the page's size, the what-if
// `extends`-ing it with the changed levers as fields) into a private folder,
// loads them with the strict scenario loader as the CLI does, runs them with
// common random numbers and builds the same compare table. The page's
// numbers, its CSV and the exported files therefore reproduce bit for bit.
#pragma once

#include "complysim/params.hpp"
#include "complysim/scenario.hpp"
#include "complysim/simulation/run.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

namespace complysim::serve {

/// One lever of the decree shown on the page: a parameter of the one table
/// (params.hpp), with a plain-words label. Range, unit, type and default come
/// from the ParamSpec; `slider_max` only narrows the slider (the number box
/// accepts the table's whole range).
struct Lever {
  std::string name;        ///< dotted name, e.g. "law.vagueness"
  std::string label;       ///< plain words: "How vague the rule is"
  std::string help;        ///< one sentence: what moving it means
  std::string unit_words;  ///< the unit in plain words ("hours", "chance, 0 to 1")
  double slider_min = 0, slider_max = 1, step = 0.01;
  const ParamSpec* spec = nullptr;  ///< the row of the parameter table
};

/// The workshop levers that exist in this build's parameter table, in page
/// order (a lever of model v2 that the table lacks is left out).
std::vector<Lever> workshop_levers();

/// Plain-words label of an outcome for the page: the outcome table's label
/// (today outcome_label() in analysis/compare.hpp), else its description.
/// The one place to switch when OutcomeSpec grows a `label` field.
std::string outcome_words(std::string_view outcome);

/// Limits and places of a server.
struct ServeOptions {
  std::filesystem::path scenarios_dir;   ///< the scenario library (*.toml directly inside)
  std::filesystem::path docs_dir;        ///< docs/ (model.md served at /docs/model.md); may be empty
  std::filesystem::path chartjs_file;    ///< Chart.js UMD build (Debian libjs-chart.js)
  std::string default_scenario = "decree53_2022";
  std::int64_t min_users = 500;
  std::int64_t max_users = 200000;       ///< larger requests are refused with 413
  std::int64_t max_replicates = 32;
  std::int64_t max_queue = 4;            ///< waiting runs beyond the running one; more: 429
  std::int64_t default_users = 10000;
  std::int64_t default_replicates = 8;
  std::size_t base_cache_size = 8;       ///< base run sets kept (LRU)
};

/// An error answer: HTTP status, a message and per-lever messages (shown next
/// to the control).
struct ApiError {
  int status = 400;
  std::string message;
  std::map<std::string, std::string> fields;  ///< lever name -> message
  /// The JSON body {"error": ..., "fields": {...}}.
  std::string json() const;
};

/// A checked run request.
struct RunRequest {
  std::string scenario;        ///< library id (file stem)
  std::int64_t users = 0;
  std::int64_t replicates = 0;
  std::vector<std::pair<std::string, ParamValue>> levers;  ///< checked values, only those that differ from the base
};

/// One queued or running simulation.
struct Job {
  enum class State { Queued, Running, Done, Failed, Cancelled };
  RunRequest request;
  std::filesystem::path base_file, whatif_file;
  std::string base_toml, whatif_toml;
  Scenario base, whatif;         ///< loaded from base_file / whatif_file as `complysim compare` loads them
  std::atomic<bool> cancel{false};
  std::atomic<std::int64_t> done_days{0}, total_days{0};
  std::mutex mutex;
  std::condition_variable changed;
  State state = State::Queued;   ///< guarded by mutex
  std::string result_json;       ///< the "result" event when Done; guarded by mutex
  std::string error;             ///< when Failed; guarded by mutex
};

/// The server's state: the scenario library, the base-run cache and one
/// worker thread that runs one simulation at a time.
class App {
 public:
  /// Scans the scenario library and starts the worker.
  /// @throws std::runtime_error if the library has no loadable scenario or the
  ///         private folder cannot be made
  explicit App(ServeOptions options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  const ServeOptions& options() const { return options_; }

  /// GET /api/config: scenarios, sizes, caps, outcomes with labels, levers.
  std::string config_json() const;
  /// GET /api/scenario?id=ID: the levers with this base's values; nullopt for an unknown id.
  std::optional<std::string> scenario_json(const std::string& id) const;
  /// GET /api/status: running and waiting runs, and counts of finished, cancelled and failed runs.
  std::string status_json() const;

  /// Checks a POST /api/run body (JSON) and writes the two scenario files.
  /// Returns the job ready to enqueue, or the error to answer with.
  std::variant<std::shared_ptr<Job>, ApiError> prepare(const std::string& body);
  /// True when a new run would be refused (one running and max_queue waiting).
  bool queue_full() const;
  /// Queues a prepared job; false when the queue is full (answer 429).
  bool enqueue(const std::shared_ptr<Job>& job);
  /// 1-based place in the waiting queue, 0 when running or finished.
  std::int64_t queue_position(const Job& job) const;
  /// Waiting runs (not counting the running one).
  std::int64_t queued() const;

  /// Stops the worker (cancels the running job).
  void stop();

 private:
  struct LibraryEntry {
    std::string id, title, description;
    std::filesystem::path file;
    Scenario scenario;  ///< as loaded from the library (for base values)
  };
  const LibraryEntry* find_entry(const std::string& id) const;
  void worker_loop();
  /// How a job ended: its final state and the result event or error message.
  struct JobEnd {
    Job::State state;
    std::string result_json, error;
  };
  /// Runs base (unless cached) and what-if; never throws.
  JobEnd run_job(Job& job);
  std::shared_ptr<const std::vector<ReplicateRun>> cached_base(const std::string& key) const;
  void store_base(const std::string& key, std::shared_ptr<const std::vector<ReplicateRun>> runs);

  ServeOptions options_;
  std::vector<LibraryEntry> library_;
  std::vector<Lever> levers_;
  std::filesystem::path work_dir_;  ///< private folder for the scenario files

  mutable std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::shared_ptr<Job> running_;
  std::int64_t finished_ = 0, cancelled_ = 0, failed_ = 0;  ///< runs so far, by outcome
  bool stopping_ = false;

  mutable std::mutex cache_mutex_;
  std::list<std::pair<std::string, std::shared_ptr<const std::vector<ReplicateRun>>>> base_cache_;  ///< front = newest

  std::mutex files_mutex_;
  std::thread worker_;
};

/// Serves `app` over HTTP on host:port until stop_flag is raised (polled) or
/// the server fails. Port 0 picks a free port. `on_listening` receives the URL.
/// @returns 0 after a clean stop, 2 when the address cannot be bound
int run_http_server(App& app, const std::string& host, int port, const std::atomic<bool>* stop_flag,
                    const std::function<void(const std::string& url)>& on_listening);

/// Assets of the page compiled into the binary (web/): path ("/app.js") to content.
struct Asset {
  const char* path;
  const char* content_type;
  const unsigned char* data;
  std::size_t size;
};
/// Every embedded asset.
std::span<const Asset> embedded_assets();

}  // namespace complysim::serve
