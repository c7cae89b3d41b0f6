// The Beast/OpenSSL transport: pool, TLS, deadlines, retries.
#include <instructor/net/http_client.hpp>

#include <instructor/error.hpp>
#include <instructor/net/http_errors.hpp>
#include <instructor/net/retry_policy.hpp>
#include <instructor/net/url.hpp>
#include <instructor/version.hpp>

#include "net_errors.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <random>

namespace instructor::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using boost::system::error_code;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::optional<std::string_view> find_header(std::vector<header> const& headers,
                                            std::string_view name) noexcept
{
    for (auto const& h : headers)
        if (beast::iequals(h.name, name))
            return std::string_view(h.value);
    return std::nullopt;
}

namespace detail {

// ---- connections and the pool ------------------------------------------------------------------

struct connection {
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;
    bool reused = false;

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

    /// Runs `f(stream)` on whichever stream this connection has.
    template <class F>
    auto with_stream(F&& f)
    {
        return tls ? f(*tls) : f(*plain);
    }

    void close() noexcept
    {
        error_code ec;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
        lowest().socket().close(ec);
    }

    /// A pooled connection the server has closed reads EOF at once; a live one would block.
    bool alive()
    {
        auto& sock = lowest().socket();
        if (!sock.is_open() || buffer.size() != 0)
            return false;
        error_code ec;
        char byte;
        sock.non_blocking(true, ec);
        sock.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
        error_code ignored;
        sock.non_blocking(false, ignored);
        return ec == asio::error::would_block;
    }
};

/// A request waiting for a free connection slot. Who owns a handed-over slot is decided by
/// `granted`, under the pool's lock; the channel only wakes the waiter, and holds its one message
/// even when the waiter is not listening yet, so no hand-over is lost to a race with a
/// deadline, a cancellation or another thread.
struct slot_waiter {
    explicit slot_waiter(asio::any_io_executor ex) : wake(ex, 1) {}
    asio::experimental::concurrent_channel<void(error_code)> wake;
    bool granted = false;
};

struct host_pool {
    std::mutex mutex;
    std::vector<std::unique_ptr<connection>> idle;
    std::size_t in_use = 0;
    std::size_t free_slots;  // leases that may still be handed out
    std::size_t idle_cap;    // idle connections kept beyond that are closed
    std::deque<std::shared_ptr<slot_waiter>> waiters;

    explicit host_pool(std::size_t size) : free_slots(size), idle_cap(size) {}

    void release_slot()
    {
        std::lock_guard lock(mutex);
        if (waiters.empty()) {
            ++free_slots;
            return;
        }
        auto w = std::move(waiters.front());
        waiters.pop_front();
        w->granted = true;
        w->wake.try_send(error_code{});
    }

    /// Waits for a slot until `deadline`; returns false on timeout, throws on cancellation.
    asio::awaitable<bool> take_slot(asio::any_io_executor ex, steady::time_point deadline)
    {
        using namespace asio::experimental::awaitable_operators;
        std::shared_ptr<slot_waiter> w;
        {
            std::lock_guard lock(mutex);
            if (free_slots > 0) {
                --free_slots;
                co_return true;
            }
            w = std::make_shared<slot_waiter>(ex);
            waiters.push_back(w);
        }
        asio::steady_timer timer(ex, deadline);
        auto r = co_await (w->wake.async_receive(tuple_awaitable) || timer.async_wait(tuple_awaitable));
        bool granted;
        {
            std::lock_guard lock(mutex);
            granted = w->granted;
            if (!granted)
                std::erase(waiters, w);
        }
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) {
            if (granted)
                release_slot();
            throw_cancelled();
        }
        (void)r;
        co_return granted;  // false: the deadline came first
    }
};

/// A connection leased from a pool, with the permit that allowed it. Given back (pooled or
/// closed) exactly once.
struct lease {
    std::shared_ptr<host_pool> pool;
    std::unique_ptr<connection> conn;

    lease() = default;
    lease(lease&&) = default;
    lease& operator=(lease&& o) noexcept
    {
        give_back(false);
        pool = std::move(o.pool);
        conn = std::move(o.conn);
        return *this;
    }
    ~lease() { give_back(false); }

    void give_back(bool keep) noexcept
    {
        if (!pool)
            return;
        {
            std::lock_guard lock(pool->mutex);
            --pool->in_use;
            if (keep && conn && pool->idle.size() < pool->idle_cap) {
                conn->reused = true;
                pool->idle.push_back(std::move(conn));
            }
        }
        if (conn)
            conn->close();
        conn.reset();
        pool->release_slot();
        pool.reset();
    }
};

struct client_impl : std::enable_shared_from_this<client_impl> {
    asio::any_io_executor ex;
    transport_options opts;
    ssl::context ssl_ctx{ssl::context::tls_client};
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<host_pool>> pools;
    std::atomic<std::size_t> opened{0};
    std::minstd_rand rng{std::random_device{}()};

    client_impl(asio::any_io_executor e, transport_options o) : ex(std::move(e)), opts(std::move(o))
    {
        if (opts.user_agent.empty())
            opts.user_agent = "instructor-cpp/" INSTRUCTOR_VERSION_STRING;
        if (opts.max_connections_per_host == 0)
            throw error(errc::invalid_argument, "max_connections_per_host must be at least 1");
        SSL_CTX_set_min_proto_version(ssl_ctx.native_handle(), TLS1_2_VERSION);
        error_code ec;
        ssl_ctx.set_default_verify_paths(ec);  // a machine without a store still gets ca_file
        if (!opts.ca_file.empty()) {
            ssl_ctx.load_verify_file(opts.ca_file, ec);
            if (ec)
                throw error(errc::invalid_argument,
                            "cannot load CA file " + opts.ca_file + ": " + ec.message());
        }
        if (!opts.ca_dir.empty()) {
            ssl_ctx.add_verify_path(opts.ca_dir, ec);
            if (ec)
                throw error(errc::invalid_argument,
                            "cannot use CA directory " + opts.ca_dir + ": " + ec.message());
        }
        ssl_ctx.set_verify_mode(opts.danger_accept_invalid_certs ? ssl::verify_none
                                                                 : ssl::verify_peer);
    }

    std::shared_ptr<host_pool> pool_for(std::string const& origin)
    {
        std::lock_guard lock(mutex);
        auto& p = pools[origin];
        if (!p)
            p = std::make_shared<host_pool>(opts.max_connections_per_host);
        return p;
    }

    double random01()
    {
        std::lock_guard lock(mutex);
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    }

    asio::awaitable<lease> acquire(endpoint const& ep, steady::time_point deadline,
                                   bool fresh_only);
    asio::awaitable<void> connect(connection& c, endpoint const& ep,
                                  steady::time_point deadline);

    asio::awaitable<http_response> send(http_request request, retry_settings retry);
    asio::awaitable<http_stream> open_stream(http_request request, retry_settings retry);

    /// One attempt: returns the response (any status), or a stream when `stream` is set.
    struct attempt_result {
        http_response response;
        std::unique_ptr<stream_impl> stream;
    };
    asio::awaitable<attempt_result> attempt(http_request const& request, endpoint const& ep,
                                            steady::time_point deadline,
                                            std::optional<steady::time_point> call_deadline,
                                            bool stream);
    template <class Attempt>
    asio::awaitable<attempt_result> with_retries(http_request const& request,
                                                 retry_settings const& retry, Attempt run);
};

struct stream_impl {
    std::shared_ptr<client_impl> owner;
    lease held;
    bhttp::response_parser<bhttp::buffer_body> parser;
    unsigned status = 0;
    std::vector<header> headers;
    std::optional<steady::time_point> deadline;  // the caller's, if any
    std::size_t body_bytes = 0;
    bool done = false;
    bool failed = false;
};

// ---- connecting ----------------------------------------------------------------------------------

asio::awaitable<lease> client_impl::acquire(endpoint const& ep, steady::time_point deadline,
                                            bool fresh_only)
{
    lease l;
    auto pool = pool_for(ep.origin());
    if (!co_await pool->take_slot(ex, deadline))
        throw error(errc::timeout, "no free connection to " + ep.origin() + " before the deadline");
    l.pool = pool;
    {
        std::lock_guard lock(pool->mutex);
        ++pool->in_use;
        while (!fresh_only && !pool->idle.empty()) {
            auto c = std::move(pool->idle.back());
            pool->idle.pop_back();
            if (c->alive()) {
                l.conn = std::move(c);
                co_return l;
            }
            c->close();  // the server closed it while it was idle
        }
    }
    l.conn = std::make_unique<connection>();
    co_await connect(*l.conn, ep, deadline);
    ++opened;
    co_return l;
}

asio::awaitable<void> client_impl::connect(connection& c, endpoint const& ep,
                                           steady::time_point deadline)
{
    using namespace asio::experimental::awaitable_operators;
    auto const limit = std::min(deadline, steady::now() + opts.connect_timeout);
    auto const where = ep.origin();

    tcp::resolver resolver(ex);
    asio::steady_timer timer(ex, limit);
    auto r = co_await (resolver.async_resolve(ep.host, std::to_string(ep.port), tuple_awaitable) ||
                       timer.async_wait(tuple_awaitable));
    if (r.index() == 1) {
        if (std::get<0>(std::get<1>(r)) == asio::error::operation_aborted)
            throw_cancelled();
        throw error(errc::timeout, "resolving " + ep.host + " timed out");
    }
    auto [rec, results] = std::get<0>(r);
    if (rec)
        throw_network(rec, "resolve " + ep.host);

    if (ep.tls) {
        c.tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, ssl_ctx);
    }
    else {
        c.plain = std::make_unique<beast::tcp_stream>(ex);
    }
    c.lowest().expires_at(limit);
    auto [cec, _] = co_await c.lowest().async_connect(results, tuple_awaitable);
    if (cec)
        throw_network(cec, "connect to " + where);
    c.lowest().socket().set_option(tcp::no_delay(true));

    if (ep.tls) {
        auto* ssl = c.tls->native_handle();
        error_code ignored;
        (void)asio::ip::make_address(ep.host, ignored);
        bool const is_ip = !ignored;
        // SNI names hosts, never addresses (RFC 6066)
        if (!is_ip && !SSL_set_tlsext_host_name(ssl, ep.host.c_str()))
            throw error(errc::tls_failed, "cannot set the TLS server name for " + ep.host);
        if (!opts.danger_accept_invalid_certs)
            c.tls->set_verify_callback(ssl::host_name_verification(ep.host));
        c.lowest().expires_at(limit);
        auto [hec] = co_await c.tls->async_handshake(ssl::stream_base::client, tuple_awaitable);
        if (hec) {
            if (hec == beast::error::timeout)
                throw error(errc::timeout, "TLS handshake with " + where + " timed out");
            if (hec == asio::error::operation_aborted)
                throw_cancelled();
            long verify = SSL_get_verify_result(ssl);
            std::string why = verify != X509_V_OK ? X509_verify_cert_error_string(verify)
                                                  : hec.message();
            throw error(errc::tls_failed, "TLS handshake with " + where + " failed: " + why);
        }
    }
}

// ---- one exchange --------------------------------------------------------------------------------

bhttp::request<bhttp::string_body> make_request(http_request const& r, endpoint const& ep,
                                                std::string const& user_agent)
{
    bhttp::verb verb = bhttp::string_to_verb(r.method);
    if (verb == bhttp::verb::unknown)
        throw error(errc::invalid_argument, "unknown HTTP method " + r.method);
    bhttp::request<bhttp::string_body> req{verb, ep.target, 11};
    bool const default_port = ep.port == (ep.tls ? 443 : 80);
    std::string host = ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host;
    req.set(bhttp::field::host, default_port ? host : host + ":" + std::to_string(ep.port));
    req.set(bhttp::field::user_agent, user_agent);
    if (!r.body.empty())
        req.set(bhttp::field::content_type, "application/json");
    for (auto const& h : r.headers) {
        if (h.name.find_first_of("\r\n:") != std::string::npos ||
            h.value.find_first_of("\r\n") != std::string::npos)
            throw error(errc::invalid_argument, "header " + h.name + " has a line break");
        req.set(h.name, h.value);
    }
    req.keep_alive(true);
    req.body() = r.body;
    req.prepare_payload();
    return req;
}

template <class Parser>
void set_limits(Parser& p, transport_options const& o)
{
    p.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(o.max_header_bytes, UINT32_MAX)));
    p.body_limit(o.max_body_bytes);
}

std::vector<header> copy_headers(bhttp::fields const& f)
{
    std::vector<header> out;
    for (auto const& h : f)
        out.push_back({std::string(h.name_string()), std::string(h.value())});
    return out;
}

asio::awaitable<client_impl::attempt_result> client_impl::attempt(
    http_request const& request, endpoint const& ep, steady::time_point deadline,
    std::optional<steady::time_point> call_deadline, bool stream)
{
    auto req = make_request(request, ep, opts.user_agent);
    // A pooled connection may have been closed by the server just as we took it: then the
    // request is sent once more on a fresh connection, if nothing of a response was read.
    for (int fresh = 0;; ++fresh) {
        lease l = co_await acquire(ep, deadline, fresh > 0);
        auto& c = *l.conn;
        bool const reused = c.reused;
        auto stale = [&](error_code ec) {
            return reused && fresh == 0 &&
                   (ec == asio::error::eof || ec == asio::error::connection_reset ||
                    ec == asio::error::broken_pipe || ec == bhttp::error::end_of_stream ||
                    ec == asio::ssl::error::stream_truncated);
        };

        c.lowest().expires_at(deadline);
        auto [wec, wn] = co_await c.with_stream(
            [&](auto& s) { return bhttp::async_write(s, req, tuple_awaitable); });
        if (wec) {
            if (stale(wec))
                continue;
            throw_network(wec, "send to " + ep.origin());
        }

        auto idle_limit = [&] { return std::min(deadline, steady::now() + opts.idle_timeout); };
        if (!stream) {
            bhttp::response_parser<bhttp::string_body> p;
            set_limits(p, opts);
            while (!p.is_done()) {
                c.lowest().expires_at(idle_limit());
                auto [ec, n] = co_await c.with_stream([&](auto& s) {
                    return bhttp::async_read_some(s, c.buffer, p, tuple_awaitable);
                });
                if (ec) {
                    if (!p.got_some() && stale(ec))
                        break;
                    throw_network(ec, "read from " + ep.origin());
                }
            }
            if (!p.is_done())
                continue;  // stale pooled connection: once more on a fresh one
            attempt_result r;
            auto msg = p.release();
            r.response.status = msg.result_int();
            r.response.headers = copy_headers(msg.base());
            r.response.body = std::move(msg.body());
            l.give_back(msg.keep_alive());
            co_return r;
        }

        auto s = std::make_unique<stream_impl>();
        set_limits(s->parser, opts);
        bool got_header = true;
        while (!s->parser.is_header_done()) {
            c.lowest().expires_at(idle_limit());
            auto [ec, n] = co_await c.with_stream([&](auto& st) {
                return bhttp::async_read_header(st, c.buffer, s->parser, tuple_awaitable);
            });
            if (ec) {
                if (!s->parser.got_some() && stale(ec)) {
                    got_header = false;
                    break;
                }
                throw_network(ec, "read from " + ep.origin());
            }
        }
        if (!got_header)
            continue;
        auto const& msg = s->parser.get();
        attempt_result r;
        r.response.status = msg.result_int();
        r.response.headers = copy_headers(msg.base());
        if (r.response.status / 100 != 2) {
            // An error answer is small: read it whole so the caller sees the provider's message.
            std::string body;
            char buf[4096];
            while (!s->parser.is_done() && body.size() < 64 * 1024) {
                s->parser.get().body().data = buf;
                s->parser.get().body().size = sizeof buf;
                c.lowest().expires_at(idle_limit());
                auto [ec, n] = co_await c.with_stream([&](auto& st) {
                    return bhttp::async_read_some(st, c.buffer, s->parser, tuple_awaitable);
                });
                body.append(buf, sizeof buf - s->parser.get().body().size);
                if (ec && ec != bhttp::error::need_buffer)
                    break;
            }
            r.response.body = std::move(body);
            co_return r;  // the lease closes the connection
        }
        s->owner = shared_from_this();
        s->held = std::move(l);
        s->status = r.response.status;
        s->headers = r.response.headers;
        s->deadline = call_deadline;
        r.stream = std::move(s);
        co_return r;
    }
}

// ---- retries -------------------------------------------------------------------------------------

bool retryable(errc e)
{
    return e == errc::timeout || e == errc::connection_failed;
}

template <class Attempt>
asio::awaitable<client_impl::attempt_result> client_impl::with_retries(
    http_request const& request, retry_settings const& retry, Attempt run)
{
    auto const ep = parse_url(request.url);
    for (int retries = 0;; ++retries) {
        auto const per_attempt = steady::now() + retry.attempt_timeout.value_or(opts.request_timeout);
        auto const attempt_deadline =
            retry.deadline ? std::min(*retry.deadline, per_attempt) : per_attempt;
        std::optional<attempt_result> result;
        std::optional<error> failure;
        try {
            result.emplace(co_await run(ep, attempt_deadline));
        }
        catch (error const& e) {
            if (!retryable(e.code_enum()))
                throw;
            failure.emplace(e);
        }
        attempt_outcome o;
        if (result) {
            auto const& resp = result->response;
            if (resp.status / 100 == 2)
                co_return std::move(*result);
            o.status = resp.status;
            auto opt = [&](std::string_view name) -> std::optional<std::string> {
                if (auto v = resp.find(name))
                    return std::string(*v);
                return std::nullopt;
            };
            o.should_retry = opt("x-should-retry");
            o.retry_after_ms = opt("retry-after-ms");
            o.retry_after = opt("retry-after");
        }
        else {
            o.network_error = true;
        }
        auto d = decide_retry(o, retries, retry.max_retries, random01(),
                              std::chrono::system_clock::now());
        auto fail = [&]() -> error {
            if (failure)
                return std::move(*failure);
            return http_error(result->response, secrets_of(request));
        };
        if (!d.retry)
            throw fail();
        auto wake = steady::now() + d.delay;
        if (retry.deadline && wake >= *retry.deadline) {
            // Sleeping would pass the caller's deadline: report the last failure now.
            throw fail();
        }
        asio::steady_timer timer(ex, wake);
        auto [ec] = co_await timer.async_wait(tuple_awaitable);
        if (ec)
            throw_cancelled();
    }
}

asio::awaitable<http_response> client_impl::send(http_request request, retry_settings retry)
{
    auto r = co_await with_retries(request, retry, [&](endpoint const& ep, steady::time_point dl) {
        return attempt(request, ep, dl, retry.deadline, false);
    });
    co_return std::move(r.response);
}

asio::awaitable<http_stream> client_impl::open_stream(http_request request, retry_settings retry)
{
    auto r = co_await with_retries(request, retry, [&](endpoint const& ep, steady::time_point dl) {
        return attempt(request, ep, dl, retry.deadline, true);
    });
    http_stream s;
    s.impl_ = std::move(r.stream);
    co_return s;
}

}  // namespace detail

// ---- public wrappers -----------------------------------------------------------------------------

http_client::http_client(asio::any_io_executor executor, transport_options options)
    : impl_(std::make_shared<detail::client_impl>(std::move(executor), std::move(options)))
{}

asio::awaitable<http_response> http_client::send(http_request request, retry_settings retry)
{
    return impl_->send(std::move(request), std::move(retry));
}

asio::awaitable<http_stream> http_client::open_stream(http_request request, retry_settings retry)
{
    return impl_->open_stream(std::move(request), std::move(retry));
}

pool_stats http_client::stats() const
{
    pool_stats s;
    s.connections_opened = impl_->opened;
    std::lock_guard lock(impl_->mutex);
    for (auto const& [origin, pool] : impl_->pools) {
        std::lock_guard plock(pool->mutex);
        s.idle += pool->idle.size();
        s.in_use += pool->in_use;
    }
    return s;
}

asio::any_io_executor const& http_client::get_executor() const noexcept { return impl_->ex; }
transport_options const& http_client::options() const noexcept { return impl_->opts; }

http_stream::http_stream(http_stream&&) noexcept = default;
http_stream& http_stream::operator=(http_stream&&) noexcept = default;
http_stream::~http_stream() = default;

unsigned http_stream::status() const noexcept { return impl_ ? impl_->status : 0; }

std::vector<header> const& http_stream::headers() const noexcept
{
    static std::vector<header> const none;
    return impl_ ? impl_->headers : none;
}

void http_stream::close() noexcept
{
    if (impl_)
        impl_->held.give_back(false);
    impl_.reset();
}

asio::awaitable<std::optional<std::string>> http_stream::read_some()
{
    if (!impl_ || impl_->done)
        co_return std::nullopt;
    auto& s = *impl_;
    if (s.failed || !s.held.conn)
        throw error(errc::protocol_error, "read from a failed stream");
    auto& c = *s.held.conn;
    auto const& opts = s.owner->opts;
    std::string out(16 * 1024, '\0');
    for (;;) {
        s.parser.get().body().data = out.data();
        s.parser.get().body().size = out.size();
        auto limit = steady::now() + opts.idle_timeout;
        if (s.deadline)
            limit = std::min(limit, *s.deadline);
        c.lowest().expires_at(limit);
        auto [ec, n] = co_await c.with_stream([&](auto& st) {
            return bhttp::async_read_some(st, c.buffer, s.parser, tuple_awaitable);
        });
        if (ec == bhttp::error::need_buffer)
            ec = {};
        std::size_t const got = out.size() - s.parser.get().body().size;
        if (ec) {
            s.failed = true;
            s.held.give_back(false);
            if (ec == bhttp::error::partial_message || ec == asio::error::eof ||
                ec == bhttp::error::end_of_stream)
                throw error(errc::connection_failed, "the server closed the connection mid-body");
            throw_network(ec, "read the response body");
        }
        s.body_bytes += got;
        if (s.body_bytes > opts.max_body_bytes) {
            s.failed = true;
            s.held.give_back(false);
            throw error(errc::response_too_large, "the response body exceeds max_body_bytes");
        }
        if (s.parser.is_done()) {
            s.done = true;
            s.held.give_back(s.parser.keep_alive());
        }
        if (got > 0) {
            out.resize(got);
            co_return out;
        }
        if (s.done)
            co_return std::nullopt;
    }
}

}  // namespace instructor::net
