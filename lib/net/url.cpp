#include <instructor/error.hpp>
#include <instructor/net/url.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace instructor::net {

std::string endpoint::origin() const
{
    return (tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

endpoint parse_url(std::string_view url)
{
    auto r = boost::urls::parse_absolute_uri(url);
    if (!r)
        throw error(errc::invalid_argument, "not an absolute URL: " + std::string(url));
    auto const& u = *r;
    endpoint e;
    auto scheme = u.scheme_id();
    if (scheme == boost::urls::scheme::https)
        e.tls = true;
    else if (scheme != boost::urls::scheme::http)
        throw error(errc::invalid_argument, "only http and https URLs are supported: " +
                                                std::string(url));
    if (!u.has_authority() || u.encoded_host().empty())
        throw error(errc::invalid_argument, "URL has no host: " + std::string(url));
    if (u.has_userinfo())
        throw error(errc::invalid_argument, "credentials in URLs are not supported");
    e.host = u.host_type() == boost::urls::host_type::ipv6 ? std::string(u.encoded_host_address())
                                                           : std::string(u.host());
    if (u.has_port()) {
        auto p = u.port_number();
        if (p == 0)
            throw error(errc::invalid_argument, "bad port in URL: " + std::string(url));
        e.port = p;
    }
    else {
        e.port = e.tls ? 443 : 80;
    }
    e.target = std::string(u.encoded_target());
    if (e.target.empty() || e.target.front() != '/')
        e.target.insert(0, "/");
    return e;
}

std::string join_url(std::string_view base, std::string_view path)
{
    while (!base.empty() && base.back() == '/')
        base.remove_suffix(1);
    while (!path.empty() && path.front() == '/')
        path.remove_prefix(1);
    std::string out(base);
    out.push_back('/');
    out.append(path);
    return out;
}

}  // namespace instructor::net
