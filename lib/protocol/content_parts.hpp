// What the wires share when they render a message's content parts.
#pragma once

#include <instructor/message.hpp>

#include <boost/json/array.hpp>

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

/// Refuses (as refuse_part) a media part with nothing to send: no URL, bytes or file id, or
/// a data: URL that is not base64 (parts are plain structs: anything can be in them).
void require_source(std::string_view api, std::size_t message_index, std::size_t part_index,
                    content_part const& p);

/// Renders one part for an API (or refuses it): the message, its index, the part's index.
using part_renderer = boost::json::object (*)(message const&, std::size_t, std::size_t,
                                              content_part const&);

/// Every part of `msg`, rendered by `render`.
boost::json::array render_parts(message const& msg, std::size_t index, part_renderer render);

}  // namespace instructor::detail
