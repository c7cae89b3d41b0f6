// Azure OpenAI through the public API against the mock: from_provider("azure/<deployment>")
// from the environment, the key in the `api-key` header (never a bearer token), deployment paths
// with `api-version` on every request (calls, streams, re-asks) or the v1 paths (batches too),
// Azure's errors read, and the two generic options (client_options::query, api_key_header).
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <cstdlib>

namespace azure_test {

namespace ins = instructor;
namespace asio = boost::asio;
namespace json = boost::json;
using namespace models;
using ins::testing::mock_reply;
using ins::testing::mock_server;
using test::header_of;
using ins::testing::recorded_request;

namespace {

std::string const key = "azure-key-5be1c0ffee";

/// The mock's origin: Azure endpoints are the resource's root.
std::string origin_of(mock_server const& m)
{
    auto url = m.base_url();
    return url.substr(0, url.rfind("/v1"));
}

/// A client made by from_provider("azure/gpt-4o-mini") with the environment pointing at `m`.
ins::client_options azure_options(mock_server const& m, char const* version)
{
    ::setenv("AZURE_OPENAI_ENDPOINT", origin_of(m).c_str(), 1);
    ::setenv("AZURE_OPENAI_API_KEY", key.c_str(), 1);
    if (version)
        ::setenv("OPENAI_API_VERSION", version, 1);
    else
        ::unsetenv("OPENAI_API_VERSION");
    asio::io_context ioc;
    auto o = ins::from_provider(ioc.get_executor(), "azure/gpt-4o-mini").options();
    ::unsetenv("AZURE_OPENAI_API_KEY");
    return o;
}

void expect_azure_request(recorded_request const& r, std::string const& target)
{
    EXPECT_EQ(r.target, target);
    EXPECT_EQ(header_of(r, "api-key"), key);
    EXPECT_EQ(header_of(r, "Authorization"), "");  // never a bearer token
}

}  // namespace

TEST(Azure, DeploymentPathsCarryTheVersionOnCallsStreamsAndReasks)
{
    mock_server m;
    auto const o = azure_options(m, "2024-10-21");
    EXPECT_EQ(o.api_key_header, "api-key");
    EXPECT_EQ(o.default_model, "gpt-4o-mini");
    // The first answer does not validate: the re-ask goes to the same place.
    m.push(mock_reply::chat_tool_call("UserInfo", R"({"name":"John Doe","age":"old"})"));
    auto err = test::with<ins::client>(o, [&](ins::client& cl) -> asio::awaitable<void> {
        auto u = co_await cl.create<UserInfo>(test::ask("John Doe is 32 years old."));
        EXPECT_EQ(u.age, 32);
        auto s = cl.create_partial<UserInfo>(test::ask("Jane Roe is 41 years old."));
        int last = 0;
        for (;;) {
            auto p = co_await s.next();
            if (!p)
                break;
            last = p->value.age;
        }
        EXPECT_EQ(last, 41);
    });
    ASSERT_FALSE(err) << err->what();
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 3u);
    for (auto const& r : reqs)
        expect_azure_request(
            r, "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21");
    EXPECT_EQ(json::parse(reqs[2].body).at("stream"), true);
}

TEST(Azure, TheV1PathsNeedNoVersionAndRunBatches)
{
    mock_server m;
    auto const o = azure_options(m, nullptr);
    EXPECT_TRUE(o.query.empty());
    std::vector<ins::batch_result<UserInfo>> results;
    auto err = test::with<ins::client>(o, [&](ins::client& cl) -> asio::awaitable<void> {
        EXPECT_EQ((co_await cl.create<UserInfo>(test::ask("John Doe is 32 years old."))).age, 32);
        auto b = co_await cl.create_batch<UserInfo>(test::people(2));
        b = co_await cl.wait_batch(b.id);
        auto s = cl.batch_results<UserInfo>(b);
        for (;;) {
            auto r = co_await s.next();
            if (!r)
                break;
            results.push_back(std::move(*r));
        }
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(results.size(), 2u);
    for (auto const& r : results)
        EXPECT_TRUE(r.value);
    auto const reqs = m.requests();
    expect_azure_request(reqs.at(0), "/openai/v1/chat/completions");
    for (auto const& r : reqs) {
        EXPECT_TRUE(r.target.starts_with("/openai/v1/")) << r.target;
        EXPECT_EQ(header_of(r, "api-key"), key) << r.target;
    }
}

TEST(Azure, TheQueryReachesTheBatchServiceBesideItsOwn)
{
    mock_server m;
    auto o = test::mock_options(m, ins::mode::tools, key);
    o.query = {{"api-version", "2025-04-01-preview"}, {"tenant", "a b&c"}};
    o.api_key_header = "api-key";
    auto err = test::with<ins::client>(o, [&](ins::client& cl) -> asio::awaitable<void> {
        ins::list_options lo;
        lo.limit = 5;
        (void)co_await cl.list_batches(lo);
    });
    ASSERT_FALSE(err) << err->what();
    auto const r = m.requests().at(0);
    EXPECT_EQ(r.target, "/v1/batches?limit=5&api-version=2025-04-01-preview&tenant=a%20b%26c");
    EXPECT_EQ(header_of(r, "api-key"), key);
    EXPECT_EQ(header_of(r, "Authorization"), "");
}

TEST(Azure, ItsErrorsAreReadAndTheKeyStaysOut)
{
    mock_server m;
    // A deployment path without api-version: Azure's 404, its message read from its body.
    auto o = test::mock_options(m, ins::mode::tools, key);
    o.base_url = origin_of(m) + "/openai/deployments/gpt-4o-mini";
    o.api_key_header = "api-key";
    o.max_network_retries = 0;
    auto call = [](ins::client_options const& opts) {
        return test::with<ins::client>(opts, [](ins::client& cl) -> asio::awaitable<void> {
            (void)co_await cl.create<UserInfo>(test::ask("John Doe is 32 years old."));
        });
    };
    auto e = call(o);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->http_status, 404);
    EXPECT_EQ(e->provider_message, "Resource not found");
    // No key at all: Azure's 401.
    o.api_key.clear();
    o.query = {{"api-version", "2024-10-21"}};
    e = call(o);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->http_status, 401);
    EXPECT_NE(e->provider_message.find("Access denied"), std::string::npos);
    // A server that echoes the key: the error leaves without it.
    o.api_key = key;
    m.push(mock_reply::error(400, "the key " + key + " is not valid for this deployment"));
    e = call(o);
    ASSERT_TRUE(e);
    EXPECT_EQ(std::string(e->what()).find(key), std::string::npos) << e->what();
    EXPECT_EQ(e->provider_message.find(key), std::string::npos);
}

TEST(Azure, FromProviderNeedsTheEndpointAndAPlainDeploymentName)
{
    asio::io_context ioc;
    ::setenv("AZURE_OPENAI_API_KEY", key.c_str(), 1);
    ::unsetenv("AZURE_OPENAI_ENDPOINT");
    auto code_of = [&](std::string_view provider_model) {
        try {
            ins::from_provider(ioc.get_executor(), provider_model);
        }
        catch (ins::error const& e) {
            return e.code_enum();
        }
        return ins::errc{};
    };
    EXPECT_EQ(code_of("azure/gpt-4o"), ins::errc::invalid_argument);
    ::setenv("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.com", 1);
    EXPECT_EQ(code_of("azure/../admin"), ins::errc::invalid_argument);
    EXPECT_EQ(code_of("azure/gpt 4o"), ins::errc::invalid_argument);
    EXPECT_EQ(code_of("azure/gpt-4o"), ins::errc{});
    ::unsetenv("AZURE_OPENAI_API_KEY");
    EXPECT_EQ(code_of("azure/gpt-4o"), ins::errc::missing_api_key);
    ::unsetenv("AZURE_OPENAI_ENDPOINT");
}

}  // namespace azure_test
