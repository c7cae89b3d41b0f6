// create_partial and create_iterable against the mock endpoint and recorded real streams.
#include "async_test.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace stream_test {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace models;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;
using namespace std::chrono_literals;

namespace {

ins::client_options options_for(mock_server const& m, ins::mode mode = ins::mode::tools)
{
    ins::client_options o;
    o.base_url = m.base_url();
    o.api_key = "sk-stream-test";
    o.mode = mode;
    o.default_model = "gpt-4o-mini";
    o.ca_file = m.ca_file();
    return o;
}

ins::request john()
{
    ins::request r;
    r.messages.push_back(ins::message::user("John Doe is 32 years old."));
    return r;
}

template <class Body>
std::optional<ins::error> with_client(ins::client_options const& o, Body body)
{
    return test::with<ins::client>(o, std::move(body));
}

struct snapshot {
    std::string name;
    int age;
    bool has_name, has_age, complete, restarted;
    int attempt;
};

/// Reads a whole partial stream of UserInfo into copies of its snapshots.
asio::awaitable<std::vector<snapshot>> drain(ins::stream<ins::partial<UserInfo>>& s)
{
    std::vector<snapshot> out;
    while (auto p = co_await s.next())
        out.push_back({p->value.name, p->value.age, p->has(&UserInfo::name), p->has(&UserInfo::age),
                       p->complete, p->restarted, p->attempt});
    co_return out;
}

/// An OpenAI stream whose content (or tool call arguments) is `text`, in `piece`-byte deltas.
mock_reply streamed(std::string const& text, bool tool, std::size_t piece = 5, bool done = true)
{
    std::vector<std::string> events;
    auto chunk = [&](json::object delta, json::value finish) {
        events.push_back(json::serialize(json::object{
            {"id", "chatcmpl-x"},
            {"object", "chat.completion.chunk"},
            {"choices", json::array{json::object{{"index", 0}, {"delta", std::move(delta)},
                                                 {"finish_reason", finish}}}}}));
    };
    if (tool)
        chunk({{"tool_calls", json::array{json::object{{"index", 0}, {"id", "call_1"}, {"type", "function"},
                                                       {"function", {{"name", "UserInfo"}, {"arguments", ""}}}}}}},
              nullptr);
    for (std::size_t i = 0; i < text.size(); i += piece) {
        auto part = text.substr(i, piece);
        if (tool)
            chunk({{"tool_calls", json::array{json::object{{"index", 0}, {"function", {{"arguments", part}}}}}}},
                  nullptr);
        else
            chunk({{"content", part}}, nullptr);
    }
    chunk({}, json::value(tool ? "tool_calls" : "stop"));
    events.push_back(R"({"id":"chatcmpl-x","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":5,"total_tokens":12}})");
    auto r = mock_reply::sse(events, done);
    r.chunk_size = 40;
    return r;
}

}  // namespace

class PartialEveryMode : public ::testing::TestWithParam<ins::mode> {};

TEST_P(PartialEveryMode, SnapshotsGrowThenTheFinalObject)
{
    mock_server m({.stream_chunk_size = 3});
    std::vector<snapshot> snaps;
    ins::usage usage;
    auto err = with_client(options_for(m, GetParam()), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<UserInfo>(john());
        snaps = co_await drain(s);
        usage = s.total_usage();
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_GT(snaps.size(), 3u);
    auto const& last = snaps.back();
    EXPECT_TRUE(last.complete);
    EXPECT_EQ(last.name, "John Doe");
    EXPECT_EQ(last.age, 32);
    EXPECT_TRUE(last.has_age);
    EXPECT_FALSE(snaps.front().has_age);
    // has() follows the keys as they arrive, before the object is complete
    auto name_only = std::find_if(snaps.begin(), snaps.end(), [](snapshot const& s) {
        return s.has_name && !s.has_age && !s.complete;
    });
    EXPECT_NE(name_only, snaps.end());
    auto both = std::find_if(snaps.begin(), snaps.end(), [](snapshot const& s) {
        return s.has_name && s.has_age && !s.complete;
    });
    EXPECT_NE(both, snaps.end());
    for (std::size_t i = 0; i + 1 < snaps.size(); ++i) {
        EXPECT_FALSE(snaps[i].complete);
        EXPECT_TRUE(last.name.starts_with(snaps[i].name)) << snaps[i].name;  // strings only grow
    }
    EXPECT_GT(usage.total_tokens, 0u);
    auto body = json::parse(m.requests().at(0).body);
    EXPECT_EQ(body.at("stream"), true);
    EXPECT_EQ(body.at("stream_options").at("include_usage"), true);
}

INSTANTIATE_TEST_SUITE_P(Stream, PartialEveryMode,
                         ::testing::Values(ins::mode::tools, ins::mode::tools_strict, ins::mode::json,
                                           ins::mode::json_schema, ins::mode::md_json,
                                           ins::mode::structured_outputs),
                         [](auto const& param_info) { return std::string(ins::to_string(param_info.param)); });

TEST(Stream, PartialOverHttps)
{
    mock_server m({.tls = true});
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<UserInfo>(john());
        auto snaps = co_await drain(s);
        EXPECT_EQ(snaps.back().name, "John Doe");
    });
    EXPECT_FALSE(err) << err->what();
}

TEST(Stream, IterableItemsComeOutAsTheyClose)
{
    mock_server m;
    std::string const text = R"({"tasks":[{"name":"Ann","age":1},{"name":"Bob","age":2},{"name":"Cy","age":3}]})";
    m.push(streamed(text, true));
    std::vector<UserInfo> items;
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_iterable<UserInfo>(john());
        while (auto u = co_await s.next())
            items.push_back(*u);
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items[0].name, "Ann");
    EXPECT_EQ(items[2].age, 3);
    auto fn = json::parse(m.requests().at(0).body).at("tools").at(0).at("function");
    EXPECT_EQ(fn.at("name"), "IterableUserInfo");
    EXPECT_EQ(fn.at("parameters").at("properties").at("tasks").at("type"), "array");
}

TEST(Stream, IterableItemsBeforeACutAreDelivered)
{
    // the connection dies after the second item closed: both come out, then the error
    mock_server m;
    std::string const text = R"({"tasks":[{"name":"Ann","age":1},{"name":"Bob","age":2},{"name":"Cy","age":3}]})";
    auto r = streamed(text, false, 4);
    auto cut = r.body.find(R"(\"Cy)");
    ASSERT_NE(cut, std::string::npos);
    r.close_after_bytes = cut;
    m.push(r);
    std::vector<std::string> names;
    auto err = with_client(options_for(m, ins::mode::json), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_iterable<UserInfo>(john());
        while (auto u = co_await s.next())
            names.push_back(u->name);
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::connection_failed);
    EXPECT_EQ(names, (std::vector<std::string>{"Ann", "Bob"}));
}

TEST(Stream, InvalidFinalObjectIsReaskedAndTheConsumerIsTold)
{
    mock_server m;
    m.push(streamed(R"({"name":"John Doe","age":"thirty"})", true));
    std::vector<snapshot> snaps;
    int attempts = 0;
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<UserInfo>(john());
        snaps = co_await drain(s);
        attempts = s.attempts();
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(attempts, 2);
    EXPECT_EQ(snaps.front().attempt, 1);
    auto restart = std::find_if(snaps.begin(), snaps.end(), [](auto const& s) { return s.restarted; });
    ASSERT_NE(restart, snaps.end());
    EXPECT_EQ(restart->attempt, 2);
    EXPECT_TRUE(snaps.back().complete);
    EXPECT_EQ(snaps.back().age, 32);
    auto second = json::parse(m.requests().at(1).body);
    auto const& msgs = second.at("messages").as_array();
    EXPECT_EQ(msgs.back().at("role"), "tool");
    EXPECT_NE(std::string(msgs.back().at("content").as_string()).find("age: Input should be a valid integer"),
              std::string::npos);
}

TEST(Stream, ErrorsMidStreamEndTheStream)
{
    struct row {
        mock_reply reply;
        ins::errc code;
    };
    auto cut = streamed(R"({"name":"John Doe","age":32})", true);
    cut.close_after_bytes = 200;
    auto error_event = mock_reply::sse({R"({"error":{"message":"Overloaded","type":"server_error"}})"});
    auto malformed = mock_reply::sse({"this is not json"});
    auto no_done = streamed(R"({"name":"John Doe","age":32})", true, 5, false);
    auto hostile_index = mock_reply::sse(
        {R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":4000000000,"function":{"name":"UserInfo","arguments":"{"}}]}}]})"});
    for (auto& [reply, code] : std::vector<row>{{cut, ins::errc::connection_failed},
                                               {error_event, ins::errc::server_error},
                                               {malformed, ins::errc::protocol_error},
                                               {no_done, ins::errc::protocol_error},
                                               {hostile_index, ins::errc::protocol_error}}) {
        mock_server m;
        m.push(reply);
        int after_error = 0;
        auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
            auto s = c.create_partial<UserInfo>(john());
            std::optional<ins::error> caught;
            try {
                while (co_await s.next()) {
                }
            }
            catch (ins::error const& e) {
                ++after_error;
                caught = e;
            }
            if (caught) {
                // nothing comes out of a stream after its error
                auto again = co_await s.next();
                EXPECT_FALSE(again.has_value());
                throw *caught;
            }
        });
        ASSERT_TRUE(err);
        EXPECT_EQ(err->code(), code) << err->what();
        EXPECT_EQ(after_error, 1);
    }
}

TEST(Stream, IdleTimeoutMidStream)
{
    mock_server m;
    auto slow = streamed(R"({"name":"John Doe","age":32})", true);
    slow.chunk_size = 30;
    slow.chunk_delay = 1s;
    m.push(slow);
    auto o = options_for(m);
    o.transport.idle_timeout = 200ms;
    auto err = with_client(o, [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<UserInfo>(john());
        while (co_await s.next()) {
        }
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::timeout);
}

TEST(Stream, AbandonedStreamClosesTheConnection)
{
    mock_server m;
    auto slow = streamed(R"({"name":"John Doe","age":32})", true, 2);
    slow.chunk_size = 20;
    slow.chunk_delay = 30ms;
    m.push(slow);
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        {
            auto s = c.create_partial<UserInfo>(john());
            auto first = co_await s.next();
            EXPECT_TRUE(first.has_value());
        }  // destroyed mid-stream
        EXPECT_EQ(c.options().base_url, m.base_url());
    });
    EXPECT_FALSE(err);
    for (int i = 0; i < 300 && m.open_connections() != 0; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(m.open_connections(), 0u);
}

TEST(Stream, NothingHappensBeforeTheFirstNext)
{
    mock_server m;
    EXPECT_FALSE(with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<UserInfo>(john());
        co_return;
    }));
    EXPECT_TRUE(m.requests().empty());
}

// ---- recorded real streams -----------------------------------------------------------------------

namespace {

struct Multiply {
    int a;
    int b;
};
BOOST_DESCRIBE_STRUCT(Multiply, (), (a, b))

struct Output {
    int output;
};
BOOST_DESCRIBE_STRUCT(Output, (), (output))

mock_reply recorded_stream(std::string const& stem)
{
    std::ifstream in(std::filesystem::path(INSTRUCTOR_WIRE_DIR) / (stem + ".sse"), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    mock_reply r;
    r.content_type = "text/event-stream";
    r.body = s.str();
    r.chunk_size = 11;
    return r;
}

template <class T>
std::optional<T> final_of(mock_server& m, ins::mode mode, std::optional<ins::error>& err)
{
    std::optional<T> out;
    err = with_client(options_for(m, mode), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<T>(john());
        while (auto p = co_await s.next())
            if (p->complete)
                out = p->value;
    });
    return out;
}

}  // namespace

TEST(StreamWire, OpenAiFragmentedToolArguments)
{
    mock_server m;
    m.push(recorded_stream("01_openai_stream_tool_calls_fragmented_args"));
    std::optional<ins::error> err;
    auto v = final_of<Multiply>(m, ins::mode::tools, err);
    ASSERT_FALSE(err) << err->what();
    ASSERT_TRUE(v);
    EXPECT_EQ(v->a, 1231);
    EXPECT_EQ(v->b, 2331);
}

TEST(StreamWire, OpenAiJsonSchemaContentWithObfuscationField)
{
    mock_server m;
    m.push(recorded_stream("03_openai_stream_json_schema_strict"));
    std::optional<ins::error> err;
    auto v = final_of<Output>(m, ins::mode::structured_outputs, err);
    ASSERT_FALSE(err) << err->what();
    ASSERT_TRUE(v);
    EXPECT_EQ(v->output, 7);
}

TEST(StreamWire, OpenAiToolModeStructured)
{
    mock_server m;
    m.push(recorded_stream("04_openai_stream_tool_mode_structured"));
    std::optional<ins::error> err;
    auto v = final_of<Output>(m, ins::mode::tools, err);
    ASSERT_FALSE(err) << err->what();
    ASSERT_TRUE(v);
    EXPECT_EQ(v->output, 7);
}


TEST(Stream, IterableOfVariantsComesOutInCallOrder)
{
    mock_server m;
    std::vector<std::string> events;
    auto call = [&](int index, std::string name, std::string args) {
        events.push_back(json::serialize(json::object{
            {"choices", json::array{json::object{
                            {"index", 0},
                            {"delta", {{"tool_calls", json::array{json::object{
                                                          {"index", index}, {"id", "c" + std::to_string(index)},
                                                          {"type", "function"},
                                                          {"function", {{"name", name}, {"arguments", ""}}}}}}}},
                            {"finish_reason", nullptr}}}}}));
        for (std::size_t i = 0; i < args.size(); i += 3)
            events.push_back(json::serialize(json::object{
                {"choices", json::array{json::object{
                                {"index", 0},
                                {"delta", {{"tool_calls", json::array{json::object{
                                                              {"index", index},
                                                              {"function", {{"arguments", args.substr(i, 3)}}}}}}}},
                                {"finish_reason", nullptr}}}}}));
    };
    call(0, "Search", R"({"query":"news"})");
    call(1, "Weather", R"({"city":"Paris"})");
    call(2, "Search", R"({"query":"rain"})");
    events.push_back(R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})");
    m.push(mock_reply::sse(events));
    std::vector<std::string> got;
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_iterable<std::variant<Weather, Search>>(john());
        while (auto item = co_await s.next())
            got.push_back(std::visit([](auto const& v) { return ins::to_json(v); }, *item));
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(got, (std::vector<std::string>{R"({"query":"news"})", R"({"city":"Paris"})",
                                             R"({"query":"rain"})"}));
    auto body = json::parse(m.requests().at(0).body);
    EXPECT_EQ(body.at("tool_choice"), "auto");
    EXPECT_EQ(body.at("tools").as_array().size(), 2u);
}

TEST(Stream, IterableOfVariantsAgainstTheDefaultAnswer)
{
    mock_server m;
    std::size_t n = 0;
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_iterable<std::variant<Weather, Search>>(john());
        while (auto item = co_await s.next())
            ++n;
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(n, 2u);  // the mock calls every offered function once
}

}  // namespace stream_test
