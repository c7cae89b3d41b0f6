// One structured-output call: the model, the messages and how hard to try.
#pragma once

#include <instructor/hooks.hpp>
#include <instructor/message.hpp>
#include <instructor/mode.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace instructor {

/// How much a reasoning model thinks before it answers, in each API's own fields.
struct reasoning {
    /// "low", "medium", "high" (or the API's own word): chat `reasoning_effort`, Responses
    /// `reasoning.effort` (with `summary: "auto"`, so a summary comes back). Empty: not sent.
    std::string effort;
    /// Anthropic extended thinking: `thinking: {"type": "enabled", "budget_tokens"}` (max_tokens
    /// is raised above it when it is not). With thinking on, `anthropic_tools` and
    /// `anthropic_parallel_tools` let the model choose the tool (`tool_choice` auto: the API
    /// refuses a forced tool with thinking), and a reply without it is re-asked.
    std::optional<std::uint32_t> budget_tokens;
};

/// What a call does with an answer cut at the token limit (errc::output_truncated).
enum class truncation {
    fail,              ///< the call fails with errc::output_truncated (the default)
    /// The same question once more with `max_tokens` doubled (from the limit asked for, else
    /// from what the cut attempt produced), up to request::max_tokens_cap; each such attempt
    /// counts as one of the call's attempts.
    raise_max_tokens,
    /// The text modes (json, md_json, json_schema, structured_outputs and the other APIs'
    /// JSON modes): the cut answer goes back as the model's turn with a request to continue it
    /// exactly where it stopped, and the parts, joined, are judged as one answer (decoded,
    /// validated, re-asked like any other). Each continuation is one of the call's attempts.
    /// A cut tool call cannot be continued: the tool modes fail with errc::output_truncated.
    continue_answer,
};

/// Per-call control of client_options::cache (every cache kind: memory, disk, Redis, yours).
struct cache_policy {
    /// The entry this call stores is a miss for every call after `ttl`: the expiry is written
    /// into the entry (the wall clock's, so processes and machines sharing a disk or a Redis
    /// agree), and a hit past it is refused and asked again. A Redis cache's own TTL still
    /// removes it at its time. Unset: the entry lasts as long as the cache keeps it. Must be
    /// positive (else errc::invalid_argument before any request).
    std::optional<std::chrono::seconds> ttl;
    /// Skip the lookup: the call asks the model, and its answer replaces the stored one (a
    /// refresh).
    bool bypass = false;
};

struct request {
    std::string model;              ///< sent verbatim (WorkflowAI's `agent/model` forms too); empty: the client's default
    std::vector<message> messages;  ///< may be empty (server-side deployments)
    int max_retries = 3;            ///< re-asks after the first attempt when validation fails
    std::optional<instructor::mode> mode;     ///< overrides the client's mode
    std::optional<double> temperature;
    std::optional<int> max_tokens;
    /// What a cut answer leads to (see ins::truncation).
    truncation on_truncation = truncation::fail;
    /// The most max_tokens raise_max_tokens asks for; unset: 65,536.
    std::optional<int> max_tokens_cap;
    boost::json::object extra_body;  ///< merged into the request body last
    /// Bounds one attempt (request sent to answer read); default: the client's request timeout.
    std::optional<std::chrono::milliseconds> timeout;
    /// Bounds the whole call: every attempt, re-ask and backoff sleep.
    std::optional<std::chrono::steady_clock::time_point> deadline;
    /// Handlers for this call only, run after the client's.
    hooks call_hooks;
    /// Tokens (prompt + completion, summed over attempts) the call may use: once they reach
    /// it, no new attempt starts and the call fails with errc::budget_exceeded (with the usage
    /// and every failed attempt). Unset: no limit.
    std::optional<std::uint64_t> token_budget;
    /// US dollars the call may spend (usage::cost_usd, summed over attempts): once spent, no
    /// new attempt starts and the call fails with errc::budget_exceeded. The model must have a
    /// price in client_options::prices (else invalid_argument, before any request): a budget is
    /// never silently unenforced. Unset: no limit.
    std::optional<double> cost_budget_usd;
    /// Variables for the call (Python Instructor's `context=`). When set, every message text is
    /// a Mustache template rendered with it before anything is sent (`{{name}}`, `{{a.b}}`,
    /// `{{#items}}...{{/items}}` over lists, `{{^flag}}` for "not"; values go in unescaped);
    /// a template that does not parse fails the call with errc::invalid_argument. Every model's
    /// validate() sees it as `ctx.context()` (grounding checks against the source text).
    boost::json::object context;
    /// Reasoning effort and thinking budget (see ins::reasoning). Re-asks send the model's
    /// reasoning back as each API requires (Anthropic's thinking blocks unchanged with their
    /// signatures, Responses reasoning items).
    std::optional<instructor::reasoning> reasoning;
    /// How this call uses the client's response cache (no effect without one).
    cache_policy cache;
};

}  // namespace instructor
