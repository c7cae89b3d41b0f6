// call_bench: what a typed call costs the client, against an endpoint in another process
// (scripts/bench.sh starts instructor-mock on one core and this on the other), next to a raw
// Beast client that sends the identical request bytes and reads the identical response with no
// JSON, schema or validation work. One JSON object on stdout per run.
//
//   call_bench calls  --url URL [--concurrency C] [--requests N]
//       create<SmallUser> against the raw client, N calls, C at a time on one thread
//   call_bench stream --url URL [--requests N]
//       create_partial<Essay> against the raw client reading the same SSE (the mock is started
//       with --answer-bytes and --chunk by the caller)
//   call_bench scale  --url URL --in-flight N
//       N create<SmallUser> at once on one thread (the mock is started with a latency that
//       keeps them all in flight): memory per call in flight and throughput
//
// CPU is the process's user + system time (getrusage): the client's threads, if any, count.
#include "flag_values.hpp"
#include "percentiles.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/describe.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ins = instructor;
namespace json = boost::json;
using asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

struct SmallUser {
    std::string name;
    int age;
};
BOOST_DESCRIBE_STRUCT(SmallUser, (), (name, age))

/// The mock lengthens `text` (its first unconstrained string) to --answer-bytes.
struct Essay {
    std::string text;
    int words;
};
BOOST_DESCRIBE_STRUCT(Essay, (), (text, words))

namespace {

struct config {
    std::string command;
    std::string url;
    std::size_t concurrency = 1;
    std::size_t requests = 2000;
    std::size_t in_flight = 100;
};

tools::flag_values const flags{
    "call_bench",
    "usage: call_bench calls|stream|scale --url URL [--concurrency C] [--requests N] "
    "[--in-flight N]\n"};

std::size_t whole(std::string_view flag, std::string_view v)
{
    return flags.whole(flag, v, 1, 10'000'000);
}

config parse(int argc, char** argv)
{
    config c;
    if (argc < 2)
        flags.fail("which benchmark?");
    c.command = argv[1];
    if (c.command != "calls" && c.command != "stream" && c.command != "scale")
        flags.fail("unknown benchmark '" + c.command + "'");
    for (int i = 2; i < argc; ++i) {
        std::string_view const flag = argv[i];
        if (i + 1 >= argc)
            flags.fail(std::string(flag) + " needs a value");
        std::string_view const v = argv[++i];
        if (flag == "--url")
            c.url = v;
        else if (flag == "--concurrency")
            c.concurrency = whole(flag, v);
        else if (flag == "--requests")
            c.requests = whole(flag, v);
        else if (flag == "--in-flight")
            c.in_flight = whole(flag, v);
        else
            flags.fail("unknown flag " + std::string(flag));
    }
    if (c.url.empty())
        flags.fail("--url is required");
    return c;
}

double cpu_seconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto secs = [](timeval t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return secs(ru.ru_utime) + secs(ru.ru_stime);
}

/// A line of /proc/self/status in KiB ("VmRSS", "VmHWM").
long status_kib(std::string const& field)
{
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(field + ":", 0) == 0)
            return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
    return 0;
}

/// Resets the peak resident size to the current one (Linux 4.0+).
void reset_peak_rss()
{
    std::ofstream("/proc/self/clear_refs") << "5";
}

double round3(double x) { return std::round(x * 1000) / 1000; }

ins::client_options options_for(config const& c, std::size_t connections)
{
    ins::client_options o;
    o.base_url = c.url;
    o.api_key = "mock-key";
    o.default_model = "gpt-4o-mini";
    o.transport.max_connections_per_host = std::max<std::size_t>(connections, 1);
    return o;
}

ins::request request_for(std::string prompt)
{
    ins::request req;
    req.max_retries = 0;  // one answer per call: calls are measured, not re-asks
    req.messages.push_back(ins::message::user(std::move(prompt)));
    return req;
}

/// One typed call (a stream read to its end); true when a value came.
template <class T>
asio::awaitable<bool> one_call(ins::client const& client, ins::request const& req)
{
    if constexpr (std::is_same_v<T, Essay>) {
        auto s = client.create_partial<T>(req);
        std::size_t partials = 0;
        while (co_await s.next())
            ++partials;
        co_return partials > 0;
    }
    else {
        T const v = co_await client.create<T>(req);
        co_return !v.name.empty();
    }
}

void rethrow(std::exception_ptr e)
{
    if (e)
        std::rethrow_exception(e);
}

// ---- the raw client: one connection per worker, the captured request bytes, no parsing ----

struct raw_target {
    std::string host;
    std::string port;
    http::request<http::string_body> request;
    std::string request_bytes;  // the same request serialized once (the leanest client's)
};

/// What a raw worker does with each call.
enum class raw_kind {
    beast,   // Beast writes the request message and reads the whole response: no JSON
    lean,    // the request's bytes written as they are, the response read into a string
    typed,   // beast, then what a hand-written typed client does: parse the body, take the
             // tool call's arguments, parse them and value_to<T> (the second reference)
    stream,  // the SSE through Beast's chunked decoding, no parsing
};

/// The request create<T> would send, captured through the completion_kwargs hook.
template <class T>
raw_target capture(config const& c, ins::request const& req, std::string const& endpoint)
{
    auto u = boost::urls::parse_uri(c.url);
    if (!u || u->scheme() != "http")
        flags.fail("--url must be an http:// URL");
    raw_target t;
    t.host = u->host();
    t.port = u->has_port() ? std::string(u->port()) : "80";
    std::string body;
    asio::io_context ioc{1};
    ins::client client(ioc.get_executor(), options_for(c, 1));
    client.on(ins::hook::completion_kwargs, [&](ins::hook_event const& e) {
        body = json::serialize(*e.request_body);
    });
    asio::co_spawn(ioc, one_call<T>(client, req), [](std::exception_ptr e, bool) { rethrow(e); });
    ioc.run();
    std::string path(u->encoded_path());
    while (!path.empty() && path.back() == '/')
        path.pop_back();
    t.request = {http::verb::post, path + endpoint, 11};
    t.request.set(http::field::host, t.host + ":" + t.port);
    t.request.set(http::field::authorization, "Bearer mock-key");
    t.request.set(http::field::content_type, "application/json");
    t.request.set(http::field::accept, "application/json");
    t.request.body() = std::move(body);
    t.request.prepare_payload();
    std::ostringstream bytes;
    bytes << t.request;
    t.request_bytes = bytes.str();
    return t;
}

struct measured {
    double seconds = 0;
    double cpu = 0;
    std::size_t calls = 0;
    std::size_t failed = 0;
    std::vector<double> latency_ms;
};

/// A raw worker's connection, kept from the warm-up to the measured calls (as ours are pooled).
struct raw_connection {
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buf;
};

/// The hand-written typed client's work on a chat completion: false when it is not one.
template <class T>
bool typed_answer(std::string const& body, T& out)
{
    boost::system::error_code ec;
    auto const v = json::parse(body, ec);
    if (ec)
        return false;
    auto const* args = v.find_pointer("/choices/0/message/tool_calls/0/function/arguments", ec);
    if (!args || !args->is_string())
        return false;
    auto const a = json::parse(args->get_string(), ec);
    if (ec)
        return false;
    auto r = json::try_value_to<T>(a);
    if (!r)
        return false;
    out = std::move(*r);
    return true;
}

template <class T>
asio::awaitable<void> raw_worker(raw_target const& t, tcp::endpoint ep, raw_connection& conn,
                                 std::size_t& left, measured& m, raw_kind kind)
{
    if (!conn.stream) {
        conn.stream.emplace(co_await asio::this_coro::executor);
        co_await conn.stream->async_connect(ep, asio::use_awaitable);
        conn.stream->socket().set_option(tcp::no_delay(true));
    }
    auto& s = *conn.stream;
    auto& buf = conn.buf;
    std::vector<char> sink(64 * 1024);
    while (left > 0) {
        --left;
        auto const t0 = clock_type::now();
        if (kind == raw_kind::lean)
            co_await asio::async_write(s, asio::buffer(t.request_bytes), asio::use_awaitable);
        else
            co_await http::async_write(s, t.request, asio::use_awaitable);
        if (kind == raw_kind::stream) {
            // The SSE through Beast's chunked decoding into a 64 KB buffer, and no parsing.
            http::response_parser<http::buffer_body> p;
            p.body_limit(boost::none);
            co_await http::async_read_header(s, buf, p, asio::use_awaitable);
            while (!p.is_done()) {
                p.get().body().data = sink.data();
                p.get().body().size = sink.size();
                auto [ec, n] =
                    co_await http::async_read(s, buf, p, asio::as_tuple(asio::use_awaitable));
                if (ec && ec != http::error::need_buffer)
                    throw beast::system_error(ec);
            }
            if (p.get().result() != http::status::ok)
                ++m.failed;
        }
        else {
            http::response<http::string_body> res;
            co_await http::async_read(s, buf, res, asio::use_awaitable);
            if (res.result() != http::status::ok)
                ++m.failed;
            T value{};
            if (kind == raw_kind::typed && !typed_answer(res.body(), value))
                ++m.failed;
        }
        m.latency_ms.push_back(
            std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    }
}

/// `spawn(worker, left, m)` starts worker `worker` of `concurrency`: first a warm-up of one call
/// each (connections, schemas, the allocator), then `requests` calls measured.
template <class Spawn>
measured measure(asio::io_context& ioc, std::size_t concurrency, std::size_t requests, Spawn spawn)
{
    measured m;
    std::size_t warm = std::min(concurrency, requests);
    for (std::size_t i = 0; i < concurrency; ++i)
        spawn(i, warm, m);
    ioc.run();
    ioc.restart();
    m = {};
    m.latency_ms.reserve(requests);
    std::size_t left = requests;
    auto const t0 = clock_type::now();
    double const cpu0 = cpu_seconds();
    for (std::size_t i = 0; i < concurrency; ++i)
        spawn(i, left, m);
    ioc.run();
    m.cpu = cpu_seconds() - cpu0;
    m.seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    m.calls = requests;
    return m;
}

template <class T>
measured run_raw(raw_target const& t, std::size_t concurrency, std::size_t requests, raw_kind kind)
{
    asio::io_context ioc{1};
    tcp::resolver r(ioc);
    auto const ep = *r.resolve(t.host, t.port).begin();
    std::vector<raw_connection> conns(concurrency);
    return measure(ioc, concurrency, requests, [&](std::size_t i, std::size_t& left, measured& m) {
        asio::co_spawn(ioc, raw_worker<T>(t, ep, conns[i], left, m, kind), rethrow);
    });
}

// ---- ours ----

template <class T>
asio::awaitable<void> our_worker(ins::client const& client, ins::request const& req,
                                 std::size_t& left, measured& m)
{
    while (left > 0) {
        --left;
        auto const t0 = clock_type::now();
        try {
            if (!co_await one_call<T>(client, req))
                ++m.failed;
        }
        catch (ins::error const&) {
            ++m.failed;
        }
        m.latency_ms.push_back(
            std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    }
}

template <class T>
measured run_ours(config const& c, ins::request const& req, std::size_t concurrency,
                  std::size_t requests)
{
    asio::io_context ioc{1};
    ins::client client(ioc.get_executor(), options_for(c, concurrency));
    return measure(ioc, concurrency, requests, [&](std::size_t, std::size_t& left, measured& m) {
        asio::co_spawn(ioc, our_worker<T>(client, req, left, m), rethrow);
    });
}

json::object side(measured const& m)
{
    auto const n = static_cast<double>(m.calls);
    return {{"calls", m.calls},
            {"latency_ms", tools::percentiles(m.latency_ms, {50, 90, 99})},
            {"failed", m.failed},
            {"seconds", round3(m.seconds)},
            {"calls_per_second", std::round(n / m.seconds * 10) / 10},
            {"cpu_us_per_call", std::round(m.cpu * 1e6 / n * 10) / 10}};
}

/// The median of `v` (the mean of the middle two for an even count); 0 when empty.
double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    auto const n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

json::object compare(measured const& ours, measured const& raw)
{
    return {{"ours", side(ours)},
            {"raw", side(raw)},
            {"cpu_ratio", round3(ours.cpu / std::max(raw.cpu, 1e-9))}};
}

int calls(config const& c)
{
    auto const req = request_for("John Doe, 32, works at Acme in Paris; extract the record.");
    auto const target = capture<SmallUser>(c, req, "/chat/completions");
    auto add = [](measured a, measured const& b) {
        a.seconds += b.seconds, a.cpu += b.cpu, a.calls += b.calls, a.failed += b.failed;
        a.latency_ms.insert(a.latency_ms.end(), b.latency_ms.begin(), b.latency_ms.end());
        return a;
    };
    // Alternated in rounds, so a slow patch of the machine (a shared host's) hits every
    // side alike; each ratio is the median of the rounds' own (a patch that falls on one
    // side of one round moves one of them), the sums' ratio beside it. 32 rounds of at least
    // 64 calls and four a worker (fewer in a short run).
    std::size_t const rounds =
        std::clamp<std::size_t>(c.requests / std::max<std::size_t>(64, 4 * c.concurrency), 1, 32);
    measured ours, raw, lean, typed;
    std::vector<double> by_round[3];  // ours over raw, lean, typed
    for (std::size_t r = 0; r < rounds; ++r) {
        std::size_t const share = c.requests / rounds + (r < c.requests % rounds ? 1 : 0);
        if (share == 0)
            continue;
        auto const raw_r = run_raw<SmallUser>(target, c.concurrency, share, raw_kind::beast);
        auto const lean_r = run_raw<SmallUser>(target, c.concurrency, share, raw_kind::lean);
        auto const typed_r = run_raw<SmallUser>(target, c.concurrency, share, raw_kind::typed);
        auto const ours_r = run_ours<SmallUser>(c, req, c.concurrency, share);
        by_round[0].push_back(ours_r.cpu / std::max(raw_r.cpu, 1e-9));
        by_round[1].push_back(ours_r.cpu / std::max(lean_r.cpu, 1e-9));
        by_round[2].push_back(ours_r.cpu / std::max(typed_r.cpu, 1e-9));
        raw = add(std::move(raw), raw_r);
        lean = add(std::move(lean), lean_r);
        typed = add(std::move(typed), typed_r);
        ours = add(std::move(ours), ours_r);
    }
    auto out = compare(ours, raw);
    out["cpu_ratio_summed"] = out["cpu_ratio"];
    out["cpu_ratio"] = round3(median(by_round[0]));
    out["raw_lean"] = side(lean);
    out["raw_typed"] = side(typed);
    out["cpu_ratio_lean"] = round3(median(by_round[1]));
    out["cpu_ratio_typed"] = round3(median(by_round[2]));
    out["rounds"] = by_round[0].size();
    out["benchmark"] = "calls";
    out["concurrency"] = c.concurrency;
    std::cout << json::serialize(out) << "\n";
    return ours.failed + raw.failed + lean.failed + typed.failed ? 1 : 0;
}

int stream(config const& c)
{
    auto const req = request_for("Write the essay.");
    auto target = capture<Essay>(c, req, "/chat/completions");
    auto raw = run_raw<Essay>(target, 1, c.requests, raw_kind::stream);
    auto ours = run_ours<Essay>(c, req, 1, c.requests);
    auto out = compare(ours, raw);
    out["benchmark"] = "stream";
    std::cout << json::serialize(out) << "\n";
    return ours.failed + raw.failed ? 1 : 0;
}

int scale(config const& c)
{
    auto const req = request_for("John Doe, 32, works at Acme in Paris; extract the record.");
    asio::io_context ioc{1};
    ins::client client(ioc.get_executor(), options_for(c, c.in_flight));
    measured m;
    {  // warm: the schema, the pool, the allocator's first arenas
        std::size_t one = 1;
        asio::co_spawn(ioc, our_worker<SmallUser>(client, req, one, m), rethrow);
        ioc.run();
        ioc.restart();
        m = {};
    }
    long const rss0 = status_kib("VmRSS");
    reset_peak_rss();
    std::vector<std::size_t> one_each(c.in_flight, 1);
    auto const t0 = clock_type::now();
    double const cpu0 = cpu_seconds();
    for (auto& left : one_each)
        asio::co_spawn(ioc, our_worker<SmallUser>(client, req, left, m), rethrow);
    ioc.run();
    double const cpu = cpu_seconds() - cpu0;
    double const seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    long const peak = status_kib("VmHWM");
    auto const n = static_cast<double>(c.in_flight);
    json::object out{{"benchmark", "scale"},
                     {"in_flight", c.in_flight},
                     {"failed", m.failed},
                     {"seconds", round3(seconds)},
                     {"calls_per_second", std::round(n / seconds * 10) / 10},
                     {"cpu_us_per_call", std::round(cpu * 1e6 / n * 10) / 10},
                     {"rss_before_kib", rss0},
                     {"peak_rss_kib", peak},
                     {"kib_per_call", round3(double(peak - rss0) / n)}};
    std::cout << json::serialize(out) << "\n";
    return m.failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv)
{
    auto const c = parse(argc, argv);
    try {
        if (c.command == "calls")
            return calls(c);
        if (c.command == "stream")
            return stream(c);
        return scale(c);
    }
    catch (std::exception const& e) {
        std::cerr << "call_bench: " << e.what() << "\n";
        return 1;
    }
}
