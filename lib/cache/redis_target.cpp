#include "redis_target.hpp"

#include <instructor/error.hpp>

#include <boost/url/grammar/ci_string.hpp>
#include <boost/url/parse.hpp>

#include <charconv>

namespace instructor::redis {

target parse_url(std::string_view url)
{
    auto bad = [](char const* why) {
        return error(errc::invalid_argument, std::string("make_redis_cache: ") + why);
    };
    auto r = boost::urls::parse_absolute_uri(url);
    if (!r)
        throw bad("the URL is not valid");
    auto const& u = *r;
    if (!boost::urls::grammar::ci_is_equal(u.scheme(), "redis"))
        throw bad("the URL's scheme must be redis (TLS, rediss, is not supported)");
    if (!u.has_authority() || u.encoded_host().empty())
        throw bad("the URL has no host");
    if (u.has_query())
        throw bad("the URL has a query, which is not supported");
    target t;
    t.host = u.host_type() == boost::urls::host_type::ipv6 ? std::string(u.encoded_host_address())
                                                           : std::string(u.host());
    if (u.has_port()) {
        auto const port = std::string_view(u.port());  // port_number() wraps past 65535
        unsigned n = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
        if (ec != std::errc() || end != port.data() + port.size() || n == 0 || n > 65535)
            throw bad("the URL's port is not valid");
        t.port = static_cast<std::uint16_t>(n);
    }
    if (u.has_password()) {
        t.user = u.user();
        t.password = u.password();
    }
    else if (!u.encoded_user().empty()) {
        throw bad("the URL has a user but no password");
    }
    auto path = std::string_view(u.encoded_path());
    if (!path.empty() && path != "/") {
        path.remove_prefix(1);
        auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), t.db);
        if (ec != std::errc() || end != path.data() + path.size() || t.db < 0)
            throw bad("the URL's path must be a database number");
    }
    return t;
}

}  // namespace instructor::redis
