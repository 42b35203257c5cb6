#include "core/base64.hpp"

#include <array>
#include <cstdint>

namespace ranvier::core {
namespace {

constexpr std::string_view std_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::uint8_t invalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_table(std::string_view alphabet) {
  std::array<std::uint8_t, 256> table{};
  for (auto& t : table) {
    t = invalid;
  }
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr auto std_table = make_table(std_alphabet);
constexpr auto url_table = make_table(url_alphabet);

std::string encode(std::string_view bytes, std::string_view alphabet) {
  std::string out;
  out.resize((bytes.size() * 4 + 2) / 3);
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t o = 0;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
    out[o++] = alphabet[(v >> 18) & 63];
    out[o++] = alphabet[(v >> 12) & 63];
    out[o++] = alphabet[(v >> 6) & 63];
    out[o++] = alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = in[i] << 16;
    out[o++] = alphabet[(v >> 18) & 63];
    out[o++] = alphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    const std::uint32_t v = (in[i] << 16) | (in[i + 1] << 8);
    out[o++] = alphabet[(v >> 18) & 63];
    out[o++] = alphabet[(v >> 12) & 63];
    out[o++] = alphabet[(v >> 6) & 63];
  }
  return out;
}

Expected<std::string, Base64Error> decode(std::string_view text,
                                          const std::array<std::uint8_t, 256>& table) {
  // Strip padding, which must bring the total to a multiple of four.
  std::size_t len = text.size();
  std::size_t pads = 0;
  while (len > 0 && text[len - 1] == '=' && pads < 2) {
    --len;
    ++pads;
  }
  if (pads > 0 && text.size() % 4 != 0) {
    return fail(Base64Error::invalid_length);
  }
  if (len % 4 == 1) {
    return fail(Base64Error::invalid_length);
  }
  if (pads > 0 && (4 - len % 4) % 4 != pads) {
    return fail(Base64Error::invalid_length);
  }
  std::string out;
  out.resize(len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1));
  std::size_t o = 0;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < len; ++i) {
    const std::uint8_t v = table[static_cast<unsigned char>(text[i])];
    if (v == invalid) {
      return fail(Base64Error::invalid_character);
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) { return encode(bytes, std_alphabet); }
std::string base64url_encode(std::string_view bytes) { return encode(bytes, url_alphabet); }

Expected<std::string, Base64Error> base64_decode(std::string_view text) {
  return decode(text, std_table);
}
Expected<std::string, Base64Error> base64url_decode(std::string_view text) {
  return decode(text, url_table);
}

}  // namespace ranvier::core
