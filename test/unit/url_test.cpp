// Base URLs as users write them: path prefixes, trailing slashes, IPv6 literals, queries, and
// credentials (refused, and never echoed in the error).
#include <instructor/error.hpp>
#include "net/url.hpp"

#include <gtest/gtest.h>

namespace url_test {

namespace net = instructor::net;
namespace ins = instructor;

namespace {

std::string error_of(std::string_view url)
{
    try {
        (void)net::parse_url(url);
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::invalid_argument);
        return e.what();
    }
    ADD_FAILURE() << "accepted: " << url;
    return {};
}

}  // namespace

// parse_url keeps the last URL's parts (per thread): a call to another URL, or a bad one in
// between, never hands out parts of the wrong URL.
TEST(Url, TheKeptPartsAreAlwaysThoseOfTheURLAsked)
{
    for (int round = 0; round < 2; ++round) {
        auto const a = net::parse_url("https://a.example/v1/chat/completions");
        EXPECT_EQ(a.host, "a.example");
        EXPECT_EQ(a.target, "/v1/chat/completions");
        auto const b = net::parse_url("http://b.example:8080/v1/messages?x=1");
        EXPECT_EQ(b.host, "b.example");
        EXPECT_EQ(b.port, 8080);
        EXPECT_FALSE(b.tls);
        EXPECT_EQ(b.target, "/v1/messages?x=1");
        (void)error_of("ftp://b.example:8080/v1/messages?x=1");
        (void)error_of("");
        auto const again = net::parse_url("http://b.example:8080/v1/messages?x=1");
        EXPECT_EQ(again.host, "b.example");
        EXPECT_EQ(again.target, "/v1/messages?x=1");
    }
}

TEST(Url, SchemeHostPortAndTarget)
{
    auto const e = net::parse_url("https://api.openai.com/v1/chat/completions");
    EXPECT_TRUE(e.tls);
    EXPECT_EQ(e.host, "api.openai.com");
    EXPECT_EQ(e.port, 443);
    EXPECT_EQ(e.target, "/v1/chat/completions");
    EXPECT_EQ(e.origin(), "https://api.openai.com:443");
    auto const p = net::parse_url("http://127.0.0.1:8080");
    EXPECT_FALSE(p.tls);
    EXPECT_EQ(p.port, 8080);
    EXPECT_EQ(p.target, "/");
}

TEST(Url, PathPrefixesAndTrailingSlashesJoinWithOneSlash)
{
    EXPECT_EQ(net::join_url("https://gw.example.com/openai/v1", "chat/completions"),
              "https://gw.example.com/openai/v1/chat/completions");
    EXPECT_EQ(net::join_url("https://gw.example.com/openai/v1/", "chat/completions"),
              "https://gw.example.com/openai/v1/chat/completions");
    EXPECT_EQ(net::join_url("https://gw.example.com/openai/v1/", "/responses"),
              "https://gw.example.com/openai/v1/responses");
    EXPECT_EQ(net::parse_url(net::join_url("https://h/a/b/", "messages")).target, "/a/b/messages");
}

TEST(Url, Ipv6LiteralsKeepTheirAddress)
{
    auto const e = net::parse_url("http://[::1]:9000/v1");
    EXPECT_EQ(e.host, "::1");
    EXPECT_EQ(e.port, 9000);
    EXPECT_EQ(e.target, "/v1");
}

TEST(Url, AQueryStaysInTheTarget)
{
    auto const e = net::parse_url("https://h.example/v1beta/openai?key=abc");
    EXPECT_EQ(e.target, "/v1beta/openai?key=abc");
}

TEST(Url, CredentialsAreRefusedAndNeverEchoed)
{
    auto const what = error_of("https://user:sk-secret-in-url@api.example.com/v1");
    EXPECT_NE(what.find("credentials"), std::string::npos);
    EXPECT_EQ(what.find("sk-secret-in-url"), std::string::npos);
    // Other errors do not echo a URL's credentials or query either.
    for (auto const* bad : {"ftp://user:sk-secret-in-url@host/x", "https://user:sk-secret-in-url@:0/",
                            "https://host:0/v1?key=sk-secret-in-url", "not a url sk-secret-in-url@x",
                            "https://u:sk-secret-in-url@host:99999/"}) {
        auto const w = error_of(bad);
        EXPECT_EQ(w.find("sk-secret-in-url"), std::string::npos) << w;
    }
}

TEST(Url, BadUrlsAreInvalidArguments)
{
    for (auto const* bad : {"", "api.openai.com/v1", "https://", "https://host:0/", "mailto:x@y"})
        (void)error_of(bad);
}

TEST(Url, QueryParametersAreEncodedAndFollowAnyQueryThere)
{
    std::vector<std::pair<std::string, std::string>> const q{{"api-version", "2024-10-21"},
                                                             {"a b", "x&y=z/é"}};
    EXPECT_EQ(net::with_query("https://h/openai/deployments/d/chat/completions", q),
              "https://h/openai/deployments/d/chat/completions?api-version=2024-10-21&"
              "a%20b=x%26y%3Dz%2F%C3%A9");
    EXPECT_EQ(net::with_query("https://h/v1/batches?limit=5", {{"k", "v"}}),
              "https://h/v1/batches?limit=5&k=v");
    EXPECT_EQ(net::with_query("https://h/v1", {}), "https://h/v1");
    EXPECT_EQ(net::query_of("https://h/v1/batches?limit=5&k=v#frag"), "limit=5&k=v");
    EXPECT_EQ(net::query_of("https://h/v1"), "");
}

}  // namespace url_test
