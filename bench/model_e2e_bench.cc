// End-to-end latency harness for `fen model method run` (docs/performance.md "Model runs" and
// "Locks"): per-iteration wall times of real process trees, reported as percentiles (Google
// Benchmark reports means of repetitions; these tails need every sample).
//
//   model_e2e_bench [--n N] [--versions V1,V2,...]
//
// 1. `sh -c true` vs `fen model method run noop execute --json` (body `true`): p50/p90/p99 and
//    the overhead of fen (difference of the medians).
// 2. Hand-off between two runs on one model: A holds the lock (body sleeps 50 ms), B is queued;
//    "A acknowledged -> B body" = A's process exit (its writes are durable and acknowledged)
//    to B's body starting; "A body end -> B body" adds A's commit work.
// 3. Run cost with V existing versions of the artifacts (versions cloned from a real one).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

double NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

pid_t Spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int Wait(pid_t pid) {
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

double TimeOne(const std::vector<std::string>& args) {
  double t = NowMs();
  if (Wait(Spawn(args)) != 0) {
    std::fprintf(stderr, "failed: %s ...\n", args[0].c_str());
    std::exit(1);
  }
  return NowMs() - t;
}

struct Stats {
  double p50, p90, p99, max;
};

Stats Percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
  return {at(0.5), at(0.9), at(0.99), v.back()};
}

void Print(const char* what, const std::vector<double>& v) {
  Stats s = Percentiles(v);
  std::printf("%-48s n=%-4zu p50 %7.2f ms  p90 %7.2f  p99 %7.2f  max %7.2f\n", what, v.size(),
              s.p50, s.p90, s.p99, s.max);
}

std::string MakeRepo() {
  std::string tmpl = (fs::temp_directory_path() / "fen-e2e-bench-XXXXXX").string();
  std::string dir = mkdtemp(tmpl.data());
  std::string repo = dir + "/repo";
  std::string cmd = "cp -r '" + std::string(FEN_SOURCE_DIR) + "/../shared/fixtures/swamp-repo' '" +
                    repo + "' && chmod -R u+w '" + repo + "'";
  if (std::system(cmd.c_str()) != 0) std::abort();
  return repo;
}

void WriteModel(const std::string& repo, const std::string& name, const std::string& id,
                const std::string& body) {
  std::ofstream(repo + "/models/command/shell/" + name + ".yaml")
      << "type: command/shell\ntypeVersion: 2026.02.09.1\nid: " << id << "\nname: " << name
      << "\nversion: 1\ntags: {}\nglobalArguments: {}\nmethods:\n  execute:\n    arguments:\n"
         "      run: '"
      << body << "'\n";
}

std::vector<std::string> RunArgs(const std::string& repo, const std::string& model) {
  return {FEN_BINARY, "model", "method", "run", model, "execute", "--json", "--repo-dir", repo};
}

// Clones version 1 of result and log into 2..count; sets latest and the HWM to count.
void Populate(const std::string& repo, const std::string& id, int count) {
  std::string data = repo + "/.swamp/data/command/shell/" + id;
  for (const char* name : {"result", "log"}) {
    std::string dir = data + "/" + name;
    for (int v = 2; v <= count; ++v) {
      fs::copy(dir + "/1", dir + "/" + std::to_string(v), fs::copy_options::recursive);
    }
    std::ofstream(dir + "/latest", std::ios::trunc) << count;
    for (auto& e : fs::recursive_directory_iterator(repo + "/.swamp")) {
      std::string p = e.path().string();
      if (p.find("/hwm/") != std::string::npos && p.size() > std::strlen(name) + id.size() + 2 &&
          p.compare(p.size() - id.size() - std::strlen(name) - 1, std::string::npos,
                    id + "/" + name) == 0) {
        std::ofstream(p, std::ios::trunc) << count;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int n = 100;
  std::vector<int> version_counts = {10, 10000};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--n") == 0) n = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--versions") == 0) {
      version_counts.clear();
      std::stringstream ss(argv[i + 1]);
      std::string item;
      while (std::getline(ss, item, ',')) version_counts.push_back(std::stoi(item));
    }
  }
  std::string repo = MakeRepo();
  std::printf("repo %s, n %d\n", repo.c_str(), n);

  // 1. Overhead of a run over spawning its shell.
  WriteModel(repo, "noop", "0b0b0b0b-1111-4222-8333-444444444444", "true");
  for (int i = 0; i < 5; ++i) TimeOne(RunArgs(repo, "noop"));
  std::vector<double> sh, run;
  for (int i = 0; i < n; ++i) {  // interleaved, so load changes hit both alike
    sh.push_back(TimeOne({"/bin/sh", "-c", "true"}));
    run.push_back(TimeOne(RunArgs(repo, "noop")));
  }
  Print("sh -c true", sh);
  Print("fen model method run noop execute --json", run);
  std::printf("%-48s %.2f ms\n", "overhead (p50 difference)",
              Percentiles(run).p50 - Percentiles(sh).p50);

  // 2. Hand-off between two runs on one model.
  std::string fifo = fs::path(repo).parent_path().string() + "/fifo";
  std::string hold = fs::path(repo).parent_path().string() + "/hold";
  mkfifo(fifo.c_str(), 0600);
  WriteModel(repo, "ho", "0c0c0c0c-1111-4222-8333-444444444444",
             "if [ -f " + hold + " ]; then rm " + hold + "; sleep 0.05; fi; echo x > " + fifo);
  int fd = open(fifo.c_str(), O_RDWR);  // keeps a reader and a writer: opens never block
  std::vector<double> ack_to_body, body_to_body;
  for (int i = 0; i < n / 2 + 5; ++i) {
    std::ofstream(hold).flush();
    double a_body_end = 0, b_body = 0;
    std::thread reader([&] {
      char buf[2];
      if (read(fd, buf, 2) == 2) {  // "x\n" of A's body end
        a_body_end = NowMs();
      }
      if (read(fd, buf, 2) == 2) b_body = NowMs();
    });
    pid_t a = Spawn(RunArgs(repo, "ho"));
    while (fs::exists(hold)) std::this_thread::sleep_for(std::chrono::microseconds(200));
    pid_t b = Spawn(RunArgs(repo, "ho"));
    int rc = Wait(a);
    double a_exit = NowMs();
    reader.join();
    if (rc != 0 || Wait(b) != 0) {
      std::fprintf(stderr, "hand-off run failed\n");
      return 1;
    }
    if (i >= 5) {
      ack_to_body.push_back(b_body - a_exit);
      body_to_body.push_back(b_body - a_body_end);
    }
  }
  Print("hand-off: A acknowledged (exit) -> B body", ack_to_body);
  Print("hand-off: A body end -> B body (A's commit incl.)", body_to_body);

  // 3. Cost with many existing versions.
  int k = 0;
  for (int count : version_counts) {
    char id[64];
    std::snprintf(id, sizeof id, "0d0d0d0d-1111-4222-8333-%012d", ++k);
    std::string name = "big" + std::to_string(count);
    WriteModel(repo, name, id, "true");
    TimeOne(RunArgs(repo, name));
    Populate(repo, id, count);
    std::vector<double> t;
    for (int i = 0; i < std::max(10, n / 2); ++i) t.push_back(TimeOne(RunArgs(repo, name)));
    Print(("run with " + std::to_string(count) + " existing versions").c_str(), t);
  }
  fs::remove_all(fs::path(repo).parent_path());
  return 0;
}
