// Chat messages, as the OpenAI chat completions API takes them.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace instructor {

/// One part of a multi-part user message.
struct content_part {
    std::string type;  ///< "text" or "image_url"
    std::string text;  ///< the text, or the image URL (https: or data:)
    std::string detail;  ///< image detail ("low", "high", "auto"); empty: not sent

    static content_part from_text(std::string text) { return {"text", std::move(text), {}}; }
    static content_part image_url(std::string url, std::string detail = {})
    {
        return {"image_url", std::move(url), std::move(detail)};
    }
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

    /// The OpenAI wire form: `{"role", "content", ["name"], ["tool_call_id"]}`.
    boost::json::object to_json() const;
};

}  // namespace instructor
