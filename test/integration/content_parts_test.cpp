// Images, audio and PDFs through the public API against the mock, on each API: the parts
// reach the wire in the API's own shape, and a part an API cannot take fails the call (and a
// stream) with invalid_argument before any request.
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace content_parts_test {

namespace asio = boost::asio;
namespace json = boost::json;
using instructor::content_part;
using instructor::testing::mock_server;
using models::UserInfo;

namespace {

std::string const png = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
std::string const wav = std::string("RIFF$\0\0\0WAVEfmt ", 16);
std::string const pdf = "%PDF-1.4\n%%EOF\n";

ins::request ask_with(std::vector<content_part> parts)
{
    ins::request r;
    r.messages.push_back(ins::message::user(std::move(parts)));
    return r;
}

json::array content_sent(mock_server const& m, ins::mode mode)
{
    auto const body = json::parse(m.requests().at(0).body).as_object();
    auto const key = ins::is_responses_mode(mode) ? "input" : "messages";
    return body.at(key).as_array().back().at("content").as_array();
}

struct badge_file {
    badge_file()
    {
        std::ofstream(path, std::ios::binary) << png;
    }
    ~badge_file() { std::filesystem::remove(path); }
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("instructor_badge_" + std::to_string(::getpid()) + ".png");
};

TEST(ContentParts, EachApiGetsItsOwnShape)
{
    badge_file badge;
    struct expected {
        ins::mode mode;
        std::vector<std::string> types;
    };
    for (auto const& [mode, types] :
         {expected{ins::mode::tools, {"text", "image_url", "file"}},
          expected{ins::mode::responses_tools, {"input_text", "input_image", "input_file"}},
          expected{ins::mode::anthropic_tools, {"text", "image", "document"}}}) {
        mock_server m;
        auto err = test::with<ins::client>(test::mock_options(m, mode),
                                           [&](ins::client& c) -> asio::awaitable<void> {
            auto const req = ask_with({content_part::from_text("Who is this?"),
                                       content_part::image_file(badge.path),
                                       content_part::pdf(pdf, "badge.pdf")});
            auto user = co_await c.create<UserInfo>(req);
            EXPECT_FALSE(user.name.empty());
        });
        ASSERT_FALSE(err) << ins::to_string(mode) << ": " << err->what();
        auto const content = content_sent(m, mode);
        ASSERT_EQ(content.size(), 3u) << ins::to_string(mode);
        for (std::size_t i = 0; i < 3; ++i)
            EXPECT_EQ(content[i].at("type").as_string(), types[i]) << ins::to_string(mode);
        // The file's bytes, base64, whichever way the API wraps them.
        EXPECT_NE(json::serialize(content[1]).find(content_part::image(png).data),
                  std::string::npos)
            << ins::to_string(mode);
    }
}

TEST(ContentParts, ChatTakesAudioAndUploadedFiles)
{
    mock_server m;
    auto err = test::with<ins::client>(test::mock_options(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto const req = ask_with({content_part::from_text("Who called?"), content_part::audio(wav),
                                   content_part::pdf_file_id("file-abc")});
        co_await c.create<UserInfo>(req);
    });
    ASSERT_FALSE(err) << err->what();
    auto const content = content_sent(m, ins::mode::tools);
    EXPECT_EQ(content[1].at("input_audio").at("format"), "wav");
    EXPECT_EQ(content[2].at("file").at("file_id"), "file-abc");
}

TEST(ContentParts, APartTheApiCannotTakeFailsBeforeAnyRequest)
{
    mock_server m;
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::anthropic_tools),
                                       [&](ins::client& c) -> asio::awaitable<void> {
        auto const req = ask_with({content_part::from_text("Who called?"), content_part::audio(wav)});
        co_await c.create<UserInfo>(req);
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code_enum(), ins::errc::invalid_argument);
    EXPECT_NE(std::string(err->what()).find(
                  "message 0, part 1 (audio): the Anthropic Messages API takes no audio"),
              std::string::npos)
        << err->what();

    // A stream too, and the chat API refuses a PDF by URL.
    err = test::with<ins::client>(test::mock_options(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto const req = ask_with({content_part::pdf_url("https://example.com/a.pdf")});
        auto s = c.create_partial<UserInfo>(req);
        while (co_await s.next()) {
        }
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code_enum(), ins::errc::invalid_argument);
    EXPECT_NE(std::string(err->what()).find("takes no document by URL"), std::string::npos)
        << err->what();
    EXPECT_TRUE(m.requests().empty());
}

}  // namespace

}  // namespace content_parts_test
