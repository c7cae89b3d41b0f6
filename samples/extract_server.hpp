// Embedding instructor in a server: a small Asio/Beast HTTP service around client.create<T>.
//
//     POST /extract   {"text": "John Doe is 32 years old."}
//     200             {"name":"John Doe","age":32}
//     400             {"error":{"message":"..."}}   the body is not {"text": "<string>"}
//     502             {"error":{"message":"..."}}   the extraction failed (ins::error's message)
//
// One coroutine per connection (keep-alive honoured), a request_parser with a body limit, and
// the extraction awaited right in the handler: while a call waits for the model, the thread
// serves other connections. Errors use OpenAI's `{"error": {"message"}}` shape, which
// ins::net::http_client reads into ins::error::provider_message.
//
// Threading: run it on a single-threaded executor (an io_context run by one thread) or a strand;
// start(), port() and stop() may be called from any thread.
#pragma once

#include <instructor/instructor.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/describe.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <string>

namespace sample {

namespace ins = instructor;

struct UserInfo {
    std::string name;
    int age;
};
BOOST_DESCRIBE_STRUCT(UserInfo, (), (name, age))

class extract_server {
public:
    /// `model`: the model to ask (empty: the client's default_model).
    extract_server(boost::asio::any_io_executor ex, ins::client client, std::string model = {})
        : s_(std::make_shared<state>(ex, std::move(client), std::move(model)))
    {}
    ~extract_server() { stop(); }
    extract_server(extract_server const&) = delete;
    extract_server& operator=(extract_server const&) = delete;

    /// Listens on 127.0.0.1 on a free port (see port()) and starts accepting.
    void start()
    {
        namespace ip = boost::asio::ip;
        ip::tcp::endpoint const at(ip::make_address_v4("127.0.0.1"), 0);
        s_->acceptor.open(at.protocol());
        s_->acceptor.set_option(ip::tcp::acceptor::reuse_address(true));
        s_->acceptor.bind(at);
        s_->acceptor.listen();
        s_->port = s_->acceptor.local_endpoint().port();
        boost::asio::co_spawn(s_->acceptor.get_executor(), accept_loop(s_), boost::asio::detached);
    }

    std::uint16_t port() const noexcept { return s_->port; }

    /// Stops accepting and closes every connection; calls in progress finish unanswered.
    void stop()
    {
        boost::asio::dispatch(s_->acceptor.get_executor(), [s = s_] {
            boost::system::error_code ec;
            s->acceptor.close(ec);
            for (auto& weak : s->connections)
                if (auto c = weak.lock())
                    c->close();
            s->connections.clear();
        });
    }

private:
    using tcp_stream = boost::beast::tcp_stream;
    using request = boost::beast::http::request<boost::beast::http::string_body>;
    using response = boost::beast::http::response<boost::beast::http::string_body>;

    // Shared with the coroutines, which may outlive the extract_server object by a moment.
    struct state {
        state(boost::asio::any_io_executor ex, ins::client c, std::string m)
            : client(std::move(c)), model(std::move(m)), acceptor(ex)
        {}
        ins::client client;
        std::string model;
        boost::asio::ip::tcp::acceptor acceptor;
        std::atomic<std::uint16_t> port{0};
        std::list<std::weak_ptr<tcp_stream>> connections;
    };

    static constexpr std::size_t body_limit = 64 * 1024;
    static constexpr std::chrono::seconds io_timeout{30};

    static boost::asio::awaitable<void> accept_loop(std::shared_ptr<state> s)
    {
        auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
        for (;;) {
            auto [ec, socket] = co_await s->acceptor.async_accept(token);
            if (ec == boost::asio::error::operation_aborted || !s->acceptor.is_open())
                co_return;  // stop()
            if (ec)
                continue;  // e.g. too many open files: keep serving the others
            auto stream = std::make_shared<tcp_stream>(std::move(socket));
            s->connections.remove_if([](auto const& w) { return w.expired(); });
            s->connections.push_back(stream);
            boost::asio::co_spawn(s->acceptor.get_executor(), serve(s, std::move(stream)),
                                  boost::asio::detached);
        }
    }

    /// One connection: read a request, answer it, until the client closes or stops keep-alive.
    static boost::asio::awaitable<void> serve(std::shared_ptr<state> s,
                                              std::shared_ptr<tcp_stream> stream)
    {
        namespace http = boost::beast::http;
        auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
        boost::beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(body_limit);
            stream->expires_after(io_timeout);
            auto [ec, n] = co_await http::async_read(*stream, buffer, parser, token);
            response res;
            bool keep_alive = false;
            if (ec == http::error::body_limit) {
                res = error_response(http::status::payload_too_large, "the body is too large");
            }
            else if (ec) {
                break;  // closed, timed out or malformed: nothing to answer
            }
            else {
                request req = parser.release();
                keep_alive = req.keep_alive();
                stream->expires_never();  // the call has its own deadlines
                res = co_await handle(*s, req);
            }
            res.keep_alive(keep_alive);
            res.prepare_payload();
            stream->expires_after(io_timeout);
            auto [wec, wn] = co_await http::async_write(*stream, res, token);
            if (wec || !keep_alive)
                break;
        }
        boost::system::error_code ignored;
        stream->socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
        stream->close();
    }

    static boost::asio::awaitable<response> handle(state& s, request const& req)
    {
        namespace http = boost::beast::http;
        if (req.target() != "/extract")
            co_return error_response(http::status::not_found, "try POST /extract");
        if (req.method() != http::verb::post) {
            auto res = error_response(http::status::method_not_allowed, "use POST");
            res.set(http::field::allow, "POST");
            co_return res;
        }

        boost::system::error_code ec;
        boost::json::value body = boost::json::parse(req.body(), ec);
        boost::json::string const* text = nullptr;
        if (!ec && body.is_object())
            if (auto const* t = body.get_object().if_contains("text"); t && t->is_string())
                text = &t->get_string();
        if (!text)
            co_return error_response(http::status::bad_request,
                                     R"(expected a JSON body {"text": "<the text to read>"})");

        try {
            ins::request call{
                .model = s.model,
                .messages = {ins::message::user(std::string(*text))},
            };
            UserInfo user = co_await s.client.create<UserInfo>(std::move(call));
            co_return json_response(http::status::ok, ins::to_json(user));
        }
        catch (ins::error const& e) {
            // The provider or the model failed, not the caller: a bad gateway. what() never
            // holds the API key.
            co_return error_response(http::status::bad_gateway, e.what());
        }
    }

    static response json_response(boost::beast::http::status status, std::string body)
    {
        response res{status, 11};
        res.set(boost::beast::http::field::content_type, "application/json");
        res.body() = std::move(body);
        return res;
    }

    static response error_response(boost::beast::http::status status, std::string_view message)
    {
        return json_response(status, boost::json::serialize(boost::json::object{
                                         {"error", {{"message", message}}}}));
    }

    std::shared_ptr<state> s_;
};

}  // namespace sample
