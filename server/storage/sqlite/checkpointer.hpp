#pragma once
// WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside whichever
// commit pushes the WAL past 1,000 pages, so that request waits for the copy into the database
// file and its fsync. Instead the writer connection reports each commit's WAL size through
// its WAL hook (which also turns the automatic checkpoint off), and one background thread with
// its own connection runs a PASSIVE checkpoint once `passive_pages` frames have been written
// since the last checkpoint:
// it copies what no reader still needs without blocking writers or readers. Should readers
// keep it from finishing until the WAL reaches `truncate_pages`, a TRUNCATE checkpoint bounds
// the file. TRUNCATE holds writers while it waits for readers, so it waits only briefly
// (`busy_timeout`, short) and gives up with SQLITE_BUSY; the next commit past the threshold
// asks again. A long reader (a backup, a large initial /sync) thus delays the truncation
// instead of making request writes time out behind it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace ranvier::storage::sqlite {

struct CheckpointOptions {
  /// WAL pages written since the last checkpoint after which a PASSIVE checkpoint is run
  /// (SQLite's automatic default is 1,000 pages of WAL length).
  int passive_pages = 1'000;
  /// WAL pages after which the checkpoint waits for readers and truncates the WAL.
  int truncate_pages = 20'000;
  /// How long the checkpoint connection waits for locks (only TRUNCATE waits at all; writers
  /// queue behind it meanwhile, so keep this well under the request connections' timeout).
  std::chrono::milliseconds busy_timeout{50};
};

class Checkpointer {
 public:
  /// Checkpoints the database file at `path`; its connection is opened on first use.
  explicit Checkpointer(std::string path, CheckpointOptions options = {});
  /// Stops the thread, waiting for a checkpoint in progress.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  /// Hands the checkpoints of the writer connection `db` to this object (sqlite3_wal_hook).
  /// The connection must be closed, or stop committing, before this object is destroyed.
  void watch(sqlite3* db);

  /// Checkpoints run so far (PASSIVE and TRUNCATE), for tests and diagnostics.
  std::int64_t checkpoints() const;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void run();
  /// One checkpoint of the given SQLite mode (SQLITE_CHECKPOINT_*).
  void checkpoint(int mode);

  std::string path_;
  CheckpointOptions options_;
  sqlite3* db_ = nullptr;
  mutable std::mutex mutex_;
  std::condition_variable wanted_;
  int wal_pages_ = 0;
  /// WAL frames the last checkpoint copied into the database file (0 after the WAL restarts).
  int checkpointed_pages_ = 0;
  bool pending_ = false;
  bool stopping_ = false;
  std::int64_t checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace ranvier::storage::sqlite
