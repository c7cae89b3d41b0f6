// Secrets out of texts that leave the library (errors, hooks, batches' failure texts): no Asio,
// so every layer may use it. The client's one exit (client/redaction.hpp) calls it with every
// secret the client holds; the transport and the batch readers call it too, before they cut a
// text (a secret split by a cut would escape).
#pragma once

#include <instructor/error.hpp>

#include <boost/json/fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace instructor::net {

/// True when a secret (4 characters or more: shorter ones are never keys) appears in `text`.
bool leaks(std::string_view text, std::vector<std::string> const& secrets) noexcept;

/// True when a secret appears in any string of `v`, keys included.
bool leaks(boost::json::value const& v, std::vector<std::string> const& secrets);

/// True when a secret appears anywhere redact_in_place(error&) looks.
bool leaks(error const& e, std::vector<std::string> const& secrets);

/// `text` with every secret replaced by "[redacted]".
std::string redact(std::string text, std::vector<std::string> const& secrets);

/// Every string of `v` (keys and values) redacted; untouched (no copy) when none leaks.
void redact_in_place(boost::json::value& v, std::vector<std::string> const& secrets);

/// `e` with every secret replaced wherever it holds text: what(), provider_message, the
/// issues, the completions it keeps (last and per failed attempt). The rest is kept.
void redact_in_place(error& e, std::vector<std::string> const& secrets);

}  // namespace instructor::net
