// HTTP proxies through the public API, with a real tinyproxy from Debian on 127.0.0.1: http
// origins asked in absolute form, https origins through a CONNECT tunnel with TLS verified end
// to end against the origin, calls and streams, one pooled tunnel per origin, credentials from
// the proxy URL, NO_PROXY and the environment, and every refusal a typed error naming the proxy.
#include "async_test.hpp"
#include "child_process.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/algorithm/string/predicate.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace proxy_test {

namespace asio = boost::asio;
using instructor::testing::mock_options;
using instructor::testing::mock_server;
using models::UserInfo;
using test::header_of;

namespace {

/// A tinyproxy of the test's own; `allow` is the client address it serves, `basic_auth`
/// "user password" to require credentials.
class tinyproxy {
public:
    explicit tinyproxy(std::string const& basic_auth = {}, std::string const& allow = "127.0.0.1")
        : port_(test::free_port()),
          config_(std::filesystem::temp_directory_path() /
                  ("instructor_tinyproxy_" + std::to_string(::getpid()) + "_" +
                   std::to_string(port_) + ".conf"))
    {
        std::ofstream(config_) << "Port " << port_ << "\nListen 127.0.0.1\nTimeout 30\n"
                               << "MaxClients 50\nLogLevel Critical\nAllow " << allow << "\n"
                               << (basic_auth.empty() ? "" : "BasicAuth " + basic_auth + "\n");
        process_.emplace(std::vector<std::string>{"tinyproxy", "-d", "-c", config_.string()},
                         false);
        if (!process_->wait_listening(port_))
            ADD_FAILURE() << "tinyproxy did not start on port " << port_;
    }
    ~tinyproxy()
    {
        process_.reset();
        std::filesystem::remove(config_);
    }

    std::string url(std::string const& credentials = {}) const
    {
        return "http://" + (credentials.empty() ? "" : credentials + "@") + "127.0.0.1:" +
               std::to_string(port_);
    }
    std::string where() const { return "proxy http://127.0.0.1:" + std::to_string(port_); }

private:
    unsigned short port_;
    std::filesystem::path config_;
    std::optional<test::child_process> process_;
};

ins::client_options through(mock_server const& m, std::string proxy)
{
    auto o = test::mock_options(m);
    o.transport.proxy = std::move(proxy);
    o.transport.ca_file = m.ca_file();
    o.max_network_retries = 0;
    return o;
}

/// The error of one create<UserInfo> with options `o`, if any.
std::optional<ins::error> call(ins::client_options o, int calls = 1)
{
    return test::with<ins::client>(std::move(o), [&](ins::client& c) -> asio::awaitable<void> {
        for (int i = 0; i < calls; ++i) {
            auto user = co_await c.create<UserInfo>(test::ask("John is 32."));
            EXPECT_FALSE(user.name.empty());
        }
    });
}


TEST(Proxy, HttpOriginsAreAskedThroughTheProxy)
{
    tinyproxy proxy;
    mock_server m;
    auto err = call(through(m, proxy.url()), 2);
    ASSERT_FALSE(err) << err->what();
    err = test::with<ins::client>(through(m, proxy.url()), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<UserInfo>(test::ask("John is 32."));
        int partials = 0;
        while (co_await s.next())
            ++partials;
        EXPECT_GT(partials, 0);
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(m.requests().size(), 3u);
    // tinyproxy says it forwarded the request; a direct call has no Via.
    EXPECT_NE(header_of(m.requests()[0], "Via").find("tinyproxy"), std::string::npos);
    EXPECT_EQ(m.requests()[0].target, "/v1/chat/completions");
}

TEST(Proxy, HttpsOriginsGoThroughOneTunnelWithTlsEndToEnd)
{
    tinyproxy proxy;
    mock_server m(mock_options{.tls = true});
    auto o = through(m, proxy.url());
    auto err = test::with<ins::client>(o, [&](ins::client& c) -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i)
            co_await c.create<UserInfo>(test::ask("John is 32."));
        auto s = c.create_partial<UserInfo>(test::ask("John is 32."));
        int partials = 0;
        while (co_await s.next())
            ++partials;
        EXPECT_GT(partials, 0);
        EXPECT_EQ(c.transport_stats().connections_opened, 1u);  // the tunnel is pooled
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(m.requests().size(), 4u);
    for (auto const& r : m.requests()) {
        EXPECT_EQ(r.connection, 1u);
        EXPECT_TRUE(header_of(r, "Via").empty());  // the proxy saw only TLS
    }
}

TEST(Proxy, TheTunnelVerifiesTheOriginNotTheProxy)
{
    tinyproxy proxy;
    {  // by name: the proxy is asked for localhost, TLS names it (SNI) and checks its certificate
        mock_server named(mock_options{.tls = true});
        auto o = through(named, proxy.url());
        o.base_url = "https://localhost:" + std::to_string(named.port()) + "/v1";
        auto err = call(o);
        ASSERT_FALSE(err) << err->what();
        EXPECT_EQ(named.requests().at(0).sni, "localhost");
    }
    mock_server m(mock_options{.tls = true, .tls_subject_alt_names = "DNS:elsewhere.example"});
    auto err = call(through(m, proxy.url()));
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code_enum(), ins::errc::tls_failed) << err->what();
    EXPECT_TRUE(m.requests().empty());
}

TEST(Proxy, CredentialsComeFromTheProxyUrl)
{
    tinyproxy proxy("alice pr0xy-s3cret");
    mock_server m(mock_options{.tls = true});
    auto err = call(through(m, proxy.url("alice:pr0xy-s3cret")));
    ASSERT_FALSE(err) << err->what();

    mock_server plain;
    err = call(through(plain, proxy.url("alice:pr0xy-s3cret")));
    ASSERT_FALSE(err) << err->what();
    // The proxy takes its credentials off the request before it goes on.
    EXPECT_TRUE(header_of(plain.requests().at(0), "Proxy-Authorization").empty());
}

TEST(Proxy, RefusalsAreTypedAndNameTheProxy)
{
    tinyproxy proxy("alice pr0xy-s3cret");
    mock_server tls(mock_options{.tls = true});
    mock_server plain;
    // No credentials: 407, for a CONNECT and for a plain request. Wrong ones: tinyproxy 1.11
    // answers 401 (with WWW-Authenticate, as an origin would): known as the proxy's only when
    // it answers a CONNECT.
    struct refusal {
        mock_server* origin;
        std::string credentials;
        std::string status;
    };
    for (auto const& [m, creds, status] : {refusal{&tls, "", "407"}, refusal{&plain, "", "407"},
                                           refusal{&tls, "alice:wrong-pass", "401"}}) {
        auto err = call(through(*m, proxy.url(creds)));
        ASSERT_TRUE(err);
        EXPECT_EQ(err->code_enum(), ins::errc::proxy_failed) << err->what();
        std::string const what = err->what();
        EXPECT_NE(what.find(proxy.where() + " refused"), std::string::npos) << what;
        EXPECT_NE(what.find(": " + status + " "), std::string::npos) << what;
        EXPECT_EQ(what.find("wrong-pass"), std::string::npos) << what;
        EXPECT_TRUE(m->requests().empty());
    }

    tinyproxy denying({}, "10.9.9.9");  // 403: this client is not allowed
    auto err = call(through(tls, denying.url()));
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code_enum(), ins::errc::proxy_failed) << err->what();
    EXPECT_NE(std::string(err->what()).find(denying.where()), std::string::npos) << err->what();

    // The origin is down: the proxy cannot open the tunnel.
    auto o = through(tls, proxy.url("alice:pr0xy-s3cret"));
    o.base_url = "https://127.0.0.1:" + std::to_string(test::free_port()) + "/v1";
    err = call(o);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code_enum(), ins::errc::proxy_failed) << err->what();
    EXPECT_NE(std::string(err->what()).find(proxy.where()), std::string::npos) << err->what();
}

TEST(Proxy, AProxyThatIsDownIsAConnectionFailureNamingIt)
{
    mock_server m;
    auto const port = std::to_string(test::free_port());
    auto err = call(through(m, "http://bob:hunter2@127.0.0.1:" + port));
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code_enum(), ins::errc::connection_failed);
    std::string const what = err->what();
    EXPECT_NE(what.find("proxy http://127.0.0.1:" + port), std::string::npos) << what;
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
}

TEST(Proxy, NoProxyGoesDirect)
{
    mock_server m;
    auto const dead = "http://127.0.0.1:" + std::to_string(test::free_port());
    for (auto const* list : {"127.0.0.1", "localhost, 127.0.0.0/8", " * ", " example.com ,127.0.0.1:9"}) {
        auto o = through(m, dead);
        o.transport.no_proxy = list;
        auto err = call(o);
        EXPECT_FALSE(err) << list << ": " << err->what();
    }
    auto o = through(m, dead);
    o.transport.no_proxy = "example.com,10.0.0.0/8";
    EXPECT_TRUE(call(o)) << "127.0.0.1 is not in the list: the dead proxy is used";
}

TEST(Proxy, TheEnvironmentAppliesWhenTheOptionsAreUnset)
{
    tinyproxy proxy;
    mock_server tls(mock_options{.tls = true});
    mock_server plain;
    auto const dead = "http://127.0.0.1:" + std::to_string(test::free_port());
    ::setenv("https_proxy", proxy.url().c_str(), 1);
    ::setenv("HTTP_PROXY", proxy.url().c_str(), 1);
    ::unsetenv("NO_PROXY");
    ::unsetenv("no_proxy");
    auto unset = [&](ins::client_options o) {
        o.transport.proxy.reset();
        return o;
    };
    auto err = call(unset(through(plain, "")));
    ASSERT_FALSE(err) << err->what();
    EXPECT_NE(header_of(plain.requests().at(0), "Via").find("tinyproxy"), std::string::npos);
    err = call(unset(through(tls, "")));
    ASSERT_FALSE(err) << err->what();

    // NO_PROXY from the environment; an empty proxy option means none, whatever it says.
    ::setenv("https_proxy", dead.c_str(), 1);
    ::setenv("NO_PROXY", "127.0.0.1", 1);
    EXPECT_FALSE(call(unset(through(tls, ""))));
    ::unsetenv("NO_PROXY");
    EXPECT_TRUE(call(unset(through(tls, ""))));
    EXPECT_FALSE(call(through(tls, "")));
    ::unsetenv("https_proxy");
    ::unsetenv("HTTP_PROXY");
}

TEST(Proxy, BadProxySettingsAreInvalidArguments)
{
    mock_server m;
    auto call = [](ins::client_options o) -> std::optional<ins::error> {
        try {  // the transport's options are checked when the client is made
            return proxy_test::call(std::move(o));
        }
        catch (ins::error const& e) {
            return e;
        }
    };
    for (auto const* bad : {"https://proxy.example:3128", "http://", "http://proxy:99999",
                            "socks5://proxy:1080", "http://user:pw@[::1"}) {
        auto err = call(through(m, bad));
        ASSERT_TRUE(err) << bad;
        EXPECT_EQ(err->code_enum(), ins::errc::invalid_argument) << bad;
        EXPECT_EQ(std::string(err->what()).find("pw@"), std::string::npos) << err->what();
    }
    EXPECT_TRUE(m.requests().empty());
}

TEST(Proxy, CredentialsAProxyEchoesAreRedacted)
{
    // A proxy whose error pages echo the request: the mock stands for it (it records what it
    // was sent and answers what the test pushes).
    mock_server proxy;
    mock_server origin;  // never reached
    std::string const password = "pr0xy-s3cret-pass";
    std::string const basic = "YWxpY2U6cHIweHktczNjcmV0LXBhc3M=";  // base64("alice:" + password)
    auto o = through(origin, "http://alice:" + password + "@127.0.0.1:" +
                                 std::to_string(proxy.port()));
    auto const check = [&](std::optional<ins::error> const& err, std::string const& seen) {
        ASSERT_TRUE(err);
        for (auto const& text : {std::string(err->what()), err->provider_message, seen}) {
            EXPECT_EQ(text.find(basic), std::string::npos) << text;
            EXPECT_EQ(text.find(password), std::string::npos) << text;
        }
        ASSERT_FALSE(proxy.requests().empty());
        EXPECT_EQ(header_of(proxy.requests().back(), "Proxy-Authorization"), "Basic " + basic);
    };
    std::string seen;  // what the error hook saw
    auto const call_seen = [&](ins::client_options opts) {
        seen.clear();
        return test::with<ins::client>(opts, [&](ins::client& c) -> asio::awaitable<void> {
            c.on(ins::hook::completion_error, [&](ins::hook_event const& e) {
                if (e.error)
                    seen += std::string(e.error->what()) + e.error->provider_message;
            });
            (void)co_await c.create<UserInfo>(test::ask("John is 32."));
        });
    };
    // An http origin, asked in absolute form: a 502 page echoing the request's headers.
    proxy.push(ins::testing::mock_reply::error(
        502, "cannot reach the origin; you sent: Proxy-Authorization: Basic " + basic +
                 " (alice:" + password + ")"));
    auto err = call_seen(o);
    check(err, seen);
    EXPECT_EQ(err->code_enum(), ins::errc::server_error);
    EXPECT_NE(std::string(err->what()).find("[redacted]"), std::string::npos) << err->what();
    // An https origin: the CONNECT refused with a reason phrase that echoes the header.
    ins::testing::mock_reply refused;
    refused.raw = "HTTP/1.1 502 Proxy-Authorization: Basic " + basic + "\r\nContent-Length: 0\r\n\r\n";
    proxy.push(refused);
    o.base_url = "https://127.0.0.1:" + std::to_string(origin.port()) + "/v1";
    err = call_seen(o);
    check(err, seen);
    EXPECT_EQ(err->code_enum(), ins::errc::proxy_failed) << err->what();
    EXPECT_TRUE(origin.requests().empty());
}

}  // namespace

}  // namespace proxy_test
