// Proxy settings without sockets: proxy URLs (credentials to Proxy-Authorization, never in an
// error), NO_PROXY matching as curl does it, and which origin goes through which proxy.
#include "net/proxy.hpp"

#include <instructor/error.hpp>

#include <gtest/gtest.h>

#include <cstdlib>

namespace proxy_settings_test {

namespace det = instructor::net::detail;
namespace ins = instructor;

namespace {

std::string error_of(std::string_view url)
{
    try {
        (void)det::parse_proxy_url(url, "transport_options::proxy");
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::invalid_argument);
        return e.what();
    }
    ADD_FAILURE() << "accepted: " << url;
    return {};
}

TEST(ProxyUrl, CredentialsTooLongForAHeaderAreRefused)
{
    // Proxy-Authorization is a header field: credentials it cannot hold are a bad proxy URL.
    auto const what = error_of("http://user:" + std::string(60000, 'p') + "@proxy.corp:3128");
    EXPECT_EQ(what.find("ppppp"), std::string::npos);  // the password is never echoed
}

TEST(ProxyUrl, HostPortAndCredentials)
{
    auto p = det::parse_proxy_url("http://proxy.corp:3128", "x");
    EXPECT_EQ(p.host, "proxy.corp");
    EXPECT_EQ(p.port, 3128);
    EXPECT_TRUE(p.authorization.empty());
    EXPECT_EQ(p.where(), "proxy http://proxy.corp:3128");

    p = det::parse_proxy_url("proxy.corp:8080", "x");  // no scheme: http, as curl takes it
    EXPECT_EQ(p.port, 8080);
    EXPECT_EQ(det::parse_proxy_url("http://proxy.corp", "x").port, 80);

    // Percent-encoded credentials are decoded before they are encoded again in base64.
    p = det::parse_proxy_url("http://Aladdin:open%20sesame@[::1]:3128/", "x");
    EXPECT_EQ(p.host, "::1");
    EXPECT_EQ(p.authorization, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    EXPECT_EQ(p.where(), "proxy http://[::1]:3128");
    EXPECT_EQ(p.where().find("sesame"), std::string::npos);
}

TEST(ProxyUrl, BadUrlsAreRefusedWithoutEchoingThem)
{
    for (auto const* bad : {"https://user:s3cret@proxy:3128", "socks5://user:s3cret@proxy:1080",
                            "http://user:s3cret@proxy:0", "http://user:s3cret@proxy:70000",
                            "http://user:s3cret@", "http://user:s3cret@[::1"}) {
        auto const what = error_of(bad);
        EXPECT_NE(what.find("transport_options::proxy"), std::string::npos) << what;
        EXPECT_EQ(what.find("s3cret"), std::string::npos) << what;
    }
}

TEST(NoProxy, NamesMatchThemselvesAndTheirSubdomains)
{
    EXPECT_TRUE(det::no_proxy_matches("example.com", "example.com"));
    EXPECT_TRUE(det::no_proxy_matches("example.com", "api.example.com"));
    EXPECT_TRUE(det::no_proxy_matches(".example.com", "api.example.com"));
    EXPECT_TRUE(det::no_proxy_matches(".example.com", "example.com"));
    EXPECT_TRUE(det::no_proxy_matches("EXAMPLE.com", "Api.Example.COM"));
    EXPECT_FALSE(det::no_proxy_matches("example.com", "badexample.com"));
    EXPECT_FALSE(det::no_proxy_matches("api.example.com", "example.com"));
    EXPECT_TRUE(det::no_proxy_matches(" foo.org , example.com:8443 ", "example.com"));  // ports ignored
    EXPECT_FALSE(det::no_proxy_matches("", "example.com"));
    EXPECT_FALSE(det::no_proxy_matches(",,", "example.com"));
}

TEST(NoProxy, AddressesMatchExactlyOrByRange)
{
    EXPECT_TRUE(det::no_proxy_matches("127.0.0.1", "127.0.0.1"));
    EXPECT_FALSE(det::no_proxy_matches("127.0.0.1", "127.0.0.2"));
    EXPECT_TRUE(det::no_proxy_matches("10.0.0.0/8", "10.20.30.40"));
    EXPECT_FALSE(det::no_proxy_matches("10.0.0.0/8", "11.0.0.1"));
    EXPECT_TRUE(det::no_proxy_matches("192.168.1.0/24", "192.168.1.77"));
    EXPECT_FALSE(det::no_proxy_matches("192.168.1.0/24", "192.168.2.1"));
    EXPECT_TRUE(det::no_proxy_matches("::1", "::1"));
    EXPECT_TRUE(det::no_proxy_matches("[::1]:8080", "::1"));
    EXPECT_TRUE(det::no_proxy_matches("fd00::/8", "fd12::1"));
    EXPECT_FALSE(det::no_proxy_matches("10.0.0.0/8", "::1"));  // families do not mix
    EXPECT_FALSE(det::no_proxy_matches("10.0.0.0/99", "10.0.0.1"));
    EXPECT_FALSE(det::no_proxy_matches("example.com", "127.0.0.1"));  // names never match IPs
    EXPECT_FALSE(det::no_proxy_matches("0.0.1", "127.0.0.1"));         // nor suffixes of them
}

TEST(NoProxy, StarAloneMatchesEverything)
{
    EXPECT_TRUE(det::no_proxy_matches("*", "example.com"));
    EXPECT_TRUE(det::no_proxy_matches(" * ", "127.0.0.1"));
    EXPECT_FALSE(det::no_proxy_matches("foo.org, *", "127.0.0.1"));  // as curl: not in a list
}

TEST(NoProxy, TrailingDotsAndBracketedRanges)
{
    EXPECT_TRUE(det::no_proxy_matches("example.com.", "api.example.com"));
    EXPECT_TRUE(det::no_proxy_matches("example.com", "api.example.com."));
    EXPECT_TRUE(det::no_proxy_matches("[fd00::]/8", "fd12::1"));
    EXPECT_FALSE(det::no_proxy_matches("[fd00::]/8", "fe80::1"));
    EXPECT_FALSE(det::no_proxy_matches(".", "example.com"));
}

TEST(ProxySettings, UnderCgiTheUpperCaseHttpProxyIsNotTrusted)
{
    ::setenv("HTTP_PROXY", "http://attacker:1", 1);  // what a request's Proxy: header becomes
    ::setenv("REQUEST_METHOD", "GET", 1);
    ins::net::endpoint const http{false, "localhost", 8080, "/"};
    EXPECT_EQ(det::proxy_settings{ins::net::transport_options{}}.for_origin(http), nullptr);
    ::setenv("http_proxy", "http://configured:2", 1);
    EXPECT_EQ(det::proxy_settings{ins::net::transport_options{}}.for_origin(http)->host,
              "configured");
    ::unsetenv("REQUEST_METHOD");
    ::unsetenv("http_proxy");
    EXPECT_EQ(det::proxy_settings{ins::net::transport_options{}}.for_origin(http)->host,
              "attacker");  // outside CGI the upper-case name is the user's own
    ::unsetenv("HTTP_PROXY");
}

TEST(ProxySettings, OptionsWinOverTheEnvironment)
{
    ::setenv("https_proxy", "http://env-proxy:1", 1);
    ::setenv("http_proxy", "http://env-plain:2", 1);
    ::setenv("no_proxy", "internal.corp", 1);
    ins::net::endpoint const https{true, "api.openai.com", 443, "/"};
    ins::net::endpoint const http{false, "localhost", 11434, "/"};
    ins::net::endpoint const internal{true, "llm.internal.corp", 443, "/"};

    det::proxy_settings from_env{ins::net::transport_options{}};
    ASSERT_NE(from_env.for_origin(https), nullptr);
    EXPECT_EQ(from_env.for_origin(https)->host, "env-proxy");
    EXPECT_EQ(from_env.for_origin(http)->host, "env-plain");
    EXPECT_EQ(from_env.for_origin(internal), nullptr);

    ins::net::transport_options o;
    o.proxy = "http://opt-proxy:3";
    o.no_proxy = "";
    det::proxy_settings from_options{o};
    EXPECT_EQ(from_options.for_origin(https)->host, "opt-proxy");
    EXPECT_EQ(from_options.for_origin(http)->host, "opt-proxy");
    EXPECT_EQ(from_options.for_origin(internal)->host, "opt-proxy");  // options' no_proxy: none

    o.proxy = "";  // none, whatever the environment says
    det::proxy_settings none{o};
    EXPECT_EQ(none.for_origin(https), nullptr);

    ::setenv("https_proxy", "ftp://bad", 1);
    EXPECT_THROW(det::proxy_settings{ins::net::transport_options{}}, ins::error);
    ::unsetenv("https_proxy");
    ::unsetenv("http_proxy");
    ::unsetenv("no_proxy");
}

}  // namespace

}  // namespace proxy_settings_test
