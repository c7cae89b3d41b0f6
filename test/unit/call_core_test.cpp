// The call core without sockets: scripted replies drive it step by step, through all three
// wires; every I/O step of a call and of a stream is failed in turn (as Beast's fail_count tests
// do) and each run must end exactly once, with a value or a typed error; the same answers give
// the same outcome, usage and hooks through a call and through a stream.
#include "models.hpp"

#include "client/call_core.hpp"
#include "client/redaction.hpp"
#include "scripted_op.hpp"
#include "testing/mock_answers.hpp"

#include <instructor/client.hpp>
#include "net/http_errors.hpp"
#include <instructor/testing/mock_reply.hpp>

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <gtest/gtest.h>

#include <map>

#include <deque>
#include <string>
#include <vector>

namespace call_core_test {

namespace det = ins::detail;
using ins::testing::mock_reply;
using models::UserInfo;

namespace {

std::string const bad_args = R"({"name":"John Doe","age":"thirty-two"})";

ins::client_options options(ins::mode m)
{
    ins::client_options o;
    o.base_url = "http://primary.test/v1";
    o.api_key = "sk-core-test-key";
    o.mode = m;
    return o;
}

ins::request john(int max_retries = 3)
{
    ins::request req;
    req.model = "gpt-4o-mini";
    req.messages.push_back(ins::message::user("John Doe is 32 years old."));
    req.max_retries = max_retries;
    return req;
}

struct outcome {
    std::optional<UserInfo> value;
    std::optional<ins::completion> completion;
    std::optional<ins::error> error;
    std::vector<std::string> hooks;  // "<kind><attempt>@<endpoint host>"
    std::vector<std::string> urls;   // every send's URL
    std::vector<std::string> bodies; // every send's body
    std::vector<std::string> shown;  // what response and parse hooks read: "<kind>:<reply>"
    int terminal = 0;                // done or fail actions seen
    int io_steps = 0;                // sends, reads and cache steps carried out
    bool failed_cache_step = false;  // the injected failure hit a cache step
    int snapshots = 0;               // partials handed out (streams)
    ins::usage usage;
    std::size_t arena_bytes = 0;     // the call arena's block in use at the end
};

std::string kind_name(ins::hook k)
{
    switch (k) {
    case ins::hook::completion_kwargs: return "kwargs";
    case ins::hook::completion_response: return "response";
    case ins::hook::completion_usage: return "usage";
    case ins::hook::completion_error: return "error";
    case ins::hook::parse_error: return "parse";
    case ins::hook::completion_last_attempt: return "last";
    case ins::hook::cache_error: return "cache";
    case ins::hook::rate_limited: return "rate";
    }
    return "?";
}

ins::hooks recording(outcome& out)
{
    ins::hooks h;
    for (auto k : {ins::hook::completion_kwargs, ins::hook::completion_response,
                   ins::hook::completion_usage, ins::hook::completion_error,
                   ins::hook::parse_error, ins::hook::completion_last_attempt,
                   ins::hook::cache_error})
        h.on(k, [&out, k](ins::hook_event const& e) {
            if (k == ins::hook::completion_response || k == ins::hook::parse_error)
                out.shown.push_back(kind_name(k) + ":" +
                                    (e.response ? boost::json::serialize(*e.response) : "none"));
            auto host = boost::urls::parse_uri(e.endpoint);
            out.hooks.push_back(kind_name(k) + std::to_string(e.attempt) + "@" +
                                (host ? std::string(host->host()) : e.endpoint));
        });
    return h;
}

struct script {
    std::deque<mock_reply> replies;  // scripted; the mock's default answer when empty
    int fail_at = -1;                // the I/O step (send or read) that fails
    ins::errc fail_code = ins::errc::connection_failed;
    std::size_t piece = 7;           // stream bytes per read
    /// The client's cache when options().cache is set: cache steps are I/O steps too.
    std::map<std::string, std::string>* cache = nullptr;
    bool heard = true;      // hooks listen (the core then keeps the trees they read)
    bool drop_raw = false;  // the caller drops the completion's raw reply (create)
    /// A call's core lives in a call arena, as run_call keeps it (a stream's on the heap, as
    /// stream_driver keeps it), and takes the client's wires; true: on the heap, with a wire
    /// of its own.
    bool heap = false;
};

/// Runs one call (or stream) through the core, answering its actions from `s`.
outcome drive(ins::client_options const& o, ins::request req, bool stream, script s)
{
    outcome out;
    UserInfo value{};
    det::value_target<UserInfo> call_target(value);
    det::partial_target<UserInfo> stream_target;
    det::answer_target& target = stream ? static_cast<det::answer_target&>(stream_target)
                                        : call_target;
    bool const in_arena = !stream && !s.heap;
    det::call_arena arena;
    det::wire_set wires(o);
    auto const kept = det::make_in<det::call_core>(
        in_arena ? &arena : nullptr, o, s.heard ? recording(out) : ins::hooks{}, req, target,
        stream, &std::chrono::steady_clock::now, s.heap ? nullptr : &wires,
        in_arena ? &arena : nullptr);
    auto& core = *kept;
    if (s.drop_raw)
        core.drop_raw();
    std::string body;  // the stream being read
    std::size_t at = 0;
    auto const io_fails = [&] { return out.io_steps++ == s.fail_at; };
    auto const end = test::run_scripted(core, [&](det::call_action const& a) {
        using k = det::call_action::kind;
        switch (a.k) {
        case k::send: {
            out.urls.push_back(a.request->url);
            out.bodies.push_back(a.request->body);
            if (io_fails())
                return det::call_event::failed(ins::error(s.fail_code, "injected failure"));
            mock_reply reply;
            if (!s.replies.empty()) {
                reply = std::move(s.replies.front());
                s.replies.pop_front();
            }
            else {
                auto url = boost::urls::parse_uri(a.request->url);
                reply = ins::testing::default_answer(url ? std::string(url->path()) : "/",
                                                     a.request->body, {});
            }
            if (reply.status >= 300)
                return det::call_event::failed(
                    ins::net::http_error({reply.status, {}, reply.body}, {o.api_key},
                                         a.request->error_message));
            if (!stream)
                return det::call_event::response(reply.body);
            body = reply.body;
            at = 0;
            return det::call_event::opened();
        }
        case k::read: {
            if (io_fails())
                return det::call_event::failed(ins::error(s.fail_code, "injected failure"));
            if (at >= body.size())
                return det::call_event::eof();
            auto piece = body.substr(at, s.piece);
            at += s.piece;
            return det::call_event::bytes(std::move(piece));
        }
        case k::yield:
            while (auto p = stream_target.take())
                ++out.snapshots;
            return det::call_event::next();
        case k::cache_get:
        case k::cache_put:
            out.hooks.push_back(a.k == k::cache_get ? "get" : "put");
            if (io_fails()) {
                out.failed_cache_step = true;
                return det::call_event::failed(ins::error(ins::errc::cache_failed, "cache down"));
            }
            if (a.k == k::cache_put) {
                (*s.cache)[*a.key] = *a.value;
                return det::call_event::next();
            }
            if (auto it = s.cache->find(*a.key); it != s.cache->end())
                return det::call_event::cached(it->second);
            return det::call_event::uncached();
        default:
            ADD_FAILURE() << "an action a call never asks for";
            return det::call_event::failed(ins::error(ins::errc::invalid_argument, "no such step"));
        }
    });
    if (!end) {
        ADD_FAILURE() << "the core never finished";
        return out;
    }
    ++out.terminal;
    out.usage = core.total_usage();
    out.arena_bytes = arena.used();
    if (*end == det::call_action::kind::fail) {
        out.error = core.take_error();
        return out;
    }
    out.completion = core.take_completion();
    if (stream) {
        while (auto p = stream_target.take()) {
            ++out.snapshots;
            if (p->complete)
                out.value = p->value;
        }
    }
    else {
        out.value = value;
    }
    // Nothing after the end: the core only answers fail from now on.
    EXPECT_EQ(core.resume(det::call_event::next()).k, det::call_action::kind::fail);
    return out;
}

}  // namespace

TEST(CallCore, OneCallThroughEachWire)
{
    for (auto m : {ins::mode::tools, ins::mode::json_schema, ins::mode::md_json,
                   ins::mode::anthropic_tools, ins::mode::anthropic_json,
                   ins::mode::responses_tools, ins::mode::responses_structured_outputs}) {
        for (bool stream : {false, true}) {
            SCOPED_TRACE(std::string(ins::to_string(m)) + (stream ? " stream" : " call"));
            auto out = drive(options(m), john(), stream, {});
            ASSERT_FALSE(out.error) << out.error->what();
            ASSERT_TRUE(out.value);
            EXPECT_EQ(out.value->name, "John Doe");
            EXPECT_EQ(out.value->age, 32);
            EXPECT_EQ(out.completion->attempts, 1);
            EXPECT_EQ(out.completion->endpoint, "http://primary.test/v1");
            EXPECT_GT(out.usage.total_tokens, 0u);
            EXPECT_EQ(out.hooks, (std::vector<std::string>{"kwargs1@primary.test",
                                                           "response1@primary.test",
                                                           "usage1@primary.test"}));
            if (stream) {
                EXPECT_GT(out.snapshots, 1);
            }
        }
    }
}

// With no hook listening the core keeps no trees: each wire writes its body's bytes (the chat
// wire without building one), a reply is read through a tree on the stack and kept as text
// until something asks for it. The same calls must send the same bytes and end the same way,
// values, errors, re-ask records and completions alike.
namespace {

boost::json::value without_ids(boost::json::value v)
{
    if (auto* o = v.if_object()) {
        o->erase("id");
        o->erase("call_id");
        for (auto& kv : *o)
            kv.value() = without_ids(std::move(kv.value()));
    }
    else if (auto* a = v.if_array()) {
        for (auto& e : *a)
            e = without_ids(std::move(e));
    }
    return v;
}

}  // namespace

/// The same call: bodies, URLs, value, usage, error and completion (ids apart).
void same(outcome const& got, outcome const& want)
{
    EXPECT_EQ(got.bodies, want.bodies);
    EXPECT_EQ(got.urls, want.urls);
    EXPECT_EQ(got.value.has_value(), want.value.has_value());
    if (got.value && want.value) {
        EXPECT_EQ(got.value->name, want.value->name);
        EXPECT_EQ(got.value->age, want.value->age);
    }
    EXPECT_EQ(got.usage.total_tokens, want.usage.total_tokens);
    ASSERT_EQ(got.error.has_value(), want.error.has_value());
    if (want.error) {
        EXPECT_EQ(got.error->code(), want.error->code());
        EXPECT_STREQ(got.error->what(), want.error->what());
        EXPECT_EQ(without_ids(got.error->last_completion),
                  without_ids(want.error->last_completion));
        ASSERT_EQ(got.error->failed_attempts.size(), want.error->failed_attempts.size());
        for (std::size_t i = 0; i < want.error->failed_attempts.size(); ++i)
            EXPECT_EQ(without_ids(got.error->failed_attempts[i].completion),
                      without_ids(want.error->failed_attempts[i].completion));
    }
    ASSERT_EQ(got.completion.has_value(), want.completion.has_value());
    if (want.completion) {
        EXPECT_FALSE(got.completion->raw.is_null());
        // The mock numbers its replies' ids across calls: the rest must be the same.
        EXPECT_EQ(without_ids(got.completion->raw), without_ids(want.completion->raw));
        EXPECT_EQ(got.completion->attempts, want.completion->attempts);
    }
}

TEST(CallCore, ACallNobodyListensToOrKeptOnTheHeapSendsAndMeansTheSame)
{
    struct scenario {
        char const* name;
        std::function<script(ins::mode)> replies;
        int max_retries;
        ins::truncation on_truncation = ins::truncation::fail;
    };
    // An invalid answer in the mode's own API and shape (a tool call, or text).
    auto const bad_reply = [](ins::mode m) {
        switch (m) {
        case ins::mode::tools:
        case ins::mode::tools_strict: return mock_reply::chat_tool_call("UserInfo", bad_args);
        case ins::mode::anthropic_tools:
            return mock_reply::json(
                R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-test",)"
                R"("content":[{"type":"tool_use","id":"toolu_1","name":"UserInfo","input":)" +
                bad_args + R"(}],"stop_reason":"tool_use","usage":{"input_tokens":9,"output_tokens":7}})");
        case ins::mode::anthropic_json:
            return mock_reply::json(
                R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-test",)"
                R"("content":[{"type":"text","text":)" +
                boost::json::serialize(boost::json::string(bad_args)) +
                R"(}],"stop_reason":"end_turn","usage":{"input_tokens":9,"output_tokens":7}})");
        case ins::mode::responses_tools:
            return mock_reply::response_function_call("UserInfo", bad_args);
        case ins::mode::responses_structured_outputs: return mock_reply::response_text(bad_args);
        default: return mock_reply::chat_content(bad_args);
        }
    };
    std::vector<scenario> const scenarios = {
        {"the mock's answer", [](ins::mode) { return script{}; }, 3},
        {"a re-ask, then the answer",
         [&](ins::mode m) {
             script s;
             s.replies.push_back(bad_reply(m));
             return s;
         },
         3},
        {"re-asks exhausted",
         [&](ins::mode m) {
             script s;
             for (int i = 0; i < 3; ++i)
                 s.replies.push_back(bad_reply(m));
             return s;
         },
         2},
        {"not this API's reply", [](ins::mode) {
             script s;
             s.replies.push_back(mock_reply::json(R"({"unexpected":[1,2,{"x":"y"}]})"));
             return s;
         },
         3},
        {"not JSON", [](ins::mode) {
             script s;
             s.replies.push_back(mock_reply::json("{\"choices\": ["));
             return s;
         },
         3},
        {"cut at the token limit", [](ins::mode) {
             script s;
             s.replies.push_back(mock_reply::chat_content("{\"name\":", "length"));
             return s;
         },
         3},
        {"cut, then asked again with room", [](ins::mode) {
             script s;
             s.replies.push_back(mock_reply::chat_content("{\"name\":", "length"));
             return s;
         },
         3, ins::truncation::raise_max_tokens},
    };
    for (auto m : {ins::mode::tools, ins::mode::tools_strict, ins::mode::json,
                   ins::mode::json_schema, ins::mode::md_json, ins::mode::structured_outputs,
                   ins::mode::anthropic_tools, ins::mode::anthropic_json,
                   ins::mode::responses_tools, ins::mode::responses_structured_outputs}) {
        for (auto const& sc : scenarios) {
            SCOPED_TRACE(std::string(ins::to_string(m)) + ": " + sc.name);
            auto req = john(sc.max_retries);
            req.temperature = 0.25;
            req.max_tokens = 300;
            req.on_truncation = sc.on_truncation;
            auto heard = drive(options(m), req, false, sc.replies(m));
            // Each scenario reaches the ending it is named for (in every mode's own API).
            if (std::string_view(sc.name) == "a re-ask, then the answer") {
                EXPECT_TRUE(heard.value);
                EXPECT_EQ(heard.completion ? heard.completion->attempts : 0, 2);
            }
            if (std::string_view(sc.name) == "re-asks exhausted") {
                EXPECT_EQ(heard.error ? heard.error->code() : ins::errc::invalid_argument,
                          ins::errc::validation_failed);
            }
            // Nobody listening, or the core on the heap instead of its call arena: the same
            // bodies, values, errors and completions.
            auto quiet_script = sc.replies(m);
            quiet_script.heard = false;
            auto heap_script = sc.replies(m);
            heap_script.heap = true;
            EXPECT_GE(heard.arena_bytes, sizeof(det::call_core) + sizeof(ins::net::http_request));
            for (auto const& [other, s] :
                 {std::pair{"quiet", std::move(quiet_script)}, {"heap", std::move(heap_script)}}) {
                SCOPED_TRACE(other);
                auto const got = drive(options(m), req, false, s);
                EXPECT_EQ(got.arena_bytes == 0, s.heap);
                same(got, heard);
                if (s.heap) {
                    EXPECT_EQ(got.hooks, heard.hooks);
                }
            }
        }
    }
}

// A hook runs after the step that emitted it, when the core may have moved on (a re-ask sent,
// the completion holding the reply): it still reads the reply it was emitted for.
TEST(CallCore, HooksReadTheReplyTheyWereEmittedFor)
{
    for (bool stream : {false, true}) {
        SCOPED_TRACE(stream ? "stream" : "call");
        script s;
        if (stream) {
            std::vector<std::string> events{
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"UserInfo","arguments":"{\"name\":\"Jo\",\"age\":\"thirty-two\"}"}}]},"finish_reason":null}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"};
            s.replies.push_back(mock_reply::sse(events));
        }
        else {
            s.replies.push_back(mock_reply::chat_tool_call("UserInfo", bad_args));
        }
        auto out = drive(options(ins::mode::tools), john(), stream, std::move(s));
        ASSERT_FALSE(out.error) << out.error->what();
        ASSERT_EQ(out.shown.size(), 3u);  // response, parse (the bad one), response (the good one)
        EXPECT_EQ(out.shown[0].rfind("response:{", 0), 0u) << out.shown[0];
        EXPECT_NE(out.shown[0].find("thirty-two"), std::string::npos) << out.shown[0];
        EXPECT_EQ(out.shown[1].substr(out.shown[1].find(':') + 1),
                  out.shown[0].substr(out.shown[0].find(':') + 1));
        EXPECT_EQ(out.shown[1].rfind("parse:{", 0), 0u) << out.shown[1];
        EXPECT_EQ(out.shown[2], "response:" + boost::json::serialize(out.completion->raw));
    }
}

TEST(CallCore, ACallerThatDropsTheCompletionGetsTheValueWithoutItsRawReply)
{
    for (bool heard : {true, false}) {
        script s;
        s.replies.push_back(mock_reply::chat_tool_call("UserInfo", bad_args));
        s.heard = heard;
        s.drop_raw = true;
        auto out = drive(options(ins::mode::tools), john(), false, std::move(s));
        ASSERT_FALSE(out.error) << out.error->what();
        ASSERT_TRUE(out.value);
        EXPECT_EQ(out.value->age, 32);
        EXPECT_EQ(out.completion->attempts, 2);
        EXPECT_TRUE(out.completion->raw.is_null());
    }
}

TEST(CallCore, EachWireSendsToItsOwnPath)
{
    auto path_of = [](ins::mode m) { return drive(options(m), john(), false, {}).urls.at(0); };
    EXPECT_EQ(path_of(ins::mode::tools), "http://primary.test/v1/chat/completions");
    EXPECT_EQ(path_of(ins::mode::anthropic_json), "http://primary.test/v1/messages");
    EXPECT_EQ(path_of(ins::mode::responses_tools), "http://primary.test/v1/responses");
}

TEST(CallCore, ReaskThenAccept)
{
    script s;
    s.replies.push_back(mock_reply::chat_tool_call("UserInfo", bad_args));
    auto out = drive(options(ins::mode::tools), john(), false, std::move(s));
    ASSERT_FALSE(out.error);
    EXPECT_EQ(out.completion->attempts, 2);
    EXPECT_EQ(out.hooks, (std::vector<std::string>{
                             "kwargs1@primary.test", "response1@primary.test",
                             "usage1@primary.test", "parse1@primary.test",
                             "kwargs2@primary.test", "response2@primary.test",
                             "usage2@primary.test"}));
}

TEST(CallCore, ReasksExhaustedIsValidationFailedWithEveryAttempt)
{
    script s;
    for (int i = 0; i < 3; ++i)
        s.replies.push_back(mock_reply::chat_tool_call("UserInfo", bad_args));
    auto out = drive(options(ins::mode::tools), john(2), false, std::move(s));
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->code(), ins::errc::validation_failed);
    EXPECT_EQ(out.error->attempts, 3);
    EXPECT_EQ(out.error->failed_attempts.size(), 3u);
    EXPECT_FALSE(out.error->last_completion.is_null());
    EXPECT_EQ(out.hooks.back(), "last3@primary.test");
}

TEST(CallCore, FallbackOnAServerErrorNamesTheEndpointThatAnswered)
{
    auto o = options(ins::mode::tools);
    o.fallbacks = {{"http://backup.test/v1", "sk-backup", "backup-model"}};
    for (bool stream : {false, true}) {
        script s;
        s.replies.push_back(mock_reply::error(503, "overloaded"));
        auto out = drive(o, john(), stream, std::move(s));
        ASSERT_FALSE(out.error) << out.error->what();
        EXPECT_EQ(out.completion->endpoint, "http://backup.test/v1");
        EXPECT_EQ(out.hooks, (std::vector<std::string>{
                                 "kwargs1@primary.test", "error1@primary.test",
                                 "kwargs1@backup.test", "response1@backup.test",
                                 "usage1@backup.test"}));
    }
}

TEST(CallCore, AnApiErrorIsNotReaskedAndFiresTheLastAttemptHook)
{
    for (bool stream : {false, true}) {
        script s;
        s.replies.push_back(mock_reply::error(401, "Incorrect API key provided: sk-core-test-key"));
        auto out = drive(options(ins::mode::responses_tools), john(), stream, std::move(s));
        ASSERT_TRUE(out.error);
        EXPECT_EQ(out.error->code(), ins::errc::authentication_failed);
        EXPECT_EQ(std::string(out.error->what()).find("sk-core-test-key"), std::string::npos);
        EXPECT_EQ(out.hooks, (std::vector<std::string>{"kwargs1@primary.test",
                                                       "error1@primary.test",
                                                       "last1@primary.test"}));
    }
}

TEST(CallCore, TheDeadlineIsCheckedBeforeEachAttempt)
{
    auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
    auto req = john();
    req.deadline = now;  // already due
    UserInfo v{};
    det::value_target<UserInfo> target(v);
    auto const o = options(ins::mode::tools);
    det::call_core core(o, {}, req, target, false, [&] { return now; });
    auto a = core.resume(det::call_event::next());
    ASSERT_EQ(a.k, det::call_action::kind::fail);
    EXPECT_EQ(core.take_error().code(), ins::errc::timeout);
}

TEST(CallCore, FinishReasonsMapToTheirErrorsOnEveryWire)
{
    struct row {
        ins::mode m;
        mock_reply reply;
        ins::errc expected;
    };
    std::vector<row> rows{
        {ins::mode::tools, mock_reply::chat_content("{\"name\":", "length"), ins::errc::output_truncated},
        {ins::mode::json, mock_reply::chat_content("", "content_filter"), ins::errc::content_filtered},
        {ins::mode::structured_outputs, mock_reply::chat_refusal("I can't."), ins::errc::refusal},
        {ins::mode::responses_structured_outputs,
         mock_reply::response_incomplete("max_output_tokens", "{\"name\":"), ins::errc::output_truncated},
        {ins::mode::responses_structured_outputs, mock_reply::response_incomplete("content_filter"),
         ins::errc::content_filtered},
        {ins::mode::responses_structured_outputs, mock_reply::response_refusal("I can't help."),
         ins::errc::refusal},
        {ins::mode::responses_tools, mock_reply::response_refusal("No."), ins::errc::refusal},
    };
    for (auto& r : rows) {
        for (bool stream : {false, true}) {
            if (stream && !ins::is_responses_mode(r.m))
                continue;  // chat replies above are whole bodies
            SCOPED_TRACE(std::string(ins::to_string(r.m)) + (stream ? " stream" : ""));
            script s;
            if (stream) {
                auto whole = boost::json::parse(r.reply.body).as_object();
                s.replies.push_back(mock_reply::response_stream(whole, 5));
            }
            else {
                s.replies.push_back(r.reply);
            }
            auto out = drive(options(r.m), john(), stream, std::move(s));
            ASSERT_TRUE(out.error);
            EXPECT_EQ(out.error->code(), r.expected) << out.error->what();
            EXPECT_EQ(out.error->attempts, 1);
            EXPECT_FALSE(out.error->last_completion.is_null());
        }
    }
}

// Beast's fail_count idea: run the same call again and again, failing its n-th I/O step, for
// every n until a run needs no failure. Every run ends exactly once, with the value or with the
// injected (typed) error; a run that fails before the last step never yields a value.
TEST(CallCore, FailEveryStepOfACallAndOfAStream)
{
    for (auto m : {ins::mode::tools, ins::mode::anthropic_tools, ins::mode::responses_tools,
                   ins::mode::responses_structured_outputs}) {
        for (bool stream : {false, true}) {
            SCOPED_TRACE(std::string(ins::to_string(m)) + (stream ? " stream" : " call"));
            auto make = [&] {
                script s;  // one invalid answer first, so the matrix covers a re-ask
                auto bad = ins::testing::default_answer(
                    ins::is_anthropic_mode(m)    ? "/v1/messages"
                    : ins::is_responses_mode(m) ? "/v1/responses"
                                                : "/v1/chat/completions",
                    R"({"model":"m","stream":)" + std::string(stream ? "true" : "false") +
                        R"(,"messages":[],"input":[],"tools":[{"type":"function","name":"UserInfo",)"
                        R"("input_schema":{"type":"object","properties":{"age":{"type":"string"}}},)"
                        R"("parameters":{"type":"object","properties":{"age":{"type":"string"}}},)"
                        R"("function":{"name":"UserInfo","parameters":{"type":"object",)"
                        R"("properties":{"age":{"type":"string"}}}}}]})",
                    {});
                if (m == ins::mode::responses_structured_outputs)
                    bad = stream ? mock_reply::response_stream(
                                       boost::json::parse(
                                           mock_reply::response_text(bad_args).body).as_object(), 4)
                                 : mock_reply::response_text(bad_args);
                s.replies.push_back(bad);
                return s;
            };
            auto const clean = drive(options(m), john(), stream, make());
            ASSERT_FALSE(clean.error) << clean.error->what();
            ASSERT_EQ(clean.completion->attempts, 2);
            ASSERT_GE(clean.io_steps, 2);
            for (int n = 0; n < clean.io_steps; ++n) {
                auto s = make();
                s.fail_at = n;
                auto out = drive(options(m), john(), stream, std::move(s));
                EXPECT_EQ(out.terminal, 1) << "step " << n;
                ASSERT_TRUE(out.error) << "step " << n << " did not fail the call";
                EXPECT_EQ(out.error->code(), ins::errc::connection_failed) << "step " << n;
                EXPECT_FALSE(out.value);
                EXPECT_GE(out.error->attempts, 1);
                EXPECT_EQ(out.hooks.back().substr(0, 4), "last") << "step " << n;
            }
        }
    }
}

// With a cache, each step can fail too: a failed cache step is reported and the call goes on;
// a failed send or read fails it as before. A hit replays the stored answer with no send.
TEST(CallCore, CacheStepsCanFailWithoutFailingTheCall)
{
    struct test_cache final : ins::cache {  // the core only needs one to be set
        boost::asio::awaitable<std::optional<std::string>> get(std::string) override { co_return std::nullopt; }
        boost::asio::awaitable<void> put(std::string, std::string) override { co_return; }
    };
    for (bool stream : {false, true}) {
        SCOPED_TRACE(stream ? "stream" : "call");
        auto o = options(ins::mode::tools);
        o.cache = std::make_shared<test_cache>();
        std::map<std::string, std::string> store;
        script clean;
        clean.cache = &store;
        auto const first = drive(o, john(), stream, clean);
        ASSERT_FALSE(first.error) << first.error->what();
        EXPECT_EQ(first.hooks.front(), "get");
        EXPECT_EQ(first.hooks.back(), "put");
        ASSERT_EQ(store.size(), 1u);
        script again;
        again.cache = &store;
        auto const hit = drive(o, john(), stream, again);
        ASSERT_FALSE(hit.error);
        EXPECT_TRUE(hit.completion->from_cache);
        EXPECT_TRUE(hit.urls.empty());
        EXPECT_EQ(hit.value->name, first.value->name);

        int cache_failures = 0;
        for (int n = 0; n < first.io_steps + 8; ++n) {
            std::map<std::string, std::string> empty;
            script s;
            s.cache = &empty;
            s.fail_at = n;
            auto const out = drive(o, john(), stream, std::move(s));
            if (out.io_steps <= n)  // the call ended before step n: every step was failed once
                break;
            // (the mock's ids vary in length, so the count of reads may differ by one)
            EXPECT_EQ(out.terminal, 1) << "step " << n;
            if (out.failed_cache_step) {
                ++cache_failures;
                ASSERT_FALSE(out.error) << "step " << n << ": " << out.error->what();
                EXPECT_TRUE(std::any_of(out.hooks.begin(), out.hooks.end(),
                                        [](auto const& h) { return h.starts_with("cache"); }))
                    << "step " << n;
            }
            else {
                ASSERT_TRUE(out.error) << "step " << n;
                EXPECT_EQ(out.error->code(), ins::errc::connection_failed);
            }
        }
        EXPECT_EQ(cache_failures, 2);  // the lookup and the store
    }
}

TEST(CallCore, ACallAndAStreamOfTheSameAnswersAgree)
{
    for (auto m : {ins::mode::tools, ins::mode::anthropic_tools, ins::mode::responses_tools,
                   ins::mode::json_schema, ins::mode::responses_structured_outputs}) {
        SCOPED_TRACE(ins::to_string(m));
        auto const call = drive(options(m), john(), false, {});
        auto const streamed = drive(options(m), john(), true, {});
        ASSERT_TRUE(call.value && streamed.value);
        EXPECT_EQ(call.value->name, streamed.value->name);
        EXPECT_EQ(call.value->age, streamed.value->age);
        EXPECT_EQ(call.hooks, streamed.hooks);
        EXPECT_EQ(call.completion->attempts, streamed.completion->attempts);
        EXPECT_EQ(call.usage.prompt_tokens > 0, streamed.usage.prompt_tokens > 0);
    }
    // The very same replies, whole and streamed (a re-ask, then the answer): the same outcome,
    // the same usage to the token, the same hooks.
    for (auto m : {ins::mode::responses_tools, ins::mode::responses_structured_outputs}) {
        SCOPED_TRACE(ins::to_string(m));
        bool const tools = m == ins::mode::responses_tools;
        auto const bad = tools ? mock_reply::response_function_call("UserInfo", bad_args)
                               : mock_reply::response_text(bad_args);
        auto const good = tools ? mock_reply::response_function_call(
                                      "UserInfo", R"({"name":"Jane Roe","age":41})")
                                : mock_reply::response_text(R"({"name":"Jane Roe","age":41})");
        script whole, streamed_script;
        whole.replies = {bad, good};
        for (auto const& r : {bad, good})
            streamed_script.replies.push_back(
                mock_reply::response_stream(boost::json::parse(r.body).as_object(), 3));
        auto const call = drive(options(m), john(), false, std::move(whole));
        auto const streamed = drive(options(m), john(), true, std::move(streamed_script));
        ASSERT_TRUE(call.value && streamed.value);
        EXPECT_EQ(call.value->name, "Jane Roe");
        EXPECT_EQ(streamed.value->name, "Jane Roe");
        EXPECT_EQ(streamed.value->age, 41);
        EXPECT_EQ(call.completion->attempts, 2);
        EXPECT_EQ(streamed.completion->attempts, 2);
        EXPECT_EQ(call.usage, streamed.usage);
        EXPECT_EQ(call.hooks, streamed.hooks);
    }
}

TEST(CallCore, AStreamCutBeforeItsEndIsAProtocolErrorWithWhatItHad)
{
    for (auto m : {ins::mode::tools, ins::mode::anthropic_json, ins::mode::responses_tools}) {
        SCOPED_TRACE(ins::to_string(m));
        auto whole = drive(options(m), john(), true, {});
        ASSERT_FALSE(whole.error);
        // The same stream without its last event.
        auto url = std::string(ins::is_anthropic_mode(m)    ? "/v1/messages"
                               : ins::is_responses_mode(m) ? "/v1/responses"
                                                           : "/v1/chat/completions");
        script s;
        ins::testing::mock_reply r;
        // A request body each wire's default answer understands.
        auto body = std::string(R"({"model":"m","stream":true,"stream_options":{"include_usage":true},)"
                                R"("messages":[{"role":"user","content":"John Doe is 32 years old."}],)"
                                R"("input":[{"role":"user","content":"John Doe is 32 years old."}],)"
                                R"("tools":[{"type":"function","name":"UserInfo","input_schema":)"
                                R"({"type":"object","properties":{"name":{"type":"string"}}},)"
                                R"("parameters":{"type":"object","properties":{"name":{"type":"string"}}},)"
                                R"("function":{"name":"UserInfo","parameters":{"type":"object",)"
                                R"("properties":{"name":{"type":"string"}}}}}]})");
        if (m == ins::mode::anthropic_json)
            body = R"({"model":"m","stream":true,"messages":[],"system":"{\"type\":\"object\",)"
                   R"(\"properties\":{\"name\":{\"type\":\"string\"}}}"})";
        r = ins::testing::default_answer(url, body, {});
        auto const cut = r.body.rfind("data:");
        ASSERT_NE(cut, std::string::npos);
        r.body.resize(cut);
        s.replies.push_back(r);
        auto out = drive(options(m), john(0), true, std::move(s));
        ASSERT_TRUE(out.error);
        EXPECT_EQ(out.error->code(), ins::errc::protocol_error) << out.error->what();
        EXPECT_FALSE(out.error->last_completion.is_null());
        EXPECT_EQ(out.terminal, 1);
    }
}

// The core keeps what the server said; the client's one exit (every error, hook event and batch
// text leaves through it) redacts every secret the client holds, wherever the error holds text.
TEST(CallCore, AStreamErrorEventThatEchoesTheKeyLeavesRedacted)
{
    for (auto m : {ins::mode::tools, ins::mode::anthropic_tools, ins::mode::responses_tools}) {
        SCOPED_TRACE(ins::to_string(m));
        mock_reply r;
        r.content_type = "text/event-stream";
        std::string const msg = "Incorrect API key provided: sk-core-test-key";
        r.body = ins::is_responses_mode(m)
                     ? "event: error\ndata: {\"type\":\"error\",\"message\":\"" + msg + "\"}\n\n"
                 : ins::is_anthropic_mode(m)
                     ? "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\","
                       "\"message\":\"" + msg + "\"}}\n\n"
                     : "data: {\"error\":{\"message\":\"" + msg + "\"}}\n\n";
        script s;
        s.replies.push_back(r);
        auto const o = options(m);
        auto out = drive(o, john(), true, std::move(s));
        ASSERT_TRUE(out.error);
        EXPECT_EQ(out.error->code(), ins::errc::server_error);
        ins::detail::redaction(ins::detail::secrets_of(o)).apply(*out.error);
        EXPECT_EQ(std::string(out.error->what()).find("sk-core-test-key"), std::string::npos)
            << out.error->what();
        EXPECT_EQ(out.error->provider_message.find("sk-core-test-key"), std::string::npos);
        EXPECT_NE(out.error->provider_message.find("[redacted]"), std::string::npos);
    }
}

// A hostile parallel_tools reply (every call to an unknown function): capped at the tool-call
// limit, and the re-ask carries the errors once, so it stays small.
TEST(CallCore, AReaskOfManyToolCallsCarriesTheErrorsOnce)
{
    boost::json::array calls;
    for (std::size_t i = 0; i < det::max_tool_calls; ++i)
        calls.push_back(boost::json::object{
            {"id", "call_" + std::to_string(i)},
            {"type", "function"},
            {"function", {{"name", "NoSuchFunction" + std::to_string(i)}, {"arguments", "{}"}}}});
    auto const reply = mock_reply::json(boost::json::serialize(ins::testing::chat_completion(
        {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", calls}}, "tool_calls")));
    using Pets = std::vector<std::variant<models::Cat, models::Dog>>;
    Pets pets;
    det::value_target<Pets> target(pets);
    auto o = options(ins::mode::parallel_tools);
    auto req = john(1);
    det::call_core core(o, {}, req, target, false);
    std::size_t second_body = 0;
    auto ev = det::call_event::next();
    int sends = 0;
    for (int guard = 0; guard < 100; ++guard) {
        auto a = core.resume(std::exchange(ev, det::call_event::next()));
        if (a.k == det::call_action::kind::send) {
            if (++sends == 2) {
                second_body = a.request->body.size();
                ev = det::call_event::failed(ins::error(ins::errc::server_error, "stop here"));
                continue;
            }
            ev = det::call_event::response(reply.body);
            continue;
        }
        if (a.k == det::call_action::kind::fail || a.k == det::call_action::kind::done)
            break;
    }
    ASSERT_EQ(sends, 2);
    // 256 unknown-function issues once (~12 KB) plus 256 short pointers, not 256 x 256 lines.
    EXPECT_LT(second_body, 200'000u);
    EXPECT_GT(second_body, reply.body.size());

    // More calls than the limit is a protocol error, not a re-ask.
    calls.push_back(calls.front());
    auto const too_many = mock_reply::json(boost::json::serialize(ins::testing::chat_completion(
        {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", calls}}, "tool_calls")));
    script s;
    s.replies.push_back(too_many);
    auto out = drive(options(ins::mode::tools), john(), false, std::move(s));
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->code(), ins::errc::protocol_error);
}

// request::token_budget: once the call has used it, no re-ask starts.
TEST(CallCore, ATokenBudgetStopsTheReasks)
{
    script s;
    for (int i = 0; i < 3; ++i)
        s.replies.push_back(mock_reply::chat_tool_call("UserInfo", bad_args));  // usage ~ 30 tokens each
    auto req = john(3);
    req.token_budget = 1;
    auto out = drive(options(ins::mode::tools), req, false, std::move(s));
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->code(), ins::errc::budget_exceeded) << out.error->what();
    EXPECT_EQ(out.error->attempts, 1);
    EXPECT_EQ(out.error->failed_attempts.size(), 1u);
    EXPECT_GT(out.error->total_usage.total_tokens, 0u);
    EXPECT_EQ(out.urls.size(), 1u);

    // A budget the answers fit in changes nothing.
    script fits;
    fits.replies.push_back(mock_reply::chat_tool_call("UserInfo", bad_args));
    auto roomy = john(3);
    roomy.token_budget = 1'000'000;
    auto ok = drive(options(ins::mode::tools), roomy, false, std::move(fits));
    ASSERT_FALSE(ok.error);
    EXPECT_EQ(ok.completion->attempts, 2);
}

// The cost a provider reports is summed over attempts, calls and streams alike.
TEST(CallCore, ReportedCostsAreSummedOverAttempts)
{
    auto with_cost = [](std::string const& args, char const* where) {
        auto body = boost::json::parse(mock_reply::chat_tool_call("UserInfo", args).body).as_object();
        if (std::string_view(where) == "choice") {  // WorkflowAI: a cost and a run page
            body["choices"].as_array()[0].as_object()["cost_usd"] = 0.0025;
            body["choices"].as_array()[0].as_object()["url"] = "https://workflowai.com/r/1";
        }
        else
            body["usage"].as_object()["cost"] = 0.0015;  // OpenRouter
        return mock_reply::json(boost::json::serialize(body));
    };
    script s;
    s.replies.push_back(with_cost(bad_args, "choice"));
    s.replies.push_back(with_cost(R"({"name":"Jo","age":3})", "usage"));
    auto out = drive(options(ins::mode::tools), john(), false, std::move(s));
    ASSERT_FALSE(out.error);
    ASSERT_TRUE(out.completion->total_usage.cost_usd);
    EXPECT_NEAR(*out.completion->total_usage.cost_usd, 0.004, 1e-12);
    EXPECT_FALSE(out.completion->run_url);  // the accepted attempt's reply named no run

    script wf;
    wf.replies.push_back(with_cost(R"({"name":"Jo","age":3})", "choice"));
    auto one = drive(options(ins::mode::tools), john(), false, std::move(wf));
    ASSERT_FALSE(one.error);
    EXPECT_EQ(one.completion->run_url.value_or(""), "https://workflowai.com/r/1");

    // No cost reported: none summed.
    auto plain = drive(options(ins::mode::tools), john(), false, {});
    EXPECT_FALSE(plain.completion->total_usage.cost_usd);

    // A stream's final usage chunk with OpenRouter's cost.
    std::vector<std::string> events{
        R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"UserInfo","arguments":"{\"name\":\"Jo\",\"age\":3}"}}]},"finish_reason":null}]})",
        R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls","url":"https://workflowai.com/r/2"}]})",
        R"({"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,"cost":0.0007}})"};
    script st;
    st.replies.push_back(mock_reply::sse(events));
    auto streamed = drive(options(ins::mode::tools), john(), true, std::move(st));
    ASSERT_FALSE(streamed.error) << streamed.error->what();
    ASSERT_TRUE(streamed.completion->total_usage.cost_usd);
    EXPECT_NEAR(*streamed.completion->total_usage.cost_usd, 0.0007, 1e-12);
    EXPECT_EQ(streamed.completion->run_url.value_or(""), "https://workflowai.com/r/2");
}

// A rate limit, without sockets: the core asks for room before each request (after building
// it, before completion_kwargs), sleeps when told to, gives the room back with the tokens the
// reply reported (or none known after a failure), and never waits past the call's deadline.
TEST(CallCore, ARateLimitTakesRoomBeforeEachRequestAndGivesItBack)
{
    auto o = options(ins::mode::tools);
    o.rate_limit = ins::rate_limit{.requests_per_minute = 60};
    o.fallbacks.push_back({"http://fallback.test/v1", "sk-fallback", ""});
    auto run = [&](ins::request req, std::deque<det::call_event> takes, std::deque<mock_reply> replies,
                   std::vector<std::string>& steps, std::vector<std::string>& hooks) {
        UserInfo value{};
        det::value_target<UserInfo> target(value);
        ins::hooks h;
        h.on(ins::hook::rate_limited, [&](ins::hook_event const& e) {
            hooks.push_back("rate " + std::to_string(e.wait.count() >= 1900 && e.wait.count() <= 2000));
        });
        h.on(ins::hook::completion_kwargs, [&](ins::hook_event const&) { hooks.push_back("kwargs"); });
        det::call_core core(o, h, req, target, false);
        std::uint64_t estimate = 0;
        auto end = test::run_scripted(core, [&](det::call_action const& a) {
            using k = det::call_action::kind;
            switch (a.k) {
            case k::take: {
                steps.push_back("take");
                estimate = a.tokens;
                EXPECT_GT(a.tokens, 10u);  // the body's size, about
                auto ev = takes.empty() ? det::call_event::next() : std::move(takes.front());
                if (!takes.empty())
                    takes.pop_front();
                return ev;
            }
            case k::sleep:
                steps.push_back("sleep");
                return det::call_event::woke();
            case k::settle:
                EXPECT_EQ(a.tokens, estimate);
                steps.push_back(a.used ? "settle " + std::to_string(*a.used) : "settle ?");
                return det::call_event::next();
            case k::send: {
                steps.push_back("send " + std::string(boost::urls::parse_uri(a.request->url)->host()));
                auto reply = std::move(replies.front());
                replies.pop_front();
                if (reply.status >= 300)
                    return det::call_event::failed(
                        ins::net::http_error({reply.status, {}, reply.body}, {}, nullptr));
                return det::call_event::response(reply.body);
            }
            default:
                ADD_FAILURE() << "an unexpected action";
                return det::call_event::failed(ins::error(ins::errc::invalid_argument, "no"));
            }
        });
        return end;
    };
    auto const later = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    {
        std::vector<std::string> steps, hooks;
        auto reply = mock_reply::chat_tool_call("UserInfo", R"({"name":"John Doe","age":32})");
        auto const used = boost::json::parse(reply.body).at("usage").at("total_tokens").as_int64();
        auto end = run(john(), {det::call_event::limited(later)},
                       {mock_reply::error(500, "down"), std::move(reply)}, steps, hooks);
        ASSERT_TRUE(end);
        EXPECT_EQ(*end, det::call_action::kind::done);
        // Told to wait: sleeps, asks again; the primary fails (room back, usage unknown); the
        // fallback takes room of its own and gives it back with the reply's tokens.
        EXPECT_EQ(steps, (std::vector<std::string>{"take", "sleep", "take", "send primary.test",
                                                   "settle ?", "take", "send fallback.test",
                                                   "settle " + std::to_string(used)}));
        EXPECT_EQ(hooks, (std::vector<std::string>{"rate 1", "kwargs", "kwargs"}));
    }
    {
        std::vector<std::string> steps, hooks;
        auto req = john();
        req.deadline = later - std::chrono::seconds(1);
        auto end = run(req, {det::call_event::limited(later)}, {}, steps, hooks);
        ASSERT_TRUE(end);
        EXPECT_EQ(*end, det::call_action::kind::fail);  // the wait would pass the deadline
        EXPECT_EQ(steps, (std::vector<std::string>{"take"}));
        EXPECT_TRUE(hooks.empty());
    }
    {
        // A limiter that fails (a user's own, throwing): the call ends with its error, unsent.
        std::vector<std::string> steps, hooks;
        auto end = run(john(), {det::call_event::failed(ins::error(ins::errc::cancelled, "gone"))},
                       {}, steps, hooks);
        ASSERT_TRUE(end);
        EXPECT_EQ(*end, det::call_action::kind::fail);
        EXPECT_EQ(steps, (std::vector<std::string>{"take"}));
    }
}

namespace {

/// A model whose validators wait: the core asks its driver to run them (check).
struct Checked {
    std::string name;
    int age = 0;
    boost::asio::awaitable<void> validate_async(ins::validation_context&) const { co_return; }
};
BOOST_DESCRIBE_STRUCT(Checked, (), (name, age))

}  // namespace

TEST(CallCore, ValidatorsThatWaitHaveTheLastWordAndTheirIssuesAreReasked)
{
    auto run = [](std::deque<det::call_event> checks, ins::usage& total, std::vector<std::string>& steps) {
        Checked value{};
        det::value_target<Checked> target(value);
        auto o = options(ins::mode::tools);
        auto req = john();
        req.context = {{"source", "John Doe is 32."}};
        det::call_core core(o, {}, req, target, false);
        auto end = test::run_scripted(core, [&](det::call_action const& a) {
            using k = det::call_action::kind;
            switch (a.k) {
            case k::send:
                steps.push_back(a.request->body.find("is not John") != std::string::npos ? "reask" : "send");
                return det::call_event::response(
                    mock_reply::chat_tool_call("Checked", R"({"name":"John Doe","age":32})").body);
            case k::check: {
                steps.push_back("check");
                EXPECT_TRUE(a.context && a.context->contains("source"));
                auto ev = std::move(checks.front());
                checks.pop_front();
                return ev;
            }
            default:
                ADD_FAILURE() << "an unexpected action";
                return det::call_event::failed(ins::error(ins::errc::invalid_argument, "no"));
            }
        });
        if (end && *end == det::call_action::kind::done)
            total = core.take_completion().total_usage;
        return end;
    };
    {
        std::vector<std::string> steps;
        ins::usage total;
        std::deque<det::call_event> checks;
        checks.push_back(det::call_event::checked({{"name", "is not John", ins::issue_kind::custom}},
                                                  {.prompt_tokens = 5, .completion_tokens = 2, .total_tokens = 7}));
        checks.push_back(det::call_event::checked({}, {.total_tokens = 3}));
        auto end = run(std::move(checks), total, steps);
        ASSERT_TRUE(end);
        EXPECT_EQ(*end, det::call_action::kind::done);
        EXPECT_EQ(steps, (std::vector<std::string>{"send", "check", "reask", "check"}));
        EXPECT_EQ(total.total_tokens, 20u + 7u + 20u + 3u);  // two replies, two checks' calls
    }
    {
        std::vector<std::string> steps;
        ins::usage total;
        std::deque<det::call_event> checks;
        checks.push_back(det::call_event::failed(ins::error(ins::errc::timeout, "deadline")));
        auto end = run(std::move(checks), total, steps);
        ASSERT_TRUE(end);
        EXPECT_EQ(*end, det::call_action::kind::fail);  // a validator's error ends the call
        EXPECT_EQ(steps, (std::vector<std::string>{"send", "check"}));
    }
}

}  // namespace call_core_test
