// The API table: one row per API the library speaks, chosen once from the mode. What the layers
// above know of an API they learn from its row; its code lives in its folder under lib/protocol/
// (openai_chat/, openai_responses/, anthropic_messages/, genai/, bedrock/, and openai_batch/ for
// the Batch API the two OpenAI rows share). A new API is a folder and a row: nothing outside lib/protocol/ names
// a provider but the from_provider catalogue (lib/client/providers.cpp).
#pragma once

#include <instructor/batch.hpp>
#include <instructor/client_options.hpp>
#include <instructor/mode.hpp>
#include <instructor/net/http_types.hpp>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace instructor::detail {

class wire;
class batch_api;

struct api_row {
    std::string_view name;             ///< "openai_chat", "openai_responses", "anthropic_messages"
    bool (*speaks)(mode) noexcept;     ///< the modes of this API
    std::string_view path;             ///< a call's path below the endpoint's base URL
    std::string_view batch_line_url;   ///< the path a batch line names ("/v1/chat/completions")
    batch_limits batches;              ///< what one batch may hold
    /// How the key is sent: the headers that carry it (none for an empty key). Their names are
    /// the request's secret headers, never copied into errors, logs or hooks.
    std::vector<net::header> (*auth)(std::string const& key);
    /// The server's own words in an error body of this API (empty when it holds none): the
    /// transport, which knows statuses and bytes only, is handed it with each request.
    net::error_reader error_message;
    std::unique_ptr<wire> (*make_wire)(mode, client_options const&);
    /// The batch service (null: none; make_batch_api refuses the mode); `secrets` are redacted from a line's error or a line that does not
    /// parse before the text is cut (a secret split by the cut would escape the client's exit).
    std::unique_ptr<batch_api> (*make_batches)(mode, client_options const&,
                                               std::vector<std::string> secrets);
};

/// Every API, one row each.
std::span<api_row const> api_rows() noexcept;

/// The row of the API that speaks mode `m`.
api_row const& api_for(mode m) noexcept;

/// What the client's options add to every request of any API: headers, query parameters, and
/// the header that carries the key when the API's own way is not wanted (Azure's `api-key`).
struct request_extras {
    std::vector<net::header> headers;
    std::vector<std::pair<std::string, std::string>> query;
    std::string key_header;

    static request_extras of(client_options const& o)
    {
        return {o.headers, o.query, o.api_key_header};
    }
};

/// The HTTP request of a call or a batch service to `ep`: `path` below its base URL with the
/// client's query parameters, the key as `api` sends it (or in `extra.key_header`), the API's
/// own headers, then the client's; errors read with the API's error_message.
net::http_request api_request(api_row const& api, endpoint_config const& ep, std::string_view path,
                              std::vector<net::header> own, request_extras const& extra,
                              std::string body);

}  // namespace instructor::detail
