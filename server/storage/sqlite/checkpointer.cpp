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

// Runs on the committing thread, after the commit: it only records the size and, the first
// time the WAL is past the threshold, wakes the thread.
int Checkpointer::on_commit(void* self, sqlite3*, const char*, int wal_pages) {
  auto& checkpointer = *static_cast<Checkpointer*>(self);
  if (wal_pages < checkpointer.options_.passive_pages) {
    return SQLITE_OK;
  }
  bool wake = false;
  {
    std::lock_guard lock(checkpointer.mutex_);
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
  const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, mode, nullptr, nullptr);
  // SQLITE_BUSY: readers or a writer were in the way; the next round tries again.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    std::fprintf(stderr, "ranvier: sqlite: checkpoint of %s failed: %s\n", path_.c_str(), sqlite3_errmsg(db_));
  }
  std::lock_guard lock(mutex_);
  ++checkpoints_;
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
