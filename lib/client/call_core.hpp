// The operation of a call, without I/O (in the style of Boost.Redis's exec_fsm): fed events (a
// reply, a transport failure, stream bytes, the end of a stream), it answers with actions (send
// this attempt to endpoint i, read more, emit this hook, hand out what the target has, finish
// with a value or an error). It owns the prompt, fallbacks, finish-reason mapping, the decode
// verdict and re-asks, usage sums and hook payloads. The call and the stream are short Asio
// loops over it (call.cpp, stream_driver.cpp); tests drive it step by step without sockets.
#pragma once

#include "engine/action_queue.hpp"
#include "engine/boxed.hpp"
#include "engine/operation.hpp"
#include "protocol/wire.hpp"

#include <instructor/client_options.hpp>
#include <instructor/completion.hpp>
#include <instructor/detail/answer_target.hpp>
#include <instructor/error.hpp>
#include <instructor/hooks.hpp>
#include "net/event_source.hpp"
#include <instructor/request.hpp>

#include <chrono>
#include <list>
#include <functional>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace instructor::detail {

/// The call's events and actions are the engine's (engine/operation.hpp).
using call_event = op_event;
using call_action = op_action;

class call_core final : public operation {
public:

    /// `req` (the call's own copy, which the core works on in place: the prompt prepared, a
    /// raised max_tokens) and `target` (which names the response models and whether every tool
    /// call is an answer) must outlive the core. `stream`: replies come as server-sent events.
    /// `wires`: the client's, which the call takes its mode's wire from (null: it makes one).
    /// `memory`: where its boxes and actions are kept (the call's arena; null: the heap).
    call_core(client_options const& options, hooks client_hooks, request& req,
              answer_target& target, bool stream, clock_fn clock = &std::chrono::steady_clock::now,
              wire_set* wires = nullptr, std::pmr::memory_resource* memory = nullptr);
    ~call_core();
    call_core(call_core const&) = delete;
    call_core& operator=(call_core const&) = delete;

    /// The first call takes call_event::next(). After done or fail, every call answers fail.
    call_action resume(call_event ev) override;

    /// Runs an emit action's handlers (the client's, then the call's).
    void dispatch(hook_event const& e) const noexcept override;

    completion take_completion();
    /// The completion's `raw` (the reply's tree) is left empty: the caller drops it (create).
    void drop_raw() noexcept { keep_raw_ = false; }
    /// The accepted answer's completion, once accepted (a stream reads it in place).
    completion const* accepted() const noexcept { return completion_ ? &*completion_ : nullptr; }
    error take_error();
    std::exception_ptr take_failure() override { return std::make_exception_ptr(take_error()); }

    /// Usage summed over the attempts so far, the stream in flight included.
    usage total_usage() const noexcept;
    int attempts() const noexcept { return attempt_; }

private:
    enum class state {
        idle, cache_lookup, admitting, rate_waiting, awaiting_reply, reading, yielded, checking,
        storing, over
    };

    void start();
    void begin_attempt();
    void send_to(std::size_t endpoint);
    /// Rate limits: take room for the request built (take), wait when told to (on_limited),
    /// then send it (admitted); settle gives the room back with the tokens used.
    void take_room();
    void on_limited(std::chrono::steady_clock::time_point until);
    void admitted();
    void settle(std::optional<std::uint64_t> used);
    std::optional<std::uint64_t> used_tokens() const noexcept;
    void on_failure(error e);
    void on_response(std::string& body);
    /// The reply's tree, parsed from its text when it was read without keeping one.
    boost::json::value const& reply();
    /// The reply as hook events show it: a copy of its own, kept until the core ends, so that a
    /// re-ask or the completion taking the reply leaves a queued event's payload as it was.
    /// Null when no hook listens.
    boost::json::value const* shown();
    /// Endpoint 0 is the client's own, then its fallbacks: read where the options keep them (a
    /// call in flight holds no copy of a URL or a key).
    std::size_t endpoint_count() const noexcept { return 1 + options_.fallbacks.size(); }
    std::string const& base_url_of(std::size_t i) const;
    /// The model endpoint `i` sends instead of the request's (empty: the request's).
    std::string const& model_of(std::size_t i) const;
    /// Where a stream's reader hands answer pieces: the target, provisionally.
    piece_sink make_sink();
    void on_opened();
    void on_bytes(std::string const& bytes);
    void read_event(net::sse_event const& ev);
    void drain_events();
    void on_eof();
    /// An attempt's usage: priced, added to the call's, its budget settled, the hooks told.
    void account(usage u);
    void judge(extraction x);
    /// The validators that wait answered (check): accept, or re-ask with their issues.
    void on_checked(call_event& ev);
    void queue_check();
    /// The answers of `x` are not valid (issues_): re-ask, or fail when no attempt is left.
    void reject(extraction const& x);
    /// The budget error when request::token_budget or cost_budget_usd is spent, `why` said.
    std::optional<error> budget_spent(std::string const& why) const;
    /// request::on_truncation raise_max_tokens: starts the attempt again with max_tokens
    /// doubled (up to max_tokens_cap) and says so; false when it does not (`cut` may then say
    /// why).
    bool raise_max_tokens(error& cut);
    /// request::on_truncation continue_answer: asks for the rest of a cut text-mode answer
    /// (the parts joined before the judgment); false when it does not (`cut` may say why).
    bool continue_answer(extraction const& x, error& cut);
    void on_cached(std::string const& entry);
    /// Now, in milliseconds of the Unix epoch (cache expiries).
    static std::int64_t unix_ms();
    void on_cache_failure(error e);
    void accept(extraction const& x);
    void fail(error e, bool last_attempt_hook = true);
    void absorb_reader();
    /// `u` with its cost from client_options::prices when the provider reported none (the
    /// price of the model the attempt in flight sent).
    usage priced(usage u) const;
    error& enrich(error& e);
    /// Hands the event `make()` builds to the hooks; built only when one listens (an event
    /// copies the endpoint's URL and may copy the issues).
    template <class Make>
    void emit(Make&& make)
    {
        if (heard())
            post(make());
    }
    void post(hook_event e);
    bool heard() const noexcept { return !client_hooks_.empty() || !req_.call_hooks.empty(); }
    void queue(call_action a) { actions_.push(std::move(a)); }

    client_options const& options_;
    hooks client_hooks_;
    request& req_;
    answer_target& target_;
    std::span<tool_spec const> tools_;  // the target's
    bool many_;
    bool stream_;
    clock_fn clock_;

    instructor::mode mode_ = instructor::mode::tools;
    wire_set* wires_;
    wire const* wire_ = nullptr;     // the mode's: the client's (wires_), or own_wire_
    std::unique_ptr<wire> own_wire_;
    std::string model_;
    int max_attempts_ = 1;
    conversation conv_;

    state st_ = state::idle;
    int attempt_ = 0;
    std::size_t endpoint_ = 0;  // the endpoint of the attempt in flight
    price const* price_ = nullptr;  // the price of the model it sent, if known
    usage total_;
    usage attempt_usage_;  // the last reply's
    bool limited_ = false;       // a rate limiter is set: each request takes room first
    bool holding_ = false;       // the request in flight holds room (until settle)
    std::uint64_t estimate_ = 0; // its estimated tokens
    std::vector<failed_attempt> failures_;
    boost::json::value body_;      // the attempt's body, when hooks listen (completion_kwargs)
    // The attempt's HTTP request (send), boxed: it kept the call's coroutine frame over 1 KB.
    boxed<net::http_request> request_;
    boost::json::value response_;  // the attempt's reply as a tree, once asked for (reply())
    std::string reply_text_;       // a whole reply's text, which reply() parses
    bool keep_raw_ = true;
    std::list<boost::json::value> shown_;       // the replies hook events point at
    boost::json::value const* shown_reply_ = nullptr;  // the current reply's, once made
    std::vector<validation_issue> issues_;
    boxed<extraction> pending_;  // valid, awaiting the validators that wait
    std::string joined_;  // continue_answer: the parts of a cut answer so far
    std::string part_;    // the last reply's own text
    boxed<error> error_;
    boxed<completion> completion_;
    struct cache_slot {
        std::string key, value;
    };
    boxed<cache_slot> cache_;  // with a cache: the entry's key and what is stored under it
    boxed<error> cache_error_;  // what hook::cache_error points at

    // the stream in flight
    std::unique_ptr<stream_reader> reader_;
    std::unique_ptr<net::event_source> frames_;  // the stream's framing (its wire's)
    std::unique_ptr<piece_sink> sink_;           // what its reader hands pieces to

    action_queue actions_;
    // Payloads of queued emits (stable addresses). A list: a deque allocates its map and a
    // block when made, on every call, hooks or not.
    std::list<hook_event> events_;
    bool handed_emit_ = false;       // the last action handed out was an emit
};

}  // namespace instructor::detail
