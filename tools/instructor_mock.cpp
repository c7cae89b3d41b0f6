// instructor-mock: the mock OpenAI/Anthropic endpoint as a command, for trying clients without a key.
//
//   instructor-mock [--port N] [--tls] [--chunk N] [--record N]
//                   [--fault-rate P] [--faults 429,500,cut,drip,invalid-json,...] [--seed N]
//
// Prints the base URL (and the CA file with --tls), then serves until interrupted. It keeps
// the last N requests (--record, default 1000) so a long load run stays in bounded memory.
#include <instructor/testing/mock_server.hpp>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

int main(int argc, char** argv)
{
    instructor::testing::mock_options opts;
    opts.max_recorded = 1000;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> long {
            if (i + 1 >= argc) {
                std::cerr << a << " needs a value\n";
                std::exit(2);
            }
            char* end = nullptr;
            long v = std::strtol(argv[++i], &end, 10);
            if (*end || v < 0 || v > 65535) {
                std::cerr << "bad value for " << a << "\n";
                std::exit(2);
            }
            return v;
        };
        if (a == "--port")
            opts.port = static_cast<std::uint16_t>(value());
        else if (a == "--tls")
            opts.tls = true;
        else if (a == "--chunk")
            opts.stream_chunk_size = static_cast<std::size_t>(std::max(1L, value()));
        else if (a == "--record")
            opts.max_recorded = static_cast<std::size_t>(value());
        else if (a == "--fault-rate" || a == "--seed" || a == "--faults") {
            if (i + 1 >= argc) {
                std::cerr << a << " needs a value\n";
                return 2;
            }
            std::string const v = argv[++i];
            char* end = nullptr;
            if (a == "--fault-rate") {
                double const p = std::strtod(v.c_str(), &end);
                if (*end || !(p >= 0 && p <= 1)) {
                    std::cerr << "--fault-rate takes a share between 0 and 1\n";
                    return 2;
                }
                opts.fault_rate = p;
            }
            else if (a == "--seed") {
                opts.seed = std::strtoull(v.c_str(), &end, 10);
                if (*end || v.empty()) {
                    std::cerr << "--seed takes a whole number\n";
                    return 2;
                }
            }
            else {
                opts.faults.clear();
                for (std::size_t at = 0; at <= v.size();) {
                    auto comma = v.find(',', at);
                    if (comma == std::string::npos)
                        comma = v.size();
                    auto f = instructor::testing::mock_fault_from_string(v.substr(at, comma - at));
                    if (!f) {
                        std::cerr << "unknown fault '" << v.substr(at, comma - at) << "'; known:";
                        for (auto k : instructor::testing::all_mock_faults())
                            std::cerr << " " << instructor::testing::to_string(k);
                        std::cerr << "\n";
                        return 2;
                    }
                    opts.faults.push_back(*f);
                    at = comma + 1;
                }
            }
        }
        else {
            std::cerr << "usage: instructor-mock [--port N] [--tls] [--chunk N] [--record N]\n"
                         "                       [--fault-rate P] [--faults 429,500,cut,...] [--seed N]\n";
            return a == "--help" ? 0 : 2;
        }
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // the server thread inherits the mask
    instructor::testing::mock_server server(opts);
    std::cout << "instructor-mock listening on " << server.base_url() << std::endl;
    if (opts.tls)
        std::cout << "CA file: " << server.ca_file() << std::endl;
    int sig = 0;
    sigwait(&set, &sig);
    std::cout << "stopping after " << server.requests_served() << " requests ("
              << server.faults_served() << " faulted)" << std::endl;
    return 0;
}
