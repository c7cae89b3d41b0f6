// The names of the modes (as written in logs, errors and instructor-bench's --mode).
#include <instructor/mode.hpp>

namespace instructor {

std::string_view to_string(mode m) noexcept
{
    switch (m) {
    case mode::tools: return "tools";
    case mode::tools_strict: return "tools_strict";
    case mode::parallel_tools: return "parallel_tools";
    case mode::json: return "json";
    case mode::json_schema: return "json_schema";
    case mode::md_json: return "md_json";
    case mode::structured_outputs: return "structured_outputs";
    case mode::anthropic_tools: return "anthropic_tools";
    case mode::anthropic_json: return "anthropic_json";
    case mode::responses_tools: return "responses_tools";
    case mode::responses_structured_outputs: return "responses_structured_outputs";
    case mode::anthropic_parallel_tools: return "anthropic_parallel_tools";
    case mode::responses_parallel_tools: return "responses_parallel_tools";
    case mode::anthropic_structured_outputs: return "anthropic_structured_outputs";
    case mode::genai_tools: return "genai_tools";
    case mode::genai_structured_outputs: return "genai_structured_outputs";
    case mode::genai_parallel_tools: return "genai_parallel_tools";
    case mode::bedrock_tools: return "bedrock_tools";
    case mode::bedrock_json: return "bedrock_json";
    case mode::bedrock_parallel_tools: return "bedrock_parallel_tools";
    }
    return "unknown";
}

std::optional<mode> mode_from_string(std::string_view name) noexcept
{
    // The modes are numbered from 0 without gaps: the first number without a name ends them.
    for (int i = 0;; ++i) {
        auto const known = to_string(static_cast<mode>(i));
        if (known == "unknown")
            return std::nullopt;
        if (known == name)
            return static_cast<mode>(i);
    }
}

}  // namespace instructor
