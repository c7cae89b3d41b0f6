// instructor-mock: the mock OpenAI/Anthropic endpoint as a command, for trying clients without a key.
//
//   instructor-mock [--port N] [--tls] [--chunk N]
//
// Prints the base URL (and the CA file with --tls), then serves until interrupted.
#include <instructor/testing/mock_server.hpp>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

int main(int argc, char** argv)
{
    instructor::testing::mock_options opts;
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
        else {
            std::cerr << "usage: instructor-mock [--port N] [--tls] [--chunk N]\n";
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
    std::cout << "stopping after " << server.requests().size() << " requests" << std::endl;
    return 0;
}
