// How a response model is asked for on the wire. Each mode follows Python Instructor's format.
#pragma once

#include <optional>
#include <string_view>

namespace instructor {

enum class mode {
    tools,               ///< one forced function call; the answer is its arguments
    tools_strict,        ///< the same with `strict: true` and the strict schema
    parallel_tools,      ///< one function per alternative of a std::variant, tool_choice auto
    json,                ///< response_format json_object + the schema in the system message
    json_schema,         ///< response_format json_schema (not strict)
    md_json,             ///< the schema in the system message, the answer in a ```json block
    structured_outputs,  ///< response_format json_schema with the strict schema and strict: true
    anthropic_tools,     ///< Anthropic Messages API, a forced tool_use
    anthropic_json,      ///< Anthropic Messages API, the schema in the system prompt
    /// OpenAI Responses API (`POST /responses`), a forced function tool (strict); re-asks send
    /// function_call_output items
    responses_tools,
    /// OpenAI Responses API, `text.format` json_schema with the strict schema and strict: true
    responses_structured_outputs,
    /// Anthropic Messages API, one tool per alternative of a std::variant, tool_choice any:
    /// every tool_use block is an answer
    anthropic_parallel_tools,
    /// OpenAI Responses API, one function per alternative, tool_choice required: every
    /// function_call item is an answer
    responses_parallel_tools,
    /// Anthropic Messages API, `output_config.format` json_schema with the strict schema: the
    /// answer is the text content block
    anthropic_structured_outputs,
    /// Gemini API (`models/{model}:generateContent`), one function declaration, function
    /// calling mode ANY with only it allowed; the answer is the functionCall's args
    genai_tools,
    /// Gemini API, `generationConfig.responseMimeType` application/json with the schema as
    /// `responseJsonSchema`; the answer is the text
    genai_structured_outputs,
    /// Gemini API, one function per alternative of a std::variant, mode ANY: every
    /// functionCall part is an answer
    genai_parallel_tools,
    /// Amazon Bedrock Converse API (`/model/{modelId}/converse`), one tool, `toolChoice` that
    /// tool; the answer is the toolUse block's input
    bedrock_tools,
    /// Bedrock Converse API, the schema in the system prompt; the answer is the JSON in the text
    bedrock_json,
    /// Bedrock Converse API, one tool per alternative of a std::variant, `toolChoice` any:
    /// every toolUse block is an answer
    bedrock_parallel_tools,
};

std::string_view to_string(mode m) noexcept;
/// The mode named `name` (as to_string writes it), if any.
std::optional<mode> mode_from_string(std::string_view name) noexcept;

/// True for the modes whose answer comes as tool calls.
constexpr bool is_tools_mode(mode m) noexcept
{
    return m == mode::tools || m == mode::tools_strict || m == mode::parallel_tools ||
           m == mode::anthropic_tools || m == mode::responses_tools ||
           m == mode::anthropic_parallel_tools || m == mode::responses_parallel_tools ||
           m == mode::genai_tools || m == mode::genai_parallel_tools ||
           m == mode::bedrock_tools || m == mode::bedrock_parallel_tools;
}

/// True for the modes where every tool call is an answer (a std::vector<std::variant<...>>,
/// or create_iterable over a std::variant).
constexpr bool is_parallel_mode(mode m) noexcept
{
    return m == mode::parallel_tools || m == mode::anthropic_parallel_tools ||
           m == mode::responses_parallel_tools || m == mode::genai_parallel_tools ||
           m == mode::bedrock_parallel_tools;
}

/// True for the modes of Anthropic's Messages API.
constexpr bool is_anthropic_mode(mode m) noexcept
{
    return m == mode::anthropic_tools || m == mode::anthropic_json ||
           m == mode::anthropic_parallel_tools || m == mode::anthropic_structured_outputs;
}

/// True for the modes of OpenAI's Responses API.
constexpr bool is_responses_mode(mode m) noexcept
{
    return m == mode::responses_tools || m == mode::responses_structured_outputs ||
           m == mode::responses_parallel_tools;
}

/// True for the modes of Google's Gemini API.
constexpr bool is_genai_mode(mode m) noexcept
{
    return m == mode::genai_tools || m == mode::genai_structured_outputs ||
           m == mode::genai_parallel_tools;
}

/// True for the modes of Amazon Bedrock's Converse API.
constexpr bool is_bedrock_mode(mode m) noexcept
{
    return m == mode::bedrock_tools || m == mode::bedrock_json ||
           m == mode::bedrock_parallel_tools;
}

/// The parallel-tools mode of the API `m` speaks (what a variant's answers need).
constexpr mode parallel_mode_of(mode m) noexcept
{
    return is_anthropic_mode(m)   ? mode::anthropic_parallel_tools
           : is_responses_mode(m) ? mode::responses_parallel_tools
           : is_genai_mode(m)     ? mode::genai_parallel_tools
           : is_bedrock_mode(m)   ? mode::bedrock_parallel_tools
                                  : mode::parallel_tools;
}

}  // namespace instructor
