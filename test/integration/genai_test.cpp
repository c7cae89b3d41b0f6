// Gemini's own API through the public API against the mock: from_provider("google/<model>"),
// the key in x-goog-api-key (never in the URL), genai_tools and genai_structured_outputs in
// calls and streams, re-asks that send the model's parts back (thought signatures included)
// with functionResponse parts, thinking (reasoning text and tokens), parallel calls for an
// iterable of variants, Google's errors and block reasons.
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <variant>

namespace genai_test {

namespace ins = instructor;
namespace asio = boost::asio;
namespace json = boost::json;
using namespace models;
using ins::testing::mock_reply;
using ins::testing::mock_server;
using test::header_of;

namespace {

std::string const key = "gemini-key-0d15ea5e";

json::object body_of(mock_server const& m, std::size_t i)
{
    return json::parse(m.requests().at(i).body).as_object();
}


/// Options from from_provider("google/gemini-2.5-flash"), the key under its second name.
ins::client_options google_options(mock_server const& m, ins::mode mode = ins::mode::genai_tools)
{
    ::unsetenv("GEMINI_API_KEY");
    ::setenv("GOOGLE_API_KEY", key.c_str(), 1);
    ::setenv("GEMINI_BASE_URL", m.base_url().c_str(), 1);
    asio::io_context ioc;
    auto o = ins::from_provider(ioc.get_executor(), "google/gemini-2.5-flash").options();
    ::unsetenv("GOOGLE_API_KEY");
    ::unsetenv("GEMINI_BASE_URL");
    o.mode = mode;
    return o;
}

json::object response_of(json::array parts, std::string finish = "STOP")
{
    return {{"candidates", {json::object{{"content", {{"role", "model"}, {"parts", std::move(parts)}}},
                                         {"finishReason", std::move(finish)}}}},
            {"usageMetadata", {{"promptTokenCount", 9}, {"candidatesTokenCount", 4}, {"totalTokenCount", 13}}}};
}

ins::request thinking_request(std::string text)
{
    auto q = test::ask(std::move(text));
    ins::reasoning r;
    r.budget_tokens = 512;
    q.reasoning = r;
    return q;
}

struct Forecast {
    std::string city;
};
BOOST_DESCRIBE_STRUCT(Forecast, (), (city))
struct Lookup {
    std::string query;
};
BOOST_DESCRIBE_STRUCT(Lookup, (), (query))

}  // namespace

TEST(GenAI, FromProviderCallsAndStreamsWithTheKeyInItsHeader)
{
    mock_server m;
    auto const o = google_options(m);
    EXPECT_EQ(o.mode, ins::mode::genai_tools);
    auto err = test::with<ins::client>(o, [&](ins::client& cl) -> asio::awaitable<void> {
        auto u = co_await cl.create<UserInfo>(test::ask("John Doe is 32 years old."));
        EXPECT_EQ(u.name, "John Doe");
        EXPECT_EQ(u.age, 32);
        auto s = cl.create_partial<UserInfo>(test::ask("Jane Roe is 41 years old."));
        int snapshots = 0, age = 0;
        for (;;) {
            auto p = co_await s.next();
            if (!p)
                break;
            ++snapshots;
            age = p->value.age;
        }
        EXPECT_GE(snapshots, 1);
        EXPECT_EQ(age, 41);
    });
    ASSERT_FALSE(err) << err->what();
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(reqs[0].target, "/v1/models/gemini-2.5-flash:generateContent");
    EXPECT_EQ(reqs[1].target, "/v1/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    for (auto const& r : reqs) {
        EXPECT_EQ(header_of(r, "x-goog-api-key"), key);
        EXPECT_EQ(r.target.find(key), std::string::npos);
        EXPECT_TRUE(header_of(r, "Authorization").empty());
    }
    EXPECT_EQ(body_of(m, 0).at("toolConfig").at("functionCallingConfig").at("mode"), "ANY");
}

TEST(GenAI, StructuredOutputsWholeAndStreamed)
{
    mock_server m;
    auto err = test::with<ins::client>(google_options(m, ins::mode::genai_structured_outputs),
                                       [&](ins::client& cl) -> asio::awaitable<void> {
        EXPECT_EQ((co_await cl.create<UserInfo>(test::ask("John Doe is 32 years old."))).age, 32);
        auto s = cl.create_partial<UserInfo>(test::ask("Jane Roe is 41 years old."));
        int snapshots = 0;
        bool complete = false;
        for (;;) {
            auto p = co_await s.next();
            if (!p)
                break;
            ++snapshots;
            complete = p->complete;
        }
        EXPECT_GT(snapshots, 1);  // the text streams in pieces
        EXPECT_TRUE(complete);
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(body_of(m, 0).at("generationConfig").at("responseMimeType"), "application/json");
}

TEST(GenAI, ReasksSendTheModelsPartsBackWithFunctionResponses)
{
    mock_server m;
    json::array const bad{json::object{{"text", "Counting years."}, {"thought", true}},
                          json::object{{"functionCall", {{"name", "UserInfo"},
                                                         {"args", {{"name", "John Doe"}, {"age", "old"}}}}},
                                       {"thoughtSignature", "sig-abc"}}};
    m.push(mock_reply::json(json::serialize(response_of(bad))));
    ins::completion c;
    auto err = test::with<ins::client>(google_options(m), [&](ins::client& cl) -> asio::awaitable<void> {
        auto r = co_await cl.create_with_completion<UserInfo>(thinking_request("John Doe is 32 years old."));
        EXPECT_EQ(r.value.age, 32);
        c = std::move(r.completion);
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(m.requests().size(), 2u);
    auto const contents = body_of(m, 1).at("contents").as_array();
    ASSERT_EQ(contents.size(), 3u);
    EXPECT_EQ(contents[1].at("role"), "model");
    EXPECT_EQ(contents[1].at("parts"), bad);  // unchanged, the signature with it
    auto const& fr = contents[2].at("parts").at(0).at("functionResponse");
    EXPECT_EQ(fr.at("name"), "UserInfo");
    EXPECT_NE(json::serialize(fr).find("age"), std::string::npos);
    EXPECT_EQ(body_of(m, 0).at("generationConfig").at("thinkingConfig").at("thinkingBudget"), 512);
    // The accepted answer is the mock's, which thinks too.
    ASSERT_TRUE(c.reasoning);
    EXPECT_NE(c.reasoning->find("Reading:"), std::string::npos);
    EXPECT_GT(c.total_usage.reasoning_tokens, 0u);
    EXPECT_EQ(c.attempts, 2);
}

TEST(GenAI, AReplyWithoutThoughtsIsSentBackAsItCameThoughNoneOfItWasKept)
{
    // No thought, signature or id: the reply is read in one pass and keeps no parts; the re-ask
    // rebuilds them from its answers, the very parts that came (a text part, then the call), and
    // a text mode's cut answer is continued with the text it came with.
    mock_server m;
    json::object const args{{"name", "John Doe"}, {"age", "old"}};
    json::array const bad{json::object{{"text", "Here it is."}},
                          json::object{{"functionCall", {{"name", "UserInfo"}, {"args", args}}}}};
    m.push(mock_reply::json(json::serialize(response_of(bad))));
    auto const ask = [&](ins::client& cl) -> asio::awaitable<void> {
        auto const req = test::ask("John Doe is 32 years old.");
        auto r = co_await cl.create<UserInfo>(req);
        EXPECT_EQ(r.age, 32);
    };
    auto err = test::with<ins::client>(google_options(m), ask);
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(m.requests().size(), 2u);
    auto const contents = body_of(m, 1).at("contents").as_array();
    ASSERT_EQ(contents.size(), 3u);
    EXPECT_EQ(contents[1].at("role"), "model");
    EXPECT_EQ(json::serialize(contents[1].at("parts")), json::serialize(bad));

    mock_server t;
    std::string const cut = R"({"name":"John Doe",)";
    json::object const first{{"text", cut}}, rest{{"text", R"("age":32})"}};
    t.push(mock_reply::json(json::serialize(response_of({first}, "MAX_TOKENS"))));
    t.push(mock_reply::json(json::serialize(response_of({rest}))));
    err = test::with<ins::client>(google_options(t, ins::mode::genai_structured_outputs),
                                  [&](ins::client& cl) -> asio::awaitable<void> {
        auto req = test::ask("John Doe is 32 years old.");
        req.on_truncation = ins::truncation::continue_answer;
        auto r = co_await cl.create<UserInfo>(req);
        EXPECT_EQ(r.age, 32);
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(t.requests().size(), 2u);
    auto const turns = body_of(t, 1).at("contents").as_array();
    ASSERT_EQ(turns.size(), 3u);
    EXPECT_EQ(json::serialize(turns[1]),
              json::serialize(json::object{{"role", "model"}, {"parts", {first}}}));
}

TEST(GenAI, StreamedThoughtsAndSignaturesSurviveTheReask)
{
    mock_server m;
    auto chunk = [](json::array parts, bool last) {
        auto r = response_of(std::move(parts), last ? "STOP" : "");
        if (!last)
            r["candidates"].as_array()[0].as_object().erase("finishReason");
        return json::serialize(r);
    };
    json::object const call{{"functionCall", {{"name", "UserInfo"}, {"args", {{"name", "J"}, {"age", "old"}}}}},
                            {"thoughtSignature", "sig-stream"}};
    m.push(mock_reply::sse({chunk({json::object{{"text", "Think "}, {"thought", true}}}, false),
                            chunk({json::object{{"text", "more."}, {"thought", true}}}, false),
                            chunk({call}, false), chunk({}, true)},
                           false));
    std::optional<ins::completion> c;
    auto err = test::with<ins::client>(google_options(m), [&](ins::client& cl) -> asio::awaitable<void> {
        auto s = cl.create_partial<UserInfo>(thinking_request("John Doe is 32 years old."));
        for (;;) {
            auto p = co_await s.next();
            if (!p)
                break;
        }
        if (s.completion())
            c = *s.completion();
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(m.requests().size(), 2u);
    auto const parts = body_of(m, 1).at("contents").at(1).at("parts").as_array();
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0], (json::object{{"text", "Think more."}, {"thought", true}}));  // joined
    EXPECT_EQ(parts[1], call);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->reasoning);
    EXPECT_NE(c->reasoning->find("Reading:"), std::string::npos);
}

TEST(GenAI, IterablesOfVariantsAreParallelCalls)
{
    mock_server m;
    std::size_t weather = 0, search = 0;
    auto err = test::with<ins::client>(google_options(m), [&](ins::client& cl) -> asio::awaitable<void> {
        auto s = cl.create_iterable<std::variant<Forecast, Lookup>>(
            test::ask("What is the weather in Paris, and search the news."));
        for (;;) {
            auto item = co_await s.next();
            if (!item)
                break;
            ++(item->index() == 0 ? weather : search);
        }
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(weather, 1u);  // the mock calls every allowed function once
    EXPECT_EQ(search, 1u);
    auto const decls = body_of(m, 0).at("tools").at(0).at("functionDeclarations").as_array();
    EXPECT_EQ(decls.size(), 2u);
}

TEST(GenAI, GooglesErrorsAndBlockedPromptsAreTyped)
{
    mock_server m;
    auto o = google_options(m);
    o.max_network_retries = 0;
    m.push([] {
        auto r = mock_reply::json(R"({"error":{"code":400,"message":"API key not valid. )" +
                                  key + R"(","status":"INVALID_ARGUMENT"}})");
        r.status = 400;
        return r;
    }());
    m.push(mock_reply::json(R"({"promptFeedback":{"blockReason":"SAFETY"}})"));
    m.push(mock_reply::json(json::serialize(
        response_of({json::object{{"functionCall", {{"name", "UserInfo"}, {"args", {{"name", "J"}}}}}}},
                    "MAX_TOKENS"))));
    std::vector<ins::error> errors;
    for (int i = 0; i < 3; ++i) {
        auto err = test::with<ins::client>(o, [&](ins::client& cl) -> asio::awaitable<void> {
            (void)co_await cl.create<UserInfo>(test::ask("John Doe is 32 years old."));
        });
        ASSERT_TRUE(err);
        errors.push_back(*err);
    }
    EXPECT_EQ(errors[0].code(), ins::errc::bad_request);
    EXPECT_NE(errors[0].provider_message.find("API key not valid"), std::string::npos);
    EXPECT_EQ(errors[0].provider_message.find(key), std::string::npos);  // redacted
    EXPECT_EQ(std::string(errors[0].what()).find(key), std::string::npos);
    EXPECT_EQ(errors[1].code(), ins::errc::content_filtered);
    EXPECT_EQ(errors[2].code(), ins::errc::output_truncated);
}

TEST(GenAI, FromProviderNeedsAKey)
{
    ::unsetenv("GEMINI_API_KEY");
    ::unsetenv("GOOGLE_API_KEY");
    asio::io_context ioc;
    try {
        (void)ins::from_provider(ioc.get_executor(), "google/gemini-2.5-flash");
        FAIL();
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::missing_api_key);
        EXPECT_NE(std::string(e.what()).find("GOOGLE_API_KEY"), std::string::npos);
    }
}

TEST(GenAI, TheCacheTellsModelsApart)
{
    mock_server m;
    auto o = google_options(m);
    o.cache = ins::make_memory_cache(16);
    auto err = test::with<ins::client>(o, [&](ins::client& cl) -> asio::awaitable<void> {
        for (auto const* model : {"gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash"}) {
            auto q = test::ask("John Doe is 32 years old.");
            q.model = model;
            (void)co_await cl.create<UserInfo>(q);
        }
    });
    ASSERT_FALSE(err) << err->what();
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 2u);  // the third call was the first's, from the cache
    EXPECT_EQ(reqs[1].target, "/v1/models/gemini-2.5-pro:generateContent");
}

}  // namespace genai_test
