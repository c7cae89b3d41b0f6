// instructor-bench: typed create<T> or create_partial<T> calls against an endpoint at a given
// concurrency, for a number of requests or a duration; throughput, latency percentiles, time to
// the first partial, client CPU per call, peak memory and errors by ins::errc.
//
//   instructor-bench [--url URL] [--api-key-env NAME] [--model M] [--mode MODE]
//                    [--concurrency N] [--requests N | --duration SECONDS] [--stream]
//                    [--schema small|nested|large] [--json] [--price IN:OUT[:CACHED]]
//                    [--mock-latency MS[:SPREAD]] [--mock-tokens-per-second N]
//                    [--mock-answer-bytes N] [--mock-fault-rate P]
//                    [--rpm N] [--tpm N] [--max-in-flight N] [--redis URL [--limit-name NAME]]
//
// The key comes from the variable --api-key-env names (OPENAI_API_KEY by default); in a bedrock
// mode without one, requests are signed with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN and AWS_REGION.
//
// --price gives the model's price in US dollars per million input, output (and cached input)
// tokens: the summary then says what the calls cost (client_options::prices; a provider's own
// reported cost wins).
//
// --rpm, --tpm and --max-in-flight limit the calls (ins::make_rate_limiter); with --redis the
// limit is shared through that Redis under --limit-name (ins::make_redis_rate_limiter), with
// every other process using the same name. The summary says how often and how long calls
// waited.
//
// Without --url it starts the embedded mock endpoint in-process (on a thread of its own; the
// --mock-* flags set its latency, stream pace, answer size and faults). Client CPU is the CPU
// time of the thread that runs every call, so the in-process mock is not counted. A progress
// line on a terminal; a summary, or one JSON object with --json. Exit status: 0 when at least
// one call succeeded, 1 when none did, 2 for bad flags.
#include "example_models.hpp"
#include "flag_values.hpp"
#include "percentiles.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/describe.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace asio = boost::asio;
namespace ins = instructor;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

// ---- flags ----

constexpr char const* usage =
    "usage: instructor-bench [--url URL] [--api-key-env NAME] [--model M] [--mode MODE]\n"
    "                        [--concurrency N] [--requests N | --duration SECONDS] [--stream]\n"
    "                        [--schema small|nested|large] [--json] [--price IN:OUT[:CACHED]]\n"
    "                        [--mock-latency MS[:SPREAD]] [--mock-tokens-per-second N]\n"
    "                        [--mock-answer-bytes N] [--mock-fault-rate P]\n"
    "                        [--rpm N] [--tpm N] [--max-in-flight N] [--redis URL [--limit-name NAME]]\n";

struct config {
    std::optional<ins::price> price;  // --price: the calls' cost is summed and shown
    ins::rate_limit limits;           // --rpm, --tpm, --max-in-flight
    std::string redis;                // --redis: the limit shared through it
    std::string limit_name = "instructor-bench";
    std::string url;  // empty: the embedded mock
    std::string api_key_env = "OPENAI_API_KEY";
    std::string model = "gpt-4o-mini";
    ins::mode mode = ins::mode::tools;
    std::size_t concurrency = 1;
    std::size_t requests = 1000;
    std::optional<double> duration;  // seconds; replaces requests
    bool stream = false;
    std::string schema = "small";
    bool json = false;
    ins::testing::mock_options mock;
};

tools::flag_values const flags{"instructor-bench", usage};


config parse(int argc, char** argv)
{
    config c;
    bool requests_given = false;
    bool mock_flags = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view const a = argv[i];
        if (a == "--help") {
            std::cout << usage;
            std::exit(0);
        }
        if (a == "--stream" || a == "--json") {
            (a == "--stream" ? c.stream : c.json) = true;
            continue;
        }
        if (!a.starts_with("--"))
            flags.fail("'" + std::string(a) + "' is not a flag");
        if (i + 1 >= argc)
            flags.fail(std::string(a) + " needs a value");
        std::string_view const v = argv[++i];
        if (a == "--url")
            c.url = v;
        else if (a == "--api-key-env")
            c.api_key_env = v;
        else if (a == "--model")
            c.model = v;
        else if (a == "--mode") {
            auto m = ins::mode_from_string(v);
            if (!m)
                flags.fail("unknown mode '" + std::string(v) + "'");
            c.mode = *m;
        }
        else if (a == "--concurrency")
            c.concurrency = flags.whole(a, v, 1, 100'000);
        else if (a == "--requests") {
            c.requests = flags.whole(a, v, 1, 100'000'000);
            requests_given = true;
        }
        else if (a == "--duration")
            c.duration = flags.real(a, v, 0.001, 86'400);
        else if (a == "--price")
            c.price = flags.price(a, v);
        else if (a == "--rpm")
            c.limits.requests_per_minute = static_cast<std::uint32_t>(flags.whole(a, v, 1, 1'000'000'000));
        else if (a == "--tpm")
            c.limits.tokens_per_minute = static_cast<std::uint32_t>(flags.whole(a, v, 1, 1'000'000'000));
        else if (a == "--max-in-flight")
            c.limits.max_in_flight = static_cast<std::uint32_t>(flags.whole(a, v, 1, 1'000'000));
        else if (a == "--redis")
            c.redis = v;
        else if (a == "--limit-name") {
            if (v.empty())
                flags.fail("--limit-name is empty");
            c.limit_name = v;
        }
        else if (a == "--schema") {
            if (v != "small" && v != "nested" && v != "large")
                flags.fail("--schema is small, nested or large, not '" + std::string(v) + "'");
            c.schema = v;
        }
        else if (a == "--mock-latency") {
            auto const colon = v.find(':');
            c.mock.latency =
                std::chrono::milliseconds(flags.whole(a, v.substr(0, colon), 0, 600'000));
            if (colon != std::string_view::npos)
                c.mock.latency_spread =
                    std::chrono::milliseconds(flags.whole(a, v.substr(colon + 1), 0, 600'000));
            mock_flags = true;
        }
        else if (a == "--mock-tokens-per-second") {
            c.mock.tokens_per_second = flags.real(a, v, 0, 1e6);
            if (c.mock.tokens_per_second > 0 && c.mock.tokens_per_second < 0.01)
                flags.fail("--mock-tokens-per-second is 0 (unpaced) or at least 0.01");
            mock_flags = true;
        }
        else if (a == "--mock-answer-bytes") {
            c.mock.answer_bytes = flags.whole(a, v, 0, 8 << 20);  // a million 8-byte deltas
            mock_flags = true;
        }
        else if (a == "--mock-fault-rate") {
            c.mock.fault_rate = flags.real(a, v, 0, 1);
            mock_flags = true;
        }
        else
            flags.fail("unknown flag " + std::string(a));
    }
    if (requests_given && c.duration)
        flags.fail("--requests and --duration cannot be combined");
    if (mock_flags && !c.url.empty())
        flags.fail("the --mock-* flags are for the embedded mock: not with --url");
    bool const limited = c.limits.requests_per_minute || c.limits.tokens_per_minute ||
                         c.limits.max_in_flight;
    if (!c.redis.empty() && !limited)
        flags.fail("--redis shares a limit: give --rpm, --tpm or --max-in-flight");
    return c;
}

// ---- the run ----

struct results {
    std::size_t started = 0;
    std::size_t ok = 0;
    std::map<std::string, std::size_t> errors;
    std::vector<double> latency_ms;
    std::vector<double> first_partial_ms;
    double cost_usd = 0;  // with --price: summed over the calls that succeeded
};

double cpu_seconds_of_this_thread()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double ms_since(clock_type::time_point t)
{
    return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

template <class T>
asio::awaitable<void> worker(ins::client& client, config const& c, results& r,
                             clock_type::time_point end)
{
    ins::request req;
    req.model = c.model;
    req.max_retries = 0;  // one answer per call: the benchmark measures calls, not re-asks
    req.messages.push_back(ins::message::user(
        "John Doe, 32, works at Acme in Paris as an engineer; extract the record."));
    for (;;) {
        if (c.duration ? clock_type::now() >= end : r.started >= c.requests)
            co_return;
        ++r.started;
        auto const t0 = clock_type::now();
        try {
            if (c.stream) {
                auto s = client.create_partial<T>(req);
                bool first = true;
                while (auto p = co_await s.next()) {
                    if (first)
                        r.first_partial_ms.push_back(ms_since(t0));
                    first = false;
                }
                if (c.price && s.completion())
                    r.cost_usd += s.completion()->total_usage.cost_usd.value_or(0);
            }
            else if (c.price) {  // the completion only when its cost is wanted
                auto w = co_await client.create_with_completion<T>(req);
                r.cost_usd += w.completion.total_usage.cost_usd.value_or(0);
            }
            else {
                (void)co_await client.create<T>(req);
            }
            ++r.ok;
            r.latency_ms.push_back(ms_since(t0));
        }
        catch (ins::error const& e) {
            ++r.errors[std::string(ins::to_string(e.code_enum()))];
        }
        catch (std::exception const&) {
            ++r.errors["other"];
        }
    }
}

asio::awaitable<void> progress(config const& c, results const& r, bool const& done,
                               asio::steady_timer& t, clock_type::time_point start)
{
    while (!done) {
        t.expires_after(std::chrono::milliseconds(250));
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled at the end
        std::size_t failed = 0;
        for (auto const& [name, n] : r.errors)
            failed += n;
        double const secs = std::max(1e-9, ms_since(start) / 1000);
        double const share = c.duration ? secs / *c.duration
                                        : static_cast<double>(r.ok + failed) /
                                              static_cast<double>(c.requests);
        int const width = 30;
        int const filled = std::min(width, static_cast<int>(share * width));
        std::fprintf(stderr, "\r[%s%s] %zu calls, %.0f/s, %zu errors   ",
                     std::string(filled, '=').c_str(), std::string(width - filled, ' ').c_str(),
                     r.ok + failed, static_cast<double>(r.ok + failed) / secs, failed);
    }
    std::fprintf(stderr, "\r%*s\r", 80, "");
}

template <class T>
int run(config const& c)
{
    std::optional<ins::testing::mock_server> mock;
    ins::client_options o;
    o.mode = c.mode;
    o.default_model = c.model;
    if (c.price)
        o.prices[c.model] = *c.price;
    if (c.limits.requests_per_minute || c.limits.tokens_per_minute || c.limits.max_in_flight) {
        try {
            o.rate_limiter = c.redis.empty()
                                 ? ins::make_rate_limiter(c.limits)
                                 : ins::make_redis_rate_limiter(c.redis, c.limit_name, c.limits);
        }
        catch (ins::error const& e) {  // a bad Redis URL: its text never holds the password
            flags.fail(e.what());
        }
    }
    o.transport.max_connections_per_host = std::max<std::size_t>(64, c.concurrency);
    if (c.url.empty()) {
        auto m = c.mock;
        m.max_recorded = 0;  // a long run stays small
        m.tcp_nodelay = true;
        mock.emplace(m);
        o.base_url = mock->base_url();
        o.api_key = "mock-key";
    }
    else {
        o.base_url = c.url;
        auto env = [](char const* name) {
            char const* v = std::getenv(name);
            return std::string(v ? v : "");
        };
        if (char const* key = std::getenv(c.api_key_env.c_str()))
            o.api_key = key;
        else if (ins::is_bedrock_mode(c.mode) && !env("AWS_ACCESS_KEY_ID").empty())
            // Amazon Bedrock without an API key: requests signed with the AWS credentials
            o.aws = ins::aws_credentials{env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"),
                                         env("AWS_SESSION_TOKEN"), env("AWS_REGION")};
        else if (!c.json)
            std::cerr << "instructor-bench: " << c.api_key_env
                      << " is not set: the calls carry no API key\n";
    }

    asio::io_context ioc{1};
    results r;
    // Room for the latencies up front, within reason: --requests may ask for 100 million.
    r.latency_ms.reserve(std::min<std::size_t>(c.duration ? 1 << 16 : c.requests, 1 << 20));
    bool done = false;
    int const status = [&] {
        ins::client client(ioc.get_executor(), o);
        auto const start = clock_type::now();
        auto const end = start + std::chrono::duration_cast<clock_type::duration>(
                                     std::chrono::duration<double>(c.duration.value_or(0)));
        double const cpu0 = cpu_seconds_of_this_thread();
        std::size_t running = c.concurrency;
        asio::steady_timer ticker(ioc);
        double seconds = 0, cpu = 0;
        for (std::size_t i = 0; i < c.concurrency; ++i)
            asio::co_spawn(ioc, worker<T>(client, c, r, end), [&](std::exception_ptr) {
                if (--running > 0)
                    return;
                // The run ends with its last call, not with the progress line's next tick.
                seconds = ms_since(start) / 1000;
                cpu = cpu_seconds_of_this_thread() - cpu0;
                done = true;
                ticker.cancel();
            });
        if (!c.json && isatty(STDERR_FILENO))
            asio::co_spawn(ioc, progress(c, r, done, ticker, start), asio::detached);
        ioc.run();

        std::size_t failed = 0;
        json::object errors;
        for (auto const& [name, n] : r.errors) {
            errors[name] = n;
            failed += n;
        }
        std::size_t const calls = r.ok + failed;
        auto const n = static_cast<double>(calls);
        rusage ru{};
        getrusage(RUSAGE_SELF, &ru);
        json::object out{
            {"url", c.url.empty() ? std::string("embedded mock") : c.url},
            {"mode", ins::to_string(c.mode)},
            {"schema", c.schema},
            {"stream", c.stream},
            {"concurrency", c.concurrency},
            {"requests", calls},
            {"ok", r.ok},
            {"errors", std::move(errors)},
            {"seconds", std::round(seconds * 1000) / 1000},
            {"calls_per_second", calls ? std::round(n / seconds * 10) / 10 : 0.0},
            {"latency_ms", tools::percentiles(r.latency_ms, {50, 90, 99})},
            {"client_cpu_us_per_call", calls ? std::round(cpu * 1e6 / n * 10) / 10 : 0.0},
            {"peak_rss_kib", ru.ru_maxrss},
        };
        if (c.stream)
            out["first_partial_ms"] = tools::percentiles(r.first_partial_ms, {50, 99});
        if (o.rate_limiter) {
            auto const st = o.rate_limiter->stats();
            out["rate_limit"] = json::object{{"taken", st.taken},
                                             {"waits", st.waits},
                                             {"waited_ms", st.waited.count()}};
        }
        if (c.price) {
            out["cost_usd"] = r.cost_usd;
            out["cost_usd_per_call"] = r.ok ? r.cost_usd / static_cast<double>(r.ok) : 0.0;
        }
        if (mock) {
            out["mock"] = json::object{
                {"latency_ms", c.mock.latency.count()},
                {"latency_spread_ms", c.mock.latency_spread.count()},
                {"tokens_per_second", c.mock.tokens_per_second},
                {"answer_bytes", c.mock.answer_bytes},
                {"fault_rate", c.mock.fault_rate},
                {"served", mock->stats().to_string()},
            };
        }
        if (c.json) {
            std::cout << json::serialize(out) << "\n";
        }
        else {
            auto const& lat = out["latency_ms"].as_object();
            std::printf("%zu calls (%zu ok, %zu failed) in %.2f s: %.1f calls/s, concurrency %zu\n",
                        calls, r.ok, failed, seconds, n / seconds, c.concurrency);
            std::printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
                        lat.at("p50").to_number<double>(), lat.at("p90").to_number<double>(),
                        lat.at("p99").to_number<double>(), lat.at("max").to_number<double>());
            if (c.stream) {
                auto const& fp = out["first_partial_ms"].as_object();
                std::printf("first partial ms: p50 %.2f  p99 %.2f\n",
                            fp.at("p50").to_number<double>(), fp.at("p99").to_number<double>());
            }
            if (o.rate_limiter) {
                auto const st = o.rate_limiter->stats();
                std::printf("rate limit: %llu requests let through, %llu waits, %lld ms waited\n",
                            static_cast<unsigned long long>(st.taken),
                            static_cast<unsigned long long>(st.waits),
                            static_cast<long long>(st.waited.count()));
            }
            if (c.price)
                std::printf("cost: $%.6f ($%.8f per call that succeeded)\n", r.cost_usd,
                            r.ok ? r.cost_usd / static_cast<double>(r.ok) : 0.0);
            std::printf("client CPU %.1f us per call; peak RSS %ld KiB\n",
                        calls ? cpu * 1e6 / n : 0.0, ru.ru_maxrss);
            for (auto const& [name, count] : r.errors)
                std::printf("  %s: %zu\n", name.c_str(), count);
            if (mock)
                std::printf("mock served %s\n", mock->stats().to_string().c_str());
        }
        return r.ok > 0 ? 0 : 1;
    }();
    return status;
}

int main(int argc, char** argv)
{
    auto const c = parse(argc, argv);
    try {
        if (c.schema == "nested")
            return run<NestedCompany>(c);
        if (c.schema == "large")
            return run<LargeTicket>(c);
        return run<SmallUser>(c);
    }
    catch (ins::error const& e) {  // a bad configuration (URL, key, mode)
        std::cerr << "instructor-bench: " << e.what() << "\n";
        return 2;
    }
}
