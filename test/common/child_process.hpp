// Real servers from Debian that integration tests start on 127.0.0.1 (redis-server, tinyproxy):
// a free port, and a child process stopped with the test (or with the test program, should it
// die first).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace test {

/// A port nothing listens on (bound, then closed).
inline unsigned short free_port()
{
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

/// Whether something accepts connections on 127.0.0.1:`port`.
inline bool listening(unsigned short port)
{
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket s(ioc);
    boost::system::error_code ec;
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    return !ec;
}

/// `args` run as a child process, its stdout (and stderr unless `keep_stderr`) to /dev/null;
/// SIGTERM when stopped or destroyed, SIGKILL if it has not ended 5 s later.
class child_process {
public:
    explicit child_process(std::vector<std::string> args, bool keep_stderr = true)
    {
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_ = fork();
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            if (!keep_stderr)
                dup2(null, 2);
            execvp(argv[0], argv.data());
            _exit(127);
        }
    }
    child_process(child_process const&) = delete;
    child_process& operator=(child_process const&) = delete;
    ~child_process() { stop(); }

    void stop()
    {
        if (pid_ <= 0)
            return;
        kill(pid_, SIGTERM);
        // A server may not end on it (tinyproxy was seen to catch it and stay in a poll() with
        // no timeout, the test waiting on it for ever): a bounded wait, then SIGKILL.
        bool ended = false;
        for (int i = 0; i < 200 && !ended; ++i) {
            ended = waitpid(pid_, nullptr, WNOHANG) != 0;  // reaped (or no longer a child)
            if (!ended)
                std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        if (!ended) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        pid_ = -1;
    }

    /// Waits (bounded: 5 s) until the child accepts connections on `port`.
    bool wait_listening(unsigned short port) const
    {
        for (int i = 0; i < 200 && !listening(port); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        return listening(port);
    }

private:
    pid_t pid_ = -1;
};

}  // namespace test
