// The Anthropic Messages API wire: request bodies, answers, usage, re-asks and stream events,
// against Anthropic's recorded traffic.
#include "chunk_reading.hpp"
#include "wire_fixtures.hpp"

#include "protocol/anthropic_messages/anthropic_messages.hpp"

#include "net/sse_parser.hpp"

namespace anthropic_messages_test {

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
    auto body = det::build_messages_body(m, req, req.model, prompt, tools, stream);
    // The body the client sends is written without the tree: the same bytes, every time.
    EXPECT_EQ(det::write_messages_body(m, req, req.model, prompt, tools, stream),
              json::serialize(body));
    return body;
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

TEST(ProtocolAnthropicBody, SystemTextPartsAreJoinedWithABlankLine)
{
    ins::request req;
    req.model = claude_model;
    ins::message sys;
    sys.role = "system";
    sys.parts = {ins::content_part::from_text("Extract the user."),
                 ins::content_part::from_text("Answer in English.")};
    req.messages = {sys, ins::message::system("Be brief."), ins::message::user("John Doe is 32.")};
    EXPECT_EQ(messages_body_for(ins::mode::anthropic_tools, req).at("system"),
              "Extract the user.\n\nAnswer in English.\n\nBe brief.");
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

// Every Messages mode with and without thinking, a system prompt, temperature, max_tokens under
// and over the thinking budget, streams, names that need escaping, a schema kept as text and one
// serialized on the spot, two tools: the tree's bytes exactly.
TEST(ProtocolAnthropicBody, TheWrittenBodyIsTheTreesSerialization)
{
    auto const tool_sets = writer_tool_sets();
    for (auto m : {ins::mode::anthropic_tools, ins::mode::anthropic_parallel_tools,
                   ins::mode::anthropic_json, ins::mode::anthropic_structured_outputs}) {
        for (auto const& tools : tool_sets) {
            for (int options = 0; options < 16; ++options) {
                auto req = anthropic_seed_request(options % 2 == 1);
                apply_writer_options(req, options, 1000, ins::reasoning{.budget_tokens = 2048});
                for (bool stream : {false, true}) {
                    SCOPED_TRACE(std::string(ins::to_string(m)) + " " + tools.front().name +
                                 " options " + std::to_string(options));
                    (void)messages_body_for(m, req, tools, stream);  // it compares them
                }
            }
        }
    }
}

TEST(ProtocolAnthropicBody, NoResponseModelIsAnInvalidArgument)
{
    auto const req = anthropic_seed_request();
    for (auto m : {ins::mode::anthropic_tools, ins::mode::anthropic_json}) {
        try {
            det::build_messages_body(m, req, req.model, det::conversation{}, {}, false);
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
    EXPECT_EQ(json::value(det::anthropic_reask(ins::mode::anthropic_tools, got, errors)),
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
    auto const msgs = det::anthropic_reask(ins::mode::anthropic_tools, got, "age: Field required");
    std::string const feedback =
        R"("Validation Error found:\nage: Field required\nRecall the function correctly, fix the errors")";
    EXPECT_EQ(json::value(msgs),
              parse(R"([{"role":"assistant","content":)" + json::serialize(response.at("content")) +
                    R"(},{"role":"user","content":[)"
                    R"({"type":"tool_result","tool_use_id":"toolu_a","content":)" + feedback + R"(,"is_error":true},)"
                    R"({"type":"tool_result","tool_use_id":"toolu_b","content":)"
                    R"("Validation Error found: see the first tool result. Recall the function )"
                    R"(correctly, fix the errors","is_error":true}]}])"));
}

// 12 (text, no tool_use) in tools mode: the text is echoed and the feedback is a plain user turn.
TEST(ProtocolAnthropicReask, ToolsModeReplyWithoutAToolUse)
{
    auto const response = recorded_response("12");
    auto const got = det::extract_messages(ins::mode::anthropic_tools, response);
    ASSERT_TRUE(got.problem);
    EXPECT_EQ(json::value(det::anthropic_reask(ins::mode::anthropic_tools, got, *got.problem)),
              parse(R"([{"role":"assistant","content":[{"type":"text",)"
                    R"("text":"{\"integer_a\": 2, \"integer_b\": 2, \"answer\": 4}"}]},)"
                    R"({"role":"user","content":"Validation Error found:\n)" + escaped(*got.problem) +
                    anthropic_tool_feedback_end + R"("}])"));
}

TEST(ProtocolAnthropicReask, JsonModeRecording12)
{
    auto const response = recorded_response("12");
    auto const got = det::extract_messages(ins::mode::anthropic_json, response);
    EXPECT_EQ(json::value(det::anthropic_reask(ins::mode::anthropic_json, got,
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
        auto const msgs = det::anthropic_reask(m, got, *got.problem);
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

TEST(ProtocolAnthropicReply, TheOnePassReadingMeansWhatTheTreeMeans)
{
    // Recorded replies, and the common reply varied in every member the reading takes or must
    // leave to the tree: whenever the one-pass reading answers, it answers what the tree does
    // (a tool_use input written back byte for byte as the tree's serialization).
    std::vector<std::string> bodies;
    for (auto const* id : {"12", "13"})
        bodies.push_back(fixtures::read_text(fixtures::wire_file(id, ".json")));
    std::string const usage =
        R"("usage":{"input_tokens":12,"cache_creation_input_tokens":1,"cache_read_input_tokens":3,"output_tokens":7})";
    auto reply = [&](std::string const& content, std::string const& stop = "end_turn",
                     std::string const& root_extra = "") {
        return R"({"id":"msg_1","type":"message","role":"assistant","model":"claude","content":)" +
               content + R"(,"stop_reason":")" + stop + R"(","stop_sequence":null,)" + usage +
               root_extra + "}";
    };
    std::string const tool =
        R"({"type":"tool_use","id":"toolu_1","name":"User","input":{"name":"Ann","age":3}})";
    for (std::string const& c : {
             std::string(R"([{"type":"text","text":"{\"name\":\"Ann\",\"age\":3}"}])"),
             std::string(R"([{"type":"text","text":"Here: "},{"type":"text","text":"{\"a\":1}"}])"),
             std::string(R"([{"type":"text","text":"esc \"q\" \\ \n \u00e9 \ud83d\ude00 \u0000"}])"),
             "[" + tool + "]",
             "[" + tool + "," + tool + "]",
             "[{\"type\":\"text\",\"text\":\"Sure.\"}," + tool + "]",
             std::string(R"([{"input":{"b":[1,-2,3.5,1e300,-0.0,18446744073709551615,-9223372036854775808],"a":{"x":null,"y":true,"z":false}},"name":"User","type":"tool_use","id":"t"}])"),
             std::string(R"([{"type":"tool_use","id":"t","name":"User","input":{ "sp" : [ 1 , { } , [ ] , "" ] , "\u0041\/\n\u00e9" : "\ud83d\ude00\t\u001f" }}])"),
             std::string(R"([{"type":"tool_use","id":"t","name":"User","input":"a string"}])"),
             std::string(R"([{"input":{"k":"v"},"type":"tool_use","name":"User","id":"t"}])"),
             std::string(R"([{"type":"tool_use","id":"t","name":"User","input":null}])"),
             std::string(R"([{"type":"tool_use","id":"t","name":"User","input":[1,{"k":[]}]}])"),
             std::string(R"([{"type":"tool_use","id":"t","name":"User"}])"),
             std::string(R"([{"type":"tool_use","id":"t","name":"User","input":{"a":1,"a":2}}])"),
             std::string(R"([{"type":"tool_use","id":"t","name":"User","input":{"o":{"a":1,"b":{"a":1},"a":2}}}])"),
             std::string(R"([{"type":"tool_use","id":"t","name":"User","input":{"a":{"k":1},"b":{"k":2}}}])"),
             std::string(R"([{"type":"tool_use","id":"t","name":"User","input":{"x":1},"input":{"y":2}}])"),
             std::string(R"([{"type":"tool_use","type":"text","text":"x"}])"),
             std::string(R"([{"type":"tool_\u0075se","i\u0064":"t","name":"User","inp\u0075t":{"k\u0065y":1}}])"),
             std::string(R"([{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"{}"}])"),
             std::string(R"([{"type":"redacted_thinking","data":"x"},)") + tool + "]",
             std::string(R"([7,"two",null,[],{"type":7,"text":"no"},{"text":"untyped"},{"type":"text","text":["no"]}])"),
             std::string(R"([{"type":"text","text":"a"},{"type":"image","source":{}},{"type":"text","text":"b"}])"),
             std::string("[]"),
             std::string(R"({"type":"text","text":"{}"})"),
             std::string(R"("text")"),
             std::string("null"),
             std::string(R"([{"type":"text","text":")") + std::string(6000, 'x') + R"(\n)" + std::string(6000, 'y') + "\"}]",
             std::string(R"([{"type":"tool_use","id":"t","name":"User","input":{"deep":)") + std::string(40, '[') + std::string(40, ']') + "}}]",
         }) {
        for (std::string const stop : {"end_turn", "tool_use", "max_tokens", "refusal"})
            bodies.push_back(reply(c, stop));
    }
    std::string big_input = R"([{"type":"tool_use","id":"t","name":"User","input":{)";
    for (int i = 0; i < 70; ++i)
        big_input += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
    bodies.push_back(reply(big_input + "}}]"));
    std::string const text = R"([{"type":"text","text":"{\"a\":1}"}])";
    for (std::string const& root : {
             std::string(R"(,"content":[])"),
             std::string(R"(,"stop_reason":"max_tokens")"),
             std::string(R"(,"usage":{"input_tokens":1})"),
             std::string(R"(,"extra":[[[[{"content":1}]]]],"x":null)"),
         })
        bodies.push_back(reply(text, "end_turn", root));
    for (std::string const& u : {
             std::string(R"({"input_tokens":5,"output_tokens":6})"),
             std::string(R"({"input_tokens":-5,"output_tokens":6.5,"cache_read_input_tokens":"9"})"),
             std::string(R"({"input_tokens":18446744073709551615,"output_tokens":0})"),
             std::string(R"({"input_tokens":1,"input_tokens":2})"),
             std::string(R"({"input_\u0074okens":4,"output_tokens":1e2})"),
             std::string("null"),
             std::string("[1]"),
         })
        bodies.push_back(R"({"content":)" + text + R"(,"usage":)" + u + "}");
    for (int calls : {256, 257}) {  // the limit, and one past it
        std::string many = "[";
        for (int i = 0; i < calls; ++i)
            many += (i ? "," : "") + tool;
        bodies.push_back(reply(many + "]", "tool_use"));
    }
    bodies.push_back(R"({"content":[{"type":"text","text":"{}"}],"stop_reason":7})");
    bodies.push_back(R"({"stop_reason":"end_turn"})");
    bodies.push_back(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
    bodies.push_back(reply(text) + " trailing");
    bodies.push_back(R"({"content":[{"type":"text","text":"{}"}],)");
    bodies.push_back("{\"content\":[{\"type\":\"text\",\"text\":\"\xff\"}]}");
    bodies.push_back("[]");

    std::size_t answered = 0, recorded_answered = 0;
    for (std::size_t i = 0; i < bodies.size(); ++i)
        for (auto m : {ins::mode::anthropic_tools, ins::mode::anthropic_json,
                       ins::mode::anthropic_parallel_tools, ins::mode::anthropic_structured_outputs}) {
            auto const& body = bodies[i];
            auto const fast = det::read_messages_reply(m, body);
            if (!fast)
                continue;
            ++answered;
            recorded_answered += i < 2;
            EXPECT_EQ(test::reply_reading(fast->used, fast->x), test::messages_reply_tree_reading(m, body))
                << ins::to_string(m) << "\n" << body.substr(0, 400);
        }
    // The reading answers the recorded replies in every mode, and most of the others.
    EXPECT_EQ(recorded_answered, 2u * 4u);
    EXPECT_GT(answered, bodies.size() * 4 / 2);
    // A key inside an object may be its parent's (only an object's own keys are compared), and
    // an object with more keys than are compared cheaply goes to the tree.
    auto const mode = ins::mode::anthropic_tools;
    EXPECT_TRUE(det::read_messages_reply(
        mode, reply(R"([{"type":"tool_use","id":"t","name":"U","input":{"a":{"k":1},"k":[{"k":2,"a":3}],"b":4}}])")));
    EXPECT_FALSE(det::read_messages_reply(mode, reply(big_input + "}}]")));
    // An input as deep as the parser takes (32 levels in all) is read; one deeper is an error,
    // from the tree.
    auto nested = [&](int d) {
        return reply(R"([{"type":"tool_use","id":"t","name":"U","input":)" + std::string(d, '[') +
                     std::string(d, ']') + "}]");
    };
    EXPECT_TRUE(det::read_messages_reply(mode, nested(29)));
    EXPECT_FALSE(det::read_messages_reply(mode, nested(30)));
}

TEST(ProtocolAnthropicStream, TheOnePassDeltaMeansWhatTheTreeMeans)
{
    // Every event of the recorded streams, and content_block_delta events varied in every
    // member the reading takes or leaves to the tree: whenever it answers, it answers what the
    // tree reading does.
    std::vector<std::pair<std::string, std::string>> events;  // (event name, data)
    for (auto const* id : {"10", "11", "14"}) {
        ins::net::sse_parser sse;
        EXPECT_FALSE(sse.feed(fixtures::read_text(fixtures::wire_file(id, ".sse"))));
        while (auto ev = sse.next())
            events.emplace_back(ev->event, ev->data);
    }
    std::size_t const recorded = events.size();
    for (std::string const& data : {
             std::string(R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\": 1"}})"),
             std::string(R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"esc \"q\" \\ \n \u00e9 \ud83d\ude00"}})"),
             std::string(R"({"delta":{"partial_json":"x","type":"input_json_delta"},"index":3,"type":"content_block_delta"})"),
             std::string(R"({"type":"content_block_delta","index":-1,"delta":{"type":"input_json_delta","partial_json":"x"}})"),
             std::string(R"({"type":"content_block_delta","index":18446744073709551615,"delta":{"type":"input_json_delta","partial_json":"x"}})"),
             std::string(R"({"type":"content_block_delta","index":2.5,"delta":{"type":"input_json_delta","partial_json":"x"}})"),
             std::string(R"({"type":"content_block_delta","index":"4","delta":{"type":"text_delta","text":7}})"),
             std::string(R"({"type":"content_block_delta","index":1,"index":2,"delta":{"type":"text_delta","text":"x"}})"),
             std::string(R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"a","text":"b"}})"),
             std::string(R"({"type":"content_block_delta","delta":{"type":"thinking_delta","thinking":"hmm"}})"),
             std::string(R"({"type":"content_block_delta","delta":{"type":"signature_delta","signature":"s"}})"),
             std::string(R"({"type":"content_block_delta","delta":{"type":"other_delta","text":"x"}})"),
             std::string(R"({"type":"content_block_delta","delta":"text"})"),
             std::string(R"({"type":"content_block_delta","delta":[{"type":"text_delta"}]})"),
             std::string(R"({"type":"content_block_delta"})"),
             std::string(R"({"type":7,"delta":{"type":"text_delta","text":"untyped"}})"),
             std::string(R"({"delta":{"type":"text_delta","text":"named by the event"}})"),
             std::string(R"({"type":"content_block_stop","index":0,"delta":{"type":"text_delta","text":"x"}})"),
             std::string(R"({"type":"content_block_delta","extra":[[{"delta":1}]],"delta":{"type":"text_delta","text":"x","more":{}}})"),
             std::string(R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}} trailing)"),
             std::string(R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"x"})"),
             std::string(R"(["content_block_delta"])"),
             std::string("\"x\""),
         })
        for (auto const* name : {"content_block_delta", "", "message_delta"})
            events.emplace_back(name, data);

    std::size_t answered = 0, recorded_answered = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        auto const& [name, data] = events[i];
        auto const fast = det::read_messages_delta(name, data);
        if (!fast)
            continue;
        ++answered;
        recorded_answered += i < recorded;
        auto const tree = [&](std::string_view d) {
            bool stopped = false;
            return det::parse_messages_event_tree(name, d, stopped);
        };
        EXPECT_EQ(test::chunk_reading([&](std::string_view) { return *fast; }, data),
                  test::chunk_reading(tree, data))
            << name << " " << data;
    }
    // every recorded delta (text or tool input: the bulk of a stream)
    EXPECT_EQ(recorded_answered,
              std::size_t(std::count_if(events.begin(), events.begin() + recorded,
                                        [](auto const& e) { return e.first == "content_block_delta"; })));
    EXPECT_GT(recorded_answered, 5u);
    EXPECT_GT(answered, recorded_answered + 15);
}

}  // namespace anthropic_messages_test
