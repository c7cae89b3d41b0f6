// The request's head written by hand (one string, the body a second buffer), from Beast's
// fields or straight from the request, is byte for byte what Beast's serializer writes for the
// same request: its start line, its fields in their order, the proxy's absolute form, a
// signer's headers, a header given twice or replacing one of the request's own, the framing
// of an empty body by method.
#include "net/exchange.hpp"

#include <instructor/error.hpp>

#include <gtest/gtest.h>

#include <boost/beast/http/write.hpp>

#include <array>
#include <sstream>

namespace request_head_test {

namespace det = instructor::net::detail;
namespace net = instructor::net;

namespace {

/// What Beast's serializer writes for the request made for `r` (head and body).
std::string beast_bytes(net::http_request const& r, net::endpoint const& ep,
                        det::proxy_endpoint const* proxy)
{
    auto const req = det::make_request(r, ep, "instructor-cpp/test", proxy);
    std::ostringstream out;
    out << req;
    return out.str();
}

std::string ours(net::http_request const& r, net::endpoint const& ep,
                 det::proxy_endpoint const* proxy)
{
    auto const req = det::make_request(r, ep, "instructor-cpp/test", proxy);
    return det::request_head(req.base()) + r.body;
}

/// The head as sent: written straight from the request when it can be.
std::string sent(net::http_request const& r, net::endpoint const& ep,
                 det::proxy_endpoint const* proxy)
{
    return det::write_head(r, ep, "instructor-cpp/test", proxy) + r.body;
}

}  // namespace

TEST(RequestHead, IsWhatBeastsSerializerWrites)
{
    net::http_request chat;
    chat.url = "https://api.example.com/v1/chat/completions";
    chat.headers = {{"Authorization", "Bearer sk-test"}, {"OpenAI-Organization", "org"}};
    chat.body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";

    net::http_request get;
    get.method = "GET";
    get.url = "http://127.0.0.1:8080/v1/batches/b1?limit=2";
    get.headers = {{"x-custom", ""}, {"X-Custom", "again"}, {"accept", "*/*"}};

    net::http_request signed_put;
    signed_put.method = "PUT";
    signed_put.url = "http://[::1]:9000/upload";
    signed_put.body = std::string(3000, 'x');
    signed_put.sign = [](std::string_view host, std::string_view target, net::http_request const&) {
        return std::vector<net::header>{{"X-Amz-Date", "20261204T000000Z"},
                                        {"Authorization", std::string(host) + std::string(target)}};
    };

    det::proxy_endpoint proxy;
    proxy.host = "proxy.local";
    proxy.port = 3128;
    proxy.authorization = "Basic dXNlcjpwYXNz";

    // Requests written straight (no header Beast's rules would change) and ones that are not.
    net::http_request plain_get;
    plain_get.method = "GET";
    plain_get.url = "http://localhost/v1/files";
    plain_get.headers = {{"accept", "*/*"}, {"x-api-key", "k"}};
    net::http_request empty_delete = plain_get;
    empty_delete.method = "DELETE";
    net::http_request empty_post = plain_get;
    empty_post.method = "POST";
    net::http_request patch = chat;
    patch.method = "PATCH";
    net::http_request options = chat;
    options.method = "OPTIONS";
    net::http_request own_agent = chat;
    own_agent.headers.push_back({"user-AGENT", "mine"});
    net::http_request own_type = chat;
    own_type.headers.insert(own_type.headers.begin(), {"Content-Type", "text/plain"});
    net::http_request closing = chat;
    closing.headers.push_back({"Connection", "close"});
    net::http_request own_length = empty_post;
    own_length.headers.push_back({"content-length", "12"});
    net::http_request spaced = chat;  // Beast keeps a value without the spaces around it
    spaced.url = "https://api.example.com:8443/v1/chat/completions";
    spaced.headers = {{"Authorization", " \tBearer sk-test \t"}, {"X-Empty", "  "}};

    // An https origin's requests go inside the proxy's tunnel: written as to the origin.
    EXPECT_EQ(det::head_proxy(net::parse_url(chat.url), &proxy), nullptr);
    EXPECT_EQ(det::head_proxy(net::parse_url(get.url), &proxy), &proxy);
    EXPECT_EQ(det::head_fields(net::parse_url(chat.url), "ua", nullptr),
              "Host: api.example.com\r\nUser-Agent: ua\r\n");

    for (auto const* r : {&chat, &get, &signed_put, &plain_get, &empty_delete, &empty_post, &patch,
                          &options, &own_agent, &own_type, &closing, &own_length, &spaced}) {
        auto const ep = net::parse_url(r->url);
        for (det::proxy_endpoint const* p : std::array<det::proxy_endpoint const*, 2>{nullptr, &proxy}) {
            auto const want = beast_bytes(*r, ep, p);
            EXPECT_EQ(ours(*r, ep, p), want) << r->method << " " << r->url;
            EXPECT_EQ(sent(*r, ep, p), want) << r->method << " " << r->url;
            EXPECT_NE(want.find("\r\n\r\n"), std::string::npos);
        }
    }
    // What a field cannot hold (too long, a line break) is refused before any I/O, a typed
    // error that echoes no value: the request's own headers (check_request) and a signer's
    // (the head for a signed request is made through make_request).
    auto refused = [](auto&& make) {
        try {
            make();
            ADD_FAILURE() << "a header no field can hold passed";
        }
        catch (instructor::error const& e) {
            EXPECT_EQ(e.code_enum(), instructor::errc::invalid_argument);
            EXPECT_LT(std::string(e.what()).size(), 200u);  // neither name nor value echoed
        }
    };
    auto const ep = net::parse_url(chat.url);
    for (auto const& h : {net::header{"X-Huge", std::string(70000, 'h')},
                          net::header{std::string(70000, 'n'), "v"},
                          net::header{"X-Split", "a\r\nX-Injected: 1"},
                          net::header{"X-Cr", "a\rX-Injected: 1"}, net::header{"X-Lf", "a\nb"},
                          net::header{"X-Name:", "v"}, net::header{"X-Name\r", "v"},
                          net::header{"X-Name\n", "v"}}) {
        net::http_request r = chat;
        r.headers.push_back(h);
        refused([&] { det::check_request(r); });
        net::http_request s = chat;
        s.sign = [h](std::string_view, std::string_view, net::http_request const&) {
            return std::vector<net::header>{h};
        };
        refused([&] { (void)det::write_head(s, ep, "instructor-cpp/test"); });
    }
}

}  // namespace request_head_test
