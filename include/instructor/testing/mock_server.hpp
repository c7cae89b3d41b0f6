// An OpenAI- and Anthropic-compatible endpoint on 127.0.0.1, for tests, samples and benchmarks.
//
// It answers `POST .../chat/completions`, `POST .../responses` (streaming or not) and
// `POST .../messages` in the wire format the request implies, with an instance of the requested
// schema (see example_instance.hpp), unless a test scripted the next replies with push(). It can
// also fault a share of its default answers, seeded and reproducible, to act as a provider
// under trouble. Every request is recorded (up to max_recorded).
#pragma once

#include <instructor/testing/mock_reply.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

namespace instructor::testing {

/// What a faulted default answer does instead of answering well.
enum class mock_fault {
    rate_limited,            ///< 429 with retry-after-ms: 10
    server_error,            ///< 503 with retry-after-ms: 10
    cut,                     ///< the answer (whole or streamed) cut halfway, connection closed
    drip,                    ///< the answer in 16-byte chunks, 1 ms apart (slow but whole)
    invalid_json,            ///< a 200 whose body is not JSON (or a stream event that is not)
    schema_invalid,          ///< a well-formed answer of `{}`: every required field missing
    oversized,               ///< a 200 body of oversized_bytes
    close_without_response,  ///< the request is read, then the connection closed
};

/// Every fault, for mock_options::faults.
std::vector<mock_fault> const& all_mock_faults();
/// "429", "500", "cut", "drip", "invalid-json", "schema-invalid", "oversized", "close"; and back.
std::string_view to_string(mock_fault f) noexcept;
std::optional<mock_fault> mock_fault_from_string(std::string_view name) noexcept;

struct mock_options {
    bool tls = false;  ///< HTTPS with a self-signed certificate made at start (see ca_file())
    /// The names that certificate is for, in OpenSSL's form.
    std::string tls_subject_alt_names = "DNS:localhost,IP:127.0.0.1,IP:::1";
    std::uint16_t port = 0;  ///< 0: any free port
    /// Characters of the answer per streamed delta in default answers.
    std::size_t stream_chunk_size = 8;
    std::size_t max_request_bytes = 8 * 1024 * 1024;
    /// Requests kept for requests(): the most recent this many (0: none). Unbounded by default
    /// for tests; the instructor-mock command keeps 1,000 so a long load run stays small.
    std::size_t max_recorded = static_cast<std::size_t>(-1);
    /// Share of default answers (0..1) replaced by one of `faults`, drawn from a generator seeded
    /// with `seed`: the same seed and the same order of requests give the same faults.
    double fault_rate = 0;
    std::vector<mock_fault> faults = all_mock_faults();
    std::uint64_t seed = 1;
    std::size_t oversized_bytes = 17 * 1024 * 1024;  ///< body size of mock_fault::oversized
    /// Default chat answers carry WorkflowAI's extras on their choice (on the last chunk when
    /// streamed): `cost_usd` (priced per token as gpt-4o-mini), `duration_seconds` and `url`,
    /// the run's page.
    bool workflowai_run_info = false;
};

struct recorded_request {
    std::string method;
    std::string target;
    std::vector<net::header> headers;
    std::string body;
    std::size_t connection = 0;  ///< 1-based number of the connection it came on
    std::string sni;             ///< the TLS server name the client sent (https; empty: none)
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
    /// The requests received so far (the most recent mock_options::max_recorded of them).
    std::vector<recorded_request> requests() const;
    /// How many requests were answered, recorded or not.
    std::size_t requests_served() const noexcept;
    /// How many default answers were faulted (mock_options::fault_rate).
    std::size_t faults_served() const noexcept;
    std::size_t connections_accepted() const noexcept;
    std::size_t open_connections() const noexcept;

    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace instructor::testing
