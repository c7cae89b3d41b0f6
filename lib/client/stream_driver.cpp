// A streamed call: opens the SSE stream, turns chunks into answer text for the typed target,
// and re-asks when the complete answer does not validate. Each byte is parsed once.
#include "client_state.hpp"

#include <instructor/detail/stream_core.hpp>
#include <instructor/error.hpp>
#include <instructor/net/sse_parser.hpp>

#include <boost/json/parse.hpp>
#include <map>
#include <boost/json/serialize.hpp>

namespace instructor::detail {

namespace json = boost::json;

/// Tool calls one streamed answer may hold.
constexpr std::size_t max_calls = 256;

struct stream_driver::impl {
    std::shared_ptr<client_state> state;
    request req;
    std::vector<tool_spec> tools;
    bool many;
    stream_target& target;
    mode m;
    std::string model;
    bool anthropic = false;
    anthropic_prompt prompt;  // the conversation (chat messages outside the anthropic modes)
    usage total;
    int attempt = 0;
    int max_attempts = 1;
    std::vector<failed_attempt> failures;

    // the attempt in progress
    std::optional<net::http_stream> http;
    net::sse_parser sse;
    json_text_follower follower;
    std::string content;     // the whole streamed content, for a re-ask
    std::string refusal;
    std::string finish_reason;
    std::vector<answer> calls;  // the streamed tool calls, for a re-ask
    bool body_done = false;
    bool message_stopped = false;  // Anthropic's end of message
    std::map<std::size_t, std::size_t> block_call;  // Anthropic content block -> tool call

    impl(std::shared_ptr<client_state> s, request r, std::vector<tool_spec> t, bool mny,
         stream_target& tg)
        : state(std::move(s)), req(std::move(r)), tools(std::move(t)), many(mny), target(tg)
    {
        auto const& o = state->opts;
        m = req.mode.value_or(o.mode);
        anthropic = is_anthropic_mode(m);
        if ((m == mode::parallel_tools) != many)
            throw error(errc::invalid_argument,
                        "a parallel_tools stream is create_iterable<std::variant<...>>, and only it");
        model = req.model.empty() ? o.default_model : req.model;
        if (model.empty())
            throw error(errc::invalid_argument, "no model: set request::model or default_model");
        if (anthropic)
            prompt = anthropic_initial(m, req, tools.front());
        else
            prompt.messages = initial_messages(m, req, tools.front());
        max_attempts = std::max(req.max_retries, 0) + 1;
    }

    error& enrich(error& e)
    {
        e.attempts = attempt;
        e.total_usage = total;
        if (e.failed_attempts.empty())
            e.failed_attempts = failures;
        return e;
    }

    boost::asio::awaitable<void> open()
    {
        ++attempt;
        if (req.deadline && std::chrono::steady_clock::now() >= *req.deadline) {
            error e(errc::timeout, "the call's deadline passed");
            throw enrich(e);
        }
        sse = net::sse_parser(sse_limits_of(state->opts));
        follower = {};
        content.clear();
        refusal.clear();
        finish_reason.clear();
        calls.clear();
        body_done = false;
        message_stopped = false;
        block_call.clear();
        target.begin_attempt(attempt);
        auto const& o = state->opts;
        auto const endpoints = endpoints_of(o);
        for (std::size_t i = 0; i < endpoints.size(); ++i) {
            auto const& ep = endpoints[i];
            auto const& ep_model = ep.model.empty() ? model : ep.model;
            json::value body =
                anthropic ? build_messages_body(m, req, ep_model, prompt, tools, true)
                          : build_chat_body(m, req, ep_model, prompt.messages, tools,
                                            o.legacy_json_schema_format, true);
            emit({.kind = hook::completion_kwargs, .attempt = attempt, .endpoint = ep.base_url,
                  .request_body = &body});
            try {
                http.emplace(co_await state->http.open_stream(
                    api_request(o, ep, m, json::serialize(body)),
                    {.max_retries = o.max_network_retries,
                     .attempt_timeout = req.timeout,
                     .deadline = req.deadline}));
                co_return;
            }
            catch (error& e) {
                enrich(e);
                emit({.kind = hook::completion_error, .attempt = attempt, .endpoint = ep.base_url,
                      .error = &e});
                bool const fallback = e.code() == errc::server_error || e.code() == errc::timeout ||
                                      e.code() == errc::connection_failed ||
                                      e.code() == errc::rate_limited;
                if (i + 1 == endpoints.size() || !fallback)
                    throw;
            }
        }
    }

    static net::sse_limits sse_limits_of(client_options const& o)
    {
        net::sse_limits l;
        l.max_event = o.transport.max_body_bytes;
        return l;
    }

    void emit(hook_event e)
    {
        e.max_attempts = max_attempts;
        e.is_last_attempt = e.attempt == max_attempts;
        hooks h;
        {
            std::lock_guard lock(state->mutex);
            h = state->client_hooks;
        }
        h.emit(e);
        req.call_hooks.emit(e);
    }

    /// One SSE event; returns whether the target has something to hand out.
    bool on_event(net::sse_event const& ev)
    {
        chunk_delta d;
        try {
            d = anthropic ? parse_messages_event(ev.event, ev.data, message_stopped)
                          : parse_chat_chunk(ev.data);
        }
        catch (error& e) {
            throw enrich(e);
        }
        if (d.error) {
            error e(errc::server_error, "the stream reported an error: " + *d.error);
            e.provider_message = *d.error;
            throw enrich(e);
        }
        if (anthropic) {
            // Tool calls are numbered by content block (a text block may come first): renumber
            // them in call order, and drop deltas of blocks that are not tool calls.
            std::vector<chunk_delta::call_piece> pieces;
            for (auto& p : d.calls) {
                if (!p.name.empty() && !block_call.contains(p.index))
                    block_call.emplace(p.index, block_call.size());
                auto it = block_call.find(p.index);
                if (it == block_call.end())
                    continue;
                p.index = it->second;
                pieces.push_back(std::move(p));
            }
            d.calls = std::move(pieces);
        }
        if (d.usage)
            total += *d.usage;
        if (d.finish_reason)
            finish_reason = *d.finish_reason;
        refusal += d.refusal;
        if (!d.content.empty()) {
            content += d.content;
            if (!is_tools_mode(m)) {
                auto text = follower.feed(d.content);
                if (!text.empty())
                    target.feed(0, {}, text);
            }
        }
        for (auto& p : d.calls) {
            if (p.index >= max_calls) {  // a hostile index must not size a vector
                error e(errc::protocol_error, "a stream chunk names tool call " +
                                                  std::to_string(p.index) + ", past the limit");
                throw enrich(e);
            }
            if (p.index >= calls.size())
                calls.resize(p.index + 1);
            auto& c = calls[p.index];
            if (!p.id.empty())
                c.id = p.id;
            if (c.name.empty())
                c.name = p.name;  // OpenRouter repeats the name in every delta
            c.text += p.arguments;
            if (is_tools_mode(m) && !p.arguments.empty())
                target.feed(p.index, c.name, p.arguments);
        }
        return target.ready();
    }

    /// The attempt's answer is complete: true when valid; else re-asks (false) or throws.
    bool finish_attempt()
    {
        json::value completion = synthesized();
        emit({.kind = hook::completion_response, .attempt = attempt, .response = &completion});
        emit({.kind = hook::completion_usage, .attempt = attempt, .total_usage = total});
        auto fail = [&](errc code, std::string what) {
            error e(code, std::move(what));
            e.last_completion = completion;
            throw enrich(e);
        };
        if (finish_reason == "length")
            fail(errc::output_truncated, "the output was cut at the token limit (finish_reason \"length\")");
        if (finish_reason == "content_filter")
            fail(errc::content_filtered, "the provider's content filter stopped the output");
        if (!refusal.empty())
            fail(errc::refusal, "the model refused: " + refusal);
        for (std::size_t i = 0; i < calls.size(); ++i)
            if (calls[i].text.empty()) {  // a tool without parameters streams "" (wire 14)
                calls[i].text = "{}";
                target.feed(i, calls[i].name, calls[i].text);
            }
        std::vector<validation_issue> issues;
        if (is_tools_mode(m) && calls.empty()) {
            std::vector<validation_issue> unused;  // the decoder saw nothing worth reporting
            target.finish(unused);
            issues.push_back({{}, "The reply did not call a function; call the function with the "
                                  "JSON arguments.", issue_kind::syntax});
        }
        else if (target.finish(issues)) {
            return true;
        }
        emit({.kind = hook::parse_error, .attempt = attempt, .response = &completion,
              .issues = issues});
        failures.push_back({attempt, issues, completion});
        std::string const errors = format_issues(issues);
        if (attempt >= max_attempts || !target.may_reask()) {
            error e(errc::validation_failed,
                    "the output failed validation after " + std::to_string(attempt) +
                        (attempt == 1 ? " attempt:\n" : " attempts:\n") + errors,
                    issues);
            e.last_completion = completion;
            enrich(e);
            emit({.kind = hook::completion_last_attempt, .attempt = attempt, .error = &e,
                  .issues = issues});
            throw e;
        }
        extraction x;
        x.answers = calls;
        for (std::size_t i = 0; i < x.answers.size(); ++i)
            if (x.answers[i].id.empty())
                x.answers[i].id = "call_" + std::to_string(i);
        for (auto& msg : anthropic ? anthropic_reask(m, completion, x, errors)
                                   : reask_messages(m, completion, x, errors))
            prompt.messages.push_back(std::move(msg));
        return false;
    }

    /// The streamed answer as the provider's response object, for hooks, errors and re-asks.
    json::value synthesized() const
    {
        if (anthropic) {
            json::array content;
            if (!this->content.empty())
                content.push_back(json::object{{"type", "text"}, {"text", this->content}});
            for (std::size_t i = 0; i < calls.size(); ++i) {
                boost::system::error_code ec;
                auto input = json::parse(calls[i].text, ec);
                content.push_back(json::object{
                    {"type", "tool_use"},
                    {"id", calls[i].id},
                    {"name", calls[i].name},
                    {"input", !ec && input.is_object() ? input : json::object{}}});
            }
            return json::object{{"type", "message"},
                                {"role", "assistant"},
                                {"model", model},
                                {"content", std::move(content)},
                                {"stop_reason", finish_reason == "length" ? "max_tokens"
                                                                           : finish_reason}};
        }
        json::object message{{"role", "assistant"},
                             {"content", content.empty() ? json::value() : json::value(content)}};
        if (!calls.empty()) {
            json::array tc;
            for (std::size_t i = 0; i < calls.size(); ++i)
                tc.push_back(json::object{
                    {"id", calls[i].id.empty() ? "call_" + std::to_string(i) : calls[i].id},
                    {"type", "function"},
                    {"function", {{"name", calls[i].name}, {"arguments", calls[i].text}}}});
            message["tool_calls"] = std::move(tc);
        }
        if (!refusal.empty())
            message["refusal"] = refusal;
        return json::object{
            {"object", "chat.completion"},
            {"model", model},
            {"choices", json::array{json::object{{"index", 0},
                                                 {"message", std::move(message)},
                                                 {"finish_reason", finish_reason}}}}};
    }

    boost::asio::awaitable<bool> advance()
    {
        for (;;) {
            if (!http)
                co_await open();
            while (auto ev = sse.next())
                if (on_event(*ev))
                    co_return true;
            if (body_done) {
                http.reset();
                if (finish_attempt())
                    co_return false;
                continue;  // re-asked: the next attempt opens on the next turn
            }
            std::optional<std::string> bytes;
            try {
                bytes = co_await http->read_some();
            }
            catch (error& e) {
                throw enrich(e);
            }
            if (!bytes) {
                body_done = true;
                if (auto ec = sse.finish()) {
                    error e(errc::response_too_large, "a stream event exceeds the size limit");
                    throw enrich(e);
                }
                if (anthropic ? !message_stopped : !sse.done()) {
                    error e(errc::protocol_error,
                            anthropic ? "the stream ended without message_stop"
                                      : "the stream ended without its [DONE] marker");
                    throw enrich(e);
                }
                continue;
            }
            if (auto ec = sse.feed(*bytes)) {
                error e(errc::response_too_large, "a stream event exceeds the size limit");
                throw enrich(e);
            }
        }
    }
};

stream_driver::stream_driver(std::shared_ptr<client_state> state, request req,
                             std::vector<tool_spec> tools, bool many, stream_target& target)
    : impl_(std::make_unique<impl>(std::move(state), std::move(req), std::move(tools), many, target))
{}

stream_driver::~stream_driver() = default;

boost::asio::awaitable<bool> stream_driver::advance() { return impl_->advance(); }
usage const& stream_driver::total_usage() const noexcept { return impl_->total; }
int stream_driver::attempts() const noexcept { return impl_->attempt; }

}  // namespace instructor::detail
