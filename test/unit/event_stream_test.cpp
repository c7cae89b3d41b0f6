// AWS event-stream frames (Bedrock's converse-stream): botocore's published test frames, every
// header type, frames split anywhere, and each way a frame can be wrong (either CRC, lengths
// that disagree, a frame past the limit, a body cut inside a frame) as a typed error.
#include "protocol/bedrock/event_stream.hpp"

#include <instructor/error.hpp>

#include <boost/algorithm/hex.hpp>
#include <boost/crc.hpp>

#include <gtest/gtest.h>

namespace event_stream_test {

namespace ins = instructor;
namespace det = ins::detail;

namespace {

std::string unhex(std::string_view h)
{
    std::string out;
    boost::algorithm::unhex(h.begin(), h.end(), std::back_inserter(out));
    return out;
}

std::vector<ins::net::sse_event> decode_all(std::string_view bytes, std::size_t piece,
                                            std::error_code* ec = nullptr)
{
    det::event_stream_decoder d(1 << 20);
    std::vector<ins::net::sse_event> out;
    std::error_code e;
    for (std::size_t i = 0; i < bytes.size() && !e; i += piece)
        e = d.feed(bytes.substr(i, piece));
    if (!e)
        e = d.finish();
    while (auto ev = d.next())
        out.push_back(std::move(*ev));
    if (ec)
        *ec = e;
    return out;
}

void put32(std::string& out, std::uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::uint32_t crc(std::string_view b)
{
    boost::crc_32_type c;
    c.process_bytes(b.data(), b.size());
    return c.checksum();
}

/// A frame of raw header bytes and a payload, both CRCs right.
std::string frame_of(std::string_view headers, std::string_view payload)
{
    std::string out;
    put32(out, static_cast<std::uint32_t>(16 + headers.size() + payload.size()));
    put32(out, static_cast<std::uint32_t>(headers.size()));
    put32(out, crc(out));
    out += headers;
    out += payload;
    put32(out, crc(out));
    return out;
}

std::string string_header(std::string_view name, std::string_view value)
{
    std::string h(1, static_cast<char>(name.size()));
    h += name;
    h += '\x07';
    h += static_cast<char>(value.size() >> 8);
    h += static_cast<char>(value.size() & 0xff);
    h += value;
    return h;
}

}  // namespace

TEST(EventStream, BotocoresFramesDecode)
{
    // The empty frame, a payload alone, a payload with one string header: their bytes as
    // botocore's test_eventstream.py publishes them. With no :message-type, none is an event
    // our reader knows: a typed error, after both CRCs checked out.
    for (auto const* h : {"000000100000000005c248eb7d98c8ff",
                          "0000001d00000000fd528c5a7b27666f6f273a27626172277dc3653936"}) {
        std::error_code ec;
        (void)decode_all(unhex(h), 3, &ec);
        EXPECT_EQ(ec, ins::errc::protocol_error) << h;
    }
    // Their encoding is ours: the header-and-payload frame, rebuilt.
    EXPECT_EQ(det::encode_event_frame({{"content-type", "application/json"}}, "{'foo':'bar'}"),
              unhex("0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f"
                    "6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1"));
    // A Bedrock messageStart frame made by the official JavaScript codec.
    auto const start = unhex(
        "00000081000000526cc176930b3a6576656e742d7479706507000c6d65737361676553746172740d3a636f6e"
        "74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700"
        "056576656e747b2270223a2261626364222c22726f6c65223a22617373697374616e74227df512a005");
    EXPECT_EQ(det::encode_event("messageStart", R"({"p":"abcd","role":"assistant"})"), start);
    auto const evs = decode_all(start, 5);
    ASSERT_EQ(evs.size(), 1u);
    EXPECT_EQ(evs[0].event, "messageStart");
    EXPECT_EQ(evs[0].data, R"({"p":"abcd","role":"assistant"})");
}

TEST(EventStream, FramesSplitAnywhereGiveTheSameEvents)
{
    std::string body;
    for (int i = 0; i < 20; ++i)
        body += det::encode_event(i % 2 ? "contentBlockDelta" : "metadata",
                                  "{\"i\":" + std::to_string(i) + "}");
    body += det::encode_exception("throttlingException", "Too many tokens");
    for (std::size_t piece : {1u, 2u, 7u, 64u, 100000u}) {
        std::error_code ec;
        auto const evs = decode_all(body, piece, &ec);
        EXPECT_FALSE(ec);
        ASSERT_EQ(evs.size(), 21u) << piece;
        EXPECT_EQ(evs[3].event, "contentBlockDelta");
        EXPECT_EQ(evs[3].data, R"({"i":3})");
        EXPECT_EQ(evs[20].event, "exception:throttlingException");
        EXPECT_EQ(evs[20].data, R"({"message":"Too many tokens"})");
    }
}

TEST(EventStream, EveryHeaderTypeIsReadOrSkippedBySize)
{
    std::string h;
    auto fixed = [&](std::string_view name, char type, std::size_t size) {
        h += static_cast<char>(name.size());
        h += name;
        h += type;
        h += std::string(size, '\x01');
    };
    fixed("t", 0, 0);
    fixed("f", 1, 0);
    fixed("b", 2, 1);
    fixed("s", 3, 2);
    fixed("i", 4, 4);
    fixed("l", 5, 8);
    fixed("ts", 8, 8);
    fixed("u", 9, 16);
    h += string_header(":message-type", "error");
    h += string_header(":error-code", "InternalFailure");
    h += string_header(":error-message", "it broke");
    h += "\x03" "bin" "\x06" + std::string("\x00\x02", 2) + "ab";
    auto const evs = decode_all(frame_of(h, ""), 4);
    ASSERT_EQ(evs.size(), 1u);
    EXPECT_EQ(evs[0].event, "error:InternalFailure");
    EXPECT_EQ(evs[0].data, "it broke");
}

TEST(EventStream, BadFramesAreTypedErrors)
{
    auto const good = det::encode_event("messageStop", R"({"stopReason":"end_turn"})");
    auto error_of = [](std::string const& bytes, std::size_t max = 1 << 20) {
        det::event_stream_decoder d(max);
        auto ec = d.feed(bytes);
        if (!ec)
            ec = d.finish();
        EXPECT_FALSE(d.failure().empty() && ec) << "an error without words";
        return ec;
    };
    EXPECT_FALSE(error_of(good));
    auto prelude = good;
    prelude[9] ^= 1;  // the prelude CRC
    EXPECT_EQ(error_of(prelude), ins::errc::protocol_error);
    auto message = good;
    message[good.size() - 6] ^= 1;  // a payload byte: the message CRC
    EXPECT_EQ(error_of(message), ins::errc::protocol_error);
    EXPECT_EQ(error_of(good.substr(0, good.size() - 1)), ins::errc::protocol_error);  // cut
    EXPECT_EQ(error_of(good, 32), ins::errc::response_too_large);
    // Headers longer than the frame, a header running past its end, an unknown type, no
    // :message-type: each a protocol error, with both CRCs right.
    std::string lengths;
    put32(lengths, 16);
    put32(lengths, 8);
    put32(lengths, crc(lengths));
    put32(lengths, crc(lengths));
    EXPECT_EQ(error_of(lengths), ins::errc::protocol_error);
    EXPECT_EQ(error_of(frame_of("\x05" "ab", "")), ins::errc::protocol_error);
    EXPECT_EQ(error_of(frame_of("\x01" "x" "\x0b", "")), ins::errc::protocol_error);
    EXPECT_EQ(error_of(frame_of(string_header(":message-type", "gossip"), "{}")),
              ins::errc::protocol_error);
    // Sticky: nothing after an error is read.
    det::event_stream_decoder d(1 << 20);
    EXPECT_TRUE(d.feed(prelude));
    EXPECT_TRUE(d.feed(good));
    EXPECT_FALSE(d.next());
}

}  // namespace event_stream_test
