// An OpenAI- and Anthropic-compatible endpoint on 127.0.0.1, for tests, samples and benchmarks.
//
// It answers `POST .../chat/completions` (streaming or not) and `POST .../messages` in the wire
// format the request implies, with an instance of the requested schema (see example_instance.hpp),
// unless a test scripted the next replies with push(). Every request is recorded.
#pragma once

#include <instructor/testing/mock_reply.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace instructor::testing {

struct mock_options {
    bool tls = false;  ///< HTTPS with a self-signed certificate made at start (see ca_file())
    std::uint16_t port = 0;  ///< 0: any free port
    /// Characters of the answer per streamed delta in default answers.
    std::size_t stream_chunk_size = 8;
    std::size_t max_request_bytes = 8 * 1024 * 1024;
};

struct recorded_request {
    std::string method;
    std::string target;
    std::vector<net::header> headers;
    std::string body;
    std::size_t connection = 0;  ///< 1-based number of the connection it came on
};

class mock_server {
public:
    /// Starts listening on 127.0.0.1 and serving on a thread of its own.
    explicit mock_server(mock_options options = {});
    /// Stops the server and closes every connection.
    ~mock_server();
    mock_server(mock_server const&) = delete;
    mock_server& operator=(mock_server const&) = delete;

    std::uint16_t port() const noexcept;
    /// "http://127.0.0.1:<port>/v1" (https with tls).
    std::string base_url() const;
    /// Path of the PEM certificate to trust (tls only; empty otherwise).
    std::string const& ca_file() const noexcept;

    /// Queues a reply: requests take queued replies in order, then get default answers.
    void push(mock_reply reply);
    /// Every request received so far.
    std::vector<recorded_request> requests() const;
    std::size_t connections_accepted() const noexcept;
    std::size_t open_connections() const noexcept;

    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace instructor::testing
