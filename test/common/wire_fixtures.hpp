// Fixtures the wire protocol tests share: recorded traffic, expected JSON pieces.
#pragma once

#include "models.hpp"

#include <instructor/client.hpp>
#include <instructor/error.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <fstream>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace json = boost::json;
namespace det = ins::detail;

namespace instructor {
// Readable failure messages.
inline void PrintTo(usage const& u, std::ostream* os)
{
    *os << "{prompt " << u.prompt_tokens << ", completion " << u.completion_tokens << ", total "
        << u.total_tokens << ", cached " << u.cached_tokens << ", reasoning "
        << u.reasoning_tokens << "}";
}
}  // namespace instructor

namespace fixtures {

// ---------------------------------------------------------------------------------------------
// Helpers

inline json::value parse(std::string const& text) { return json::parse(text); }

// `text` as the inside of a JSON string literal.
inline std::string escaped(std::string const& text)
{
    auto const quoted = json::serialize(json::string(text));
    return quoted.substr(1, quoted.size() - 2);
}

inline std::set<std::string> keys(json::value const& v)
{
    std::set<std::string> out;
    for (auto const& kv : v.as_object())
        out.emplace(kv.key());
    return out;
}

inline ins::request seed_request(bool with_system = false)
{
    ins::request req;
    req.model = "gpt-4o-mini";
    if (with_system)
        req.messages.push_back(ins::message::system("You are an extractor."));
    req.messages.push_back(ins::message::user("John Doe is 32 years old."));
    return req;
}

// Expected JSON pieces, spliced into the literals below (JSON text, escapes included).
inline std::string const user_info_parameters =
    R"({"type":"object","properties":{"name":{"type":"string"},)"
    R"("age":{"type":"integer","minimum":-2147483648,"maximum":2147483647}},)"
    R"("required":["name","age"]})";
inline std::string const user_info_strict_parameters =
    R"({"type":"object","properties":{"name":{"type":"string"},)"
    R"("age":{"type":"integer","minimum":-2147483648,"maximum":2147483647}},)"
    R"("required":["name","age"],"additionalProperties":false})";
inline std::string const user_info_description =
    "Correctly extracted `UserInfo` with all the required parameters with correct types";
// The json / md_json instructions for UserInfo, as a JSON string's contents.
inline std::string const json_instructions =
    R"(As a genius expert, your task is to understand the content and provide the parsed )"
    R"(objects in json that match the following json_schema:\n\n)"
    R"({\"type\":\"object\",\"title\":\"UserInfo\",\"properties\":{\"name\":{\"type\":\"string\"},)"
    R"(\"age\":{\"type\":\"integer\",\"minimum\":-2147483648,\"maximum\":2147483647}},)"
    R"(\"required\":[\"name\",\"age\"]})"
    R"(\n\nMake sure to return an instance of the JSON, not the schema itself)";
inline std::string const md_json_instruction =
    "Return the correct JSON response within a ```json codeblock. not the JSON_SCHEMA";
// Issues as a re-ask reports them.
inline std::string const errors = "age: Field required\nname: Input should be a valid string, got 1 (integer)";
inline std::string const seed_user_message = R"({"role":"user","content":"John Doe is 32 years old."})";

// ---------------------------------------------------------------------------------------------
// Recorded traffic

inline std::filesystem::path wire_file(std::string const& prefix, std::string const& suffix)
{
    for (auto const& e : std::filesystem::directory_iterator(INSTRUCTOR_WIRE_DIR)) {
        auto const name = e.path().filename().string();
        if (name.starts_with(prefix + "_") && name.ends_with(suffix) &&
            (suffix == ".meta.json" || !name.ends_with(".meta.json")))
            return e.path();
    }
    ADD_FAILURE() << "no recording " << prefix << "_*" << suffix << " in " << INSTRUCTOR_WIRE_DIR;
    return {};
}

inline std::string read_text(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline json::value recorded_response(std::string const& prefix)
{
    return json::parse(read_text(wire_file(prefix, ".json")));
}

// The request body a real client sent (stored as a string or, re-serialized, as an object).
inline json::value recorded_request(std::string const& prefix)
{
    auto const meta = json::parse(read_text(wire_file(prefix, ".meta.json")));
    auto const& body = meta.at("request_body");
    return body.is_string() ? json::parse(body.get_string()) : body;
}

// The response models a body writer is checked with: one kept as text, one with a name and a
// description that need escaping, one whose schema has no bytes kept (serialized on the spot),
// and two at once.
inline std::vector<std::vector<det::tool_spec>> writer_tool_sets()
{
    auto odd = det::tool_spec_for<models::UserInfo>();
    odd.name = "User\"Info\u00e9";
    odd.description = "line\nbreak \\ tab\t \x01 <\u2028>";
    auto bare = det::tool_spec_for<models::Cat>();
    bare.parameters_json = {};
    bare.strict_parameters_json = {};
    return {{det::tool_spec_for<models::UserInfo>()}, {odd}, {bare},
            {det::tool_spec_for<models::Cat>(), det::tool_spec_for<models::Dog>()}};
}

// Option set `n` (0-15) of a body writer check: bit 1 a temperature, bit 2 max_tokens (`n` x
// `token_step`), bit 3 `reasoning`.
inline void apply_writer_options(ins::request& req, int n, int token_step,
                                 ins::reasoning const& reasoning)
{
    if (n & 2)
        req.temperature = 0.1 * n;
    if (n & 4)
        req.max_tokens = token_step * n;
    if (n & 8)
        req.reasoning = reasoning;
}

// A body writer's check over `modes`: every tool set, each reasoning (a thinking budget, an
// effort, neither, both) and every option set (`token_step` as apply_writer_options takes it);
// `check(mode, tools, req)` compares the written body with the tree's. `seed(with_system)` is
// the wire's request.
template <class Seed, class Check>
void each_writer_case(std::initializer_list<ins::mode> modes, int token_step, Seed seed,
                      Check check)
{
    auto const tool_sets = writer_tool_sets();
    for (auto m : modes)
        for (auto const& tools : tool_sets)
            for (auto const& reasoning :
                 {ins::reasoning{.budget_tokens = 2048}, ins::reasoning{.effort = "low"},
                  ins::reasoning{}, ins::reasoning{.effort = "high", .budget_tokens = 1024}})
                for (int options = 0; options < 16; ++options) {
                    ins::request req = seed(options % 2 == 1);
                    apply_writer_options(req, options, token_step, reasoning);
                    SCOPED_TRACE(std::string(ins::to_string(m)) + " " + tools.front().name +
                                 " options " + std::to_string(options) + " effort \"" +
                                 reasoning.effort + "\"");
                    check(m, tools, req);
                }
}

}  // namespace fixtures

using namespace fixtures;
