#pragma once
// Media bytes on disk, named by their SHA-256 (content-addressed: the same file uploaded twice
// is stored once, and no name from a request ever reaches the file system). Files are written
// to a temporary name in the same folder and renamed, so a reader never sees half a file.
// Thread-safe: every call works on its own files.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::media {

class BlobStore {
 public:
  /// `root` is created on first write if missing.
  explicit BlobStore(std::filesystem::path root);

  /// Stores `bytes` and returns their lower-case hex SHA-256. Throws std::runtime_error when
  /// the disk refuses (the caller answers 500).
  std::string put(std::string_view bytes);

  /// The bytes stored under `sha256`, or nullopt when there is no such file.
  std::optional<std::string> get(std::string_view sha256) const;

  /// Deletes the file (orphan clean-up); missing files are fine.
  void remove(std::string_view sha256);

  /// Where the file of `sha256` lives: `<root>/<aa>/<bb>/<sha256>`.
  std::filesystem::path path_of(std::string_view sha256) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

/// True for 64 lower-case hex digits.
bool is_sha256_hex(std::string_view text);

}  // namespace ranvier::media
