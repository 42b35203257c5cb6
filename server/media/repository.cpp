#include "media/repository.hpp"

#include "media/media_id.hpp"
#include "storage/database.hpp"

namespace ranvier::media {

using core::fail;

namespace {

std::string waiter_key(std::string_view origin, std::string_view media_id) {
  return std::string(origin) + "/" + std::string(media_id);
}

std::string_view method_name(ThumbnailMethod method) { return method == ThumbnailMethod::crop ? "crop" : "scale"; }

// A row for content that is here now (its sha256 is set when the file is written).
storage::MediaRecord content_record(std::string_view origin, std::string_view media_id,
                                    std::optional<std::string> user_id, std::string_view content_type,
                                    const std::optional<std::string>& upload_name, std::size_t size,
                                    std::int64_t now_ms, bool authenticated_only) {
  return storage::MediaRecord{.origin = std::string(origin),
                              .media_id = std::string(media_id),
                              .user_id = std::move(user_id),
                              .content_type = std::string(content_type),
                              .upload_name = upload_name,
                              .size = static_cast<std::int64_t>(size),
                              .sha256 = std::nullopt,
                              .created_ts = now_ms,
                              .unused_expires_ts = std::nullopt,
                              .quarantined = false,
                              .authenticated_only = authenticated_only};
}

}  // namespace

std::string_view to_string(MediaError error) {
  switch (error) {
    case MediaError::not_found:
      return "Media not found";
    case MediaError::forbidden:
      return "This media ID was created by another user";
    case MediaError::cannot_overwrite:
      return "Media already uploaded";
    case MediaError::limit_exceeded:
      return "Too many pending uploads";
    case MediaError::too_large:
      return "The file is larger than this server accepts";
    case MediaError::not_yet_uploaded:
      return "Content has not yet been uploaded";
    case MediaError::file_missing:
      return "The media file is missing";
  }
  return "media error";
}

MediaRepository::MediaRepository(const config::Media& config, std::string server_name, storage::Database& database)
    : config_(config), server_name_(std::move(server_name)), database_(database), blobs_(config.path) {}

bool MediaRepository::store_then_commit(std::string_view bytes,
                                        const std::function<bool(storage::WriteTx&, const std::string&)>& commit) {
  const auto sha = blobs_.put(bytes);
  bool committed = false;
  try {
    committed = database_.write([&](storage::WriteTx& tx) { return commit(tx, sha); });
  } catch (...) {
    if (!database_.read([&](storage::ReadTx& tx) { return tx.media().file_in_use(sha); })) {
      blobs_.remove(sha);
    }
    throw;
  }
  if (!committed && !database_.read([&](storage::ReadTx& tx) { return tx.media().file_in_use(sha); })) {
    blobs_.remove(sha);
  }
  return committed;
}

core::Expected<std::string, MediaError> MediaRepository::upload(std::string_view user_id,
                                                                std::string_view content_type,
                                                                const std::optional<std::string>& upload_name,
                                                                std::string_view bytes, std::int64_t now_ms) {
  if (bytes.size() > config_.max_upload_size) {
    return fail(MediaError::too_large);
  }
  auto record = content_record(server_name_, new_media_id(), std::string(user_id), content_type, upload_name,
                               bytes.size(), now_ms, !config_.allow_unauthenticated);
  store_then_commit(bytes, [&](storage::WriteTx& tx, const std::string& sha) {
    record.sha256 = sha;
    return tx.media().add(record);
  });
  return record.media_id;
}

core::Expected<CreatedMedia, MediaError> MediaRepository::create(std::string_view user_id, std::int64_t now_ms) {
  CreatedMedia created{new_media_id(), now_ms + static_cast<std::int64_t>(config_.unused_expiry_ms)};
  const bool ok = database_.write([&](storage::WriteTx& tx) {
    if (tx.media().pending_uploads(user_id, now_ms) >= config_.max_pending_uploads) {
      return false;
    }
    return tx.media().add(storage::MediaRecord{.origin = server_name_,
                                               .media_id = created.media_id,
                                               .user_id = std::string(user_id),
                                               .content_type = std::nullopt,
                                               .upload_name = std::nullopt,
                                               .size = std::nullopt,
                                               .sha256 = std::nullopt,
                                               .created_ts = now_ms,
                                               .unused_expires_ts = created.unused_expires_at,
                                               .quarantined = false,
                                               .authenticated_only = !config_.allow_unauthenticated});
  });
  if (!ok) {
    return fail(MediaError::limit_exceeded);
  }
  return created;
}

core::Expected<std::monostate, MediaError> MediaRepository::upload_to(std::string_view media_id,
                                                                      std::string_view user_id,
                                                                      std::string_view content_type,
                                                                      const std::optional<std::string>& upload_name,
                                                                      std::string_view bytes, std::int64_t now_ms) {
  // Checked before the file is written, and again inside the transaction that fills it in.
  auto check = [&](const std::optional<storage::MediaRecord>& row) -> std::optional<MediaError> {
    if (!row || (!row->uploaded() && row->unused_expires_ts && *row->unused_expires_ts <= now_ms)) {
      return MediaError::not_found;
    }
    if (row->user_id != std::string(user_id)) {
      return MediaError::forbidden;
    }
    if (row->uploaded()) {
      return MediaError::cannot_overwrite;
    }
    return std::nullopt;
  };
  if (auto problem = check(find(server_name_, media_id))) {
    return fail(*problem);
  }
  if (bytes.size() > config_.max_upload_size) {
    return fail(MediaError::too_large);
  }
  std::optional<MediaError> refused;
  store_then_commit(bytes, [&](storage::WriteTx& tx, const std::string& sha) {
    refused = check(tx.media().get(server_name_, media_id));
    if (refused) {
      return false;
    }
    auto record = content_record(server_name_, media_id, std::string(user_id), content_type, upload_name,
                                 bytes.size(), now_ms, !config_.allow_unauthenticated);
    record.sha256 = sha;
    return tx.media().complete_upload(record);
  });
  if (refused) {
    return fail(*refused);
  }
  ++upload_generation_;
  notify_uploaded(waiter_key(server_name_, media_id));
  return std::monostate{};
}

std::optional<storage::MediaRecord> MediaRepository::find(std::string_view origin, std::string_view media_id) {
  return database_.read([&](storage::ReadTx& tx) { return tx.media().get(origin, media_id); });
}

core::Expected<StoredMedia, MediaError> MediaRepository::load(std::string_view origin, std::string_view media_id,
                                                              std::int64_t now_ms) {
  auto row = find(origin, media_id);
  if (!row || row->quarantined) {
    return fail(MediaError::not_found);
  }
  if (!row->uploaded()) {
    const bool expired = row->unused_expires_ts && *row->unused_expires_ts <= now_ms;
    return fail(expired ? MediaError::not_found : MediaError::not_yet_uploaded);
  }
  auto bytes = blobs_.get(*row->sha256);
  if (!bytes) {
    return fail(MediaError::file_missing);
  }
  return StoredMedia{std::move(*row), std::move(*bytes)};
}

core::Expected<storage::MediaRecord, MediaError> MediaRepository::cache_remote(
    std::string_view origin, std::string_view media_id, std::string_view content_type,
    const std::optional<std::string>& upload_name, std::string_view bytes, std::int64_t now_ms) {
  auto record = content_record(origin, media_id, std::nullopt, content_type, upload_name, bytes.size(), now_ms,
                               !config_.allow_unauthenticated);
  const bool added = store_then_commit(bytes, [&](storage::WriteTx& tx, const std::string& sha) {
    record.sha256 = sha;
    return tx.media().add(record);
  });
  if (!added) {
    auto existing = find(origin, media_id);
    if (!existing) {
      return fail(MediaError::not_found);
    }
    return *existing;
  }
  return record;
}

core::Expected<ThumbnailAnswer, ThumbnailError> MediaRepository::thumbnail(const StoredMedia& media,
                                                                           const ThumbnailSpec& spec,
                                                                           std::int64_t now_ms) {
  const auto& r = media.record;
  const auto method = method_name(spec.method);
  auto cached =
      database_.read([&](storage::ReadTx& tx) { return tx.media().thumbnail(r.origin, r.media_id, spec.width, spec.height, method); });
  if (cached) {
    if (auto bytes = blobs_.get(cached->sha256)) {
      return ThumbnailAnswer{cached->content_type, std::move(*bytes)};
    }
  }
  ThumbnailSpec limited = spec;
  limited.max_source_pixels = config_.max_thumbnail_pixels;
  auto made = make_thumbnail(media.bytes, limited);
  if (!made) {
    return fail(made.error());
  }
  if (made->use_original) {
    return ThumbnailAnswer{r.content_type.value_or("application/octet-stream"), media.bytes};
  }
  store_then_commit(made->bytes, [&](storage::WriteTx& tx, const std::string& sha) {
    tx.media().put_thumbnail(storage::MediaThumbnailRecord{.origin = r.origin,
                                                           .media_id = r.media_id,
                                                           .width = spec.width,
                                                           .height = spec.height,
                                                           .method = std::string(method),
                                                           .content_type = made->content_type,
                                                           .size = static_cast<std::int64_t>(made->bytes.size()),
                                                           .sha256 = sha,
                                                           .created_ts = now_ms});
    return true;
  });
  return ThumbnailAnswer{made->content_type, std::move(made->bytes)};
}

std::function<void()> MediaRepository::on_uploaded(std::string_view origin, std::string_view media_id,
                                                   std::uint64_t generation, std::function<void()> wake) {
  const auto key = waiter_key(origin, media_id);
  std::uint64_t id = 0;
  {
    std::lock_guard lock(waiters_mutex_);
    id = ++next_waiter_;
    waiters_[key].emplace(id, std::move(wake));
  }
  auto unregister = [this, key, id]() -> std::function<void()> {
    std::lock_guard lock(waiters_mutex_);
    auto it = waiters_.find(key);
    if (it == waiters_.end()) {
      return {};
    }
    auto entry = it->second.find(id);
    if (entry == it->second.end()) {
      return {};
    }
    auto wake = std::move(entry->second);
    it->second.erase(entry);
    if (it->second.empty()) {
      waiters_.erase(it);
    }
    return wake;
  };
  // An upload completed after the caller looked but before registration would never wake
  // it: whoever takes the registration out (this or notify_uploaded) calls it.
  if (upload_generation_.load() != generation) {
    if (auto missed = unregister()) {
      missed();
    }
  }
  return [unregister] { unregister(); };
}

void MediaRepository::notify_uploaded(const std::string& key) {
  std::map<std::uint64_t, std::function<void()>> woken;
  {
    std::lock_guard lock(waiters_mutex_);
    auto it = waiters_.find(key);
    if (it == waiters_.end()) {
      return;
    }
    woken = std::move(it->second);
    waiters_.erase(it);
  }
  for (auto& [id, wake] : woken) {
    wake();
  }
}

}  // namespace ranvier::media
