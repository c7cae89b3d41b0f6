#include "proxy.hpp"

#include "base64.hpp"
#include "header_field.hpp"

#include <instructor/error.hpp>

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/url/grammar/ci_string.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

namespace instructor::net::detail {

namespace {

/// The first of the variables that is set and not empty.
std::optional<std::string> from_env(std::initializer_list<char const*> names)
{
    for (auto const* n : names)
        if (char const* v = std::getenv(n); v && *v)
            return std::string(v);
    return std::nullopt;
}

/// `address` in `network/prefix`.
bool in_cidr(boost::asio::ip::address const& address, std::string_view cidr)
{
    auto const slash = cidr.find('/');
    boost::system::error_code ec;
    auto const net = boost::asio::ip::make_address(std::string(cidr.substr(0, slash)), ec);
    if (ec || net.is_v4() != address.is_v4())
        return false;
    unsigned prefix = 0;
    auto const bits = cidr.substr(slash + 1);
    auto [end, err] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    unsigned const width = address.is_v4() ? 32 : 128;
    if (err != std::errc() || end != bits.data() + bits.size() || prefix > width)
        return false;
    auto bytes = [](boost::asio::ip::address const& a) {
        std::vector<unsigned char> b;
        if (a.is_v4()) {
            auto const v = a.to_v4().to_bytes();
            b.assign(v.begin(), v.end());
        }
        else {
            auto const v = a.to_v6().to_bytes();
            b.assign(v.begin(), v.end());
        }
        return b;
    };
    auto const x = bytes(address), y = bytes(net);
    for (unsigned i = 0; i < prefix; ++i) {
        unsigned const mask = 0x80u >> (i % 8);
        if ((x[i / 8] & mask) != (y[i / 8] & mask))
            return false;
    }
    return true;
}

}  // namespace

std::string proxy_endpoint::where() const
{
    bool const v6 = host.find(':') != std::string::npos;
    return "proxy http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

proxy_endpoint parse_proxy_url(std::string_view url, std::string_view source)
{
    auto bad = [&](char const* why) {
        return error(errc::invalid_argument, std::string(source) + ": " + why);
    };
    std::string text(url);
    if (text.find("://") == std::string::npos)
        text = "http://" + text;  // "proxy:3128", as curl takes it
    auto r = boost::urls::parse_absolute_uri(text);
    if (!r)
        throw bad("the proxy URL is not valid");
    auto const& u = *r;
    if (!boost::urls::grammar::ci_is_equal(u.scheme(), "http"))
        throw bad("the proxy URL's scheme must be http (proxies spoken to over TLS are not "
                  "supported; https origins are still tunnelled with TLS end to end)");
    if (!u.has_authority() || u.encoded_host().empty())
        throw bad("the proxy URL has no host");
    proxy_endpoint p;
    p.host = u.host_type() == boost::urls::host_type::ipv6 ? std::string(u.encoded_host_address())
                                                           : std::string(u.host());
    if (u.has_port()) {
        auto const port = std::string_view(u.port());
        unsigned n = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
        if (ec != std::errc() || end != port.data() + port.size() || n == 0 || n > 65535)
            throw bad("the proxy URL's port is not valid");
        p.port = static_cast<std::uint16_t>(n);
    }
    if (u.has_userinfo()) {
        auto const encoded = base64(std::string(u.user()) + ":" + std::string(u.password()));
        p.authorization = "Basic " + encoded;
        p.secrets = {p.authorization, encoded, std::string(u.password())};
        if (p.authorization.size() > max_field)  // sent as a header field
            throw bad("the proxy URL's credentials are too long for a header");
    }
    return p;
}

namespace {

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

/// An entry without brackets, port or trailing dot: "[::1]:80" is "::1", "[fd00::]/8" is
/// "fd00::/8", "example.com.:443" is "example.com".
std::string entry_host(std::string e)
{
    if (e.size() > 2 && e.front() == '[') {
        auto const close = e.find(']');
        if (close != std::string::npos) {
            auto const rest = e.substr(close + 1);
            e = e.substr(1, close - 1) + (rest.starts_with("/") ? rest : "");
        }
    }
    else if (std::count(e.begin(), e.end(), ':') == 1) {
        e = e.substr(0, e.find(':'));  // a port is ignored, as curl does
    }
    while (!e.empty() && e.back() == '.')
        e.pop_back();
    return e;
}

}  // namespace

no_proxy_list::no_proxy_list(std::string_view list) : all_(trimmed(list) == "*")
{
    for (std::size_t at = 0; !all_ && at <= list.size();) {  // as curl: "*" alone, not in a list
        auto const comma = std::min(list.find(',', at), list.size());
        auto const entry = trimmed(list.substr(at, comma - at));
        at = comma + 1;
        auto e = entry_host(boost::algorithm::to_lower_copy(std::string(entry)));
        if (!e.empty() && e.front() == '.')
            e.erase(0, 1);  // ".example.com" is "example.com": subdomains match either way
        if (!e.empty())
            entries_.push_back(std::move(e));
    }
}

bool no_proxy_list::matches(std::string_view host_name) const
{
    if (all_ || entries_.empty())
        return all_;
    auto host = boost::algorithm::to_lower_copy(std::string(host_name));
    while (!host.empty() && host.back() == '.')
        host.pop_back();
    boost::system::error_code not_ip;
    auto const address = boost::asio::ip::make_address(host, not_ip);
    for (auto const& e : entries_) {
        if (!not_ip) {  // an address matches an address or a range, never a name
            boost::system::error_code ec;
            if (e.find('/') != std::string::npos ? in_cidr(address, e)
                                                 : (boost::asio::ip::make_address(e, ec) ==
                                                        address &&
                                                    !ec))
                return true;
        }
        else if (host == e || (host.size() > e.size() && host.ends_with(e) &&
                               host[host.size() - e.size() - 1] == '.')) {
            return true;
        }
    }
    return false;
}

bool no_proxy_matches(std::string_view list, std::string_view host)
{
    return no_proxy_list(list).matches(host);
}

proxy_settings::proxy_settings(transport_options const& o)
{
    if (o.proxy) {
        if (!o.proxy->empty()) {
            http_ = parse_proxy_url(*o.proxy, "transport_options::proxy");
            https_ = http_;
        }
    }
    else {
        // Under CGI a request's `Proxy:` header arrives as HTTP_PROXY ("httpoxy"): there only
        // the lower-case name is trusted, as Go's net/http does.
        bool const cgi = std::getenv("REQUEST_METHOD") != nullptr;
        if (auto v = cgi ? from_env({"http_proxy"}) : from_env({"http_proxy", "HTTP_PROXY"}))
            http_ = parse_proxy_url(*v, "HTTP_PROXY");
        if (auto v = from_env({"https_proxy", "HTTPS_PROXY"}))
            https_ = parse_proxy_url(*v, "HTTPS_PROXY");
    }
    no_proxy_ = no_proxy_list(o.no_proxy ? *o.no_proxy
                                          : from_env({"no_proxy", "NO_PROXY"}).value_or(""));
}

proxy_endpoint const* proxy_settings::for_origin(endpoint const& ep) const
{
    auto const& p = ep.tls ? https_ : http_;
    if (!p || no_proxy_.matches(ep.host))
        return nullptr;
    return &*p;
}

std::vector<std::string> proxy_settings::secrets() const
{
    std::vector<std::string> all;
    for (auto const* p : {&http_, &https_})
        if (*p)
            all.insert(all.end(), (*p)->secrets.begin(), (*p)->secrets.end());
    return all;
}

}  // namespace instructor::net::detail
