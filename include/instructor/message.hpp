// Chat messages, as the OpenAI chat completions API takes them.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace instructor {

/// What a part of a multi-part message carries.
enum class part_kind { text, image, audio, document };

/// One part of a multi-part user message: text, an image, audio or a document (PDF). Build it
/// with the factories. Each wire renders a part the way its API takes it (OpenAI chat:
/// `image_url`, `input_audio`, `file`; Responses: `input_image`, `input_file`; Anthropic:
/// `image` and `document` blocks); a part an API cannot take is errc::invalid_argument before
/// any request, naming the message, the part and the API. URLs are passed through, never
/// fetched by the client. The factories throw errc::invalid_argument for bytes of an unknown or
/// unsupported type and for a file that cannot be read or is larger than `max_bytes`.
struct content_part {
    /// The default cap on a file a factory reads (OpenAI's limit for a PDF, 32 MB).
    static constexpr std::size_t default_max_file_bytes = 32 * 1000 * 1000;

    part_kind kind = part_kind::text;
    std::string text;        ///< a text part's text
    std::string url;         ///< an image or document by URL (https:, or a data: URL for images)
    std::string data;        ///< the bytes of an image, audio or document, base64 (RFC 4648)
    std::string media_type;  ///< the bytes' MIME type: image/png, audio/wav, application/pdf...
    std::string file_id;     ///< a document uploaded with the provider's Files API
    std::string filename;    ///< a document's name (OpenAI's inline files need one)
    std::string detail;      ///< image detail ("low", "high", "auto"); empty: the API's default

    static content_part from_text(std::string text);
    /// An image by URL: https: (passed through) or a `data:image/...;base64,` URL.
    static content_part image_url(std::string url, std::string detail = {});
    /// An image from its bytes: PNG, JPEG, GIF or WebP. `media_type` empty: read from the bytes.
    static content_part image(std::string_view bytes, std::string media_type = {},
                              std::string detail = {});
    /// An image from a file: the type from its bytes, else from its extension.
    static content_part image_file(std::filesystem::path const& path, std::string detail = {},
                                   std::size_t max_bytes = default_max_file_bytes);
    /// Audio from its bytes: WAV or MP3 (`audio/wav`, `audio/mpeg`; empty: from the bytes).
    static content_part audio(std::string_view bytes, std::string media_type = {});
    static content_part audio_file(std::filesystem::path const& path,
                                   std::size_t max_bytes = default_max_file_bytes);
    /// A PDF from its bytes (they must be a PDF).
    static content_part pdf(std::string_view bytes, std::string filename = "document.pdf");
    /// A PDF from a file; its name is the file's name.
    static content_part pdf_file(std::filesystem::path const& path,
                                 std::size_t max_bytes = default_max_file_bytes);
    /// A PDF by https: URL (the Responses and Anthropic APIs fetch it; OpenAI chat cannot).
    static content_part pdf_url(std::string url);
    /// A PDF uploaded with OpenAI's Files API (chat and Responses).
    static content_part pdf_file_id(std::string file_id);

    /// What the part is, for messages: "text", "image", "audio" or "document".
    std::string_view kind_name() const noexcept;
};

struct message {
    std::string role;
    std::string content;               ///< plain text content
    std::vector<content_part> parts;   ///< multi-part content; when set, `content` is ignored
    std::optional<std::string> name;
    std::optional<std::string> tool_call_id;  ///< for role "tool"

    static message system(std::string text) { return {"system", std::move(text), {}, {}, {}}; }
    static message user(std::string text) { return {"user", std::move(text), {}, {}, {}}; }
    static message user(std::vector<content_part> parts)
    {
        return {"user", {}, std::move(parts), {}, {}};
    }
    static message assistant(std::string text) { return {"assistant", std::move(text), {}, {}, {}}; }
};

}  // namespace instructor
