// The mock endpoint's Files and Batches (OpenAI) and Message Batches (Anthropic), in memory.
#pragma once

#include <instructor/testing/mock_server.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace instructor::testing {

/// Each line is answered as the mock answers an interactive call when its batch is created;
/// the batch reports "in_progress" until mock_options::batch_delay has passed, then completes.
/// Not thread-safe: the server calls it under its own lock.
class mock_batches {
public:
    /// The reply to a Files or Batches request, or std::nullopt for any other path. `base_url`:
    /// the server's own, which every URL it hands out points below (an SDK follows a batch's
    /// results_url as given: it must never lead a client of the mock to a real service).
    std::optional<mock_reply> answer(std::string_view method, std::string_view target,
                                     std::string_view content_type, std::string_view body,
                                     mock_options const& o, std::string_view base_url);

private:
    struct line_result {
        std::string text;  // the result line, without its line end
        bool ok = false;
    };
    struct record {
        std::string id;
        bool anthropic = false;
        std::string endpoint, input_file_id, completion_window;
        std::string metadata;  // JSON text
        std::chrono::steady_clock::time_point done_at;
        long long created_at = 0, ended_at = 0;  // seconds since the epoch
        std::size_t total = 0, ok = 0, failed = 0;
        bool cancelled = false;
        std::string failure;  // JSON text of `errors` when validation failed
        std::string output_file_id, error_file_id;
        std::string results;  // Anthropic: the JSONL
        std::vector<std::string> ids;  // the custom_ids, in order
    };

    mock_reply upload(std::string_view content_type, std::string_view body);
    mock_reply file_content(std::string_view id);
    mock_reply create_openai(std::string_view body, mock_options const& o);
    mock_reply create_anthropic(std::string_view body, mock_options const& o);
    mock_reply cancel(std::string_view id, bool anthropic);
    mock_reply list(std::string_view query, bool anthropic) const;
    mock_reply results(std::string_view id);
    std::string describe(record const& r) const;  // the batch as its API shows it
    bool ended(record const& r) const;
    line_result answer_line(std::string const& custom_id, std::string_view url,
                            std::string const& body, bool anthropic, mock_options const& o);

    std::string base_url_;  // the server's
    std::size_t next_id_ = 1;
    std::map<std::string, std::string> files_;
    std::map<std::string, record> batches_;
    std::set<std::string> invalidated_;  // batch_invalid_ids already answered badly once
};

}  // namespace instructor::testing
