// The real provider transcripts in shared/wire/ replayed through the mock endpoint and read back
// by the transport: status mapping, provider messages, and SSE framing of real streams.
#include "async_test.hpp"

#include <instructor/error.hpp>
#include <instructor/net/http_client.hpp>
#include "net/sse_parser.hpp"
#include <instructor/testing/mock_server.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace wire_replay_test {

namespace asio = boost::asio;
namespace net = instructor::net;
namespace ins = instructor;
namespace fs = std::filesystem;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;

namespace {

std::string slurp(fs::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

fs::path wire(std::string const& name) { return fs::path(INSTRUCTOR_WIRE_DIR) / name; }

boost::json::object meta(std::string const& stem)
{
    return boost::json::parse(slurp(wire(stem + ".meta.json"))).as_object();
}

/// The recorded response, served as the provider sent it (status, retry headers, body).
mock_reply recorded(std::string const& stem, std::string const& ext)
{
    auto m = meta(stem);
    mock_reply r;
    r.body = slurp(wire(stem + ext));
    if (auto const* s = m.if_contains("status"); s && s->is_int64())
        r.status = static_cast<unsigned>(s->as_int64());
    if (auto const* h = m.if_contains("response_headers"); h && h->is_object())
        for (auto const& kv : h->as_object()) {
            std::string name(kv.key());
            for (auto& c : name)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (name == "x-should-retry" || name == "retry-after" || name == "content-type") {
                auto const& v = kv.value();
                std::string value(v.is_array() ? v.as_array().at(0).as_string()
                                               : v.as_string());
                if (name == "content-type")
                    r.content_type = value;
                else
                    r.headers.push_back({name, value});
            }
        }
    if (ext == ".sse")
        r.chunk_size = 7;  // odd pieces split lines and CRLFs
    return r;
}

net::http_request post(mock_server const& m, std::string path)
{
    net::http_request r;
    r.url = m.base_url() + path;
    r.headers = {{"x-api-key", "sk-ant-secret-000"}};
    r.body = "{}";
    return r;
}

struct error_case {
    char const* stem;
    ins::errc code;
    char const* message_part;
};

}  // namespace

TEST(WireReplay, ErrorBodiesMapToErrcAndProviderMessage)
{
    for (auto const& c : {
             error_case{"07_openai_401_invalid_api_key", ins::errc::authentication_failed,
                        "Incorrect API key provided"},
             error_case{"08_openai_400_unsupported_parameter", ins::errc::bad_request,
                        "Unsupported parameter"},
             error_case{"09_openai_404_model_not_found", ins::errc::not_found, "does not exist"},
             error_case{"15_anthropic_401_invalid_x_api_key", ins::errc::authentication_failed,
                        "invalid x-api-key"},
             error_case{"16_anthropic_400_invalid_request", ins::errc::bad_request, ""},
             error_case{"18_openrouter_429_rate_limited", ins::errc::rate_limited,
                        "temporarily rate-limited upstream"},
             error_case{"22_groq_400_tool_use_failed", ins::errc::bad_request, ""},
         }) {
        mock_server m;
        m.push(recorded(c.stem, ".json"));
        test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
            net::http_client client(ex);
            try {
                co_await client.send(post(m, "/messages"), {.max_retries = 0});
                ADD_FAILURE() << c.stem;
            }
            catch (ins::error const& e) {
                EXPECT_EQ(e.code(), c.code) << c.stem;
                EXPECT_FALSE(e.provider_message.empty()) << c.stem;
                EXPECT_NE(e.provider_message.find(c.message_part), std::string::npos)
                    << c.stem << ": " << e.provider_message;
            }
        });
    }
}

TEST(WireReplay, AnthropicShouldRetryFalseIsHonoured)
{
    // 15 carries x-should-retry: false: even a retrying client asks once
    mock_server m;
    m.push(recorded("15_anthropic_401_invalid_x_api_key", ".json"));
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        net::http_client client(ex);
        try {
            co_await client.send(post(m, "/messages"), {.max_retries = 3});
        }
        catch (ins::error const&) {
        }
    });
    EXPECT_EQ(m.requests().size(), 1u);
}

TEST(WireReplay, SuccessfulBodiesArriveIntact)
{
    for (auto stem : {"02_openai_nonstream_tool_calls", "05_openai_nonstream_json_schema_strict",
                      "06_openai_nonstream_json_schema_plus_tools",
                      "12_anthropic_nonstream_output_format_json_schema",
                      "13_anthropic_nonstream_tool_use", "19_ollama_local_json_schema",
                      "20_gemini_openai_compat_tool_calls_no_id", "21_groq_json_schema",
                      "23_together_tool_calls"}) {
        mock_server m;
        m.push(recorded(stem, ".json"));
        test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
            net::http_client client(ex);
            auto r = co_await client.send(post(m, "/chat/completions"));
            EXPECT_EQ(r.status, 200u) << stem;
            EXPECT_EQ(r.body, slurp(wire(std::string(stem) + ".json"))) << stem;
        });
    }
}

TEST(WireReplay, RecordedStreamsFrameIntoEvents)
{
    struct stream_case {
        char const* stem;
        bool openai;
    };
    for (auto c : {stream_case{"01_openai_stream_tool_calls_fragmented_args", true},
                   stream_case{"03_openai_stream_json_schema_strict", true},
                   stream_case{"04_openai_stream_tool_mode_structured", true},
                   stream_case{"17_openrouter_kimi_stream_tool_calls", true},
                   stream_case{"10_anthropic_stream_tool_use_input_json_delta", false},
                   stream_case{"11_anthropic_stream_output_format_json_schema", false},
                   stream_case{"14_anthropic_stream_tool_use_simple", false}}) {
        mock_server m;
        m.push(recorded(c.stem, ".sse"));
        test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
            net::http_client client(ex);
            auto s = co_await client.open_stream(post(m, "/chat/completions"));
            net::sse_parser sse;
            int events = 0;
            bool stopped = false;
            while (auto bytes = co_await s.read_some()) {
                EXPECT_FALSE(sse.feed(*bytes)) << c.stem;
                while (auto ev = sse.next()) {
                    ++events;
                    auto v = boost::json::parse(ev->data);  // every payload is JSON
                    if (!c.openai) {
                        EXPECT_EQ(ev->event, v.at("type").as_string()) << c.stem;
                        stopped = stopped || ev->event == "message_stop";
                    }
                }
            }
            EXPECT_FALSE(sse.finish());
            EXPECT_GT(events, 2) << c.stem;
            if (c.openai)
                EXPECT_TRUE(sse.done()) << c.stem;
            else
                EXPECT_TRUE(stopped) << c.stem;
        });
    }
}

}  // namespace wire_replay_test
