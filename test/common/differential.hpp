// One reply, one meaning: the same answer text through the call core as a whole reply and as a
// stream cut into pieces and reads of any size must give the same value or the same error. Used
// by the differential unit test and the differential fuzz target (no sockets).
#pragma once

#include "reply_forms.hpp"
#include "scripted_op.hpp"

#include "client/call_core.hpp"

#include <instructor/client.hpp>
#include <instructor/encode.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace differential {

namespace det = ins::detail;

/// What one reply came to: the value (as JSON; list items joined) or the error, and what a
/// stream showed before its end (snapshots or items, as JSON).
struct verdict {
    std::optional<std::string> value;
    std::optional<ins::errc> code;
    std::string issues;
    std::vector<std::string> shown;

    bool same_meaning(verdict const& o) const
    {
        return value == o.value && code == o.code && issues == o.issues;
    }
    std::string describe() const
    {
        if (value)
            return "value " + *value;
        return "error " + std::string(code ? ins::to_string(*code) : "?") + ": " + issues;
    }
};

inline ins::client_options options(ins::mode m)
{
    ins::client_options o;
    o.base_url = "http://differential.test/v1";
    o.api_key = "sk-differential-key";
    o.mode = m;
    return o;
}

inline ins::request one_attempt()
{
    ins::request req;
    req.model = "m";
    req.messages.push_back(ins::message::user("Extract it."));
    req.max_retries = 0;  // the verdict on this one reply, not a re-ask's
    return req;
}

/// Drives one call (or stream) over `body`, read `read` bytes at a time when streamed.
/// `take(final)` is called at each yield (false) and at the end (true).
template <class Take>
verdict drive(ins::mode m, det::answer_target& target, bool stream, std::string const& body,
              std::size_t read, Take take)
{
    verdict out;
    auto const o = options(m);
    auto req = one_attempt();
    det::call_core core(o, {}, req, target, stream);
    std::size_t at = 0;
    auto const end = test::run_scripted(
        core,
        [&](det::call_action const& a) {
            switch (a.k) {
            case det::call_action::kind::send:
                return stream ? det::call_event::opened() : det::call_event::response(body);
            case det::call_action::kind::read: {
                if (at >= body.size())
                    return det::call_event::eof();
                auto piece = body.substr(at, read);
                at += read;
                return det::call_event::bytes(std::move(piece));
            }
            case det::call_action::kind::yield:
                take(out, false);
                return det::call_event::next();
            default:  // no cache here
                return det::call_event::failed(ins::error(ins::errc::invalid_argument, "no cache"));
            }
        },
        4 * body.size() + 100);
    if (!end) {  // never finished: a disagreement by itself
        out.code = ins::errc::invalid_argument;
        out.issues = "the core never finished";
        return out;
    }
    if (*end == det::call_action::kind::done) {
        take(out, true);
        return out;
    }
    auto e = core.take_error();
    out.code = e.code_enum();
    out.issues = ins::format_issues(e.issues);
    if (e.issues.empty())
        out.issues = e.what();
    return out;
}

/// create<T> on the whole reply.
template <class T>
verdict whole(ins::mode m, std::string const& body)
{
    T value{};
    det::value_target<T> target(value);
    return drive(m, target, false, body, 0,
                 [&](verdict& v, bool) { v.value = ins::to_json(value); });
}

/// create_partial<T> on the stream: the value is its last snapshot, which must be complete.
template <class T>
verdict partial(ins::mode m, std::string const& body, std::size_t read)
{
    det::partial_target<T> target;
    return drive(m, target, true, body, read,
                 [&](verdict& v, bool final) {
                     while (auto p = target.take()) {
                         v.shown.push_back(ins::to_json(p->value));
                         if (p->complete)
                             v.value = v.shown.back();
                     }
                     if (final && !v.value)
                         v.issues = "no complete snapshot";
                 });
}

/// create_iterable<T>'s items, whole (`stream` false) or streamed: the value is every item's
/// JSON, joined.
template <class T>
verdict items(ins::mode m, std::string const& body, bool stream, std::size_t read)
{
    det::iterable_target<T> target;
    std::string all = "[";
    return drive(m, target, stream, body, read,
                 [&](verdict& v, bool final) {
                     while (auto item = target.take()) {
                         v.shown.push_back(ins::to_json(*item));
                         all += (all.size() > 1 ? "," : "") + v.shown.back();
                     }
                     if (final)
                         v.value = all + "]";
                 });
}

/// The tool name mode `m` calls for T.
template <class T>
std::string tool_name()
{
    return det::tool_spec_for<T>().name;
}

}  // namespace differential
