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
    // A value too long for Beast's fields is refused before any I/O (check_request), and by
    // either path of the head alike.
    for (auto const& h : {net::header{"X-Huge", std::string(70000, 'h')},
                          net::header{std::string(70000, 'n'), "v"}}) {
        net::http_request r = chat;
        r.headers.push_back(h);
        try {
            det::check_request(r);
            ADD_FAILURE() << "a header too long for a field passed the check";
        }
        catch (instructor::error const& e) {
            EXPECT_EQ(e.code_enum(), instructor::errc::invalid_argument);
            EXPECT_LT(std::string(e.what()).size(), 200u);  // neither name nor value echoed
        }
    }
    net::http_request huge = chat;
    huge.headers.push_back({"X-Huge", std::string(70000, 'h')});
    auto const ep = net::parse_url(huge.url);
    EXPECT_THROW((void)det::make_request(huge, ep, "instructor-cpp/test"), std::length_error);
    EXPECT_THROW((void)det::write_head(huge, ep, "instructor-cpp/test"), std::length_error);
    std::string const huge_agent(70000, 'u');
    EXPECT_THROW((void)det::make_request(chat, ep, huge_agent), std::length_error);
    EXPECT_THROW((void)det::write_head(chat, ep, huge_agent), std::length_error);
}

}  // namespace request_head_test
