// Finding the JSON in free text, whole or as it streams (json, md_json and the other text modes).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace instructor::detail {

/// The JSON in free text: a ```json (or ```) fenced block, else the first balanced {...}.
std::optional<std::string_view> find_json_block(std::string_view text);

/// The JSON a text-mode reply answers with: the object the text starts with (prose after it
/// dropped), else the fenced or first balanced block, else the whole text.
std::string_view json_answer_in(std::string_view text);

/// Follows streamed text to the JSON in it: skips prose before it, enters a ```json fence, and
/// stops at the closing fence. feed() returns the part of each piece that is JSON.
class json_text_follower {
public:
    std::string feed(std::string_view piece);

private:
    enum class state { seeking, fence_header, in_json, in_fenced_json, done };
    state state_ = state::seeking;
    std::size_t ticks_ = 0;  // backticks seen at the end of the last piece
};

}  // namespace instructor::detail
