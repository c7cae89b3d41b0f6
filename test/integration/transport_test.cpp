// The HTTP(S) transport against the mock endpoint over real loopback sockets.
#include "async_test.hpp"

#include "net/fault_hook.hpp"

#include <instructor/error.hpp>
#include <instructor/net/http_client.hpp>
#include "net/sse_parser.hpp"
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <fstream>

#include <unistd.h>

#include <thread>

namespace transport_test {

namespace asio = boost::asio;
namespace net = instructor::net;
namespace ins = instructor;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;
using namespace std::chrono_literals;

namespace {

constexpr char const* user_info_request = R"({"model":"m","messages":[{"role":"user",
    "content":"John Doe is 32 years old."}],"response_format":{"type":"json_schema",
    "json_schema":{"name":"UserInfo","schema":{"type":"object","properties":{
    "name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}}}})";

/// The error reader an API would hand the transport: here, `error.message` of a JSON body.
std::string error_message_of(std::string_view body)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    auto const* e = !ec && v.is_object() ? v.get_object().if_contains("error") : nullptr;
    auto const* m = e && e->is_object() ? e->get_object().if_contains("message") : nullptr;
    return m && m->is_string() ? std::string(m->get_string()) : std::string();
}

net::http_request chat(mock_server const& m, std::string body = user_info_request)
{
    net::http_request r;
    r.url = m.base_url() + "/chat/completions";
    r.headers = {{"Authorization", "Bearer sk-test-secret-key-123"}};
    r.body = std::move(body);
    r.error_message = error_message_of;
    return r;
}

/// Runs `body(client)` against a fresh client; returns the error code it threw, if any.
template <class Body>
std::optional<ins::errc> with_client(net::transport_options opts, Body body)
{
    auto err = test::with<net::http_client>(opts, std::move(body));
    return err ? std::optional<ins::errc>(err->code_enum()) : std::nullopt;
}

}  // namespace

TEST(Transport, PostsAndReadsAResponse)
{
    mock_server m;
    auto err = with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        auto r = co_await c.send(chat(m));
        EXPECT_EQ(r.status, 200u);
        auto v = boost::json::parse(r.body);
        auto content = v.at("choices").at(0).at("message").at("content").as_string();
        EXPECT_EQ(boost::json::parse(content), boost::json::parse(R"({"name":"John Doe","age":32})"));
    });
    EXPECT_FALSE(err);
    auto reqs = m.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].method, "POST");
    EXPECT_EQ(reqs[0].target, "/v1/chat/completions");
    auto has = [&](std::string_view name, std::string_view value) {
        auto v = net::find_header(reqs[0].headers, name);
        return v && v->starts_with(value);
    };
    EXPECT_TRUE(has("authorization", "Bearer sk-test-secret-key-123"));
    EXPECT_TRUE(has("user-agent", "instructor-cpp/"));
    EXPECT_TRUE(has("content-type", "application/json"));
}

TEST(Transport, ABodyFileIsStreamedWholeOnEveryAttempt)
{
    mock_server m;
    m.push(ins::testing::mock_reply::error(503, "busy"));  // the retry reads the file again
    char path[] = "/tmp/instructor-body-XXXXXX";
    int const fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    std::ofstream(path, std::ios::binary) << user_info_request;
    auto from_file = [&] {
        auto r = chat(m, "");
        r.body_file = path;
        r.headers.push_back({"Content-Type", "application/json"});
        return r;
    };
    auto err = with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        net::retry_settings retry;
        retry.max_retries = 1;
        EXPECT_EQ((co_await c.send(from_file(), retry)).status, 200u);
        EXPECT_EQ((co_await c.send(from_file())).status, 200u);
    });
    EXPECT_FALSE(err);
    auto reqs = m.requests();
    ASSERT_EQ(reqs.size(), 3u);
    for (auto const& r : reqs) {
        EXPECT_EQ(r.body, user_info_request);
        EXPECT_EQ(*net::find_header(r.headers, "content-length"),
                  std::to_string(std::string_view(user_info_request).size()));
    }
    ::unlink(path);
    EXPECT_EQ(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
                  (void)co_await c.send(from_file());  // the file is gone
              }),
              ins::errc::invalid_argument);
}

TEST(Transport, KeepAliveReusesOneConnection)
{
    mock_server m;
    net::pool_stats stats;
    with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        for (int i = 0; i < 5; ++i)
            EXPECT_EQ((co_await c.send(chat(m))).status, 200u);
        stats = c.stats();
    });
    EXPECT_EQ(m.requests().size(), 5u);
    EXPECT_EQ(m.connections_accepted(), 1u);
    EXPECT_EQ(stats.connections_opened, 1u);
    EXPECT_EQ(stats.idle, 1u);
    EXPECT_EQ(stats.in_use, 0u);
}

// One client, two origins in turns: each request carries its own origin's Host (a pool keeps
// its requests' first fields; the client remembers the last pool it found), each origin keeps
// its one connection, and the user agent set is the one sent.
TEST(Transport, OriginsTakenInTurnsEachGetTheirOwnHostAndConnection)
{
    mock_server a;
    mock_server b;
    net::transport_options opts;
    opts.user_agent = "origin-test/1";
    net::pool_stats stats;
    auto err = with_client(opts, [&](net::http_client& c) -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
            EXPECT_EQ((co_await c.send(chat(a))).status, 200u);
            EXPECT_EQ((co_await c.send(chat(b))).status, 200u);
            EXPECT_EQ((co_await c.send(chat(b))).status, 200u);
        }
        stats = c.stats();
    });
    EXPECT_FALSE(err);
    for (auto const* m : {&a, &b}) {
        auto const host = m->base_url().substr(std::string_view("http://").size(),
                                               m->base_url().find("/v1") - 7);
        EXPECT_EQ(host.rfind("127.0.0.1:", 0), 0u) << host;
        auto const reqs = m->requests();
        ASSERT_EQ(reqs.size(), m == &a ? 3u : 6u);
        for (auto const& r : reqs) {
            EXPECT_EQ(net::find_header(r.headers, "host").value_or(""), host);
            EXPECT_EQ(net::find_header(r.headers, "user-agent").value_or(""), "origin-test/1");
        }
        EXPECT_EQ(m->connections_accepted(), 1u);
    }
    EXPECT_EQ(stats.connections_opened, 2u);
}

TEST(Transport, HttpsVerifiesThePeer)
{
    mock_server m({.tls = true});
    ASSERT_FALSE(m.ca_file().empty());
    // trusted through the CA file, host name checked against the certificate's 127.0.0.1
    auto ok = with_client({.ca_file = m.ca_file()}, [&](net::http_client& c) -> asio::awaitable<void> {
        EXPECT_EQ((co_await c.send(chat(m))).status, 200u);
        auto r = chat(m);
        r.url = "https://localhost:" + std::to_string(m.port()) + "/v1/chat/completions";
        EXPECT_EQ((co_await c.send(r)).status, 200u);
    });
    EXPECT_FALSE(ok);
    // not trusted by default
    EXPECT_EQ(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
                  co_await c.send(chat(m), {.max_retries = 0});
              }),
              ins::errc::tls_failed);
    // verification off only when asked for by name
    EXPECT_FALSE(with_client({.danger_accept_invalid_certs = true},
                             [&](net::http_client& c) -> asio::awaitable<void> {
                                 EXPECT_EQ((co_await c.send(chat(m))).status, 200u);
                             }));
}

// The peer is verified against the name or address the URL names: a certificate for another
// host is refused; an IP literal is checked against the certificate's IP addresses; SNI names
// hosts, never addresses.
TEST(Transport, TlsChecksTheNameOrAddressAndSendsSniForNames)
{
    auto send_to = [](mock_server const& m, std::string host) {
        return with_client({.ca_file = m.ca_file()}, [&](net::http_client& c) -> asio::awaitable<void> {
            auto r = chat(m);
            r.url = "https://" + host + ":" + std::to_string(m.port()) + "/v1/chat/completions";
            co_await c.send(r, {.max_retries = 0});
        });
    };
    mock_server names_only({.tls = true, .tls_subject_alt_names = "DNS:localhost"});
    EXPECT_FALSE(send_to(names_only, "localhost"));
    EXPECT_EQ(send_to(names_only, "127.0.0.1"), ins::errc::tls_failed);  // no IP in it
    ASSERT_EQ(names_only.requests().size(), 1u);
    EXPECT_EQ(names_only.requests()[0].sni, "localhost");

    mock_server ip_only({.tls = true, .tls_subject_alt_names = "IP:127.0.0.1"});
    EXPECT_FALSE(send_to(ip_only, "127.0.0.1"));
    EXPECT_EQ(send_to(ip_only, "localhost"), ins::errc::tls_failed);  // another host name
    ASSERT_EQ(ip_only.requests().size(), 1u);
    EXPECT_EQ(ip_only.requests()[0].sni, "");  // no SNI for an address

    mock_server other({.tls = true, .tls_subject_alt_names = "DNS:api.example.com"});
    EXPECT_EQ(send_to(other, "localhost"), ins::errc::tls_failed);
    EXPECT_EQ(send_to(other, "127.0.0.1"), ins::errc::tls_failed);
    EXPECT_TRUE(other.requests().empty());
}

// The transport outlives its handle while requests run: destroying the http_client does not
// pull the pool from under them.
TEST(Transport, DestroyingTheClientWhileRequestsRun)
{
    mock_server m;
    auto slow = mock_reply::chat_content("{}");
    slow.delay = 100ms;
    m.push(slow);
    m.push(slow);
    asio::io_context ioc;
    int done = 0;
    {
        net::http_client c(ioc.get_executor());
        for (int i = 0; i < 2; ++i)
            asio::co_spawn(ioc, c.send(chat(m), {.max_retries = 0}),
                           [&](std::exception_ptr e, net::http_response r) {
                               EXPECT_FALSE(e);
                               EXPECT_EQ(r.status, 200u);
                               ++done;
                           });
    }  // the handle is gone; the requests are in flight
    ioc.run_for(10s);
    EXPECT_EQ(done, 2);
}

TEST(Transport, BadCaFileIsAConfigurationError)
{
    asio::io_context ioc;
    try {
        net::http_client c(ioc.get_executor(), {.ca_file = "/nonexistent/ca.pem"});
        FAIL();
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::invalid_argument);
    }
}

TEST(Transport, AUserAgentThatCannotBeSentIsAConfigurationError)
{
    // It would start a header of its own in every request.
    asio::io_context ioc;
    std::string const huge(70000, 'a');  // nor one longer than a header field holds
    for (auto const* agent : {"me\r\nX-Injected: 1", "me\nX: 1", "me\r", huge.c_str()}) {
        net::transport_options o;
        o.user_agent = agent;
        try {
            net::http_client c(ioc.get_executor(), o);
            ADD_FAILURE() << "accepted a user agent with a line break";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code(), ins::errc::invalid_argument);
        }
    }
}

TEST(Transport, StatusCodesMapToErrcWithTheProviderMessage)
{
    struct row {
        unsigned status;
        ins::errc code;
    };
    for (auto [status, code] : {row{400, ins::errc::bad_request}, row{401, ins::errc::authentication_failed},
                                row{403, ins::errc::permission_denied}, row{404, ins::errc::not_found},
                                row{422, ins::errc::bad_request}, row{429, ins::errc::rate_limited},
                                row{500, ins::errc::server_error}, row{503, ins::errc::server_error}}) {
        mock_server m;
        m.push(mock_reply::error(status, "the provider says no"));
        with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
            try {
                co_await c.send(chat(m), {.max_retries = 0});
                ADD_FAILURE() << status;
            }
            catch (ins::error const& e) {
                EXPECT_EQ(e.code(), code) << status;
                EXPECT_EQ(e.http_status, static_cast<int>(status));
                EXPECT_EQ(e.provider_message, "the provider says no");
            }
        });
        EXPECT_EQ(m.requests().size(), 1u);
    }
}

// The transport knows statuses and bytes: without the API's reader, the body's start, on one line.
TEST(Transport, WithoutAnErrorReaderTheMessageIsTheBodysStart)
{
    mock_server m;
    m.push(mock_reply::error(400, "the provider says no"));
    auto r = chat(m);
    r.error_message = nullptr;
    with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        try {
            co_await c.send(std::move(r), {.max_retries = 0});
            ADD_FAILURE();
        }
        catch (ins::error const& e) {
            EXPECT_TRUE(e.provider_message.starts_with(
                R"({"error":{"message":"the provider says no")"))
                << e.provider_message;
        }
    });
}

TEST(Transport, NonRetryableErrorsFailAtOnce)
{
    mock_server m;
    m.push(mock_reply::error(401, "bad key"));
    auto code = with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        co_await c.send(chat(m), {.max_retries = 5});
    });
    EXPECT_EQ(code, ins::errc::authentication_failed);
    EXPECT_EQ(m.requests().size(), 1u);
}

TEST(Transport, RetriesServerErrorsThenSucceeds)
{
    mock_server m;
    m.push(mock_reply::error(500, "boom", {{"retry-after-ms", "10"}}));
    m.push(mock_reply::error(503, "busy", {{"retry-after-ms", "10"}}));
    auto code = with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        EXPECT_EQ((co_await c.send(chat(m), {.max_retries = 2})).status, 200u);
    });
    EXPECT_FALSE(code);
    EXPECT_EQ(m.requests().size(), 3u);
}

TEST(Transport, RetriesExhaustedGiveTheLastError)
{
    mock_server m;
    for (int i = 0; i < 3; ++i)
        m.push(mock_reply::error(500, "boom " + std::to_string(i), {{"retry-after-ms", "5"}}));
    with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        try {
            co_await c.send(chat(m), {.max_retries = 2});
            ADD_FAILURE();
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code(), ins::errc::server_error);
            EXPECT_EQ(e.provider_message, "boom 2");
        }
    });
    EXPECT_EQ(m.requests().size(), 3u);
}

TEST(Transport, RateLimitHonoursRetryAfterAndShouldRetryHeader)
{
    mock_server m;
    m.push(mock_reply::rate_limited(1s));
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        EXPECT_EQ((co_await c.send(chat(m))).status, 200u);
    }));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms);
    EXPECT_EQ(m.requests().size(), 2u);

    mock_server m2;
    m2.push(mock_reply::error(429, "quota", {{"x-should-retry", "false"}}));
    EXPECT_EQ(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
                  co_await c.send(chat(m2));
              }),
              ins::errc::rate_limited);
    EXPECT_EQ(m2.requests().size(), 1u);

    mock_server m3;
    m3.push(mock_reply::error(400, "odd", {{"x-should-retry", "true"}, {"retry-after-ms", "5"}}));
    EXPECT_FALSE(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        co_await c.send(chat(m3));
    }));
    EXPECT_EQ(m3.requests().size(), 2u);
}

TEST(Transport, ConnectionClosedWithoutResponse)
{
    mock_server m;
    mock_reply drop;
    drop.close_without_response = true;
    m.push(drop);
    EXPECT_EQ(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
                  co_await c.send(chat(m), {.max_retries = 0});
              }),
              ins::errc::connection_failed);
    // with a retry, the next connection answers
    m.push(drop);
    EXPECT_FALSE(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        co_await c.send(chat(m), {.max_retries = 1});
    }));
}

TEST(Transport, ConnectionRefused)
{
    std::uint16_t port;
    {
        mock_server m;
        port = m.port();
    }
    EXPECT_EQ(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
                  net::http_request r;
                  r.url = "http://127.0.0.1:" + std::to_string(port) + "/v1/chat/completions";
                  co_await c.send(r, {.max_retries = 0});
              }),
              ins::errc::connection_failed);
}

TEST(Transport, PooledConnectionClosedByTheServerIsReplaced)
{
    mock_server m;
    mock_reply r = mock_reply::chat_content("first");
    r.close_after_response = true;  // says keep-alive, then closes
    m.push(r);
    net::pool_stats stats;
    EXPECT_FALSE(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        co_await c.send(chat(m));
        // give the close time to arrive, so the pooled connection is seen dead before use
        asio::steady_timer t(co_await asio::this_coro::executor, 100ms);
        co_await t.async_wait(asio::use_awaitable);
        EXPECT_EQ((co_await c.send(chat(m), {.max_retries = 0})).status, 200u);
        stats = c.stats();
    }));
    EXPECT_EQ(m.requests().size(), 2u);
    EXPECT_EQ(stats.connections_opened, 2u);
}

TEST(Transport, RequestOnAStaleConnectionIsSentOnceMoreOnAFreshOne)
{
    mock_server m;
    mock_reply drop;
    drop.close_without_response = true;
    net::pool_stats stats;
    EXPECT_FALSE(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        co_await c.send(chat(m));
        m.push(drop);  // the pooled connection reads the request and closes: nothing came back
        EXPECT_EQ((co_await c.send(chat(m), {.max_retries = 0})).status, 200u);
        stats = c.stats();
    }));
    EXPECT_EQ(m.requests().size(), 3u);
    EXPECT_EQ(stats.connections_opened, 2u);
    EXPECT_EQ(stats.stale_resends, 1u);  // counted, and once only
}

TEST(Transport, ARequestThatMustNotRunTwiceIsSentAtMostOnce)
{
    // The server answers one request keep-alive, then reads the next one on that connection
    // and closes without a response: a request that must not run twice (a batch's create) is
    // neither re-sent there nor retried; it goes on a fresh connection from the start.
    mock_server m;
    mock_reply drop;
    drop.close_without_response = true;
    net::pool_stats stats;
    std::optional<ins::errc> failed;
    EXPECT_FALSE(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        co_await c.send(chat(m));  // leaves a pooled connection
        m.push(drop);
        auto once = chat(m);
        once.idempotent = false;
        try {
            (void)co_await c.send(once, {.max_retries = 2});
        }
        catch (ins::error const& e) {
            failed = e.code_enum();
        }
        stats = c.stats();
    }));
    EXPECT_EQ(failed, ins::errc::connection_failed);
    EXPECT_EQ(m.requests().size(), 2u);  // the first, and the second once
    EXPECT_EQ(stats.stale_resends, 0u);
    EXPECT_EQ(stats.connections_opened, 2u);  // not on the pooled one
    ASSERT_EQ(m.requests().size(), 2u);
    EXPECT_NE(m.requests()[1].connection, m.requests()[0].connection);

    // Answered, it is answered once, and the connection is pooled as any other.
    mock_server m2;
    EXPECT_FALSE(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        co_await c.send(chat(m2));
        auto once = chat(m2);
        once.idempotent = false;
        EXPECT_EQ((co_await c.send(once)).status, 200u);
        EXPECT_EQ((co_await c.send(chat(m2))).status, 200u);
        stats = c.stats();
    }));
    EXPECT_EQ(m2.requests().size(), 3u);
    EXPECT_EQ(stats.connections_opened, 2u);
}

TEST(Transport, RequestTimeout)
{
    mock_server m;
    mock_reply slow = mock_reply::chat_content("late");
    slow.delay = 3s;
    m.push(slow);
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(with_client({.request_timeout = 200ms}, [&](net::http_client& c) -> asio::awaitable<void> {
                  co_await c.send(chat(m), {.max_retries = 0});
              }),
              ins::errc::timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

namespace {

/// Reads a request's head and its Content-Length body from `s`: true when both came, the body
/// left in `in`.
bool read_request(asio::ip::tcp::socket& s, asio::streambuf& in)
{
    boost::system::error_code ec;
    auto const head_size = asio::read_until(s, in, "\r\n\r\n", ec);
    if (ec)
        return false;
    std::string head(asio::buffers_begin(in.data()),
                     asio::buffers_begin(in.data()) + static_cast<std::ptrdiff_t>(head_size));
    in.consume(head_size);
    auto const at = head.find("Content-Length: ");
    std::size_t const length = at == std::string::npos ? 0 : std::stoul(head.substr(at + 16));
    if (length > in.size())
        asio::read(s, in, asio::transfer_exactly(length - in.size()), ec);
    return !ec;
}

}  // namespace

/// A server that accepts one connection and reads nothing for `stall`, then reads the request
/// (its head and a Content-Length body) and answers with `answer`'s pieces, a pause before
/// each one after the first (by default 200 with `{}`, closing).
class stalling_server {
public:
    explicit stalling_server(std::chrono::milliseconds stall,
                             std::vector<std::string> answer = {
                                 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"})
        : acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0})
    {
        thread_ = std::thread([this, stall, answer = std::move(answer)] {
            boost::system::error_code ec;
            auto s = acceptor_.accept(ec);
            if (ec)
                return;
            std::this_thread::sleep_for(stall);
            asio::streambuf in;
            if (!read_request(s, in))
                return;
            for (std::size_t i = 0; i < answer.size(); ++i) {
                if (i > 0)
                    std::this_thread::sleep_for(30ms);  // the client reads what came before
                asio::write(s, asio::buffer(answer[i]), ec);
            }
            body_.resize(in.size());  // kept after the answer: the client's idle timeout is short
            asio::buffer_copy(asio::buffer(body_), in.data());
        });
    }
    ~stalling_server()
    {
        if (!thread_.joinable())
            return;
        boost::system::error_code ec;
        asio::ip::tcp::socket wake(ioc_);  // unblocks the accept if no client came
        wake.connect(acceptor_.local_endpoint(), ec);
        thread_.join();
    }
    /// The body of the request it answered (after it answered).
    std::string const& body()
    {
        if (thread_.joinable())
            thread_.join();
        return body_;
    }
    std::string url() const
    {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) +
               "/v1/chat/completions";
    }

private:
    asio::io_context ioc_;
    asio::ip::tcp::acceptor acceptor_;
    std::string body_;
    std::thread thread_;
};

TEST(Transport, AWriteLongerThanTheIdleTimeoutRunsToTheDeadline)
{
    // The write's timer is armed for the idle timeout the read after it will have: a write
    // still going then (a body larger than the sockets' buffers, to a server slow to read it)
    // goes on to the deadline; one still going at the deadline is cut.
    // The kernel takes part of it at once and the rest is awaited: the server reads every
    // byte once, in order.
    net::http_request big;
    big.body.resize(32 << 20);
    for (std::size_t i = 0; i < big.body.size(); ++i)
        big.body[i] = static_cast<char>('a' + i % 23);
    {
        stalling_server server(500ms);
        big.url = server.url();
        EXPECT_EQ(with_client({.idle_timeout = 100ms}, [&](net::http_client& c) -> asio::awaitable<void> {
            auto r = co_await c.send(big, {.max_retries = 0});
            EXPECT_EQ(r.status, 200u);
            EXPECT_EQ(r.body, "{}");
        }), std::nullopt);
        EXPECT_TRUE(server.body() == big.body);
    }
    stalling_server server(1500ms);
    big.url = server.url();
    EXPECT_EQ(with_client({.request_timeout = 300ms, .idle_timeout = 100ms},
                          [&](net::http_client& c) -> asio::awaitable<void> {
                              co_await c.send(big, {.max_retries = 0});
                          }),
              ins::errc::timeout);
}

TEST(Transport, AResponseInPiecesIsReadWhole)
{
    // What has arrived is read at once and the rest awaited: a head cut mid-name and
    // mid-line, then a chunked body cut in its chunk-size line and in its data.
    stalling_server server(0ms, {"HTTP/1.1 200 OK\r\nCont", "ent-Type: application/json\r\nX-A: b\r",
                             "\nTransfer-Encoding: chunked\r\n\r\n", "7\r", "\n{\"a\":", "1}\r\n0\r\n",
                             "\r\n"});
    net::http_request r;
    r.url = server.url();
    r.body = "{}";
    EXPECT_FALSE(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        auto const res = co_await c.send(r, {.max_retries = 0});
        EXPECT_EQ(res.status, 200u);
        EXPECT_EQ(res.find("x-a"), "b");
        EXPECT_EQ(res.body, R"({"a":1})");
        EXPECT_EQ(c.stats().idle, 1u);  // read to its end: pooled
    }));
}

TEST(Transport, ABodyOfAKnownLengthInPiecesIsReadWhole)
{
    // A body of a known length is read straight into the response: the reads that bring part
    // of it leave no room unfilled between them; an error's body cut short is reported as far
    // as it came.
    stalling_server server(
        0ms, {"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{\"a\"", ":1,", "\"b\":", "22}"});
    net::http_request r;
    r.url = server.url();
    r.body = "{}";
    EXPECT_FALSE(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        auto const res = co_await c.send(r, {.max_retries = 0});
        EXPECT_EQ(res.body, R"({"a":1,"b":22})");
    }));
    stalling_server cut(0ms, {"HTTP/1.1 500 Oops\r\nContent-Length: 400\r\n\r\n{\"error\":",
                              "{\"message\":\"half"});
    r.url = cut.url();
    auto const err = test::with<net::http_client>(
        net::transport_options{}, [&](net::http_client& c) -> asio::awaitable<void> {
            co_await c.send(r, {.max_retries = 0});
        });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code_enum(), ins::errc::server_error);
    EXPECT_NE(std::string_view(err->what()).find(R"({"error":{"message":"half)"),
              std::string_view::npos)
        << err->what();
    EXPECT_EQ(std::string_view(err->what()).find('\0'), std::string_view::npos);
}

TEST(Transport, AContentLengthBeyondAnyMemoryIsReadAsFarAsItComes)
{
    // The length a server claims sizes no room: the body is read 16 KB at a time, and the
    // connection's end before it is the error it always was.
    stalling_server server(0ms,
                           {"HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n{}"});
    net::http_request r;
    r.url = server.url();
    r.body = "{}";
    EXPECT_EQ(with_client({},
                          [&](net::http_client& c) -> asio::awaitable<void> {
                              co_await c.send(r, {.max_retries = 0});
                          }),
              ins::errc::connection_failed);
}

TEST(Transport, DeadlineBoundsRetriesAndBackoff)
{
    mock_server m;
    for (int i = 0; i < 3; ++i)
        m.push(mock_reply::error(500, "boom", {{"retry-after-ms", "5000"}}));
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
                  co_await c.send(chat(m), {.max_retries = 2,
                                            .deadline = std::chrono::steady_clock::now() + 300ms});
              }),
              ins::errc::server_error);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_EQ(m.requests().size(), 1u);
}

TEST(Transport, DeadlineEndsABodyThatKeepsFlowing)
{
    // A client too busy to keep up (each read stalls the thread a moment): every read finds
    // bytes waiting and completes before its expired timer fires, so only the read loop's own
    // check of the deadline ends the body. The fault soak met this against a mock without
    // Nagle's algorithm: calls read 1 MB a second past their deadline.
    mock_server m;
    mock_reply big;
    big.body = std::string(4 << 20, ' ');  // 256 reads of 16 KB
    m.push(big);
    EXPECT_EQ(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
                  net::set_fault_hook(c, [](net::io_step s) {
                      if (s == net::io_step::read_body)
                          std::this_thread::sleep_for(2ms);
                      return boost::system::error_code{};
                  });
                  co_await c.send(chat(m), {.max_retries = 0,
                                            .deadline = std::chrono::steady_clock::now() + 100ms});
              }),
              ins::errc::timeout);
}

TEST(Transport, IdleTimeoutOnADripFedBody)
{
    mock_server m;
    mock_reply drip = mock_reply::chat_content("slow");
    drip.chunk_size = 4;
    drip.chunk_delay = 1s;
    m.push(drip);
    EXPECT_EQ(with_client({.idle_timeout = 200ms}, [&](net::http_client& c) -> asio::awaitable<void> {
                  co_await c.send(chat(m), {.max_retries = 0});
              }),
              ins::errc::timeout);
    // a drip that keeps coming within the idle timeout is fine
    mock_server m2;
    drip.chunk_size = 64;
    drip.chunk_delay = 20ms;
    m2.push(drip);
    EXPECT_FALSE(with_client({.idle_timeout = 500ms}, [&](net::http_client& c) -> asio::awaitable<void> {
        EXPECT_EQ((co_await c.send(chat(m2), {.max_retries = 0})).status, 200u);
    }));
}

TEST(Transport, TheIdleTimeoutSlidesWithEachRead)
{
    // A body that takes three idle timeouts in all, never silent for one: each read moves the
    // limit, though the connection's one timer is armed for the first.
    mock_server m;
    mock_reply drip;
    drip.body = std::string(24, 'x');
    drip.chunk_size = 1;
    drip.chunk_delay = 25ms;
    m.push(drip);
    EXPECT_FALSE(with_client({.idle_timeout = 200ms}, [&](net::http_client& c) -> asio::awaitable<void> {
        auto r = co_await c.send(chat(m), {.max_retries = 0});
        EXPECT_EQ(r.body, std::string(24, 'x'));
    }));
}

TEST(Transport, AStreamReaderSlowerThanTheIdleTimeoutReadsToTheEnd)
{
    // The idle timeout bounds a read, not the reader's time between reads (the bytes wait in
    // the socket meanwhile).
    mock_server m;
    m.push(mock_reply::sse({R"({"a":1})", R"({"b":2})", R"({"c":3})"}));
    EXPECT_FALSE(with_client({.idle_timeout = 100ms}, [&](net::http_client& c) -> asio::awaitable<void> {
        auto s = co_await c.open_stream(chat(m));
        std::string body;
        asio::steady_timer pause(co_await asio::this_coro::executor);
        while (auto bytes = co_await s.read_some()) {
            body += *bytes;
            pause.expires_after(300ms);
            co_await pause.async_wait(asio::use_awaitable);
        }
        EXPECT_NE(body.find(R"({"c":3})"), std::string::npos);
        EXPECT_EQ(c.stats().idle, 1u);
    }));
}

TEST(Transport, APooledConnectionKeepsNoIoContextRunning)
{
    // The connection's timer is cancelled when its exchange ends: once the calls are done,
    // run() returns, the client and its pooled connection still alive.
    mock_server m;
    m.push(mock_reply::json(R"({"ok":true})"));
    m.push(mock_reply::sse({R"({"a":1})"}));
    asio::io_context ioc;
    net::http_client c(ioc.get_executor(), {.request_timeout = 1h, .idle_timeout = 1h});
    unsigned status = 0;
    std::string streamed;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            status = (co_await c.send(chat(m))).status;
            auto s = co_await c.open_stream(chat(m));
            while (auto bytes = co_await s.read_some())
                streamed += *bytes;
        },
        asio::detached);
    ioc.run_for(30s);
    EXPECT_TRUE(ioc.stopped()) << "run() did not return: something still waits";
    EXPECT_EQ(status, 200u);
    EXPECT_NE(streamed.find(R"({"a":1})"), std::string::npos);
    EXPECT_EQ(c.stats().idle, 1u);
}

// A request that fails before a byte of it is written (its signer throws, its body file is
// gone) reports its error and leaves the connection it took in the pool, unharmed.
TEST(Transport, ARequestThatCannotBeWrittenLeavesItsConnectionPooled)
{
    mock_server m;
    auto refused = [&] {
        auto r = chat(m);
        r.sign = [](std::string_view, std::string_view, net::http_request const&)
            -> std::vector<net::header> {
            throw ins::error(ins::errc::invalid_argument, "the signer has no credentials");
        };
        return r;
    };
    auto no_file = [&] {
        auto r = chat(m, "");
        r.body_file = "/nonexistent/instructor-body";
        return r;
    };
    EXPECT_FALSE(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        EXPECT_EQ((co_await c.send(chat(m))).status, 200u);
        for (int i = 0; i < 2; ++i) {
            std::optional<ins::errc> failed;
            auto bad = i == 0 ? refused() : no_file();  // built first: GCC 12 and co_await
            try {
                (void)co_await c.send(std::move(bad));
            }
            catch (ins::error const& e) {
                failed = e.code_enum();
            }
            EXPECT_EQ(failed, ins::errc::invalid_argument) << i;
            EXPECT_EQ(c.stats().idle, 1u) << i;
            EXPECT_EQ(c.stats().in_use, 0u) << i;
        }
        EXPECT_EQ((co_await c.send(chat(m))).status, 200u);
        EXPECT_EQ(c.stats().connections_opened, 1u);
    }));
    EXPECT_EQ(m.requests().size(), 2u);
    EXPECT_EQ(m.connections_accepted(), 1u);
}

TEST(Transport, AnEmptyBodyEndsTheExchangeAtOnce)
{
    // Content-Length: 0, and a 204: the response is whole with its header. A read for a body
    // would wait on the kept-alive connection until the idle timeout.
    mock_server m;
    mock_reply empty;
    empty.body = "";
    mock_reply no_content;
    no_content.status = 204;
    no_content.body = "";
    m.push(empty);
    m.push(no_content);
    EXPECT_FALSE(with_client({.idle_timeout = 2s}, [&](net::http_client& c) -> asio::awaitable<void> {
        auto r = co_await c.send(chat(m), {.max_retries = 0});
        EXPECT_EQ(r.status, 200u);
        EXPECT_EQ(r.body, "");
        r = co_await c.send(chat(m), {.max_retries = 0});
        EXPECT_EQ(r.status, 204u);
        EXPECT_EQ(c.stats().idle, 1u);
        EXPECT_EQ(c.stats().connections_opened, 1u);
    }));
}

TEST(Transport, CancellationAbortsAndDropsTheConnection)
{
    mock_server m;
    mock_reply slow = mock_reply::chat_content("late");
    slow.delay = 5s;
    m.push(slow);
    asio::io_context ioc;
    net::http_client c(ioc.get_executor());
    asio::cancellation_signal cancel;
    std::optional<ins::errc> code;
    asio::co_spawn(ioc, c.send(chat(m)),
                   asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, net::http_response) {
                       try {
                           if (e)
                               std::rethrow_exception(e);
                       }
                       catch (ins::error const& err) {
                           code = err.code_enum();
                       }
                   }));
    asio::steady_timer t(ioc, 100ms);
    t.async_wait([&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
    auto start = std::chrono::steady_clock::now();
    ioc.run_for(5s);
    EXPECT_EQ(code, ins::errc::cancelled);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_EQ(c.stats().idle, 0u);
    EXPECT_EQ(c.stats().in_use, 0u);
}

TEST(Transport, BodyAndHeaderLimits)
{
    mock_server m;
    m.push(mock_reply::oversized(2 * 1024 * 1024));
    EXPECT_EQ(with_client({.max_body_bytes = 1024 * 1024}, [&](net::http_client& c) -> asio::awaitable<void> {
                  co_await c.send(chat(m), {.max_retries = 0});
              }),
              ins::errc::response_too_large);
    mock_reply big_header = mock_reply::chat_content("x");
    // Beast caps one field at 64 KiB, so two fields make the headers larger than the client's cap
    big_header.headers.push_back({"x-filler-1", std::string(40 * 1024, 'a')});
    big_header.headers.push_back({"x-filler-2", std::string(40 * 1024, 'b')});
    m.push(big_header);
    EXPECT_EQ(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
                  co_await c.send(chat(m), {.max_retries = 0});
              }),
              ins::errc::response_too_large);
}

TEST(Transport, MalformedHttpIsAProtocolError)
{
    mock_server m;
    mock_reply bad;
    bad.raw = "HTTP/1.1 200 OK\r\nContent-Length: banana\r\n\r\n{}";
    m.push(bad);
    EXPECT_EQ(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
                  co_await c.send(chat(m), {.max_retries = 0});
              }),
              ins::errc::protocol_error);
    mock_reply garbage;
    garbage.raw = "this is not HTTP at all\r\n\r\n";
    m.push(garbage);
    EXPECT_EQ(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
                  co_await c.send(chat(m), {.max_retries = 0});
              }),
              ins::errc::protocol_error);
}

TEST(Transport, ApiKeyNeverAppearsInErrors)
{
    mock_server m;
    m.push(mock_reply::error(401, "Incorrect API key provided: sk-test-secret-key-123."));
    with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        try {
            co_await c.send(chat(m));
            ADD_FAILURE();
        }
        catch (ins::error const& e) {
            EXPECT_EQ(std::string(e.what()).find("sk-test-secret-key-123"), std::string::npos);
            EXPECT_EQ(e.provider_message.find("sk-test-secret-key-123"), std::string::npos);
            EXPECT_NE(e.provider_message.find("Incorrect API key provided"), std::string::npos);
        }
    });
}

TEST(Transport, PoolBoundsConnectionsPerHost)
{
    mock_server m;
    for (int i = 0; i < 6; ++i) {
        mock_reply r = mock_reply::chat_content("hi");
        r.delay = 100ms;
        m.push(r);
    }
    int ok = 0;
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        net::http_client c(ex, {.max_connections_per_host = 2});
        int done = 0;
        for (int i = 0; i < 6; ++i)
            asio::co_spawn(ex, [&]() -> asio::awaitable<void> {
                auto r = co_await c.send(chat(m));
                ok += r.status == 200;
                ++done;
            }, asio::detached);
        asio::steady_timer t(ex);
        while (done < 6) {
            t.expires_after(10ms);
            co_await t.async_wait(asio::use_awaitable);
        }
        EXPECT_LE(c.stats().connections_opened, 2u);
    });
    EXPECT_EQ(ok, 6);
    EXPECT_LE(m.connections_accepted(), 2u);
}

TEST(Transport, StreamsServerSentEventsAndPoolsTheConnectionAfter)
{
    mock_server m;
    std::string body = R"({"model":"m","stream":true,"stream_options":{"include_usage":true},)"
                       R"("messages":[{"role":"user","content":"John Doe is 32 years old."}]})";
    EXPECT_FALSE(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        auto s = co_await c.open_stream(chat(m, body));
        EXPECT_EQ(s.status(), 200u);
        net::sse_parser sse;
        std::string content;
        int events = 0;
        while (auto bytes = co_await s.read_some()) {
            EXPECT_FALSE(sse.feed(*bytes));
            while (auto ev = sse.next()) {
                ++events;
                auto v = boost::json::parse(ev->data);
                auto const& choices = v.at("choices").as_array();
                if (!choices.empty())
                    if (auto const* d = choices[0].at("delta").as_object().if_contains("content"))
                        if (d->is_string())
                            content += d->as_string();
            }
        }
        EXPECT_TRUE(sse.done());
        EXPECT_GT(events, 3);
        EXPECT_EQ(content, "Hello from the mock endpoint.");
        EXPECT_EQ(c.stats().idle, 1u);
    }));
}

TEST(Transport, StreamCutMidBodyIsAConnectionError)
{
    mock_server m;
    auto r = mock_reply::sse({R"({"a":1})", R"({"b":2})", R"({"c":3})"});
    r.chunk_size = 8;
    r.close_after_bytes = 20;
    m.push(r);
    EXPECT_EQ(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
                  auto s = co_await c.open_stream(chat(m));
                  while (co_await s.read_some()) {
                  }
              }),
              ins::errc::connection_failed);
}

TEST(Transport, AbandonedStreamClosesItsConnection)
{
    mock_server m;
    auto r = mock_reply::sse(std::vector<std::string>(50, R"({"x":1})"));
    r.chunk_size = 16;
    r.chunk_delay = 20ms;
    m.push(r);
    net::pool_stats stats;
    EXPECT_FALSE(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        {
            auto s = co_await c.open_stream(chat(m));
            (void)co_await s.read_some();
        }  // destroyed mid-body
        stats = c.stats();
    }));
    EXPECT_EQ(stats.idle, 0u);
    EXPECT_EQ(stats.in_use, 0u);
    for (int i = 0; i < 200 && m.open_connections() != 0; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(m.open_connections(), 0u);
}

TEST(Transport, StreamErrorStatusCarriesTheBody)
{
    mock_server m;
    m.push(mock_reply::error(400, "stream not allowed"));
    with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
        try {
            co_await c.open_stream(chat(m));
            ADD_FAILURE();
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code(), ins::errc::bad_request);
            EXPECT_EQ(e.provider_message, "stream not allowed");
        }
    });
}

TEST(Transport, InvalidUrlsAreRejectedBeforeAnyIo)
{
    EXPECT_EQ(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
                  net::http_request r;
                  r.url = "ftp://example.com/x";
                  co_await c.send(r);
              }),
              ins::errc::invalid_argument);
    EXPECT_EQ(with_client({}, [&](net::http_client& c) -> asio::awaitable<void> {
                  net::http_request r;
                  r.url = "not a url";
                  co_await c.send(r);
              }),
              ins::errc::invalid_argument);
}

}  // namespace transport_test
