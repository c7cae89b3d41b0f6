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
certificate_pem make_localhost_certificate();

}  // namespace instructor::testing
