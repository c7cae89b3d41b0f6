// The API table: every mode has one row, and a row is what the layers above learn of an API -
// its path, how the key is sent (and kept out of errors), its batch limits, how its error bodies
// are read (the transport reads none itself).
#include "net/http_errors.hpp"
#include "protocol/api_table.hpp"
#include "protocol/wire.hpp"

#include <instructor/batch.hpp>

#include <boost/algorithm/string/predicate.hpp>

#include <gtest/gtest.h>

namespace api_table_test {

namespace ins = instructor;
namespace det = instructor::detail;

namespace {

std::vector<ins::mode> every_mode()
{
    std::vector<ins::mode> all;
    for (int i = 0; i <= static_cast<int>(ins::mode::anthropic_structured_outputs); ++i)
        all.push_back(static_cast<ins::mode>(i));
    return all;
}

std::string header(ins::net::http_request const& r, std::string_view name)
{
    for (auto const& h : r.headers)
        if (boost::iequals(h.name, name))
            return h.value;
    return {};
}

}  // namespace

TEST(ApiTable, EveryModeIsSpokenByExactlyOneRow)
{
    for (auto m : every_mode()) {
        int speakers = 0;
        for (auto const& row : det::api_rows())
            speakers += row.speaks(m) ? 1 : 0;
        EXPECT_EQ(speakers, 1) << ins::to_string(m);
        EXPECT_TRUE(det::api_for(m).speaks(m)) << ins::to_string(m);
    }
}

TEST(ApiTable, ARequestCarriesTheRowsPathKeyAndErrorReader)
{
    ins::client_options o;
    o.base_url = "https://api.example.com/v1";
    o.api_key = "sk-table-key";
    o.headers = {{"X-Extra", "1"}};
    struct expect {
        ins::mode m;
        char const* url;
        char const* key_header;
        char const* key_value;
    };
    for (auto e : {expect{ins::mode::tools, "https://api.example.com/v1/chat/completions",
                          "Authorization", "Bearer sk-table-key"},
                   expect{ins::mode::responses_tools, "https://api.example.com/v1/responses",
                          "Authorization", "Bearer sk-table-key"},
                   expect{ins::mode::anthropic_tools, "https://api.example.com/v1/messages",
                          "x-api-key", "sk-table-key"}}) {
        SCOPED_TRACE(ins::to_string(e.m));
        auto w = det::make_wire(e.m, o);
        auto r = w->http_request({o.base_url, o.api_key, {}}, "m", false, "{}");
        EXPECT_EQ(r.url, e.url);
        EXPECT_EQ(header(r, e.key_header), e.key_value);
        EXPECT_EQ(r.headers.front().name, e.key_header);  // auth first, the extra headers last
        EXPECT_EQ(r.headers.back().name, "X-Extra");
        EXPECT_TRUE(std::ranges::any_of(
            r.secret_headers, [&](auto const& n) { return boost::iequals(n, e.key_header); }));
        EXPECT_EQ(r.error_message, det::api_for(e.m).error_message);
        ASSERT_NE(r.error_message, nullptr);
        // No key, no auth header.
        auto anonymous = w->http_request({o.base_url, "", {}}, "m", false, "{}");
        EXPECT_TRUE(header(anonymous, e.key_header).empty());
    }
}

TEST(ApiTable, TheClientsQueryAndKeyHeaderReachEveryRow)
{
    ins::client_options o;
    o.base_url = "https://res.example.com/openai/deployments/d";
    o.api_key = "azure-table-key";
    o.query = {{"api-version", "2024-10-21"}};
    o.api_key_header = "api-key";
    for (auto m : {ins::mode::tools, ins::mode::responses_tools, ins::mode::anthropic_tools}) {
        SCOPED_TRACE(ins::to_string(m));
        auto w = det::make_wire(m, o);
        auto r = w->http_request({o.base_url, o.api_key, {}}, "m", false, "{}");
        EXPECT_TRUE(r.url.ends_with("?api-version=2024-10-21")) << r.url;
        EXPECT_EQ(header(r, "api-key"), "azure-table-key");
        EXPECT_TRUE(header(r, "Authorization").empty());
        EXPECT_TRUE(header(r, "x-api-key").empty());
        EXPECT_TRUE(std::ranges::any_of(r.secret_headers,
                                        [](auto const& n) { return boost::iequals(n, "api-key"); }));
        EXPECT_TRUE(header(w->http_request({o.base_url, "", {}}, "m", false, "{}"), "api-key").empty());
    }
}

TEST(ApiTable, ErrorBodiesAreReadInTheirApisFormat)
{
    auto const openai = det::api_for(ins::mode::tools).error_message;
    auto const anthropic = det::api_for(ins::mode::anthropic_tools).error_message;
    EXPECT_EQ(openai(R"({"error":{"message":"Incorrect API key","type":"invalid_request_error"}})"),
              "Incorrect API key");
    // OpenRouter: the upstream provider's words in metadata.raw.
    EXPECT_EQ(openai(R"({"error":{"message":"Provider returned error","code":400,
                         "metadata":{"raw":"model overloaded","provider_name":"X"}}})"),
              "Provider returned error: model overloaded");
    // Ollama
    EXPECT_EQ(openai(R"({"error":"model 'llama9' not found"})"), "model 'llama9' not found");
    EXPECT_EQ(openai(R"({"detail":"Not Found"})"), "Not Found");  // FastAPI (vLLM)
    EXPECT_EQ(openai("<html>bad gateway</html>"), "");
    EXPECT_EQ(
        anthropic(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"),
        "Overloaded");
    EXPECT_EQ(anthropic(R"({"error":"not anthropic's shape"})"), "");
    // The transport, given a reader that finds nothing, shows the body's start on one line.
    EXPECT_EQ(ins::net::server_message("<html>\nbad gateway</html>", openai), "<html> bad gateway</html>");
    EXPECT_EQ(ins::net::server_message(R"({"detail":"x"})", nullptr), R"({"detail":"x"})");
    auto e = ins::net::http_error({429, {}, R"({"error":{"message":"slow down sk-secret-1"}})"},
                                  {"sk-secret-1"}, openai);
    EXPECT_EQ(e.code_enum(), ins::errc::rate_limited);
    EXPECT_EQ(e.provider_message, "slow down [redacted]");
}

TEST(ApiTable, BatchLimitsComeFromTheRow)
{
    EXPECT_EQ(ins::batch_limits_for(ins::mode::tools).max_lines, 50'000u);
    EXPECT_EQ(ins::batch_limits_for(ins::mode::responses_structured_outputs).max_bytes,
              200u * 1024 * 1024);
    EXPECT_EQ(ins::batch_limits_for(ins::mode::anthropic_json).max_lines, 100'000u);
    EXPECT_EQ(ins::batch_limits_for(ins::mode::anthropic_tools).max_bytes, 256u * 1024 * 1024);
}

}  // namespace api_table_test
