// Content parts: the factories (types read from the bytes or the extension, files read with a
// cap, base64), and how each wire renders each part or refuses it before any request.
#include "wire_fixtures.hpp"

#include "protocol/anthropic_messages/anthropic_messages.hpp"
#include "protocol/openai_chat/openai_chat.hpp"
#include "protocol/openai_responses/openai_responses.hpp"

#include <instructor/message.hpp>

#include <functional>

namespace content_part_test {

namespace {

using ins::content_part;
using ins::part_kind;
using fixtures::parse;

std::string const png = std::string("\x89PNG\r\n\x1a\n", 8) + "rest";
std::string const jpeg = "\xff\xd8\xff\xe0rest";
std::string const wav = std::string("RIFF\x10\0\0\0WAVEfmt ", 16);
std::string const pdf = "%PDF-1.7\nrest";

/// What `fn` throws: the error's code and message.
template <class Fn>
std::pair<ins::errc, std::string> thrown(Fn fn)
{
    try {
        fn();
    }
    catch (ins::error const& e) {
        return {e.code_enum(), e.what()};
    }
    return {ins::errc{}, "nothing thrown"};
}

struct temp_file {
    explicit temp_file(std::string const& name, std::string const& bytes)
        : path(std::filesystem::temp_directory_path() /
               ("instructor_part_" + std::to_string(::getpid()) + "_" + name))
    {
        std::ofstream(path, std::ios::binary) << bytes;
    }
    ~temp_file() { std::filesystem::remove(path); }
    std::filesystem::path path;
};

TEST(ContentPart, ImageTypesComeFromTheBytes)
{
    EXPECT_EQ(content_part::image(png).media_type, "image/png");
    EXPECT_EQ(content_part::image(jpeg).media_type, "image/jpeg");
    EXPECT_EQ(content_part::image("GIF89a...").media_type, "image/gif");
    EXPECT_EQ(content_part::image(std::string("RIFF\4\0\0\0WEBPVP8 ", 16)).media_type,
              "image/webp");
    auto const p = content_part::image(png, {}, "low");
    EXPECT_EQ(p.kind, part_kind::image);
    EXPECT_EQ(p.detail, "low");
    EXPECT_TRUE(p.url.empty());
}

TEST(ContentPart, BytesAreStandardBase64)
{
    EXPECT_EQ(content_part::image("Man", "image/png").data, "TWFu");
    EXPECT_EQ(content_part::image("Ma", "image/png").data, "TWE=");
    EXPECT_EQ(content_part::image("M", "image/png").data, "TQ==");
    EXPECT_EQ(content_part::pdf(pdf).data, "JVBERi0xLjcKcmVzdA==");
}

TEST(ContentPart, UnknownOrUnsupportedBytesAreInvalidArguments)
{
    auto [code, what] = thrown([] { content_part::image("BM\x36\0\0\0"); });
    EXPECT_EQ(code, ins::errc::invalid_argument);
    EXPECT_NE(what.find("content_part::image: the bytes are not a PNG, JPEG, GIF or WebP"),
              std::string::npos)
        << what;
    std::tie(code, what) = thrown([] { content_part::image(png, "image/bmp"); });
    EXPECT_NE(what.find("unsupported image type image/bmp"), std::string::npos) << what;
    std::tie(code, what) = thrown([] { content_part::image(""); });
    EXPECT_EQ(code, ins::errc::invalid_argument);
    std::tie(code, what) = thrown([] { content_part::audio("OggS...."); });
    EXPECT_NE(what.find("not WAV or MP3"), std::string::npos) << what;
    std::tie(code, what) = thrown([] { content_part::audio(wav, "audio/ogg"); });
    EXPECT_NE(what.find("unsupported audio type audio/ogg"), std::string::npos) << what;
    std::tie(code, what) = thrown([] { content_part::pdf(png); });
    EXPECT_NE(what.find("not a PDF"), std::string::npos) << what;
    std::tie(code, what) = thrown([] { content_part::image_url(""); });
    EXPECT_EQ(code, ins::errc::invalid_argument);
    std::tie(code, what) = thrown([] { content_part::pdf_file_id(""); });
    EXPECT_EQ(code, ins::errc::invalid_argument);
}

TEST(ContentPart, AudioIsWavOrMp3)
{
    EXPECT_EQ(content_part::audio(wav).media_type, "audio/wav");
    EXPECT_EQ(content_part::audio("ID3\x04\0\0").media_type, "audio/mpeg");
    EXPECT_EQ(content_part::audio("\xff\xfb\x90\x64").media_type, "audio/mpeg");  // a frame
    EXPECT_EQ(content_part::audio(wav, "audio/mp3").media_type, "audio/mpeg");
    EXPECT_EQ(content_part::audio(wav).kind, part_kind::audio);
}

TEST(ContentPart, FilesAreReadWhole)
{
    temp_file image("badge.png", png);
    auto const p = content_part::image_file(image.path, "high");
    EXPECT_EQ(p.media_type, "image/png");
    EXPECT_EQ(p.data, content_part::image(png).data);
    EXPECT_EQ(p.detail, "high");

    temp_file doc("Invoice 7.pdf", pdf);
    auto const d = content_part::pdf_file(doc.path);
    EXPECT_EQ(d.kind, part_kind::document);
    EXPECT_EQ(d.filename, "instructor_part_" + std::to_string(::getpid()) + "_Invoice 7.pdf");
    EXPECT_EQ(d.media_type, "application/pdf");

    temp_file sound("call.wav", wav);
    EXPECT_EQ(content_part::audio_file(sound.path).media_type, "audio/wav");
}

TEST(ContentPart, TheExtensionNamesTheTypeWhenTheBytesDoNot)
{
    temp_file mp3("voice.MP3", "no header at all");  // e.g. a headerless stream
    EXPECT_EQ(content_part::audio_file(mp3.path).media_type, "audio/mpeg");
    temp_file webp("scan.webp", "xxxx");
    EXPECT_EQ(content_part::image_file(webp.path).media_type, "image/webp");
    temp_file wrong("scan.pdf", "xxxx");  // a PDF's extension does not make an image
    EXPECT_EQ(thrown([&] { content_part::image_file(wrong.path); }).first,
              ins::errc::invalid_argument);
}

TEST(ContentPart, FileReadsAreBoundedAndNamed)
{
    temp_file big("big.png", png + std::string(100, 'x'));
    auto [code, what] = thrown([&] { content_part::image_file(big.path, {}, 50); });
    EXPECT_EQ(code, ins::errc::invalid_argument);
    EXPECT_NE(what.find("is 112 bytes, more than the 50 allowed"), std::string::npos) << what;
    EXPECT_NE(what.find("big.png"), std::string::npos) << what;
    EXPECT_NO_THROW(content_part::image_file(big.path, {}, 112));

    std::tie(code, what) = thrown([] { content_part::pdf_file("/nonexistent/dir/x.pdf"); });
    EXPECT_EQ(code, ins::errc::invalid_argument);
    EXPECT_NE(what.find("cannot read \"/nonexistent/dir/x.pdf\""), std::string::npos) << what;

    temp_file empty("empty.wav", "");
    EXPECT_EQ(thrown([&] { content_part::audio_file(empty.path); }).first,
              ins::errc::invalid_argument);
    // A directory is not a file.
    EXPECT_EQ(thrown([] { content_part::image_file(std::filesystem::temp_directory_path()); })
                  .first,
              ins::errc::invalid_argument);
}

// ---- rendering ----

ins::request with_parts(std::vector<content_part> parts)
{
    ins::request req;
    req.model = "m";
    req.messages = {ins::message::system("Extract."), ins::message::user(std::move(parts))};
    return req;
}

json::value chat_content(ins::request const& req)
{
    return det::chat_message(req.messages.at(1), 1).at("content");
}

json::value responses_content(ins::request const& req)
{
    return det::responses_input(req).at(1).at("content");
}

json::value anthropic_content(ins::request const& req)
{
    auto const tool = det::tool_spec_for<models::UserInfo>();
    return det::anthropic_initial(ins::mode::anthropic_tools, req, tool).messages.at(0).at(
        "content");
}

TEST(ContentPartWire, ImagesFromBytes)
{
    auto const req = with_parts({content_part::image("Man", "image/png", "low")});
    EXPECT_EQ(chat_content(req),
              parse(R"([{"type":"image_url","image_url":{"url":"data:image/png;base64,TWFu","detail":"low"}}])"));
    EXPECT_EQ(responses_content(req),
              parse(R"([{"type":"input_image","image_url":"data:image/png;base64,TWFu","detail":"low"}])"));
    EXPECT_EQ(anthropic_content(req),
              parse(R"([{"type":"image","source":{"type":"base64","media_type":"image/png","data":"TWFu"}}])"));
}

TEST(ContentPartWire, Audio)
{
    auto const req = with_parts({content_part::audio("Man", "audio/wav"),
                                 content_part::audio("Man", "audio/mpeg")});
    EXPECT_EQ(chat_content(req),
              parse(R"([{"type":"input_audio","input_audio":{"data":"TWFu","format":"wav"}},)"
                    R"({"type":"input_audio","input_audio":{"data":"TWFu","format":"mp3"}}])"));
    auto [code, what] = thrown([&] { responses_content(req); });
    EXPECT_EQ(code, ins::errc::invalid_argument);
    EXPECT_EQ(what.rfind("message 1, part 0 (audio): the OpenAI Responses API takes no audio input: "
                         "use the chat completions API (mode tools or json)",
                         0),
              0u)
        << what;
    std::tie(code, what) = thrown([&] { anthropic_content(req); });
    EXPECT_EQ(code, ins::errc::invalid_argument);
    EXPECT_EQ(what.rfind("message 1, part 0 (audio): the Anthropic Messages API takes no audio", 0), 0u)
        << what;
}

TEST(ContentPartWire, PdfFromBytes)
{
    auto const req = with_parts({content_part::pdf(pdf, "invoice.pdf")});
    auto const data = content_part::pdf(pdf).data;
    EXPECT_EQ(chat_content(req),
              parse(R"([{"type":"file","file":{"filename":"invoice.pdf","file_data":"data:application/pdf;base64,)" +
                    data + R"("}}])"));
    EXPECT_EQ(responses_content(req),
              parse(R"([{"type":"input_file","filename":"invoice.pdf","file_data":"data:application/pdf;base64,)" +
                    data + R"("}])"));
    EXPECT_EQ(anthropic_content(req),
              parse(R"([{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":")" +
                    data + R"("}}])"));
}

TEST(ContentPartWire, PdfByFileId)
{
    auto const req = with_parts({content_part::pdf_file_id("file-abc")});
    EXPECT_EQ(chat_content(req), parse(R"([{"type":"file","file":{"file_id":"file-abc"}}])"));
    EXPECT_EQ(responses_content(req), parse(R"([{"type":"input_file","file_id":"file-abc"}])"));
    auto const [code, what] = thrown([&] { anthropic_content(req); });
    EXPECT_EQ(code, ins::errc::invalid_argument);
    EXPECT_NE(what.find("message 1, part 0 (document): the Anthropic Messages API cannot read "
                        "an OpenAI file id"),
              std::string::npos)
        << what;
}

TEST(ContentPartWire, PdfByUrl)
{
    auto const req = with_parts({content_part::pdf_url("https://example.com/a.pdf")});
    EXPECT_EQ(responses_content(req),
              parse(R"([{"type":"input_file","file_url":"https://example.com/a.pdf"}])"));
    EXPECT_EQ(anthropic_content(req),
              parse(R"([{"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}}])"));
    auto const [code, what] = thrown([&] { chat_content(req); });
    EXPECT_EQ(code, ins::errc::invalid_argument);
    EXPECT_NE(what.find("the OpenAI chat completions API takes no document by URL"),
              std::string::npos)
        << what;
    // The whole first attempt is refused, not just the message.
    EXPECT_EQ(thrown([&] {
                  det::initial_messages(ins::mode::tools, req,
                                        det::tool_spec_for<models::UserInfo>());
              }).first,
              ins::errc::invalid_argument);
}

TEST(ContentPartWire, PartsWithNothingToSendAreRefused)
{
    content_part empty;
    empty.kind = part_kind::image;  // built by hand, with no source
    auto const req = with_parts({empty});
    for (auto const& render : std::vector<std::function<void()>>{
             [&] { chat_content(req); }, [&] { responses_content(req); },
             [&] { anthropic_content(req); }}) {
        auto const [code, what] = thrown(render);
        EXPECT_EQ(code, ins::errc::invalid_argument);
        EXPECT_NE(what.find("cannot take a part with no URL, bytes or file id"), std::string::npos)
            << what;
    }
    // A data: URL that is not base64 (an SVG as text, say) is not sent as a URL.
    auto const svg = with_parts({content_part::image_url("data:image/svg+xml,<svg/>")});
    EXPECT_NE(thrown([&] { anthropic_content(svg); }).second.find("data: URLs only in base64"),
              std::string::npos);
    content_part nameless = content_part::image("Man", "image/png");
    nameless.media_type.clear();
    EXPECT_EQ(thrown([&] { chat_content(with_parts({nameless})); }).first,
              ins::errc::invalid_argument);
}

TEST(ContentPartWire, MediaOnlyInUserMessages)
{
    ins::request req;
    req.model = "m";
    req.messages = {ins::message{"system", {}, {content_part::image("Man", "image/png")}, {}, {}},
                    ins::message::user("hi")};
    EXPECT_NE(thrown([&] { det::chat_message(req.messages[0], 0); })
                  .second.find("message 0, part 0 (image): the OpenAI chat completions API "
                               "takes images, audio and files only in user messages"),
              std::string::npos);
    EXPECT_EQ(thrown([&] { det::responses_input(req); }).first, ins::errc::invalid_argument);
    auto const tool = det::tool_spec_for<models::UserInfo>();
    EXPECT_NE(thrown([&] { det::anthropic_initial(ins::mode::anthropic_json, req, tool); })
                  .second.find("takes only text in the system prompt"),
              std::string::npos);
}

}  // namespace

}  // namespace content_part_test
