// The pure protocol layer: the request body of every mode pinned in full, compared with the
// shapes real clients sent (recorded in ../shared/wire), the answers and usage extracted from
// every recorded non-streaming chat completion, JSON found in free text, and re-ask messages.
#include "models.hpp"

#include <instructor/client.hpp>
#include <instructor/detail/protocol.hpp>
#include <instructor/error.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
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
void PrintTo(usage const& u, std::ostream* os)
{
    *os << "{prompt " << u.prompt_tokens << ", completion " << u.completion_tokens << ", total "
        << u.total_tokens << ", cached " << u.cached_tokens << ", reasoning "
        << u.reasoning_tokens << "}";
}
}  // namespace instructor

namespace {

// ---------------------------------------------------------------------------------------------
// Helpers

json::value parse(std::string const& text) { return json::parse(text); }

// `text` as the inside of a JSON string literal.
std::string escaped(std::string const& text)
{
    auto const quoted = json::serialize(json::string(text));
    return quoted.substr(1, quoted.size() - 2);
}

std::set<std::string> keys(json::value const& v)
{
    std::set<std::string> out;
    for (auto const& kv : v.as_object())
        out.emplace(kv.key());
    return out;
}

ins::request seed_request(bool with_system = false)
{
    ins::request req;
    req.model = "gpt-4o-mini";
    if (with_system)
        req.messages.push_back(ins::message::system("You are an extractor."));
    req.messages.push_back(ins::message::user("John Doe is 32 years old."));
    return req;
}

// The first attempt's body, as the client builds it.
json::object body_for(ins::mode m, ins::request const& req, std::vector<det::tool_spec> const& tools,
                      bool legacy_json_schema = false, bool stream = false)
{
    auto const messages = det::initial_messages(m, req, tools.front());
    return det::build_chat_body(m, req, req.model, messages, tools, legacy_json_schema, stream);
}

json::object body_for(ins::mode m, ins::request const& req, bool legacy_json_schema = false,
                      bool stream = false)
{
    return body_for(m, req, {det::tool_spec_for<models::UserInfo>()}, legacy_json_schema, stream);
}

// Expected JSON pieces, spliced into the literals below (JSON text, escapes included).
std::string const user_info_parameters =
    R"({"type":"object","properties":{"name":{"type":"string"},)"
    R"("age":{"type":"integer","minimum":-2147483648,"maximum":2147483647}},)"
    R"("required":["name","age"]})";
std::string const user_info_strict_parameters =
    R"({"type":"object","properties":{"name":{"type":"string"},)"
    R"("age":{"type":"integer","minimum":-2147483648,"maximum":2147483647}},)"
    R"("required":["name","age"],"additionalProperties":false})";
std::string const user_info_description =
    "Correctly extracted `UserInfo` with all the required parameters with correct types";
// The json / md_json instructions for UserInfo, as a JSON string's contents.
std::string const json_instructions =
    R"(As a genius expert, your task is to understand the content and provide the parsed )"
    R"(objects in json that match the following json_schema:\n\n)"
    R"({\"type\":\"object\",\"title\":\"UserInfo\",\"properties\":{\"name\":{\"type\":\"string\"},)"
    R"(\"age\":{\"type\":\"integer\",\"minimum\":-2147483648,\"maximum\":2147483647}},)"
    R"(\"required\":[\"name\",\"age\"]})"
    R"(\n\nMake sure to return an instance of the JSON, not the schema itself)";
std::string const md_json_instruction =
    "Return the correct JSON response within a ```json codeblock. not the JSON_SCHEMA";
std::string const seed_user_message = R"({"role":"user","content":"John Doe is 32 years old."})";

// ---------------------------------------------------------------------------------------------
// Recorded traffic

std::filesystem::path wire_file(std::string const& prefix, std::string const& suffix)
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

std::string read_text(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

json::value recorded_response(std::string const& prefix)
{
    return json::parse(read_text(wire_file(prefix, ".json")));
}

// The request body a real client sent (stored as a string or, re-serialized, as an object).
json::value recorded_request(std::string const& prefix)
{
    auto const meta = json::parse(read_text(wire_file(prefix, ".meta.json")));
    auto const& body = meta.at("request_body");
    return body.is_string() ? json::parse(body.get_string()) : body;
}

}  // namespace

// =============================================================================================
// Request bodies, pinned in full

TEST(ProtocolBody, Tools)
{
    EXPECT_EQ(json::value(body_for(ins::mode::tools, seed_request())),
              parse(R"({"model":"gpt-4o-mini","messages":[)" + seed_user_message +
                    R"(],"tools":[{"type":"function","function":{"name":"UserInfo","description":")" +
                    user_info_description + R"(","parameters":)" + user_info_parameters +
                    R"(}}],"tool_choice":{"type":"function","function":{"name":"UserInfo"}}})"));
}

TEST(ProtocolBody, ToolsKeepTheSystemMessage)
{
    auto const body = body_for(ins::mode::tools, seed_request(true));
    EXPECT_EQ(json::value(body.at("messages")),
              parse(R"([{"role":"system","content":"You are an extractor."},)" + seed_user_message +
                    "]"));
}

TEST(ProtocolBody, ToolsStrict)
{
    EXPECT_EQ(json::value(body_for(ins::mode::tools_strict, seed_request())),
              parse(R"({"model":"gpt-4o-mini","messages":[)" + seed_user_message +
                    R"(],"tools":[{"type":"function","function":{"name":"UserInfo","description":")" +
                    user_info_description + R"(","parameters":)" + user_info_strict_parameters +
                    R"(,"strict":true}}],"tool_choice":{"type":"function","function":{"name":"UserInfo"}}})"));
}

TEST(ProtocolBody, ParallelToolsOneFunctionPerModel)
{
    auto const body = body_for(ins::mode::parallel_tools, seed_request(),
                               {det::tool_spec_for<models::Cat>(), det::tool_spec_for<models::Dog>()});
    EXPECT_EQ(json::value(body), parse(R"({"model":"gpt-4o-mini","messages":[)" + seed_user_message +
                                       R"(],"tools":[)"
                                       R"({"type":"function","function":{"name":"Cat",)"
                                       R"("description":"Correctly extracted `Cat` with all the required parameters with correct types",)"
                                       R"("parameters":{"type":"object","properties":{"name":{"type":"string"},)"
                                       R"("indoor":{"type":"boolean"}},"required":["name","indoor"]}}},)"
                                       R"({"type":"function","function":{"name":"Dog",)"
                                       R"("description":"Correctly extracted `Dog` with all the required parameters with correct types",)"
                                       R"("parameters":{"type":"object","properties":{"name":{"type":"string"},)"
                                       R"("breed":{"type":"string"}},"required":["name","breed"]}}}],)"
                                       R"("tool_choice":"auto"})"));
}

TEST(ProtocolBody, Json)
{
    EXPECT_EQ(json::value(body_for(ins::mode::json, seed_request())),
              parse(R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":")" +
                    json_instructions + R"("},)" + seed_user_message +
                    R"(],"response_format":{"type":"json_object"}})"));
}

TEST(ProtocolBody, JsonAppendsToAnExistingSystemMessage)
{
    EXPECT_EQ(json::value(body_for(ins::mode::json, seed_request(true))),
              parse(R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":)"
                    R"("You are an extractor.\n\n)" +
                    json_instructions + R"("},)" + seed_user_message +
                    R"(],"response_format":{"type":"json_object"}})"));
}

TEST(ProtocolBody, JsonSchema)
{
    EXPECT_EQ(json::value(body_for(ins::mode::json_schema, seed_request())),
              parse(R"({"model":"gpt-4o-mini","messages":[)" + seed_user_message +
                    R"(],"response_format":{"type":"json_schema","json_schema":{"name":"UserInfo",)"
                    R"("schema":)" + user_info_parameters + "}}}"));
}

TEST(ProtocolBody, JsonSchemaLegacyShape)
{
    EXPECT_EQ(json::value(body_for(ins::mode::json_schema, seed_request(), true)),
              parse(R"({"model":"gpt-4o-mini","messages":[)" + seed_user_message +
                    R"(],"response_format":{"type":"json_object","schema":)" +
                    user_info_parameters + "}}"));
}

// Python Instructor appends the md_json instruction as a user message and then merges
// consecutive messages of one role (instructor.utils.merge_consecutive_messages: string contents
// joined with "\n\n"), so the request ends with ONE user message. Providers that require
// alternating roles reject two user messages in a row.
TEST(ProtocolBody, MdJson)
{
    EXPECT_EQ(json::value(body_for(ins::mode::md_json, seed_request())),
              parse(R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":")" +
                    json_instructions +
                    R"("},{"role":"user","content":"John Doe is 32 years old.\n\n)" +
                    md_json_instruction + R"("}]})"));
}

TEST(ProtocolBody, MdJsonAppendsToAnExistingSystemMessage)
{
    auto const body = body_for(ins::mode::md_json, seed_request(true));
    EXPECT_FALSE(body.contains("response_format"));
    auto const& messages = body.at("messages").as_array();
    ASSERT_GE(messages.size(), 2u);
    EXPECT_EQ(messages[0], parse(R"({"role":"system","content":"You are an extractor.\n\n)" +
                                 json_instructions + R"("})"));
    EXPECT_NE(json::serialize(messages.back()).find("```json codeblock"), std::string::npos);
}

TEST(ProtocolBody, StructuredOutputs)
{
    EXPECT_EQ(json::value(body_for(ins::mode::structured_outputs, seed_request())),
              parse(R"({"model":"gpt-4o-mini","messages":[)" + seed_user_message +
                    R"(],"response_format":{"type":"json_schema","json_schema":{"name":"UserInfo",)"
                    R"("schema":)" + user_info_strict_parameters + R"(,"strict":true}}})"));
}

// Python Instructor: a list-of-parts system message gets the instructions appended to its first
// text part (`messages[0]["content"][0]["text"] += f"\n\n{message}"`); the caller's text is kept.
TEST(ProtocolBody, JsonKeepsAMultiPartSystemMessage)
{
    ins::request req = seed_request();
    req.messages.insert(req.messages.begin(),
                        ins::message{"system", {}, {ins::content_part::from_text("Be brief.")}, {}, {}});
    auto const messages = det::initial_messages(ins::mode::json, req,
                                                det::tool_spec_for<models::UserInfo>());
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0], parse(R"({"role":"system","content":[{"type":"text","text":)"
                                 R"("Be brief.\n\n)" + json_instructions + R"("}]})"));
}

TEST(ProtocolBody, ModelDescriptionAndNameComeFromTheModel)
{
    auto const body = body_for(ins::mode::tools, seed_request(), {det::tool_spec_for<models::Ticket>()});
    auto const& fn = body.at("tools").at(0).at("function").as_object();
    EXPECT_EQ(fn.at("name"), "Ticket");
    EXPECT_EQ(fn.at("description"), "A support ticket");
    // the root's title and description go to the function, not into its parameters
    EXPECT_FALSE(fn.at("parameters").as_object().contains("title"));
    EXPECT_FALSE(fn.at("parameters").as_object().contains("description"));
    EXPECT_EQ(body.at("tool_choice"), parse(R"({"type":"function","function":{"name":"Ticket"}})"));
}

TEST(ProtocolBody, ModelArgumentIsSentNotTheRequestField)
{
    auto req = seed_request();
    req.model = "";  // the client's default model is passed separately
    auto const spec = det::tool_spec_for<models::UserInfo>();
    auto const body = det::build_chat_body(ins::mode::tools, req, "gpt-4o",
                                           det::initial_messages(ins::mode::tools, req, spec),
                                           {&spec, 1}, false, false);
    EXPECT_EQ(body.at("model"), "gpt-4o");
}

TEST(ProtocolBody, MultiPartUserContent)
{
    ins::request req;
    req.model = "gpt-4o-mini";
    req.messages.push_back(ins::message::user(
        {ins::content_part::from_text("Who is this?"),
         ins::content_part::image_url("https://example.com/john.png", "low"),
         ins::content_part::image_url("data:image/png;base64,iVBORw0KGgo=")}));
    auto const body = body_for(ins::mode::tools, req);
    EXPECT_EQ(json::value(body.at("messages")),
              parse(R"([{"role":"user","content":[{"type":"text","text":"Who is this?"},)"
                    R"({"type":"image_url","image_url":{"url":"https://example.com/john.png","detail":"low"}},)"
                    R"({"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}])"));
}

TEST(ProtocolBody, TemperatureAndMaxTokens)
{
    auto req = seed_request();
    req.temperature = 0.25;
    req.max_tokens = 256;
    auto const body = body_for(ins::mode::json_schema, req);
    EXPECT_EQ(body.at("temperature"), 0.25);
    EXPECT_EQ(body.at("max_tokens"), 256);
    auto const plain = body_for(ins::mode::json_schema, seed_request());
    EXPECT_FALSE(plain.contains("temperature"));
    EXPECT_FALSE(plain.contains("max_tokens"));
    EXPECT_FALSE(plain.contains("stream"));
    EXPECT_FALSE(plain.contains("stream_options"));
}

TEST(ProtocolBody, ExtraBodyIsMergedLastAndOverrides)
{
    auto req = seed_request();
    req.temperature = 0.25;
    req.extra_body = json::object{{"temperature", 0},
                                  {"tool_choice", "required"},
                                  {"seed", 7},
                                  {"input", {{"email_address", "steve@apple.com"}}}};
    auto const body = body_for(ins::mode::tools, req, false, true);
    EXPECT_EQ(body.at("temperature"), 0);
    EXPECT_EQ(body.at("tool_choice"), "required");
    EXPECT_EQ(body.at("seed"), 7);
    EXPECT_EQ(body.at("input"), parse(R"({"email_address":"steve@apple.com"})"));
    EXPECT_EQ(body.at("stream"), true);  // untouched keys stay
    EXPECT_EQ(body.at("tools").at(0).at("function").at("name"), "UserInfo");
}

TEST(ProtocolBody, StreamAsksForUsage)
{
    for (auto m : {ins::mode::tools, ins::mode::tools_strict, ins::mode::parallel_tools,
                   ins::mode::json, ins::mode::json_schema, ins::mode::md_json,
                   ins::mode::structured_outputs}) {
        auto const body = body_for(m, seed_request(), false, true);
        EXPECT_EQ(body.at("stream"), true) << ins::to_string(m);
        EXPECT_EQ(body.at("stream_options"), parse(R"({"include_usage":true})")) << ins::to_string(m);
    }
}

TEST(ProtocolBody, AnthropicModesAndNoModelAreInvalidArguments)
{
    auto const req = seed_request();
    auto const spec = det::tool_spec_for<models::UserInfo>();
    for (auto m : {ins::mode::anthropic_tools, ins::mode::anthropic_json}) {
        try {
            det::build_chat_body(m, req, req.model, json::array{}, {&spec, 1}, false, false);
            ADD_FAILURE() << ins::to_string(m) << " built a chat completions body";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code_enum(), ins::errc::invalid_argument) << ins::to_string(m);
        }
    }
    try {
        det::build_chat_body(ins::mode::tools, req, req.model, json::array{}, {}, false, false);
        ADD_FAILURE() << "built a body without a response model";
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code_enum(), ins::errc::invalid_argument);
    }
}

// =============================================================================================
// Our bodies against what real clients sent (../shared/wire/*.meta.json request_body)

// 02 (simonw/llm, gpt-4o-mini): tools with name/description/parameters, no tool_choice.
TEST(ProtocolWire, ToolsShapeMatchesOpenAIRecording02)
{
    auto const rec = recorded_request("02");
    auto const ours = json::value(body_for(ins::mode::tools, seed_request()));
    auto const& rt = rec.at("tools").at(0);
    auto const& ot = ours.at("tools").at(0);
    EXPECT_EQ(keys(ot), keys(rt));
    EXPECT_EQ(ot.at("type"), rt.at("type"));
    EXPECT_EQ(keys(ot.at("function")), keys(rt.at("function")));
    EXPECT_TRUE(ot.at("function").at("name").is_string());
    EXPECT_TRUE(ot.at("function").at("description").is_string());
    EXPECT_EQ(keys(ot.at("function").at("parameters")), keys(rt.at("function").at("parameters")));
    EXPECT_EQ(ot.at("function").at("parameters").at("type"), rt.at("function").at("parameters").at("type"));
    EXPECT_EQ(keys(ours.at("messages").at(0)), keys(rec.at("messages").at(0)));
}

// 04 (Mirascope, gpt-4o, TOOLS mode): one strict forced tool, tool_choice {type, function{name}},
// streamed with stream_options.include_usage.
TEST(ProtocolWire, ToolsStrictShapeMatchesOpenAIRecording04)
{
    auto const rec = recorded_request("04");
    auto const ours = json::value(body_for(ins::mode::tools_strict, seed_request(), false, true));
    auto const& rt = rec.at("tools").at(0);
    auto const& ot = ours.at("tools").at(0);
    EXPECT_EQ(keys(ot), keys(rt));
    EXPECT_EQ(keys(ot.at("function")), keys(rt.at("function")));
    EXPECT_EQ(ot.at("function").at("strict"), rt.at("function").at("strict"));
    EXPECT_EQ(keys(ot.at("function").at("parameters")), keys(rt.at("function").at("parameters")));
    EXPECT_EQ(ot.at("function").at("parameters").at("additionalProperties"),
              rt.at("function").at("parameters").at("additionalProperties"));
    // tool_choice names the one tool, with the same nesting
    auto const& rc = rec.at("tool_choice");
    auto const& oc = ours.at("tool_choice");
    EXPECT_EQ(keys(oc), keys(rc));
    EXPECT_EQ(oc.at("type"), rc.at("type"));
    EXPECT_EQ(keys(oc.at("function")), keys(rc.at("function")));
    EXPECT_EQ(rc.at("function").at("name"), rt.at("function").at("name"));
    EXPECT_EQ(oc.at("function").at("name"), ot.at("function").at("name"));
    EXPECT_EQ(ours.at("stream"), rec.at("stream"));
    EXPECT_EQ(ours.at("stream_options"), rec.at("stream_options"));
}

// 06 (pydantic-ai, OpenAI) and 20 (pydantic-ai, Gemini): tools offered with tool_choice "auto".
TEST(ProtocolWire, ParallelToolsShapeMatchesRecordings06And20)
{
    auto const ours = json::value(body_for(ins::mode::parallel_tools, seed_request(),
                                           {det::tool_spec_for<models::Cat>(),
                                            det::tool_spec_for<models::Dog>()}));
    for (char const* id : {"06", "20"}) {
        auto const rec = recorded_request(id);
        EXPECT_EQ(ours.at("tool_choice"), rec.at("tool_choice")) << id;
        for (auto const& ot : ours.at("tools").as_array()) {
            EXPECT_EQ(keys(ot), keys(rec.at("tools").at(0))) << id;
            EXPECT_EQ(keys(ot.at("function")), keys(rec.at("tools").at(0).at("function"))) << id;
        }
    }
}

// 03 and 05 (Mirascope, gpt-4o): response_format json_schema with strict true.
TEST(ProtocolWire, StructuredOutputsShapeMatchesOpenAIRecordings03And05)
{
    auto const ours = json::value(body_for(ins::mode::structured_outputs, seed_request()));
    auto const& orf = ours.at("response_format");
    for (char const* id : {"03", "05"}) {
        auto const rec = recorded_request(id);
        auto const& rrf = rec.at("response_format");
        EXPECT_EQ(keys(orf), keys(rrf)) << id;
        EXPECT_EQ(orf.at("type"), rrf.at("type")) << id;
        EXPECT_EQ(keys(orf.at("json_schema")), keys(rrf.at("json_schema"))) << id;
        EXPECT_TRUE(orf.at("json_schema").at("name").is_string()) << id;
        EXPECT_EQ(orf.at("json_schema").at("strict"), rrf.at("json_schema").at("strict")) << id;
        auto const& os = orf.at("json_schema").at("schema");
        auto const& rs = rrf.at("json_schema").at("schema");
        EXPECT_EQ(os.at("type"), rs.at("type")) << id;
        EXPECT_EQ(os.at("additionalProperties"), rs.at("additionalProperties")) << id;
        EXPECT_TRUE(os.at("properties").is_object()) << id;
        EXPECT_TRUE(os.at("required").is_array()) << id;
    }
    auto const rec03 = recorded_request("03");
    auto const streamed = json::value(body_for(ins::mode::structured_outputs, seed_request(), false, true));
    EXPECT_EQ(streamed.at("stream"), rec03.at("stream"));
    EXPECT_EQ(streamed.at("stream_options"), rec03.at("stream_options"));
}

// 19 (pydantic-ai against Ollama): non-strict json_schema is {type, json_schema{name, schema}}.
TEST(ProtocolWire, JsonSchemaShapeMatchesRecording19)
{
    auto const rec = recorded_request("19");
    auto const ours = json::value(body_for(ins::mode::json_schema, seed_request()));
    EXPECT_EQ(keys(ours.at("response_format")), keys(rec.at("response_format")));
    EXPECT_EQ(ours.at("response_format").at("type"), rec.at("response_format").at("type"));
    EXPECT_EQ(keys(ours.at("response_format").at("json_schema")),
              keys(rec.at("response_format").at("json_schema")));
}

// =============================================================================================
// Answers extracted from every recorded non-streaming 200 chat completion

namespace {

struct recorded_answer {
    char const* id;
    ins::mode mode;
    char const* name;       // tool name, empty for content answers
    char const* call_id;    // tool call id, generated when the provider sent none
    char const* json;       // the answer, parsed
    char const* finish_reason;
};

recorded_answer const recorded_answers[] = {
    {"02", ins::mode::tools, "lookup_population", "call_TTY8UFNo7rNCaOBUNtlRSvMG",
     R"({"country":"Crumpet"})", "tool_calls"},
    {"05", ins::mode::json_schema, "", "", R"({"output":7})", "stop"},
    {"06", ins::mode::json_schema, "", "", R"({"city":"Mexico City","country":"Mexico"})", "stop"},
    {"19", ins::mode::json_schema, "", "", R"({"city":"Paris","country":"France"})", "stop"},
    {"20", ins::mode::tools, "get_current_time", "call_0", "{}", "tool_calls"},
    {"21", ins::mode::json_schema, "", "", R"({"city":"Mexico City","country":"Mexico"})", "stop"},
};

}  // namespace

TEST(ProtocolExtract, EveryRecordedCompletion)
{
    for (auto const& r : recorded_answers) {
        SCOPED_TRACE(r.id);
        auto const x = det::extract_chat(r.mode, recorded_response(r.id));
        ASSERT_EQ(x.answers.size(), 1u);
        EXPECT_EQ(x.answers[0].name, r.name);
        EXPECT_EQ(x.answers[0].id, r.call_id);
        boost::system::error_code ec;
        auto const got = json::parse(x.answers[0].text, ec);
        EXPECT_FALSE(ec) << x.answers[0].text;
        EXPECT_EQ(got, parse(r.json));
        EXPECT_EQ(x.finish_reason, r.finish_reason);
        EXPECT_FALSE(x.refusal);   // "refusal": null in 02, 05, 06
        EXPECT_FALSE(x.problem) << *x.problem;
    }
}

TEST(ProtocolExtract, ContentModesAcceptEveryJsonModeOnContentBodies)
{
    for (auto m : {ins::mode::json, ins::mode::json_schema, ins::mode::md_json,
                   ins::mode::structured_outputs})
        for (char const* id : {"05", "06", "19", "21"}) {
            auto const x = det::extract_chat(m, recorded_response(id));
            ASSERT_EQ(x.answers.size(), 1u) << id << " " << ins::to_string(m);
            EXPECT_NO_THROW((void)json::parse(x.answers[0].text)) << id << " " << ins::to_string(m);
            EXPECT_FALSE(x.problem) << id << " " << ins::to_string(m);
        }
}

// 23 (Together, Llama 3.3): "tool_calls": [] and a plain-text answer.
TEST(ProtocolExtract, ToolsModeWithContentButNoToolCallIsAProblem)
{
    auto const response = recorded_response("23");
    auto const x = det::extract_chat(ins::mode::tools, response);
    EXPECT_TRUE(x.answers.empty());
    ASSERT_TRUE(x.problem);
    EXPECT_FALSE(x.problem->empty());
    EXPECT_EQ(x.finish_reason, "stop");

    auto const md = det::extract_chat(ins::mode::md_json, response);
    EXPECT_TRUE(md.problem) << "md_json reply without any JSON";
}

TEST(ProtocolExtract, ParallelToolCallsInOrder)
{
    auto const response = parse(R"({"choices":[{"finish_reason":"tool_calls","message":{"role":"assistant",
        "content":null,"tool_calls":[
          {"id":"call_a","type":"function","function":{"name":"Cat","arguments":"{\"name\":\"Tom\",\"indoor\":true}"}},
          {"type":"function","function":{"name":"Dog","arguments":{"name":"Rex","breed":"pug"}}},
          {"id":"call_c","type":"function","function":{"name":"Cat","arguments":""}}]}}]})");
    auto const x = det::extract_chat(ins::mode::parallel_tools, response);
    ASSERT_EQ(x.answers.size(), 3u);
    EXPECT_EQ(x.answers[0].name, "Cat");
    EXPECT_EQ(x.answers[0].id, "call_a");
    EXPECT_EQ(parse(x.answers[0].text), parse(R"({"name":"Tom","indoor":true})"));
    EXPECT_EQ(x.answers[1].name, "Dog");
    EXPECT_EQ(x.answers[1].id, "call_1");  // generated from its position
    EXPECT_EQ(parse(x.answers[1].text), parse(R"({"name":"Rex","breed":"pug"})"));  // an object, serialized
    EXPECT_EQ(x.answers[2].text, "{}");  // a tool without parameters
    EXPECT_FALSE(x.problem);
}

TEST(ProtocolExtract, FinishReasonAndRefusal)
{
    auto const truncated = parse(R"({"choices":[{"finish_reason":"length","message":{"role":"assistant",
        "content":"{\"name\":\"John"}}]})");
    auto x = det::extract_chat(ins::mode::json, truncated);
    EXPECT_EQ(x.finish_reason, "length");
    ASSERT_EQ(x.answers.size(), 1u);
    EXPECT_EQ(x.answers[0].text, R"({"name":"John)");

    auto const refused = parse(R"({"choices":[{"finish_reason":"stop","message":{"role":"assistant",
        "content":null,"refusal":"I'm sorry, I can't help with that."}}]})");
    for (auto m : {ins::mode::tools, ins::mode::structured_outputs, ins::mode::md_json}) {
        x = det::extract_chat(m, refused);
        ASSERT_TRUE(x.refusal) << ins::to_string(m);
        EXPECT_EQ(*x.refusal, "I'm sorry, I can't help with that.");
        EXPECT_FALSE(x.problem) << ins::to_string(m) << ": a refusal is not re-asked";
    }

    auto const empty = parse(R"({"choices":[{"finish_reason":"stop","message":{"role":"assistant","content":""}}]})");
    EXPECT_TRUE(det::extract_chat(ins::mode::json_schema, empty).problem);
    EXPECT_TRUE(det::extract_chat(ins::mode::tools, empty).problem);
}

TEST(ProtocolExtract, NotAChatCompletionIsAProtocolError)
{
    for (char const* text :
         {R"({"id":"x","object":"chat.completion","usage":{"prompt_tokens":1}})",
          R"({"choices":[]})", R"({"choices":{}})", R"({"choices":[1]})",
          R"({"choices":[{"finish_reason":"stop"}]})", R"({"choices":[{"message":"hi"}]})", "[]",
          R"("text")", "null",
          R"({"error":{"message":"Invalid API key","type":"invalid_request_error"}})"}) {
        try {
            (void)det::extract_chat(ins::mode::tools, parse(text));
            ADD_FAILURE() << "accepted " << text;
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code_enum(), ins::errc::protocol_error) << text;
        }
    }
}

TEST(ProtocolExtract, MdJsonFindsTheFencedBlock)
{
    auto reply = [](std::string content) {
        return json::value{{"choices", json::array{json::object{
                                           {"finish_reason", "stop"},
                                           {"message", {{"role", "assistant"}, {"content", content}}}}}}};
    };
    for (std::string const content :
         {"```json\n{\"name\": \"John Doe\", \"age\": 32}\n```",
          "Here it is:\n```json\n{\"name\": \"John Doe\", \"age\": 32}\n```\nAnything else?",
          "```\n{\"name\": \"John Doe\", \"age\": 32}\n```",
          "Sure! {\"name\": \"John Doe\", \"age\": 32} is the answer."}) {
        auto const x = det::extract_chat(ins::mode::md_json, reply(content));
        ASSERT_EQ(x.answers.size(), 1u) << content;
        EXPECT_EQ(parse(x.answers[0].text), parse(R"({"name":"John Doe","age":32})")) << content;
        EXPECT_FALSE(x.problem) << content;
        // the json modes tolerate a fence too
        auto const j = det::extract_chat(ins::mode::json_schema, reply(content));
        EXPECT_EQ(parse(j.answers[0].text), parse(R"({"name":"John Doe","age":32})")) << content;
    }
    EXPECT_TRUE(det::extract_chat(ins::mode::md_json, reply("I cannot find a person.")).problem);
}

// Python Instructor parses every JSON mode's content through extract_json_from_codeblock (the
// first '{' to the last '}'), so a reply that starts with the object and then chats on is
// accepted, not re-asked. Models without grammar-constrained decoding (Ollama, Groq) do that.
TEST(ProtocolExtract, JsonModesAcceptProseAfterTheObject)
{
    json::value const response = {
        {"choices",
         json::array{json::object{
             {"finish_reason", "stop"},
             {"message",
              {{"role", "assistant"},
               {"content", "{\"name\": \"John Doe\", \"age\": 32}\n\nLet me know if you need more."}}}}}}};
    for (auto m : {ins::mode::json, ins::mode::json_schema, ins::mode::md_json,
                   ins::mode::structured_outputs}) {
        auto const x = det::extract_chat(m, response);
        ASSERT_EQ(x.answers.size(), 1u) << ins::to_string(m);
        boost::system::error_code ec;
        auto const v = json::parse(x.answers[0].text, ec);
        EXPECT_FALSE(ec) << ins::to_string(m) << ": " << x.answers[0].text;
        EXPECT_EQ(v, parse(R"({"name":"John Doe","age":32})")) << ins::to_string(m);
    }
}

// =============================================================================================
// find_json_block

TEST(ProtocolJsonBlock, Fenced)
{
    auto b = det::find_json_block("```json\n{\"a\": 1}\n```");
    ASSERT_TRUE(b);
    EXPECT_EQ(parse(std::string(*b)), parse(R"({"a":1})"));
    EXPECT_EQ(b->find("```"), std::string_view::npos);
    EXPECT_EQ(b->find("json"), std::string_view::npos);
}

TEST(ProtocolJsonBlock, FenceWithoutLanguageTag)
{
    auto b = det::find_json_block("```\n{\"a\": [1, 2]}\n```");
    ASSERT_TRUE(b);
    EXPECT_EQ(parse(std::string(*b)), parse(R"({"a":[1,2]})"));
}

TEST(ProtocolJsonBlock, TextAroundTheFence)
{
    auto b = det::find_json_block(
        "Here is {the} result:\n\n```json\n{\"a\": \"}\"}\n```\n\nLet me know {if} you need more.");
    ASSERT_TRUE(b);
    EXPECT_EQ(parse(std::string(*b)), parse(R"({"a":"}"})"));
}

TEST(ProtocolJsonBlock, FenceOnOneLineFallsBackToBraces)
{
    auto b = det::find_json_block("```json {\"a\": 1}```");
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, R"({"a": 1})");
}

TEST(ProtocolJsonBlock, UnclosedFenceFallsBackToBraces)
{
    auto b = det::find_json_block("```json\n{\"a\": {\"b\": 2}} and more");
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, R"({"a": {"b": 2}})");
}

TEST(ProtocolJsonBlock, BalancedObjectWithBracesInsideStrings)
{
    auto b = det::find_json_block(
        R"(The answer is {"name": "a}b{", "nested": {"q": "say \"}\" now"}, "x": "\\"} thanks {})");
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, R"({"name": "a}b{", "nested": {"q": "say \"}\" now"}, "x": "\\"})");
    EXPECT_EQ(parse(std::string(*b)).at("x"), "\\");
}

TEST(ProtocolJsonBlock, UnbalancedReturnsTheRest)
{
    auto b = det::find_json_block(R"(partial: {"a": {"b": 1}, "c": "}{)");
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, R"({"a": {"b": 1}, "c": "}{)");
}

TEST(ProtocolJsonBlock, NoJson)
{
    EXPECT_FALSE(det::find_json_block("no json here"));
    EXPECT_FALSE(det::find_json_block(""));
}

// =============================================================================================
// Usage

TEST(ProtocolUsage, EveryRecordedCompletion)
{
    struct expected {
        char const* id;
        ins::usage u;
    };
    for (auto const& e : {
             expected{"02", {92, 17, 109, 0, 0}},
             expected{"05", {62, 5, 67, 0, 0}},
             expected{"06", {92, 15, 107, 0, 0}},
             expected{"19", {136, 15, 151, 0, 0}},
             expected{"20", {35, 12, 109, 0, 0}},  // Gemini counts thinking only in the total
             expected{"21", {178, 94, 272, 0, 0}},  // Groq: float timings next to the counts
             expected{"23", {44, 23, 67, 0, 0}},    // Together: cached_tokens at the top level
         })
        EXPECT_EQ(det::chat_usage(recorded_response(e.id)), e.u) << e.id;
}

// 24 (xAI grok-3-mini): the usage chunk has cached and reasoning details.
TEST(ProtocolUsage, CachedAndReasoningTokensFromRecording24)
{
    std::istringstream lines(read_text(wire_file("24", ".chunks.jsonl")));
    std::string line;
    json::value usage_chunk;
    while (std::getline(lines, line))
        if (line.find("\"usage\"") != std::string::npos) {
            auto v = json::parse(line);
            if (v.at("usage").is_object())
                usage_chunk = std::move(v);
        }
    ASSERT_TRUE(usage_chunk.is_object());
    EXPECT_EQ(det::chat_usage(usage_chunk), (ins::usage{307, 26, 560, 306, 227}));
}

TEST(ProtocolUsage, MissingAndOddValues)
{
    EXPECT_EQ(det::chat_usage(parse(R"({"choices":[]})")), ins::usage{});
    EXPECT_EQ(det::chat_usage(parse("[]")), ins::usage{});
    EXPECT_EQ(det::chat_usage(parse(R"({"usage":null})")), ins::usage{});
    // no total: the sum
    EXPECT_EQ(det::chat_usage(parse(R"({"usage":{"prompt_tokens":10,"completion_tokens":5}})")),
              (ins::usage{10, 5, 15, 0, 0}));
    EXPECT_EQ(det::chat_usage(parse(R"({"usage":{"prompt_tokens":10,"completion_tokens":5,
        "total_tokens":15,"prompt_tokens_details":{"cached_tokens":8},
        "completion_tokens_details":{"reasoning_tokens":3}}})")),
              (ins::usage{10, 5, 15, 8, 3}));
    // negative counts are not wrapped around
    EXPECT_EQ(det::chat_usage(parse(R"({"usage":{"prompt_tokens":-1,"completion_tokens":2}})")),
              (ins::usage{0, 2, 2, 0, 0}));
}

// =============================================================================================
// Re-ask messages

namespace {

std::string const errors = "age: Field required\nname: Input should be a valid string, got 1 (integer)";

}  // namespace

TEST(ProtocolReask, ToolsModeAnswersEveryToolCall)
{
    auto const response = recorded_response("02");
    auto const got = det::extract_chat(ins::mode::tools, response);
    EXPECT_EQ(json::value(det::reask_messages(ins::mode::tools, response, got, errors)),
              parse(R"([{"role":"assistant","content":"","tool_calls":[{"id":"call_TTY8UFNo7rNCaOBUNtlRSvMG",)"
                    R"("type":"function","function":{"name":"lookup_population","arguments":"{\"country\":\"Crumpet\"}"}}]},)"
                    R"({"role":"tool","tool_call_id":"call_TTY8UFNo7rNCaOBUNtlRSvMG","name":"lookup_population",)"
                    R"("content":"Validation Error found:\nage: Field required\nname: Input should be a valid )"
                    R"(string, got 1 (integer)\nRecall the function correctly, fix the errors"}])"));
}

TEST(ProtocolReask, ParallelToolsOneToolMessagePerCall)
{
    auto const response = parse(R"({"choices":[{"finish_reason":"tool_calls","message":{"role":"assistant",
        "content":"Two pets.","tool_calls":[
          {"id":"call_a","type":"function","function":{"name":"Cat","arguments":"{\"name\":\"Tom\"}"}},
          {"id":"call_b","type":"function","function":{"name":"Dog","arguments":"{\"name\":\"Rex\"}"}}]}}]})");
    auto const got = det::extract_chat(ins::mode::parallel_tools, response);
    EXPECT_EQ(json::value(det::reask_messages(ins::mode::parallel_tools, response, got, "indoor: Field required")),
              parse(R"([{"role":"assistant","content":"Two pets.","tool_calls":[)"
                    R"({"id":"call_a","type":"function","function":{"name":"Cat","arguments":"{\"name\":\"Tom\"}"}},)"
                    R"({"id":"call_b","type":"function","function":{"name":"Dog","arguments":"{\"name\":\"Rex\"}"}}]},)"
                    R"({"role":"tool","tool_call_id":"call_a","name":"Cat","content":"Validation Error found:\n)"
                    R"(indoor: Field required\nRecall the function correctly, fix the errors"},)"
                    R"({"role":"tool","tool_call_id":"call_b","name":"Dog","content":"Validation Error found:\n)"
                    R"(indoor: Field required\nRecall the function correctly, fix the errors"}])"));
}

// 20 (Gemini): the generated id is used in both the assistant's call and the tool's answer.
TEST(ProtocolReask, GeneratedToolCallIdsPairUp)
{
    auto const response = recorded_response("20");
    auto const got = det::extract_chat(ins::mode::tools, response);
    auto const msgs = det::reask_messages(ins::mode::tools, response, got, errors);
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(msgs[0].at("tool_calls").at(0).at("id"), "call_0");
    EXPECT_EQ(msgs[1].at("tool_call_id"), "call_0");
    EXPECT_EQ(msgs[1].at("role"), "tool");
}

TEST(ProtocolReask, JsonModes)
{
    auto const response = recorded_response("05");
    for (auto m : {ins::mode::json, ins::mode::json_schema, ins::mode::md_json,
                   ins::mode::structured_outputs}) {
        auto const got = det::extract_chat(m, response);
        EXPECT_EQ(json::value(det::reask_messages(m, response, got, "output: Input should be less than 5")),
                  parse(R"([{"role":"assistant","content":"{\"output\":7}"},)"
                        R"({"role":"user","content":"Correct your JSON ONLY RESPONSE, based on the )"
                        R"(following errors:\noutput: Input should be less than 5"}])"))
            << ins::to_string(m);
    }
}

TEST(ProtocolReask, ToolsModeReplyWithoutAToolCall)
{
    auto const response = recorded_response("23");
    auto const got = det::extract_chat(ins::mode::tools, response);
    ASSERT_TRUE(got.problem);
    EXPECT_EQ(json::value(det::reask_messages(ins::mode::tools, response, got, *got.problem)),
              parse(R"([{"role":"assistant","content":"To find the answer, add 4200 and 42.\n\n4200 + 42 = 4242"},)"
                    R"({"role":"user","content":"Validation Error found:\n)" +
                    escaped(*got.problem) + R"(\nRecall the function correctly, fix the errors"}])"));
}

// =============================================================================================
// Anthropic Messages API (anthropic_tools, anthropic_json)

namespace {

std::string const seed_system = "Extract the user.";
std::string const claude_model = "claude-sonnet-4-5";

ins::request anthropic_seed_request(bool with_system = true)
{
    ins::request req;
    req.model = claude_model;
    if (with_system)
        req.messages.push_back(ins::message::system(seed_system));
    req.messages.push_back(ins::message::user("John Doe is 32 years old."));
    return req;
}

json::object messages_body_for(ins::mode m, ins::request const& req,
                               std::vector<det::tool_spec> const& tools, bool stream = false)
{
    auto const prompt = det::anthropic_initial(m, req, tools.front());
    return det::build_messages_body(m, req, req.model, prompt, tools, stream);
}

json::object messages_body_for(ins::mode m, ins::request const& req, bool stream = false)
{
    return messages_body_for(m, req, {det::tool_spec_for<models::UserInfo>()}, stream);
}

// The keys of an object in their wire order.
std::vector<std::string> key_order(json::object const& o)
{
    std::vector<std::string> out;
    for (auto const& kv : o)
        out.emplace_back(kv.key());
    return out;
}

using key_list = std::vector<std::string>;

struct sse_event {
    std::string event;
    std::string data;
};

// A recorded .sse body split into events: blocks separated by a blank line, `event:` and
// `data:` fields (one optional space after the colon; several data lines joined with "\n").
std::vector<sse_event> recorded_events(std::string const& prefix)
{
    std::string const text = read_text(wire_file(prefix, ".sse"));
    std::vector<sse_event> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find("\n\n", pos);
        if (end == std::string::npos)
            end = text.size();
        std::istringstream block(text.substr(pos, end - pos));
        pos = end + 2;
        sse_event ev;
        bool any = false;
        std::string line;
        while (std::getline(block, line)) {
            auto field = [&](std::string_view name) -> std::optional<std::string> {
                if (!line.starts_with(name) || line.size() <= name.size() || line[name.size()] != ':')
                    return std::nullopt;
                auto value = line.substr(name.size() + 1);
                if (!value.empty() && value.front() == ' ')
                    value.erase(0, 1);
                return value;
            };
            if (auto v = field("event")) {
                ev.event = *v;
                any = true;
            }
            else if (auto d = field("data")) {
                ev.data += (ev.data.empty() ? "" : "\n") + *d;
                any = true;
            }
        }
        if (any)
            out.push_back(std::move(ev));
    }
    return out;
}

// What a whole stream amounts to, accumulated from parse_messages_event as a client would.
struct stream_sum {
    std::string content;
    std::string refusal;
    std::vector<det::chunk_delta::call_piece> calls;  // by content block index, pieces merged
    std::optional<std::string> finish_reason;
    ins::usage usage;
    std::size_t usage_events = 0;
    std::size_t events = 0;
    std::size_t empty_events = 0;      // events that changed nothing (ping, block stops, ...)
    std::size_t events_after_stop = 0;
    bool stopped = false;
};

bool is_empty(det::chunk_delta const& d)
{
    return d.content.empty() && d.refusal.empty() && d.calls.empty() && !d.finish_reason &&
           !d.usage && !d.error;
}

stream_sum sum_events(std::vector<sse_event> const& events)
{
    stream_sum s;
    for (auto const& ev : events) {
        if (s.stopped)
            ++s.events_after_stop;
        auto const d = det::parse_messages_event(ev.event, ev.data, s.stopped);
        ++s.events;
        EXPECT_FALSE(d.error) << ev.data;
        if (ev.event == "ping") {
            EXPECT_TRUE(is_empty(d)) << "ping changed something: " << ev.data;
        }
        if (is_empty(d))
            ++s.empty_events;
        s.content += d.content;
        s.refusal += d.refusal;
        for (auto const& p : d.calls) {
            auto it = std::find_if(s.calls.begin(), s.calls.end(),
                                   [&](auto const& c) { return c.index == p.index; });
            if (it == s.calls.end()) {
                s.calls.push_back(p);
                continue;
            }
            if (!p.id.empty())
                it->id = p.id;
            if (!p.name.empty())
                it->name = p.name;
            it->arguments += p.arguments;
        }
        if (d.finish_reason)
            s.finish_reason = d.finish_reason;
        if (d.usage) {
            s.usage += *d.usage;
            ++s.usage_events;
        }
    }
    return s;
}

std::string const anthropic_tool_feedback_end = "\\nRecall the function correctly, fix the errors";

}  // namespace

// ---- Request bodies, pinned in full ---------------------------------------------------------

TEST(ProtocolAnthropicBody, Tools)
{
    auto const body = messages_body_for(ins::mode::anthropic_tools, anthropic_seed_request());
    auto const expected = parse(
        R"({"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[)" + seed_user_message +
        R"(],"system":"Extract the user.","tools":[{"name":"UserInfo","description":")" +
        user_info_description + R"(","input_schema":)" + user_info_parameters +
        R"(}],"tool_choice":{"type":"tool","name":"UserInfo"}})");
    EXPECT_EQ(json::value(body), expected);
    // the wire order of the top-level keys too
    EXPECT_EQ(key_order(body), key_order(expected.as_object()));
}

TEST(ProtocolAnthropicBody, Json)
{
    auto const body = messages_body_for(ins::mode::anthropic_json, anthropic_seed_request());
    auto const expected =
        parse(R"({"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[)" + seed_user_message +
              R"(],"system":"Extract the user.\n\n)" + json_instructions + R"("})");
    EXPECT_EQ(json::value(body), expected);
    EXPECT_EQ(key_order(body), key_order(expected.as_object()));
}

TEST(ProtocolAnthropicBody, WithoutASystemMessage)
{
    auto const tools = messages_body_for(ins::mode::anthropic_tools, anthropic_seed_request(false));
    EXPECT_FALSE(tools.contains("system"));
    EXPECT_EQ(json::value(tools.at("messages")), parse("[" + seed_user_message + "]"));

    // anthropic_json: the instructions alone
    auto const j = messages_body_for(ins::mode::anthropic_json, anthropic_seed_request(false));
    EXPECT_EQ(j.at("system"), parse(R"(")" + json_instructions + R"(")"));
    EXPECT_FALSE(j.contains("tools"));
    EXPECT_FALSE(j.contains("tool_choice"));
}

// The Messages API has no "system" role: every system message goes to the top-level string,
// joined with a blank line, wherever it stood; the other messages keep their order.
TEST(ProtocolAnthropicBody, SystemMessagesAreJoinedIntoTheTopLevelString)
{
    ins::request req;
    req.model = claude_model;
    req.messages = {ins::message::system("Extract the user."), ins::message::user("John Doe is 32."),
                    ins::message::assistant("Noted."), ins::message::system("Be brief."),
                    ins::message::user("And his age?")};
    auto const tools = messages_body_for(ins::mode::anthropic_tools, req);
    EXPECT_EQ(tools.at("system"), "Extract the user.\n\nBe brief.");
    EXPECT_EQ(json::value(tools.at("messages")),
              parse(R"([{"role":"user","content":"John Doe is 32."},)"
                    R"({"role":"assistant","content":"Noted."},)"
                    R"({"role":"user","content":"And his age?"}])"));
    auto const j = messages_body_for(ins::mode::anthropic_json, req);
    EXPECT_EQ(j.at("system"),
              parse(R"("Extract the user.\n\nBe brief.\n\n)" + json_instructions + R"(")"));
}

TEST(ProtocolAnthropicBody, MaxTokensDefaultsTo4096)
{
    for (auto m : {ins::mode::anthropic_tools, ins::mode::anthropic_json}) {
        auto req = anthropic_seed_request();
        EXPECT_EQ(messages_body_for(m, req).at("max_tokens"), 4096) << ins::to_string(m);
        req.max_tokens = 512;
        EXPECT_EQ(messages_body_for(m, req).at("max_tokens"), 512) << ins::to_string(m);
    }
}

TEST(ProtocolAnthropicBody, TemperatureStreamAndKeyOrder)
{
    auto req = anthropic_seed_request();
    req.temperature = 0.25;
    req.max_tokens = 1000;
    auto const body = messages_body_for(ins::mode::anthropic_tools, req, true);
    EXPECT_EQ(body.at("temperature"), 0.25);
    EXPECT_EQ(body.at("max_tokens"), 1000);
    EXPECT_EQ(body.at("stream"), true);
    EXPECT_FALSE(body.contains("stream_options")) << "an OpenAI field";
    EXPECT_EQ(key_order(body), (key_list{"model", "max_tokens", "messages", "system", "tools",
                                         "tool_choice", "temperature", "stream"}));

    auto const j = messages_body_for(ins::mode::anthropic_json, req, true);
    EXPECT_EQ(key_order(j),
              (key_list{"model", "max_tokens", "messages", "system", "temperature", "stream"}));

    auto const plain = messages_body_for(ins::mode::anthropic_json, anthropic_seed_request());
    EXPECT_FALSE(plain.contains("temperature"));
    EXPECT_FALSE(plain.contains("stream"));
}

TEST(ProtocolAnthropicBody, ExtraBodyIsMergedLastAndOverrides)
{
    auto req = anthropic_seed_request();
    req.temperature = 0.25;
    req.extra_body = json::object{{"temperature", 0},
                                  {"top_k", 5},
                                  {"tool_choice", {{"type", "any"}}},
                                  {"metadata", {{"user_id", "u-1"}}}};
    auto const body = messages_body_for(ins::mode::anthropic_tools, req, true);
    EXPECT_EQ(body.at("temperature"), 0);
    EXPECT_EQ(body.at("top_k"), 5);
    EXPECT_EQ(body.at("tool_choice"), parse(R"({"type":"any"})"));
    EXPECT_EQ(body.at("metadata"), parse(R"({"user_id":"u-1"})"));
    EXPECT_EQ(body.at("stream"), true);  // untouched keys stay
    EXPECT_EQ(body.at("tools").at(0).at("name"), "UserInfo");
    // new keys come after every key the mode sets
    EXPECT_EQ(key_order(body), (key_list{"model", "max_tokens", "messages", "system", "tools",
                                         "tool_choice", "temperature", "stream", "top_k",
                                         "metadata"}));
}

TEST(ProtocolAnthropicBody, MultiPartUserContent)
{
    ins::request req = anthropic_seed_request(false);
    req.messages = {ins::message::user(
        {ins::content_part::from_text("Who is this?"),
         ins::content_part::image_url("https://example.com/john.png", "low"),
         ins::content_part::image_url("data:image/png;base64,iVBORw0KGgo="),
         ins::content_part::image_url("data:image/jpeg;base64,/9j/4AAQSkZJRg==")})};
    for (auto m : {ins::mode::anthropic_tools, ins::mode::anthropic_json}) {
        auto const body = messages_body_for(m, req);
        EXPECT_EQ(json::value(body.at("messages")),
                  parse(R"([{"role":"user","content":[{"type":"text","text":"Who is this?"},)"
                        R"({"type":"image","source":{"type":"url","url":"https://example.com/john.png"}},)"
                        R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},)"
                        R"({"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQSkZJRg=="}}]}])"))
            << ins::to_string(m);
    }
}

TEST(ProtocolAnthropicBody, ModelDescriptionAndNameComeFromTheModel)
{
    auto const body = messages_body_for(ins::mode::anthropic_tools, anthropic_seed_request(),
                                        {det::tool_spec_for<models::Ticket>()});
    auto const& tool = body.at("tools").at(0).as_object();
    EXPECT_EQ(key_order(tool), (key_list{"name", "description", "input_schema"}));
    EXPECT_EQ(tool.at("name"), "Ticket");
    EXPECT_EQ(tool.at("description"), "A support ticket");
    EXPECT_FALSE(tool.at("input_schema").as_object().contains("title"));
    EXPECT_FALSE(tool.at("input_schema").as_object().contains("description"));
    EXPECT_EQ(tool.at("input_schema").at("type"), "object");
    EXPECT_EQ(body.at("tool_choice"), parse(R"({"type":"tool","name":"Ticket"})"));
}

TEST(ProtocolAnthropicBody, ModelArgumentIsSentNotTheRequestField)
{
    auto req = anthropic_seed_request();
    req.model = "";
    auto const spec = det::tool_spec_for<models::UserInfo>();
    auto const body = det::build_messages_body(ins::mode::anthropic_tools, req, "claude-3-5-haiku-latest",
                                               det::anthropic_initial(ins::mode::anthropic_tools, req, spec),
                                               {&spec, 1}, false);
    EXPECT_EQ(body.at("model"), "claude-3-5-haiku-latest");
}

TEST(ProtocolAnthropicBody, NoResponseModelIsAnInvalidArgument)
{
    auto const req = anthropic_seed_request();
    for (auto m : {ins::mode::anthropic_tools, ins::mode::anthropic_json}) {
        try {
            det::build_messages_body(m, req, req.model, det::anthropic_prompt{}, {}, false);
            ADD_FAILURE() << ins::to_string(m) << " built a body without a response model";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code_enum(), ins::errc::invalid_argument) << ins::to_string(m);
        }
    }
}

// 13 (pydantic-ai, claude-sonnet-4-5): tools are {name, description, input_schema}, max_tokens set.
TEST(ProtocolAnthropicBody, ToolShapeMatchesRecording13)
{
    auto const rec = recorded_request("13");
    auto const ours = json::value(messages_body_for(ins::mode::anthropic_tools, anthropic_seed_request()));
    for (auto const& rt : rec.at("tools").as_array()) {
        EXPECT_EQ(keys(ours.at("tools").at(0)), keys(rt));
        EXPECT_EQ(ours.at("tools").at(0).at("input_schema").at("type"), rt.at("input_schema").at("type"));
    }
    EXPECT_EQ(ours.at("max_tokens"), rec.at("max_tokens"));
    EXPECT_EQ(ours.at("model"), rec.at("model"));
    EXPECT_EQ(keys(ours.at("messages").at(0)), keys(rec.at("messages").at(0)));
}

// ---- Answers and usage of non-streaming responses ------------------------------------------

// 12 (Mirascope, claude-sonnet-4-5): the JSON as the text of one text block.
TEST(ProtocolAnthropicExtract, JsonFromRecording12)
{
    auto const response = recorded_response("12");
    auto const x = det::extract_messages(ins::mode::anthropic_json, response);
    ASSERT_EQ(x.answers.size(), 1u);
    EXPECT_EQ(x.answers[0].name, "");
    EXPECT_EQ(x.answers[0].id, "");
    EXPECT_EQ(parse(x.answers[0].text), parse(R"({"integer_a":2,"integer_b":2,"answer":4})"));
    EXPECT_EQ(x.finish_reason, "end_turn");
    EXPECT_FALSE(x.refusal);
    EXPECT_FALSE(x.problem);
    EXPECT_EQ(det::messages_usage(response), (ins::usage{263, 25, 288, 0, 0}));
}

// 13 (pydantic-ai): a tool_use block whose input is an empty object.
TEST(ProtocolAnthropicExtract, ToolUseFromRecording13)
{
    auto const response = recorded_response("13");
    auto const x = det::extract_messages(ins::mode::anthropic_tools, response);
    ASSERT_EQ(x.answers.size(), 1u);
    EXPECT_EQ(x.answers[0].name, "get_user_country");
    EXPECT_EQ(x.answers[0].id, "toolu_01X9wcHKKAZD9tBC711xipPa");
    EXPECT_EQ(x.answers[0].text, "{}");
    EXPECT_EQ(x.finish_reason, "tool_use");
    EXPECT_FALSE(x.refusal);
    EXPECT_FALSE(x.problem);
    EXPECT_EQ(det::messages_usage(response), (ins::usage{445, 23, 468, 0, 0}));
}

TEST(ProtocolAnthropicExtract, WrongKindOfReplyIsAProblem)
{
    // 12 (text only) in tools mode: no tool_use
    auto const tools = det::extract_messages(ins::mode::anthropic_tools, recorded_response("12"));
    EXPECT_TRUE(tools.answers.empty());
    ASSERT_TRUE(tools.problem);
    EXPECT_FALSE(tools.problem->empty());
    EXPECT_EQ(tools.finish_reason, "end_turn");

    // 13 (tool_use only) in json mode: no text
    auto const j = det::extract_messages(ins::mode::anthropic_json, recorded_response("13"));
    EXPECT_TRUE(j.problem);

    // an empty content array
    auto const empty = parse(R"({"type":"message","role":"assistant","content":[],"stop_reason":"end_turn"})");
    EXPECT_TRUE(det::extract_messages(ins::mode::anthropic_tools, empty).problem);
    EXPECT_TRUE(det::extract_messages(ins::mode::anthropic_json, empty).problem);
}

TEST(ProtocolAnthropicExtract, TextBeforeTheToolUseAndSeveralToolUses)
{
    auto const response = parse(R"({"type":"message","role":"assistant","stop_reason":"tool_use","content":[
        {"type":"text","text":"Let me extract that."},
        {"type":"tool_use","id":"toolu_a","name":"UserInfo","input":{"name":"John Doe","age":32}},
        {"type":"tool_use","id":"toolu_b","name":"UserInfo","input":{"name":"Jane","age":30}}]})");
    auto const x = det::extract_messages(ins::mode::anthropic_tools, response);
    ASSERT_EQ(x.answers.size(), 2u);
    EXPECT_EQ(x.answers[0].id, "toolu_a");
    EXPECT_EQ(parse(x.answers[0].text), parse(R"({"name":"John Doe","age":32})"));
    EXPECT_EQ(x.answers[1].id, "toolu_b");
    EXPECT_FALSE(x.problem);
}

TEST(ProtocolAnthropicExtract, JsonModeFindsTheJsonInProse)
{
    auto reply = [](std::string text) {
        return json::value{{"type", "message"},
                           {"content", json::array{json::object{{"type", "text"}, {"text", text}}}},
                           {"stop_reason", "end_turn"}};
    };
    for (std::string const text : {"```json\n{\"name\": \"John Doe\", \"age\": 32}\n```",
                                   "Here it is: {\"name\": \"John Doe\", \"age\": 32} -- done."}) {
        auto const x = det::extract_messages(ins::mode::anthropic_json, reply(text));
        ASSERT_EQ(x.answers.size(), 1u) << text;
        EXPECT_EQ(parse(x.answers[0].text), parse(R"({"name":"John Doe","age":32})")) << text;
        EXPECT_FALSE(x.problem) << text;
    }
}

TEST(ProtocolAnthropicExtract, MaxTokensBecomesLength)
{
    auto const response = parse(R"({"type":"message","role":"assistant","stop_reason":"max_tokens",
        "content":[{"type":"text","text":"{\"name\":\"John"}]})");
    auto const x = det::extract_messages(ins::mode::anthropic_json, response);
    EXPECT_EQ(x.finish_reason, "length");
    ASSERT_EQ(x.answers.size(), 1u);
    EXPECT_EQ(x.answers[0].text, R"({"name":"John)");
    auto const t = det::extract_messages(ins::mode::anthropic_tools, response);
    EXPECT_EQ(t.finish_reason, "length");
}

TEST(ProtocolAnthropicExtract, Refusal)
{
    auto const with_text = parse(R"({"type":"message","role":"assistant","stop_reason":"refusal",
        "content":[{"type":"text","text":"I can't help with that."}]})");
    auto const no_text = parse(R"({"type":"message","role":"assistant","stop_reason":"refusal","content":[]})");
    for (auto m : {ins::mode::anthropic_tools, ins::mode::anthropic_json}) {
        auto x = det::extract_messages(m, with_text);
        ASSERT_TRUE(x.refusal) << ins::to_string(m);
        EXPECT_EQ(*x.refusal, "I can't help with that.");
        EXPECT_EQ(x.finish_reason, "refusal");
        EXPECT_FALSE(x.problem) << ins::to_string(m) << ": a refusal is not re-asked";
        x = det::extract_messages(m, no_text);
        ASSERT_TRUE(x.refusal) << ins::to_string(m);
        EXPECT_FALSE(x.refusal->empty());
        EXPECT_FALSE(x.problem) << ins::to_string(m);
    }
}

TEST(ProtocolAnthropicExtract, NotAMessageIsAProtocolError)
{
    for (char const* text :
         {R"({"type":"message","role":"assistant"})", R"({"content":"hi"})", R"({"content":{}})",
          "[]", "null", R"("text")"}) {
        for (auto m : {ins::mode::anthropic_tools, ins::mode::anthropic_json}) {
            try {
                (void)det::extract_messages(m, parse(text));
                ADD_FAILURE() << "accepted " << text;
            }
            catch (ins::error const& e) {
                EXPECT_EQ(e.code_enum(), ins::errc::protocol_error) << text;
            }
        }
    }
    // 15: Anthropic's 401 error body
    try {
        (void)det::extract_messages(ins::mode::anthropic_tools, recorded_response("15"));
        ADD_FAILURE() << "accepted the 401 body";
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code_enum(), ins::errc::protocol_error);
    }
}

TEST(ProtocolAnthropicUsage, CachedAndOddValues)
{
    EXPECT_EQ(det::messages_usage(parse(R"({"usage":{"input_tokens":100,"output_tokens":20,
        "cache_read_input_tokens":64,"cache_creation_input_tokens":8}})")),
              (ins::usage{100, 20, 120, 64, 0}));
    EXPECT_EQ(det::messages_usage(parse(R"({"content":[]})")), ins::usage{});
    EXPECT_EQ(det::messages_usage(parse(R"({"usage":null})")), ins::usage{});
    EXPECT_EQ(det::messages_usage(parse("[]")), ins::usage{});
    EXPECT_EQ(det::messages_usage(parse(R"({"usage":{"input_tokens":-3,"output_tokens":2}})")),
              (ins::usage{0, 2, 2, 0, 0}));
}

// ---- Re-ask messages ------------------------------------------------------------------------

TEST(ProtocolAnthropicReask, ToolsModeRecording13)
{
    auto const response = recorded_response("13");
    auto const got = det::extract_messages(ins::mode::anthropic_tools, response);
    EXPECT_EQ(json::value(det::anthropic_reask(ins::mode::anthropic_tools, response, got, errors)),
              parse(R"([{"role":"assistant","content":[{"id":"toolu_01X9wcHKKAZD9tBC711xipPa",)"
                    R"("input":{},"name":"get_user_country","type":"tool_use"}]},)"
                    R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01X9wcHKKAZD9tBC711xipPa",)"
                    R"("content":"Validation Error found:\n)" + escaped(errors) + anthropic_tool_feedback_end +
                    R"(","is_error":true}]}])"));
}

TEST(ProtocolAnthropicReask, ToolsModeOneToolResultPerToolUse)
{
    auto const response = parse(R"({"type":"message","role":"assistant","stop_reason":"tool_use","content":[
        {"type":"text","text":"Two users."},
        {"type":"tool_use","id":"toolu_a","name":"UserInfo","input":{"name":"John"}},
        {"type":"tool_use","id":"toolu_b","name":"UserInfo","input":{"name":"Jane"}}]})");
    auto const got = det::extract_messages(ins::mode::anthropic_tools, response);
    auto const msgs = det::anthropic_reask(ins::mode::anthropic_tools, response, got, "age: Field required");
    std::string const feedback =
        R"("Validation Error found:\nage: Field required\nRecall the function correctly, fix the errors")";
    EXPECT_EQ(json::value(msgs),
              parse(R"([{"role":"assistant","content":)" + json::serialize(response.at("content")) +
                    R"(},{"role":"user","content":[)"
                    R"({"type":"tool_result","tool_use_id":"toolu_a","content":)" + feedback + R"(,"is_error":true},)"
                    R"({"type":"tool_result","tool_use_id":"toolu_b","content":)" + feedback + R"(,"is_error":true}]}])"));
}

// 12 (text, no tool_use) in tools mode: the text is echoed and the feedback is a plain user turn.
TEST(ProtocolAnthropicReask, ToolsModeReplyWithoutAToolUse)
{
    auto const response = recorded_response("12");
    auto const got = det::extract_messages(ins::mode::anthropic_tools, response);
    ASSERT_TRUE(got.problem);
    EXPECT_EQ(json::value(det::anthropic_reask(ins::mode::anthropic_tools, response, got, *got.problem)),
              parse(R"([{"role":"assistant","content":[{"type":"text",)"
                    R"("text":"{\"integer_a\": 2, \"integer_b\": 2, \"answer\": 4}"}]},)"
                    R"({"role":"user","content":"Validation Error found:\n)" + escaped(*got.problem) +
                    anthropic_tool_feedback_end + R"("}])"));
}

TEST(ProtocolAnthropicReask, JsonModeRecording12)
{
    auto const response = recorded_response("12");
    auto const got = det::extract_messages(ins::mode::anthropic_json, response);
    EXPECT_EQ(json::value(det::anthropic_reask(ins::mode::anthropic_json, response, got,
                                               "answer: Input should be less than 4")),
              parse(R"([{"role":"assistant","content":[{"type":"text",)"
                    R"("text":"{\"integer_a\": 2, \"integer_b\": 2, \"answer\": 4}"}]},)"
                    R"({"role":"user","content":"Correct your JSON ONLY RESPONSE, based on the )"
                    R"(following errors:\nanswer: Input should be less than 4"}])"));
}

// The Messages API rejects a request whose non-final message has empty content ("all messages
// must have non-empty content except for the optional final assistant message"), and Claude does
// reply with `"content": []` at times (end_turn after a couple of tokens). Re-asking such a reply
// must not echo it as an assistant turn with empty content: the retry would fail with a 400
// instead of asking again.
TEST(ProtocolAnthropicReask, AnEmptyReplyIsNotEchoedAsAnEmptyAssistantTurn)
{
    auto const response = parse(R"({"id":"msg_1","type":"message","role":"assistant","content":[],)"
                                R"("stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":2}})");
    for (auto m : {ins::mode::anthropic_tools, ins::mode::anthropic_json}) {
        auto const got = det::extract_messages(m, response);
        ASSERT_TRUE(got.problem) << ins::to_string(m);
        auto const msgs = det::anthropic_reask(m, response, got, *got.problem);
        ASSERT_FALSE(msgs.empty()) << ins::to_string(m);
        EXPECT_EQ(msgs.back().at("role"), "user") << ins::to_string(m);
        for (auto const& msg : msgs) {
            auto const& content = msg.at("content");
            bool const empty = content.is_array() ? content.as_array().empty()
                                                  : content.as_string().empty();
            EXPECT_FALSE(empty) << ins::to_string(m) << ": " << json::serialize(msg);
        }
    }
}

// ---- Streamed events ------------------------------------------------------------------------

// 10 (Mirascope, claude-sonnet-4-0): a tool_use block whose input arrives in input_json_delta
// fragments (the first one empty), a ping, padded data JSON.
TEST(ProtocolAnthropicStream, ToolUseRecording10)
{
    auto const events = recorded_events("10");
    ASSERT_EQ(events.size(), 9u);
    auto const s = sum_events(events);
    EXPECT_TRUE(s.stopped);
    EXPECT_EQ(s.events_after_stop, 0u) << "stopped before message_stop";
    ASSERT_EQ(s.calls.size(), 1u);
    EXPECT_EQ(s.calls[0].index, 0u);
    EXPECT_EQ(s.calls[0].id, "toolu_01GcumWAQEHSngHJr8DEbh4D");
    EXPECT_EQ(s.calls[0].name, "__mirascope_formatted_output_tool__");
    EXPECT_EQ(s.calls[0].arguments, R"({"output": 7})");
    EXPECT_EQ(s.content, "");
    EXPECT_EQ(s.finish_reason, "tool_use");
    // message_start's input count + message_delta's output count (message_start's output count
    // is a running figure, superseded)
    EXPECT_EQ(s.usage, (ins::usage{410, 24, 434, 0, 0}));
    EXPECT_EQ(s.usage_events, 2u);
    EXPECT_EQ(s.empty_events, 3u);  // ping, content_block_stop, message_stop
}

// 11 (Mirascope, claude-sonnet-4-5): the JSON as text_delta fragments, a ping among them.
TEST(ProtocolAnthropicStream, TextRecording11)
{
    auto const events = recorded_events("11");
    ASSERT_EQ(events.size(), 10u);
    auto const s = sum_events(events);
    EXPECT_TRUE(s.stopped);
    EXPECT_EQ(s.events_after_stop, 0u);
    EXPECT_TRUE(s.calls.empty()) << "a text block is not a tool call";
    EXPECT_EQ(s.content, R"({"integer_a": 2, "integer_b": 2, "answer": 4})");
    EXPECT_EQ(parse(s.content), parse(R"({"integer_a":2,"integer_b":2,"answer":4})"));
    EXPECT_EQ(s.finish_reason, "end_turn");
    EXPECT_EQ(s.usage, (ins::usage{263, 25, 288, 0, 0}));
    EXPECT_EQ(s.empty_events, 4u);  // text content_block_start, ping, content_block_stop, message_stop
}

// 14 (llm-anthropic, claude-haiku-4-5): a tool without parameters streams "" as its input, and
// the tool_use start carries a field newer than our code ("caller").
TEST(ProtocolAnthropicStream, EmptyToolInputRecording14)
{
    auto const events = recorded_events("14");
    ASSERT_EQ(events.size(), 7u);
    auto const s = sum_events(events);
    EXPECT_TRUE(s.stopped);
    EXPECT_EQ(s.events_after_stop, 0u);
    ASSERT_EQ(s.calls.size(), 1u);
    EXPECT_EQ(s.calls[0].id, "toolu_01CzN6riCPqw4pVSuTd9Dwn7");
    EXPECT_EQ(s.calls[0].name, "pelican_name_generator");
    EXPECT_EQ(s.calls[0].arguments, "") << "the parser passes the empty input on; the client maps it to {}";
    EXPECT_EQ(s.finish_reason, "tool_use");
    EXPECT_EQ(s.usage, (ins::usage{543, 40, 583, 0, 0}));
}

// 25 (vercel/ai fixture): the data payloads without SSE framing; the type comes from the data.
TEST(ProtocolAnthropicStream, UnframedChunksRecording25)
{
    std::istringstream lines(read_text(wire_file("25", ".chunks.jsonl")));
    std::vector<sse_event> events;
    std::string line;
    while (std::getline(lines, line))
        if (!line.empty())
            events.push_back({"", line});
    auto const s = sum_events(events);
    EXPECT_TRUE(s.stopped);
    ASSERT_EQ(s.calls.size(), 1u);
    EXPECT_EQ(s.calls[0].name, "json");
    boost::system::error_code ec;
    auto const input = json::parse(s.calls[0].arguments, ec);
    EXPECT_FALSE(ec) << s.calls[0].arguments;
    EXPECT_TRUE(input.is_object());
    EXPECT_EQ(s.finish_reason, "tool_use");
}

TEST(ProtocolAnthropicStream, PingChangesNothing)
{
    bool stopped = false;
    auto const d = det::parse_messages_event("ping", R"({"type": "ping"})", stopped);
    EXPECT_TRUE(is_empty(d));
    EXPECT_FALSE(stopped);
}

TEST(ProtocolAnthropicStream, MessageStopSetsTheFlag)
{
    bool stopped = false;
    EXPECT_TRUE(is_empty(det::parse_messages_event("message_stop", R"({"type":"message_stop"})", stopped)));
    EXPECT_TRUE(stopped);
    // without a type in the data, the event name decides
    stopped = false;
    (void)det::parse_messages_event("message_stop", "{}", stopped);
    EXPECT_TRUE(stopped);
    stopped = false;
    (void)det::parse_messages_event("message_delta",
                                    R"({"type":"message_delta","delta":{"stop_reason":"end_turn"}})", stopped);
    EXPECT_FALSE(stopped) << "message_delta is not the end";
}

TEST(ProtocolAnthropicStream, ErrorEvent)
{
    bool stopped = false;
    auto const d = det::parse_messages_event(
        "error", R"({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})",
        stopped);
    ASSERT_TRUE(d.error);
    EXPECT_EQ(*d.error, "Overloaded");
    EXPECT_FALSE(stopped);

    auto const bare = det::parse_messages_event("error", R"({"type":"error"})", stopped);
    ASSERT_TRUE(bare.error);
    EXPECT_FALSE(bare.error->empty());
}

TEST(ProtocolAnthropicStream, StopReasons)
{
    bool stopped = false;
    auto const truncated = det::parse_messages_event(
        "message_delta", R"({"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":4096}})",
        stopped);
    EXPECT_EQ(truncated.finish_reason, "length");
    ASSERT_TRUE(truncated.usage);
    EXPECT_EQ(*truncated.usage, (ins::usage{0, 4096, 4096, 0, 0}));

    auto const refused = det::parse_messages_event(
        "message_delta", R"({"type":"message_delta","delta":{"stop_reason":"refusal"}})", stopped);
    EXPECT_EQ(refused.finish_reason, "refusal");
    EXPECT_FALSE(refused.refusal.empty());
}

TEST(ProtocolAnthropicStream, NotJsonIsAProtocolError)
{
    for (char const* data : {"", "not json", "[1]", R"("message_stop")", R"({"type":"message_st)"}) {
        bool stopped = false;
        try {
            (void)det::parse_messages_event("message_stop", data, stopped);
            ADD_FAILURE() << "accepted " << data;
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code_enum(), ins::errc::protocol_error) << data;
        }
        EXPECT_FALSE(stopped) << data;
    }
}
