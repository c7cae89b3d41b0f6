// The batch operations as sans-I/O machines on the engine's vocabulary (engine/operation.hpp):
// creating a batch (its steps, in order; the call that creates it sent at most once by the
// transport, as its service marks it), waiting for it (polls, backoff and deadline on an
// injected clock, the caller's progress callback) and the single requests (retrieve, cancel,
// list). The engine's driver runs them; tests drive them step by step without sockets.
#pragma once

#include "protocol/batch_api.hpp"
#include "engine/operation.hpp"

#include <instructor/batch.hpp>

#include <boost/json/value.hpp>

#include <exception>
#include <functional>
#include <string>

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

}  // namespace instructor::detail
