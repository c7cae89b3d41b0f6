#include "content_parts.hpp"

#include <instructor/error.hpp>

namespace instructor::detail {

std::string data_url(content_part const& p)
{
    return "data:" + p.media_type + ";base64," + p.data;
}

bool split_data_url(std::string_view url, std::string& media_type, std::string& data)
{
    if (url.substr(0, 5) != "data:")
        return false;
    auto const comma = url.find(',');
    auto const marker = url.rfind(";base64", comma);
    if (comma == std::string_view::npos || marker == std::string_view::npos || marker + 7 != comma)
        return false;
    media_type = std::string(url.substr(5, url.find(';', 5) - 5));
    data = std::string(url.substr(comma + 1));
    return true;
}

void refuse_part(std::string_view api, std::size_t message_index, std::size_t part_index,
                 content_part const& p, std::string_view why)
{
    throw error(errc::invalid_argument, "message " + std::to_string(message_index) + ", part " +
                                            std::to_string(part_index) + " (" +
                                            std::string(p.kind_name()) + "): the " +
                                            std::string(api) + " " + std::string(why));
}

namespace {

/// Refuses a media part with nothing to send (parts are plain structs: anything can be in them).
void require_source(part_place const& at)
{
    auto const& p = at.p;
    std::string media_type, data;
    if (p.url.empty() && p.data.empty() && p.file_id.empty())
        at.refuse("cannot take a part with no URL, bytes or file id");
    if (p.data.empty() && p.url.starts_with("data:") && !split_data_url(p.url, media_type, data))
        at.refuse("takes data: URLs only in base64");
    if (!p.data.empty() && p.media_type.empty())
        at.refuse("cannot take bytes without a media type");
}

}  // namespace

boost::json::value content_of(message const& msg, std::size_t index,
                              part_rules const& rules)
{
    if (msg.parts.empty())
        return boost::json::value(msg.content);
    boost::json::array out;
    for (std::size_t i = 0; i < msg.parts.size(); ++i) {
        auto const& p = msg.parts[i];
        if (p.kind == part_kind::text) {
            out.push_back(boost::json::object{{"type", rules.text_type}, {"text", p.text}});
            continue;
        }
        part_place const at{rules.api, index, i, p};
        if (msg.role != "user")
            at.refuse(rules.outside_user);
        require_source(at);
        out.push_back(rules.media(at));
    }
    return out;
}

void append_paragraph(std::string& into, std::string_view text)
{
    if (text.empty())
        return;
    if (!into.empty())
        into += "\n\n";
    into += text;
}

std::string system_text_of(message const& msg, std::size_t index, std::string_view api)
{
    if (msg.parts.empty())
        return msg.content;
    std::string text;
    for (std::size_t j = 0; j < msg.parts.size(); ++j)
        if (msg.parts[j].kind == part_kind::text)
            append_paragraph(text, msg.parts[j].text);
        else
            refuse_part(api, index, j, msg.parts[j], "takes only text in the system prompt");
    return text;
}

boost::json::array untyped_blocks_of(message const& msg, std::size_t index, part_rules const& rules)
{
    auto v = content_of(msg, index, rules);
    boost::json::array blocks;
    if (v.is_string()) {
        blocks.push_back(boost::json::object{{"text", v.get_string()}});
        return blocks;
    }
    for (auto& e : v.get_array()) {
        auto& o = e.get_object();
        if (auto const* t = o.if_contains("type"); t && *t == "text")
            blocks.push_back(boost::json::object{{"text", o.at("text")}});
        else
            blocks.push_back(std::move(o));
    }
    return blocks;
}

}  // namespace instructor::detail
