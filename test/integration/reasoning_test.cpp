// Reasoning models through the public API against the mock: effort and budget sent in each API's
// own fields; Anthropic thinking with tools (the tool offered, not forced; a reply without it
// re-asked; the thinking blocks sent back unchanged, signatures included, in calls and streams);
// Responses reasoning items carried across re-asks; completion::reasoning and
// usage::reasoning_tokens filled from each API, in calls and in streams (stream::completion).
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/json.hpp>

#include <gtest/gtest.h>

namespace reasoning_test {

namespace ins = instructor;
namespace asio = boost::asio;
namespace json = boost::json;
using namespace models;
using ins::testing::mock_reply;
using ins::testing::mock_server;

namespace {

json::object body_of(mock_server const& m, std::size_t i)
{
    return json::parse(m.requests().at(i).body).as_object();
}

ins::request ask(ins::reasoning r)
{
    auto q = test::ask("John Doe is 32 years old.");
    q.reasoning = std::move(r);
    return q;
}

ins::reasoning budget(std::uint32_t tokens)
{
    ins::reasoning r;
    r.budget_tokens = tokens;
    return r;
}

ins::reasoning effort(std::string e)
{
    ins::reasoning r;
    r.effort = std::move(e);
    return r;
}

json::object const thinking{{"type", "thinking"},
                            {"thinking", "The age is written as a word."},
                            {"signature", "sig-EqQBCgIYAhIM1gbcDa9GJwZA"}};
json::object const redacted{{"type", "redacted_thinking"}, {"data", "EmwKAhgBEgy3va3pzix"}};

/// An Anthropic message with `blocks` as its content.
mock_reply anthropic_message(json::array blocks, std::string stop = "tool_use")
{
    return mock_reply::json(json::serialize(json::object{
        {"id", "msg_1"},
        {"type", "message"},
        {"role", "assistant"},
        {"model", "claude-sonnet-4-5"},
        {"content", std::move(blocks)},
        {"stop_reason", std::move(stop)},
        {"usage", {{"input_tokens", 10}, {"output_tokens", 20}}}}));
}

json::object tool_use(json::object input)
{
    return {{"type", "tool_use"}, {"id", "toolu_1"}, {"name", "UserInfo"}, {"input", std::move(input)}};
}

/// The same message streamed: a thinking block (text then signature), then the tool call.
mock_reply anthropic_stream_with_thinking(std::string const& input_json)
{
    mock_reply r;
    r.content_type = "text/event-stream";
    auto event = [&](std::string const& name, json::object data) {
        data["type"] = name;
        r.body += "event: " + name + "\ndata: " + json::serialize(data) + "\n\n";
    };
    event("message_start", {{"message", {{"id", "msg_1"}, {"type", "message"}, {"role", "assistant"},
                                         {"content", json::array{}},
                                         {"usage", {{"input_tokens", 10}, {"output_tokens", 1}}}}}});
    event("content_block_start",
          {{"index", 0}, {"content_block", {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}}}});
    event("content_block_delta",
          {{"index", 0}, {"delta", {{"type", "thinking_delta"}, {"thinking", "The age is written "}}}});
    event("content_block_delta",
          {{"index", 0}, {"delta", {{"type", "thinking_delta"}, {"thinking", "as a word."}}}});
    event("content_block_delta",
          {{"index", 0},
           {"delta", {{"type", "signature_delta"}, {"signature", "sig-EqQBCgIYAhIM1gbcDa9GJwZA"}}}});
    event("content_block_stop", {{"index", 0}});
    event("content_block_start",
          {{"index", 1},
           {"content_block", {{"type", "tool_use"}, {"id", "toolu_1"}, {"name", "UserInfo"},
                              {"input", json::object{}}}}});
    event("content_block_delta",
          {{"index", 1}, {"delta", {{"type", "input_json_delta"}, {"partial_json", input_json}}}});
    event("content_block_stop", {{"index", 1}});
    event("message_delta", {{"delta", {{"stop_reason", "tool_use"}}}, {"usage", {{"output_tokens", 20}}}});
    event("message_stop", {});
    return r;
}

/// The assistant turn a re-ask sent back (the first message with that role).
json::array assistant_content(json::object const& body)
{
    for (auto const& msg : body.at("messages").as_array())
        if (msg.at("role") == "assistant")
            return msg.at("content").as_array();
    ADD_FAILURE() << "no assistant turn in " << json::serialize(body);
    return {};
}

}  // namespace

TEST(Reasoning, AnthropicThinkingOffersTheToolAndSendsTheThinkingBackUnchanged)
{
    mock_server m;
    m.push(anthropic_message({thinking, redacted, tool_use({{"name", "John Doe"}, {"age", "old"}})}));
    ins::completion c;
    auto err = test::with<ins::client>(
        test::mock_options(m, ins::mode::anthropic_tools),
        [&](ins::client& cl) -> asio::awaitable<void> {
            auto r = co_await cl.create_with_completion<UserInfo>(ask(budget(2048)));
            EXPECT_EQ(r.value.age, 32);
            c = std::move(r.completion);
        });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(m.requests().size(), 2u);
    auto const first = body_of(m, 0);
    EXPECT_EQ(first.at("thinking"), (json::object{{"type", "enabled"}, {"budget_tokens", 2048}}));
    EXPECT_EQ(first.at("tool_choice"), (json::object{{"type", "auto"}}));  // never forced
    EXPECT_GT(first.at("max_tokens").as_int64(), 2048);
    EXPECT_NE(first.at("system").as_string().find("calling the UserInfo tool"), std::string::npos);
    // The re-ask: the thinking and redacted thinking first, as they came, then the tool call.
    auto const turn = assistant_content(body_of(m, 1));
    ASSERT_GE(turn.size(), 3u);
    EXPECT_EQ(turn[0], thinking);
    EXPECT_EQ(turn[1], redacted);
    EXPECT_EQ(turn[2].at("type"), "tool_use");
    // The accepted answer is the mock's, with its own thinking.
    ASSERT_TRUE(c.reasoning);
    EXPECT_NE(c.reasoning->find("John Doe is 32"), std::string::npos) << *c.reasoning;
    EXPECT_EQ(c.attempts, 2);
}

TEST(Reasoning, AnthropicReplyWithoutTheToolIsReasked)
{
    mock_server m;
    m.push(anthropic_message(
        {thinking, json::object{{"type", "text"}, {"text", "John is thirty-two."}}}, "end_turn"));
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::anthropic_tools),
                                       [&](ins::client& cl) -> asio::awaitable<void> {
                                           auto u = co_await cl.create<UserInfo>(ask(budget(1024)));
                                           EXPECT_EQ(u.age, 32);
                                       });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(m.requests().size(), 2u);
    auto const turn = assistant_content(body_of(m, 1));
    ASSERT_EQ(turn.size(), 2u);
    EXPECT_EQ(turn[0], thinking);
    EXPECT_EQ(turn[1].at("type"), "text");
}

/// What a create_partial<UserInfo> showed: snapshots, the last one, and the stream's
/// completion at its end.
struct streamed {
    int snapshots = 0;
    bool complete = false;
    int age = 0;
    bool completion_before_complete = false;  // a completion beside an unfinished snapshot
    std::optional<ins::completion> completion;
};

streamed stream_of(mock_server& m, ins::mode mode, ins::reasoning r)
{
    streamed out;
    auto err = test::with<ins::client>(
        test::mock_options(m, mode), [&](ins::client& cl) -> asio::awaitable<void> {
            auto s = cl.create_partial<UserInfo>(ask(std::move(r)));
            for (;;) {
                auto p = co_await s.next();
                if (!p)
                    break;
                out.completion_before_complete =
                    out.completion_before_complete || (!p->complete && s.completion());
                ++out.snapshots;
                out.complete = p->complete;
                out.age = p->value.age;
            }
            if (auto const* c = s.completion())
                out.completion = *c;
        });
    EXPECT_FALSE(err) << err->what();
    return out;
}

streamed stream_with_thinking(mock_server& m)
{
    return stream_of(m, ins::mode::anthropic_tools, budget(1024));
}

TEST(Reasoning, AnthropicStreamsKeepTheThinkingAssembledFromItsDeltas)
{
    mock_server m;
    m.push(anthropic_stream_with_thinking(R"({"name":"John Doe","age":"old"})"));
    auto const out = stream_with_thinking(m);
    EXPECT_TRUE(out.complete);
    EXPECT_EQ(out.age, 32);
    ASSERT_EQ(m.requests().size(), 2u);
    auto const turn = assistant_content(body_of(m, 1));
    ASSERT_GE(turn.size(), 2u);
    EXPECT_EQ(turn[0], thinking);  // text and signature joined from their deltas
    // The stream's completion is the accepted (second) answer's, with the mock's thinking.
    EXPECT_FALSE(out.completion_before_complete);
    ASSERT_TRUE(out.completion);
    EXPECT_EQ(out.completion->attempts, 2);
    ASSERT_TRUE(out.completion->reasoning);
    EXPECT_NE(out.completion->reasoning->find("John Doe is 32"), std::string::npos);
}

TEST(Reasoning, TheMocksOwnThinkingStreamsToTheEnd)
{
    mock_server m;
    auto const out = stream_with_thinking(m);
    EXPECT_GT(out.snapshots, 1);
    EXPECT_TRUE(out.complete);
    EXPECT_EQ(out.age, 32);
    EXPECT_EQ(m.requests().size(), 1u);
}

TEST(Reasoning, StreamsReturnTheReasoningAndItsTokensInTheirCompletion)
{
    mock_server m;
    auto const responses = stream_of(m, ins::mode::responses_tools, effort("low"));
    EXPECT_TRUE(responses.complete);
    ASSERT_TRUE(responses.completion);
    ASSERT_TRUE(responses.completion->reasoning);  // the summary, streamed as its own events
    EXPECT_NE(responses.completion->reasoning->find("Reading:"), std::string::npos);
    EXPECT_EQ(responses.completion->total_usage.reasoning_tokens, 12u);
    EXPECT_EQ(body_of(m, 0).at("stream"), true);

    auto const chat = stream_of(m, ins::mode::tools, effort("low"));
    EXPECT_TRUE(chat.complete);
    ASSERT_TRUE(chat.completion);
    EXPECT_EQ(chat.completion->total_usage.reasoning_tokens, 8u);
    EXPECT_EQ(chat.completion->attempts, 1);
}

TEST(Reasoning, ResponsesSendsEffortAndCarriesReasoningItemsAcrossReasks)
{
    mock_server m;
    json::object const item{{"type", "reasoning"},
                            {"id", "rs_1"},
                            {"summary", json::array{json::object{{"type", "summary_text"},
                                                                 {"text", "Age in words."}}}}};
    m.push(mock_reply::json(json::serialize(ins::testing::response_object(json::array{
        item, json::object{{"type", "function_call"},
                           {"id", "fc_1"},
                           {"call_id", "call_1"},
                           {"name", "UserInfo"},
                           {"arguments", R"({"name":"John Doe","age":"old"})"},
                           {"status", "completed"}}}))));
    ins::completion c;
    auto err = test::with<ins::client>(
        test::mock_options(m, ins::mode::responses_tools),
        [&](ins::client& cl) -> asio::awaitable<void> {
            auto r = co_await cl.create_with_completion<UserInfo>(ask(effort("high")));
            EXPECT_EQ(r.value.age, 32);
            c = std::move(r.completion);
        });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(m.requests().size(), 2u);
    EXPECT_EQ(body_of(m, 0).at("reasoning"),
              (json::object{{"effort", "high"}, {"summary", "auto"}}));
    auto const second = body_of(m, 1);
    bool carried = false;
    for (auto const& in : second.at("input").as_array())
        carried = carried || in == item;
    EXPECT_TRUE(carried) << json::serialize(second.at("input"));
    ASSERT_TRUE(c.reasoning);
    EXPECT_NE(c.reasoning->find("Reading:"), std::string::npos) << *c.reasoning;  // the mock's
    EXPECT_EQ(c.total_usage.reasoning_tokens, 12u);
}

TEST(Reasoning, ChatSendsTheEffortAndReadsReasoningContentAndTokens)
{
    mock_server m;
    auto err = test::with<ins::client>(
        test::mock_options(m, ins::mode::tools), [&](ins::client& cl) -> asio::awaitable<void> {
            auto r = co_await cl.create_with_completion<UserInfo>(ask(effort("low")));
            EXPECT_EQ(r.completion.total_usage.reasoning_tokens, 8u);
            EXPECT_FALSE(r.completion.reasoning);  // OpenAI returns no reasoning text
        });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(body_of(m, 0).at("reasoning_effort"), "low");
    // DeepSeek-style servers return the reasoning text.
    auto reply = json::parse(mock_reply::chat_tool_call("UserInfo", R"({"name":"Ann","age":4})").body);
    reply.at("choices").as_array()[0].as_object()["message"].as_object()["reasoning_content"] =
        "Ann is four.";
    m.push(mock_reply::json(json::serialize(reply)));
    err = test::with<ins::client>(
        test::mock_options(m, ins::mode::tools), [&](ins::client& cl) -> asio::awaitable<void> {
            auto r = co_await cl.create_with_completion<UserInfo>(ask(effort("low")));
            EXPECT_EQ(r.completion.reasoning.value_or(""), "Ann is four.");
        });
    ASSERT_FALSE(err) << err->what();
}

}  // namespace reasoning_test
