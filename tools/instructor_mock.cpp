// instructor-mock: the mock OpenAI/Anthropic endpoint as a command, for trying clients without a
// key and as a load target for benchmarks and harnesses.
//
//   instructor-mock [--port N] [--tls] [--chunk N] [--record N]
//                   [--latency MS[:SPREAD]] [--tokens-per-second N] [--answer-bytes N]
//                   [--write-bytes N] [--fault-rate P] [--faults 429,500,cut,...]
//                   [--seed N] [--batch-delay MS] [--max-request-bytes N]
//
// Prints the base URL (and the CA file with --tls), then serves until interrupted, and then a
// summary of what it served. Its batches (OpenAI Files and Batches, Anthropic Message
// Batches) complete --batch-delay after they are created; a batch file of more than 8 MB needs
// --max-request-bytes. It keeps the last N requests (--record, default 1000) so a long
// load run stays in bounded memory.
#include "flag_values.hpp"

#include <instructor/testing/mock_server.hpp>

#include <charconv>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

namespace {

constexpr char const* usage =
    "usage: instructor-mock [--port N] [--tls] [--chunk N] [--record N]\n"
    "                       [--latency MS[:SPREAD]] [--tokens-per-second N] [--answer-bytes N]\n"
    "                       [--write-bytes N] [--fault-rate P] [--faults 429,500,cut,...]\n"
    "                       [--seed N] [--batch-delay MS] [--max-request-bytes N]\n";

tools::flag_values const flags{"instructor-mock", usage};


}  // namespace

int main(int argc, char** argv)
{
    namespace t = instructor::testing;
    t::mock_options opts;
    opts.max_recorded = 1000;
    opts.tcp_nodelay = true;  // as a provider's server
    for (int i = 1; i < argc; ++i) {
        std::string_view const a = argv[i];
        if (a == "--help") {
            std::cout << usage;
            return 0;
        }
        if (a == "--tls") {
            opts.tls = true;
            continue;
        }
        if (i + 1 >= argc)
            flags.fail(std::string(a.starts_with("--") ? a : "'" + std::string(a) + "'") +
                 (a.starts_with("--") ? " needs a value" : " is not a flag"));
        std::string_view const v = argv[++i];
        if (a == "--port")
            opts.port = static_cast<std::uint16_t>(flags.whole(a, v, 0, 65535));
        else if (a == "--chunk")
            opts.stream_chunk_size = flags.whole(a, v, 1, 1 << 20);
        else if (a == "--record")
            opts.max_recorded = flags.whole(a, v, 0, 1'000'000);
        else if (a == "--latency") {
            auto const colon = v.find(':');
            opts.latency =
                std::chrono::milliseconds(flags.whole(a, v.substr(0, colon), 0, 600'000));
            if (colon != std::string_view::npos)
                opts.latency_spread =
                    std::chrono::milliseconds(flags.whole(a, v.substr(colon + 1), 0, 600'000));
        }
        else if (a == "--tokens-per-second") {
            opts.tokens_per_second = flags.real(a, v, 0, 1e6);
            if (opts.tokens_per_second > 0 && opts.tokens_per_second < 0.01)
                flags.fail("--tokens-per-second is 0 (unpaced) or at least 0.01");
        }
        else if (a == "--write-bytes")
            opts.stream_write_bytes = flags.whole(a, v, 1, 1 << 24);
        else if (a == "--answer-bytes")
            opts.answer_bytes = flags.whole(a, v, 0, 16 << 20);
        else if (a == "--fault-rate")
            opts.fault_rate = flags.real(a, v, 0, 1);
        else if (a == "--batch-delay")
            opts.batch_delay = std::chrono::milliseconds(flags.whole(a, v, 0, 86'400'000));
        else if (a == "--max-request-bytes")
            opts.max_request_bytes = flags.whole(a, v, 1024, 1ull << 30);
        else if (a == "--seed")
            opts.seed = flags.whole(a, v, 0, ~0ull);
        else if (a == "--faults") {
            opts.faults.clear();
            for (std::size_t at = 0; at <= v.size();) {
                auto comma = std::min(v.find(',', at), v.size());
                auto f = t::mock_fault_from_string(v.substr(at, comma - at));
                if (!f) {
                    std::string known;
                    for (auto k : t::all_mock_faults())
                        known += " " + std::string(t::to_string(k));
                    flags.fail("unknown fault '" + std::string(v.substr(at, comma - at)) +
                         "'; known:" + known);
                }
                opts.faults.push_back(*f);
                at = comma + 1;
            }
        }
        else
            flags.fail("unknown flag " + std::string(a));
    }
    // A streamed answer is an event per stream_chunk_size bytes: keep it a stream, not a flood.
    if (opts.answer_bytes / opts.stream_chunk_size > 2'000'000)
        flags.fail("--answer-bytes / --chunk makes more than 2,000,000 events an answer");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // the server thread inherits the mask
    t::mock_server server(opts);
    std::cout << "instructor-mock listening on " << server.base_url() << std::endl;
    if (opts.tls)
        std::cout << "CA file: " << server.ca_file() << std::endl;
    int sig = 0;
    sigwait(&set, &sig);
    std::cout << "served " << server.stats().to_string() << std::endl;
    return 0;
}
