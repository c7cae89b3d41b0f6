// The Gemini API wire (genai_tools, genai_parallel_tools, genai_structured_outputs): request
// bodies, the function schema subset, answers, finish and block reasons, usage, re-asks with
// the model's parts kept (or rebuilt, for a reply read in one pass), and the stream reader.
#include "chunk_reading.hpp"
#include "wire_fixtures.hpp"

#include "net/sse_parser.hpp"
#include "protocol/genai/genai.hpp"

#include <boost/algorithm/string/split.hpp>

namespace genai_test {

namespace {

ins::request seed(bool with_system = true)
{
    ins::request req;
    if (with_system)
        req.messages.push_back(ins::message::system("Extract the user."));
    req.messages.push_back(ins::message::user("John Doe is 32 years old."));
    req.messages.push_back(ins::message::assistant("Noted."));
    req.messages.push_back(ins::message::user("Now answer."));
    return req;
}

json::object body_for(ins::mode m, ins::request const& req,
                      std::vector<det::tool_spec> const& tools)
{
    auto const conv = det::genai_initial(m, req);
    auto body = det::build_genai_body(m, req, conv, tools);
    // The body the client sends is written without the tree: the same bytes, every time.
    EXPECT_EQ(det::write_genai_body(m, req, conv, tools), json::serialize(body));
    return body;
}

json::object body_for(ins::mode m, ins::request const& req = seed())
{
    return body_for(m, req, {det::tool_spec_for<models::UserInfo>()});
}

json::object response_with(json::array parts, std::string finish = "STOP")
{
    return {{"candidates", {json::object{{"content", {{"role", "model"}, {"parts", std::move(parts)}}},
                                         {"finishReason", finish}}}},
            {"usageMetadata", {{"promptTokenCount", 10},
                               {"candidatesTokenCount", 5},
                               {"thoughtsTokenCount", 7},
                               {"totalTokenCount", 22}}}};
}

json::object call_part(std::string name, json::object args)
{
    return {{"functionCall", {{"name", std::move(name)}, {"args", std::move(args)}}}};
}

}  // namespace

TEST(GenAI, ToolsBodyDeclaresOneFunctionForcedWithRolesAndSystemInstruction)
{
    auto const b = body_for(ins::mode::genai_tools);
    EXPECT_EQ(b.at("systemInstruction"),
              json::parse(R"({"parts":[{"text":"Extract the user."}]})"));
    auto const& contents = b.at("contents").as_array();
    ASSERT_EQ(contents.size(), 3u);
    EXPECT_EQ(contents[0], json::parse(R"({"role":"user","parts":[{"text":"John Doe is 32 years old."}]})"));
    EXPECT_EQ(contents[1].at("role"), "model");
    auto const& decl = b.at("tools").at(0).at("functionDeclarations").at(0);
    EXPECT_EQ(decl.at("name"), "UserInfo");
    EXPECT_FALSE(decl.at("parameters").as_object().contains("additionalProperties"));
    EXPECT_EQ(b.at("toolConfig"),
              json::parse(R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["UserInfo"]}})"));
    EXPECT_FALSE(b.contains("generationConfig"));
    EXPECT_FALSE(b.contains("model"));  // the model is in the URL
}

TEST(GenAI, StructuredOutputsSendTheSchemaAsResponseJsonSchema)
{
    auto req = seed(false);
    req.temperature = 0.5;
    req.max_tokens = 300;
    auto const b = body_for(ins::mode::genai_structured_outputs, req);
    EXPECT_FALSE(b.contains("tools"));
    EXPECT_FALSE(b.contains("systemInstruction"));
    auto const& gen = b.at("generationConfig").as_object();
    EXPECT_EQ(gen.at("responseMimeType"), "application/json");
    EXPECT_EQ(gen.at("responseJsonSchema"), json::parse(fixtures::user_info_parameters));
    EXPECT_EQ(gen.at("temperature"), 0.5);
    EXPECT_EQ(gen.at("maxOutputTokens"), 300);
}

TEST(GenAI, ThinkingBudgetAndLevel)
{
    auto req = seed();
    req.reasoning = ins::reasoning{};
    req.reasoning->budget_tokens = 1024;
    EXPECT_EQ(body_for(ins::mode::genai_tools, req).at("generationConfig").at("thinkingConfig"),
              json::parse(R"({"includeThoughts":true,"thinkingBudget":1024})"));
    req.reasoning->budget_tokens.reset();
    req.reasoning->effort = "low";
    EXPECT_EQ(body_for(ins::mode::genai_tools, req).at("generationConfig").at("thinkingConfig"),
              json::parse(R"({"includeThoughts":true,"thinkingLevel":"low"})"));
}

// Every Gemini mode with and without a system instruction, temperature, max_tokens, a thinking
// budget or level, names that need escaping, a schema kept as text and one converted on the
// spot, two functions: the tree's bytes exactly.
TEST(GenAI, TheWrittenBodyIsTheTreesSerialization)
{
    each_writer_case({ins::mode::genai_tools, ins::mode::genai_parallel_tools,
                      ins::mode::genai_structured_outputs}, 1000, seed,
                     [](ins::mode m, std::vector<det::tool_spec> const& tools,
                        ins::request const& req) { (void)body_for(m, req, tools); });
}

TEST(GenAI, ParallelToolsDeclareEveryAlternative)
{
    auto const b = body_for(ins::mode::genai_parallel_tools, seed(),
                            {det::tool_spec_for<models::Cat>(), det::tool_spec_for<models::Dog>()});
    EXPECT_EQ(b.at("tools").at(0).at("functionDeclarations").as_array().size(), 2u);
    EXPECT_EQ(b.at("toolConfig").at("functionCallingConfig").at("allowedFunctionNames"),
              json::parse(R"(["Cat","Dog"])"));
}

TEST(GenAI, MediaPartsGoInlineOrAsFileData)
{
    ins::request req;
    ins::message m = ins::message::user("What is this?");
    m.parts = {ins::content_part::from_text("What is this?"),
               ins::content_part::image_url("https://example.com/cat.png"),
               ins::content_part::image_url("data:image/png;base64,iVBORw0KGgo=")};
    req.messages.push_back(m);
    auto const parts = body_for(ins::mode::genai_tools, req).at("contents").at(0).at("parts");
    EXPECT_EQ(parts, json::parse(R"([{"text":"What is this?"},
        {"fileData":{"fileUri":"https://example.com/cat.png"}},
        {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}}])"));
    // Media outside a user turn, or an OpenAI file id, are refused before any request.
    ins::request bad;
    ins::message sys = ins::message::system("x");
    sys.parts = {ins::content_part::image_url("https://example.com/cat.png")};
    bad.messages.push_back(sys);
    EXPECT_THROW(body_for(ins::mode::genai_tools, bad), ins::error);
}

TEST(GenAI, FunctionSchemasAreGeminisSubset)
{
    auto const in = json::parse(R"({
        "type": "object",
        "properties": {
            "home": {"$ref": "#/$defs/Address", "description": "where"},
            "nick": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "kind": {"const": "cat"},
            "ratio": {"type": "number", "exclusiveMinimum": 0},
            "tags": {"type": ["array", "null"], "items": {"$ref": "#/$defs/Address"}}
        },
        "required": ["home"],
        "additionalProperties": false,
        "$defs": {"Address": {"type": "object", "properties": {"city": {"type": "string"}},
                              "required": ["city"], "additionalProperties": false}}
    })").as_object();
    auto const out = det::genai_function_schema(in);
    auto const address = json::parse(
        R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})");
    auto const& p = out.at("properties").as_object();
    auto home = address.as_object();
    home["description"] = "where";
    EXPECT_EQ(p.at("home"), home);
    EXPECT_EQ(p.at("nick"), json::parse(R"({"nullable":true,"type":"string"})"));
    EXPECT_EQ(p.at("kind"), json::parse(R"({"enum":["cat"]})"));
    EXPECT_EQ(p.at("ratio"), json::parse(R"({"type":"number","minimum":0})"));
    EXPECT_EQ(p.at("tags"), (json::object{{"nullable", true}, {"type", "array"}, {"items", address}}));
    EXPECT_FALSE(out.contains("$defs"));
    EXPECT_FALSE(out.contains("additionalProperties"));
    EXPECT_EQ(json::serialize(out).find("$ref"), std::string::npos);
    // A recursive model cannot be inlined.
    auto const tree = det::tool_spec_for<models::TreeNode>();
    try {
        (void)det::genai_function_schema(*tree.parameters);
        FAIL() << "a recursive schema was sent";
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("genai_structured_outputs"), std::string::npos);
    }
}

TEST(GenAI, AnswersAreFunctionCallsOrTextAndThoughtsAreReasoning)
{
    auto const r = response_with(
        {json::object{{"text", "Thinking about ages."}, {"thought", true}},
         json::object{{"functionCall", {{"name", "UserInfo"}, {"args", {{"name", "John"}, {"age", 32}}}}},
                      {"thoughtSignature", "sig-1"}}});
    auto const x = det::extract_genai(ins::mode::genai_tools, r);
    ASSERT_EQ(x.answers.size(), 1u);
    EXPECT_EQ(x.answers[0].name, "UserInfo");
    EXPECT_EQ(json::parse(x.answers[0].text), json::parse(R"({"name":"John","age":32})"));
    EXPECT_EQ(x.answers[0].id, "call_0");
    EXPECT_EQ(x.reasoning.value_or(""), "Thinking about ages.");
    EXPECT_EQ(x.kept.size(), 2u);  // the parts as they came, signature included
    EXPECT_EQ(x.finish_reason, "stop");
    EXPECT_FALSE(x.problem);

    auto const text = det::extract_genai(ins::mode::genai_structured_outputs,
                                         response_with({json::object{{"text", R"({"name":"Ann","age":4})"}}}));
    ASSERT_EQ(text.answers.size(), 1u);
    EXPECT_EQ(json::parse(text.answers[0].text), json::parse(R"({"name":"Ann","age":4})"));
    // Tools mode without a call: a re-asked problem.
    EXPECT_TRUE(det::extract_genai(ins::mode::genai_tools,
                                   response_with({json::object{{"text", "John is 32."}}}))
                    .problem);
}

TEST(GenAI, FinishAndBlockReasonsAreTheModelsStops)
{
    auto stop_of = [](json::object r) {
        auto e = det::model_stop(det::extract_genai(ins::mode::genai_tools, r));
        return e ? e->code_enum() : ins::errc{};
    };
    EXPECT_EQ(stop_of(response_with({call_part("UserInfo", {{"name", "J"}})}, "MAX_TOKENS")),
              ins::errc::output_truncated);
    for (auto const* reason : {"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION"})
        EXPECT_EQ(stop_of(response_with({}, reason)), ins::errc::content_filtered) << reason;
    EXPECT_EQ(stop_of(json::parse(R"({"promptFeedback":{"blockReason":"SAFETY"}})").as_object()),
              ins::errc::content_filtered);
    EXPECT_THROW((void)det::extract_genai(ins::mode::genai_tools, json::parse(R"({"x":1})")),
                 ins::error);
}

TEST(GenAI, UsageCountsThoughtsAsReasoning)
{
    auto const u = det::genai_usage(response_with({}));
    EXPECT_EQ(u.prompt_tokens, 10u);
    EXPECT_EQ(u.completion_tokens, 12u);
    EXPECT_EQ(u.reasoning_tokens, 7u);
    EXPECT_EQ(u.total_tokens, 22u);
}

TEST(GenAI, ReasksSendTheModelsPartsBackThenFunctionResponses)
{
    auto const r = response_with({json::object{{"functionCall", {{"name", "UserInfo"},
                                                                 {"args", {{"age", "old"}}},
                                                                 {"id", "fc-7"}}},
                                                {"thoughtSignature", "sig-1"}}});
    auto const x = det::extract_genai(ins::mode::genai_tools, r);
    auto const turns = det::genai_reask(ins::mode::genai_tools, x, "age: not an integer");
    ASSERT_EQ(turns.size(), 2u);
    EXPECT_EQ(turns[0].at("role"), "model");
    EXPECT_EQ(turns[0].at("parts"), r.at("candidates").at(0).at("content").at("parts"));
    auto const& fr = turns[1].at("parts").at(0).at("functionResponse");
    EXPECT_EQ(fr.at("name"), "UserInfo");
    EXPECT_EQ(fr.at("id"), "fc-7");
    EXPECT_NE(json::serialize(fr.at("response")).find("age: not an integer"), std::string::npos);
    // Text modes: the JSON correction prompt.
    auto const t = det::extract_genai(ins::mode::genai_structured_outputs,
                                      response_with({json::object{{"text", "{}"}}}));
    auto const tt = det::genai_reask(ins::mode::genai_structured_outputs, t, "name: missing");
    EXPECT_NE(json::serialize(tt.back()).find("name: missing"), std::string::npos);
    // A text mode's reply with no parts: no model turn (its answer, the empty text, is no call).
    auto const none = det::extract_genai(ins::mode::genai_structured_outputs, response_with({}));
    auto const nt = det::genai_reask(ins::mode::genai_structured_outputs, none, "no JSON");
    ASSERT_EQ(nt.size(), 1u);
    EXPECT_EQ(nt[0].at("role"), "user");
    // Parts rebuilt from a text mode's answers: the text alone.
    auto rebuilt = t;
    rebuilt.kept.clear();
    EXPECT_EQ(det::genai_reask(ins::mode::genai_structured_outputs, rebuilt, "name: missing"), tt);
}

TEST(GenAI, TheStreamReaderJoinsTextAndEndsOnTheFinishReason)
{
    auto w = det::make_wire(ins::mode::genai_structured_outputs, {});
    auto reader = w->reader();
    std::string fed;
    det::piece_sink sink = [&](std::size_t, std::string_view, std::string_view t) { fed += t; };
    ins::net::sse_parser sse;
    auto chunk = [](json::array parts, bool last) {
        json::object c{{"content", {{"role", "model"}, {"parts", std::move(parts)}}}};
        if (last)
            c["finishReason"] = "STOP";
        json::object r{{"candidates", {c}}};
        r["usageMetadata"] = json::object{{"promptTokenCount", 10},
                                          {"candidatesTokenCount", last ? 9 : 2},
                                          {"totalTokenCount", last ? 19 : 12}};
        return ins::net::sse_event{"", json::serialize(r)};
    };
    reader->on_event(chunk({json::object{{"text", "{\"name\":"}}}, false), sink);
    EXPECT_FALSE(reader->ended(sse));
    reader->on_event(chunk({json::object{{"text", "\"Ann\",\"age\":4}"}}}, false), sink);
    reader->on_event(chunk({}, true), sink);
    EXPECT_TRUE(reader->ended(sse));
    auto const x = reader->finish(sink);
    EXPECT_EQ(fed, R"({"name":"Ann","age":4})");
    ASSERT_EQ(x.answers.size(), 1u);
    EXPECT_EQ(x.content, R"({"name":"Ann","age":4})");
    ASSERT_EQ(x.kept.size(), 1u);  // the text pieces joined into one part
    EXPECT_EQ(reader->usage().total_tokens, 19u);  // the last report, not a sum
    // An error chunk, and a chunk that is not JSON.
    auto r2 = w->reader();
    EXPECT_THROW(r2->on_event({"", R"({"error":{"code":500,"message":"boom"}})"}, sink), ins::error);
    EXPECT_THROW(r2->on_event({"", "not json"}, sink), ins::error);
}

TEST(GenAI, RequestsNameTheModelInThePathAndTheKeyInAHeader)
{
    ins::client_options o;
    o.base_url = "https://generativelanguage.googleapis.com/v1beta";
    auto w = det::make_wire(ins::mode::genai_tools, o);
    auto const r = w->http_request({o.base_url, "g-key", {}}, "gemini-2.5-flash", false, "{}");
    EXPECT_EQ(r.url, "https://generativelanguage.googleapis.com/v1beta/models/"
                     "gemini-2.5-flash:generateContent");
    EXPECT_EQ(r.url.find("g-key"), std::string::npos);  // never in the URL
    ASSERT_FALSE(r.headers.empty());
    EXPECT_EQ(r.headers.front().name, "x-goog-api-key");
    EXPECT_EQ(r.headers.front().value, "g-key");
    EXPECT_EQ(w->http_request({o.base_url, "", {}}, "tunedModels/mine", true, "{}").url,
              "https://generativelanguage.googleapis.com/v1beta/tunedModels/"
              "mine:streamGenerateContent?alt=sse");
    EXPECT_THROW((void)w->http_request({o.base_url, "", {}}, "x?key=1", false, "{}"), ins::error);
    EXPECT_THROW((void)w->http_request({o.base_url, "", {}}, "../admin", false, "{}"), ins::error);
    EXPECT_EQ(det::genai_error_message(R"({"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}})"),
              "bad");
    EXPECT_EQ(det::genai_error_message(R"([{"error":{"code":429,"message":"slow down"}}])"),
              "slow down");
    EXPECT_EQ(det::genai_error_message("<html>"), "");
}

TEST(GenAI, StreamedPartsAreTheWholeReplysPartsAndHostileOnesAreHeld)
{
    // A thought, a signature-only part after it, inline data after text: a whole reply keeps
    // each as a part, and so does the stream (only bare text pieces join).
    json::array const parts{json::object{{"text", "Think."}, {"thought", true}},
                            json::object{{"thought", true}, {"thoughtSignature", "sig"}},
                            json::object{{"text", "{\"name\":\"Ann\",\"age\":4}"}},
                            json::object{{"inlineData", {{"mimeType", "image/png"}, {"data", "AAAA"}}}}};
    auto const whole = det::extract_genai(ins::mode::genai_structured_outputs, response_with(parts));
    auto w = det::make_wire(ins::mode::genai_structured_outputs, {});
    auto reader = w->reader();
    det::piece_sink sink = [](std::size_t, std::string_view, std::string_view) {};
    auto chunk = [](json::array ps, bool last) {
        json::object c{{"content", {{"role", "model"}, {"parts", std::move(ps)}}}};
        if (last)
            c["finishReason"] = "STOP";
        return ins::net::sse_event{"", json::serialize(json::object{{"candidates", {c}}})};
    };
    for (auto const& p : parts)
        reader->on_event(chunk({p}, false), sink);
    auto const held_before_end = reader->held();
    reader->on_event(chunk({}, true), sink);
    auto const streamed = reader->finish(sink);
    EXPECT_EQ(streamed.kept, whole.kept);
    EXPECT_EQ(streamed.reasoning, whole.reasoning);
    EXPECT_EQ(streamed.content, whole.content);
    EXPECT_GE(held_before_end, json::serialize(parts).size() / 2);  // every part counts
    // A text that is not a string, then one that is: no join onto the number.
    auto hostile = w->reader();
    hostile->on_event(chunk({json::object{{"text", 5}}}, false), sink);
    hostile->on_event(chunk({json::object{{"text", "a"}}}, false), sink);
    hostile->on_event(chunk({}, true), sink);
    EXPECT_EQ(hostile->finish(sink).kept.size(), 2u);
    // A thought's text, then a text piece, then a thought with its keys the other way round:
    // three parts, as a whole reply holds them (their keys in the order they came).
    json::array const two{json::object{{"text", "Think."}, {"thought", true}},
                          json::object{{"text", "{}"}},
                          json::object{{"thought", true}, {"text", "Again."}}};
    auto split = w->reader();
    for (auto const& p : two)
        split->on_event(chunk({p}, false), sink);
    split->on_event(chunk({}, true), sink);
    EXPECT_EQ(json::serialize(split->finish(sink).kept), json::serialize(two));
    // A thought without text leaves no reasoning, whole or streamed.
    auto const empty = det::extract_genai(
        ins::mode::genai_structured_outputs,
        response_with({json::object{{"thought", true}, {"thoughtSignature", "s"}},
                       json::object{{"text", "{}"}}}));
    EXPECT_FALSE(empty.reasoning);
}

TEST(GenAI, ExtraBodyMergesIntoGenerationConfigAndMapsAreRefused)
{
    auto req = seed();
    req.extra_body = json::parse(R"({"generationConfig":{"topK":5,"seed":7},"safetySettings":[]})")
                         .as_object();
    auto const b = body_for(ins::mode::genai_structured_outputs, req);
    auto const& gen = b.at("generationConfig").as_object();
    EXPECT_EQ(gen.at("topK"), 5);
    EXPECT_EQ(gen.at("seed"), 7);
    EXPECT_TRUE(gen.contains("responseJsonSchema"));  // kept
    EXPECT_TRUE(b.contains("safetySettings"));
    auto const map = json::parse(R"({"type":"object","properties":{"scores":
        {"type":"object","additionalProperties":{"type":"integer"}}},"required":["scores"]})");
    EXPECT_THROW((void)det::genai_function_schema(map.as_object()), ins::error);
}

TEST(GenAI, AStreamedBlockIsTheModelsStopAsAWholeOneIs)
{
    auto reader = det::make_wire(ins::mode::genai_tools, {})->reader();
    det::piece_sink sink = [](std::size_t, std::string_view, std::string_view) {};
    ins::net::sse_parser sse;
    reader->on_event({"", R"({"promptFeedback":{"blockReason":"SAFETY"}})"}, sink);
    EXPECT_TRUE(reader->ended(sse));
    auto const stop = det::model_stop(reader->finish(sink));
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code_enum(), ins::errc::content_filtered);
}

TEST(GenAIReply, TheOnePassReadingMeansWhatTheTreeMeans)
{
    // A GenerateContentResponse as Google's reference shows it, varied in every member the
    // reading takes or must leave to the tree: whenever the one-pass reading answers, it answers
    // what the tree does, and a re-ask and a continuation built from it send what the tree's
    // kept parts send (the reading keeps none).
    std::string const usage =
        R"("usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"thoughtsTokenCount":3,"totalTokenCount":18,"cachedContentTokenCount":2})";
    auto reply = [&](std::string const& parts, std::string const& finish = R"("STOP")",
                     std::string const& candidate_extra = "") {
        return R"({"candidates":[{"content":{"parts":)" + parts +
               R"(,"role":"model"},"finishReason":)" + finish +
               R"(,"index":0,"safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"NEGLIGIBLE"}])" +
               candidate_extra + "}]," + usage +
               R"(,"modelVersion":"gemini-2.5-flash","responseId":"r-1"})";
    };
    std::string const call = R"({"functionCall":{"name":"User","args":{"name":"Ann","age":3}}})";
    std::string const text = R"({"text":"{\"name\":\"Ann\",\"age\":3}"})";
    std::vector<std::string> bodies;
    for (std::string const& parts : {
             "[" + text + "]",
             "[" + call + "]",
             "[" + call + "," + call + "]",
             std::string(R"([{"text":"Sure."},)") + call + "]",
             "[" + call + R"(,{"text":"Done."}])",
             std::string(R"([{"text":"Here: "},{"text":"{\"a\":1}"}])"),
             std::string(R"([{"text":""}])"),
             std::string(R"([{"text":7}])"),
             std::string(R"([{"text":["no"]}])"),
             std::string(R"([{"text":{"no":1}}])"),
             std::string(R"([{}])"),
             std::string(R"([{"text":"a","text":"b"}])"),
             std::string(R"([{"text":"hmm","thought":true},{"text":"{}"}])"),
             std::string(R"([{"text":"{}","thought":false}])"),
             std::string(R"([{"thought":true,"thoughtSignature":"s"},{"text":"{}"}])"),
             std::string(R"([{"functionCall":{"name":"User","args":{}},"thoughtSignature":"sig-1"}])"),
             std::string(R"([{"functionCall":{"name":"User","args":{},"id":"fc-1"}}])"),
             std::string(R"([{"functionCall":{"id":"fc-1","name":"User","args":{}}}])"),
             std::string(R"([{"functionCall":{"args":{"a":1},"name":"User"}}])"),
             std::string(R"([{"functionCall":{"name":"User"}}])"),
             std::string(R"([{"functionCall":{"args":{}}}])"),
             std::string(R"([{"functionCall":{"name":7,"args":{}}}])"),
             std::string(R"([{"functionCall":{"name":"","args":{}}}])"),
             std::string(R"([{"functionCall":{"name":"User","args":null}}])"),
             std::string(R"([{"functionCall":{"name":"User","args":"{}"}}])"),
             std::string(R"([{"functionCall":{"name":"User","args":[1,{"k":[]}]}}])"),
             std::string(R"([{"functionCall":"not an object"}])"),
             std::string(R"([{"functionCall":{"name":"A","args":{}},"functionCall":{"name":"B","args":{}}}])"),
             std::string(R"([{"functionCall":{"name":"A","name":"B","args":{}}}])"),
             std::string(R"([{"functionCall":{"name":"User","args":{"b":[1,-2,18446744073709551615,-9223372036854775808],"a":{"x":null,"y":true}}}}])"),
             std::string(R"([{"functionCall":{"name":"User","args":{"b":[1,-2,3.5,1e300,-0.0]}}}])"),
             std::string(R"([{"functionCall":{"name":"User","args":{"n":18446744073709551616}}}])"),
             std::string(R"([{"functionCall":{"name":"User","args":{ "sp" : [ 1 , { } , [ ] , "" ] , "\u0041\/\n" : "\ud83d\ude00\t" }}}])"),
             std::string(R"([{"functionCall":{"name":"User","args":{"a":1,"a":2}}}])"),
             std::string(R"([{"functionCall":{"name":"User","args":{"a":{"k":1},"k":2}}}])"),
             std::string(R"([{"fun\u0063tionCall":{"na\u006de":"U\u0073er","ar\u0067s":{"\u006b":1}}}])"),
             std::string(R"([{"inlineData":{"mimeType":"image/png","data":"AAAA"}}])"),
             std::string(R"x([{"executableCode":{"language":"PYTHON","code":"print(1)"}}])x"),
             std::string(R"([7,"two",null,[],{"text":"{\"a\":1}"}])"),
             std::string(R"([7,"two",null,[],)") + call + "]",
             std::string("[]"),
             std::string(R"({"text":"{}"})"),
             std::string("null"),
         }) {
        for (std::string const finish :
             {R"("STOP")", R"("MAX_TOKENS")", R"("SAFETY")", R"("OTHER")", "7"})
            bodies.push_back(reply(parts, finish));
    }
    // A candidate's and the root's members, repeated, missing or of the wrong kind.
    for (std::string const& extra : {
             std::string(R"(,"finishReason":"MAX_TOKENS")"),
             std::string(R"(,"content":{"parts":[]})"),
             std::string(R"(,"citationMetadata":{"citations":[{"startIndex":0}]})"),
         })
        bodies.push_back(reply("[" + text + "]", R"("STOP")", extra));
    for (std::string const& candidates : {
             std::string(R"([{"content":{"role":"model"},"finishReason":"STOP"}])"),
             std::string(R"([{"content":{"parts":{}},"finishReason":"STOP"}])"),
             std::string(R"([{"content":[],"finishReason":"STOP"}])"),
             std::string(R"([{"content":{"parts":[],"parts":[]}}])"),
             std::string(R"([{"finishReason":"SAFETY"}])"),
             std::string(R"([{}])"),
             "[{\"content\":{\"parts\":[" + text + "]}},{\"content\":{\"parts\":[" + call + "]}}]",
             std::string(R"([null,{"content":{"parts":[{"text":"{}"}]}}])"),
             std::string(R"([[],{"content":{"parts":[{"text":"{}"}]}}])"),
             std::string("[]"),
             std::string("{}"),
             std::string("7"),
         }) {
        bodies.push_back(R"({"candidates":)" + candidates + "," + usage + "}");
        bodies.push_back(R"({"promptFeedback":{"blockReason":"SAFETY"},"candidates":)" +
                         candidates + "}");
    }
    bodies.push_back(R"({"c\u0061ndidates":[{"content":{"parts":[)" + text + "]}}]}");
    bodies.push_back(R"({"candidates":[{"content":{"parts":[)" + text + R"(]}}],"candidates":[]})");
    bodies.push_back(R"({"promptFeedback":{"blockReason":"SAFETY"}})");
    bodies.push_back(R"({"promptFeedback":{}})");
    for (std::string const& u : {
             std::string(R"({"promptTokenCount":5,"candidatesTokenCount":6})"),
             std::string(R"({"promptTokenCount":-5,"candidatesTokenCount":6.5,"totalTokenCount":"9"})"),
             std::string(R"({"promptTokenCount":18446744073709551615,"thoughtsTokenCount":2,"totalTokenCount":0})"),
             std::string(R"({"promptTokenCount":1,"promptTokenCount":2})"),
             std::string("null"),
             std::string("[]"),
         })
        bodies.push_back(R"({"candidates":[{"content":{"parts":[)" + text +
                         R"(]}}],"usageMetadata":)" + u + "}");
    for (int calls : {256, 257}) {  // the limit, and one past it
        std::string many = "[";
        for (int i = 0; i < calls; ++i)
            many += (i ? "," : "") + call;
        bodies.push_back(reply(many + "]"));
    }
    bodies.push_back(reply("[" + text + "]") + " trailing");
    bodies.push_back(reply("[" + text + "]") + " \n");
    bodies.push_back(R"({"candidates":[{"content":{"parts":[)");
    bodies.push_back("[]");

    std::size_t answered = 0;
    for (auto const& body : bodies)
        for (auto m : {ins::mode::genai_tools, ins::mode::genai_structured_outputs,
                       ins::mode::genai_parallel_tools}) {
            auto const fast = det::read_genai_reply(m, body);
            if (!fast)
                continue;
            ++answered;
            EXPECT_TRUE(fast->x.kept.empty());
            EXPECT_EQ(test::genai_reading(m, fast->used, fast->x),
                      test::genai_reply_tree_reading(m, body))
                << ins::to_string(m) << "\n" << body.substr(0, 400);
        }
    // The common replies are read in one pass; those whose parts must go back as they came are
    // not.
    using ins::mode;
    EXPECT_TRUE(det::read_genai_reply(mode::genai_tools, reply("[" + call + "]")));
    EXPECT_TRUE(
        det::read_genai_reply(mode::genai_parallel_tools, reply("[" + call + "," + call + "]")));
    EXPECT_TRUE(det::read_genai_reply(mode::genai_structured_outputs, reply("[" + text + "]")));
    EXPECT_FALSE(det::read_genai_reply(mode::genai_structured_outputs, reply("[" + call + "]")));
    EXPECT_FALSE(det::read_genai_reply(
        mode::genai_tools,
        reply(R"([{"functionCall":{"name":"User","args":{}},"thoughtSignature":"sig-1"}])")));
    EXPECT_FALSE(det::read_genai_reply(
        mode::genai_tools, reply(R"([{"text":"hmm","thought":true},)" + call + "]")));
    EXPECT_FALSE(det::read_genai_reply(
        mode::genai_tools, reply(R"([{"functionCall":{"name":"User","args":{"p":1.5}}}])")));
    EXPECT_GT(answered, bodies.size() / 2);
}

TEST(GenAIStream, TheOnePassEventMeansWhatTheTreeMeans)
{
    // Stream events as Gemini sends them (text in pieces, the usage so far on each, the
    // finishReason last), varied in every member the reading takes or leaves to the tree, fed
    // in turn after other events: a reader that reads them in one pass says, event by event and
    // at the end, what one reading every event's tree says (the parts kept included).
    auto event = [](std::string const& parts, std::string const& extra = "") {
        return R"({"candidates":[{"content":{"parts":)" + parts + R"(,"role":"model"},"index":0)" +
               extra + R"(}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":4,"totalTokenCount":13},"modelVersion":"gemini-2.5-flash"})";
    };
    std::string const piece = R"([{"text":"{\"name\":"}])";
    std::string const end = event(R"([{"text":"\"Ann\"}"}])", R"(,"finishReason":"STOP")");
    std::vector<std::string> const variants{
        event(piece),
        event(R"([{"text":"a"},{"text":"b\n\u00e9\"c"}])"),
        event(R"([{"text":""}])"),
        event(R"([{"text":"x","thought":false}])"),
        event(R"([{"text":"hmm","thought":true}])"),
        event(R"([{"text":"hmm","thought":true},{"text":"{\"a\":"},{"text":"more","thought":true}])"),
        event(R"([{"thought":true,"text":"hmm"}])"),
        event(R"([{"text":"hmm","thought":1}])"),
        event(R"([{"text":"hmm","thought":"true"}])"),
        event(R"([{"text":"hmm","thought":true,"thought":true}])"),
        event(R"([{"text":"hmm","thought":true,"thoughtSignature":"s"}])"),
        event(R"([{"thought":true,"thoughtSignature":"s"}])"),
        event(R"([{"text":5}])"),
        event(R"([{"text":{"t":1}}])"),
        event(R"([{}])"),
        event(R"([{"text":"a","text":"b"}])"),
        event(R"([7,"two",null,[],{"text":"x"}])"),
        event(R"([{"functionCall":{"name":"User","args":{"name":"Ann"}}}])"),
        event(R"([{"inlineData":{"mimeType":"image/png","data":"AAAA"}}])"),
        event(R"([{"text":"1"},{"text":"2"},{"text":"3"},{"text":"4"},{"text":"5"},{"text":"6"},{"text":"7"},{"text":"8"}])"),
        event(R"([{"text":"1"},{"text":"2"},{"text":"3"},{"text":"4"},{"text":"5"},{"text":"6"},{"text":"7"},{"text":"8"},{"text":"9"}])"),
        event(piece, R"(,"finishReason":"MAX_TOKENS")"),
        event(piece, R"(,"finishReason":"")"),
        event(piece, R"(,"finishReason":7)"),
        event(piece, R"(,"finishReason":"SAFETY","finishReason":"STOP")"),
        event("[]"),
        event("{}"),
        event("null"),
        R"({"candidates":[{"content":{"parts":[{"text":"a"}]}}]})",
        R"({"candidates":[{"content":{"parts":[{"text":"a"}]}}],"usageMetadata":{"promptTokenCount":-1,"thoughtsTokenCount":2.5,"totalTokenCount":0}})",
        R"({"candidates":[{"content":{"parts":[{"text":"a"}]}}],"usageMetadata":7})",
        R"({"candidates":[{"content":{"parts":[{"text":"a"}]}}],"usageMetadata":{"promptTokenCount":1,"promptTokenCount":2}})",
        R"({"candidates":[{"content":{"parts":[{"text":"a"}]}},{"content":{"parts":[{"text":"b"}]}}]})",
        R"({"candidates":[null,{"content":{"parts":[{"text":"b"}]}}]})",
        R"({"candidates":[],"promptFeedback":{"blockReason":"SAFETY"}})",
        R"({"candidates":[{"content":{"parts":[{"text":"a"}]}}],"error":{"code":500,"message":"boom"}})",
        R"({"c\u0061ndidates":[{"content":{"p\u0061rts":[{"t\u0065xt":"a"}]}}]})",
        R"({"candidates":[{"content":{"parts":[{"text":"a"}],"parts":[]}}]})",
        R"([{"candidates":[]}])",
        R"({"candidates":[{"content":{"parts":[{"text":"a"}]}}]} x)",
        R"({"candidates":[{"content":{"parts":[{"text":"a")",
        "",
    };
    std::size_t fed = 0;
    for (auto m : {ins::mode::genai_tools, ins::mode::genai_structured_outputs})
        for (auto const& v : variants)
            for (std::vector<std::string> const& events : {
                     std::vector<std::string>{v, end},
                     std::vector<std::string>{event(piece), v, end},
                     std::vector<std::string>{event(R"([{"text":"t","thought":true}])"), v, v, end},
                     std::vector<std::string>{event(R"([{"inlineData":{"data":"A"}}])"), v, end},
                 }) {
                ++fed;
                EXPECT_EQ(test::genai_stream_reading(m, true, events),
                          test::genai_stream_reading(m, false, events))
                    << ins::to_string(m) << "\n" << v;
            }
    EXPECT_EQ(fed, 2 * 4 * variants.size());
    // The pieces of a stream are read in one pass.
    ASSERT_TRUE(det::read_genai_event(event(piece)));
    EXPECT_EQ(det::read_genai_event(event(piece))->text, R"({"name":)");
    auto const thought = det::read_genai_event(event(R"([{"text":"hmm","thought":true}])"));
    ASSERT_TRUE(thought);
    EXPECT_TRUE(thought->thought[0]);
    EXPECT_FALSE(det::read_genai_event(event(R"([{"thought":true,"text":"hmm"}])")));
    EXPECT_FALSE(
        det::read_genai_event(event(R"([{"functionCall":{"name":"User","args":{}}}])")));
    // At the limit of parts (1,024), a piece is an error even where it would join the part
    // before, read either way.
    std::vector<std::string> many(1023, event(R"([{"thought":true,"thoughtSignature":"s"}])"));
    many.push_back(event(piece));  // the 1,024th part
    many.push_back(event(piece));
    auto const limit = test::genai_stream_reading(ins::mode::genai_structured_outputs, true, many);
    std::vector<std::string> lines;  // a line an event
    boost::algorithm::split(lines, limit, [](char c) { return c == '\n'; });
    ASSERT_GT(lines.size(), 1025u);
    EXPECT_NE(lines[1023].find(" ok ["), std::string::npos) << lines[1023];
    EXPECT_NE(lines[1024].find("more parts than the limit"), std::string::npos) << lines[1024];
    EXPECT_EQ(limit, test::genai_stream_reading(ins::mode::genai_structured_outputs, false, many));
}

}  // namespace genai_test
