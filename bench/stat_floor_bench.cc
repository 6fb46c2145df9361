// The floor of a warm `fen data search` under R1 (shared/spec/storage.md §7.7; the argument is
// in docs/design/catalog.md §3): whatever the implementation, every artifact's `latest` and
// the `metadata.yaml` it names must be stat'ed, and every model directory listed. This harness
// does only that, with the cheapest calls fen could make (statx relative to an O_PATH handle of
// each model directory, as fen's StatMany does), on 1 and 2 threads, and prints the wall time
// of each: docs/performance.md "Data store" compares fen's warm search with it.
//
//   stat_floor_bench DATA_ROOT [--reps N]
//
// DATA_ROOT is a store's `.swamp/data`; model directories are found as {type}/{type}/{id}
// (two type segments, as in the catalog_bench stores and `command/shell`), data names below.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

std::vector<std::string> ListDirs(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.' && (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN)) {
      out.push_back(e->d_name);
    }
  }
  closedir(d);
  return out;
}

// Lists each model directory and stats `{name}/latest` and `{name}/{v}/metadata.yaml` for every
// data name (v read from `latest` once, before timing: fen has it in its catalog row).
struct Model {
  std::string dir;
  std::vector<std::pair<std::string, std::string>> paths;  // latest, metadata
};

double RunOnce(const std::vector<Model>& models, int threads) {
  const auto t0 = std::chrono::steady_clock::now();
  auto work = [&](int k) {
    struct statx sx {};
    for (size_t i = static_cast<size_t>(k); i < models.size(); i += static_cast<size_t>(threads)) {
      const int fd = open(models[i].dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
      (void)ListDirs(models[i].dir);
      for (const auto& [latest, meta] : models[i].paths) {
        statx(fd, latest.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx);
        statx(fd, meta.c_str(), 0, STATX_BASIC_STATS, &sx);
      }
      close(fd);
    }
  };
  std::vector<std::thread> helpers;
  for (int k = 1; k < threads; ++k) helpers.emplace_back(work, k);
  work(0);
  for (auto& h : helpers) h.join();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: stat_floor_bench DATA_ROOT [--reps N]\n");
    return 2;
  }
  const std::string root = argv[1];
  int reps = 5;
  if (argc >= 4 && std::strcmp(argv[2], "--reps") == 0) reps = std::max(1, std::atoi(argv[3]));
  std::vector<Model> models;
  size_t artifacts = 0;
  for (const auto& t1 : ListDirs(root)) {
    for (const auto& t2 : ListDirs(root + "/" + t1)) {
      for (const auto& id : ListDirs(root + "/" + t1 + "/" + t2)) {
        Model m;
        m.dir = root + "/" + t1 + "/" + t2 + "/" + id;
        for (const auto& name : ListDirs(m.dir)) {
          char buf[32] = {};
          const int fd = open((m.dir + "/" + name + "/latest").c_str(), O_RDONLY | O_CLOEXEC);
          if (fd < 0) continue;
          const ssize_t n = read(fd, buf, sizeof(buf) - 1);
          close(fd);
          if (n <= 0) continue;
          m.paths.emplace_back(name + "/latest", name + "/" + std::string(buf) + "/metadata.yaml");
        }
        artifacts += m.paths.size();
        models.push_back(std::move(m));
      }
    }
  }
  std::printf("%zu model directories, %zu artifacts (%zu statx per pass)\n", models.size(),
              artifacts, 2 * artifacts);
  for (int threads : {1, 2}) {
    (void)RunOnce(models, threads);  // warm the dentry cache
    std::vector<double> ms;
    for (int r = 0; r < reps; ++r) ms.push_back(RunOnce(models, threads));
    std::sort(ms.begin(), ms.end());
    std::printf("%d thread(s): median %.1f ms (min %.1f, max %.1f, %d passes)\n", threads,
                ms[ms.size() / 2], ms.front(), ms.back(), reps);
  }
  return 0;
}
