// The batch operations as sans-I/O machines on the engine's vocabulary (engine/operation.hpp):
// creating a batch (its steps, in order; the call that creates it sent at most once by the
// transport, as its service marks it), waiting for it (polls, backoff and deadline on an
// injected clock, the caller's progress callback), the single requests (retrieve, cancel,
// list), reading the results (files streamed line by line, each line judged, the lines bounded)
// and the retry pass's choices. The engine's driver runs them; tests drive them step by step
// without sockets.
#pragma once

#include "batch/batch_lines.hpp"
#include "batch/jsonl_lines.hpp"
#include "protocol/batch_api.hpp"
#include "engine/operation.hpp"

#include <instructor/batch.hpp>

#include <boost/json/value.hpp>

#include <exception>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace instructor::detail {

/// What the batch operations share: one request at a time to the batch service, each answer a
/// JSON object (protocol_error otherwise), sleeps between polls, and a failure kept as it came
/// (an ins::error, or what a caller's callback threw).
class service_op : public operation {
public:
    op_action resume(op_event ev) override;
    std::exception_ptr take_failure() override { return failure_; }

protected:
    virtual void start() = 0;
    /// The service's answer to the last request, parsed.
    virtual void answered(boost::json::value const& v) = 0;
    virtual void woke() {}

    // What comes next (one of them, once per step).
    void send(net::http_request r, net::retry_settings retry);
    void sleep_until(std::chrono::steady_clock::time_point t);
    void finish();

private:
    enum class state { idle, sending, sleeping, over };
    void step(op_event& ev);

    state st_ = state::idle;
    net::http_request request_;
    op_action next_;
    std::exception_ptr failure_;
};

/// One request whose answer `on_answer` reads (retrieve, cancel, list).
class request_op final : public service_op {
public:
    request_op(net::http_request r, net::retry_settings retry,
               std::function<void(boost::json::value const&)> on_answer)
        : r_(std::move(r)), retry_(retry), on_answer_(std::move(on_answer))
    {}

private:
    void start() override { send(std::move(r_), retry_); }
    void answered(boost::json::value const& v) override
    {
        on_answer_(v);
        finish();
    }

    net::http_request r_;
    net::retry_settings retry_;
    std::function<void(boost::json::value const&)> on_answer_;
};

/// Creates the batch `api` holds (OpenAI: upload the file, then create; Anthropic: create):
/// result() is the batch, in mode `m`, with the lines sent. `show` redacts what it shows.
class submit_op final : public service_op {
public:
    submit_op(batch_api& api, endpoint_config ep, batch_options const& opts, mode m,
              net::retry_settings retry, std::function<batch(batch)> show)
        : api_(api), ep_(std::move(ep)), opts_(opts), m_(m), retry_(retry), show_(std::move(show))
    {}
    batch& result() noexcept { return result_; }

private:
    void start() override;
    void answered(boost::json::value const& v) override;

    batch_api& api_;
    endpoint_config ep_;
    batch_options const& opts_;
    mode m_;
    net::retry_settings retry_;
    std::function<batch(batch)> show_;
    std::size_t lines_ = 0;
    batch result_;
};

/// Polls batch `id` until it reaches a terminal status: first after wo.first_poll, then each
/// wait doubled up to wo.max_poll (saturating), never past wo.deadline (errc::timeout while the
/// batch keeps running); wo.on_progress after every poll (what it throws ends the wait as it
/// is). `read` turns the service's answer into the batch shown (its kept mode, redacted).
class wait_op final : public service_op {
public:
    wait_op(batch_api& api, endpoint_config ep, std::string id, wait_options wo,
            net::retry_settings retry, std::function<batch(boost::json::value const&)> read,
            clock_fn clock = &std::chrono::steady_clock::now)
        : api_(api), ep_(std::move(ep)), id_(std::move(id)), wo_(std::move(wo)), retry_(retry),
          read_(std::move(read)), clock_(std::move(clock))
    {}
    batch& result() noexcept { return result_; }
    int polls() const noexcept { return polls_; }
    /// Whether the wait ended because on_progress threw.
    bool callback_threw() const noexcept { return callback_threw_; }

private:
    void start() override;
    void answered(boost::json::value const& v) override;
    void woke() override { poll(); }
    void poll();

    batch_api& api_;
    endpoint_config ep_;
    std::string id_;
    wait_options wo_;
    net::retry_settings retry_;
    std::function<batch(boost::json::value const&)> read_;
    clock_fn clock_;
    std::chrono::milliseconds delay_{0};
    int polls_ = 0;
    bool callback_threw_ = false;
    batch result_;
};

/// The mode `b`'s results are read in (its own, else `client_mode`; parallel tools for `many`).
/// Throws invalid_argument for a batch of another API or one still running, bad_request for one
/// the provider failed (it has no results).
mode results_mode(batch const& b, mode client_mode, bool many);

/// Reads `files` (the GETs of a finished batch's results, batch_api::results) one after the
/// other, each streamed and cut into lines as it arrives (never held whole): yields each line
/// judged (line(), answer()), then done. More than `most` lines is a protocol_error (a server that
/// keeps sending); a line longer than `max_line` bytes, response_too_large.
class results_op final : public operation {
public:
    results_op(batch_api const& api, wire const& w, std::vector<net::http_request> files,
               std::size_t most, std::size_t max_line, net::retry_settings retry,
               answer_target& target, bool many, std::string batch_id);

    op_action resume(op_event ev) override;
    std::exception_ptr take_failure() override { return failure_; }

    /// After a yield: the line, and its answer's extraction (what a re-ask echoes).
    batch_line& line() noexcept { return line_; }
    extraction const& answer() const noexcept { return x_; }
    usage total_usage() const noexcept { return total_; }

    /// The request::context a line's validators see (the retry pass knows the requests).
    std::function<boost::json::object const*(std::string const&)> context_of;
    /// client_options::prices: a line's cost where the provider reports none, at the price of
    /// the model its response names (exactly, else a priced name it is a dated snapshot of,
    /// else fallback_model) times price::batch_share.
    std::map<std::string, price> const* prices = nullptr;
    std::string fallback_model;  ///< priced when a line's model has no price: the client's

private:
    op_action step(op_event& ev);

    batch_api const& api_;
    wire const& w_;
    std::vector<net::http_request> files_;
    std::size_t next_file_ = 0;
    std::size_t most_, read_ = 0;
    std::size_t max_line_;
    net::retry_settings retry_;
    answer_target& target_;
    bool many_;
    std::string id_;
    jsonl_lines lines_;
    bool streaming_ = false;  // a file's stream is open
    bool over_ = false;
    net::http_request request_;
    batch_line line_;
    extraction x_;
    usage total_;
    std::exception_ptr failure_;
};

/// The retry pass's choices, without I/O: which request each custom_id names, and for a line
/// whose answer did not validate, the re-ask line added to `api` (the request's messages, the
/// answer as the model gave it, the issues), once per custom_id and only when the request allows
/// a re-ask (max_retries >= 1).
class retry_pass {
public:
    retry_pass(wire const& w, batch_api& api, std::span<request const> reqs,
               batch_options const& opts, client_options const& client,
               std::span<tool_spec const> tools, std::string batch_id);

    /// The request `custom_id` names; invalid_argument when it names none of them.
    request const& request_of(std::string const& custom_id) const;
    /// Adds the re-ask of `line` when it is due.
    void consider(batch_line const& line, extraction const& answer);

private:
    wire const& w_;
    batch_api& api_;
    std::span<request const> reqs_;
    batch_options const& opts_;
    client_options const& client_;
    std::span<tool_spec const> tools_;
    std::string id_;
    std::unordered_map<std::string_view, std::size_t> index_;  // custom_id -> request
    std::unordered_set<std::string> added_;  // a line the server repeats is re-asked once
};

}  // namespace instructor::detail
