#include "storage/sqlite/checkpointer.hpp"

#include <sqlite3.h>

#include <cstdio>

namespace ranvier::storage::sqlite {

Checkpointer::Checkpointer(std::string path, CheckpointOptions options)
    : path_(std::move(path)), options_(options), thread_([this] { run(); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wanted_.notify_all();
  thread_.join();
  sqlite3_close_v2(db_);
}

void Checkpointer::watch(sqlite3* db) { sqlite3_wal_hook(db, &Checkpointer::on_commit, this); }

std::int64_t Checkpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

// Runs on the committing thread, after the commit: it only records the size and, once the
// frames written since the last checkpoint pass the threshold, wakes the thread. Counting from
// the last checkpoint matters: `wal_pages` is the WAL's whole length, which does not shrink
// when a checkpoint has copied it, only when a later writer finds no reader in the WAL and
// starts it over. Under steady reads that can take a while, and comparing the whole length
// with the threshold then ran a checkpoint — with its two fsyncs — after every commit.
int Checkpointer::on_commit(void* self, sqlite3*, const char*, int wal_pages) {
  auto& checkpointer = *static_cast<Checkpointer*>(self);
  bool wake = false;
  {
    std::lock_guard lock(checkpointer.mutex_);
    if (wal_pages < checkpointer.checkpointed_pages_) {
      checkpointer.checkpointed_pages_ = 0;  // the WAL was started over
    }
    if (wal_pages - checkpointer.checkpointed_pages_ < checkpointer.options_.passive_pages) {
      return SQLITE_OK;
    }
    checkpointer.wal_pages_ = wal_pages;
    wake = !checkpointer.pending_;
    checkpointer.pending_ = true;
  }
  if (wake) {
    checkpointer.wanted_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::checkpoint(int mode) {
  if (db_ == nullptr) {
    if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "ranvier: sqlite: cannot open %s for checkpoints: %s\n", path_.c_str(),
                   db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory");
      // The next commit past the threshold tries again.
      sqlite3_close_v2(db_);
      db_ = nullptr;
      return;
    }
    sqlite3_busy_timeout(db_, static_cast<int>(options_.busy_timeout.count()));
    // A new connection only learns that the file is in WAL mode when it first reads; until
    // then a checkpoint does nothing.
    sqlite3_exec(db_, "PRAGMA journal_mode", nullptr, nullptr, nullptr);
  }
  int log_pages = 0;
  int copied_pages = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, mode, &log_pages, &copied_pages);
  // Commits made while a PASSIVE checkpoint copies leave it a few frames short, and a WAL that
  // is not copied to its end is never started over: it keeps growing, and appending to new
  // file pages costs the writer far more than overwriting ones already cached. The short
  // rounds that follow copy the stragglers, so that after a pause between commits the next
  // writer more often finds the WAL done (and, with no reader in it, starts at its beginning).
  for (int round = 0; round < 3 && rc == SQLITE_OK && copied_pages >= 0 && copied_pages < log_pages; ++round) {
    rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied_pages);
  }
  // SQLITE_BUSY: readers or a writer were in the way; the next round tries again.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    std::fprintf(stderr, "ranvier: sqlite: checkpoint of %s failed: %s\n", path_.c_str(), sqlite3_errmsg(db_));
  }
  std::lock_guard lock(mutex_);
  ++checkpoints_;
  // The next checkpoint is due once `passive_pages` more frames follow what this one copied
  // (a TRUNCATE that succeeded reports 0 and 0: the WAL is empty).
  if ((rc == SQLITE_OK || rc == SQLITE_BUSY) && copied_pages >= 0) {
    checkpointed_pages_ = copied_pages;
  }
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wanted_.wait(lock, [this] { return pending_ || stopping_; });
    if (stopping_) {
      return;
    }
    const int pages = wal_pages_;
    pending_ = false;
    lock.unlock();
    checkpoint(pages >= options_.truncate_pages ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE);
    lock.lock();
  }
}

}  // namespace ranvier::storage::sqlite
