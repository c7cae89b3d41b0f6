// The mock endpoint's I/O: one thread, one coroutine per connection.
#include <instructor/testing/mock_server.hpp>

#include "mock_answers.hpp"
#include "mock_batches.hpp"
#include "self_signed.hpp"

#include <instructor/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_set>
#include <unistd.h>

namespace instructor::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct mock_server::impl {
    // Declared before the io_context: coroutines it destroys may still touch them.
    mock_options opts;
    std::uint16_t port = 0;
    std::string base_url;  // set once the port is known
    std::string ca_path;
    mutable std::mutex mutex;
    std::deque<mock_reply> queue;
    std::vector<recorded_request> recorded;
    std::atomic<std::size_t> accepted{0};
    std::atomic<std::size_t> open{0};
    bool stopped = false;
    std::optional<ssl::context> tls;
    std::unordered_set<beast::tcp_stream*> live;  // touched on the server thread only
    bool stopping = false;                        // likewise
    // Set when the impl is destroyed: the io_context below then destroys the coroutines it
    // still holds, after stop_timer is gone, so they must not touch it.
    bool destroying = false;
    std::size_t served = 0;  // requests answered (recorded or not)
    std::size_t faults_served = 0;
    std::map<unsigned, std::size_t> by_status;        // under `mutex`
    std::map<mock_fault, std::size_t> by_fault;       // likewise
    std::size_t body_bytes = 0;                       // likewise
    std::mt19937_64 rng;     // the faults' and latencies' draws, under `mutex`
    mock_batches batches;    // under `mutex`

    asio::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    asio::steady_timer stop_timer{ioc};
    std::thread thread;

    explicit impl(mock_options o) : opts(std::move(o)), rng(opts.seed) {}
    ~impl() { destroying = true; }

    mock_reply next_reply(bhttp::request<bhttp::string_body> const& req, std::size_t conn,
                          std::string const& sni)
    {
        recorded_request rec{std::string(req.method_string()), std::string(req.target()), {},
                             req.body(), conn, sni, std::chrono::steady_clock::now()};
        for (auto const& h : req)
            rec.headers.push_back({std::string(h.name_string()), std::string(h.value())});
        std::lock_guard lock(mutex);
        ++served;
        if (opts.max_recorded > 0 && recorded.size() >= opts.max_recorded)
            recorded.erase(recorded.begin());  // keep the most recent
        if (opts.max_recorded > 0)
            recorded.push_back(std::move(rec));
        if (auto refused = azure_refusal(req.target(), req.count("api-key") > 0,
                                         req.count(bhttp::field::authorization) > 0)) {
            count(*refused);
            return std::move(*refused);
        }
        if (bedrock_path(req.target())) {
            std::vector<net::header> headers;
            for (auto const& h : req)
                headers.push_back({std::string(h.name_string()), std::string(h.value())});
            if (auto refused =
                    bedrock_refusal(req.method_string(), req.target(), headers, req.body(), opts)) {
                count(*refused);
                return std::move(*refused);
            }
        }
        if (!queue.empty()) {
            auto r = std::move(queue.front());
            queue.pop_front();
            count(r);
            return r;
        }
        if (auto b = batches.answer(req.method_string(), req.target(),
                                    req[bhttp::field::content_type], req.body(), opts,
                                    base_url)) {
            count(*b);
            return std::move(*b);  // batches are never faulted or paced
        }
        mock_reply r;
        if (opts.fault_rate > 0 && !opts.faults.empty() &&
            std::uniform_real_distribution<double>(0, 1)(rng) < opts.fault_rate) {
            auto const f = opts.faults[std::uniform_int_distribution<std::size_t>(
                0, opts.faults.size() - 1)(rng)];
            ++faults_served;
            ++by_fault[f];
            r = faulted_answer(f, req.target(), req.body(), opts);
        }
        else {
            r = default_answer(req.target(), req.body(), opts);
        }
        pace(r);
        count(r);
        return r;
    }

    /// The load options' latency and stream pace on a default answer, faulted or not (under
    /// `mutex`). A drip-fed fault keeps its own pace.
    void pace(mock_reply& r)
    {
        auto latency = opts.latency;
        if (opts.latency_spread.count() > 0) {
            auto const spread = opts.latency_spread.count();
            latency += std::chrono::milliseconds(
                std::uniform_int_distribution<long long>(-spread, spread)(rng));
        }
        r.delay += std::max(latency, std::chrono::milliseconds(0));  // a spread past 0 is 0
        bool const stream = r.chunk_size > 0 && r.chunk_delay.count() == 0 &&
                            r.content_type.find("event-stream") != std::string::npos;
        if (stream && opts.tokens_per_second > 0) {
            // At most a minute between events: a pace slower than that is no stream at all.
            double const us = std::min(60e6, 1e6 / opts.tokens_per_second);
            r.event_delay = std::chrono::microseconds(static_cast<long long>(us));
        }
        else if (stream && opts.stream_write_bytes > 0) {
            r.chunk_size = opts.stream_write_bytes;
        }
    }

    void count(mock_reply const& r)  // under `mutex`
    {
        if (r.close_without_response || r.raw) {
            ++by_status[0];  // no response
            return;
        }
        ++by_status[r.status];
        body_bytes += r.body.size();
    }

    template <class Stream, class Buffers>
    static asio::awaitable<bool> send(Stream& s, Buffers const& b)
    {
        auto [ec, n] = co_await asio::async_write(s, b, tuple_awaitable);
        co_return !ec;
    }

    /// Writes one reply; returns whether the connection stays open.
    template <class Stream>
    asio::awaitable<bool> write_reply(Stream& s, mock_reply const& r, bool client_keep_alive)
    {
        auto ex = co_await asio::this_coro::executor;
        if (r.delay.count() > 0) {
            asio::steady_timer t(ex, r.delay);
            co_await t.async_wait(tuple_awaitable);
        }
        bool const keep = r.keep_alive && client_keep_alive && !r.close_after_bytes;
        if (r.raw)
            co_return false;
        std::size_t const cut = r.close_after_bytes.value_or(r.body.size());
        bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(r.status), 11};
        head.set(bhttp::field::server, "instructor-mock");
        head.set(bhttp::field::content_type, r.content_type);
        for (auto const& h : r.headers)
            head.set(h.name, h.value);
        head.keep_alive(keep);
        if (r.chunk_size == 0) {
            head.content_length(r.body.size());
            bhttp::response_serializer<bhttp::empty_body> sr{head};
            auto [ec, n] = co_await bhttp::async_write_header(s, sr, tuple_awaitable);
            if (ec || !co_await send(s, asio::buffer(r.body.data(), std::min(cut, r.body.size()))))
                co_return false;
            co_return keep;
        }
        head.chunked(true);
        bhttp::response_serializer<bhttp::empty_body> sr{head};
        auto [ec, n] = co_await bhttp::async_write_header(s, sr, tuple_awaitable);
        if (ec)
            co_return false;
        if (r.event_delay.count() > 0) {  // one chunk per SSE event, paced
            asio::steady_timer t(ex);
            auto next = std::chrono::steady_clock::now();
            for (std::size_t at = 0; at < std::min(cut, r.body.size());) {
                if (at > 0) {  // a steady pace, not one that drifts with each write
                    next += r.event_delay;
                    t.expires_at(next);
                    co_await t.async_wait(tuple_awaitable);
                }
                auto end = r.body.find("\n\n", at);
                end = end == std::string::npos ? r.body.size() : end + 2;
                end = std::min(end, cut);
                auto const event = asio::buffer(r.body.data() + at, end - at);
                if (!co_await send(s, bhttp::make_chunk(event)))
                    co_return false;
                at = end;
            }
            if (cut < r.body.size())
                co_return false;
            auto last = bhttp::make_chunk_last();
            auto [lec, ln] = co_await asio::async_write(s, last, tuple_awaitable);
            co_return !lec && keep;
        }
        for (std::size_t at = 0; at < r.body.size(); at += r.chunk_size) {
            if (at >= cut)
                co_return false;
            std::size_t len = std::min({r.chunk_size, r.body.size() - at, cut - at});
            if (!co_await send(s, bhttp::make_chunk(asio::buffer(r.body.data() + at, len))))
                co_return false;
            if (at + len >= cut && cut < r.body.size())
                co_return false;
            if (r.chunk_delay.count() > 0) {
                asio::steady_timer t(ex, r.chunk_delay);
                co_await t.async_wait(tuple_awaitable);
            }
        }
        if (cut < r.body.size())
            co_return false;
        auto last = bhttp::make_chunk_last();
        auto [lec, ln] = co_await asio::async_write(s, last, tuple_awaitable);
        co_return !lec && keep;
    }

    template <class Stream>
    asio::awaitable<void> serve(Stream& s, std::size_t conn, std::string sni = {})
    {
        beast::flat_buffer buffer;
        for (;;) {
            bhttp::request_parser<bhttp::string_body> p;
            p.body_limit(opts.max_request_bytes);
            p.header_limit(64 * 1024);
            auto [ec, n] = co_await bhttp::async_read(s, buffer, p, tuple_awaitable);
            if (ec) {
                if (ec == bhttp::error::body_limit) {
                    auto r = mock_reply::error(413, "request too large");
                    r.keep_alive = false;
                    co_await write_reply(s, r, false);
                }
                co_return;
            }
            auto const& req = p.get();
            mock_reply r = next_reply(req, conn, sni);
            if (r.close_without_response)
                co_return;
            if (r.raw) {
                co_await send(s, asio::buffer(*r.raw));
                co_return;
            }
            if (!co_await write_reply(s, r, req.keep_alive()) || r.close_after_response)
                co_return;
        }
    }

    /// Tracks a connection's stream so stop() can close it.
    struct registration {
        impl& d;
        beast::tcp_stream* s;
        registration(impl& owner, beast::tcp_stream& stream) : d(owner), s(&stream)
        {
            d.live.insert(s);
        }
        ~registration()
        {
            d.live.erase(s);
            if (d.stopping && d.live.empty() && !d.destroying)
                d.stop_timer.cancel();
        }
    };

    asio::awaitable<void> handle(tcp::socket socket)
    {
        std::size_t const conn = ++accepted;
        ++open;
        struct on_exit {
            std::atomic<std::size_t>& n;
            ~on_exit() { --n; }
        } guard{open};
        try {
            if (tls) {
                beast::ssl_stream<beast::tcp_stream> s(std::move(socket), *tls);
                registration reg(*this, beast::get_lowest_layer(s));
                beast::get_lowest_layer(s).expires_after(std::chrono::seconds(10));
                auto [ec] = co_await s.async_handshake(ssl::stream_base::server, tuple_awaitable);
                if (ec)
                    co_return;
                beast::get_lowest_layer(s).expires_never();
                char const* name = SSL_get_servername(s.native_handle(), TLSEXT_NAMETYPE_host_name);
                std::string const sni = name ? name : "";  // a local: g++ 12 ends temporaries early
                co_await serve(s, conn, sni);
                error_code ignored;
                beast::get_lowest_layer(s).socket().shutdown(tcp::socket::shutdown_both, ignored);
            }
            else {
                beast::tcp_stream s(std::move(socket));
                registration reg(*this, s);
                co_await serve(s, conn);
                error_code ignored;
                s.socket().shutdown(tcp::socket::shutdown_both, ignored);
            }
        }
        catch (std::exception const&) {
            // a broken connection ends its coroutine, never the server
        }
    }

    asio::awaitable<void> accept_loop()
    {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(tuple_awaitable);
            if (ec == asio::error::operation_aborted || !acceptor.is_open())
                co_return;
            if (ec)
                continue;  // e.g. out of file descriptors: keep serving the others
            if (opts.tcp_nodelay) {
                error_code ignored;
                socket.set_option(tcp::no_delay(true), ignored);
            }
            asio::co_spawn(ioc, handle(std::move(socket)), asio::detached);
        }
    }
};

mock_server::mock_server(mock_options options) : impl_(std::make_unique<impl>(options))
{
    auto& d = *impl_;
    if (options.tls) {
        auto pem = make_localhost_certificate(options.tls_subject_alt_names);
        d.tls.emplace(ssl::context::tls_server);
        d.tls->use_certificate_chain(asio::buffer(pem.certificate));
        d.tls->use_private_key(asio::buffer(pem.private_key), ssl::context::pem);
        char path[] = "/tmp/instructor-mock-ca-XXXXXX";
        int fd = ::mkstemp(path);
        if (fd < 0)
            throw error(errc::invalid_argument, "cannot create the mock CA file");
        ::close(fd);
        std::ofstream(path, std::ios::binary) << pem.certificate;
        d.ca_path = path;
    }
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), options.port);
    d.acceptor.open(ep.protocol());
    d.acceptor.set_option(tcp::acceptor::reuse_address(true));
    d.acceptor.bind(ep);
    d.acceptor.listen(asio::socket_base::max_listen_connections);
    d.port = d.acceptor.local_endpoint().port();
    d.base_url = std::string(d.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(d.port) +
                 "/v1";
    asio::co_spawn(d.ioc, d.accept_loop(), asio::detached);
    d.thread = std::thread([&d] { d.ioc.run(); });
}

mock_server::~mock_server()
{
    stop();
    if (!impl_->ca_path.empty()) {
        std::error_code ec;
        std::filesystem::remove(impl_->ca_path, ec);
    }
}

void mock_server::stop()
{
    auto& d = *impl_;
    {
        std::lock_guard lock(d.mutex);
        if (d.stopped)
            return;
        d.stopped = true;
    }
    // Close the acceptor and every connection, let their coroutines finish, and stop the
    // loop after a second at most (a scripted delay may hold a coroutine longer).
    asio::post(d.ioc, [&d] {
        error_code ec;
        d.acceptor.close(ec);
        d.stopping = true;
        for (auto* s : d.live)
            s->socket().close(ec);
        if (!d.live.empty()) {
            d.stop_timer.expires_after(std::chrono::seconds(1));
            d.stop_timer.async_wait([&d](error_code e) {
                if (!e)
                    d.ioc.stop();
            });
        }
    });
    if (d.thread.joinable())
        d.thread.join();
}

std::uint16_t mock_server::port() const noexcept { return impl_->port; }

std::string mock_server::base_url() const
{
    return impl_->base_url;
}

std::string const& mock_server::ca_file() const noexcept { return impl_->ca_path; }

void mock_server::push(mock_reply reply)
{
    std::lock_guard lock(impl_->mutex);
    impl_->queue.push_back(std::move(reply));
}

std::vector<recorded_request> mock_server::requests() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->recorded;
}

std::size_t mock_server::requests_served() const noexcept
{
    std::lock_guard lock(impl_->mutex);
    return impl_->served;
}

std::size_t mock_server::faults_served() const noexcept
{
    std::lock_guard lock(impl_->mutex);
    return impl_->faults_served;
}

std::size_t mock_server::connections_accepted() const noexcept { return impl_->accepted; }

mock_stats mock_server::stats() const
{
    mock_stats st;
    st.connections = impl_->accepted;
    std::lock_guard lock(impl_->mutex);
    st.requests = impl_->served;
    st.faults = impl_->faults_served;
    st.by_status.assign(impl_->by_status.begin(), impl_->by_status.end());
    st.faults_by_kind.assign(impl_->by_fault.begin(), impl_->by_fault.end());
    st.body_bytes = impl_->body_bytes;
    return st;
}

std::string mock_stats::to_string() const
{
    std::string out = std::to_string(requests) + " requests on " + std::to_string(connections) +
                      " connections:";
    char const* sep = " ";
    for (auto const& [status, n] : by_status) {
        out += sep + (status ? std::to_string(status) : std::string("no response")) + " x" +
               std::to_string(n);
        sep = ", ";
    }
    if (!faults_by_kind.empty()) {
        out += "; faults:";
        sep = " ";
        for (auto const& [f, n] : faults_by_kind) {
            out += sep + std::string(testing::to_string(f)) + " x" + std::to_string(n);
            sep = ", ";
        }
    }
    char size[32];
    std::snprintf(size, sizeof size, "; %.1f MB of bodies", static_cast<double>(body_bytes) / 1e6);
    return out + size;
}
std::size_t mock_server::open_connections() const noexcept { return impl_->open; }

}  // namespace instructor::testing
