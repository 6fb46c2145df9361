// gc, prune and search over the global walk. See include/fen/storage/data_maintenance.h and
// docs/design/storage.md §3.
#include "fen/storage/data_maintenance.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "fen/base/clock.h"
#include "fen/storage/data_format.h"
#include "fen/storage/model_lookup.h"

namespace fen::storage {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<int64_t> IsoToMs(const std::string& iso) {
  auto t = ParseIsoMillis(iso);
  if (!t) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

int64_t RawSize(Env* env, DataStore* store, const ArtifactKey& key, int64_t version) {
  auto st = env->Stat(store->ContentPath(key, version));
  return st.ok() ? static_cast<int64_t>(st->size) : 0;  // stat errors ignored (§6.10)
}

std::string OwnerExtra(const DataRecord& r, const std::string& key) {
  for (const auto& [k, v] : r.owner.extra) {
    if (k == key) return v;
  }
  return "";
}

// §4.2 lifetime expiry. Returns the reason, or "" when not expired.
std::string ExpiryReason(Env* env, const RepoContext& repo, const DataRecord& r, int64_t now) {
  if (r.deleted) return "";  // tombstones never expire
  if (r.lifetime == "infinite" || r.lifetime == "ephemeral") return "";
  if (r.lifetime == "workflow" || r.lifetime == "job") {
    std::string wf = OwnerExtra(r, "workflowId"), run = OwnerExtra(r, "workflowRunId");
    if (wf.empty() || run.empty()) return "";
    if (!ValidateModelIdSegment(wf).ok() || !ValidateModelIdSegment(run).ok()) return "";
    auto st =
        env->Stat(repo.datastore_root + "/workflow-runs/" + wf + "/workflow-run-" + run + ".yaml");
    if (st.ok() || !st.status().IsNotFound()) return "";  // lookup errors: not expired
    return r.lifetime == "job" ? "job-deleted" : "workflow-deleted";
  }
  auto dur = ParseDurationMillis(r.lifetime);
  auto created = IsoToMs(r.created_at);
  if (!dur || !created) return "";
  return now > *created + *dur ? "duration-expired" : "";
}

bool ContainsCaseInsensitive(const std::string& hay, const std::string& needle) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  return lower(hay).find(lower(needle)) != std::string::npos;
}

std::vector<std::string> SplitColon(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(':', start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return out;
}

}  // namespace

Result<GcResult> CollectGarbage(Env* env, const RepoContext& repo, DataStore* store, bool dry_run,
                                int64_t now_ms,
                                const std::function<void(std::string_view)>& progress) {
  const int64_t now = now_ms < 0 ? NowMs() : now_ms;
  GcResult result;
  result.dry_run = dry_run;
  FEN_ASSIGN_OR_RETURN(std::vector<ModelKey> models, store->ListModels(&result.reports));

  // Phase 1: lifetime expiry of latest records (rename-resolved, as swamp's walk).
  std::set<std::tuple<std::string, std::string, std::string>> expired_names;
  for (const auto& m : models) {
    FEN_ASSIGN_OR_RETURN(std::vector<DataRecord> latest,
                         store->FindAllForModel(m.type, m.model_id, &result.reports));
    for (const auto& r : latest) {
      std::string reason = ExpiryReason(env, repo, r, now);
      if (reason.empty()) continue;
      ArtifactKey key{m.type, m.model_id, r.name};
      FEN_ASSIGN_OR_RETURN(std::vector<int64_t> versions, store->ListVersions(key));
      int64_t bytes = 0;
      for (int64_t v : versions) bytes += RawSize(env, store, key, v);
      if (!dry_run) FEN_RETURN_IF_ERROR(store->DeleteArtifact(key, &result.warnings));
      expired_names.insert({m.type, m.model_id, r.name});
      result.expired.push_back(
          {m.type, m.model_id, r.name, reason, static_cast<int64_t>(versions.size())});
      ++result.data_entries_expired;
      result.versions_deleted += static_cast<int64_t>(versions.size());
      result.bytes_reclaimed += bytes;
    }
  }

  // Phase 2: version gc over every data-name directory (fen: renamed old names included).
  size_t done = 0;
  for (const auto& m : models) {
    if (progress) {
      progress("gc: model " + std::to_string(++done) + "/" + std::to_string(models.size()) + " (" +
               m.type + "/" + m.model_id + ")");
    }
    auto names = store->ListDataNames(m.type, m.model_id);
    if (!names.ok()) {
      result.warnings.push_back(names.status().message());
      continue;
    }
    for (const auto& name : *names) {
      if (!ValidateDataName(name).ok()) continue;
      if (expired_names.count({m.type, m.model_id, name}) != 0) continue;
      ArtifactKey key{m.type, m.model_id, name};
      auto own = store->FindOwnLatest(key);
      if (!own.ok()) {
        result.reports.push_back({store->ContentPath(key, 0), own.status().message()});
        continue;
      }
      if (!*own) continue;
      FEN_ASSIGN_OR_RETURN(std::vector<int64_t> versions, store->ListVersions(key));
      if (versions.size() <= 1) continue;
      std::vector<int64_t> remove;
      const GcPolicy& policy = (*own)->garbage_collection;
      if (const int64_t* keep = std::get_if<int64_t>(&policy)) {
        if (static_cast<int64_t>(versions.size()) > *keep) {
          remove.assign(versions.begin(), versions.end() - *keep);
        }
      } else {
        auto window = ParseDurationMillis(std::get<std::string>(policy));
        if (!window) continue;
        for (size_t i = 0; i + 1 < versions.size(); ++i) {  // the highest is always kept
          auto rec = store->FindByName(key, versions[i]);
          if (!rec.ok() || !*rec) continue;  // unreadable metadata: kept
          auto created = IsoToMs((*rec)->created_at);
          if (created && *created < now - *window) remove.push_back(versions[i]);
        }
      }
      if (remove.empty()) continue;
      int64_t bytes = 0;
      for (int64_t v : remove) bytes += RawSize(env, store, key, v);
      if (!dry_run) {
        Status s = store->DeleteVersions(key, remove, &result.warnings);
        if (!s.ok()) {
          result.warnings.push_back(s.message());
          continue;
        }
      }
      result.versions_deleted += static_cast<int64_t>(remove.size());
      result.bytes_reclaimed += bytes;
    }
  }
  if (!dry_run) {
    FEN_ASSIGN_OR_RETURN(int64_t cleaned, store->CleanupLeftovers(&result.warnings));
    (void)cleaned;
  }
  return result;
}

Result<PruneResult> PruneOrphans(Env* env, const RepoContext& repo, DataStore* store,
                                 bool dry_run) {
  static const std::set<std::string> kAlwaysLive = {"swamp/enrollment-token",
                                                    "swamp/worker",
                                                    "swamp/step-lease",
                                                    "swamp/pending-dispatch",
                                                    "swamp/fleet-probe",
                                                    "swamp/server-token",
                                                    "swamp/grant",
                                                    "swamp/group",
                                                    "workflow"};
  PruneResult result;
  result.dry_run = dry_run;
  FEN_ASSIGN_OR_RETURN(std::vector<ModelDefinitionRef> defs, ListModelDefinitions(env, repo));
  std::set<std::pair<std::string, std::string>> live;
  for (const auto& d : defs) live.insert({d.type, d.id});
  FEN_ASSIGN_OR_RETURN(std::vector<ModelKey> models, store->ListModels(&result.reports));
  for (const auto& m : models) {
    if (kAlwaysLive.count(m.type) != 0 || live.count({m.type, m.model_id}) != 0) continue;
    PrunedModel pm;
    pm.type = m.type;
    pm.model_id = m.model_id;
    FEN_ASSIGN_OR_RETURN(std::vector<std::string> names, store->ListDataNames(m.type, m.model_id));
    for (const auto& name : names) {
      if (!ValidateDataName(name).ok()) continue;
      ArtifactKey key{m.type, m.model_id, name};
      FEN_ASSIGN_OR_RETURN(std::vector<int64_t> versions, store->ListVersions(key));
      if (versions.empty()) continue;
      if (pm.model_name.empty()) {
        auto own = store->FindOwnLatest(key);
        if (own.ok() && *own) pm.model_name = (*own)->TagOr("modelName");
      }
      for (int64_t v : versions) pm.bytes_reclaimed += RawSize(env, store, key, v);
      pm.version_count += static_cast<int64_t>(versions.size());
      pm.data_names.push_back(name);
      if (!dry_run) FEN_RETURN_IF_ERROR(store->DeleteArtifact(key, &result.warnings));
    }
    if (!pm.data_names.empty()) result.models.push_back(std::move(pm));
  }
  return result;
}

Result<SearchResult> SearchData(Env* env, const RepoContext& repo, DataStore* store,
                                const SearchFilters& f, int64_t now_ms) {
  const int64_t now = now_ms < 0 ? NowMs() : now_ms;
  SearchResult result;
  FEN_ASSIGN_OR_RETURN(std::vector<ModelDefinitionRef> defs, ListModelDefinitions(env, repo));
  std::map<std::pair<std::string, std::string>, std::string> names;
  for (const auto& d : defs) names.emplace(std::make_pair(d.type, d.id), d.name);
  FEN_ASSIGN_OR_RETURN(std::vector<ModelKey> models, store->ListModels(&result.reports));
  // Newest first, ties in walk order (`seq`). Only the `limit` best hits are kept, in a heap
  // whose front is the worst of them, as the models stream by: a store-wide search holds one
  // model's records at a time instead of every hit (docs/design/catalog.md §3.1).
  struct Ranked {
    SearchHit hit;
    int64_t seq = 0;
  };
  auto better = [](const Ranked& a, const Ranked& b) {
    const int c = a.hit.record.created_at.compare(b.hit.record.created_at);
    return c != 0 ? c > 0 : a.seq < b.seq;
  };
  const bool bounded = f.limit >= 0;
  const size_t cap = bounded ? static_cast<size_t>(f.limit) : 0;
  std::vector<Ranked> kept;
  int64_t seq = 0;
  for (const auto& m : models) {
    FEN_ASSIGN_OR_RETURN(std::vector<DataRecord> latest,
                         store->FindAllForModel(m.type, m.model_id, &result.reports));
    auto it = names.find({m.type, m.model_id});
    const std::string model_name = it == names.end() ? m.model_id : it->second;
    for (auto& r : latest) {
      if (!f.type.empty() && r.TagOr("type") != f.type) continue;
      if (!f.lifetime.empty() && r.lifetime != f.lifetime) continue;
      if (!f.owner_type.empty() && r.owner.owner_type != f.owner_type) continue;
      if (!f.workflow.empty() && r.TagOr("workflow") != f.workflow) continue;
      if (!f.model_name.empty() && model_name != f.model_name) continue;
      if (!f.content_type.empty() && r.content_type != f.content_type) continue;
      if (f.streaming && !r.streaming) continue;
      if (f.since_ms) {
        auto created = IsoToMs(r.created_at);
        if (!created || *created < now - *f.since_ms) continue;
      }
      auto ref_parts = SplitColon(r.owner.owner_ref);
      auto ref_has = [&](const std::string& x) {
        return std::find(ref_parts.begin(), ref_parts.end(), x) != ref_parts.end();
      };
      if (!f.output.empty() && r.id != f.output && !ref_has(f.output)) continue;
      if (!f.run.empty() && !ref_has(f.run)) continue;
      bool tags_ok = true;
      for (const auto& [k, v] : f.tags) {
        bool found = false;
        for (const auto& [tk, tv] : r.tags) found = found || (tk == k && tv == v);
        tags_ok = tags_ok && found;
      }
      if (!tags_ok) continue;
      if (!f.query.empty() && !ContainsCaseInsensitive(r.name, f.query) &&
          !ContainsCaseInsensitive(r.TagOr("type"), f.query) &&
          !ContainsCaseInsensitive(model_name, f.query) &&
          !ContainsCaseInsensitive(r.owner.owner_ref, f.query)) {
        continue;
      }
      const int64_t n = seq++;
      if (bounded && kept.size() == cap) {
        // Full: a later hit replaces the worst kept one only if strictly newer.
        if (cap == 0 || r.created_at.compare(kept.front().hit.record.created_at) <= 0) continue;
        std::pop_heap(kept.begin(), kept.end(), better);
        kept.pop_back();
      }
      kept.push_back({SearchHit{std::move(r), m.type, m.model_id, model_name}, n});
      if (bounded) std::push_heap(kept.begin(), kept.end(), better);
    }
  }
  result.total = seq;
  result.limited = result.total > f.limit;
  if (bounded) {
    std::sort_heap(kept.begin(), kept.end(), better);
  } else {
    std::sort(kept.begin(), kept.end(), better);
  }
  result.hits.reserve(kept.size());
  for (auto& k : kept) result.hits.push_back(std::move(k.hit));
  return result;
}

}  // namespace fen::storage
