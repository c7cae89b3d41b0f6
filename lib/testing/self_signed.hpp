// A certificate for the mock endpoint's HTTPS, made at start-up (private to lib/).
#pragma once

#include <string>

namespace instructor::testing {

struct certificate_pem {
    std::string certificate;
    std::string private_key;
};

/// A self-signed P-256 certificate for `localhost` and 127.0.0.1 (also its own CA, so clients
/// trust it through a CA file), valid from an hour ago for two days.
/// `subject_alt_names` in OpenSSL's form ("DNS:localhost,IP:127.0.0.1").
certificate_pem make_localhost_certificate(
    std::string const& subject_alt_names = "DNS:localhost,IP:127.0.0.1,IP:::1");

}  // namespace instructor::testing
