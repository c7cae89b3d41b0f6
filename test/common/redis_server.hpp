// A redis-server of the tests' own on 127.0.0.1 (the Redis cache's and the rate limiters'
// tests): a password and a database set, so every connection logs in and selects.
#pragma once

#include "child_process.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace test {

inline constexpr char const* redis_password = "s3cret-redis-pass";
inline constexpr int redis_database = 2;

/// A redis-server on 127.0.0.1 without persistence, stopped (SIGTERM, waitpid) when destroyed
/// or, should the test program die, with it.
class redis_server {
public:
    explicit redis_server(unsigned short port = test::free_port())
        : port_(port),
          process_({"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--requirepass",
                    redis_password})
    {
        for (int i = 0; i < 200 && cli("PING") != "PONG"; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        if (cli("PING") != "PONG")
            ADD_FAILURE() << "redis-server did not start on port " << port_;
    }

    void stop() { process_.stop(); }

    unsigned short port() const { return port_; }

    std::string url(std::string pass = redis_password) const
    {
        return "redis://:" + pass + "@127.0.0.1:" + std::to_string(port_) + "/" +
               std::to_string(redis_database);
    }

    /// redis-cli's answer, one line per value, without the last newline.
    std::string cli(std::string const& command, int db = redis_database) const
    {
        auto line = "redis-cli -h 127.0.0.1 -p " + std::to_string(port_) + " -a " + redis_password +
                    " --no-auth-warning -n " + std::to_string(db) + " " + command + " 2>/dev/null";
        std::string out;
        if (FILE* f = popen(line.c_str(), "r")) {
            char buf[4096];
            while (auto n = fread(buf, 1, sizeof buf, f))
                out.append(buf, n);
            pclose(f);
        }
        while (!out.empty() && out.back() == '\n')
            out.pop_back();
        return out;
    }

    std::vector<std::string> keys(std::string const& prefix, int db = redis_database) const
    {
        std::vector<std::string> found;
        auto text = cli("KEYS '" + prefix + "*'", db);
        for (std::size_t at = 0; at < text.size();) {
            auto end = std::min(text.find('\n', at), text.size());
            found.push_back(text.substr(at, end - at));
            at = end + 1;
        }
        return found;
    }

private:
    unsigned short port_;
    test::child_process process_;
};

}  // namespace test
