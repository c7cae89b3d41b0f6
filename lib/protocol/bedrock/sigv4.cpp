// AWS Signature Version 4 (see sigv4.hpp).
#include "protocol/bedrock/sigv4.hpp"

#include <instructor/error.hpp>

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <chrono>
#include <ctime>

namespace instructor::detail {

namespace {

std::string hex(unsigned char const* p, std::size_t n)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(n * 2, '\0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0xf];
    }
    return out;
}

std::string sha256_hex(std::string_view data)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr))
        throw error(errc::invalid_argument, "SHA-256 failed");
    return hex(md, n);
}

std::string hmac(std::string_view key, std::string_view data)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<unsigned char const*>(data.data()), data.size(), md, &n))
        throw error(errc::invalid_argument, "HMAC-SHA256 failed");
    return std::string(reinterpret_cast<char const*>(md), n);
}

/// The canonical URI: dot and empty segments removed, then every byte but the unreserved and
/// '/' encoded (so an already-encoded path is encoded a second time, as AWS expects).
std::string canonical_path(std::string_view path)
{
    std::vector<std::string_view> segments;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos)
            end = path.size();
        auto const seg = path.substr(start, end - start);
        if (seg == "..") {
            if (!segments.empty())
                segments.pop_back();
        }
        else if (!seg.empty() && seg != ".") {
            segments.push_back(seg);
        }
        start = end + 1;
    }
    std::string out = "/";
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (i)
            out += '/';
        out += aws_uri_encode(segments[i]);
    }
    if (!segments.empty() && path.size() > 1 && path.back() == '/')
        out += '/';
    return out;
}

/// The canonical query: each name and value decoded, encoded AWS's way, sorted by name then
/// value.
std::string canonical_query(std::string_view query)
{
    std::vector<std::pair<std::string, std::string>> params;
    if (!query.empty()) {
        std::string const text = "?" + std::string(query);  // the view below points into it
        auto u = boost::urls::parse_uri_reference(text);
        if (!u)
            throw error(errc::invalid_argument, "the request's query cannot be signed: " +
                                                    u.error().message());
        // '+' is a plus sign here, as AWS reads it, not a space
        for (auto const& p : u->params(boost::urls::encoding_opts(false, false, false)))
            params.emplace_back(aws_uri_encode(p.key), aws_uri_encode(p.has_value ? p.value : ""));
    }
    std::ranges::sort(params);
    std::string out;
    for (auto const& [k, v] : params) {
        if (!out.empty())
            out += '&';
        out += k + '=' + v;
    }
    return out;
}

/// A header value trimmed, runs of spaces and tabs folded to one space.
std::string fold(std::string_view v)
{
    std::string out;
    bool space = false;
    for (char c : v) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += c;
    }
    return out;
}

}  // namespace

std::string aws_uri_encode(std::string_view s)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        bool const unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                                c == '~';  // ASCII alone, whatever the locale
        if (unreserved) {
            out += static_cast<char>(c);
        }
        else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 0xf];
        }
    }
    return out;
}

sigv4_signature sigv4_sign(aws_credentials const& creds, std::string_view service,
                           std::string_view region, sigv4_request const& r,
                           std::string_view amz_date)
{
    if (creds.access_key_id.empty() || creds.secret_access_key.empty())
        throw error(errc::missing_api_key,
                    "AWS credentials need an access key id and a secret access key");
    if (region.empty())
        throw error(errc::invalid_argument,
                    "no AWS region to sign for: set aws_credentials::region (AWS_REGION)");
    if (amz_date.size() != 16)
        throw error(errc::invalid_argument, "an AWS date is YYYYMMDDTHHMMSSZ");

    sigv4_signature s;
    s.headers.push_back({"X-Amz-Date", std::string(amz_date)});
    if (!creds.session_token.empty())
        s.headers.push_back({"X-Amz-Security-Token", creds.session_token});

    // Canonical headers: lower-case names sorted, values of one name joined with ','.
    std::vector<std::pair<std::string, std::string>> hs{{"host", fold(r.host)}};
    for (auto const& h : r.headers)
        hs.emplace_back(boost::algorithm::to_lower_copy(h.name), fold(h.value));
    for (auto const& h : s.headers)
        hs.emplace_back(boost::algorithm::to_lower_copy(h.name), fold(h.value));
    std::ranges::stable_sort(hs, {}, &std::pair<std::string, std::string>::first);
    std::string canonical_headers, signed_headers;
    for (std::size_t i = 0; i < hs.size(); ++i) {
        if (i > 0 && hs[i].first == hs[i - 1].first) {
            canonical_headers.back() = ',';  // the previous line's '\n'
            canonical_headers += hs[i].second + '\n';
            continue;
        }
        canonical_headers += hs[i].first + ':' + hs[i].second + '\n';
        signed_headers += (signed_headers.empty() ? "" : ";") + hs[i].first;
    }

    auto const q = r.target.find('?');
    auto const path = r.target.substr(0, q);
    auto const query = q == std::string_view::npos ? std::string_view() : r.target.substr(q + 1);
    s.canonical_request = std::string(r.method) + '\n' + canonical_path(path) + '\n' +
                          canonical_query(query) + '\n' + canonical_headers + '\n' +
                          signed_headers + '\n' + sha256_hex(r.payload);

    auto const date = amz_date.substr(0, 8);
    std::string const scope = std::string(date) + '/' + std::string(region) + '/' +
                              std::string(service) + "/aws4_request";
    s.string_to_sign = "AWS4-HMAC-SHA256\n" + std::string(amz_date) + '\n' + scope + '\n' +
                       sha256_hex(s.canonical_request);
    auto key = hmac("AWS4" + creds.secret_access_key, date);
    key = hmac(key, region);
    key = hmac(key, service);
    key = hmac(key, "aws4_request");
    auto const mac = hmac(key, s.string_to_sign);
    s.signature = hex(reinterpret_cast<unsigned char const*>(mac.data()), mac.size());
    s.authorization = "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + '/' + scope +
                      ", SignedHeaders=" + signed_headers + ", Signature=" + s.signature;
    s.headers.insert(s.headers.begin(), {"Authorization", s.authorization});
    return s;
}

std::string amz_date_now()
{
    auto const t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[17];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

std::string region_of_host(std::string_view host)
{
    // bedrock-runtime[-fips].<region>.amazonaws.com[.cn]
    auto const dot = host.find('.');
    if (dot == std::string_view::npos || !host.substr(0, dot).starts_with("bedrock"))
        return {};
    auto const rest = host.substr(dot + 1);
    auto const end = rest.find('.');
    if (end == std::string_view::npos || !rest.substr(end + 1).starts_with("amazonaws.com"))
        return {};
    return std::string(rest.substr(0, end));
}

}  // namespace instructor::detail
