// The one exit. Whatever a client hands its caller leaves through a redaction made from every
// secret the client holds - its API keys and its fallbacks', its proxies' credentials, its
// cache's password: every error its operations and streams throw (rethrow_as_error), every
// hook event (the engine's driver), every batch's failure text and every line's error (the batch
// calls). The layers below need not remember it: a new path that ends in one of these cannot
// show a secret a server echoed.
#pragma once

#include <instructor/client_options.hpp>
#include <instructor/error.hpp>
#include <instructor/hooks.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace instructor::detail {

/// Every secret of a client made with `o`: the endpoints' keys, the proxies' credentials (from
/// the options or the environment, as the transport reads them), the cache's secrets().
std::vector<std::string> secrets_of(client_options const& o);

class redaction {
public:
    explicit redaction(std::vector<std::string> secrets);

    /// `e` with every secret replaced wherever it holds text (net::redact_in_place).
    void apply(error& e) const;
    /// `text` with every secret replaced.
    std::string apply(std::string text) const;

    /// What a hook's event would show, kept while it is handed out.
    struct event_copy {
        std::optional<hook_event> event;
        std::optional<error> err;
        std::vector<validation_issue> issues;
        boost::json::value response;
    };
    /// `e` itself when nothing it shows holds a secret, else a redacted copy kept in `keep`.
    hook_event const& apply(hook_event const& e, event_copy& keep) const;

    std::vector<std::string> const& secrets() const noexcept { return secrets_; }

private:
    std::vector<std::string> secrets_;
};

}  // namespace instructor::detail
