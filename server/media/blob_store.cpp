#include "media/blob_store.hpp"

#include "core/sha256.hpp"
#include "media/media_id.hpp"

#include <cstdio>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ranvier::media {
namespace {

std::string to_hex(const core::Sha256Digest& digest) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (auto b : digest) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

// Writes and fsyncs the whole buffer; false on any failure.
bool write_file(const std::filesystem::path& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) {
    return false;
  }
  bool ok = true;
  while (!bytes.empty()) {
    const auto n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      ok = false;
      break;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  ok = ok && ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

}  // namespace

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) {
    return false;
  }
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

BlobStore::BlobStore(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path BlobStore::path_of(std::string_view sha256) const {
  if (!is_sha256_hex(sha256)) {
    throw std::invalid_argument("not a SHA-256 hex digest");
  }
  return root_ / std::string(sha256.substr(0, 2)) / std::string(sha256.substr(2, 2)) / std::string(sha256);
}

std::string BlobStore::put(std::string_view bytes) {
  const auto sha = to_hex(core::sha256(bytes));
  const auto path = path_of(sha);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return sha;
  }
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    throw std::runtime_error("media: cannot create " + path.parent_path().string() + ": " + ec.message());
  }
  auto temp = path.parent_path() / (".tmp-" + new_media_id());
  if (!write_file(temp, bytes)) {
    std::filesystem::remove(temp, ec);
    throw std::runtime_error("media: cannot write " + temp.string());
  }
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    throw std::runtime_error("media: cannot rename into " + path.string());
  }
  return sha;
}

std::optional<std::string> BlobStore::get(std::string_view sha256) const {
  const int fd = ::open(path_of(sha256).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return std::nullopt;
  }
  std::string bytes;
  struct stat info {};
  if (::fstat(fd, &info) == 0 && info.st_size > 0) {
    bytes.reserve(static_cast<std::size_t>(info.st_size));
  }
  // Read in 64 KiB blocks into a string sized from the file up front.
  char block[1 << 16];
  while (true) {
    const auto n = ::read(fd, block, sizeof block);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) {
      break;
    }
    bytes.append(block, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return bytes;
}

void BlobStore::remove(std::string_view sha256) {
  std::error_code ec;
  std::filesystem::remove(path_of(sha256), ec);
}

}  // namespace ranvier::media
