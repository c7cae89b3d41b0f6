// The JSON inside free text: fenced blocks, balanced objects, and the streamed form.
#include "json_in_text.hpp"

#include "decode/json_repair.hpp"

namespace instructor::detail {

namespace {

/// The balanced {...} (or [...]) that starts at `text[0]`; the rest of the text when it never
/// closes.
std::string_view balanced(std::string_view text) { return text.substr(0, bracket_extent(text)); }

}  // namespace

std::optional<std::string_view> find_json_block(std::string_view text)
{
    if (auto fence = text.find("```"); fence != std::string_view::npos) {
        auto start = text.find('\n', fence);
        auto end = start == std::string_view::npos ? start : text.find("```", start);
        if (end != std::string_view::npos)
            return text.substr(start + 1, end - start - 1);
    }
    // The first balanced {...}; unbalanced, the rest: the decoder reports where it breaks.
    auto open = text.find('{');
    if (open == std::string_view::npos)
        return std::nullopt;
    return balanced(text.substr(open));
}

std::string_view json_answer_in(std::string_view text)
{
    auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && (text[first] == '{' || text[first] == '['))
        return balanced(text.substr(first));  // prose after the object is not part of it
    if (auto block = find_json_block(text))
        return *block;
    return text;
}

void set_text_answer(extraction& x, bool md_json, std::string_view no_text)
{
    std::string_view const text = json_answer_in(x.content);
    if (x.content.empty() && !x.refusal)
        x.problem = std::string(no_text);
    else if (md_json && text.find('{') == std::string_view::npos && !x.refusal)
        x.problem = "The reply has no JSON block; return the JSON within a ```json codeblock.";
    x.answers.push_back({{}, {}, std::string(text), x.content});
}

std::string json_text_follower::feed(std::string_view piece)
{
    std::string out;
    for (std::size_t i = 0; i < piece.size(); ++i) {
        char const c = piece[i];
        switch (state_) {
        case state::seeking:
            if (c == '`') {
                if (++ticks_ == 3) {
                    ticks_ = 0;
                    state_ = state::fence_header;
                }
            }
            else {
                ticks_ = 0;
                if (c == '{' || c == '[') {
                    state_ = state::in_json;
                    out.push_back(c);
                }
            }
            break;
        case state::fence_header:  // "json\n" after the opening fence
            if (c == '\n')
                state_ = state::fence_seeking;
            break;
        case state::fence_seeking:  // prose inside the fence before the value is not JSON
            if (c == '`') {
                if (++ticks_ == 3) {
                    state_ = state::done;
                    ticks_ = 0;
                }
            }
            else {
                ticks_ = 0;
                if (c == '{' || c == '[') {
                    state_ = state::in_fenced_json;
                    out.push_back(c);
                }
            }
            break;
        case state::in_json:
            out.push_back(c);
            break;
        case state::in_fenced_json:
            if (c == '`') {
                if (++ticks_ == 3) {
                    state_ = state::done;
                    ticks_ = 0;
                }
                break;
            }
            if (ticks_ > 0) {  // backticks that did not close the fence belong to the JSON
                out.append(ticks_, '`');
                ticks_ = 0;
            }
            out.push_back(c);
            break;
        case state::done:
            return out;
        }
    }
    return out;
}

}  // namespace instructor::detail
