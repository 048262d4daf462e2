// What the JWT and OIDC tests sign tokens with: an RSA 2048 or EC P-256 key pair generated with
// OpenSSL 3, its public JWK, and compact JWS tokens (RS256, ES256, or any header with any
// signature bytes for the refusals).
#pragma once
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include <memory>
#include <string>
#include <string_view>

namespace dejima::test {

inline std::string b64url(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

class Signer {
 public:
  enum class Kind { Rsa, Ec };
  Signer(Kind kind, std::string kid)
      : kind_(kind),
        kid_(std::move(kid)),
        key_(kind == Kind::Rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256"), EVP_PKEY_free) {}

  const std::string& kid() const { return kid_; }
  const char* alg() const { return kind_ == Kind::Rsa ? "RS256" : "ES256"; }

  // The public key as a JWK object (JSON text).
  std::string jwk() const {
    if (kind_ == Kind::Rsa)
      return R"({"kty":"RSA","use":"sig","alg":"RS256","kid":")" + kid_ + R"(","n":")" +
             b64url(bn(OSSL_PKEY_PARAM_RSA_N, 0)) + R"(","e":")" + b64url(bn(OSSL_PKEY_PARAM_RSA_E, 0)) + R"("})";
    return R"({"kty":"EC","crv":"P-256","kid":")" + kid_ + R"(","x":")" + b64url(bn(OSSL_PKEY_PARAM_EC_PUB_X, 32)) +
           R"(","y":")" + b64url(bn(OSSL_PKEY_PARAM_EC_PUB_Y, 32)) + R"("})";
  }
  // The public key in PEM (SubjectPublicKeyInfo), what an HS256 forgery would use as its secret.
  std::string public_pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PUBKEY(bio.get(), key_.get());
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(n));
  }

  // A token with this key's alg and kid over `claims` (JSON text).
  std::string token(const std::string& claims) const {
    return sign(R"({"alg":")" + std::string(alg()) + R"(","typ":"JWT","kid":")" + kid_ + R"("})", claims);
  }
  // header.payload.signature for any header.
  std::string sign(const std::string& header, const std::string& claims) const {
    const std::string input = b64url(header) + "." + b64url(claims);
    return input + "." + b64url(signature(input));
  }
  std::string signature(const std::string& input) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    size_t len = 0;
    EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get());
    EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    sig.resize(len);
    if (kind_ == Kind::Rsa) return sig;
    // DER ECDSA-Sig-Value → r || s, 32 bytes each (RFC 7518 section 3.4)
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> es(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)),
                                                             ECDSA_SIG_free);
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es.get()), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es.get()), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    return raw;
  }

 private:
  std::string bn(const char* param, int pad) const {
    BIGNUM* b = nullptr;
    EVP_PKEY_get_bn_param(key_.get(), param, &b);
    std::string out(pad ? static_cast<size_t>(pad) : static_cast<size_t>(BN_num_bytes(b)), '\0');
    BN_bn2binpad(b, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
    BN_free(b);
    return out;
  }

  Kind kind_;
  std::string kid_;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
};

}  // namespace dejima::test
