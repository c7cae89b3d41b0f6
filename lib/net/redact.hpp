// Secrets out of texts that leave the library (errors, hooks): no Asio, so every layer may use it.
#pragma once

#include <string>
#include <vector>

namespace instructor::net {

/// `text` with every secret replaced by "[redacted]".
std::string redact(std::string text, std::vector<std::string> const& secrets);

}  // namespace instructor::net
