// The call core: one operation for calls and streams, every provider through its wire.
#include "call_core.hpp"

#include "cache/cache_entry.hpp"
#include "client/prepare.hpp"
#include "protocol/json_in_text.hpp"
#include "protocol/prompts.hpp"
#include "protocol/verdict.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>

namespace instructor::detail {

namespace json = boost::json;

namespace {

/// Errors after which the next endpoint is worth a try.
bool worth_a_fallback(errc e)
{
    return e == errc::server_error || e == errc::timeout || e == errc::connection_failed ||
           e == errc::rate_limited;
}

/// A stream framing's error as ours (its sources speak errc; anything else is malformed).
errc framing_errc(std::error_code ec)
{
    return ec.category() == error_category() ? static_cast<errc>(ec.value()) : errc::protocol_error;
}

}  // namespace

call_core::call_core(client_options const& options, hooks client_hooks, request& req,
                     answer_target& target, bool stream, clock_fn clock, wire_set* wires,
                     std::pmr::memory_resource* memory)
    : options_(options), client_hooks_(std::move(client_hooks)), req_(req),
      target_(target), tools_(target.tools), many_(target.many), stream_(stream),
      clock_(std::move(clock)), wires_(wires), request_(memory), pending_(memory), error_(memory),
      completion_(memory), cache_(memory), cache_error_(memory), actions_(memory)
{
}

call_core::~call_core() = default;

std::string const& call_core::base_url_of(std::size_t i) const
{
    return i == 0 ? options_.base_url : options_.fallbacks.at(i - 1).base_url;
}

std::string const& call_core::model_of(std::size_t i) const
{
    static std::string const none;  // the client's own endpoint sends the request's model
    return i == 0 ? none : options_.fallbacks.at(i - 1).model;
}

piece_sink call_core::make_sink()
{
    return [this](std::size_t call, std::string_view name, std::string_view text) {
        // Provisional: the verdict comes from judge(). A continuation's pieces are the middle
        // of an answer, no snapshot on their own: the joined whole is handed out at the end.
        if (joined_.empty())
            target_.piece(call, name, text);
    };
}

call_action call_core::resume(call_event ev)
{
    if (handed_emit_) {  // the emit was carried out: its payload is spent
        events_.pop_front();
        handed_emit_ = false;
    }
    if (actions_.empty()) {
        try {
            switch (st_) {
            case state::idle: start(); break;
            case state::cache_lookup:
                if (ev.k == call_event::kind::cached)
                    on_cached(ev.data);
                else if (ev.k == call_event::kind::failure)
                    on_cache_failure(std::move(*ev.failure));
                if (st_ == state::cache_lookup)  // a miss, an unusable entry, a failed cache
                    begin_attempt();
                break;
            case state::storing:
                if (ev.k == call_event::kind::failure)
                    on_cache_failure(std::move(*ev.failure));
                st_ = state::over;
                queue({call_action::kind::done});
                break;
            case state::admitting:
                if (ev.k == call_event::kind::limited)
                    on_limited(ev.until);
                else if (ev.k == call_event::kind::failure)  // the limiter's own: no attempt's
                    fail(std::move(*ev.failure));
                else
                    admitted();
                break;
            case state::rate_waiting:
                take_room();
                break;
            case state::checking:
                if (ev.k == call_event::kind::checked)
                    on_checked(ev);
                else if (ev.k == call_event::kind::failure)  // a validator's error, the deadline
                    fail(std::move(*ev.failure));
                else
                    fail(error(errc::invalid_argument, "call core: checked expected"));
                break;
            case state::awaiting_reply:
                if (ev.k == call_event::kind::failure)
                    on_failure(std::move(*ev.failure));
                else if (ev.k == call_event::kind::response && !stream_)
                    on_response(ev.data);
                else if (ev.k == call_event::kind::opened && stream_)
                    on_opened();
                else
                    fail(error(errc::invalid_argument, "call core: unexpected event"));
                break;
            case state::reading:
                if (ev.k == call_event::kind::failure)
                    on_failure(std::move(*ev.failure));
                else if (ev.k == call_event::kind::bytes)
                    on_bytes(ev.data);
                else if (ev.k == call_event::kind::eof)
                    on_eof();
                else
                    fail(error(errc::invalid_argument, "call core: unexpected event"));
                break;
            case state::yielded:
                st_ = state::reading;
                drain_events();
                break;
            case state::over: break;
            }
        }
        catch (error& e) {
            // Before the first attempt: a bad request. After: the API or the network failed
            // the attempt (a malformed reply, an error event, a cut stream).
            if (st_ == state::idle)
                fail(std::move(e));
            else
                on_failure(std::move(e));
        }
        catch (std::exception const& e) {  // never expected from the wires: still a typed end
            fail(error(errc::protocol_error, std::string("unexpected failure: ") + e.what()));
        }
    }
    if (actions_.empty())
        return {call_action::kind::fail};
    auto a = actions_.pop();
    handed_emit_ = a.k == call_action::kind::emit;
    return a;
}

void call_core::dispatch(hook_event const& e) const noexcept
{
    client_hooks_.emit(e);
    req_.call_hooks.emit(e);
}

usage call_core::total_usage() const noexcept
{
    usage u = total_;
    if (reader_)
        u += priced(reader_->usage());
    return u;
}

usage call_core::priced(usage u) const
{
    if (!u.cost_usd && price_)
        u.cost_usd = cost_usd_of(u, *price_);
    return u;
}

completion call_core::take_completion() { return std::move(*completion_); }

error call_core::take_error()
{
    if (!error_)
        return error(errc::invalid_argument, "call core: no error");
    return std::move(*error_);
}

void call_core::post(hook_event e)
{
    e.max_attempts = max_attempts_;
    e.is_last_attempt = e.attempt == max_attempts_;
    events_.push_back(std::move(e));
    call_action a{call_action::kind::emit};
    a.event = &events_.back();
    queue(a);
}

error& call_core::enrich(error& e)
{
    e.attempts = attempt_;
    e.total_usage = total_;
    if (e.last_completion.is_null())
        e.last_completion =
            completion_ && !completion_->raw.is_null() ? completion_->raw : reply();
    if (e.failed_attempts.empty())
        e.failed_attempts = failures_;
    return e;
}

void call_core::absorb_reader()
{
    if (!reader_)
        return;
    total_ += priced(reader_->usage());  // what the stream reported before it broke
    if (response_.is_null())
        response_ = reader_->response();
    reader_.reset();
}

void call_core::fail(error e, bool last_attempt_hook)
{
    if (st_ == state::over)
        return;
    absorb_reader();
    enrich(e);
    error_ = std::move(e);
    if (last_attempt_hook && attempt_ > 0)
        emit([&] {
            return hook_event{.kind = hook::completion_last_attempt,
                              .attempt = attempt_,
                              .endpoint = base_url_of(endpoint_),
                              .error = &*error_,
                              .issues = issues_};
        });
    st_ = state::over;
    queue({call_action::kind::fail});
}

void call_core::start()
{
    mode_ = mode_for(req_, options_, many_);
    if (wires_) {
        wire_ = &wires_->of(mode_);
    }
    else {
        own_wire_ = make_wire(mode_, options_);
        wire_ = own_wire_.get();
    }
    auto p = prepare(*wire_, std::move(req_), options_, tools_);
    req_ = std::move(p.req);
    model_ = std::move(p.model);
    conv_ = std::move(p.conv);
    target_.options = options_.decoding;
    target_.options.context = &req_.context;
    max_attempts_ = std::max(req_.max_retries, 0) + 1;
    limited_ = options_.rate_limit || options_.rate_limiter;
    if (req_.cost_budget_usd)  // a budget is never silently unenforced
        for (std::size_t i = 0; i < endpoint_count(); ++i) {
            auto const& model = model_of(i).empty() ? model_ : model_of(i);
            if (!options_.prices.contains(model))
                throw error(errc::invalid_argument,
                            "request::cost_budget_usd needs the price of model \"" + model +
                                "\" in client_options::prices");
        }
    if (req_.cache.ttl && req_.cache.ttl->count() <= 0)
        throw error(errc::invalid_argument, "request::cache.ttl must be positive");
    if (options_.cache) {
        // The question as a whole call would first ask it (streamed or not, the same key).
        auto asked = wire_->body(req_, model_, conv_, tools_, false);
        if (!asked.contains("model"))  // an API that names the model in its URL (Gemini)
            asked["model"] = model_;
        cache_.emplace().key = cache_key(options_.base_url, json::serialize(asked), tools_);
        if (req_.cache.bypass) {  // a refresh: ask the model, store what it answers
            begin_attempt();
            return;
        }
        st_ = state::cache_lookup;
        call_action a{call_action::kind::cache_get};
        a.key = &cache_->key;
        queue(a);
        return;
    }
    begin_attempt();
}

void call_core::accept(extraction const& x)
{
    auto const& base = base_url_of(endpoint_);
    if (options_.cache) {
        std::optional<std::int64_t> expires;
        if (req_.cache.ttl)  // at most a century: seconds::max() means "for good", not overflow
            expires =
                unix_ms() + std::min<std::int64_t>(req_.cache.ttl->count(), 3'155'760'000) * 1000;
        cache_->value = serialize_entry({x.answers, reply(), base, x.run_url, expires});
    }
    // The reply's tree moves into the completion, and only when the caller keeps it
    // (create_with_completion); the text stays for an error that would still want it.
    json::value raw;
    if (keep_raw_) {
        (void)reply();
        raw = std::move(response_);
        response_ = nullptr;
    }
    completion_.emplace(completion{std::move(raw), total_, attempt_, base, x.run_url,
                                   std::move(target_.repairs)});
    completion_->reasoning = x.reasoning;
    if (!options_.cache) {
        st_ = state::over;
        queue({call_action::kind::done});
        return;
    }
    st_ = state::storing;
    call_action a{call_action::kind::cache_put};
    a.key = &cache_->key;
    a.value = &cache_->value;
    queue(a);
}

std::int64_t call_core::unix_ms()
{
    // The wall clock: expiries are compared across processes and machines.
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void call_core::on_cached(std::string const& text)
{
    auto entry = parse_entry(text);
    if (!entry)
        return;  // corrupt or foreign: a miss, overwritten when this call succeeds
    if (entry->expires_ms && *entry->expires_ms <= unix_ms())
        return;  // past its request::cache.ttl: a miss, replaced when this call succeeds
    // Validated again: the request's context may differ, and a validator may read it.
    target_.begin_attempt(1);
    std::vector<validation_issue> issues;
    if (!judge_answers(entry->answers, std::nullopt, target_, many_, issues))
        return;
    completion_.emplace(completion{std::move(entry->response), {}, 0, std::move(entry->endpoint),
                                   std::move(entry->run_url), std::move(target_.repairs), true});
    if (target_.checks_async()) {  // the validators that wait judge a hit too
        queue_check();
        return;
    }
    st_ = state::over;
    queue({call_action::kind::done});
}

void call_core::on_cache_failure(error e)
{
    // A cache never fails a call: it is reported, and the call goes on without it.
    cache_error_ = std::move(e);  // cache_step made it errc::cache_failed
    emit([&] {
        return hook_event{.kind = hook::cache_error, .attempt = attempt_, .error = &*cache_error_};
    });
}

void call_core::begin_attempt()
{
    ++attempt_;
    if (req_.deadline && clock_() >= *req_.deadline) {
        --attempt_;  // it never started
        fail(error(errc::timeout, "the call's deadline passed before attempt " +
                                      std::to_string(attempt_ + 1)),
             false);
        return;
    }
    target_.begin_attempt(attempt_);
    response_ = nullptr;
    reply_text_.clear();
    shown_reply_ = nullptr;
    send_to(0);
}

void call_core::send_to(std::size_t i)
{
    endpoint_ = i;
    // The client's own endpoint as the wire takes it, for this attempt's request only; a
    // fallback's is read where the options keep it.
    endpoint_config const own =
        i == 0 ? endpoint_config{options_.base_url, options_.api_key, {}} : endpoint_config{};
    auto const& ep = i == 0 ? own : options_.fallbacks.at(i - 1);
    auto const& model = model_of(i).empty() ? model_ : model_of(i);
    auto const known = options_.prices.find(model);
    price_ = known == options_.prices.end() ? nullptr : &known->second;
    // The tree only for a hook to read (completion_kwargs); else the wire writes the body's
    // bytes (without a tree where it can) and a call in flight holds those alone.
    if (heard()) {
        auto body = wire_->body(req_, model, conv_, tools_, stream_);
        request_ = wire_->http_request(ep, model, stream_, json::serialize(body));
        body_ = std::move(body);
    }
    else {
        request_ =
            wire_->http_request(ep, model, stream_, wire_->body_text(req_, model, conv_, tools_, stream_));
        body_ = nullptr;
    }
    if (limited_) {  // room in the rate limits first, for about this many tokens
        estimate_ = request_->body.size() / 4 + static_cast<std::uint64_t>(
                                                   std::max(req_.max_tokens.value_or(0), 0));
        take_room();
        return;
    }
    admitted();
}

void call_core::take_room()
{
    call_action a{call_action::kind::take};
    a.tokens = estimate_;
    queue(a);
    st_ = state::admitting;
}

void call_core::on_limited(std::chrono::steady_clock::time_point until)
{
    if (req_.deadline && until >= *req_.deadline) {
        fail(error(errc::timeout, "the rate limit would hold attempt " + std::to_string(attempt_) +
                                      " past the call's deadline"),
             false);
        return;
    }
    auto const now = clock_();
    if (until > now)  // a timed wait (a wait for a place in flight happened in the limiter)
        emit([&] {
            return hook_event{.kind = hook::rate_limited,
                              .attempt = attempt_,
                              .endpoint = base_url_of(endpoint_),
                              .wait = std::chrono::ceil<std::chrono::milliseconds>(until - now)};
        });
    call_action a{call_action::kind::sleep};
    a.until = until;
    queue(a);
    st_ = state::rate_waiting;
}

void call_core::admitted()
{
    holding_ = limited_;
    emit([&] {
        return hook_event{.kind = hook::completion_kwargs,
                          .attempt = attempt_,
                          .endpoint = base_url_of(endpoint_),
                          .request_body = &body_};
    });
    call_action a{call_action::kind::send};
    a.endpoint = endpoint_;
    a.request = &*request_;
    a.stream = stream_;
    a.retry = {.max_retries = options_.max_network_retries,
               .attempt_timeout = req_.timeout,
               .deadline = req_.deadline};
    queue(a);
    st_ = state::awaiting_reply;
}

void call_core::settle(std::optional<std::uint64_t> used)
{
    if (!holding_)
        return;
    holding_ = false;
    call_action a{call_action::kind::settle};
    a.tokens = estimate_;
    a.used = used;
    queue(a);
}

void call_core::on_failure(error e)
{
    bool const opening =
        st_ == state::awaiting_reply && response_.is_null() && reply_text_.empty();
    settle(std::nullopt);  // what it used is unknown: the estimate stands
    absorb_reader();
    enrich(e);
    error_ = std::move(e);
    emit([&] {
        return hook_event{.kind = hook::completion_error,
                          .attempt = attempt_,
                          .endpoint = base_url_of(endpoint_),
                          .error = &*error_};
    });
    // Only an attempt that never got a reply goes to the next endpoint.
    if (opening && endpoint_ + 1 < endpoint_count() && worth_a_fallback(error_->code_enum())) {
        try {
            send_to(endpoint_ + 1);
        }
        catch (error& e2) {
            fail(std::move(e2));
        }
        return;
    }
    error copy = *error_;  // the completion_error event still points at error_
    fail(std::move(copy));
}

json::value const* call_core::shown()
{
    if (!heard())
        return nullptr;  // no event is kept
    if (!shown_reply_) {
        shown_.push_back(reply());
        shown_reply_ = &shown_.back();
    }
    return shown_reply_;
}

json::value const& call_core::reply()
{
    if (response_.is_null() && !reply_text_.empty()) {
        boost::system::error_code ec;
        auto v = json::parse(reply_text_, ec);
        if (!ec)  // it was read once already: it parses
            response_ = std::move(v);
    }
    return response_;
}

void call_core::on_response(std::string& body)
{
    // No one to show a tree to: the wire reads the reply in one pass when it can (what its
    // tree would give), and the text is kept as below.
    if (!heard())
        if (auto got = wire_->read_reply(body)) {
            reply_text_ = std::move(body);
            shown_reply_ = nullptr;
            account(got->used);
            judge(std::move(got->x));
            return;
        }
    // One reading whoever listens. The tree is kept only for the hooks that read it (the copy
    // their events point at); else it lives on the stack (spilling to the heap when larger)
    // while the wire reads it. Either way the text is kept for whatever may want a tree later
    // (the completion, the cache, an error, a re-ask's record: reply()).
    unsigned char arena[8192];
    json::monotonic_resource mr(arena, sizeof arena);
    boost::system::error_code ec;
    auto parsed = json::parse(body, ec, heard() ? json::storage_ptr() : json::storage_ptr(&mr));
    if (ec || !parsed.is_object())
        throw error(errc::protocol_error, "the response body is not a JSON object");
    reply_text_ = std::move(body);
    shown_reply_ = nullptr;
    if (heard()) {
        shown_.push_back(std::move(parsed));
        shown_reply_ = &shown_.back();
    }
    auto const& v = shown_reply_ ? *shown_reply_ : parsed;
    emit([&] {
        return hook_event{.kind = hook::completion_response,
                          .attempt = attempt_,
                          .endpoint = base_url_of(endpoint_),
                          .response = shown()};
    });
    account(wire_->usage_of(v));
    judge(wire_->extract(v));  // strings and trees of its own: nothing points into `mr`
}

void call_core::on_opened()
{
    reader_ = wire_->reader();
    frames_ = wire_->events(options_.transport.max_body_bytes);
    if (!sink_)  // made once a stream opens: a whole call holds none
        sink_ = std::make_unique<piece_sink>(make_sink());
    st_ = state::reading;
    queue({call_action::kind::read});
}

void call_core::on_bytes(std::string const& bytes)
{
    if (auto ec = frames_->feed(bytes))
        throw error(framing_errc(ec), frames_->failure());
    drain_events();
}

void call_core::read_event(net::sse_event const& ev)
{
    reader_->on_event(ev, *sink_);
    if (reader_->held() > options_.transport.max_body_bytes)
        throw error(errc::response_too_large,
                    "the streamed answer exceeds max_body_bytes (" +
                        std::to_string(options_.transport.max_body_bytes) + " bytes)");
}

void call_core::drain_events()
{
    // Every event of one read first, then one hand-out: a read of a fast stream holds hundreds
    // of events, and a snapshot for each was most of a stream's cost. (An iterable's items
    // wait in its queue: one yield each, before the next read.)
    while (auto const* ev = frames_->pop())
        read_event(*ev);
    if (target_.ready()) {
        st_ = state::yielded;
        queue({call_action::kind::yield});
        return;
    }
    queue({call_action::kind::read});
}

void call_core::on_eof()
{
    if (auto ec = frames_->finish())
        throw error(framing_errc(ec), frames_->failure());
    while (auto const* ev = frames_->pop())  // a final event completed by the end of the body
        read_event(*ev);
    if (!reader_->ended(*frames_))
        throw error(errc::protocol_error, reader_->missing_end());
    response_ = reader_->response();
    shown_reply_ = nullptr;
    emit([&] {
        return hook_event{.kind = hook::completion_response,
                          .attempt = attempt_,
                          .endpoint = base_url_of(endpoint_),
                          .response = shown()};
    });
    account(reader_->usage());
    auto x = reader_->finish(*sink_);
    reader_.reset();
    judge(std::move(x));
}

void call_core::account(usage u)
{
    attempt_usage_ = priced(u);
    total_ += attempt_usage_;
    settle(used_tokens());
    emit([&] {
        return hook_event{.kind = hook::completion_usage,
                          .attempt = attempt_,
                          .endpoint = base_url_of(endpoint_),
                          .total_usage = total_};
    });
}

std::optional<std::uint64_t> call_core::used_tokens() const noexcept
{
    if (attempt_usage_.total_tokens > 0)
        return attempt_usage_.total_tokens;
    return std::nullopt;  // the reply reported none
}

void call_core::judge(extraction x)
{
    // The model's own ends: not API errors, never re-asked (a cut answer may be asked again
    // with room to finish, request::on_truncation).
    part_ = x.content;  // this reply's own text
    if (!joined_.empty() && !is_tools_mode(mode_)) {
        // A continuation (continue_answer): the parts joined are the answer, judged whole.
        x.content = joined_ + x.content;
        x.answers.clear();
        x.problem.reset();
        set_text_answer(x, mode_ == mode::md_json, "The reply has no text.");
    }
    if (auto stop = model_stop(x)) {
        if (stop->code_enum() == errc::output_truncated &&
            (raise_max_tokens(*stop) || continue_answer(x, *stop)))
            return;
        return fail(std::move(*stop));
    }

    issues_.clear();
    if (!judge_answers(x.answers, x.problem, target_, many_, issues_))
        return reject(x);
    if (!target_.checks_async())
        return accept(x);
    // Valid so far: the validators that wait have the last word.
    pending_ = std::move(x);
    queue_check();
}

void call_core::queue_check()
{
    call_action a{call_action::kind::check};
    a.context = &req_.context;
    a.deadline = req_.deadline;
    queue(a);
    st_ = state::checking;
}

void call_core::on_checked(call_event& ev)
{
    auto found = ev.check ? std::move(*ev.check) : check_result{};
    if (!pending_) {  // a cache hit's
        completion_->total_usage += found.spent;  // the validators' own model calls
        if (found.issues.empty()) {
            st_ = state::over;
            queue({call_action::kind::done});
        }
        else {  // no longer valid: a miss, asked again and replaced
            completion_.reset();
            begin_attempt();
        }
        return;
    }
    auto x = std::move(*pending_);
    pending_.reset();
    if (found.spent.total_tokens > 0 || found.spent.cost_usd) {  // the validators' own model calls
        total_ += found.spent;
        emit([&] {
            return hook_event{.kind = hook::completion_usage,
                              .attempt = attempt_,
                              .endpoint = base_url_of(endpoint_),
                              .total_usage = total_};
        });
    }
    if (found.issues.empty())
        return accept(x);
    issues_ = std::move(found.issues);
    reject(x);
}

void call_core::reject(extraction const& x)
{
    auto const& base = base_url_of(endpoint_);
    emit([&] {
        return hook_event{.kind = hook::parse_error,
                          .attempt = attempt_,
                          .endpoint = base,
                          .response = shown(),
                          .issues = issues_};
    });
    failures_.push_back({attempt_, issues_, reply()});
    std::string const errors = format_issues(issues_);
    if (attempt_ >= max_attempts_ || !target_.may_reask()) {
        fail(error(errc::validation_failed,
                   "the output failed validation after " + std::to_string(attempt_) +
                       (attempt_ == 1 ? " attempt:\n" : " attempts:\n") + errors,
                   issues_));
        return;
    }
    if (auto spent = budget_spent(" before the output validated:\n" + errors))
        return fail(std::move(*spent));
    if (joined_.empty()) {
        reask_in(*wire_, conv_, req_, tools_, x, errors);
    }
    else {  // the earlier parts are in the conversation already: echo the last one
        auto last = x;
        last.content = part_;
        joined_.clear();
        reask_in(*wire_, conv_, req_, tools_, last, errors);
    }
    begin_attempt();
}

bool call_core::continue_answer(extraction const& x, error& cut)
{
    if (req_.on_truncation != truncation::continue_answer)
        return false;
    if (is_tools_mode(mode_)) {
        cut = error(errc::output_truncated,
                    std::string(cut.what()) +
                        "; request::on_truncation continue_answer applies to the text modes "
                        "only (a cut tool call cannot be continued)");
        return false;
    }
    if (attempt_ >= max_attempts_ || !target_.may_reask())
        return false;
    if (auto spent = budget_spent(" before the cut answer could be continued")) {
        fail(std::move(*spent));
        return true;  // ended, with the budget's error
    }
    joined_ = x.content;  // every part so far
    auto last = x;
    last.content = part_;
    continue_in(*wire_, conv_, req_, tools_, last, std::string(continue_prompt));
    failures_.push_back({attempt_, {}, reply()});
    begin_attempt();  // the rest of the answer
    return true;
}

std::optional<error> call_core::budget_spent(std::string const& why) const
{
    if (req_.token_budget && total_.total_tokens >= *req_.token_budget)
        return error(errc::budget_exceeded,
                     "the call used " + std::to_string(total_.total_tokens) +
                         " tokens of its budget of " + std::to_string(*req_.token_budget) + why,
                     issues_);
    if (req_.cost_budget_usd && total_.cost_usd.value_or(0) >= *req_.cost_budget_usd) {
        char spent[96];
        std::snprintf(spent, sizeof spent, "the call spent $%.6f of its budget of $%.6f",
                      *total_.cost_usd, *req_.cost_budget_usd);
        return error(errc::budget_exceeded, spent + why, issues_);
    }
    return std::nullopt;
}

bool call_core::raise_max_tokens(error& cut)
{
    if (req_.on_truncation != truncation::raise_max_tokens)
        return false;
    // The limit the cut attempt ran into: the one asked for, else what it produced (0: neither
    // known, a stream without usage; the next attempt asks for the cap).
    auto const cap = static_cast<std::int64_t>(req_.max_tokens_cap.value_or(65'536));
    auto const was = req_.max_tokens ? std::int64_t{*req_.max_tokens}
                                     : static_cast<std::int64_t>(std::min<std::uint64_t>(
                                           attempt_usage_.completion_tokens, 1u << 30));
    if (was >= cap) {
        cut = error(errc::output_truncated,
                    std::string(cut.what()) + "; max_tokens " + std::to_string(was) +
                        " is already at request::max_tokens_cap " + std::to_string(cap));
        return false;
    }
    if (attempt_ >= max_attempts_)
        return false;
    if (auto spent = budget_spent(" before the cut answer could be asked again")) {
        fail(std::move(*spent));
        return true;  // ended, with the budget's error
    }
    req_.max_tokens = static_cast<int>(was > 0 ? std::min(was * 2, cap) : cap);
    failures_.push_back({attempt_, {}, reply()});
    begin_attempt();  // the same question again, with room to finish
    return true;
}
}  // namespace instructor::detail
