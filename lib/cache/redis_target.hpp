// Where a Redis cache connects, read from its redis:// URL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace instructor::redis {

/// Where the URL points, and how to log in.
struct target {
    std::string host;
    std::uint16_t port = 6379;
    std::string user;
    std::string password;
    int db = 0;

    std::string where() const { return "Redis at " + host + ":" + std::to_string(port); }
};

/// `redis://[[user]:password@]host[:port][/db]`; throws errc::invalid_argument. Errors never
/// repeat the URL: it may hold a password.
target parse_url(std::string_view url);

}  // namespace instructor::redis
