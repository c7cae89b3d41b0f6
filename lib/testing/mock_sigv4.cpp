// The mock's Amazon Bedrock gate: Signature Version 4 checked as AWS checks it (see
// mock_answers.hpp, bedrock_refusal).
#include "mock_answers.hpp"

#include "protocol/bedrock/sigv4.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/split.hpp>

#include <chrono>
#include <ctime>

namespace instructor::testing {

namespace {

std::string_view header_of(std::vector<net::header> const& headers, std::string_view name)
{
    auto v = net::find_header(headers, name);
    return v ? *v : std::string_view();
}

/// `key=value` after `key=` in an Authorization header's list, up to the next ',' or space.
std::string field(std::string_view auth, std::string_view key)
{
    auto at = auth.find(std::string(key) + "=");
    if (at == std::string_view::npos)
        return {};
    auto const start = at + key.size() + 1;
    auto const end = auth.find_first_of(", ", start);
    return std::string(auth.substr(start, end == std::string_view::npos ? end : end - start));
}

/// Seconds between an X-Amz-Date (YYYYMMDDTHHMMSSZ) and now; nullopt when it is not one.
std::optional<long long> skew_of(std::string_view amz_date)
{
    std::tm tm{};
    if (amz_date.size() != 16 ||
        !strptime(std::string(amz_date).c_str(), "%Y%m%dT%H%M%SZ", &tm))
        return std::nullopt;
    auto const then = timegm(&tm);
    auto const now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    return static_cast<long long>(now - then);
}

}  // namespace

std::optional<mock_reply> bedrock_refusal(std::string_view method, std::string_view target,
                                          std::vector<net::header> const& headers,
                                          std::string_view body, mock_options const& o)
{
    if (!bedrock_path(target))
        return std::nullopt;
    auto const auth = header_of(headers, "authorization");
    if (auth.starts_with("Bearer ") && auth.size() > 7)
        return std::nullopt;  // a Bedrock API key
    if (!auth.starts_with("AWS4-HMAC-SHA256 "))
        return mock_reply::aws_error(403, "MissingAuthenticationTokenException",
                             "Missing Authentication Token");
    auto const credential = field(auth, "Credential");
    std::vector<std::string> scope;  // key id / date / region / service / aws4_request
    boost::split(scope, credential, [](char c) { return c == '/'; });
    auto const amz_date = header_of(headers, "x-amz-date");
    if (scope.size() != 5 || scope[3] != "bedrock" || scope[4] != "aws4_request" ||
        !amz_date.starts_with(scope[1]))
        return mock_reply::aws_error(403, "InvalidSignatureException",
                             "Credential should be scoped to a valid region and service "
                             "bedrock, on the request's date.");
    auto const skew = skew_of(amz_date);
    if (!skew || *skew > 300 || *skew < -300)
        return mock_reply::aws_error(403, "InvalidSignatureException",
                             "Signature expired: " + std::string(amz_date) +
                                 " is not within five minutes of the server's time.");
    // The request signed again with the mock's secret, over the headers it says it signed.
    aws_credentials creds{scope[0], o.aws_secret_access_key, {}, scope[2]};
    std::vector<std::string> names;
    auto const signed_headers = field(auth, "SignedHeaders");
    boost::split(names, signed_headers, [](char c) { return c == ';'; });
    detail::sigv4_request r{method, header_of(headers, "host"), target, {}, body};
    for (auto const& n : names) {
        if (n == "x-amz-security-token")
            creds.session_token = header_of(headers, n);
        else if (n != "host" && n != "x-amz-date")
            for (auto const& h : headers)  // every value of a repeated header, in order
                if (boost::iequals(h.name, n))
                    r.headers.push_back(h);
    }
    auto const mine = detail::sigv4_sign(creds, "bedrock", scope[2], r, amz_date);
    if (mine.signature != field(auth, "Signature") ||
        field(mine.authorization, "SignedHeaders") != signed_headers)
        return mock_reply::aws_error(403, "InvalidSignatureException",
                             "The request signature we calculated does not match the signature "
                             "you provided. Check your AWS Secret Access Key and signing method.");
    return std::nullopt;
}

}  // namespace instructor::testing
