// Batches: many requests run by the provider's batch service (OpenAI's Batch API, Anthropic's
// Message Batches) at half the price, typed like create<T>.
//
//     std::vector<ins::request> reqs = ...;                        // up to 50,000
//     ins::batch b = co_await client.create_batch<UserInfo>(reqs);  // uploads, creates
//     b = co_await client.wait_batch(b.id);                         // polls to a terminal status
//     auto results = client.batch_results<UserInfo>(b);
//     while (auto r = co_await results.next()) { r->custom_id; r->value; r->issues; r->error; }
//
// The client's mode picks the API: an Anthropic mode speaks Message Batches, a Responses mode
// OpenAI's Batch API with lines to /v1/responses, any other OpenAI's Batch API with lines to
// /v1/chat/completions. Each line's body is exactly what create<T> would send in that mode.
#pragma once

#include <instructor/error.hpp>
#include <instructor/mode.hpp>
#include <instructor/validation.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace instructor {

/// A batch as the provider reports it.
struct batch {
    std::string id;
    /// As the provider says it. OpenAI: "validating", "in_progress", "finalizing", "completed",
    /// "failed", "expired", "cancelling", "cancelled". Anthropic: "in_progress", "canceling",
    /// "ended".
    std::string status;
    std::size_t total = 0;      ///< requests in the batch
    std::size_t completed = 0;  ///< answered (Anthropic: succeeded)
    std::size_t failed = 0;     ///< failed at the provider (Anthropic: errored, canceled, expired)
    std::string output_file_id;  ///< OpenAI: the answers' JSONL file (once there is one)
    std::string error_file_id;   ///< OpenAI: the failed requests' JSONL file
    std::string results_url;     ///< Anthropic: where the results are read
    /// The API path every line goes to: "/v1/chat/completions", "/v1/responses", "/v1/messages".
    std::string endpoint;
    /// The mode the lines were written in, so results decode as they were asked: create_batch
    /// sets it, OpenAI keeps it in the batch's metadata ("instructor_mode"), and
    /// retrieve_batch / wait_batch given a batch (not an id) carry it over (Anthropic keeps no
    /// metadata). Unset: results decode in the client's mode.
    std::optional<instructor::mode> mode;
    boost::json::object metadata;  ///< OpenAI: the batch's metadata
    /// Why the provider rejected the whole batch (OpenAI's `errors` when status is "failed").
    std::string failure;
    /// The lines this client sent (create_batch and retry_batch_failures set it; retrieve_batch
    /// and wait_batch given the batch carry it over); 0 when unknown. Results are bounded by it
    /// rather than by the counts the server reports (protocol_error past it).
    std::size_t submitted = 0;

    /// Whether the status is final: completed, failed, expired, cancelled (OpenAI) or ended
    /// (Anthropic).
    bool terminal() const noexcept;
};

struct batch_options {
    /// One per request, unique (Anthropic: 1 to 64 letters, digits, '_' or '-'); empty: each
    /// request's index ("0", "1", ...).
    std::vector<std::string> custom_ids;
    /// OpenAI: the batch's metadata (string values; up to 15 pairs besides "instructor_mode").
    boost::json::object metadata;
    std::string completion_window = "24h";  ///< OpenAI
};

/// How wait_batch polls: first after `first_poll`, then each wait doubled up to `max_poll`.
struct wait_options {
    std::chrono::milliseconds first_poll{1'000};
    std::chrono::milliseconds max_poll{60'000};
    /// Gives up with errc::timeout (the batch keeps running at the provider); none when unset.
    std::optional<std::chrono::steady_clock::time_point> deadline;
    /// Called with the batch after every poll (the terminal one included), where the awaiting
    /// coroutine runs. An exception it throws ends the wait and propagates as it is.
    std::function<void(batch const&)> on_progress;
};

struct list_options {
    std::size_t limit = 20;  ///< 1..100
    std::string after;       ///< the last id of the previous page; empty: the newest first
};

struct batch_page {
    std::vector<batch> batches;
    bool has_more = false;
    std::string last_id;  ///< list_options::after for the next page
};

/// One line of a batch's results, decoded.
template <class T>
struct batch_result {
    std::string custom_id;
    std::optional<T> value;  ///< the validated answer
    /// Why the answer did not validate (value empty, error empty).
    std::vector<validation_issue> issues;
    /// The line failed at the provider (an HTTP error status, errored, canceled or expired),
    /// or its answer was cut (output_truncated), refused or filtered.
    std::optional<instructor::error> error;
    /// 2 when the value comes from the second pass of retry_batch_failures (merged results).
    int attempt = 1;
};

/// What one batch of an API may hold, checked before anything is uploaded (invalid_argument
/// beyond it).
struct batch_limits {
    std::size_t max_lines = 0;  ///< requests
    std::size_t max_bytes = 0;  ///< the lines' bytes (OpenAI: the uploaded file)
};

/// The limits of the batch service mode `m` speaks to (OpenAI's Batch API: 50,000 lines and
/// 200 MB; Anthropic's Message Batches: 100,000 requests and 256 MB). Zero for a mode without a
/// batch service (the Gemini modes): create_batch refuses it.
batch_limits batch_limits_for(mode m) noexcept;

}  // namespace instructor
