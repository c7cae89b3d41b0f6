// What the wires share when they render a message's content parts.
#pragma once

#include <instructor/message.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace instructor::detail {

/// `data:<media_type>;base64,<data>` for a part given by its bytes.
std::string data_url(content_part const& p);

/// A data: URL's type and base64 payload; false when `url` is not a base64 data: URL.
bool split_data_url(std::string_view url, std::string& media_type, std::string& data);

/// errc::invalid_argument for a part an API cannot take, before any request:
/// "message 2, part 1 (audio): the Anthropic Messages API takes no audio".
[[noreturn]] void refuse_part(std::string_view api, std::size_t message_index,
                              std::size_t part_index, content_part const& p, std::string_view why);

/// A media part being rendered, and where it is, for the refusals its API's renderer raises.
struct part_place {
    std::string_view api;
    std::size_t message;
    std::size_t part;
    content_part const& p;

    [[noreturn]] void refuse(std::string_view why) const
    {
        refuse_part(api, message, part, p, why);
    }
};

/// How an API takes a message's content: its name (for errors), the type of its text parts,
/// what it says of media outside user messages, and how it renders (or refuses) one image,
/// audio or document part.
struct part_rules {
    std::string_view api;
    std::string_view text_type;
    std::string_view outside_user;
    boost::json::object (*media)(part_place const&);
};

/// A message's content for an API: its text, or its parts. Media parts go only in user
/// messages, and must have something to send (a URL, bytes with a media type, a file id; a
/// data: URL in base64): else errc::invalid_argument naming them, before any request.
boost::json::value content_of(message const& msg, std::size_t index, part_rules const& rules);

/// A system message's text for an API whose system prompt is text alone (Anthropic, Gemini,
/// Bedrock): its content, or when it has parts its text parts joined with a blank line; any
/// other part is errc::invalid_argument ("takes only text in the system prompt").
std::string system_text_of(message const& msg, std::size_t index, std::string_view api);

/// `text` after `into`, a blank line between them; nothing for an empty text.
void append_paragraph(std::string& into, std::string_view text);

/// content_of as blocks without a `type` (`{"text": ...}` for text, media as `rules` render
/// them): Gemini's parts and Bedrock's content blocks.
boost::json::array untyped_blocks_of(message const& msg, std::size_t index, part_rules const& rules);

}  // namespace instructor::detail
