// See include/fen/repo/datastore_health.h.
#include "fen/repo/datastore_health.h"

#include <unistd.h>

#include <chrono>
#include <cmath>

#include "fen/base/uuid.h"
#include "fen/repo/repo_context.h"

namespace fen {

DatastoreHealth ProbeDatastore(Env* env, const std::string& root) {
  DatastoreHealth h;
  auto start = std::chrono::steady_clock::now();
  auto st = env->Stat(root);
  if (!st.ok()) {
    if (st.status().IsNotFound()) {
      h.error = "Datastore directory does not exist: " + root;
    } else {
      h.exists = true;
      h.error = CheckDatastoreAccessible(env, root).message();
    }
    return h;
  }
  h.exists = true;
  if (st->type != FileType::kDirectory) {
    h.error = "Datastore path is not a directory: " + root;
    return h;
  }
  h.is_directory = true;
  h.writable = env->Access(root, W_OK | X_OK);
  if (!h.writable) {
    h.error = "Datastore directory is not writable: " + root;
    return h;
  }
  const std::string probe = root + "/.fen-probe-" + NewUuidV4() + ".tmp";
  auto file = env->NewExclusiveFile(probe);
  if (!file.ok()) {
    h.writable = false;
    h.error = "Cannot write to datastore at " + root + ": " + file.status().message();
    return h;
  }
  Status s = (*file)->Append("fen datastore probe\n");
  Status c = (*file)->Close();
  Status u = env->Unlink(probe);
  auto elapsed = std::chrono::steady_clock::now() - start;
  for (const Status* e : {&s, &c, &u}) {
    if (!e->ok()) {
      h.writable = false;
      h.error = "Cannot write to datastore at " + root + ": " + e->message();
      return h;
    }
  }
  double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  h.latency_ms = std::round(ms * 1000.0) / 1000.0;
  h.healthy = true;
  return h;
}

}  // namespace fen
