// Secrets out of texts that leave the library (errors, hooks): no Asio, so every layer may use it.
#pragma once

#include <instructor/error.hpp>

#include <string>
#include <vector>

namespace instructor::net {

/// `text` with every secret replaced by "[redacted]".
std::string redact(std::string text, std::vector<std::string> const& secrets);

/// `e` with every secret replaced in its what() and provider_message (the rest kept): a server
/// may echo a key into an error body, a stream's error event or a batch's line.
void redact_in_place(error& e, std::vector<std::string> const& secrets);

}  // namespace instructor::net
