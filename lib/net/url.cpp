#include <instructor/error.hpp>
#include "net/url.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url_view.hpp>

namespace instructor::net {

std::string endpoint::origin() const
{
    return (tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

namespace {

/// `url` as an error message may show it: never its credentials (what stands before an '@') nor
/// its query (keys travel there too), and not too long.
std::string shown(std::string_view url)
{
    std::string s(url.substr(0, url.find_first_of("?#")));
    if (auto at = s.rfind('@'); at != std::string::npos) {
        auto const scheme_end = s.find("://");
        std::string const scheme =
            scheme_end != std::string::npos && scheme_end < at ? s.substr(0, scheme_end + 3) : "";
        s = scheme + "[credentials]@" + s.substr(at + 1);
    }
    if (s.size() > 200)
        s = s.substr(0, 200) + "...";
    return s;
}

}  // namespace

namespace {

endpoint parse_url_now(std::string_view url)
{
    auto r = boost::urls::parse_absolute_uri(url);
    if (!r)
        throw error(errc::invalid_argument, "not an absolute URL: " + shown(url));
    auto const& u = *r;
    endpoint e;
    auto scheme = u.scheme_id();
    if (scheme == boost::urls::scheme::https)
        e.tls = true;
    else if (scheme != boost::urls::scheme::http)
        throw error(errc::invalid_argument, "only http and https URLs are supported: " + shown(url));
    if (!u.has_authority() || u.encoded_host().empty())
        throw error(errc::invalid_argument, "URL has no host: " + shown(url));
    if (u.has_userinfo())
        throw error(errc::invalid_argument, "credentials in URLs are not supported");
    e.host = u.host_type() == boost::urls::host_type::ipv6 ? std::string(u.encoded_host_address())
                                                           : std::string(u.host());
    if (u.has_port()) {
        auto p = u.port_number();
        if (p == 0)
            throw error(errc::invalid_argument, "bad port in URL: " + shown(url));
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

}  // namespace

endpoint parse_url(std::string_view url)
{
    // A client sends to the same few URLs call after call: the last one's parts are kept (per
    // thread, so no lock) and a call to it copies them instead of parsing it again.
    thread_local std::string last_url;
    thread_local endpoint last;
    if (url != last_url || last_url.empty()) {
        last_url.clear();           // nothing kept while `last` changes (should a step throw)
        last = parse_url_now(url);  // a bad URL throws here
        last_url.assign(url);
    }
    return last;
}

std::string join_url(std::string_view base, std::string_view path)
{
    while (!base.empty() && base.back() == '/')
        base.remove_suffix(1);
    while (!path.empty() && path.front() == '/')
        path.remove_prefix(1);
    std::string out;
    out.reserve(base.size() + 1 + path.size());  // one allocation
    out.append(base).push_back('/');
    out.append(path);
    return out;
}

std::string with_query(std::string url,
                       std::vector<std::pair<std::string, std::string>> const& query)
{
    for (auto const& [name, value] : query) {
        url.push_back(url.find('?') == std::string::npos ? '?' : '&');
        url += boost::urls::encode(name, boost::urls::unreserved_chars);
        url.push_back('=');
        url += boost::urls::encode(value, boost::urls::unreserved_chars);
    }
    return url;
}

std::string_view query_of(std::string_view url)
{
    url = url.substr(0, url.find('#'));
    auto const q = url.find('?');
    return q == std::string_view::npos ? std::string_view() : url.substr(q + 1);
}

}  // namespace instructor::net
