// SSE parsing: line ends, fields, splits, limits, and replays of recorded provider streams.
#include <instructor/error.hpp>
#include "net/sse_parser.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace ins = instructor;

namespace instructor::net {
// Readable failure messages.
void PrintTo(sse_event const& e, std::ostream* os)
{
    *os << "{event: \"" << e.event << "\", data: \"" << e.data << "\", id: \"" << e.id << "\"}";
}
}  // namespace instructor::net

namespace sse_parser_test {

using ins::net::sse_event;
using ins::net::sse_limits;
using ins::net::sse_parser;

namespace {

std::vector<sse_event> drain(sse_parser& p)
{
    std::vector<sse_event> out;
    while (auto ev = p.next()) out.push_back(std::move(*ev));
    return out;
}

// Feeds `text` in pieces of `chunk` bytes (0: all at once), then finishes.
std::vector<sse_event> parse(std::string_view text, std::size_t chunk = 0, bool* done = nullptr)
{
    sse_parser p;
    if (chunk == 0) chunk = text.size() + 1;
    for (std::size_t i = 0; i < text.size(); i += chunk)
        EXPECT_FALSE(p.feed(text.substr(i, chunk)));
    EXPECT_FALSE(p.finish());
    if (done) *done = p.done();
    return drain(p);
}

sse_event ev(std::string event, std::string data, std::string id = {})
{
    return {std::move(event), std::move(data), std::move(id)};
}

std::string replace_all(std::string s, std::string_view from, std::string_view to)
{
    std::string out;
    std::size_t pos = 0;
    for (auto hit = s.find(from); hit != std::string::npos; hit = s.find(from, pos)) {
        out.append(s, pos, hit - pos).append(to);
        pos = hit + from.size();
    }
    return out.append(s, pos);
}

std::string read_wire(std::string const& name)
{
    std::ifstream in(std::string(INSTRUCTOR_WIRE_DIR) + "/" + name, std::ios::binary);
    EXPECT_TRUE(in) << "cannot open " << name << " in " << INSTRUCTOR_WIRE_DIR;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Several events, comments, an id, multi-line data and every kind of line end.
constexpr std::string_view mixed_stream =
    ": hello\r\n"
    "event: first\r\n"
    "data: one\r\n"
    "\r\n"
    "id: 7\n"
    "data:two\n"
    "data:  three\r"
    "\r"
    ": ping\n"
    "\n"
    "event: ignored\n"
    "\n"
    "data\n"
    "retry: 100\r\n"
    "\n"
    "data: {\"a\":1}\r\n"
    "\r"
    "\n"
    "data: [DONE]\n"
    "\n";

std::vector<sse_event> const mixed_events{
    ev("first", "one"), ev("", "two\n three", "7"), ev("", "", "7"), ev("", "{\"a\":1}", "7")};

}  // namespace

TEST(SseParser, MixedStreamInOneFeed)
{
    bool done = false;
    EXPECT_EQ(parse(mixed_stream, 0, &done), mixed_events);
    EXPECT_TRUE(done);
}

TEST(SseSplit, EverySplitPointGivesTheSameEvents)
{
    for (std::size_t i = 0; i <= mixed_stream.size(); ++i) {
        sse_parser p;
        ASSERT_FALSE(p.feed(mixed_stream.substr(0, i)));
        ASSERT_FALSE(p.feed(mixed_stream.substr(i)));
        ASSERT_FALSE(p.finish());
        EXPECT_EQ(drain(p), mixed_events) << "split at " << i;
        EXPECT_TRUE(p.done());
    }
}

TEST(SseSplit, EveryPairOfSplitPointsGivesTheSameEvents)
{
    auto const n = mixed_stream.size();
    for (std::size_t i = 0; i <= n; ++i) {
        for (std::size_t j = i; j <= n; ++j) {
            sse_parser p;
            p.feed(mixed_stream.substr(0, i));
            p.feed(mixed_stream.substr(i, j - i));
            p.feed(mixed_stream.substr(j));
            ASSERT_EQ(drain(p), mixed_events) << "splits at " << i << " and " << j;
        }
    }
}

TEST(SseSplit, OneByteFeeds)
{
    bool done = false;
    EXPECT_EQ(parse(mixed_stream, 1, &done), mixed_events);
    EXPECT_TRUE(done);
}

TEST(SseSplit, EventsArePoppedAsSoonAsTheyAreComplete)
{
    sse_parser p;
    p.feed("data: a\n");
    EXPECT_FALSE(p.next());
    p.feed("\ndata: b");
    EXPECT_EQ(p.next(), ev("", "a"));
    EXPECT_FALSE(p.next());
    p.feed("\n\n");
    EXPECT_EQ(p.next(), ev("", "b"));
}

TEST(SseLineEnds, CrlfSplitAcrossFeedsIsOneLineEnd)
{
    sse_parser p;
    p.feed("data: a\r");
    p.feed("\ndata: b\r");
    p.feed("");  // an empty read between CR and LF changes nothing
    p.feed("\n\r");
    p.feed("\n");
    EXPECT_EQ(drain(p), std::vector{ev("", "a\nb")});
}

TEST(SseLineEnds, CrOnly)
{
    EXPECT_EQ(parse("event: e\rdata: a\rdata: b\r\rdata: c\r\r"),
              (std::vector{ev("e", "a\nb"), ev("", "c")}));
}

TEST(SseLineEnds, LfCrIsTwoLineEnds)
{
    // "\n\r" ends a line and then an empty one: the event is dispatched.
    EXPECT_EQ(parse("data: a\n\rdata: b\n\n"), (std::vector{ev("", "a"), ev("", "b")}));
}

TEST(SseFields, MultiLineData)
{
    EXPECT_EQ(parse("data: a\ndata:\ndata: b\n\n"), std::vector{ev("", "a\n\nb")});
    EXPECT_EQ(parse("data: \ndata: \n\n"), std::vector{ev("", "\n")});
}

TEST(SseFields, CommentsAreIgnored)
{
    EXPECT_TRUE(parse(": ping\n\n:\n\n").empty());
    EXPECT_EQ(parse("data: a\n: keep-alive\ndata: b\n\n"), std::vector{ev("", "a\nb")});
}

TEST(SseFields, EventNames)
{
    EXPECT_EQ(parse("event: content_block_delta\ndata: {}\n\ndata: x\n\n"),
              (std::vector{ev("content_block_delta", "{}"), ev("", "x")}));
    // A blank line with no data resets the name without dispatching.
    EXPECT_EQ(parse("event: a\n\ndata: x\n\n"), std::vector{ev("", "x")});
    EXPECT_EQ(parse("event: a\nevent: b\ndata: x\n\n"), std::vector{ev("b", "x")});
}

TEST(SseFields, OneSpaceAfterTheColonIsRemoved)
{
    EXPECT_EQ(parse("data:x\n\n"), std::vector{ev("", "x")});
    EXPECT_EQ(parse("data:  x \n\n"), std::vector{ev("", " x ")});
    EXPECT_EQ(parse("data: a: b:c\n\n"), std::vector{ev("", "a: b:c")});
}

TEST(SseFields, FieldWithoutColonHasAnEmptyValue)
{
    EXPECT_EQ(parse("data\n\n"), std::vector{ev("", "")});
    EXPECT_EQ(parse("event: a\nevent\ndata: x\n\n"), std::vector{ev("", "x")});
}

TEST(SseFields, FieldNamesAreExact)
{
    EXPECT_TRUE(parse("Data: x\n\n data: x\n\ndata : x\n\n").empty());
}

TEST(SseFields, IdCarriesOverAndIgnoresNul)
{
    using namespace std::string_literals;
    EXPECT_EQ(parse("id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n"),
              (std::vector{ev("", "a", "1"), ev("", "b", "1"), ev("", "c", "")}));
    EXPECT_EQ(parse("id: 1\n\nid: 2\0x\ndata: a\n\n"s), std::vector{ev("", "a", "1")});
}

TEST(SseFields, RetryAndUnknownFieldsAreIgnored)
{
    EXPECT_EQ(parse("retry: 1000\nfoo: bar\nretry: x\ndata: a\n\n"), std::vector{ev("", "a")});
    EXPECT_TRUE(parse("retry: 1000\n\n").empty());
}

TEST(SseBom, SkippedAtTheStart)
{
    EXPECT_EQ(parse("\xEF\xBB\xBF" "data: a\n\n"), std::vector{ev("", "a")});
    EXPECT_EQ(parse("\xEF\xBB\xBF" "data: a\n\n", 1), std::vector{ev("", "a")});
    // Only one BOM is skipped: a second makes the field name unknown.
    EXPECT_TRUE(parse("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\n").empty());
}

TEST(SseBom, APartialBomIsText)
{
    // The bytes stay in the first line, making its field name unknown.
    sse_parser p;
    p.feed("\xEF\xBB");
    p.feed("data: a\n\ndata: b\n\n");
    EXPECT_EQ(drain(p), std::vector{ev("", "b")});
    EXPECT_EQ(parse("\xEF" "\n" "data: a\n\n"), std::vector{ev("", "a")});
}

TEST(SseDone, DoneIsFlaggedAndNotQueued)
{
    sse_parser p;
    p.feed("data: a\n\n");
    EXPECT_FALSE(p.done());
    p.feed("data: [DONE]\n");
    EXPECT_FALSE(p.done());
    p.feed("\n");
    EXPECT_TRUE(p.done());
    EXPECT_EQ(drain(p), std::vector{ev("", "a")});
}

TEST(SseDone, OnlyExactDataCounts)
{
    bool done = true;
    EXPECT_EQ(parse("data: [DONE] \n\ndata: [done]\n\n", 0, &done),
              (std::vector{ev("", "[DONE] "), ev("", "[done]")}));
    EXPECT_FALSE(done);
}

TEST(SseFinish, UnterminatedEventIsDiscarded)
{
    EXPECT_EQ(parse("data: a\n\ndata: b\n"), std::vector{ev("", "a")});
    EXPECT_EQ(parse("data: a\n\ndata: b"), std::vector{ev("", "a")});
    bool done = true;
    EXPECT_TRUE(parse("data: [DONE]\n", 0, &done).empty());
    EXPECT_FALSE(done);
}

TEST(SseLimits, LineLimit)
{
    sse_parser ok({.max_line = 9});
    EXPECT_FALSE(ok.feed("data: 123\r\n\r\n"));
    EXPECT_EQ(drain(ok), std::vector{ev("", "123")});

    sse_parser p({.max_line = 9});
    EXPECT_EQ(p.feed("data: 1234\n\n"), ins::errc::response_too_large);
    EXPECT_EQ(p.feed("data: 1\n\n"), ins::errc::response_too_large);  // sticky
    EXPECT_FALSE(p.next());
    EXPECT_EQ(p.finish(), ins::errc::response_too_large);
}

TEST(SseLimits, UnterminatedLineIsCappedWhileItGrows)
{
    sse_parser p({.max_line = 9});
    EXPECT_FALSE(p.feed("data"));
    EXPECT_FALSE(p.feed(": 123"));
    EXPECT_EQ(p.feed("4"), ins::errc::response_too_large);
    EXPECT_EQ(p.feed("\n\n"), ins::errc::response_too_large);
}

TEST(SseLimits, EventLimit)
{
    sse_parser ok({.max_event = 5});
    EXPECT_FALSE(ok.feed("data: abc\ndata: d\n\n"));
    EXPECT_EQ(drain(ok), std::vector{ev("", "abc\nd")});

    sse_parser p({.max_event = 5});
    EXPECT_FALSE(p.feed("data: x\n\ndata: abc\n"));
    EXPECT_EQ(p.feed("data: de\n"), ins::errc::response_too_large);
    EXPECT_EQ(p.feed("\n"), ins::errc::response_too_large);
    EXPECT_EQ(p.finish(), ins::errc::response_too_large);
    // Events completed before the error are still delivered.
    EXPECT_EQ(drain(p), std::vector{ev("", "x")});
}

TEST(SseLimits, ErrorCodeIsInTheInstructorCategory)
{
    sse_parser p({.max_line = 1});
    auto const ec = p.feed("data: x\n\n");
    EXPECT_EQ(ec, ins::make_error_code(ins::errc::response_too_large));
    EXPECT_EQ(&ec.category(), &ins::error_category());
}

TEST(SsePerformance, LongLineInOneByteFeedsIsLinear)
{
    // Re-scanning the buffered line on each feed would take ~10^11 steps here.
    std::string const payload(512 * 1024, 'x');
    std::string const text = "data: " + payload + "\n\n";
    sse_parser p;
    for (char c : text) ASSERT_FALSE(p.feed(std::string_view(&c, 1)));
    auto const events = drain(p);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].data, payload);
}

TEST(SsePerformance, ManyEventsInOneFeedAreLinear)
{
    // Erasing each consumed event from the front of a buffer would be quadratic here.
    std::string text;
    constexpr int count = 100000;
    for (int i = 0; i < count; ++i) text += "data: " + std::to_string(i) + "\n\n";
    sse_parser p;
    ASSERT_FALSE(p.feed(text));
    int expected = 0;
    while (auto e = p.next()) ASSERT_EQ(e->data, std::to_string(expected++));
    EXPECT_EQ(expected, count);
}

TEST(SseParser, EventsPoppedInPlaceAreEachTheirOwn)
{
    // Popped events live in slots reused once all are popped (their room kept, a burst's trimmed):
    // an event never shows a field of the one that used its slot before.
    sse_parser p;
    std::string burst;
    for (int i = 0; i < 40; ++i)
        burst += "event: e" + std::to_string(i) + "\nid: " + std::to_string(i) + "\ndata: " +
                 std::string(static_cast<std::size_t>(i) * 10, 'x') + std::to_string(i) + "\n\n";
    ASSERT_FALSE(p.feed(burst));
    for (int i = 0; i < 40; ++i) {
        auto const* e = p.pop();
        ASSERT_NE(e, nullptr);
        EXPECT_EQ(e->event, "e" + std::to_string(i));
        EXPECT_EQ(e->data, std::string(static_cast<std::size_t>(i) * 10, 'x') + std::to_string(i));
    }
    EXPECT_EQ(p.pop(), nullptr);
    // A large event, whose buffer is let go once it is popped.
    ASSERT_FALSE(p.feed("data: " + std::string(10000, 'y') + "\n\n"));
    auto const* large = p.pop();
    ASSERT_NE(large, nullptr);
    EXPECT_EQ(large->data, std::string(10000, 'y'));
    EXPECT_EQ(large->id, "39");
    EXPECT_EQ(p.pop(), nullptr);
    // Fewer, shorter events without an event field, some fed while others wait to be popped.
    ASSERT_FALSE(p.feed("data: a\n\ndata: b\n\n"));
    auto const* a = p.pop();
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(*a, (sse_event{"", "a", "39"}));
    ASSERT_FALSE(p.feed("id: 7\ndata: c\n\n"));
    for (auto const& want : {sse_event{"", "b", "39"}, sse_event{"", "c", "7"}}) {
        auto const* e = p.pop();
        ASSERT_NE(e, nullptr);
        EXPECT_EQ(*e, want);
    }
    EXPECT_EQ(p.pop(), nullptr);
    EXPECT_FALSE(p.next());
    // An event larger than the kept room, still arriving while the queue is drained between
    // feeds (what the call core does): its data so far is kept (sse_fuzz found this).
    ASSERT_FALSE(p.feed("data: " + std::string(5000, 'z') + "\n"));
    EXPECT_EQ(p.pop(), nullptr);
    ASSERT_FALSE(p.feed("data: " + std::string(5000, 'w')));
    EXPECT_EQ(p.pop(), nullptr);
    ASSERT_FALSE(p.feed("\n\n"));
    auto const* arriving = p.pop();
    ASSERT_NE(arriving, nullptr);
    EXPECT_EQ(arriving->data, std::string(5000, 'z') + "\n" + std::string(5000, 'w'));
    EXPECT_EQ(p.pop(), nullptr);
}

// ---- replays of recorded provider streams (../shared/wire) ----

class SseWireOpenAi : public testing::TestWithParam<char const*> {};

TEST_P(SseWireOpenAi, EveryEventIsJsonAndTheStreamEndsWithDone)
{
    std::string const text = read_wire(GetParam());
    ASSERT_FALSE(text.empty());
    bool done = false;
    auto const events = parse(text, 0, &done);
    EXPECT_TRUE(done);
    ASSERT_FALSE(events.empty());
    for (auto const& e : events) {
        EXPECT_EQ(e.event, "");
        boost::system::error_code ec;
        auto const v = boost::json::parse(e.data, ec);
        EXPECT_FALSE(ec) << e.data;
        EXPECT_TRUE(v.is_object()) << e.data;
    }
    // Any split and any line-end convention gives the same events.
    for (std::size_t chunk : {1, 2, 3, 7, 64, 1000}) EXPECT_EQ(parse(text, chunk), events);
    EXPECT_EQ(parse(replace_all(text, "\n", "\r\n"), 5), events);
    EXPECT_EQ(parse(replace_all(text, "\n", "\r"), 5), events);
}

INSTANTIATE_TEST_SUITE_P(SseReplay, SseWireOpenAi,
                         testing::Values("01_openai_stream_tool_calls_fragmented_args.sse",
                                         "03_openai_stream_json_schema_strict.sse",
                                         "04_openai_stream_tool_mode_structured.sse",
                                         "17_openrouter_kimi_stream_tool_calls.sse"));

TEST(SseWire, OpenAiFragmentedToolArgumentsReassemble)
{
    auto const events = parse(read_wire("01_openai_stream_tool_calls_fragmented_args.sse"), 3);
    std::string args;
    std::size_t pieces = 0;
    for (auto const& e : events) {
        auto const chunk = boost::json::parse(e.data).as_object();
        auto const& choices = chunk.at("choices").as_array();
        if (choices.empty()) continue;  // the final usage chunk
        auto const* calls = choices[0].at("delta").as_object().if_contains("tool_calls");
        if (!calls) continue;
        auto const& fn = calls->as_array().at(0).at("function").as_object();
        if (auto const* a = fn.if_contains("arguments")) {
            args += a->as_string();
            ++pieces;
        }
    }
    EXPECT_GT(pieces, 5u);
    boost::system::error_code ec;
    auto const v = boost::json::parse(args, ec);
    ASSERT_FALSE(ec) << args;
    EXPECT_EQ(v, boost::json::parse(R"({"a":1231,"b":2331})"));
}

class SseWireAnthropic : public testing::TestWithParam<char const*> {};

TEST_P(SseWireAnthropic, EventNamesMatchTheDataTypeAndPingsArrive)
{
    std::string const text = read_wire(GetParam());
    ASSERT_FALSE(text.empty());
    bool done = true;
    auto const events = parse(text, 0, &done);
    EXPECT_FALSE(done);
    ASSERT_FALSE(events.empty());
    std::size_t pings = 0;
    for (auto const& e : events) {
        boost::system::error_code ec;
        auto const v = boost::json::parse(e.data, ec);  // padded with blanks, still JSON
        ASSERT_FALSE(ec) << e.data;
        EXPECT_EQ(e.event, v.at("type").as_string()) << e.data;
        if (e.event == "ping") ++pings;
    }
    EXPECT_GE(pings, 1u);
    EXPECT_EQ(events.front().event, "message_start");
    EXPECT_EQ(events.back().event, "message_stop");
    for (std::size_t chunk : {1, 4, 100}) EXPECT_EQ(parse(text, chunk), events);
}

INSTANTIATE_TEST_SUITE_P(SseReplay, SseWireAnthropic,
                         testing::Values("10_anthropic_stream_tool_use_input_json_delta.sse",
                                         "11_anthropic_stream_output_format_json_schema.sse"));

}  // namespace sse_parser_test
