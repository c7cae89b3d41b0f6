// Finding the JSON in free text, whole or as it streams (json, md_json and the other text modes).
#pragma once

#include "wire.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace instructor::detail {

/// The JSON in free text: a ```json (or ```) fenced block, else the first balanced {...}.
std::optional<std::string_view> find_json_block(std::string_view text);

/// The JSON a text-mode reply answers with: the object the text starts with (prose after it
/// dropped), else the fenced or first balanced block, else the whole text.
std::string_view json_answer_in(std::string_view text);

/// A text mode's answer in a reply whose text is `x.content` (and refusal `x.refusal`): the JSON
/// in it, with the whole text kept for repair to read, or else the problem to re-ask with
/// (`no_text` for an empty reply; md_json also wants a JSON block). One rule for whole and
/// streamed replies of every API.
void set_text_answer(extraction& x, bool md_json, std::string_view no_text);

/// Follows streamed text to the JSON in it: skips prose before it, enters a ```json fence, and
/// stops at the closing fence. feed() returns the part of each piece that is JSON.
class json_text_follower {
public:
    std::string feed(std::string_view piece);

private:
    enum class state { seeking, fence_header, fence_seeking, in_json, in_fenced_json, done };
    state state_ = state::seeking;
    std::size_t ticks_ = 0;  // backticks seen at the end of the last piece
};

}  // namespace instructor::detail
