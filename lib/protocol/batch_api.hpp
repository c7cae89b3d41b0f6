// One batch service per API, without I/O: the requests that create, poll, cancel and list
// batches and read their results, and what the answers mean. OpenAI's Batch API (a JSONL file
// uploaded with the Files API, then a batch made of it) and Anthropic's Message Batches (the
// requests in the create call's body) are the two implementations; batch_calls.cpp runs them.
#pragma once

#include <instructor/batch.hpp>
#include <instructor/client_options.hpp>
#include <instructor/error.hpp>
#include <instructor/mode.hpp>
#include <instructor/net/http_types.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace instructor::detail {

/// One line of a batch's results: the API's response to the request, or why it failed.
struct result_line {
    std::string custom_id;
    boost::json::value response;  ///< the response body the interactive call would have read
    std::optional<error> failure;
};

class batch_api {
public:
    virtual ~batch_api() = default;

    /// Appends one request to the batch being written. Throws ins::error(invalid_argument)
    /// past the API's limits (lines, bytes) or for a custom_id it refuses.
    virtual void add(std::string_view custom_id, boost::json::object const& body) = 0;
    virtual std::size_t lines() const noexcept = 0;
    /// Whether the first create step uploads a file (OpenAI), before the call that creates
    /// the batch.
    virtual bool uploads_first() const noexcept = 0;
    /// The first request of creating the batch written so far (OpenAI: the file's upload;
    /// Anthropic: the batch itself). The written lines are moved into it.
    virtual net::http_request create(endpoint_config const& ep, batch_options const& o) = 0;
    /// The response to the last create step: the next request, or std::nullopt when
    /// `response` is the batch. Throws ins::error(protocol_error) for an unexpected answer.
    virtual std::optional<net::http_request> after(endpoint_config const& ep,
                                                   boost::json::value const& response,
                                                   batch_options const& o) = 0;

    virtual net::http_request retrieve(endpoint_config const& ep, std::string_view id) const = 0;
    virtual net::http_request cancel(endpoint_config const& ep, std::string_view id) const = 0;
    virtual net::http_request list(endpoint_config const& ep, list_options const& o) const = 0;
    /// The GETs that read `b`'s results, in order (none before the provider wrote any).
    virtual std::vector<net::http_request> results(endpoint_config const& ep,
                                                   batch const& b) const = 0;

    /// Throw ins::error(protocol_error) when `v` is not the API's object.
    virtual batch parse_batch(boost::json::value const& v) const = 0;
    /// A page of batches: `{"data": [...], "has_more", "last_id"}` in both APIs.
    batch_page parse_page(boost::json::value const& v) const;
    virtual result_line parse_result(std::string_view line) const = 0;
};

/// The batch service for mode `m`'s API (the lines' bodies are the wire's), configured from the
/// client's options (auth and API headers). `secrets` (the client's, client/redaction.hpp) are
/// redacted from a line's error or a line it cannot parse before the text is cut: a secret split
/// by the cut would escape the client's exit.
std::unique_ptr<batch_api> make_batch_api(mode m, client_options const& o,
                                          std::vector<std::string> secrets);

/// "/v1/chat/completions", "/v1/responses" or "/v1/messages": where mode `m`'s lines go.
std::string_view batch_endpoint(mode m) noexcept;

/// The most lines a batch of any API may hold: what bounds the results of a batch whose
/// requests this client does not know.
std::size_t largest_batch() noexcept;

}  // namespace instructor::detail
