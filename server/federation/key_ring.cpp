#include "federation/key_ring.hpp"

#include <algorithm>
#include <future>
#include <set>

namespace ranvier::federation {
namespace {

/// Servers fetched from at once by prefetch.
constexpr std::size_t max_parallel_fetches = 8;

core::VerifyKey to_verify_key(const StoredKey& k) {
  if (k.expired_ts) {
    return core::VerifyKey{k.key, *k.expired_ts};
  }
  return core::VerifyKey{k.key, core::capped_valid_until(k.valid_until_ts, k.fetched_ts)};
}

}  // namespace

std::vector<StoredKey> MemoryKeyStore::keys(std::string_view server) {
  std::lock_guard lock(mutex_);
  std::vector<StoredKey> out;
  if (auto it = keys_.find(server); it != keys_.end()) {
    for (const auto& [id, key] : it->second) {
      out.push_back(key);
    }
  }
  return out;
}

void MemoryKeyStore::save(std::string_view server, const std::vector<StoredKey>& keys,
                          const StoredKeyDocument& document) {
  std::lock_guard lock(mutex_);
  auto& stored = keys_[std::string(server)];
  for (const auto& key : keys) {
    stored[key.key_id] = key;
  }
  documents_[std::string(server)] = document;
}

std::optional<StoredKeyDocument> MemoryKeyStore::document(std::string_view server) {
  std::lock_guard lock(mutex_);
  if (auto it = documents_.find(server); it != documents_.end()) {
    return it->second;
  }
  return std::nullopt;
}

KeyRing::KeyRing(std::string own_name, std::vector<core::SigningKey> own_keys, KeyStore& store, KeyFetcher& fetcher,
                 KeyRingOptions options)
    : own_name_(std::move(own_name)), store_(store), fetcher_(fetcher), options_(std::move(options)) {
  if (!options_.now_ms) {
    options_.now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  for (const auto& key : own_keys) {
    own_keys_[key.key_id] = core::VerifyKey{key.pair.public_key, INT64_MAX};
  }
}

void KeyRing::remember(std::string_view server, const std::vector<StoredKey>& keys) {
  auto& map = memo_[std::string(server)];
  for (const auto& key : keys) {
    map[key.key_id] = to_verify_key(key);
  }
}

std::optional<core::VerifyKey> KeyRing::known(std::string_view server, std::string_view key_id) {
  if (server == own_name_) {
    if (auto it = own_keys_.find(key_id); it != own_keys_.end()) {
      return it->second;
    }
    return std::nullopt;
  }
  {
    std::lock_guard lock(mutex_);
    if (auto it = memo_.find(server); it != memo_.end()) {
      if (auto k = it->second.find(key_id); k != it->second.end()) {
        return k->second;
      }
      return std::nullopt;
    }
  }
  auto stored = store_.keys(server);
  std::lock_guard lock(mutex_);
  remember(server, stored);
  const auto& map = memo_[std::string(server)];
  if (auto k = map.find(key_id); k != map.end()) {
    return k->second;
  }
  return std::nullopt;
}

bool KeyRing::accept(const std::string& server, const nlohmann::json& document) {
  auto verified = core::verify_server_keys(document, server);
  if (!verified) {
    return false;
  }
  const auto now = options_.now_ms();
  std::vector<StoredKey> keys;
  for (const auto& [id, key] : verified->verify_keys) {
    keys.push_back(StoredKey{id, key.key, verified->valid_until_ts, now, std::nullopt});
  }
  for (const auto& [id, key] : verified->old_verify_keys) {
    keys.push_back(StoredKey{id, key.key, verified->valid_until_ts, now, key.valid_until_ts});
  }
  store_.save(server, keys, StoredKeyDocument{document, verified->valid_until_ts, now});
  std::lock_guard lock(mutex_);
  remember(server, keys);
  return true;
}

bool KeyRing::fetch_direct(const std::string& server) {
  auto document = fetcher_.server_keys(server);
  return document && accept(server, *document);
}

bool KeyRing::fetch_from_notaries(const std::string& server, std::string_view key_id, std::int64_t at_ts) {
  const nlohmann::json query{
      {"server_keys", {{server, {{std::string(key_id), {{"minimum_valid_until_ts", at_ts}}}}}}}};
  // A notary's own signature is checked with keys fetched from the notary itself, never
  // through another notary.
  const core::VerifyKeyLookup notary_keys = [this](std::string_view notary, std::string_view id) {
    auto key = known(notary, id);
    if (!key && refresh(std::string(notary), id, options_.now_ms(), true)) {
      key = known(notary, id);
    }
    return key;
  };
  bool any = false;
  for (const auto& notary : options_.notaries) {
    if (notary == own_name_ || notary == server) {
      continue;
    }
    auto answer = fetcher_.notary_query(notary, query);
    if (!answer || !answer->is_object() || !answer->contains("server_keys") || !(*answer)["server_keys"].is_array()) {
      continue;
    }
    for (const auto& document : (*answer)["server_keys"]) {
      if (!document.is_object() || core::verify_json_signature(document, notary, notary_keys)) {
        continue;
      }
      any = accept(server, document) || any;
    }
    if (auto key = known(server, key_id); key && key->valid_until_ts >= at_ts) {
      return true;
    }
  }
  return any;
}

KeyRing::FetchTurn KeyRing::claim_fetch(const std::string& server, bool wait) {
  std::unique_lock lock(mutex_);
  if (in_flight_.contains(server)) {
    if (!wait) {
      return FetchTurn::throttled;
    }
    fetched_.wait(lock, [&] { return !in_flight_.contains(server); });
    return FetchTurn::waited;
  }
  const auto now = options_.now_ms();
  auto [it, fresh] = last_fetch_.try_emplace(server, now);
  if (!fresh) {
    if (now - it->second < options_.refetch_interval.count()) {
      return FetchTurn::throttled;
    }
    it->second = now;
  }
  in_flight_.insert(server);
  return FetchTurn::mine;
}

void KeyRing::release_fetch(const std::string& server) {
  {
    std::lock_guard lock(mutex_);
    in_flight_.erase(server);
  }
  fetched_.notify_all();
}

bool KeyRing::refresh(const std::string& server, std::string_view key_id, std::int64_t at_ts, bool direct_only) {
  // Notary keys are looked up without waiting: two servers fetched through each other as
  // notaries would otherwise wait for each other forever.
  switch (claim_fetch(server, !direct_only)) {
    case FetchTurn::throttled:
      return false;
    case FetchTurn::waited:
      return true;
    case FetchTurn::mine:
      break;
  }
  struct Release {
    KeyRing& ring;
    const std::string& server;
    ~Release() { ring.release_fetch(server); }
  } release{*this, server};
  bool stored = fetch_direct(server);
  if (direct_only) {
    return stored;
  }
  if (auto key = known(server, key_id); key && key->valid_until_ts >= at_ts) {
    return stored;
  }
  return fetch_from_notaries(server, key_id, at_ts) || stored;
}

std::optional<core::VerifyKey> KeyRing::verify_key(std::string_view server, std::string_view key_id,
                                                   std::int64_t at_ts) {
  auto key = known(server, key_id);
  if ((key && key->valid_until_ts >= at_ts) || server == own_name_) {
    return key;
  }
  if (refresh(std::string(server), key_id, at_ts, false)) {
    key = known(server, key_id);
  }
  return key;
}

core::VerifyKeyLookup KeyRing::lookup(std::int64_t at_ts) {
  return [this, at_ts](std::string_view server, std::string_view key_id) { return verify_key(server, key_id, at_ts); };
}

void KeyRing::prefetch(const std::vector<KeyRequest>& wanted) {
  std::vector<const KeyRequest*> missing;
  std::set<std::string, std::less<>> servers;
  for (const auto& request : wanted) {
    if (servers.contains(request.server)) {
      continue;
    }
    auto key = known(request.server, request.key_id);
    if (request.server != own_name_ && (!key || key->valid_until_ts < request.at_ts)) {
      servers.insert(request.server);
      missing.push_back(&request);
    }
  }
  for (std::size_t start = 0; start < missing.size(); start += max_parallel_fetches) {
    std::vector<std::future<bool>> running;
    for (std::size_t i = start; i < std::min(missing.size(), start + max_parallel_fetches); ++i) {
      const KeyRequest* r = missing[i];
      running.push_back(std::async(std::launch::async, [this, r] { return refresh(r->server, r->key_id, r->at_ts, false); }));
    }
    for (auto& f : running) {
      f.get();
    }
  }
}

std::optional<nlohmann::json> KeyRing::key_document(std::string_view server, std::int64_t minimum_valid_until_ts) {
  if (server == own_name_) {
    return std::nullopt;
  }
  const auto needed = std::max(minimum_valid_until_ts, options_.now_ms());
  auto document = store_.document(server);
  if (document && document->valid_until_ts >= needed) {
    return std::move(document->document);
  }
  const std::string name(server);
  const auto turn = claim_fetch(name, true);
  if (turn == FetchTurn::mine) {
    try {
      fetch_direct(name);
    } catch (...) {
      release_fetch(name);
      throw;
    }
    release_fetch(name);
  }
  if (turn != FetchTurn::throttled) {
    document = store_.document(server);
  }
  if (document) {
    return std::move(document->document);
  }
  return std::nullopt;
}

}  // namespace ranvier::federation
