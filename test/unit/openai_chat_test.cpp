// The OpenAI chat completions wire: the request body of every mode pinned in full, compared with
// the shapes real clients sent (recorded in ../shared/wire), the answers and usage extracted from
// every recorded non-streaming chat completion, JSON found in free text, and re-ask messages.
#include "chunk_reading.hpp"
#include "wire_fixtures.hpp"

#include "protocol/json_in_text.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/openai_chat/openai_chat.hpp"

namespace openai_chat_test {

namespace {

// The first attempt's body, as the client builds it.
json::object body_for(ins::mode m, ins::request const& req, std::vector<det::tool_spec> const& tools,
                      bool legacy_json_schema = false, bool stream = false)
{
    auto const messages = det::initial_messages(m, req, tools.front());
    auto body = det::build_chat_body(m, req, req.model, messages, tools, legacy_json_schema, stream);
    // The body the client sends is written without the tree: the same bytes, every time.
    EXPECT_EQ(det::write_chat_body(m, req, req.model, messages, tools, legacy_json_schema, stream),
              json::serialize(body));
    // ... and a first attempt's messages are written from the request, no tree of them either.
    if (det::messages_writable(req)) {
        EXPECT_EQ(det::write_first_chat_body(m, req, req.model, tools, legacy_json_schema, stream),
                  json::serialize(body));
    }
    return body;
}

json::object body_for(ins::mode m, ins::request const& req, bool legacy_json_schema = false,
                      bool stream = false)
{
    return body_for(m, req, {det::tool_spec_for<models::UserInfo>()}, legacy_json_schema, stream);
}

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

// As Python Instructor does, json_schema also puts the schema in the system message.
TEST(ProtocolBody, JsonSchema)
{
    EXPECT_EQ(json::value(body_for(ins::mode::json_schema, seed_request())),
              parse(R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":")" +
                    json_instructions + R"("},)" + seed_user_message +
                    R"(],"response_format":{"type":"json_schema","json_schema":{"name":"UserInfo",)"
                    R"("schema":)" + user_info_parameters + "}}}"));
}

TEST(ProtocolBody, JsonSchemaLegacyShape)
{
    EXPECT_EQ(json::value(body_for(ins::mode::json_schema, seed_request(), true)),
              parse(R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":")" +
                    json_instructions + R"("},)" + seed_user_message +
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

// Every mode and option the writer knows, with names, descriptions and messages that need
// escaping, a schema kept as text and one serialized on the spot: the tree's bytes exactly.
TEST(ProtocolBody, TheWrittenBodyIsTheTreesSerialization)
{
    auto const tool_sets = writer_tool_sets();
    for (auto m : {ins::mode::tools, ins::mode::tools_strict, ins::mode::parallel_tools,
                   ins::mode::json, ins::mode::json_schema, ins::mode::md_json,
                   ins::mode::structured_outputs}) {
        for (auto const& tools : tool_sets) {
            for (int options = 0; options < 16; ++options) {
                auto req = seed_request(options % 2 == 1);
                req.messages.push_back(
                    ins::message::user("quote \" and \u00fc" + std::string(1, '\0') + " end"));
                apply_writer_options(req, options, 100, ins::reasoning{.effort = "low"});
                for (bool legacy : {false, true})
                    for (bool stream : {false, true}) {
                        SCOPED_TRACE(std::string(ins::to_string(m)) + " " + tools.front().name +
                                     " options " + std::to_string(options));
                        (void)body_for(m, req, tools, legacy, stream);  // it compares them
                    }
            }
        }
    }
}

// Where the modes put their instructions, written from the request as the tree puts them: a
// system message first or not (empty or not), a last message the user's or not, one message, none,
// names and tool call ids, text that needs escaping.
TEST(ProtocolBody, FirstMessagesWrittenFromTheRequestAreTheTreesMessages)
{
    auto const tools = std::vector<det::tool_spec>{det::tool_spec_for<models::UserInfo>()};
    std::vector<std::vector<ins::message>> lists;
    lists.push_back({});
    lists.push_back({ins::message::system("")});
    lists.push_back({ins::message::system("Be brief.")});
    lists.push_back({ins::message::user("Jason is 25")});
    lists.push_back({ins::message::user("")});
    lists.push_back({ins::message::assistant("so far")});
    lists.push_back({ins::message::system("S"), ins::message::user("U \"q\"\n")});
    lists.push_back({ins::message::system("S"), ins::message::assistant("A")});
    lists.push_back({ins::message::user("U1"), ins::message::assistant("A"), ins::message::user("")});
    ins::message tool_turn{"tool", "{\"ok\":true}", {}, std::string("fn"), std::string("call_1")};
    ins::message named{"user", "hi", {}, std::string("jo"), std::nullopt};
    lists.push_back({named, ins::message::assistant("A"), tool_turn});
    lists.push_back({ins::message::system("S1"), ins::message::system("S2"), named});
    int compared = 0;
    for (auto m : {ins::mode::tools, ins::mode::tools_strict, ins::mode::parallel_tools,
                   ins::mode::json, ins::mode::json_schema, ins::mode::md_json,
                   ins::mode::structured_outputs})
        for (auto const& list : lists) {
            ins::request req;
            req.model = "gpt-4o";
            req.messages = list;
            ASSERT_TRUE(det::messages_writable(req));
            SCOPED_TRACE(std::string(ins::to_string(m)) + " list of " + std::to_string(list.size()));
            auto const messages = det::initial_messages(m, req, tools.front());
            EXPECT_EQ(det::write_first_chat_body(m, req, req.model, tools, false, false),
                      det::write_chat_body(m, req, req.model, messages, tools, false, false));
            ++compared;
        }
    EXPECT_EQ(compared, 7 * 11);
    // A part is checked (and may be refused) as the tree is built: not written from the request.
    ins::request with_part;
    with_part.messages.push_back(ins::message::user({ins::content_part::from_text("t")}));
    EXPECT_FALSE(det::messages_writable(with_part));
}

// A conversation left as the request's is built before a re-ask or a continuation changes it:
// the next body holds the first attempt's messages and the new turns, as if it had been built at
// the start; a wire asked to change one that is not built refuses (turns would be lost).
TEST(ProtocolBody, AReAskBuildsTheConversationLeftAsTheRequests)
{
    std::vector<det::tool_spec> const tools{det::tool_spec_for<models::UserInfo>()};
    for (auto m : {ins::mode::tools, ins::mode::md_json}) {
        auto const w = det::make_wire(m, ins::client_options{});
        auto const req = seed_request(true);
        det::extraction got;
        got.content = "{\"name\":\"Ann\"}";
        got.answers.push_back({"UserInfo", "call_1", "{\"name\":\"Ann\"}", got.content});
        auto conv = w->first(req, tools.front());
        ASSERT_TRUE(conv.from_request);
        auto unbuilt = conv;
        EXPECT_THROW(w->reask(unbuilt, got, "age: Field required"), ins::error);
        EXPECT_THROW(w->continue_cut(unbuilt, got, "go on"), ins::error);

        auto want = w->initial(req, tools.front());
        w->reask(want, got, "age: Field required");
        det::reask_in(*w, conv, req, tools, got, "age: Field required");
        EXPECT_FALSE(conv.from_request);
        EXPECT_EQ(json::serialize(conv.messages), json::serialize(want.messages));
        EXPECT_EQ(w->body_text(req, "m", conv, tools, false), w->body_text(req, "m", want, tools, false));

        auto cut = w->first(req, tools.front());
        auto cut_want = w->initial(req, tools.front());
        w->continue_cut(cut_want, got, "go on");
        det::continue_in(*w, cut, req, tools, got, "go on");
        EXPECT_EQ(json::serialize(cut.messages), json::serialize(cut_want.messages));
    }
}

// A string written between quotes as it is when nothing in it needs escaping, found eight
// bytes at a time: every byte that must be escaped, at every place in a word and in the tail.
TEST(JsonWriter, StringsAreWhatTheSerializerWrites)
{
    std::string specials = "\"\\";
    for (int c = 0; c < 0x20; ++c)
        specials.push_back(static_cast<char>(c));
    for (char const special : specials + "/\x7f\x80\xff ~a")
        for (std::size_t size : {1, 7, 8, 9, 15, 16, 17, 24})
            for (std::size_t at = 0; at < size; ++at) {
                std::string text(size, 'x');
                text[at] = special;
                det::json_writer w;
                w.open().key(text).string(text).close();
                auto const want = json::serialize(json::object{{text, text}});
                EXPECT_EQ(w.take(), want) << int(static_cast<unsigned char>(special)) << " at " << at;
            }
}

// A literal key or value is written in one append; one too long for that goes the common way.
// Both are what the serializer writes, first in an object or after a member.
TEST(JsonWriter, LiteralsAreWhatTheSerializerWrites)
{
    constexpr char long_name[] =
        "a_literal_name_longer_than_the_room_on_the_stack_for_one_append_so_written_the_common_"
        "way_instead_of_in_one_piece_as_the_wires_own_short_names_are_written";
    static_assert(sizeof long_name > 124);
    det::json_writer w;
    w.open().key("type").string("function").key(long_name).string(long_name).key("n").open();
    w.key("strict").boolean(true).close().close();
    auto const want = json::serialize(json::object{
        {"type", "function"}, {long_name, long_name}, {"n", json::object{{"strict", true}}}});
    EXPECT_EQ(w.take(), want);
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


}  // namespace

TEST(ProtocolReask, ToolsModeAnswersEveryToolCall)
{
    auto const response = recorded_response("02");
    auto const got = det::extract_chat(ins::mode::tools, response);
    EXPECT_EQ(json::value(det::reask_messages(ins::mode::tools, got, errors)),
              parse(R"([{"role":"assistant","content":"","tool_calls":[{"id":"call_TTY8UFNo7rNCaOBUNtlRSvMG",)"
                    R"("type":"function","function":{"name":"lookup_population","arguments":"{\"country\":\"Crumpet\"}"}}]},)"
                    R"({"role":"tool","tool_call_id":"call_TTY8UFNo7rNCaOBUNtlRSvMG","name":"lookup_population",)"
                    R"("content":"Validation Error found:\nage: Field required\nname: Input should be a valid )"
                    R"(string, got 1 (integer)\nRecall the function correctly, fix the errors"}])"));
}

// One tool message per call (the API requires it); the errors go once, in the first.
TEST(ProtocolReask, ParallelToolsOneToolMessagePerCall)
{
    auto const response = parse(R"({"choices":[{"finish_reason":"tool_calls","message":{"role":"assistant",
        "content":"Two pets.","tool_calls":[
          {"id":"call_a","type":"function","function":{"name":"Cat","arguments":"{\"name\":\"Tom\"}"}},
          {"id":"call_b","type":"function","function":{"name":"Dog","arguments":"{\"name\":\"Rex\"}"}}]}}]})");
    auto const got = det::extract_chat(ins::mode::parallel_tools, response);
    EXPECT_EQ(json::value(det::reask_messages(ins::mode::parallel_tools, got, "indoor: Field required")),
              parse(R"([{"role":"assistant","content":"Two pets.","tool_calls":[)"
                    R"({"id":"call_a","type":"function","function":{"name":"Cat","arguments":"{\"name\":\"Tom\"}"}},)"
                    R"({"id":"call_b","type":"function","function":{"name":"Dog","arguments":"{\"name\":\"Rex\"}"}}]},)"
                    R"({"role":"tool","tool_call_id":"call_a","name":"Cat","content":"Validation Error found:\n)"
                    R"(indoor: Field required\nRecall the function correctly, fix the errors"},)"
                    R"({"role":"tool","tool_call_id":"call_b","name":"Dog","content":)"
                    R"("Validation Error found: see the first tool result. Recall the function )"
                    R"(correctly, fix the errors"}])"));
}

// 20 (Gemini): the generated id is used in both the assistant's call and the tool's answer.
TEST(ProtocolReask, GeneratedToolCallIdsPairUp)
{
    auto const response = recorded_response("20");
    auto const got = det::extract_chat(ins::mode::tools, response);
    auto const msgs = det::reask_messages(ins::mode::tools, got, errors);
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
        EXPECT_EQ(json::value(det::reask_messages(m, got, "output: Input should be less than 5")),
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
    EXPECT_EQ(json::value(det::reask_messages(ins::mode::tools, got, *got.problem)),
              parse(R"([{"role":"assistant","content":"To find the answer, add 4200 and 42.\n\n4200 + 42 = 4242"},)"
                    R"({"role":"user","content":"Validation Error found:\n)" +
                    escaped(*got.problem) + R"(\nRecall the function correctly, fix the errors"}])"));
}

// =============================================================================================
// Anthropic Messages API (anthropic_tools, anthropic_json)


}  // namespace

// =============================================================================================
// Stream chunks: the one-pass reading means what the tree reading means

namespace {

/// The `data:` payloads of every OpenAI-compatible stream recorded in ../shared/wire.
std::vector<std::string> recorded_chunks()
{
    std::vector<std::string> out;
    for (auto const& e : std::filesystem::directory_iterator(INSTRUCTOR_WIRE_DIR)) {
        auto const name = e.path().filename().string();
        if (e.path().extension() != ".sse" || name.find("anthropic") != std::string::npos)
            continue;
        std::istringstream in(read_text(e.path()));
        for (std::string line; std::getline(in, line);) {
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (line.rfind("data: {", 0) == 0)
                out.push_back(line.substr(6));
        }
    }
    return out;
}

}  // namespace


// Chunks read in turn by one chat_chunks, as a stream reads them.
det::chat_chunks& in_turn()
{
    static det::chat_chunks c;
    return c;
}
det::chunk_delta read_in_turn(std::string_view data)
{
    return in_turn().read(data);
}

TEST(ChatChunk, TheOnePassReadingMeansWhatTheTreeMeans)
{
    std::vector<std::string> chunks = recorded_chunks();
    ASSERT_GT(chunks.size(), 20u);
    // What the one pass hands over, and what it must not get wrong on its own.
    for (std::string s : {
             R"({"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]})",
             R"({"choices":[{"delta":{"content":"a\"b\\u00e9\n"}}]})",
             R"({"choices":[{"delta":{"reasoning_content":"","reasoning":"think"}}]})",
             R"({"choices":[{"delta":{"reasoning_content":"first","reasoning":"second"}}]})",
             R"({"choices":[{"delta":{"reasoning_content":null,"reasoning":"r"}}]})",
             R"({"choices":[{"delta":{"content":1,"refusal":"no"}}]})",
             R"({"choices":[{"delta":{"tool_calls":[{"index":2,"id":"c","function":{"name":"f","arguments":"{\"a\""}}]}}]})",
             R"({"choices":[{"delta":{"tool_calls":[1,{"index":-1,"function":[]},{"index":1.0},{"index":18446744073709551615}]}}]})",
             R"({"choices":[{"delta":{"tool_calls":{"index":0}}}]})",
             R"({"choices":[{"delta":"text","finish_reason":"stop"}]})",
             R"({"choices":[{"finish_reason":7}]})",
             R"({"choices":[1,{"delta":{"content":"second choice"}}]})",
             R"({"choices":[{"delta":{"content":"first"}},{"delta":{"content":"second"}}]})",
             R"({"choices":[]})",
             R"({"choices":{}})",
             R"({"choices":[{"delta":{"content":"a","content":"b"}}]})",
             R"({"choices":[{"delta":{"content":"a"}}],"choices":[{"delta":{"content":"b"}}]})",
             R"({"choices":[{"delta":{"content":"a"},"delta":{"refusal":"b"}}]})",
             R"({"choices":[{"delta":{"tool_calls":[{"id":"a","id":"b"}]}}]})",
             R"({"usage":null,"choices":[{"delta":{"content":"x"}}]})",
             R"({"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7},"choices":[]})",
             R"({"usage":5,"choices":[{"delta":{"content":"x"}}]})",
             R"({"error":null,"choices":[{"delta":{"content":"x"}}]})",
             R"({"error":{"message":"overloaded"}})",
             R"({"error":"bad"})",
             R"({"error":{"message":""},"choices":[{"delta":{"content":"x"}}]})",
             R"({"choices":[{"delta":{"content":"x"},"cost_usd":0.5}]})",
             R"({"choices":[{"delta":{"content":"x"},"cost_usd":"free"}]})",
             R"({"choices":[{"delta":{},"url":"https://run.example/1"}]})",
             R"({"choices":[{"delta":{},"url":""}]})",
             R"({"nested":{"choices":[{"delta":{"content":"not this"}}]},"choices":[{"delta":{"content":"this"}}]})",
             R"({"choices":[{"delta":{"content":"x","extra":{"content":"y","tool_calls":[{"id":"z"}]}}}]})",
             R"([{"choices":[]}])", R"("text")", "42", "null", "", "   ", "{", "{}", "{} {}",
             R"({"choices":[{"delta":{"content":"x"}}]} trailing)",
             R"({"choices":[{"delta":{"content":"\ud800"}}]})",
             "{\"choices\":[{\"delta\":{\"content\":\"\xff\"}}]}",
             R"({"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})",
         })
        chunks.push_back(s);
    // Every chunk cut short, and with a byte dropped, as well as whole.
    std::size_t const n = chunks.size();
    for (std::size_t i = 0; i < n; ++i) {
        auto const c = chunks[i];
        for (std::size_t at = 0; at < c.size(); at += 7) {
            chunks.push_back(c.substr(0, at));
            chunks.push_back(c.substr(0, at) + c.substr(at + 1));
        }
    }
    for (auto const& c : chunks)
        EXPECT_EQ(test::chunk_reading(&det::parse_chat_chunk, c),
                  test::chunk_reading(&det::parse_chat_chunk_tree, c))
            << c;
    // A stream reads every chunk into one delta: what the chunk before left in it (a call, a
    // finish reason, an error, half a reading that was handed to the tree) is never read again.
    for (auto const& c : chunks)
        EXPECT_EQ(test::chunk_reading(&read_in_turn, c),
                  test::chunk_reading(&det::parse_chat_chunk_tree, c))
            << c;
}

TEST(ChatChunk, ChunksReadInTurnMeanWhatEachMeansAlone)
{
    // A chunk whose bytes are the one before's around another text is read by comparing those
    // bytes: every pair of these, read one after the other, must read as the tree reads the
    // second alone. The texts include what must not pass as a plain text (a quote that ends the
    // string and starts a member, escapes, control and non-ASCII bytes).
    std::vector<std::string> const texts = {
        "abcd", "", "x", "hello world", R"(a\"b)", R"(\u00e9)", "\xc3\xa9", R"(\n)", "\x01",
        R"(","refusal":"r)", R"("}}]},"x":{"y":")", R"(\)", R"(\\)", "\x7f", "{\"a\":1}"};
    std::vector<std::string> const templates = {
        R"({"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"@"},"finish_reason":null}]})",
        R"({"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"@"}}]},"finish_reason":null}]})",
        R"({"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_1","type":"function","function":{"name":"f","arguments":"@"}}]}}]})",
        R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"a"}},{"index":1,"function":{"arguments":"@"}}]}}]})",
        R"({"choices":[{"delta":{"reasoning_content":"@"}}]})",
        R"({"choices":[{"delta":{"reasoning":"@"}}]})",
        R"({"choices":[{"delta":{"refusal":"@"}}]})",
        R"({"choices":[{"delta":{"content":"@","refusal":"no"}}]})",
        R"({"choices":[{"delta":{"content":"@"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})",
        R"({"choices":[{"delta":{"content":"@"}}],"error":{"message":"x"}})",
        R"({"choices":[{"delta":{"content":"@","content":"again"}}]})",
        R"({"choices":[{"delta":{"content":"@"}}]} )",
    };
    std::vector<std::string> chunks;
    for (auto const& t : templates)
        for (auto const& x : texts) {
            auto c = t;
            c.replace(c.find('@'), 1, x);
            chunks.push_back(std::move(c));
        }
    for (auto const& first : chunks)
        for (auto const& second : chunks) {
            (void)test::chunk_reading(&read_in_turn, first);
            ASSERT_EQ(test::chunk_reading(&read_in_turn, second),
                      test::chunk_reading(&det::parse_chat_chunk_tree, second))
                << first << "\nthen " << second;
        }
}

// ---- a whole reply read in one pass (read_chat_reply) against the tree's reading ----

TEST(ProtocolReply, TheOnePassReadingMeansWhatTheTreeMeans)
{
    // Recorded replies, and the common reply varied in every member the reading takes or must
    // leave to the tree: whenever the one-pass reading answers, it answers what the tree does.
    std::vector<std::string> bodies;
    for (auto const* id : {"02", "05", "06", "19", "20", "21", "23"})
        bodies.push_back(fixtures::read_text(fixtures::wire_file(id, ".json")));
    std::string const usage =
        R"("usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19,)"
        R"("prompt_tokens_details":{"cached_tokens":3},"completion_tokens_details":{"reasoning_tokens":2}})";
    auto reply = [&](std::string const& message, std::string const& choice_extra = "",
                     std::string const& root_extra = "") {
        return R"({"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":)" +
               message + R"(,"finish_reason":"stop")" + choice_extra + "}]," + usage + root_extra +
               "}";
    };
    std::string const call = R"({"id":"call_1","type":"function","function":{"name":"User","arguments":"{\"name\":\"Ann\",\"age\":3}"}})";
    for (std::string const& m : {
             std::string(R"({"role":"assistant","content":"{\"name\":\"Ann\",\"age\":3}"})"),
             std::string(R"({"role":"assistant","content":"```json\n{\"name\":\"Ann\"}\n```"})"),
             std::string(R"({"role":"assistant","content":"esc \"q\" \\ \n \u00e9 \ud83d\ude00 \u0000"})"),
             std::string(R"({"role":"assistant","content":null,"tool_calls":[)") + call + "]}",
             std::string(R"({"role":"assistant","content":null,"tool_calls":[)") + call + "," + call + "]}",
             std::string(R"({"content":"","tool_calls":[{"function":{"name":"User","arguments":"{}"}},{"type":"function"}]})"),
             std::string(R"({"tool_calls":[{"function":{"arguments":"{\"a\":1}","name":"User"},"id":"late"}]})"),
             std::string(R"({"tool_calls":[{"id":"x","function":{"name":"User"}},{"id":"y","function":{"name":"User","arguments":7}}]})"),
             std::string(R"({"tool_calls":[{"id":"x","function":{"name":"User","arguments":[1]}}]})"),
             std::string(R"({"tool_calls":[{"id":"x","function":{"name":"User","arguments":{"a":1}}}]})"),
             std::string(R"({"tool_calls":[1,"two",null,{"id":"x","function":"no"},{"id":"y","function":{"name":7,"arguments":"{}"}}]})"),
             std::string(R"({"tool_calls":{"id":"x"},"content":"{}"})"),
             std::string(R"({"content":"{\"a\":1}","refusal":"I cannot"})"),
             std::string(R"({"content":"{}","refusal":null,"reasoning_content":"think","reasoning":"other"})"),
             std::string(R"({"content":"{}","reasoning_content":"","reasoning":"other"})"),
             std::string(R"({"content":["not","text"],"extra":{"deep":[{"content":"no"}]}})"),
             std::string(R"({"content":"{}","content":"{}"})"),
             std::string(R"({"\u0063ontent":"{\"a\":2}"})"),
             std::string(R"({"con\u0074ent":"{\"a\":3}","tool_\u0063alls":[{"id":"k","fun\u0063tion":{"name":"User","argu\u006dents":"{}"}}]})"),
             std::string(R"({"tool_calls":[{"id":"a","id":"b","function":{"name":"User"}}]})"),
             std::string(R"({"tool_calls":[{"id":"a","function":{"name":"User"},"function":{"name":"Other"}}]})"),
             std::string(R"({"content":"{}","role":"assistant","role":"again"})"),
             std::string(R"({"content":")") + std::string(6000, 'x') + R"(\n)" + std::string(6000, 'y') + "\"}",
             std::string("null"),
             std::string("[]"),
             std::string(R"("text")"),
         }) {
        bodies.push_back(reply(m));
        bodies.push_back(reply(m, R"(,"cost_usd":0.5)"));
        bodies.push_back(reply(m, R"(,"url":"https://example.com/run")"));
        bodies.push_back(reply(m, R"(,"finish_reason":"length")"));
    }
    std::string const msg = R"({"role":"assistant","content":"{\"name\":\"Ann\",\"age\":3}"})";
    for (std::string const& root : {
             std::string(R"(,"usage":{"prompt_tokens":1})"),
             std::string(R"(,"choices":[])"),
             std::string(R"(,"extra":[[[[{"usage":1}]]]],"x":null)"),
         })
        bodies.push_back(reply(msg, "", root));
    for (std::string const& u : {
             std::string(R"({"prompt_tokens":5,"completion_tokens":6})"),
             std::string(R"({"prompt_tokens":-5,"completion_tokens":6.5,"total_tokens":"9"})"),
             std::string(R"({"prompt_tokens":18446744073709551615,"total_tokens":0})"),
             std::string(R"({"prompt_tokens_details":null,"completion_tokens_details":[1]})"),
             std::string(R"({"prompt_tokens_details":{"cached_tokens":1,"cached_tokens":2}})"),
             std::string(R"({"prompt_\u0074okens":4,"completion_tokens":1e2,"total_tokens":184467440737095516150})"),
             std::string(R"({"cost":0.25,"prompt_tokens":1})"),
             std::string("null"),
             std::string("7"),
         })
        bodies.push_back(R"({"choices":[{"message":)" + msg + R"(}],"usage":)" + u + "}");
    for (std::string const& choices : {
             std::string(R"([{"message":)") + msg + R"(},{"message":{"content":"{}"},"cost_usd":1}])",
             std::string(R"([{"message":)") + msg + R"(},{"message":{"content":"second"}}])",
             std::string(R"([7,{"message":)") + msg + "}]",
             std::string(R"([{"finish_reason":"stop"}])"),
             std::string(R"([{"message":null}])"),
             std::string(R"([{"message":{"content":"{}"},"message":{"content":"[]"}}])"),
             std::string(R"([{"message":[]}])"),
             std::string(R"({"message":{}})"),
             std::string("[]"),
         })
        bodies.push_back(R"({"choices":)" + choices + "}");
    for (int calls : {256, 257}) {  // the limit, and one past it
        std::string many = R"({"choices":[{"message":{"tool_calls":[)";
        for (int i = 0; i < calls; ++i)
            many += (i ? "," : "") + call;
        bodies.push_back(many + "]}}]}");
    }
    bodies.push_back(R"({"choices":[{"message":{"content":"{}"}}],"choices":[{"message":{"content":"[]"}}]})");
    bodies.push_back(R"({"choices":[{"message":{"tool_calls":[)" + call + "]}}]} trailing");
    bodies.push_back(R"({"choices":[{"message":{"content":"{}"}}],)");
    bodies.push_back(R"({"choices":[{"message":{"content":"{}"}}],"deep":)" + std::string(40, '[') +
                     std::string(40, ']') + "}");
    bodies.push_back("{\"choices\":[{\"message\":{\"content\":\"\xff\"}}]}");

    std::size_t answered = 0, recorded_answered = 0;
    for (std::size_t i = 0; i < bodies.size(); ++i)
        for (auto m : {ins::mode::tools, ins::mode::tools_strict, ins::mode::parallel_tools,
                       ins::mode::json, ins::mode::json_schema, ins::mode::md_json,
                       ins::mode::structured_outputs}) {
            auto const& body = bodies[i];
            auto const fast = det::read_chat_reply(m, body);
            if (!fast)
                continue;
            ++answered;
            recorded_answered += i < 7;
            EXPECT_EQ(test::reply_reading(fast->used, fast->x), test::chat_reply_tree_reading(m, body))
                << ins::to_string(m) << "\n" << body.substr(0, 400);
        }
    // The reading answers the recorded replies in every mode, and most of the others.
    EXPECT_EQ(recorded_answered, 7u * 7u);
    EXPECT_GT(answered, bodies.size() * 7 / 4);
}

}  // namespace openai_chat_test
