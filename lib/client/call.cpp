// One call: attempts, re-asks with the validation errors, fallbacks, hooks, usage.
#include "client_state.hpp"

#include <instructor/client.hpp>

#include <instructor/net/http_client.hpp>
#include <instructor/net/url.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <mutex>

namespace instructor {

namespace json = boost::json;

namespace detail {

std::shared_ptr<client_state> make_client_state(boost::asio::any_io_executor ex,
                                                client_options opts)
{
    if (opts.base_url.empty())
        throw error(errc::invalid_argument, "client_options::base_url is empty");
    (void)net::parse_url(opts.base_url);  // a bad URL fails here, not on the first call
    for (auto const& f : opts.fallbacks)
        (void)net::parse_url(f.base_url);
    return std::make_shared<client_state>(std::move(ex), std::move(opts));
}

boost::asio::any_io_executor const& executor_of(client_state const& s) noexcept { return s.ex; }
client_options const& options_of(client_state const& s) noexcept { return s.opts; }

void add_hook(client_state& s, hook kind, hook_handler fn)
{
    std::lock_guard lock(s.mutex);
    s.client_hooks.on(kind, std::move(fn));
}

std::vector<endpoint_config> endpoints_of(client_options const& o)
{
    std::vector<endpoint_config> endpoints{{o.base_url, o.api_key, {}}};
    endpoints.insert(endpoints.end(), o.fallbacks.begin(), o.fallbacks.end());
    return endpoints;
}

net::http_request api_request(client_options const& o, endpoint_config const& ep, mode m,
                              std::string body)
{
    net::http_request hr;
    if (is_anthropic_mode(m)) {
        hr.url = net::join_url(ep.base_url, "messages");
        if (!ep.api_key.empty())
            hr.headers.push_back({"x-api-key", ep.api_key});
        hr.headers.push_back({"anthropic-version", o.anthropic_version});
    }
    else {
        hr.url = net::join_url(ep.base_url, "chat/completions");
        if (!ep.api_key.empty())
            hr.headers.push_back({"Authorization", "Bearer " + ep.api_key});
    }
    for (auto const& h : o.headers)
        hr.headers.push_back(h);
    hr.body = std::move(body);
    return hr;
}

namespace {

bool worth_a_fallback(errc e)
{
    return e == errc::server_error || e == errc::timeout || e == errc::connection_failed ||
           e == errc::rate_limited;
}

/// Fills in what the call knows about itself before an error leaves it.
error& enrich(error& e, int attempts, usage const& total, json::value const& last,
              std::vector<failed_attempt> const& failures)
{
    e.attempts = attempts;
    e.total_usage = total;
    if (e.last_completion.is_null())
        e.last_completion = last;
    if (e.failed_attempts.empty())
        e.failed_attempts = failures;
    return e;
}

}  // namespace

boost::asio::awaitable<completion> run_call(std::shared_ptr<client_state> s, request req,
                                            call_target& target)
{
    auto const& o = s->opts;
    mode const m = req.mode.value_or(o.mode);
    if ((m == mode::parallel_tools) != target.many)
        throw error(errc::invalid_argument,
                    "parallel_tools answers a std::vector<std::variant<...>>, and only it does");
    std::string const model = req.model.empty() ? o.default_model : req.model;
    if (model.empty())
        throw error(errc::invalid_argument, "no model: set request::model or default_model");

    hooks client_hooks;
    {
        std::lock_guard lock(s->mutex);
        client_hooks = s->client_hooks;
    }
    int const max_attempts = std::max(req.max_retries, 0) + 1;
    auto emit = [&](hook_event e) {
        e.max_attempts = max_attempts;
        e.is_last_attempt = e.attempt == max_attempts;
        client_hooks.emit(e);
        req.call_hooks.emit(e);
    };

    auto const endpoints = endpoints_of(o);

    bool const anthropic = is_anthropic_mode(m);
    anthropic_prompt prompt;  // the conversation: Messages API shape, or chat messages below
    if (anthropic)
        prompt = anthropic_initial(m, req, target.tools.front());
    else
        prompt.messages = initial_messages(m, req, target.tools.front());
    usage total;
    json::value last;
    std::vector<failed_attempt> failures;

    for (int attempt = 1;; ++attempt) {
        if (req.deadline && std::chrono::steady_clock::now() >= *req.deadline) {
            error e(errc::timeout, "the call's deadline passed before attempt " +
                                       std::to_string(attempt));
            throw enrich(e, attempt - 1, total, last, failures);
        }
        target.reset();

        json::value response;
        std::string answered_by;
        for (std::size_t i = 0; i < endpoints.size(); ++i) {
            auto const& ep = endpoints[i];
            auto const& ep_model = ep.model.empty() ? model : ep.model;
            json::value body =
                anthropic ? build_messages_body(m, req, ep_model, prompt, target.tools, false)
                          : build_chat_body(m, req, ep_model, prompt.messages, target.tools,
                                            o.legacy_json_schema_format, false);
            emit({.kind = hook::completion_kwargs, .attempt = attempt, .endpoint = ep.base_url,
                  .request_body = &body});
            auto hr = api_request(o, ep, m, json::serialize(body));
            try {
                auto r = co_await s->http.send(
                    std::move(hr), {.max_retries = o.max_network_retries,
                                    .attempt_timeout = req.timeout,
                                    .deadline = req.deadline});
                boost::system::error_code ec;
                response = json::parse(r.body, ec);
                if (ec || !response.is_object())
                    throw error(errc::protocol_error, "the response body is not a JSON object");
                answered_by = ep.base_url;
                break;
            }
            catch (error& e) {
                enrich(e, attempt, total, last, failures);
                emit({.kind = hook::completion_error, .attempt = attempt, .endpoint = ep.base_url,
                      .error = &e});
                if (i + 1 == endpoints.size() || !worth_a_fallback(e.code_enum()))
                    throw;
            }
        }

        last = response;
        emit({.kind = hook::completion_response, .attempt = attempt, .endpoint = answered_by,
              .response = &response});
        total += anthropic ? messages_usage(response) : chat_usage(response);
        emit({.kind = hook::completion_usage, .attempt = attempt, .endpoint = answered_by,
              .total_usage = total});

        extraction x;
        try {
            x = anthropic ? extract_messages(m, response) : extract_chat(m, response);
        }
        catch (error& e) {
            throw enrich(e, attempt, total, last, failures);
        }
        if (x.finish_reason == "length") {
            error e(errc::output_truncated,
                    "the output was cut at the token limit (finish_reason \"length\")");
            throw enrich(e, attempt, total, last, failures);
        }
        if (x.finish_reason == "content_filter") {
            error e(errc::content_filtered, "the provider's content filter stopped the output");
            throw enrich(e, attempt, total, last, failures);
        }
        if (x.refusal) {
            error e(errc::refusal, "the model refused: " + *x.refusal);
            e.provider_message = *x.refusal;
            throw enrich(e, attempt, total, last, failures);
        }

        std::vector<validation_issue> issues;
        if (x.problem) {
            issues.push_back({{}, *x.problem, issue_kind::syntax});
        }
        else {
            bool ok = true;
            for (auto const& a : x.answers) {
                ok = target.decode(a.name, a.text, issues) && ok;
                if (!target.many)
                    break;
            }
            if (ok)
                co_return completion{std::move(response), total, attempt, answered_by};
        }

        emit({.kind = hook::parse_error, .attempt = attempt, .endpoint = answered_by,
              .response = &response, .issues = issues});
        failures.push_back({attempt, issues, response});
        std::string const errors = format_issues(issues);
        if (attempt == max_attempts) {
            error e(errc::validation_failed,
                    "the output failed validation after " + std::to_string(attempt) +
                        (attempt == 1 ? " attempt:\n" : " attempts:\n") + errors,
                    issues);
            enrich(e, attempt, total, last, failures);
            emit({.kind = hook::completion_last_attempt, .attempt = attempt,
                  .endpoint = answered_by, .error = &e, .issues = issues});
            throw e;
        }
        for (auto& msg : anthropic ? anthropic_reask(m, response, x, errors)
                                   : reask_messages(m, response, x, errors))
            prompt.messages.push_back(std::move(msg));
    }
}

}  // namespace detail

client::client(boost::asio::any_io_executor executor, client_options options)
    : state_(detail::make_client_state(std::move(executor), std::move(options)))
{}

void client::on(hook kind, hook_handler fn) { detail::add_hook(*state_, kind, std::move(fn)); }

}  // namespace instructor
