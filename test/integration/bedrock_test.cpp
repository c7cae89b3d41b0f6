// Amazon Bedrock's Converse API through the public API against the mock, which checks every
// Signature Version 4 signature as AWS does: from_provider("bedrock/<modelId>") with AWS
// credentials (a session token included) or a Bedrock API key, bedrock_tools and bedrock_json
// in calls and streams (event-stream frames), re-asks with toolResult blocks and the reasoning
// sent back, parallel tool use for an iterable of variants, AWS's errors with the secrets
// redacted, and a bad signature refused.
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include "protocol/bedrock/event_stream.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <variant>

namespace bedrock_test {

namespace ins = instructor;
namespace asio = boost::asio;
namespace json = boost::json;
using namespace models;
using ins::testing::mock_reply;
using ins::testing::mock_server;
using test::header_of;

namespace {

std::string const key_id = "AKIDMOCKEXAMPLE";
std::string const secret = ins::testing::mock_options{}.aws_secret_access_key;
std::string const session = "session-token-5ca1ab1e";
std::string const model = "anthropic.claude-sonnet-4-5-20250929-v1:0";

/// The mock's origin: Bedrock's endpoints have no path of their own.
std::string origin_of(mock_server const& m)
{
    auto url = m.base_url();
    return url.substr(0, url.rfind("/v1"));
}

json::object body_of(mock_server const& m, std::size_t i)
{
    return json::parse(m.requests().at(i).body).as_object();
}

void clear_aws_env()
{
    for (auto const* v : {"AWS_BEARER_TOKEN_BEDROCK", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                          "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
                          "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL"})
        ::unsetenv(v);
}

/// Options from from_provider("bedrock/<model>") with credentials (and a session token) in
/// the environment, the endpoint the mock.
ins::client_options bedrock_options(mock_server const& m, ins::mode mode = ins::mode::bedrock_tools,
                                    std::string const& secret_key = secret)
{
    clear_aws_env();
    ::setenv("AWS_ACCESS_KEY_ID", key_id.c_str(), 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", secret_key.c_str(), 1);
    ::setenv("AWS_SESSION_TOKEN", session.c_str(), 1);
    ::setenv("AWS_REGION", "us-west-2", 1);
    ::setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", origin_of(m).c_str(), 1);
    asio::io_context ioc;
    auto o = ins::from_provider(ioc.get_executor(), "bedrock/" + model).options();
    clear_aws_env();
    o.mode = mode;
    return o;
}

std::string converse_response(json::array content, std::string stop = "tool_use")
{
    return json::serialize(json::object{
        {"output", {{"message", {{"role", "assistant"}, {"content", std::move(content)}}}}},
        {"stopReason", std::move(stop)},
        {"usage", {{"inputTokens", 9}, {"outputTokens", 4}, {"totalTokens", 13}}}});
}

ins::request thinking_request(std::string text)
{
    auto q = test::ask(std::move(text));
    ins::reasoning r;
    r.budget_tokens = 1024;
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

TEST(Bedrock, FromProviderSignsCallsAndStreams)
{
    mock_server m;
    auto const o = bedrock_options(m);
    EXPECT_EQ(o.mode, ins::mode::bedrock_tools);
    ASSERT_TRUE(o.aws);
    EXPECT_EQ(o.aws->region, "us-west-2");
    EXPECT_TRUE(o.api_key.empty());
    auto err = test::with<ins::client>(o, [&](ins::client& cl) -> asio::awaitable<void> {
        auto r = co_await cl.create_with_completion<UserInfo>(test::ask("John Doe is 32 years old."));
        EXPECT_EQ(r.value.name, "John Doe");
        EXPECT_EQ(r.value.age, 32);
        EXPECT_GT(r.completion.total_usage.prompt_tokens, 0u);
        EXPECT_GT(r.completion.total_usage.completion_tokens, 0u);
        auto s = cl.create_partial<UserInfo>(test::ask("Jane Roe is 41 years old."));
        int snapshots = 0, age = 0;
        for (;;) {
            auto p = co_await s.next();
            if (!p)
                break;
            ++snapshots;
            age = p->value.age;
        }
        EXPECT_GT(snapshots, 1);  // the input streams in pieces, frame by frame
        EXPECT_EQ(age, 41);
        EXPECT_TRUE(s.completion());
        if (s.completion()) {
            EXPECT_GT(s.completion()->total_usage.total_tokens, 0u);  // from the metadata event
        }
    });
    ASSERT_FALSE(err) << err->what();
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(reqs[0].target, "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse");
    EXPECT_EQ(reqs[1].target, "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream");
    for (auto const& r : reqs) {
        auto const auth = header_of(r, "Authorization");
        EXPECT_TRUE(auth.starts_with("AWS4-HMAC-SHA256 Credential=" + key_id + "/")) << auth;
        EXPECT_NE(auth.find("/us-west-2/bedrock/aws4_request"), std::string::npos);
        EXPECT_NE(auth.find("x-amz-security-token"), std::string::npos);  // signed
        EXPECT_EQ(header_of(r, "X-Amz-Security-Token"), session);
        EXPECT_EQ(r.body.find(secret), std::string::npos);
        for (auto const& h : r.headers)
            EXPECT_EQ(h.value.find(secret), std::string::npos) << h.name;
    }
    auto const body = body_of(m, 0);
    EXPECT_FALSE(body.contains("model"));  // it is in the path
    auto const& tc = body.at("toolConfig").as_object();
    EXPECT_EQ(tc.at("toolChoice").at("tool").at("name"), "UserInfo");
    EXPECT_TRUE(tc.at("tools").at(0).at("toolSpec").at("inputSchema").at("json").is_object());
}

TEST(Bedrock, JsonModeWholeAndStreamed)
{
    mock_server m;
    auto err = test::with<ins::client>(bedrock_options(m, ins::mode::bedrock_json),
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
        EXPECT_GT(snapshots, 1);
        EXPECT_TRUE(complete);
    });
    ASSERT_FALSE(err) << err->what();
    auto const body = body_of(m, 0);
    EXPECT_FALSE(body.contains("toolConfig"));
    auto const system = json::serialize(body.at("system"));
    EXPECT_NE(system.find("\\\"age\\\""), std::string::npos) << system;  // the schema
}

TEST(Bedrock, ReasksSendTheReasoningAndAToolResult)
{
    mock_server m;
    json::object const reasoning{
        {"reasoningContent", {{"reasoningText", {{"text", "Counting years."}, {"signature", "sig-abc"}}}}}};
    json::array const bad{reasoning,
                          json::object{{"toolUse", {{"toolUseId", "tooluse_1"}, {"name", "UserInfo"},
                                                    {"input", {{"name", "John Doe"}, {"age", "old"}}}}}}};
    m.push(mock_reply::json(converse_response(bad)));
    ins::completion c;
    auto err = test::with<ins::client>(bedrock_options(m), [&](ins::client& cl) -> asio::awaitable<void> {
        auto r = co_await cl.create_with_completion<UserInfo>(thinking_request("John Doe is 32 years old."));
        EXPECT_EQ(r.value.age, 32);
        c = std::move(r.completion);
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(m.requests().size(), 2u);
    auto const first = body_of(m, 0);
    EXPECT_EQ(first.at("additionalModelRequestFields").at("thinking").at("budget_tokens"), 1024);
    EXPECT_TRUE(first.at("toolConfig").at("toolChoice").as_object().contains("auto"));
    auto const messages = body_of(m, 1).at("messages").as_array();
    ASSERT_EQ(messages.size(), 3u);
    EXPECT_EQ(messages[1].at("role"), "assistant");
    EXPECT_EQ(messages[1].at("content"), bad);  // unchanged, the signature with it
    auto const& result = messages[2].at("content").at(0).at("toolResult");
    EXPECT_EQ(result.at("toolUseId"), "tooluse_1");
    EXPECT_EQ(result.at("status"), "error");
    EXPECT_NE(json::serialize(result).find("age"), std::string::npos);
    ASSERT_TRUE(c.reasoning);  // the mock's, which thinks when asked
    EXPECT_NE(c.reasoning->find("extract from"), std::string::npos);
    EXPECT_EQ(c.attempts, 2);
}

TEST(Bedrock, StreamedReasoningIsSentBackAsAWholeReplyHoldsIt)
{
    mock_server m;
    namespace det = ins::detail;
    std::string frames;
    auto ev = [&](std::string_view type, json::object o) { frames += det::encode_event(type, json::serialize(o)); };
    ev("messageStart", {{"role", "assistant"}});
    ev("contentBlockDelta", {{"contentBlockIndex", 0}, {"delta", {{"reasoningContent", {{"text", "Think "}}}}}});
    ev("contentBlockDelta", {{"contentBlockIndex", 0}, {"delta", {{"reasoningContent", {{"text", "more."}}}}}});
    ev("contentBlockDelta", {{"contentBlockIndex", 0}, {"delta", {{"reasoningContent", {{"signature", "sig-s"}}}}}});
    ev("contentBlockStop", {{"contentBlockIndex", 0}});
    ev("contentBlockStart", {{"contentBlockIndex", 1}, {"start", {{"toolUse", {{"toolUseId", "tu-9"}, {"name", "UserInfo"}}}}}});
    ev("contentBlockDelta", {{"contentBlockIndex", 1}, {"delta", {{"toolUse", {{"input", R"({"name":"J",)"}}}}}});
    ev("contentBlockDelta", {{"contentBlockIndex", 1}, {"delta", {{"toolUse", {{"input", R"("age":"old"})"}}}}}});
    ev("contentBlockStop", {{"contentBlockIndex", 1}});
    ev("messageStop", {{"stopReason", "tool_use"}});
    ev("metadata", {{"usage", {{"inputTokens", 5}, {"outputTokens", 7}, {"totalTokens", 12}}}});
    mock_reply r;
    r.content_type = "application/vnd.amazon.eventstream";
    r.body = frames;
    r.chunk_size = 7;  // frames split anywhere
    m.push(r);
    std::optional<ins::completion> c;
    auto err = test::with<ins::client>(bedrock_options(m), [&](ins::client& cl) -> asio::awaitable<void> {
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
    auto const content = body_of(m, 1).at("messages").at(1).at("content").as_array();
    ASSERT_EQ(content.size(), 2u);
    EXPECT_EQ(content[0], (json::object{{"reasoningContent",
                                         {{"reasoningText", {{"text", "Think more."}, {"signature", "sig-s"}}}}}}));
    EXPECT_EQ(content[1].at("toolUse").at("toolUseId"), "tu-9");
    EXPECT_EQ(content[1].at("toolUse").at("input").at("age"), "old");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->attempts, 2);
    EXPECT_GE(c->total_usage.total_tokens, 12u);
}

TEST(Bedrock, IterablesOfVariantsAreParallelToolUse)
{
    mock_server m;
    std::size_t weather = 0, search = 0;
    auto err = test::with<ins::client>(bedrock_options(m), [&](ins::client& cl) -> asio::awaitable<void> {
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
    EXPECT_EQ(weather, 1u);
    EXPECT_EQ(search, 1u);
    auto const tc = body_of(m, 0).at("toolConfig").as_object();
    EXPECT_EQ(tc.at("tools").as_array().size(), 2u);
    EXPECT_TRUE(tc.at("toolChoice").as_object().contains("any"));
}

TEST(Bedrock, AwsErrorsAndStopsAreTypedAndSecretsNeverShow)
{
    mock_server m;
    auto o = bedrock_options(m);
    o.max_network_retries = 0;
    m.push(mock_reply::aws_error(400, "ValidationException",
                                 "The provided model identifier is invalid. " + session + " " + secret));
    m.push(mock_reply::aws_error(429, "ThrottlingException", "Too many requests"));
    m.push(mock_reply::json(converse_response(
        {json::object{{"toolUse", {{"toolUseId", "t"}, {"name", "UserInfo"}, {"input", {{"name", "J"}}}}}}},
        "max_tokens")));
    m.push(mock_reply::json(converse_response({json::object{{"text", "Blocked."}}}, "guardrail_intervened")));
    {  // an exception frame inside a stream
        mock_reply r;
        r.content_type = "application/vnd.amazon.eventstream";
        r.body = ins::detail::encode_event("messageStart", R"({"role":"assistant"})") +
                 ins::detail::encode_exception("throttlingException", "Slow down");
        m.push(r);
    }
    std::vector<ins::error> errors;
    for (int i = 0; i < 5; ++i) {
        auto err = test::with<ins::client>(o, [&](ins::client& cl) -> asio::awaitable<void> {
            if (i < 4) {
                (void)co_await cl.create<UserInfo>(test::ask("John Doe is 32 years old."));
                co_return;
            }
            auto s = cl.create_partial<UserInfo>(test::ask("John Doe is 32 years old."));
            for (;;)
                if (!co_await s.next())
                    break;
        });
        ASSERT_TRUE(err) << i;
        errors.push_back(*err);
    }
    EXPECT_EQ(errors[0].code(), ins::errc::bad_request);
    EXPECT_NE(errors[0].provider_message.find("model identifier is invalid"), std::string::npos);
    EXPECT_EQ(errors[0].provider_message.find(session), std::string::npos);  // redacted
    EXPECT_EQ(std::string(errors[0].what()).find(session), std::string::npos);
    EXPECT_EQ(errors[0].provider_message.find(secret), std::string::npos);  // the secret key too
    EXPECT_EQ(std::string(errors[0].what()).find(secret), std::string::npos);
    EXPECT_EQ(errors[1].code(), ins::errc::rate_limited);
    EXPECT_EQ(errors[2].code(), ins::errc::output_truncated);
    EXPECT_EQ(errors[3].code(), ins::errc::content_filtered);
    EXPECT_EQ(errors[4].code(), ins::errc::rate_limited);
    EXPECT_NE(errors[4].provider_message.find("Slow down"), std::string::npos);
}

TEST(Bedrock, AWrongSecretIsRefusedByTheSignatureCheck)
{
    mock_server m;
    auto o = bedrock_options(m, ins::mode::bedrock_tools, "not-the-mock-secret");
    o.max_network_retries = 0;
    auto err = test::with<ins::client>(o, [&](ins::client& cl) -> asio::awaitable<void> {
        (void)co_await cl.create<UserInfo>(test::ask("John Doe is 32 years old."));
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::permission_denied);
    EXPECT_NE(err->provider_message.find("signature we calculated does not match"), std::string::npos);
}

TEST(Bedrock, ABedrockApiKeyGoesAsABearerToken)
{
    mock_server m;
    clear_aws_env();
    ::setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-123", 1);
    ::setenv("AWS_ACCESS_KEY_ID", key_id.c_str(), 1);  // the token wins
    ::setenv("AWS_SECRET_ACCESS_KEY", "unused", 1);
    ::setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", origin_of(m).c_str(), 1);
    asio::io_context ioc;
    auto o = ins::from_provider(ioc.get_executor(), "bedrock/amazon.nova-pro-v1:0").options();
    clear_aws_env();
    EXPECT_FALSE(o.aws);
    auto err = test::with<ins::client>(o, [&](ins::client& cl) -> asio::awaitable<void> {
        EXPECT_EQ((co_await cl.create<UserInfo>(test::ask("John Doe is 32 years old."))).age, 32);
    });
    ASSERT_FALSE(err) << err->what();
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(header_of(reqs[0], "Authorization"), "Bearer bedrock-api-key-123");
    EXPECT_TRUE(header_of(reqs[0], "X-Amz-Date").empty());
}

TEST(Bedrock, FromProviderRefusesWhatCannotWork)
{
    asio::io_context ioc;
    auto code_of = [&](std::string_view provider_model) {
        try {
            (void)ins::from_provider(ioc.get_executor(), provider_model);
        }
        catch (ins::error const& e) {
            return e.code_enum();
        }
        return ins::errc{};
    };
    clear_aws_env();
    EXPECT_EQ(code_of("bedrock/amazon.nova-pro-v1:0"), ins::errc::missing_api_key);
    ::setenv("AWS_ACCESS_KEY_ID", key_id.c_str(), 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", secret.c_str(), 1);
    EXPECT_EQ(code_of("bedrock/amazon.nova-pro-v1:0"), ins::errc::invalid_argument);  // no region
    ::setenv("AWS_REGION", "us-east-1/../evil", 1);
    EXPECT_EQ(code_of("bedrock/amazon.nova-pro-v1:0"), ins::errc::invalid_argument);
    ::setenv("AWS_DEFAULT_REGION", "eu-west-1", 1);
    ::unsetenv("AWS_REGION");
    auto o = ins::from_provider(ioc.get_executor(), "bedrock/amazon.nova-pro-v1:0").options();
    EXPECT_EQ(o.base_url, "https://bedrock-runtime.eu-west-1.amazonaws.com");
    EXPECT_EQ(o.aws->region, "eu-west-1");
    clear_aws_env();
}

TEST(Bedrock, CredentialsFromTheEnvironmentNeverGoToAnEndpointOnlyTheDotEnvNames)
{
    auto dir = std::filesystem::temp_directory_path() / ("ins-bedrock-env-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto old = std::filesystem::current_path();
    std::filesystem::current_path(dir);
    {
        std::ofstream(".env") << "AWS_ENDPOINT_URL_BEDROCK_RUNTIME=http://attacker.invalid\n"
                                 "AWS_REGION=eu-west-1\n";
    }
    clear_aws_env();
    ::setenv("AWS_ACCESS_KEY_ID", key_id.c_str(), 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", secret.c_str(), 1);
    ::setenv("AWS_REGION", "us-west-2", 1);
    asio::io_context ioc;
    std::string url, dotenv_url;
    std::optional<ins::aws_credentials> given;
    try {
        url = ins::from_provider(ioc.get_executor(), "bedrock/m").options().base_url;
        clear_aws_env();  // nothing in the environment: all from .env, key included
        std::ofstream(".env", std::ios::app) << "AWS_BEARER_TOKEN_BEDROCK=from-dotenv\n";
        dotenv_url = ins::from_provider(ioc.get_executor(), "bedrock/m").options().base_url;
        // Credentials resolved elsewhere (a profile, SSO) and given in the options are kept.
        ins::client_options base;
        base.aws = ins::aws_credentials{"AKIDGIVEN", "given-secret", {}, {}};
        ::setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
        ::setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
        ::setenv("AWS_REGION", "ap-south-1", 1);
        given = ins::from_provider(ioc.get_executor(), "bedrock/m", base).options().aws;
    }
    catch (...) {
    }
    std::filesystem::current_path(old);
    std::filesystem::remove_all(dir);
    clear_aws_env();
    EXPECT_EQ(url, "https://bedrock-runtime.us-west-2.amazonaws.com");
    EXPECT_EQ(dotenv_url, "http://attacker.invalid");  // key and URL from one source: used together
    ASSERT_TRUE(given);
    EXPECT_EQ(given->access_key_id, "AKIDGIVEN");
    EXPECT_EQ(given->secret_access_key, "given-secret");
    EXPECT_EQ(given->region, "ap-south-1");
}

}  // namespace bedrock_test
