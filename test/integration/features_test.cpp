// Call features through the public API against the mock: ins::maybe<T>, a token budget, the
// cost and run page a provider reports, the validation context and message templates, wire
// names, and repaired replies.
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <set>

namespace features_test {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace models;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;
using instructor::testing::recorded_request;

namespace {

/// A quote that must occur in the source text the call was given (a grounding check).

std::string user_text(recorded_request const& r, std::size_t i)
{
    return std::string(json::parse(r.body).at("messages").at(i).at("content").as_string());
}

}  // namespace

TEST(Features, MessagesAreTemplatesRenderedWithTheContext)
{
    mock_server m;
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        ins::request req;
        req.messages = {ins::message::system("Classify {{kind}} addresses."),
                        ins::message::user("Address: {{email}}\n{{#hints}}- {{.}}\n{{/hints}}"
                                           "{{#strict}}Be strict.{{/strict}}{{^strict}}Be lenient.{{/strict}}"
                                           " {{person.name}}")};
        req.context = json::parse(R"({"kind": "email", "email": "<steve@apple.com> & co",
            "hints": ["gmail is personal", "apple.com is work"], "strict": false,
            "person": {"name": "Ada"}})").as_object();
        co_await c.create<UserInfo>(req);
    });
    ASSERT_FALSE(err) << err->what();
    auto const r = m.requests().at(0);
    EXPECT_EQ(user_text(r, 0), "Classify email addresses.");
    // values go in unescaped: a prompt is not HTML
    EXPECT_EQ(user_text(r, 1), "Address: <steve@apple.com> & co\n- gmail is personal\n"
                               "- apple.com is work\nBe lenient. Ada");
}

TEST(Features, WithoutAContextTextIsSentAsWritten)
{
    mock_server m;
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(test::ask("Literal {{braces}} stay."));
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(user_text(m.requests().at(0), 0), "Literal {{braces}} stay.");
}

TEST(Features, ATemplateThatDoesNotParseFailsBeforeAnyRequest)
{
    mock_server m;
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto req = test::ask("{{#open}} never closed");
        req.context = json::object{{"open", true}};
        co_await c.create<UserInfo>(req);
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::invalid_argument) << err->what();
    EXPECT_NE(std::string(err->what()).find("message 0"), std::string::npos) << err->what();
    EXPECT_TRUE(m.requests().empty());

    // a stream too
    auto serr = test::with<ins::client>(test::mock_options(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto req = test::ask("{{/closed}} never opened");
        req.context = json::object{{"x", 1}};
        auto s = c.create_partial<UserInfo>(req);
        while (co_await s.next()) {
        }
    });
    ASSERT_TRUE(serr);
    EXPECT_EQ(serr->code(), ins::errc::invalid_argument) << serr->what();
    EXPECT_TRUE(m.requests().empty());
}

TEST(Features, ValidatorsSeeTheContextAndGroundingFailuresAreReasked)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("Quote", R"({"text": "the sky is green"})"));
    m.push(mock_reply::chat_tool_call("Quote", R"({"text": "the sky is blue"})"));
    m.push(mock_reply::chat_tool_call("Quote", R"({"text": "anything"})"));
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto req = test::ask("Quote the sentence about the sky: {{source}}");
        req.context = json::object{{"source", "Today the sky is blue and the sea is calm."}};
        auto [q, completion] = co_await c.create_with_completion<Quote>(req);
        EXPECT_EQ(q.text, "the sky is blue");
        EXPECT_EQ(completion.attempts, 2);
        // Without a context the validator says so (and the model cannot fix that).
        co_await c.create<Quote>(test::ask("Quote something.", 0));
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::validation_failed);
    EXPECT_NE(std::string(err->what()).find("no source text"), std::string::npos) << err->what();
    ASSERT_EQ(m.requests().size(), 3u);
    auto const reask = json::serialize(json::parse(m.requests().at(1).body));
    EXPECT_NE(reask.find("does not occur in the source text"), std::string::npos);
    // the rendered prompt carried the source
    EXPECT_NE(user_text(m.requests().at(0), 0).find("the sky is blue"), std::string::npos);
}

TEST(Features, StreamsValidateWithTheContextToo)
{
    mock_server m;
    m.push(mock_reply::sse({R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1",)"
                            R"("function":{"name":"Quote","arguments":"{\"text\": \"the sea\"}"}}]},)"
                            R"("finish_reason":"tool_calls"}]})"}));
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto req = test::ask("Quote: {{source}}", 0);
        req.context = json::object{{"source", "the sky is blue"}};
        auto s = c.create_partial<Quote>(req);
        while (co_await s.next()) {
        }
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::validation_failed) << err->what();
}

TEST(Features, MaybeGivesAResultOrAnExplanation)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("MaybeUserInfo",
                                      R"({"result":{"name":"John Doe","age":32},"error":false,"message":null})"));
    m.push(mock_reply::chat_tool_call("MaybeUserInfo",
                                      R"({"result":null,"error":true,"message":"No person is mentioned."})"));
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto found = co_await c.create<ins::maybe<UserInfo>>(test::ask("John Doe is 32 years old."));
        EXPECT_TRUE(found.result && found.result->age == 32);
        auto none = co_await c.create<ins::maybe<UserInfo>>(test::ask("The weather is nice."));
        EXPECT_FALSE(none.result);
        EXPECT_TRUE(none.error);
        EXPECT_EQ(none.message, "No person is mentioned.");
    });
    ASSERT_FALSE(err) << err->what();
    auto const body = json::parse(m.requests().at(0).body);
    EXPECT_EQ(body.at("tools").at(0).at("function").at("name"), "MaybeUserInfo");
}

TEST(Features, MaybeInStructuredOutputsAgainstTheDefaultAnswer)
{
    mock_server m;
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::structured_outputs),
                                       [&](ins::client& c) -> asio::awaitable<void> {
                                           (void)co_await c.create<ins::maybe<UserInfo>>(
                                               test::ask("John Doe is 32 years old."));
                                       });
    ASSERT_FALSE(err) << err->what();
    auto const body = json::parse(m.requests().at(0).body);
    EXPECT_EQ(body.at("response_format").at("json_schema").at("name"), "MaybeUserInfo");
    EXPECT_EQ(body.at("response_format").at("json_schema").at("strict"), true);
}

TEST(Features, ATokenBudgetEndsTheCallWithBudgetExceeded)
{
    mock_server m;
    for (int i = 0; i < 4; ++i)
        m.push(mock_reply::chat_tool_call("UserInfo", R"({"name":"John Doe","age":"thirty"})"));
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto req = test::ask("John Doe is 32 years old.");
        req.token_budget = 10;
        co_await c.create<UserInfo>(req);
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::budget_exceeded) << err->what();
    EXPECT_EQ(m.requests().size(), 1u);
    EXPECT_EQ(err->failed_attempts.size(), 1u);
    EXPECT_GE(err->total_usage.total_tokens, 10u);
}

TEST(Features, TheProvidersCostIsSummedOverAttempts)
{
    mock_server m;
    auto costed = [](std::string args, double cost) {
        auto body = json::parse(mock_reply::chat_tool_call("UserInfo", std::move(args)).body).as_object();
        body["usage"].as_object()["cost"] = cost;
        return mock_reply::json(json::serialize(body));
    };
    m.push(costed(R"({"name":"John Doe","age":"thirty"})", 0.001));
    m.push(costed(R"({"name":"John Doe","age":32})", 0.002));
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto [u, completion] = co_await c.create_with_completion<UserInfo>(test::ask("John Doe is 32 years old."));
        EXPECT_EQ(u.age, 32);
        EXPECT_EQ(completion.attempts, 2);
        EXPECT_TRUE(completion.total_usage.cost_usd);
        EXPECT_NEAR(completion.total_usage.cost_usd.value_or(0), 0.003, 1e-12);
    });
    ASSERT_FALSE(err) << err->what();
}

namespace {

/// A tool call with this usage: 1,000 prompt tokens (400 of them cached), 200 completion.
mock_reply with_usage(std::string args)
{
    auto body = json::parse(mock_reply::chat_tool_call("UserInfo", std::move(args)).body).as_object();
    body["usage"] = json::object{{"prompt_tokens", 1000},
                                 {"completion_tokens", 200},
                                 {"total_tokens", 1200},
                                 {"prompt_tokens_details", {{"cached_tokens", 400}}}};
    return mock_reply::json(json::serialize(body));
}

}  // namespace

TEST(Features, PricesGiveTheCostWhereTheProviderGivesNone)
{
    mock_server m;
    m.push(with_usage(R"({"name":"John Doe","age":"thirty"})"));
    m.push(with_usage(R"({"name":"John Doe","age":32})"));
    auto o = test::mock_options(m, ins::mode::tools);
    o.prices["gpt-4o-mini"] = ins::price{1.0, 4.0, 0.5};
    o.prices["other-model"] = ins::price{100.0, 100.0, {}};
    auto err = test::with<ins::client>(o, [&](ins::client& c) -> asio::awaitable<void> {
        auto [u, completion] = co_await c.create_with_completion<UserInfo>(test::ask("John Doe is 32 years old."));
        EXPECT_EQ(completion.attempts, 2);
        // Each attempt: 600 input at $1, 400 cached at $0.50, 200 output at $4, per million.
        EXPECT_NEAR(completion.total_usage.cost_usd.value_or(0), 2 * 0.0016, 1e-12);
        // Streamed: the same price on the stream's usage.
        auto s = c.create_partial<UserInfo>(test::ask("John Doe is 32 years old."));
        for (;;)
            if (!co_await s.next())
                break;
        EXPECT_TRUE(s.completion() && s.completion()->total_usage.cost_usd.value_or(0) > 0);
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_DOUBLE_EQ(ins::cost_usd_of({.prompt_tokens = 10, .cached_tokens = 20}, {1e6, 0, 0.0}), 0.0);
}

TEST(Features, ACostBudgetStopsNewAttemptsOnceSpent)
{
    mock_server m;
    for (int i = 0; i < 4; ++i)
        m.push(with_usage(R"({"name":"John Doe","age":"thirty"})"));
    auto o = test::mock_options(m, ins::mode::tools);
    o.prices["gpt-4o-mini"] = ins::price{1.0, 4.0, 0.5};
    auto err = test::with<ins::client>(o, [&](ins::client& c) -> asio::awaitable<void> {
        auto req = test::ask("John Doe is 32 years old.");
        req.cost_budget_usd = 0.003;  // two attempts' worth: the third never starts
        co_await c.create<UserInfo>(req);
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::budget_exceeded) << err->what();
    EXPECT_EQ(m.requests().size(), 2u);
    EXPECT_NEAR(err->total_usage.cost_usd.value_or(0), 0.0032, 1e-12);
    EXPECT_NE(std::string(err->what()).find("$0.003200 of its budget of $0.003000"), std::string::npos)
        << err->what();
    // A model without a price: refused before any request, never an unenforced budget.
    auto o2 = test::mock_options(m, ins::mode::tools);
    err = test::with<ins::client>(o2, [&](ins::client& c) -> asio::awaitable<void> {
        auto req = test::ask("John Doe is 32 years old.");
        req.cost_budget_usd = 1.0;
        co_await c.create<UserInfo>(req);
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::invalid_argument);
    EXPECT_EQ(m.requests().size(), 2u);
}

namespace {

/// A chat stream's chunk of content, with its finish reason (empty: none yet).
std::string chunk(std::string content, std::string finish)
{
    json::object choice{{"index", 0}, {"delta", {{"content", std::move(content)}}}};
    choice["finish_reason"] = finish.empty() ? json::value(nullptr) : json::value(finish);
    return json::serialize(json::object{{"id", "c"}, {"object", "chat.completion.chunk"},
                                        {"choices", {std::move(choice)}}});
}

}  // namespace

TEST(Features, ACutAnswerIsAskedAgainWithRoomToFinish)
{
    mock_server m;
    m.push(mock_reply::chat_content(R"({"name":"John)", "length"));
    m.push(mock_reply::chat_content(R"({"name":"John Doe","age":32})"));
    m.push(mock_reply::sse({chunk(R"({"name":)", ""), chunk("", "length")}));
    m.push(mock_reply::sse({chunk(R"({"name":"John Doe",)", ""), chunk(R"("age":32})", "stop")}));
    m.push(mock_reply::chat_content(R"({"name":"John)", "length"));
    m.push(mock_reply::chat_content(R"({"name":"John)", "length"));
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::json), [&](ins::client& c) -> asio::awaitable<void> {
        auto req = test::ask("John Doe is 32 years old.");
        req.max_tokens = 100;
        req.on_truncation = ins::truncation::raise_max_tokens;
        auto [u, completion] = co_await c.create_with_completion<UserInfo>(req);
        EXPECT_EQ(u.age, 32);
        EXPECT_EQ(completion.attempts, 2);
        // Streamed: the cut stream, then the question again.
        auto s = c.create_partial<UserInfo>(req);
        int age = 0;
        for (;;) {
            auto p = co_await s.next();
            if (!p)
                break;
            age = p->value.age;
        }
        EXPECT_EQ(age, 32);
        // At the cap: the call fails, saying so. By default: no second attempt at all.
        req.max_tokens_cap = 100;
        try {
            (void)co_await c.create<UserInfo>(req);
            ADD_FAILURE() << "a cut answer at the cap succeeded";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code_enum(), ins::errc::output_truncated);
            EXPECT_NE(std::string(e.what()).find("already at request::max_tokens_cap 100"), std::string::npos)
                << e.what();
        }
        auto plain = test::ask("John Doe is 32 years old.");
        try {
            (void)co_await c.create<UserInfo>(plain);
            ADD_FAILURE() << "a cut answer succeeded";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code_enum(), ins::errc::output_truncated);
        }
        // No limit asked and none reported (a stream without usage): the cap at once.
        m.push(mock_reply::sse({chunk(R"({"name":)", ""), chunk("", "length")}));
        m.push(mock_reply::sse({chunk(R"({"name":"John Doe","age":32})", "stop")}));
        auto open = test::ask("John Doe is 32 years old.");
        open.on_truncation = ins::truncation::raise_max_tokens;
        open.max_tokens_cap = 5000;
        auto s2 = c.create_partial<UserInfo>(open);
        age = 0;
        for (;;) {
            auto p = co_await s2.next();
            if (!p)
                break;
            age = p->value.age;
        }
        EXPECT_EQ(age, 32);
    });
    ASSERT_FALSE(err) << err->what();
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 8u);
    EXPECT_FALSE(json::parse(reqs[6].body).as_object().contains("max_tokens"));
    EXPECT_EQ(json::parse(reqs[7].body).at("max_tokens"), 5000);
    EXPECT_EQ(json::parse(reqs[0].body).at("max_tokens"), 100);
    EXPECT_EQ(json::parse(reqs[1].body).at("max_tokens"), 200);  // doubled, the same question
    EXPECT_EQ(json::parse(reqs[1].body).at("messages"), json::parse(reqs[0].body).at("messages"));
    EXPECT_EQ(json::parse(reqs[3].body).at("max_tokens"), 200);  // the stream's, again
}

TEST(Features, ACutTextAnswerIsContinuedAndThePartsJudgedAsOne)
{
    mock_server m;
    // A call cut twice, then finished; the parts joined are one answer.
    m.push(mock_reply::chat_content(R"({"name":"John)", "length"));
    m.push(mock_reply::chat_content(R"( Doe","ag)", "length"));
    m.push(mock_reply::chat_content(R"(e":32})"));
    // A stream cut once; the whole answer is the last snapshot.
    m.push(mock_reply::sse({chunk(R"({"name":"Jane",)", ""), chunk("", "length")}));
    m.push(mock_reply::sse({chunk(R"("age":41})", "stop")}));
    // Joined, the parts do not validate: an ordinary re-ask, echoing the last part.
    m.push(mock_reply::chat_content(R"({"name":"John)", "length"));
    m.push(mock_reply::chat_content(R"(","age":"old"})"));
    m.push(mock_reply::chat_content(R"({"name":"John","age":32})"));
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::json), [&](ins::client& c) -> asio::awaitable<void> {
        auto req = test::ask("John Doe is 32 years old.");
        req.on_truncation = ins::truncation::continue_answer;
        auto [u, completion] = co_await c.create_with_completion<UserInfo>(req);
        EXPECT_EQ(u.name, "John Doe");
        EXPECT_EQ(u.age, 32);
        EXPECT_EQ(completion.attempts, 3);
        auto s = c.create_partial<UserInfo>(req);
        UserInfo last;
        for (;;) {
            auto p = co_await s.next();
            if (!p)
                break;
            last = p->value;
        }
        EXPECT_EQ(last.name, "Jane");
        EXPECT_EQ(last.age, 41);
        auto r = co_await c.create_with_completion<UserInfo>(req);
        EXPECT_EQ(r.value.age, 32);
        EXPECT_EQ(r.completion.attempts, 3);
    });
    ASSERT_FALSE(err) << err->what();
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 8u);
    auto const second = json::parse(reqs[1].body).at("messages").as_array();
    auto const third = json::parse(reqs[2].body).at("messages").as_array();
    ASSERT_GE(second.size(), 2u);
    EXPECT_EQ(second[second.size() - 2].at("role"), "assistant");
    EXPECT_EQ(second[second.size() - 2].at("content"), R"({"name":"John)");
    EXPECT_NE(std::string(second.back().at("content").as_string()).find("Continue it exactly"),
              std::string::npos);
    EXPECT_EQ(third[third.size() - 2].at("content"), R"( Doe","ag)");  // each part once
    auto const reask = json::parse(reqs[7].body).at("messages").as_array();
    EXPECT_EQ(reask[reask.size() - 2].at("content"), R"(","age":"old"})");
    EXPECT_NE(std::string(reask.back().at("content").as_string()).find("age"), std::string::npos);
}

TEST(Features, AToolCallCutCannotBeContinued)
{
    mock_server m;
    auto cut = json::parse(R"({"id":"c","object":"chat.completion","created":0,"model":"m",
        "choices":[{"index":0,"finish_reason":"length","message":{"role":"assistant",
        "content":null,"tool_calls":[{"id":"t","type":"function","function":{"name":"UserInfo",
        "arguments":"{\"name\":\"Jo"}}]}}]})");
    m.push(mock_reply::json(json::serialize(cut)));
    auto err = test::with<ins::client>(test::mock_options(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto req = test::ask("John Doe is 32 years old.");
        req.on_truncation = ins::truncation::continue_answer;
        (void)co_await c.create<UserInfo>(req);
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code_enum(), ins::errc::output_truncated);
    EXPECT_NE(std::string(err->what()).find("text modes only"), std::string::npos) << err->what();
    EXPECT_EQ(m.requests().size(), 1u);
}

TEST(Features, AnAlmostJsonReplyIsRepairedWithoutAReask)
{
    mock_server m;
    // json mode: prose, a fence, a trailing comma and a Python literal
    m.push(mock_reply::chat_content("Sure! Here it is:\n```json\n{'name': 'John Doe', \"age\": 32,}\n```\nAnything else?"));
    // tools mode: unquoted keys and a comment in the arguments
    m.push(mock_reply::chat_tool_call("UserInfo", "{name: \"Ada\", // the user\n age: 36}"));
    ins::completion json_completion, tools_completion;
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::json), [&](ins::client& c) -> asio::awaitable<void> {
        auto r = co_await c.create_with_completion<UserInfo>(test::ask("John Doe is 32."));
        EXPECT_EQ(r.value.name, "John Doe");
        EXPECT_EQ(r.value.age, 32);
        json_completion = r.completion;
    });
    ASSERT_FALSE(err) << err->what();
    auto err2 = test::with<ins::client>(test::mock_options(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto r = co_await c.create_with_completion<UserInfo>(test::ask("Ada is 36."));
        EXPECT_EQ(r.value.name, "Ada");
        tools_completion = r.completion;
    });
    ASSERT_FALSE(err2) << err2->what();
    EXPECT_EQ(m.requests().size(), 2u);  // no re-ask
    EXPECT_EQ(json_completion.attempts, 1);
    auto kinds = [](ins::completion const& c) {
        std::set<std::string> k;
        for (auto const& r : c.repairs)
            k.insert(std::string(ins::to_string(r.kind)));
        return k;
    };
    EXPECT_EQ(kinds(json_completion),
              (std::set<std::string>{"code_fence", "surrounding_text", "single_quotes", "trailing_comma"}));
    EXPECT_EQ(kinds(tools_completion), (std::set<std::string>{"unquoted_key", "comment"}));
}

TEST(Features, StrictDecodingReasksInsteadOfRepairing)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("UserInfo", R"({"name": "Ada", "age": 36,})"));
    m.push(mock_reply::chat_tool_call("UserInfo", R"({"name": "Ada", "age": 36})"));
    auto o = test::mock_options(m, ins::mode::tools);
    o.decoding = ins::strict_decoding;
    auto err = test::with<ins::client>(o, [&](ins::client& c) -> asio::awaitable<void> {
        auto r = co_await c.create_with_completion<UserInfo>(test::ask("Ada is 36."));
        EXPECT_EQ(r.completion.attempts, 2);
        EXPECT_TRUE(r.completion.repairs.empty());
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(m.requests().size(), 2u);
}

TEST(Features, RepairNeverGuessesBetweenTwoAnswersOrFinishesACutOne)
{
    mock_server m;
    // two different objects that both fit: an issue and a re-ask, not a pick
    m.push(mock_reply::chat_content(R"(Either {"name": "Ann", "age": 30,} or {"name": "Bob", "age": 40,})"));
    m.push(mock_reply::chat_content(R"({"name": "Ann", "age": 30})"));
    // a reply cut at the token limit stays output_truncated
    m.push(mock_reply::chat_content(R"({"name": "Ann", "age": )", "length"));
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::json), [&](ins::client& c) -> asio::awaitable<void> {
        auto r = co_await c.create_with_completion<UserInfo>(test::ask("Who?"));
        EXPECT_EQ(r.completion.attempts, 2);
        EXPECT_EQ(r.value.name, "Ann");
        co_await c.create<UserInfo>(test::ask("Who else?"));
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::output_truncated);
    auto const reask = json::serialize(json::parse(m.requests().at(1).body));
    EXPECT_NE(reask.find("2 different JSON values"), std::string::npos) << reask;
}

/// A chat stream calling `tool` with `args` in deltas of `piece` bytes.
static mock_reply streamed_call(std::string const& tool, std::string const& args, std::size_t piece)
{
    std::vector<std::string> events;
    auto chunk = [&](json::object delta, json::value finish) {
        events.push_back(json::serialize(json::object{
            {"choices", json::array{json::object{{"index", 0}, {"delta", std::move(delta)},
                                                 {"finish_reason", finish}}}}}));
    };
    chunk({{"tool_calls", json::array{json::object{{"index", 0}, {"id", "c1"},
                                                   {"function", {{"name", tool}, {"arguments", ""}}}}}}},
          nullptr);
    for (std::size_t i = 0; i < args.size(); i += piece)
        chunk({{"tool_calls", json::array{json::object{
                                  {"index", 0}, {"function", {{"arguments", args.substr(i, piece)}}}}}}},
              nullptr);
    chunk({}, "tool_calls");
    return mock_reply::sse(events);
}

TEST(Features, StreamsRepairAsTheTextArrives)
{
    mock_server m;
    m.push(streamed_call("UserInfo", "{'name': 'John Doe', age: 32, /* years */}", 3));
    m.push(streamed_call("IterableUserInfo", "{tasks: [{'name': 'Ann', 'age': 30,}, {name: 'Bob', age: 40}]}", 4));
    std::vector<std::string> names_seen;
    std::vector<std::string> items;
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<UserInfo>(test::ask("John Doe is 32."));
        while (auto p = co_await s.next()) {
            names_seen.push_back(p->value.name);
            if (p->complete) {
                EXPECT_EQ(p->value.age, 32);
            }
        }
        EXPECT_EQ(s.attempts(), 1);  // repaired, not re-asked
        auto it = c.create_iterable<UserInfo>(test::ask("Ann is 30, Bob 40."));
        while (auto u = co_await it.next())
            items.push_back(u->name);
        EXPECT_EQ(it.attempts(), 1);
    });
    ASSERT_FALSE(err) << err->what();
    // the name grew while it streamed: repaired in flight, not at the end
    ASSERT_GE(names_seen.size(), 3u);
    EXPECT_NE(names_seen.front(), "John Doe");
    EXPECT_EQ(names_seen.back(), "John Doe");
    EXPECT_EQ(items, (std::vector<std::string>{"Ann", "Bob"}));
    EXPECT_EQ(m.requests().size(), 2u);
}

TEST(Features, StreamsWithStrictDecodingReaskInstead)
{
    mock_server m;
    m.push(streamed_call("UserInfo", "{'name': 'John Doe', 'age': 32}", 5));
    m.push(streamed_call("UserInfo", R"({"name": "John Doe", "age": 32})", 5));
    auto o = test::mock_options(m, ins::mode::tools);
    o.decoding = ins::strict_decoding;
    auto err = test::with<ins::client>(o, [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<UserInfo>(test::ask("John Doe is 32."));
        while (co_await s.next()) {
        }
        EXPECT_EQ(s.attempts(), 2);
    });
    ASSERT_FALSE(err) << err->what();
}

}  // namespace features_test
