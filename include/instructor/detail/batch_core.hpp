// The untyped side of batches that the templates in client.hpp call into (lib/batch/).
#pragma once

#include <instructor/batch.hpp>
#include <instructor/detail/answer_target.hpp>
#include <instructor/detail/batch_line.hpp>
#include <instructor/detail/tool_spec.hpp>
#include <instructor/request.hpp>
#include <instructor/usage.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace instructor::detail {

struct client_state;

/// Writes one line per request (the body create<T> would send), checks the provider's limits,
/// uploads and creates the batch. `reqs` must outlive the awaitable. Throws ins::error.
boost::asio::awaitable<batch> run_create_batch(std::shared_ptr<client_state> state,
                                               std::span<request const> reqs,
                                               std::vector<tool_spec> tools, bool many,
                                               batch_options opts);

enum class batch_op { retrieve, cancel };
/// What a batch given (not its id) carries over to the batch the provider reports: its mode
/// when the provider does not say it (batch::mode), and the lines this client sent.
struct batch_kept {
    std::optional<mode> m;
    std::size_t submitted = 0;
};
boost::asio::awaitable<batch> run_batch_op(std::shared_ptr<client_state> state, batch_op op,
                                           std::string id, batch_kept keep);
boost::asio::awaitable<batch> run_wait_batch(std::shared_ptr<client_state> state, std::string id,
                                             wait_options opts, batch_kept keep);
boost::asio::awaitable<batch_page> run_list_batches(std::shared_ptr<client_state> state,
                                                    list_options opts);

/// Reads a batch's results (OpenAI: the output file, then the error file; Anthropic: the
/// results) line by line as they arrive, each answer fed to the target and judged as a call
/// judges it. Holds one line and one read at a time, never the whole file.
class batch_reader {
public:
    batch_reader(std::shared_ptr<client_state> state, batch const& b, bool many,
                 answer_target& target);
    ~batch_reader();
    batch_reader(batch_reader const&) = delete;
    batch_reader& operator=(batch_reader const&) = delete;

    /// The next line; std::nullopt after the last. Throws ins::error (the transport's, or
    /// protocol_error for a line that is not the API's).
    boost::asio::awaitable<std::optional<batch_line>> next();
    /// Usage summed over the answers read so far.
    usage total_usage() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Reads `b`'s results and creates a batch of re-asks (the request's messages, the model's
/// answer, the validation errors, as a call's re-ask) for the lines that did not validate,
/// each under its original custom_id. `reqs` and `opts.custom_ids` as given to create_batch.
/// std::nullopt when every answer validated (or failed at the provider).
boost::asio::awaitable<std::optional<batch>> run_retry_batch(
    std::shared_ptr<client_state> state, batch b, std::span<request const> reqs,
    std::vector<tool_spec> tools, bool many, answer_target& target, batch_options opts);

}  // namespace instructor::detail
