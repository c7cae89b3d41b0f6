// An OpenAI- and Anthropic-compatible endpoint on 127.0.0.1, for tests, samples and benchmarks.
//
// It answers `POST .../chat/completions`, `POST .../responses` (streaming or not) and
// `POST .../messages` in the wire format the request implies, with an instance of the requested
// schema (see example_instance.hpp), unless a test scripted the next replies with push(); and
// batches of them (OpenAI's Files and Batches, Anthropic's Message Batches, in memory: see
// mock_options::batch_delay). It can
// also fault a share of its default answers, seeded and reproducible, to act as a provider
// under trouble. Every request is recorded (up to max_recorded).
#pragma once

#include <instructor/testing/mock_reply.hpp>

#include <chrono>
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

    // A provider under load, for benchmarks and users' own harnesses (default answers only;
    // scripted replies keep their own timing).
    /// Time to the first byte of each answer, and a uniform spread around it (+/-, seeded; a
    /// draw below zero is no wait).
    std::chrono::milliseconds latency{0};
    std::chrono::milliseconds latency_spread{0};
    /// The pace of streamed answers: SSE events (one delta each) per second; 0: unpaced.
    double tokens_per_second = 0;
    /// Disables Nagle's algorithm on accepted connections, as providers' servers do: a status
    /// line written apart from its body then does not wait out the client's delayed ACK (40 ms
    /// a call). instructor-bench, the instructor-mock command and the fault soak turn it on;
    /// off by default.
    bool tcp_nodelay = false;
    /// Answers are lengthened to about this many bytes of JSON by extending their first string
    /// that the schema does not constrain (no enum, const, pattern, format or maxLength; none:
    /// as they come). With stream_chunk_size, the number of events of a streamed answer.
    std::size_t answer_bytes = 0;
    /// Unpaced streamed answers go out this many bytes a write (0: as each reply says, 64):
    /// a large value lets a benchmark's stream arrive faster than the client reads it, so the
    /// client's own cost is what is measured.
    std::size_t stream_write_bytes = 0;

    /// Amazon Bedrock's paths check Signature Version 4 against this secret access key (any
    /// access key id, any region; service `bedrock`); a bearer token (a Bedrock API key) passes
    /// as it is.
    std::string aws_secret_access_key = "mock-aws-secret-access-key";

    // Batches: Files, Batches (OpenAI) and Message Batches (Anthropic), kept in memory. Each
    // line is answered as an interactive call would be when its batch is created.
    /// A batch reports "in_progress" for this long after it is created, then completes.
    std::chrono::milliseconds batch_delay{0};
    /// custom_ids whose lines fail at the provider (HTTP 500 in OpenAI's error file, `errored`
    /// at Anthropic).
    std::vector<std::string> batch_fail_ids;
    /// custom_ids answered with `{}` (every required field missing) the first time a batch
    /// holds them; a later batch (a retry pass) gets a good answer.
    std::vector<std::string> batch_invalid_ids;
};

/// What a mock served, for its summary.
struct mock_stats {
    std::size_t requests = 0;     ///< answered, recorded or not
    std::size_t connections = 0;  ///< accepted
    std::size_t faults = 0;       ///< default answers faulted
    /// status, count; status 0: closed without a response (mock_fault::close, raw replies)
    std::vector<std::pair<unsigned, std::size_t>> by_status;
    std::vector<std::pair<mock_fault, std::size_t>> faults_by_kind;  ///< fault, count
    std::size_t body_bytes = 0;  ///< response bodies sent (as planned; cut answers count whole)

    /// One line: "2000 requests on 64 connections: 200 x1990, 429 x10; faults: 429 x10; 3.1 MB".
    std::string to_string() const;
};

struct recorded_request {
    std::string method;
    std::string target;
    std::vector<net::header> headers;
    std::string body;
    std::size_t connection = 0;  ///< 1-based number of the connection it came on
    std::string sni;             ///< the TLS server name the client sent (https; empty: none)
    /// When the mock had read it (its own clock: the spacing of requests a client sends).
    std::chrono::steady_clock::time_point received{};
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
    /// Everything served so far.
    mock_stats stats() const;
    std::size_t open_connections() const noexcept;

    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace instructor::testing
