// The content part factories: bytes sniffed for their type, files read with a cap, base64.
#include "net/base64.hpp"

#include <instructor/error.hpp>
#include <instructor/message.hpp>

#include <boost/algorithm/string/case_conv.hpp>

#include <array>
#include <fstream>

namespace instructor {

namespace {

bool starts_with(std::string_view bytes, std::string_view magic)
{
    return bytes.substr(0, magic.size()) == magic;
}

/// RIFF containers carry their form (WEBP, WAVE) at bytes 8 to 11.
bool riff_form(std::string_view bytes, std::string_view form)
{
    return starts_with(bytes, "RIFF") && bytes.size() >= 12 && bytes.substr(8, 4) == form;
}

std::string sniff_image(std::string_view b)
{
    if (starts_with(b, "\x89PNG\r\n\x1a\n"))
        return "image/png";
    if (starts_with(b, "\xff\xd8\xff"))
        return "image/jpeg";
    if (starts_with(b, "GIF87a") || starts_with(b, "GIF89a"))
        return "image/gif";
    if (riff_form(b, "WEBP"))
        return "image/webp";
    return {};
}

std::string sniff_audio(std::string_view b)
{
    if (riff_form(b, "WAVE"))
        return "audio/wav";
    // An ID3 tag, or an MPEG audio frame header (11 sync bits, layer III).
    if (starts_with(b, "ID3") || (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0xff &&
                                  (static_cast<unsigned char>(b[1]) & 0xe6) == 0xe2))
        return "audio/mpeg";
    return {};
}

bool is_pdf(std::string_view b)
{
    return starts_with(b, "%PDF-");
}

std::string from_extension(std::filesystem::path const& path)
{
    auto const ext = boost::algorithm::to_lower_copy(path.extension().string());
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> known{{
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".wav", "audio/wav"},
        {".mp3", "audio/mpeg"},
        {".pdf", "application/pdf"},
    }};
    for (auto const& [e, type] : known)
        if (e == ext)
            return std::string(type);
    return {};
}

[[noreturn]] void refuse(std::string_view factory, std::string const& why)
{
    throw error(errc::invalid_argument, "content_part::" + std::string(factory) + ": " + why);
}

std::string check_size(std::string_view factory, std::string_view bytes)
{
    if (bytes.empty())
        refuse(factory, "no bytes");
    if (bytes.size() > std::size_t(1) << 30)
        refuse(factory, "more than 1 GiB");
    return net::detail::base64(bytes);
}

/// The whole file, or errc::invalid_argument naming it: missing, unreadable, or larger than
/// `max_bytes` (checked again while reading: the file may grow).
std::string read_file(std::string_view factory, std::filesystem::path const& path,
                      std::size_t max_bytes)
{
    auto const name = "\"" + path.string() + "\"";
    std::error_code ec;
    auto const size = std::filesystem::file_size(path, ec);
    if (ec)
        refuse(factory, "cannot read " + name + ": " + ec.message());
    if (size > max_bytes)
        refuse(factory, name + " is " + std::to_string(size) + " bytes, more than the " +
                            std::to_string(max_bytes) + " allowed");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        refuse(factory, "cannot open " + name);
    std::string bytes(static_cast<std::size_t>(size) + 1, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (in.bad())
        refuse(factory, "cannot read " + name);
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > size)
        refuse(factory, name + " grew while it was read");
    if (bytes.empty())
        refuse(factory, name + " is empty");
    return bytes;
}

content_part image_part(std::string_view factory, std::string_view bytes, std::string media_type,
                        std::string detail, std::string const& fallback_type = {})
{
    if (media_type.empty())
        media_type = sniff_image(bytes);
    if (media_type.empty())
        media_type = fallback_type;
    if (media_type.empty())
        refuse(factory, "the bytes are not a PNG, JPEG, GIF or WebP image");
    if (media_type != "image/png" && media_type != "image/jpeg" && media_type != "image/gif" &&
        media_type != "image/webp")
        refuse(factory, "unsupported image type " + media_type +
                            " (PNG, JPEG, GIF and WebP are what every API takes)");
    content_part p;
    p.kind = part_kind::image;
    p.data = check_size(factory, bytes);
    p.media_type = std::move(media_type);
    p.detail = std::move(detail);
    return p;
}

content_part audio_part(std::string_view factory, std::string_view bytes, std::string media_type,
                        std::string const& fallback_type = {})
{
    if (media_type.empty())
        media_type = sniff_audio(bytes);
    if (media_type.empty())
        media_type = fallback_type;
    if (media_type == "audio/mp3")
        media_type = "audio/mpeg";
    if (media_type.empty())
        refuse(factory, "the bytes are not WAV or MP3 audio");
    if (media_type != "audio/wav" && media_type != "audio/mpeg")
        refuse(factory, "unsupported audio type " + media_type + " (WAV and MP3 are supported)");
    content_part p;
    p.kind = part_kind::audio;
    p.data = check_size(factory, bytes);
    p.media_type = std::move(media_type);
    return p;
}

content_part pdf_part(std::string_view factory, std::string_view bytes, std::string filename)
{
    if (!is_pdf(bytes))
        refuse(factory, "the bytes are not a PDF (no %PDF- header)");
    if (filename.empty())
        refuse(factory, "the file name is empty");
    content_part p;
    p.kind = part_kind::document;
    p.data = check_size(factory, bytes);
    p.media_type = "application/pdf";
    p.filename = std::move(filename);
    return p;
}

/// A PDF the provider fetches: by URL or by file id.
content_part document_elsewhere(std::string url, std::string file_id)
{
    content_part p;
    p.kind = part_kind::document;
    p.url = std::move(url);
    p.file_id = std::move(file_id);
    p.media_type = "application/pdf";
    return p;
}

}  // namespace

content_part content_part::from_text(std::string text)
{
    content_part p;
    p.text = std::move(text);
    return p;
}

content_part content_part::image_url(std::string url, std::string detail)
{
    if (url.empty())
        refuse("image_url", "the URL is empty");
    content_part p;
    p.kind = part_kind::image;
    p.url = std::move(url);
    p.detail = std::move(detail);
    return p;
}

content_part content_part::image(std::string_view bytes, std::string media_type, std::string detail)
{
    return image_part("image", bytes, std::move(media_type), std::move(detail));
}

content_part content_part::image_file(std::filesystem::path const& path, std::string detail,
                                      std::size_t max_bytes)
{
    auto const bytes = read_file("image_file", path, max_bytes);
    auto const by_name = from_extension(path);
    return image_part("image_file", bytes, {}, std::move(detail),
                      by_name.rfind("image/", 0) == 0 ? by_name : std::string());
}

content_part content_part::audio(std::string_view bytes, std::string media_type)
{
    return audio_part("audio", bytes, std::move(media_type));
}

content_part content_part::audio_file(std::filesystem::path const& path, std::size_t max_bytes)
{
    auto const bytes = read_file("audio_file", path, max_bytes);
    auto const by_name = from_extension(path);
    return audio_part("audio_file", bytes, {},
                      by_name.rfind("audio/", 0) == 0 ? by_name : std::string());
}

content_part content_part::pdf(std::string_view bytes, std::string filename)
{
    return pdf_part("pdf", bytes, std::move(filename));
}

content_part content_part::pdf_file(std::filesystem::path const& path, std::size_t max_bytes)
{
    auto const bytes = read_file("pdf_file", path, max_bytes);
    return pdf_part("pdf_file", bytes, path.filename().string());
}

content_part content_part::pdf_url(std::string url)
{
    if (url.empty())
        refuse("pdf_url", "the URL is empty");
    return document_elsewhere(std::move(url), {});
}

content_part content_part::pdf_file_id(std::string file_id)
{
    if (file_id.empty())
        refuse("pdf_file_id", "the file id is empty");
    return document_elsewhere({}, std::move(file_id));
}

std::string_view content_part::kind_name() const noexcept
{
    switch (kind) {
    case part_kind::text: return "text";
    case part_kind::image: return "image";
    case part_kind::audio: return "audio";
    case part_kind::document: return "document";
    }
    return "part";
}

}  // namespace instructor
