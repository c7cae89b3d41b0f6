#include "client/redaction.hpp"

#include "net/proxy.hpp"
#include "net/redact.hpp"

#include <instructor/cache.hpp>

#include <algorithm>

namespace instructor::detail {

std::vector<std::string> secrets_of(client_options const& o)
{
    std::vector<std::string> all{o.api_key};
    for (auto const& f : o.fallbacks)
        all.push_back(f.api_key);
    if (o.aws) {  // the access key id is an identifier, not a secret: AWS shows it in errors
        all.push_back(o.aws->secret_access_key);
        all.push_back(o.aws->session_token);
    }
    auto proxies = net::detail::proxy_settings(o.transport).secrets();
    all.insert(all.end(), proxies.begin(), proxies.end());
    if (o.cache) {
        auto cache = o.cache->secrets();
        all.insert(all.end(), cache.begin(), cache.end());
    }
    std::erase_if(all, [](std::string const& s) { return s.empty(); });
    // Longest first: a secret containing another is replaced whole, not around the shorter one
    // (equal ones side by side, so each is kept once).
    std::ranges::sort(all, [](auto const& a, auto const& b) {
        return a.size() != b.size() ? a.size() > b.size() : a < b;
    });
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
}

redaction::redaction(std::vector<std::string> secrets) : secrets_(std::move(secrets)) {}

void redaction::apply(error& e) const { net::redact_in_place(e, secrets_); }

std::string redaction::apply(std::string text) const { return net::redact(std::move(text), secrets_); }

hook_event const& redaction::apply(hook_event const& e, event_copy& keep) const
{
    bool issues_leak = false;
    for (auto const& i : e.issues)
        issues_leak = issues_leak || net::leaks(std::string_view(i.path), secrets_) ||
                      net::leaks(std::string_view(i.message), secrets_);
    bool const error_leaks = e.error && net::leaks(*e.error, secrets_);
    bool const response_leaks = e.response && net::leaks(*e.response, secrets_);
    if (!issues_leak && !error_leaks && !response_leaks)
        return e;  // the common case: handed out as it is
    keep.event.emplace(e);
    if (error_leaks) {
        keep.err.emplace(*e.error);
        apply(*keep.err);
        keep.event->error = &*keep.err;
    }
    if (issues_leak) {
        keep.issues.assign(e.issues.begin(), e.issues.end());
        for (auto& i : keep.issues) {
            i.path = apply(std::move(i.path));
            i.message = apply(std::move(i.message));
        }
        keep.event->issues = keep.issues;
    }
    if (response_leaks) {
        keep.response = *e.response;
        net::redact_in_place(keep.response, secrets_);
        keep.event->response = &keep.response;
    }
    return *keep.event;
}

}  // namespace instructor::detail
