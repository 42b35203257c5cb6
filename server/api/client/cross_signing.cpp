// POST /_matrix/client/v3/keys/device_signing/upload and /keys/signatures/upload (client-server
// API, "Cross-signing"): a user's master, self-signing and user-signing keys, and signatures
// over devices and other users' master keys. Every signature is verified before it is kept;
// once a master key exists, uploading anything new needs the password again (user-interactive
// auth).

#include "api/client/device_lists.hpp"
#include "api/client/key_signatures.hpp"
#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "api/uia.hpp"
#include "core/signing.hpp"

#include <map>

namespace ranvier::api::client_server {
namespace {

/// New signatures over the signer's own devices or cross-signing keys go to the servers sharing
/// a room with them (m.device_list_update per device, m.signing_key_update for the keys); true if
/// there were any. Signatures over other users' keys concern only the signer's own clients.
bool announce_own_signatures(storage::WriteTx& tx, std::string_view own_server, const std::string& signer,
                             const nlohmann::json& body, const nlohmann::json& failures) {
  const auto own = body.find(signer);
  if (own == body.end()) {
    return false;
  }
  const auto failed = failures.find(signer);
  bool announced = false;
  bool cross_signing = false;
  for (const auto& [key_id, object] : own->items()) {
    if (failed != failures.end() && failed->contains(key_id)) {
      continue;
    }
    if (tx.devices().get(signer, key_id)) {
      announce_device_change(tx, own_server, signer, key_id);
      announced = true;
    } else {
      cross_signing = true;
    }
  }
  if (cross_signing) {
    announce_cross_signing_change(tx, own_server, signer);
    announced = true;
  }
  return announced;
}

/// One uploaded cross-signing key after its shape checks.
struct UploadedKey {
  std::string usage;
  nlohmann::json json;
  CrossSigningPublicKey public_key;
};

UploadedKey check_cross_signing_key(const nlohmann::json& key, std::string_view usage, std::string_view user_id) {
  if (!key.is_object()) {
    throw MatrixError(ErrCode::bad_json, std::string(usage) + " key must be an object");
  }
  if (!key.contains("user_id") || key["user_id"] != user_id) {
    throw MatrixError(ErrCode::invalid_param, std::string(usage) + " key must belong to the calling user");
  }
  const auto& usages = key.value("usage", nlohmann::json());
  if (!usages.is_array() || std::find(usages.begin(), usages.end(), usage) == usages.end()) {
    throw MatrixError(ErrCode::invalid_param, std::string(usage) + " key must list " + std::string(usage) +
                                                  " in its usage");
  }
  auto public_key = cross_signing_public_key(key);
  if (!public_key) {
    throw MatrixError(ErrCode::invalid_param,
                      std::string(usage) + " key needs exactly one ed25519:<public key> entry in keys");
  }
  return {std::string(usage), key, std::move(*public_key)};
}

std::optional<nlohmann::json> stored_key(const std::vector<storage::CrossSigningKey>& keys, std::string_view user_id,
                                         std::string_view usage) {
  for (const auto& key : keys) {
    if (key.user_id == user_id && key.usage == usage) {
      return nlohmann::json::parse(key.key_json);
    }
  }
  return std::nullopt;
}

nlohmann::json failure(std::string_view errcode, std::string_view message) {
  return {{"errcode", errcode}, {"error", message}};
}

/// The signature `signer` made with `key_id` over `object`, when it verifies with `key`.
std::optional<std::string> verified_signature(const nlohmann::json& object, std::string_view signer,
                                              std::string_view key_id, const core::Ed25519PublicKey& key) {
  if (!has_valid_signature(object, signer, key_id, key)) {
    return std::nullopt;
  }
  return object["signatures"][std::string(signer)][std::string(key_id)].get<std::string>();
}

/// Checks and stores the signatures `signer` uploaded over one key; nullopt when stored, else
/// the failure to report for this key.
class SignatureUpload {
 public:
  SignatureUpload(storage::WriteTx& tx, std::string signer) : tx_(tx), signer_(std::move(signer)) {
    const std::vector<std::string> me{signer_};
    own_keys_ = tx_.e2e_keys().cross_signing_keys(me);
  }

  std::optional<nlohmann::json> upload(const std::string& user_id, const std::string& key_id,
                                       const nlohmann::json& object) {
    if (!object.is_object() || !object.contains("signatures") || !object["signatures"].is_object()) {
      return failure("M_BAD_JSON", "A signed key object is needed");
    }
    if (user_id == signer_) {
      if (auto device = tx_.e2e_keys().device_keys(user_id, key_id)) {
        return own_device(key_id, nlohmann::json::parse(*device), object);
      }
      if (auto master = stored_key(own_keys_, signer_, "master")) {
        if (auto public_key = cross_signing_public_key(*master); public_key && public_key->base64 == key_id) {
          return own_master(key_id, *master, object);
        }
      }
      return failure("M_NOT_FOUND", "No device or master key " + key_id);
    }
    return other_master(user_id, key_id, object);
  }

  bool stored_any() const { return stored_any_; }

 private:
  // A device of one's own, signed with the self-signing key.
  std::optional<nlohmann::json> own_device(const std::string& device_id, const nlohmann::json& stored,
                                           const nlohmann::json& object) {
    return with_signing_key("self_signing", device_id, signer_, stored, object);
  }

  // One's own master key, signed by one of one's devices.
  std::optional<nlohmann::json> own_master(const std::string& key_id, const nlohmann::json& stored,
                                           const nlohmann::json& object) {
    if (core::signable_json(stored) != core::signable_json(object)) {
      return failure("M_INVALID_PARAM", "The signed object is not the stored key");
    }
    const auto& mine = object["signatures"].value(signer_, nlohmann::json::object());
    bool any = false;
    for (const auto& [signing_key_id, value] : mine.items()) {
      if (!signing_key_id.starts_with("ed25519:")) {
        continue;
      }
      const auto device = tx_.e2e_keys().device_keys(signer_, signing_key_id.substr(8));
      if (!device) {
        continue;
      }
      const auto device_key = ed25519_key_in(nlohmann::json::parse(*device).value("keys", nlohmann::json()),
                                             signing_key_id);
      auto signature = device_key ? verified_signature(object, signer_, signing_key_id, *device_key) : std::nullopt;
      if (!signature) {
        return failure("M_INVALID_SIGNATURE", "Invalid signature " + signing_key_id);
      }
      store(signer_, key_id, signing_key_id, *signature);
      any = true;
    }
    if (!any) {
      return failure("M_INVALID_SIGNATURE", "No signature by a device of the user");
    }
    return std::nullopt;
  }

  // Another user's master key, signed with one's user-signing key.
  std::optional<nlohmann::json> other_master(const std::string& user_id, const std::string& key_id,
                                             const nlohmann::json& object) {
    const std::vector<std::string> them{user_id};
    auto master = stored_key(tx_.e2e_keys().cross_signing_keys(them), user_id, "master");
    auto public_key = master ? cross_signing_public_key(*master) : std::nullopt;
    if (!public_key || public_key->base64 != key_id) {
      return failure("M_NOT_FOUND", "No master key " + key_id + " of " + user_id);
    }
    return with_signing_key("user_signing", key_id, user_id, *master, object);
  }

  // `object` must be the stored key, signed by the signer's cross-signing key of `usage`.
  std::optional<nlohmann::json> with_signing_key(std::string_view usage, const std::string& target_key_id,
                                                 const std::string& target_user, const nlohmann::json& stored,
                                                 const nlohmann::json& object) {
    if (core::signable_json(stored) != core::signable_json(object)) {
      return failure("M_INVALID_PARAM", "The signed object is not the stored key");
    }
    auto signing = stored_key(own_keys_, signer_, usage);
    auto public_key = signing ? cross_signing_public_key(*signing) : std::nullopt;
    if (!public_key) {
      return failure("M_INVALID_PARAM", "No " + std::string(usage) + " key to check the signature with");
    }
    auto signature = verified_signature(object, signer_, public_key->key_id, public_key->key);
    if (!signature) {
      return failure("M_INVALID_SIGNATURE", "No valid signature by " + public_key->key_id);
    }
    store(target_user, target_key_id, public_key->key_id, *signature);
    return std::nullopt;
  }

  void store(const std::string& target_user, const std::string& target_key_id, const std::string& signing_key_id,
             const std::string& signature) {
    tx_.e2e_keys().put_signature({signer_, target_user, target_key_id, signing_key_id, signature});
    stored_any_ = true;
  }

  storage::WriteTx& tx_;
  std::string signer_;
  std::vector<storage::CrossSigningKey> own_keys_;
  bool stored_any_ = false;
};

}  // namespace

ApiResponse uploadCrossSigningKeys(RequestContext& ctx, const UploadCrossSigningKeysRequest& req) {
  const std::string& user_id = ctx.principal->user_id;
  std::vector<UploadedKey> uploaded;
  for (const auto& [member, usage] : {std::pair{&req.master_key, "master"},
                                      std::pair{&req.self_signing_key, "self_signing"},
                                      std::pair{&req.user_signing_key, "user_signing"}}) {
    if (*member && !(*member)->is_null()) {
      uploaded.push_back(check_cross_signing_key(**member, usage, user_id));
    }
  }
  const std::vector<std::string> me{user_id};
  const auto existing = ctx.services.database.read([&](storage::ReadTx& tx) {
    return tx.e2e_keys().cross_signing_keys(me);
  });
  // The master key everything else must be signed with: the new one, or the stored one.
  std::optional<CrossSigningPublicKey> master;
  for (const auto& key : uploaded) {
    if (key.usage == "master") {
      master = key.public_key;
    }
  }
  const auto stored_master = stored_key(existing, user_id, "master");
  if (!master && stored_master) {
    master = cross_signing_public_key(*stored_master);
  }
  for (const auto& key : uploaded) {
    if (key.usage == "master") {
      continue;
    }
    if (!master) {
      throw MatrixError(ErrCode::invalid_param, "A master key is needed first");
    }
    if (!has_valid_signature(key.json, user_id, master->key_id, master->key)) {
      return json_response(error_body("M_INVALID_SIGNATURE", key.usage + " key is not signed by the master key"),
                           400);
    }
  }
  // Setting up cross-signing needs no re-authentication. Once there is a master key, only an
  // upload that repeats it and adds nothing new goes without (so a retry stays idempotent).
  const bool repeats_stored =
      std::any_of(uploaded.begin(), uploaded.end(), [](const UploadedKey& key) { return key.usage == "master"; }) &&
      std::all_of(uploaded.begin(), uploaded.end(), [&](const UploadedKey& key) {
        auto stored = stored_key(existing, user_id, key.usage);
        return stored && *stored == key.json;
      });
  if (stored_master && !repeats_stored) {
    if (auto challenge = require_password_stage(ctx, req.auth)) {
      return std::move(*challenge);
    }
  }
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    for (const auto& key : uploaded) {
      tx.e2e_keys().set_cross_signing_key({user_id, key.usage, key.json.dump()});
    }
    if (!uploaded.empty()) {
      announce_cross_signing_change(tx, ctx.services.identity.server_name, user_id);
    }
  });
  return json_response(nlohmann::json::object());
}

ApiResponse uploadCrossSigningSignatures(RequestContext& ctx, const UploadCrossSigningSignaturesRequest& req) {
  if (!req.body.is_object()) {
    throw MatrixError(ErrCode::bad_json, "The body must map user IDs to signed keys");
  }
  for (const auto& [user_id, keys] : req.body.items()) {
    checked_user_id(user_id);
    if (!keys.is_object()) {
      throw MatrixError(ErrCode::bad_json, "Signed keys of " + user_id + " must be an object");
    }
  }
  const std::string& signer = ctx.principal->user_id;
  auto failures = write_and_notify(ctx, [&](storage::WriteTx& tx) {
    nlohmann::json failures = nlohmann::json::object();
    SignatureUpload upload(tx, signer);
    for (const auto& [user_id, keys] : req.body.items()) {
      for (const auto& [key_id, object] : keys.items()) {
        if (auto failed = upload.upload(user_id, key_id, object)) {
          failures[user_id][key_id] = std::move(*failed);
        }
      }
    }
    if (upload.stored_any() &&
        !announce_own_signatures(tx, ctx.services.identity.server_name, signer, req.body, failures)) {
      tx.e2e_keys().mark_device_list_changed(signer);
    }
    return failures;
  });
  return json_response({{"failures", std::move(failures)}});
}

}  // namespace ranvier::api::client_server
