// Cache keys (SHA-256 through OpenSSL's EVP) and entries (JSON, versioned).
#include "cache_entry.hpp"

#include "protocol/json_access.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/evp.h>

#include <memory>

namespace instructor::detail {

namespace json = boost::json;

namespace {

constexpr std::string_view entry_version = "instructor-cache-1";

}  // namespace

std::string cache_key(std::string_view base_url, std::string_view body,
                      std::span<tool_spec const> tools)
{
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    auto update = [&](std::string_view part) {
        // length-prefixed, so no two different inputs run together into the same bytes
        auto const n = std::to_string(part.size()) + ":";
        EVP_DigestUpdate(ctx.get(), n.data(), n.size());
        EVP_DigestUpdate(ctx.get(), part.data(), part.size());
    };
    if (!ctx || !EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr))
        throw std::bad_alloc();
    update(entry_version);
    update(base_url);
    update(body);
    for (auto const& t : tools)
        update(t.schema ? json::serialize(*t.schema) : std::string());
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &size);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < size; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 15]);
    }
    return out;
}

std::string serialize_entry(cache_entry const& e)
{
    json::array answers;
    for (auto const& a : e.answers)
        answers.push_back(json::object{
            {"name", a.name}, {"id", a.id}, {"text", a.text}, {"reply", a.reply}});
    json::object o{{"version", entry_version},
                   {"endpoint", e.endpoint},
                   {"answers", std::move(answers)},
                   {"response", e.response}};
    if (e.run_url)
        o["run_url"] = *e.run_url;
    if (e.expires_ms)
        o["expires_ms"] = *e.expires_ms;
    return json::serialize(o);
}

std::optional<cache_entry> parse_entry(std::string_view text)
{
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    auto const* o = ec ? nullptr : v.if_object();
    if (!o || json_access::string_at(*o, "version") != entry_version)
        return std::nullopt;
    auto const* answers = json_access::array_at(*o, "answers");
    if (!answers || answers->empty())
        return std::nullopt;
    cache_entry e;
    for (auto const& a : *answers) {
        auto const* ao = a.if_object();
        if (!ao)
            return std::nullopt;
        e.answers.push_back({json_access::string_at(*ao, "name"), json_access::string_at(*ao, "id"),
                             json_access::string_at(*ao, "text"),
                             json_access::string_at(*ao, "reply")});
    }
    if (auto const* r = o->if_contains("response"))
        e.response = *r;
    e.endpoint = json_access::string_at(*o, "endpoint");
    if (auto url = json_access::string_at(*o, "run_url"); !url.empty())
        e.run_url = std::move(url);
    if (auto const* x = o->if_contains("expires_ms")) {
        auto const* n = x->if_int64();
        if (!n)
            return std::nullopt;  // an expiry that cannot be read is no entry
        e.expires_ms = *n;
    }
    return e;
}

}  // namespace instructor::detail
