#include "net/redact.hpp"

#include <boost/json/value.hpp>

#include <utility>

namespace instructor::net {

namespace json = boost::json;

namespace {

constexpr std::size_t shortest_secret = 4;  // shorter: not a key; replacing it would mangle text

}  // namespace

bool leaks(json::value const& v, std::vector<std::string> const& secrets)
{
    std::vector<json::value const*> todo{&v};
    while (!todo.empty()) {
        auto const* x = todo.back();
        todo.pop_back();
        if (auto const* s = x->if_string()) {
            if (leaks(std::string_view(*s), secrets))
                return true;
        }
        else if (auto const* a = x->if_array()) {
            for (auto const& e : *a)
                todo.push_back(&e);
        }
        else if (auto const* o = x->if_object()) {
            for (auto const& m : *o) {
                if (leaks(std::string_view(m.key()), secrets))
                    return true;
                todo.push_back(&m.value());
            }
        }
    }
    return false;
}

namespace {

bool issues_leak(std::vector<validation_issue> const& issues,
                 std::vector<std::string> const& secrets)
{
    for (auto const& i : issues)
        if (leaks(std::string_view(i.path), secrets) || leaks(std::string_view(i.message), secrets))
            return true;
    return false;
}

void redact_issues(std::vector<validation_issue>& issues, std::vector<std::string> const& secrets)
{
    for (auto& i : issues) {
        i.path = redact(std::move(i.path), secrets);
        i.message = redact(std::move(i.message), secrets);
    }
}

}  // namespace

bool leaks(error const& e, std::vector<std::string> const& secrets)
{
    for (auto const& f : e.failed_attempts)
        if (issues_leak(f.issues, secrets) || leaks(f.completion, secrets))
            return true;
    return leaks(std::string_view(e.what()), secrets) || leaks(std::string_view(e.provider_message), secrets) ||
           issues_leak(e.issues, secrets) || leaks(e.last_completion, secrets);
}

bool leaks(std::string_view text, std::vector<std::string> const& secrets) noexcept
{
    for (auto const& s : secrets)
        if (s.size() >= shortest_secret && text.find(s) != std::string_view::npos)
            return true;
    return false;
}

std::string redact(std::string text, std::vector<std::string> const& secrets)
{
    for (auto const& s : secrets) {
        if (s.size() < shortest_secret)
            continue;
        for (std::size_t at = 0; (at = text.find(s, at)) != std::string::npos;)
            text.replace(at, s.size(), "[redacted]"), at += 10;
    }
    return text;
}

void redact_in_place(json::value& v, std::vector<std::string> const& secrets)
{
    if (!leaks(v, secrets))
        return;
    // Keys are rebuilt object by object (a json::object's keys cannot be renamed in place).
    std::vector<json::value*> todo{&v};
    while (!todo.empty()) {
        auto* x = todo.back();
        todo.pop_back();
        if (auto* s = x->if_string()) {
            if (leaks(std::string_view(*s), secrets))
                *s = redact(std::string(*s), secrets);
        }
        else if (auto* a = x->if_array()) {
            for (auto& e : *a)
                todo.push_back(&e);
        }
        else if (auto* o = x->if_object()) {
            bool keys_leak = false;
            for (auto const& m : *o)
                keys_leak = keys_leak || leaks(std::string_view(m.key()), secrets);
            if (keys_leak) {
                json::object renamed(o->storage());
                for (auto& m : *o)
                    renamed.insert_or_assign(redact(std::string(m.key()), secrets),
                                             std::move(m.value()));
                *o = std::move(renamed);
            }
            for (auto& m : *o)
                todo.push_back(&m.value());
        }
    }
}

void redact_in_place(error& e, std::vector<std::string> const& secrets)
{
    if (!leaks(e, secrets))
        return;  // the common case: nothing copied
    std::string what = e.what();
    auto const suffix = ": " + e.code().message();  // std::system_error appends it
    if (what.ends_with(suffix))
        what.resize(what.size() - suffix.size());
    redact_issues(e.issues, secrets);
    error r(e.code_enum(), redact(std::move(what), secrets), std::move(e.issues));
    r.http_status = e.http_status;
    r.provider_message = redact(std::move(e.provider_message), secrets);
    r.attempts = e.attempts;
    r.total_usage = e.total_usage;
    r.last_completion = std::move(e.last_completion);
    redact_in_place(r.last_completion, secrets);
    r.failed_attempts = std::move(e.failed_attempts);
    for (auto& f : r.failed_attempts) {
        redact_issues(f.issues, secrets);
        redact_in_place(f.completion, secrets);
    }
    e = std::move(r);
}

}  // namespace instructor::net
