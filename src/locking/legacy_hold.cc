// LegacyHold. See src/locking/legacy_hold.h and docs/design/locking.md §7.
#include "locking/legacy_hold.h"

#include <algorithm>
#include <cstring>
#include <system_error>

#include "fen/base/clock.h"
#include "locking/ofd_lock.h"
#include "locking/swamp_lock_file.h"

namespace fen::locking {

void LegacyHold::Add(std::string path, std::string nonce) {
  files_.push_back(File{std::move(path), std::move(nonce)});
}

void LegacyHold::DropFrom(size_t keep) {
  while (files_.size() > keep) {
    DeleteSwampFileIfOurs(env_, files_.back().path, files_.back().nonce).ok();
    files_.pop_back();
  }
}

namespace {

std::string LostMessage(const std::string& path) {
  return "Lock \"" + path +
         "\" was removed or taken over while this command held it; stopped before committing "
         "further changes.";
}

}  // namespace

void LegacyHold::StartAfter(int64_t delay_ms) {
  if (files_.empty() || thread_.joinable() || start_due_ms_ >= 0) return;
  const int64_t now = MonotonicNowMs();
  {
    std::lock_guard<std::mutex> lock(mu_);
    renewed_ms_ = now;  // the files were just written
  }
  start_due_ms_ = now + std::max<int64_t>(delay_ms, 0);
  if (delay_ms <= 0) SpawnHeartbeat();
}

void LegacyHold::KeepAlive(bool long_step) {
  if (start_due_ms_ < 0 || thread_.joinable()) return;
  if (long_step || MonotonicNowMs() >= start_due_ms_) SpawnHeartbeat();
}

void LegacyHold::SpawnHeartbeat() {
  try {
    thread_ = std::thread([this] { Run(); });
  } catch (const std::system_error&) {
    // No thread now (e.g. a process limit): the next KeepAlive() or Check() tries again.
  }
}

void LegacyHold::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  // The first renewal is due one period after the files were written (StartAfter may have
  // deferred this thread); the later ones one period after the previous attempt.
  int64_t wait_ms = std::max<int64_t>(0, renewed_ms_ + heartbeat_ms_ - MonotonicNowMs());
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] { return stop_; });
    wait_ms = heartbeat_ms_;
    if (stop_) break;
    lock.unlock();
    std::string lost;
    std::string failed_path;
    Status failure;
    for (const File& f : files_) {  // files_ is immutable while the thread runs
      std::string content = SwampLockInfoText(identity_.holder, identity_.hostname, identity_.pid,
                                              NowIsoMillis(), f.nonce);
      auto ours = RewriteSwampFileIfOurs(env_, f.path, f.nonce, content);
      if (!ours.ok()) {
        // The previous, complete file stays in place (the rewrite goes through a temp file).
        if (failure.ok()) {
          failure = ours.status();
          failed_path = f.path;
        }
      } else if (!*ours && lost.empty()) {
        lost = LostMessage(f.path);
      }
    }
    int64_t now = MonotonicNowMs();
    lock.lock();
    if (failure.ok()) {
      renewed_ms_ = now;
    } else if (lost.empty() && now - renewed_ms_ >= 2 * static_cast<int64_t>(heartbeat_ms_)) {
      // docs/design/locking.md §7: the file would be stale to swamp (TTL = 3 periods) before the
      // next renewal; another process may take it over without our noticing in time.
      std::string why =
          failure.sys_errno() != 0 ? std::strerror(failure.sys_errno()) : failure.message();
      lost = "Lock \"" + failed_path + "\" could not be renewed for " +
             std::to_string((now - renewed_ms_) / 1000) + " s (" + why +
             "); stopped before committing further changes.";
    }
    if (!lost.empty() && lost_.empty()) lost_ = lost;
  }
}

Status LegacyHold::CheckOne(const File& f) const {
  auto text = env_->ReadFile(f.path);
  std::optional<SwampLockInfo> info;
  if (text.ok()) {
    info = ParseSwampLockInfo(*text);
    if (info && info->nonce == f.nonce) return Status::Ok();
  } else if (!text.status().IsNotFound()) {
    return Status::Ok();  // a transient read error is not proof of loss; the heartbeat retries
  }
  std::string msg = "Lock \"" + f.path + "\" was removed or taken over";
  if (info) msg += " by " + info->holder + " (pid " + std::to_string(info->pid) + ")";
  msg += " while this command held it; stopped before committing further changes.";
  return Status(ErrorCode::kLockLost, msg);
}

Status LegacyHold::Check() {
  KeepAlive();
  for (const File& f : files_) FEN_RETURN_IF_ERROR(CheckOne(f));
  std::string lost;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lost = lost_;
  }
  if (!lost.empty()) return Status(ErrorCode::kLockLost, lost);
  return Status::Ok();
}

void LegacyHold::Release() {
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  start_due_ms_ = -1;
  DropFrom(0);
}

}  // namespace fen::locking
