// The batch operations without sockets (lib/batch/batch_ops.hpp), as call_core_test drives a
// call: scripted service answers and result files, time from a fake clock, every step failed in
// turn; each run ends exactly once, with its result or its error. The retry pass's choices too.
#include "async_test.hpp"
#include "batch/batch_ops.hpp"
#include "models.hpp"
#include "protocol/wire.hpp"
#include "scripted_op.hpp"

#include <instructor/client.hpp>
#include <instructor/client_options.hpp>
#include <instructor/testing/mock_reply.hpp>

#include <boost/json/parse.hpp>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <stdexcept>

namespace batch_ops_test {

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

// ---- reading results and the retry pass ----

namespace {

/// A result line of OpenAI's Batch API answering `args` as UserInfo's tool call.
std::string result_line(std::string const& id, std::string const& args)
{
    auto body = json::parse(ins::testing::mock_reply::chat_tool_call("UserInfo", args).body);
    return json::serialize(json::object{
               {"custom_id", id}, {"response", {{"status_code", 200}, {"body", body}}}}) +
           "\n";
}

struct reading {
    ins::client_options o = options();
    std::unique_ptr<det::batch_api> api = det::make_batch_api(ins::mode::tools, o, {o.api_key});
    std::unique_ptr<det::wire> w = det::make_wire(ins::mode::tools, o);
    models::UserInfo value{};
    det::value_target<models::UserInfo> target{value};

    /// A finished batch with an output file and an error file.
    ins::batch finished(std::size_t submitted = 3) const
    {
        ins::batch b;
        b.id = "batch_1";
        b.status = "completed";
        b.output_file_id = "file-out";
        b.error_file_id = "file-err";
        b.submitted = submitted;
        return b;
    }

    det::results_op make(ins::batch const& b)
    {
        target.options = o.decoding;
        return det::results_op(*api, *w, api->results({o.base_url, o.api_key, {}}, b),
                               det::result_lines_bound(b), 1 << 20, {}, target, false, b.id);
    }
};

struct read_outcome {
    std::vector<std::string> urls;
    std::vector<det::batch_line> lines;
    std::vector<int> ages;  // of the lines that validated
    std::exception_ptr failure;
    int steps = 0;  // sends and reads
};

/// Drives a results_op: each file streamed in 7-byte pieces; the step numbered `fail_at` (a send
/// or a read) fails with connection_failed instead.
read_outcome read_all(det::results_op& op, reading& r, std::vector<std::string> files,
                      int fail_at = -1)
{
    read_outcome out;
    int step = 0;
    std::string rest;
    auto const end = test::run_scripted(op, [&](det::op_action const& a) {
        bool const io = a.k == det::op_action::kind::send || a.k == det::op_action::kind::read;
        auto const failing = io && step++ == fail_at;
        switch (a.k) {
        case det::op_action::kind::send:
            EXPECT_TRUE(a.stream);
            out.urls.push_back(a.request->url);
            if (failing || files.empty())
                return det::op_event::failed(ins::error(ins::errc::connection_failed, "injected"));
            rest = std::move(files.front());
            files.erase(files.begin());
            return det::op_event::opened();
        case det::op_action::kind::read: {
            if (failing)
                return det::op_event::failed(ins::error(ins::errc::connection_failed, "injected"));
            if (rest.empty())
                return det::op_event::eof();
            auto piece = rest.substr(0, 7);
            rest.erase(0, 7);
            return det::op_event::bytes(std::move(piece));
        }
        case det::op_action::kind::yield:
            out.lines.push_back(op.line());
            if (op.line().ok)
                out.ages.push_back(r.value.age);
            return det::op_event::next();
        default:
            ADD_FAILURE() << "an action reading results never asks for";
            return det::op_event::failed(ins::error(ins::errc::invalid_argument, "no such step"));
        }
    });
    out.steps = step;
    if (!end)
        ADD_FAILURE() << "reading never finished";
    else if (*end == det::op_action::kind::fail)
        out.failure = op.take_failure();
    else
        EXPECT_EQ(op.resume(det::op_event::next()).k, det::op_action::kind::fail);
    return out;
}

}  // namespace

TEST(BatchOps, ResultsAreReadFileByFileInPiecesEachLineJudged)
{
    reading r;
    auto const b = r.finished();
    auto op = r.make(b);
    auto const error_line = json::serialize(json::object{
        {"custom_id", "2"}, {"error", {{"code", "batch_expired"}, {"message", "too late"}}}});
    auto out = read_all(op, r,
                        {result_line("0", R"({"name":"Ann","age":31})") +
                             result_line("1", R"({"name":"Bob","age":"old"})"),
                         error_line});  // no line end after the last line
    ASSERT_FALSE(out.failure);
    ASSERT_EQ(out.urls.size(), 2u);
    EXPECT_NE(out.urls[0].find("file-out"), std::string::npos);
    EXPECT_NE(out.urls[1].find("file-err"), std::string::npos);
    ASSERT_EQ(out.lines.size(), 3u);
    EXPECT_TRUE(out.lines[0].ok);
    EXPECT_EQ(out.ages, std::vector<int>{31});
    EXPECT_FALSE(out.lines[1].ok);
    EXPECT_FALSE(out.lines[1].issues.empty());  // a re-ask is due
    ASSERT_TRUE(out.lines[2].failure);
    EXPECT_EQ(out.lines[2].failure->code_enum(), ins::errc::timeout);
    EXPECT_GT(op.total_usage().total_tokens, 0);
}

TEST(BatchOps, EveryResultsStepFailedInTurnEndsOnceWithThatError)
{
    std::vector<std::string> const files{result_line("0", R"({"name":"Ann","age":31})"), "\n"};
    reading whole;
    auto clean = whole.make(whole.finished());
    auto const steps = read_all(clean, whole, files).steps;  // both files' sends and reads
    ASSERT_GT(steps, 10);
    for (int fail_at = 0; fail_at < steps; ++fail_at) {
        SCOPED_TRACE(fail_at);
        reading r;
        auto op = r.make(r.finished());
        auto out = read_all(op, r, files, fail_at);
        ASSERT_TRUE(out.failure);
        EXPECT_EQ(test::errc_of(out.failure), ins::errc::connection_failed);
    }
}

TEST(BatchOps, MoreResultLinesThanRequestsIsAProtocolError)
{
    reading r;
    auto op = r.make(r.finished(1));  // one request sent
    auto out = read_all(op, r,
                        {result_line("0", R"({"name":"Ann","age":31})") +
                         result_line("0", R"({"name":"Ann","age":31})")});
    EXPECT_EQ(out.lines.size(), 1u);
    EXPECT_EQ(test::errc_of(out.failure), ins::errc::protocol_error);
}

TEST(BatchOps, ResultsOfARunningFailedOrForeignBatchAreRefused)
{
    reading r;
    auto b = r.finished();
    EXPECT_EQ(det::results_mode(b, ins::mode::tools, false), ins::mode::tools);
    EXPECT_EQ(det::results_mode(b, ins::mode::tools, true), ins::mode::parallel_tools);
    b.status = "in_progress";
    EXPECT_EQ(test::errc_of(test::thrown([&] { det::results_mode(b, ins::mode::tools, false); })),
              ins::errc::invalid_argument);
    b.status = "failed";
    EXPECT_EQ(test::errc_of(test::thrown([&] { det::results_mode(b, ins::mode::tools, false); })),
              ins::errc::bad_request);
    b.status = "completed";
    b.endpoint = "/v1/messages";
    EXPECT_EQ(test::errc_of(test::thrown([&] { det::results_mode(b, ins::mode::tools, false); })),
              ins::errc::invalid_argument);
}

TEST(BatchOps, TheRetryPassReasksOnlyWhatMayBeReaskedOnce)
{
    reading r;
    r.o.default_model = "gpt-4o-mini";
    auto second = det::make_batch_api(ins::mode::tools, r.o, {});
    std::vector<ins::request> reqs(3);
    for (auto& q : reqs)
        q.messages.push_back(ins::message::user("Who?"));
    reqs[2].max_retries = 0;  // asks for no re-ask
    ins::batch_options opts;
    auto const tools = det::value_target<models::UserInfo>::spec_tools();
    det::retry_pass pass(*r.w, *second, reqs, opts, r.o, tools, "batch_1");
    auto op = r.make(r.finished());
    auto out = read_all(op, r,
                        {result_line("0", R"({"name":"Ann","age":31})") +
                         result_line("1", R"({"name":"Bob","age":"old"})") +
                         result_line("2", R"({"name":"Cy","age":"older"})")});
    ASSERT_EQ(out.lines.size(), 3u);
    // (the pass sees each line with its answer as the reader hands it out)
    det::extraction x;
    x.answers.push_back({"UserInfo", "call_1", R"({"name":"Bob","age":"old"})", {}});
    for (auto const& line : out.lines)
        pass.consider(line, x);
    pass.consider(out.lines[1], x);  // the server repeated a line: re-asked once
    EXPECT_EQ(second->lines(), 1u);
    EXPECT_EQ(&pass.request_of("2"), &reqs[2]);
    EXPECT_EQ(test::errc_of(test::thrown([&] { (void)pass.request_of("7"); })),
              ins::errc::invalid_argument);
    EXPECT_EQ(test::errc_of(test::thrown([&] { (void)pass.request_of("x"); })),
              ins::errc::invalid_argument);
}

TEST(BatchOps, EachLineIsPricedByTheModelItNamesAtTheBatchShare)
{
    reading r;
    std::map<std::string, ins::price> prices{{"gpt-4o-mini", {1, 2}},
                                             {"gpt-4o", {10, 20}},
                                             {"fallback-model", {100, 200}}};
    auto line = [](std::string const& id, std::string const& model) {
        auto body = json::parse(ins::testing::mock_reply::chat_tool_call(
                                    "UserInfo", R"({"name":"Ann","age":31})")
                                    .body);
        body.as_object()["model"] = model;
        body.as_object()["usage"] = {{"prompt_tokens", 10}, {"completion_tokens", 10}, {"total_tokens", 20}};
        return json::serialize(json::object{
                   {"custom_id", id}, {"response", {{"status_code", 200}, {"body", body}}}}) +
               "\n";
    };
    auto const b = r.finished(4);
    auto op = r.make(b);
    op.prices = &prices;
    op.fallback_model = "fallback-model";
    auto out = read_all(op, r,
                        {line("0", "gpt-4o-mini-2024-07-18") + line("1", "gpt-4o-mini") +
                             line("2", "gpt-4o-2024-08-06") + line("3", "someone-else"),
                         ""});
    ASSERT_FALSE(out.failure);
    ASSERT_EQ(out.lines.size(), 4u);
    // Half of: 10 in and 10 out at 1/2 twice (a snapshot and the name), at 10/20 (gpt-4o's own
    // snapshot, not gpt-4o-mini's), and at the fallback's 100/200 (a model without a price).
    auto const cost = op.total_usage().cost_usd;
    ASSERT_TRUE(cost);
    EXPECT_NEAR(*cost, (30 + 30 + 300 + 3000) / 1e6 * 0.5, 1e-12);
}

}  // namespace batch_ops_test
