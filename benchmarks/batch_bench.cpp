// batch_bench: a batch of N lines at scale against instructor-mock (another process), in two
// runs so each one's peak memory is its own:
//
//   batch_bench create  --url URL --lines N    builds N requests, then create_batch<SmallUser>
//                                              (every line written, the file uploaded, the batch
//                                              made); prints {"phase":"create", "id", ...}
//   batch_bench results --url URL --id ID      batch_results<SmallUser> read and decoded to the
//                                              end; prints {"phase":"results", ...}
//
// Memory: the rise of the peak resident size over the resident size before the phase (the
// requests the caller holds are built before `create` measures). CPU by getrusage.
#include "flag_values.hpp"
#include "example_models.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include <malloc.h>
#include <sys/resource.h>

namespace asio = boost::asio;
namespace ins = instructor;
namespace json = boost::json;

namespace {

constexpr char const* usage =
    "usage: batch_bench create --url URL --lines N\n"
    "       batch_bench results --url URL --id ID\n";
tools::flag_values const flags{"batch_bench", usage};

long status_kib(std::string const& field)  // a line of /proc/self/status, in KiB
{
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(field + ":", 0) == 0)
            return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
    return 0;
}

void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

double cpu_seconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double round3(double x) { return std::round(x * 1000) / 1000; }

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 2)
        flags.fail("create or results?");
    std::string const phase = argv[1];
    std::string url, id;
    std::size_t lines = 0;
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string_view const a = argv[i], v = argv[i + 1];
        if (a == "--url")
            url = v;
        else if (a == "--id")
            id = v;
        else if (a == "--lines")
            lines = flags.whole(a, v, 1, ins::batch_limits_for(ins::mode::tools).max_lines);
        else
            flags.fail("unknown flag " + std::string(a));
    }
    if (url.empty() || (phase == "create" ? lines == 0 : phase == "results" ? id.empty() : true))
        flags.fail("bad arguments");

    ins::client_options o;
    o.base_url = url;
    o.api_key = "mock-key";
    o.default_model = "gpt-4o-mini";
    o.transport.max_body_bytes = 1 << 20;  // a line's bound; files are read a piece at a time
    asio::io_context ioc{1};
    ins::client client(ioc.get_executor(), o);

    std::vector<ins::request> reqs;
    for (std::size_t i = 0; i < lines; ++i) {
        ins::request r;
        r.messages.push_back(ins::message::user("Person " + std::to_string(i) + " is " +
                                                std::to_string(20 + i % 60) + " years old."));
        reqs.push_back(std::move(r));
    }
    malloc_trim(0);
    long const base = status_kib("VmRSS");
    reset_peak_rss();
    double const cpu0 = cpu_seconds();
    auto const t0 = std::chrono::steady_clock::now();
    json::object out{{"phase", phase}};
    std::exception_ptr failure;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            if (phase == "create") {
                auto b = co_await client.create_batch<SmallUser>(reqs);
                out["id"] = b.id;
                out["lines"] = b.total;
                co_return;
            }
            auto b = co_await client.retrieve_batch(id);
            auto results = client.batch_results<SmallUser>(b);
            std::size_t n = 0, ok = 0;
            while (auto r = co_await results.next()) {
                ++n;
                ok += r->value ? 1 : 0;
            }
            out["lines"] = n;
            out["ok"] = ok;
        },
        [&](std::exception_ptr e) { failure = e; });
    ioc.run();
    if (failure) {
        try {
            std::rethrow_exception(failure);
        }
        catch (std::exception const& e) {
            std::cerr << "batch_bench: " << e.what() << "\n";
        }
        return 1;
    }
    double const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    long const peak = status_kib("VmHWM");
    out["seconds"] = round3(seconds);
    out["cpu_seconds"] = round3(cpu_seconds() - cpu0);
    out["rss_before_kib"] = base;
    out["peak_rise_kib"] = peak - base;
    std::cout << json::serialize(out) << std::endl;
    return 0;
}
