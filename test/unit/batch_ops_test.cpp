// The batch operations without sockets (lib/batch/batch_ops.hpp), as call_core_test drives a
// call: scripted service answers, time from a fake clock, every step failed in turn; each run
// ends exactly once, with its result or its error.
#include "async_test.hpp"
#include "batch/batch_ops.hpp"
#include "scripted_op.hpp"

#include <instructor/client_options.hpp>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <deque>
#include <stdexcept>

namespace ins = instructor;
namespace det = ins::detail;
namespace json = boost::json;
using namespace std::chrono_literals;
using time_point = std::chrono::steady_clock::time_point;

namespace {

ins::client_options options()
{
    ins::client_options o;
    o.base_url = "http://batches.test/v1";
    o.api_key = "sk-batch-ops-key";
    o.mode = ins::mode::tools;
    return o;
}

std::string batch_json(std::string const& status)
{
    return json::serialize(json::object{{"id", "batch_1"},
                                        {"object", "batch"},
                                        {"status", status},
                                        {"endpoint", "/v1/chat/completions"},
                                        {"request_counts", {{"total", 2}, {"completed", 0}, {"failed", 0}}}});
}

struct outcome {
    std::vector<std::string> urls;      // every send, in order
    std::vector<bool> idempotent;       // of every send
    std::vector<time_point> sleeps;     // every sleep's end
    std::exception_ptr failure;
    int terminal = 0;                   // done or fail actions seen
};

/// Drives `op`: sends answered from `answers` in order (the step numbered `fail_at` fails with
/// connection_failed instead), sleeps move `now` to their end.
outcome drive(det::operation& op, std::deque<std::string> answers, time_point& now,
              int fail_at = -1)
{
    outcome out;
    int step = 0;
    auto const end = test::run_scripted(op, [&](det::op_action const& a) {
        switch (a.k) {
        case det::op_action::kind::send: {
            out.urls.push_back(a.request->url);
            out.idempotent.push_back(a.request->idempotent);
            if (step++ == fail_at || answers.empty())
                return det::op_event::failed(ins::error(ins::errc::connection_failed, "injected"));
            auto answer = std::move(answers.front());
            answers.pop_front();
            return det::op_event::response(std::move(answer));
        }
        case det::op_action::kind::sleep:
            out.sleeps.push_back(a.until);
            now = a.until;
            return det::op_event::woke();
        default:
            ADD_FAILURE() << "an action a batch operation never asks for";
            return det::op_event::failed(ins::error(ins::errc::invalid_argument, "no such step"));
        }
    });
    if (!end) {
        ADD_FAILURE() << "the operation never finished";
        return out;
    }
    ++out.terminal;
    if (*end == det::op_action::kind::fail)
        out.failure = op.take_failure();
    else
        EXPECT_EQ(op.resume(det::op_event::next()).k, det::op_action::kind::fail);
    return out;
}

struct waiting {
    ins::client_options o = options();
    std::unique_ptr<det::batch_api> api = det::make_batch_api(ins::mode::tools, o, {o.api_key});
    time_point now = time_point{} + 1000h;
    int progress = 0;

    det::wait_op make(ins::wait_options wo)
    {
        return det::wait_op(*api, {o.base_url, o.api_key, {}}, "batch_1", std::move(wo), {},
                            [this](json::value const& v) { return api->parse_batch(v); },
                            [this] { return now; });
    }
};

}  // namespace

TEST(BatchOps, WaitPollsWithDoublingWaitsOnItsClock)
{
    waiting w;
    ins::wait_options wo;
    wo.first_poll = 1s;
    wo.max_poll = 3s;
    wo.on_progress = [&](ins::batch const&) { ++w.progress; };
    auto op = w.make(wo);
    auto const start = w.now;
    auto out = drive(op, {batch_json("validating"), batch_json("in_progress"),
                          batch_json("in_progress"), batch_json("finalizing"), batch_json("completed")},
                     w.now);
    ASSERT_FALSE(out.failure);
    EXPECT_EQ(op.result().status, "completed");
    EXPECT_EQ(out.urls.size(), 5u);
    EXPECT_EQ(w.progress, 5);
    ASSERT_EQ(out.sleeps.size(), 4u);
    EXPECT_EQ(out.sleeps[0] - start, 1s);
    EXPECT_EQ(out.sleeps[1] - out.sleeps[0], 2s);
    EXPECT_EQ(out.sleeps[2] - out.sleeps[1], 3s);  // at most max_poll
    EXPECT_EQ(out.sleeps[3] - out.sleeps[2], 3s);
    EXPECT_EQ(out.urls[0], "http://batches.test/v1/batches/batch_1");
}

TEST(BatchOps, WaitEndsAtItsDeadlineWhileTheBatchRuns)
{
    waiting w;
    ins::wait_options wo;
    wo.first_poll = 1s;
    wo.deadline = w.now + 2500ms;
    auto op = w.make(wo);
    std::deque<std::string> running(10, batch_json("in_progress"));
    auto out = drive(op, running, w.now);
    EXPECT_EQ(test::errc_of(out.failure), ins::errc::timeout);
    EXPECT_EQ(out.urls.size(), 3u);              // at 0, 1 s and the deadline (2.5 s)
    EXPECT_EQ(out.sleeps.back(), *wo.deadline);  // never past it
}

TEST(BatchOps, HugeWaitsSaturateToTheDeadline)
{
    waiting w;
    ins::wait_options wo;
    wo.first_poll = std::chrono::milliseconds::max();
    wo.max_poll = std::chrono::milliseconds::max();
    wo.deadline = w.now + 1h;
    auto op = w.make(wo);
    auto out = drive(op, std::deque<std::string>(10, batch_json("in_progress")), w.now);
    EXPECT_EQ(test::errc_of(out.failure), ins::errc::timeout);
    EXPECT_EQ(out.urls.size(), 2u);  // now, and at the deadline: no spinning
}

TEST(BatchOps, WhatOnProgressThrowsEndsTheWaitAsItIs)
{
    waiting w;
    ins::wait_options wo;
    wo.on_progress = [](ins::batch const&) { throw std::out_of_range("caller's own"); };
    auto op = w.make(wo);
    auto out = drive(op, {batch_json("in_progress")}, w.now);
    ASSERT_TRUE(out.failure);
    EXPECT_TRUE(op.callback_threw());
    EXPECT_THROW(std::rethrow_exception(out.failure), std::out_of_range);
}

TEST(BatchOps, AnAnswerThatIsNotJsonIsAProtocolError)
{
    waiting w;
    auto op = w.make({});
    auto out = drive(op, {"<html>busy</html>"}, w.now);
    EXPECT_EQ(test::errc_of(out.failure), ins::errc::protocol_error);
}

// Every step of a wait (three polls), of a submit (upload, create) and of a single request,
// failed in turn: the run ends once, with that step's error.
TEST(BatchOps, EveryStepFailedInTurn)
{
    for (int n = 0; n < 3; ++n) {
        SCOPED_TRACE("wait, step " + std::to_string(n));
        waiting w;
        auto op = w.make({});
        auto out = drive(op, {batch_json("in_progress"), batch_json("in_progress"),
                              batch_json("completed")},
                         w.now, n);
        EXPECT_EQ(out.terminal, 1);
        EXPECT_EQ(test::errc_of(out.failure), ins::errc::connection_failed);
        EXPECT_EQ(out.urls.size(), static_cast<std::size_t>(n + 1));
    }
    for (int n = 0; n < 2; ++n) {
        SCOPED_TRACE("submit, step " + std::to_string(n));
        auto o = options();
        auto api = det::make_batch_api(ins::mode::tools, o, {o.api_key});
        api->add("0", json::object{{"model", "m"}, {"messages", json::array{}}});
        ins::batch_options bo;
        time_point now{};
        det::submit_op op(*api, {o.base_url, o.api_key, {}}, bo, ins::mode::tools, {},
                          [](ins::batch b) { return b; });
        auto out = drive(op, {R"({"id": "file-1", "object": "file"})", batch_json("validating")},
                         now, n);
        EXPECT_EQ(out.terminal, 1);
        EXPECT_EQ(test::errc_of(out.failure), ins::errc::connection_failed);
        EXPECT_EQ(out.urls.size(), static_cast<std::size_t>(n + 1));
    }
    time_point now{};
    det::request_op op({}, {}, [](json::value const&) { ADD_FAILURE() << "no answer came"; });
    auto out = drive(op, {"{}"}, now, 0);
    EXPECT_EQ(test::errc_of(out.failure), ins::errc::connection_failed);
}

// Creating: the upload (which may be sent again on a network fault), then the call that creates
// the batch, marked not idempotent: the transport sends it at most once.
TEST(BatchOps, SubmitUploadsThenCreatesOnce)
{
    auto o = options();
    auto api = det::make_batch_api(ins::mode::tools, o, {o.api_key});
    api->add("0", json::object{{"model", "m"}, {"messages", json::array{}}});
    api->add("1", json::object{{"model", "m"}, {"messages", json::array{}}});
    ins::batch_options bo;
    time_point now{};
    det::submit_op op(*api, {o.base_url, o.api_key, {}}, bo, ins::mode::tools, {},
                      [](ins::batch b) { return b; });
    auto out = drive(op, {R"({"id": "file-1", "object": "file"})", batch_json("validating")}, now);
    ASSERT_FALSE(out.failure);
    EXPECT_EQ(out.urls, (std::vector<std::string>{"http://batches.test/v1/files",
                                                  "http://batches.test/v1/batches"}));
    EXPECT_EQ(out.idempotent, (std::vector<bool>{true, false}));
    EXPECT_EQ(op.result().id, "batch_1");
    EXPECT_EQ(op.result().submitted, 2u);
    EXPECT_EQ(op.result().mode, ins::mode::tools);
}
