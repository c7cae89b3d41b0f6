// The Beast/OpenSSL transport: a pool per origin, one exchange per attempt, network retries.
#include <instructor/net/http_client.hpp>

#include <instructor/error.hpp>
#include "net/http_errors.hpp"
#include "net/retry_policy.hpp"
#include "net/url.hpp"
#include <instructor/version.hpp>

#include "clock.hpp"
#include "exchange.hpp"
#include "fault_hook.hpp"
#include "header_field.hpp"
#include "in_place.hpp"
#include "net_errors.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <limits>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <tuple>

namespace instructor::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using steady = std::chrono::steady_clock;
using boost::system::error_code;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

namespace detail {

/// Largest error body read to report the provider's message (the connection is then closed).
constexpr std::size_t max_error_body = 64 * 1024;

struct client_impl : std::enable_shared_from_this<client_impl> {
    asio::any_io_executor ex;
    transport_options opts;
    ssl::context ssl_ctx{ssl::context::tls_client};
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<host_pool>> pools;
    std::atomic<std::size_t> opened{0};
    std::atomic<std::size_t> stale_resends{0};
    std::shared_ptr<fault_hook const> fault;  // tests only (set_fault_hook)
    proxy_settings proxies;
    std::minstd_rand rng{std::random_device{}()};

    client_impl(asio::any_io_executor e, transport_options o)
        : ex(std::move(e)), opts(std::move(o)), proxies(opts)
    {
        if (opts.user_agent.empty())
            opts.user_agent = "instructor-cpp/" INSTRUCTOR_VERSION_STRING;
        check_field("User-Agent", opts.user_agent);  // sent with every request
        if (opts.max_connections_per_host == 0)
            throw error(errc::invalid_argument, "max_connections_per_host must be at least 1");
        SSL_CTX_set_min_proto_version(ssl_ctx.native_handle(), TLS1_2_VERSION);
        error_code ec;
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

    /// The system's CA store, loaded with the first https connection: parsing it costs ~20 ms
    /// of CPU, which a client that only ever speaks http (a local server, the mock) never needs.
    void load_system_store()
    {
        std::call_once(system_store_loaded, [&] {
            error_code ec;
            ssl_ctx.set_default_verify_paths(ec);  // a machine without a store still has ca_file
        });
    }
    std::once_flag system_store_loaded;

    /// The last pool pool_of found, and what names it (most of a client's calls go to one
    /// origin: they build no origin string and search no map). Under `mutex`.
    struct last_pool {
        std::string host;
        std::uint16_t port = 0;
        bool tls = false;
        proxy_endpoint const* proxy = nullptr;
        std::shared_ptr<host_pool> pool;
    } last;

    double random01()
    {
        std::lock_guard lock(mutex);
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    }

    /// What a connection's read buffer may hold: a whole header, and some read-ahead.
    std::size_t buffer_limit() const { return opts.max_header_bytes + 64 * 1024; }

    asio::awaitable<lease> acquire(endpoint const& ep, proxy_endpoint const* proxy,
                                   steady::time_point deadline, bool fresh_only);
    /// What acquire() gives when a slot is free and an idle connection is alive, taken at
    /// once (not a coroutine: most calls on a warm client find one); else an empty lease.
    lease take_idle(endpoint const& ep, proxy_endpoint const* proxy);
    /// The pool of `ep`'s connections (through `proxy`, apart: a tunnel per origin and proxy).
    std::shared_ptr<host_pool> pool_of(endpoint const& ep, proxy_endpoint const* proxy)
    {
        std::lock_guard lock(mutex);
        if (last.pool && last.proxy == proxy && last.tls == ep.tls && last.port == ep.port &&
            last.host == ep.host)
            return last.pool;
        auto key = proxy ? proxy->where() + " " + ep.origin() : ep.origin();
        auto at = pools.find(key);
        if (at == pools.end()) {  // made whole before it is in the map
            auto made = std::make_shared<host_pool>(opts.max_connections_per_host);
            made->fields = head_fields(ep, opts.user_agent, head_proxy(ep, proxy));
            at = pools.emplace(std::move(key), std::move(made)).first;
        }
        last = {ep.host, ep.port, ep.tls, proxy, at->second};
        return at->second;
    }

    /// One attempt's response (any status; a 2xx body read whole unless streaming), or, for a
    /// 2xx stream, the exchange to read the body from.
    struct attempt_result {
        http_response response;
        std::unique_ptr<stream_impl> stream;
    };
    /// The request sent with its network retries: the 2xx response read whole (`R`
    /// http_response) or its stream opened (`R` http_stream). `request` and `retry` are read
    /// where they are: the caller's frame owns them and awaits this at once. Static, taking
    /// the client by value: destroying the http_client while the request runs is safe.
    template <class R>
    static asio::awaitable<R> exchange(std::shared_ptr<client_impl> self,
                                       http_request const& request, retry_settings const& retry);
    /// After a failed attempt (a response that is not 2xx, or a retryable `failure`): when to
    /// try again, or the error to report now (thrown). Not a coroutine: what it reads stays
    /// out of the exchange's frame.
    template <class Secrets>
    steady::time_point next_try(http_response const* response, error* failure,
                                http_request const& request, retry_settings const& retry,
                                int retries, Secrets const& secrets);
    /// exchange() with copies of its own (the public send and open_stream).
    template <class R>
    static asio::awaitable<R> owned(std::shared_ptr<client_impl> self, http_request request,
                                    retry_settings retry);
};

asio::awaitable<lease> client_impl::acquire(endpoint const& ep, proxy_endpoint const* proxy,
                                            steady::time_point deadline, bool fresh_only)
{
    lease l;
    auto pool = pool_of(ep, proxy);
    if (!co_await host_pool::take_slot(pool, ex, deadline))
        throw error(errc::timeout, "no free connection to " + ep.origin() + " before the deadline");
    l.pool = pool;
    {
        std::lock_guard lock(pool->mutex);
        ++pool->in_use;
        if (!fresh_only)
            l.conn = pool->take_alive();
    }
    if (l.conn)
        co_return l;
    l.conn = std::make_unique<connection>(buffer_limit());
    if (ep.tls)
        load_system_store();
    co_await open_connection(*l.conn, ep, proxy, std::min(deadline, after(opts.connect_timeout)),
                             ssl_ctx, !opts.danger_accept_invalid_certs, fault);
    ++opened;
    co_return l;
}

lease client_impl::take_idle(endpoint const& ep, proxy_endpoint const* proxy)
{
    lease l;
    auto pool = pool_of(ep, proxy);
    std::lock_guard lock(pool->mutex);
    if (pool->free_slots == 0)  // none free, or waiters first: acquire() queues
        return l;
    l.conn = pool->take_alive();
    if (l.conn) {
        --pool->free_slots;
        ++pool->in_use;
        l.pool = std::move(pool);
    }
    return l;
}

namespace {

/// The sleep before the next attempt. A coroutine of its own: its timer is not held by the
/// exchange's frame for the whole call.
asio::awaitable<void> backoff(asio::any_io_executor const& ex, steady::time_point wake,
                              std::shared_ptr<fault_hook const> const& fault)
{
    asio::steady_timer timer(ex, wake);
    auto [ec] = co_await timer.async_wait(tuple_awaitable);
    inject_into(ec, fault, io_step::backoff);
    if (ec)
        throw_cancelled();
}

}  // namespace

bool retryable(errc e)
{
    return e == errc::timeout || e == errc::connection_failed;
}

template <class Secrets>
steady::time_point client_impl::next_try(http_response const* response, error* failure,
                                         http_request const& request,
                                         retry_settings const& retry, int retries,
                                         Secrets const& secrets)
{
    attempt_outcome o;
    if (response) {
        o.status = response->status;
        auto opt = [&](std::string_view name) -> std::optional<std::string> {
            if (auto v = response->find(name))
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
    auto const d = decide_retry(o, retries, request.idempotent ? retry.max_retries : 0,
                                random01(), std::chrono::system_clock::now());
    auto fail = [&]() -> error {
        if (failure)
            return std::move(*failure);
        return http_error(*response, secrets(), request.error_message);
    };
    if (!d.retry)
        throw fail();
    auto const wake = after(d.delay);
    if (retry.deadline && wake >= *retry.deadline)
        throw fail();  // sleeping would pass the caller's deadline: the last failure now
    return wake;
}

// One coroutine from the request to its response: each attempt's exchange is written out in
// the retry loop rather than awaited as a coroutine of its own (a frame per layer is most of
// what a call in flight holds).
template <class R>
asio::awaitable<R> client_impl::exchange(std::shared_ptr<client_impl> self,
                                         http_request const& request, retry_settings const& retry)
{
    constexpr bool stream = std::is_same_v<R, http_stream>;
    auto& me = *self;
    auto const ep = parse_url(request.url);
    // Redacted from every error: the request's secret headers, and the credentials of its
    // proxy, which a proxy's error page (or reason phrase) may echo. Gathered only for an error.
    auto const secrets = [&] {
        auto s = secrets_of(request);
        if (auto const* p = me.proxies.for_origin(ep))
            s.insert(s.end(), p->secrets.begin(), p->secrets.end());
        return s;
    };
    for (int retries = 0;; ++retries) {
        auto const per_attempt = after(retry.attempt_timeout.value_or(me.opts.request_timeout));
        auto const deadline = retry.deadline ? std::min(*retry.deadline, per_attempt) : per_attempt;
        // The attempt: the response (any status; a 2xx body read whole unless streaming), or,
        // for a 2xx stream, the exchange to read the body from.
        std::optional<attempt_result> result;
        steady::time_point wake;  // of the next attempt, when there is one
        try {
            auto const* proxy = me.proxies.for_origin(ep);  // its pool, its request form
            check_request(request);  // before a connection is taken for it
            // A pooled connection may have been closed by the server just as we took it: then
            // the request is sent once more on a fresh connection, if nothing of a response was
            // read. A request that must not run twice is never re-sent: it takes a fresh
            // connection at once.
            for (int fresh = request.idempotent ? 0 : 1; !result; ++fresh) {
                // A cancellation that came before the request goes out stops it here (the
                // request is written without a wait, where Asio would have seen it).
                throw_if_cancelled(co_await asio::this_coro::cancellation_state);
                auto x = std::make_unique<stream_impl>();
                if (fresh == 0)
                    x->held = me.take_idle(ep, proxy);
                if (!x->held.conn)
                    x->held = co_await me.acquire(ep, proxy, deadline, fresh > 0);
                auto& c = *x->held.conn;
                bool const reused = c.reused;
                auto stale = [&](error_code ec) {
                    return reused && fresh == 0 &&
                           (ec == asio::error::eof || ec == asio::error::connection_reset ||
                            ec == asio::error::broken_pipe || ec == bhttp::error::end_of_stream ||
                            ec == asio::ssl::error::stream_truncated);
                };

                // The read that follows is bounded by the idle timeout: the timer is armed for
                // it now, and moves on to the deadline if the write is still going then.
                c.watch.bound(c.lowest().socket(), deadline, after(me.opts.idle_timeout));
                error_code wec;
                try {
                    auto const* via = head_proxy(ep, proxy);
                    // the pool's fields read where they are: no local of this frame (it is
                    // kept under 1 KB, where Asio's and malloc's per-thread caches serve it)
                    auto sent = write_now(c, request, ep, x->held.pool->fields,
                                          me.opts.user_agent, via, wec);
                    if (!wec && !sent)
                        wec = co_await write_request(c, request, ep, x->held.pool->fields,
                                                     me.opts.user_agent, via);
                    else if (!wec && !sent->whole)
                        wec = co_await write_rest(c, std::move(sent->head), request.body,
                                                  sent->bytes);
                    wec = c.watch.outcome(wec);
                }
                catch (error const&) {
                    // Thrown before a byte went out (the request could not be built or
                    // signed, its body file not read): the connection is as good as it was.
                    x->held.give_back(true);
                    throw;
                }
                inject_into(wec, me.fault, io_step::write);
                if (wec) {
                    if (stale(wec)) {
                        ++me.stale_resends;
                        continue;
                    }
                    throw_network(wec, "send to " + ep.origin());
                }
                throw_if_cancelled(co_await asio::this_coro::cancellation_state);

                x->parser.header_limit(static_cast<std::uint32_t>(
                    std::min<std::size_t>(me.opts.max_header_bytes, UINT32_MAX)));
                x->parser.body_limit(boost::none);  // counted by the read loop, against max_body
                x->idle_timeout = me.opts.idle_timeout;
                x->fault = me.fault;
                x->deadline = deadline;
                c.watch.bound(c.lowest().socket(), std::min(deadline, after(me.opts.idle_timeout)));
                // The wait for the answer is a wait, not a read: Beast's read (its operation's
                // state, the buffer it prepares) starts once bytes are there, so a call in
                // flight holds neither while the model thinks. Over TLS, or with bytes already
                // read, the read itself waits (OpenSSL may hold what the socket no longer shows).
                error_code rec;
                if (!c.tls && c.buffer.size() == 0) {
                    std::tie(rec) = co_await c.lowest().socket().async_wait(
                        asio::ip::tcp::socket::wait_read, tuple_awaitable);
                    // Room for a whole small response in one receive (Beast's least, 512
                    // bytes, takes two receives and two passes of the scheduler for most).
                    if (!rec)
                        c.buffer.reserve(std::min(response_room, c.buffer.max_size()));
                }
                // What has arrived is parsed now; only a head still on its way is awaited.
                bool const whole_head = !rec && read_head_now(c, x->parser, rec);
                if (!rec && !whole_head) {
                    rec = std::get<0>(co_await c.with_stream([&](auto& st) {
                        return bhttp::async_read_header(st, c.buffer, x->parser, tuple_awaitable);
                    }));
                }
                rec = c.watch.outcome(rec);
                inject_into(rec, me.fault, io_step::read_header);
                if (rec) {
                    if (!x->parser.got_some() && stale(rec)) {
                        ++me.stale_resends;
                        continue;
                    }
                    throw_network(rec, "read from " + ep.origin());
                }
                throw_if_cancelled(co_await asio::this_coro::cancellation_state);

                auto& r = result.emplace();
                r.response.status = x->parser.status;
                r.response.headers = std::move(x->parser.headers);
                bool const ok = r.response.status / 100 == 2;
                if (!ep.tls && proxy && r.response.status == 407)  // only a proxy answers 407
                    throw error(errc::proxy_failed, proxy->where() + " refused the request to " +
                                                        ep.origin() + ": 407 " + x->parser.reason);
                if (ok && stream) {
                    x->status = r.response.status;
                    x->headers = r.response.headers;
                    // A stream is bounded by what its reader keeps (the answer, each event: see
                    // the call core) and by time, not by its framing: a long answer in small
                    // deltas is many times its own size on the wire.
                    x->max_body = std::numeric_limits<std::size_t>::max();
                    x->deadline = retry.deadline;  // the body is read as the caller consumes it
                    r.stream = std::move(x);
                    break;
                }
                // A whole body; an error answer is small: read enough to report the provider's
                // message.
                x->max_body = ok ? me.opts.max_body_bytes : max_error_body;
                x->whole = true;
                try {
                    while (co_await x->read_body(r.response.body)) {
                    }
                }
                catch (error const& e) {
                    if (ok || e.code_enum() == errc::cancelled)
                        throw;
                    // The status says enough: report it with what of its body arrived.
                }
            }  // the exchange gave its connection back (pooled when reusable)
        }
        catch (error& e) {
            redact_in_place(e, secrets());
            if (!retryable(e.code_enum()))
                throw;
            result.reset();
            wake = me.next_try(nullptr, &e, request, retry, retries, secrets);
        }
        if (result) {
            if (retry.on_head)
                retry.on_head(result->response.status, result->response.headers);
            if (result->response.status / 100 == 2) {
                if constexpr (stream) {
                    http_stream s;
                    s.impl_ = std::move(result->stream);
                    co_return s;
                }
                else {
                    co_return std::move(result->response);
                }
            }
            wake = me.next_try(&result->response, nullptr, request, retry, retries, secrets);
        }
        co_await backoff(me.ex, wake, me.fault);
    }
}

template <class R>
asio::awaitable<R> client_impl::owned(std::shared_ptr<client_impl> self, http_request request,
                                      retry_settings retry)
{
    co_return co_await exchange<R>(std::move(self), request, retry);
}

}  // namespace detail

// ---- public wrappers -----------------------------------------------------------------------------

http_client::http_client(asio::any_io_executor executor, transport_options options)
    : impl_(std::make_shared<detail::client_impl>(std::move(executor), std::move(options)))
{}

asio::awaitable<http_response> http_client::send(http_request request, retry_settings retry)
{
    return detail::client_impl::owned<http_response>(impl_, std::move(request), std::move(retry));
}

asio::awaitable<http_stream> http_client::open_stream(http_request request, retry_settings retry)
{
    return detail::client_impl::owned<http_stream>(impl_, std::move(request), std::move(retry));
}

namespace detail {

asio::awaitable<http_response> in_place::send(http_client& c, http_request const& request,
                                              retry_settings const& retry)
{
    return client_impl::exchange<http_response>(c.impl_, request, retry);
}

asio::awaitable<http_stream> in_place::open_stream(http_client& c, http_request const& request,
                                                   retry_settings const& retry)
{
    return client_impl::exchange<http_stream>(c.impl_, request, retry);
}

}  // namespace detail

pool_stats http_client::stats() const
{
    pool_stats s;
    s.connections_opened = impl_->opened;
    s.stale_resends = impl_->stale_resends;
    std::lock_guard lock(impl_->mutex);
    for (auto const& [origin, pool] : impl_->pools) {
        std::lock_guard plock(pool->mutex);
        s.idle += pool->idle.size();
        s.in_use += pool->in_use;
    }
    return s;
}

asio::any_io_executor const& http_client::get_executor() const noexcept { return impl_->ex; }

namespace detail {
struct test_access {
    static client_impl& impl(http_client& c) { return *c.impl_; }
};
}  // namespace detail

void set_fault_hook(http_client& client, fault_hook hook)
{
    detail::test_access::impl(client).fault = std::make_shared<fault_hook const>(std::move(hook));
}
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
    if (!impl_)
        co_return std::nullopt;
    std::string out;
    if (!co_await impl_->read_body(out) && out.empty())
        co_return std::nullopt;
    co_return out;
}

}  // namespace instructor::net
