#include "self_signed.hpp"

#include <instructor/error.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <memory>

namespace instructor::testing {
namespace {

template <auto Free>
struct deleter {
    template <class T>
    void operator()(T* p) const noexcept
    {
        Free(p);
    }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO_free>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION_free>>;

[[noreturn]] void fail(char const* what)
{
    throw error(errc::tls_failed, std::string("making the mock certificate: ") + what);
}

void add_ext(X509* x, int nid, char const* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    ext_ptr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || !X509_add_ext(x, ext.get(), -1))
        fail("extension");
}

std::string pem_of(bio_ptr const& bio)
{
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

certificate_pem make_localhost_certificate(std::string const& subject_alt_names)
{
    pkey_ptr key(EVP_EC_gen("P-256"));
    if (!key)
        fail("key");
    x509_ptr x(X509_new());
    if (!x)
        fail("X509_new");
    X509_set_version(x.get(), 2);
    unsigned char serial[8];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 2 * 24 * 3600);
    X509_set_pubkey(x.get(), key.get());
    X509_NAME* name = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<unsigned char const*>("instructor-cpp mock"), -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<unsigned char const*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(x.get(), name);
    add_ext(x.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_ext(x.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_ext(x.get(), NID_ext_key_usage, "serverAuth");
    add_ext(x.get(), NID_subject_key_identifier, "hash");
    add_ext(x.get(), NID_subject_alt_name, subject_alt_names.c_str());
    if (!X509_sign(x.get(), key.get(), EVP_sha256()))
        fail("sign");

    bio_ptr cert_bio(BIO_new(BIO_s_mem())), key_bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_X509(cert_bio.get(), x.get()) ||
        !PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr))
        fail("PEM");
    return {pem_of(cert_bio), pem_of(key_bio)};
}

}  // namespace instructor::testing
