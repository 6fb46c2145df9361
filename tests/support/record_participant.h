// A CommitParticipant shaped like a model run's (test support): it stages a file `record`
// in `dir` naming the versions ("name=N" lines) once they are numbered, and publishes it once
// they are visible. Records the hook calls. Single-threaded test use only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fen/env/durable_file.h"
#include "fen/storage/data_store.h"

namespace fen::testsupport {

class RecordParticipant final : public storage::CommitParticipant {
 public:
  RecordParticipant(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}

  // Called at the start of every Numbered hook (e.g. to plant a foreign version directory).
  std::function<void(const std::vector<storage::SavedVersion>&)> on_numbered;
  // "first", "numbered <record text>", "visible", in call order.
  std::vector<std::string> calls;

  void AddToFirstRound(SyncGroup* round) override {
    (void)round;
    calls.push_back("first");
  }
  Status Numbered(const std::vector<storage::SavedVersion>& v, SyncGroup* round) override {
    if (on_numbered) on_numbered(v);
    std::string text;
    for (const auto& sv : v) text += sv.name + "=" + std::to_string(sv.version) + "\n";
    calls.push_back("numbered " + text);
    record_.reset();
    FEN_ASSIGN_OR_RETURN(record_, StagedFile::Create(env_, dir_, "record", text));
    round->AddFile(record_->file());
    return Status::Ok();
  }
  Status Visible(SyncGroup* round) override {
    calls.push_back("visible");
    FEN_RETURN_IF_ERROR(record_->Publish());
    round->AddDir(dir_);
    return Status::Ok();
  }

 private:
  Env* env_;
  std::string dir_;
  std::unique_ptr<StagedFile> record_;
};

}  // namespace fen::testsupport
