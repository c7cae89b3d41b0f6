// The sample extract server (samples/extract_server.hpp) driven over loopback: a mock endpoint
// behind it, ins::net::http_client in front of it.
#include "mock_client.hpp"
#include "async_test.hpp"
#include "extract_server.hpp"

#include <instructor/instructor.hpp>
#include <instructor/net/http_client.hpp>
#include <instructor/testing/mock_server.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace extract_server_test {

namespace asio = boost::asio;
namespace ins = instructor;
namespace net = instructor::net;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;

namespace {

ins::client_options options_for(mock_server const& m)
{
    return test::mock_options(m, ins::mode::structured_outputs, "sk-extract-server-test");
}

/// What the server answered: status and body, whether http_client returned or threw.
struct answer {
    unsigned status = 0;
    std::string body;              ///< a 2xx body
    std::string provider_message;  ///< the error message of a non-2xx answer
    std::optional<ins::errc> code;
};

asio::awaitable<answer> send(net::http_client& http, std::uint16_t port, std::string body,
                             std::string method = "POST", std::string path = "/extract")
{
    net::http_request req{.method = std::move(method),
                          .url = "http://127.0.0.1:" + std::to_string(port) + path,
                          .headers = {{"Content-Type", "application/json"}},
                          .body = std::move(body)};
    answer a;
    try {
        // No network retries: a 502 would be sent again (and answered by the mock's default).
        auto res = co_await http.send(std::move(req), {.max_retries = 0});
        a.status = res.status;
        a.body = std::move(res.body);
    }
    catch (ins::error const& e) {
        a.status = static_cast<unsigned>(e.http_status.value_or(0));
        a.provider_message = e.provider_message;
        a.code = e.code_enum();
    }
    co_return a;
}

}  // namespace

TEST(ExtractServer, ExtractsRejectsAndReportsFailures)
{
    mock_server m;
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        ins::client client(ex, options_for(m));
        sample::extract_server server(ex, client, "user-info-extraction-agent/gpt-4o-mini-latest");
        server.start();
        EXPECT_NE(server.port(), 0);
        net::http_client http(ex);

        // A good body: 200 and the object.
        auto good = co_await send(http, server.port(), R"({"text": "John Doe is 32 years old."})");
        EXPECT_EQ(good.status, 200u);
        auto user = ins::decode<sample::UserInfo>(good.body);
        EXPECT_TRUE(user) << good.body;
        if (user) {
            EXPECT_EQ(user.value->name, "John Doe");
            EXPECT_EQ(user.value->age, 32);
        }
        EXPECT_EQ(m.requests().size(), 1u);

        // Not JSON, and JSON of the wrong shape: 400, and the mock is never asked.
        for (std::string bad : {"John Doe is 32 years old.", R"({"text": 42})", R"(["x"])", ""}) {
            auto a = co_await send(http, server.port(), bad);
            EXPECT_EQ(a.status, 400u) << bad;
            EXPECT_EQ(a.code, ins::errc::bad_request) << bad;
            EXPECT_NE(a.provider_message.find("expected a JSON body"), std::string::npos);
        }
        EXPECT_EQ(m.requests().size(), 1u);

        // Other paths and methods.
        EXPECT_EQ((co_await send(http, server.port(), "{}", "POST", "/nope")).status, 404u);
        EXPECT_EQ((co_await send(http, server.port(), "", "GET")).status, 405u);

        // The provider rejects the key: 502 with the error's message; a 401 is not retried.
        m.push(mock_reply::error(401, "Incorrect API key provided"));
        auto failed = co_await send(http, server.port(), R"({"text": "John Doe is 32 years old."})");
        EXPECT_EQ(failed.status, 502u);
        EXPECT_EQ(failed.code, ins::errc::server_error);
        EXPECT_NE(failed.provider_message.find("Incorrect API key provided"), std::string::npos)
            << failed.provider_message;
        EXPECT_EQ(failed.provider_message.find("sk-extract-server-test"), std::string::npos);
        EXPECT_EQ(m.requests().size(), 2u);

        // A body over the limit: 413.
        auto big = co_await send(http, server.port(),
                                 R"({"text": ")" + std::string(100 * 1024, 'x') + R"("})");
        EXPECT_EQ(big.status, 413u);
        EXPECT_EQ(m.requests().size(), 2u);

        server.stop();
    });
}

TEST(ExtractServer, StopClosesTheListenerAndEveryConnection)
{
    mock_server m;
    auto const start = std::chrono::steady_clock::now();
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        ins::client client(ex, options_for(m));
        sample::extract_server server(ex, client);
        server.start();
        net::http_client http(ex);
        auto a = co_await send(http, server.port(), R"({"text": "Ann Lee is 40 years old."})");
        EXPECT_EQ(a.status, 200u);
        EXPECT_EQ(a.body, R"({"name":"Ann Lee","age":40})");

        server.stop();
        // The pooled keep-alive connection was closed and nothing listens any more.
        auto after = co_await send(http, server.port(), R"({"text": "Ann Lee is 40 years old."})");
        EXPECT_EQ(after.code, ins::errc::connection_failed);
    });
    // No connection coroutine was left waiting for its 30 s read timeout.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace extract_server_test
