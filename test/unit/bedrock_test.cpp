// The Bedrock Converse API wire (bedrock_tools, bedrock_parallel_tools, bedrock_json): request
// bodies, media, answers, stop reasons, usage, re-asks (toolResult blocks, the reasoning kept,
// turns merged), the request (the model id in the path, the signature per attempt) and the
// stream reader over event-stream frames, hostile streams included.
#include "chunk_reading.hpp"
#include "wire_fixtures.hpp"

#include "protocol/bedrock/bedrock.hpp"
#include "protocol/bedrock/event_stream.hpp"

namespace bedrock_test {

namespace {

ins::request seed(bool with_system = true)
{
    ins::request req;
    if (with_system)
        req.messages.push_back(ins::message::system("Extract the user."));
    req.messages.push_back(ins::message::user("John Doe is 32 years old."));
    req.messages.push_back(ins::message::user("Answer now."));
    return req;
}

json::object body_for(ins::mode m, ins::request const& req,
                      std::vector<det::tool_spec> const& tools)
{
    auto const conv = det::bedrock_initial(m, req, tools.front());
    auto body = det::build_bedrock_body(m, req, conv, tools);
    // The body the client sends is written without the tree: the same bytes, every time.
    EXPECT_EQ(det::write_bedrock_body(m, req, conv, tools), json::serialize(body));
    return body;
}

json::object body_for(ins::mode m, ins::request const& req = seed())
{
    return body_for(m, req, {det::tool_spec_for<models::UserInfo>()});
}

json::object response_with(json::array content, std::string stop = "tool_use")
{
    return {{"output", {{"message", {{"role", "assistant"}, {"content", std::move(content)}}}}},
            {"stopReason", std::move(stop)},
            {"usage", {{"inputTokens", 10}, {"outputTokens", 5}, {"totalTokens", 15},
                       {"cacheReadInputTokens", 4}}}};
}

json::object tool_use(std::string id, json::object input, std::string name = "UserInfo")
{
    return {{"toolUse", {{"toolUseId", std::move(id)}, {"name", std::move(name)}, {"input", std::move(input)}}}};
}

/// Feeds frames to a fresh reader of mode `m` through the event-stream decoder, `piece` bytes
/// at a time; returns the extraction, and what the sink was given.
struct streamed {
    det::extraction x;
    std::string fed;
    std::unique_ptr<det::stream_reader> reader;
};

streamed stream(ins::mode m, std::string const& frames, std::size_t piece = 5)
{
    streamed s;
    auto w = det::make_wire(m, {});
    s.reader = w->reader();
    auto events = w->events(1 << 20);
    det::piece_sink sink = [&](std::size_t, std::string_view, std::string_view t) { s.fed += t; };
    for (std::size_t i = 0; i < frames.size(); i += piece) {
        if (events->feed(std::string_view(frames).substr(i, piece)))
            throw ins::error(ins::errc::protocol_error, events->failure());
        while (auto ev = events->next())
            s.reader->on_event(*ev, sink);
    }
    EXPECT_FALSE(events->finish());
    EXPECT_TRUE(s.reader->ended(*events));
    s.x = s.reader->finish(sink);
    return s;
}

std::string ev(std::string_view type, json::object o)
{
    return det::encode_event(type, json::serialize(o));
}

}  // namespace

TEST(Bedrock, ToolsBodyForcesOneToolWithSystemAndMergedTurns)
{
    auto const b = body_for(ins::mode::bedrock_tools);
    EXPECT_EQ(b.at("system"), json::parse(R"([{"text":"Extract the user."}])"));
    auto const& messages = b.at("messages").as_array();
    ASSERT_EQ(messages.size(), 1u);  // two user turns in a row: one turn of two blocks
    EXPECT_EQ(messages[0], json::parse(R"({"role":"user","content":[{"text":"John Doe is 32 years old."},{"text":"Answer now."}]})"));
    auto const& tc = b.at("toolConfig").as_object();
    EXPECT_EQ(tc.at("toolChoice"), json::parse(R"({"tool":{"name":"UserInfo"}})"));
    auto const& spec = tc.at("tools").at(0).at("toolSpec");
    EXPECT_EQ(spec.at("name"), "UserInfo");
    EXPECT_TRUE(spec.at("inputSchema").at("json").as_object().contains("properties"));
    EXPECT_FALSE(b.contains("model"));
    EXPECT_FALSE(b.contains("inferenceConfig"));
}

// Every Converse mode with and without a system prompt, temperature, max_tokens under and over
// the thinking budget, reasoning effort, names that need escaping, a schema kept as text and one
// serialized on the spot, two tools: the tree's bytes exactly.
TEST(Bedrock, TheWrittenBodyIsTheTreesSerialization)
{
    each_writer_case({ins::mode::bedrock_tools, ins::mode::bedrock_parallel_tools,
                      ins::mode::bedrock_json}, 100, seed,
                     [](ins::mode m, std::vector<det::tool_spec> const& tools,
                        ins::request const& req) { (void)body_for(m, req, tools); });
}

TEST(Bedrock, ASystemMessagesPartsAreItsTextAndNothingElse)
{
    ins::request req;
    auto sys = ins::message::system("ignored: the parts are the message");
    sys.parts = {ins::content_part::from_text("First."), ins::content_part::from_text("Second.")};
    req.messages.push_back(sys);
    req.messages.push_back(ins::message::user("Hi."));
    EXPECT_EQ(body_for(ins::mode::bedrock_tools, req).at("system"),
              json::parse(R"([{"text":"First.\n\nSecond."}])"));
    req.messages[0].parts.push_back(ins::content_part::image_url("data:image/png;base64,aGk="));
    EXPECT_THROW((void)body_for(ins::mode::bedrock_tools, req), ins::error);
}

TEST(Bedrock, JsonBodyPutsTheSchemaInTheSystemPrompt)
{
    auto req = seed(false);
    req.max_tokens = 300;
    req.temperature = 0.25;
    auto const b = body_for(ins::mode::bedrock_json, req);
    EXPECT_FALSE(b.contains("toolConfig"));
    auto const system = std::string(b.at("system").at(0).at("text").as_string());
    EXPECT_NE(system.find("\"age\""), std::string::npos);
    EXPECT_EQ(b.at("inferenceConfig"), json::parse(R"({"maxTokens":300,"temperature":0.25})"));
}

TEST(Bedrock, ThinkingOffersTheToolAndMakesRoomForTheAnswer)
{
    auto req = seed();
    req.max_tokens = 1000;
    ins::reasoning r;
    r.budget_tokens = 2048;
    req.reasoning = r;
    req.extra_body["additionalModelRequestFields"] = json::object{{"top_k", 5}};
    req.extra_body["inferenceConfig"] = json::object{{"topP", 0.9}};
    auto const b = body_for(ins::mode::bedrock_tools, req);
    EXPECT_EQ(b.at("additionalModelRequestFields"),
              json::parse(R"({"thinking":{"type":"enabled","budget_tokens":2048},"top_k":5})"));
    EXPECT_EQ(b.at("inferenceConfig").at("maxTokens"), 2048 + 4096);
    EXPECT_EQ(b.at("inferenceConfig").at("topP"), 0.9);  // merged, not replaced
    EXPECT_EQ(b.at("toolConfig").at("toolChoice"), json::parse(R"({"auto":{}})"));
    EXPECT_NE(json::serialize(b.at("system")).find("calling the UserInfo tool"), std::string::npos);
    ins::reasoning effort;
    effort.effort = "high";
    req.reasoning = effort;
    EXPECT_EQ(body_for(ins::mode::bedrock_tools, req).at("additionalModelRequestFields").at("reasoning_effort"),
              "high");
}

TEST(Bedrock, MediaGoAsBytesOrS3AndTheRestIsRefused)
{
    auto part = [](ins::part_kind kind, std::string url, std::string data, std::string type) {
        ins::content_part p;
        p.kind = kind;
        p.url = std::move(url);
        p.data = std::move(data);
        p.media_type = std::move(type);
        return p;
    };
    ins::request req;
    req.messages.push_back(ins::message::user(
        {ins::content_part::from_text("Who is this?"),
         part(ins::part_kind::image, "", "aGVsbG8=", "image/png"),
         ins::content_part::image_url("data:image/jpeg;base64,aGk="),
         part(ins::part_kind::document, "s3://bucket/report.pdf", "", "")}));
    auto const content = body_for(ins::mode::bedrock_tools, req).at("messages").at(0).at("content").as_array();
    ASSERT_EQ(content.size(), 4u);
    EXPECT_EQ(content[1], json::parse(R"({"image":{"format":"png","source":{"bytes":"aGVsbG8="}}})"));
    EXPECT_EQ(content[2].at("image").at("format"), "jpeg");
    EXPECT_EQ(content[3].at("document").at("source"), json::parse(R"({"s3Location":{"uri":"s3://bucket/report.pdf"}})"));
    EXPECT_EQ(content[3].at("document").at("format"), "pdf");
    auto refused = [](ins::content_part p) {
        ins::request r;
        r.messages.push_back(ins::message::user({std::move(p)}));
        try {
            (void)body_for(ins::mode::bedrock_tools, r);
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code(), ins::errc::invalid_argument);
            EXPECT_NE(std::string(e.what()).find("Bedrock Converse API"), std::string::npos);
            return true;
        }
        return false;
    };
    EXPECT_TRUE(refused(ins::content_part::image_url("https://example.com/a.png")));
    EXPECT_TRUE(refused(part(ins::part_kind::audio, "", "aGk=", "audio/wav")));
    EXPECT_TRUE(refused(part(ins::part_kind::image, "", "aGk=", "image/tiff")));
    EXPECT_TRUE(refused(ins::content_part::pdf_file_id("file-1")));
}

TEST(Bedrock, AnswersStopReasonsAndUsage)
{
    auto const r = response_with({json::object{{"reasoningContent", {{"reasoningText", {{"text", "Hmm."}, {"signature", "s1"}}}}}},
                                  json::object{{"text", "Here."}},
                                  tool_use("tu-1", {{"name", "Ann"}, {"age", 4}})});
    auto const x = det::extract_bedrock(ins::mode::bedrock_tools, r);
    ASSERT_EQ(x.answers.size(), 1u);
    EXPECT_EQ(x.answers[0].id, "tu-1");
    EXPECT_EQ(json::parse(x.answers[0].text), json::parse(R"({"name":"Ann","age":4})"));
    EXPECT_EQ(x.content, "Here.");
    EXPECT_EQ(x.reasoning, "Hmm.");
    ASSERT_EQ(x.kept.size(), 1u);
    EXPECT_EQ(x.finish_reason, "tool_use");
    auto const u = det::bedrock_usage(r);
    EXPECT_EQ(u.prompt_tokens, 10u);
    EXPECT_EQ(u.completion_tokens, 5u);
    EXPECT_EQ(u.total_tokens, 15u);
    EXPECT_EQ(u.cached_tokens, 4u);
    EXPECT_EQ(det::extract_bedrock(ins::mode::bedrock_tools, response_with({}, "max_tokens")).finish_reason,
              "length");
    for (auto const* filtered : {"guardrail_intervened", "content_filtered"})
        EXPECT_EQ(det::extract_bedrock(ins::mode::bedrock_tools, response_with({}, filtered)).finish_reason,
                  "content_filter");
    auto const none = det::extract_bedrock(ins::mode::bedrock_tools, response_with({json::object{{"text", "No."}}}, "end_turn"));
    ASSERT_TRUE(none.problem);  // re-asked
    auto const text = det::extract_bedrock(ins::mode::bedrock_json,
                                           response_with({json::object{{"text", "Sure: {\"name\":\"A\",\"age\":1}"}}}, "end_turn"));
    ASSERT_EQ(text.answers.size(), 1u);
    EXPECT_EQ(text.answers[0].text, R"({"name":"A","age":1})");
    EXPECT_THROW((void)det::extract_bedrock(ins::mode::bedrock_tools, json::parse(R"({"output":{}})")), ins::error);
    EXPECT_EQ(det::bedrock_error_message(R"({"message":"Too many requests"})"), "Too many requests");
    EXPECT_EQ(det::bedrock_error_message(R"({"Message":"denied"})"), "denied");
    EXPECT_EQ(det::bedrock_error_message("<html>"), "");
}

TEST(Bedrock, ReasksSendTheTurnBackWithToolResults)
{
    auto const r = response_with({json::object{{"reasoningContent", {{"reasoningText", {{"text", "Hmm."}, {"signature", "s1"}}}}}},
                                  tool_use("tu-1", {{"name", "Ann"}, {"age", "four"}})});
    auto const x = det::extract_bedrock(ins::mode::bedrock_tools, r);
    auto const turns = det::bedrock_reask(ins::mode::bedrock_tools, x, "age: not an integer");
    ASSERT_EQ(turns.size(), 2u);
    EXPECT_EQ(turns[0].at("role"), "assistant");
    EXPECT_EQ(turns[0].at("content"), r.at("output").at("message").at("content"));  // unchanged
    auto const& result = turns[1].at("content").at(0).at("toolResult");
    EXPECT_EQ(result.at("toolUseId"), "tu-1");
    EXPECT_EQ(result.at("status"), "error");
    EXPECT_NE(json::serialize(result.at("content")).find("age: not an integer"), std::string::npos);
    // An empty reply is not echoed, and the correction joins the user's turn.
    auto w = det::make_wire(ins::mode::bedrock_json, {});
    auto const req = seed(false);
    auto conv = w->initial(req, det::tool_spec_for<models::UserInfo>());
    auto const empty = det::extract_bedrock(ins::mode::bedrock_json, response_with({}, "end_turn"));
    w->reask(conv, empty, "name: missing");
    ASSERT_EQ(conv.messages.size(), 1u);
    EXPECT_EQ(conv.messages[0].at("content").as_array().size(), 3u);
    EXPECT_NE(json::serialize(conv.messages[0]).find("name: missing"), std::string::npos);
}

TEST(Bedrock, RequestsNameTheModelInThePathAndSignWhatIsSent)
{
    ins::client_options o;
    o.base_url = "https://bedrock-runtime.us-east-1.amazonaws.com";
    o.aws = ins::aws_credentials{"AKID", "secret-key", "token-1", "us-west-2"};
    auto w = det::make_wire(ins::mode::bedrock_tools, o);
    auto const r = w->http_request({o.base_url, "", {}}, "us.anthropic.claude-3-7-sonnet-20250219-v1:0", true, "{}");
    EXPECT_EQ(r.url, "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
                     "us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse-stream");
    ASSERT_TRUE(r.sign);
    auto const headers = r.sign("bedrock-runtime.us-east-1.amazonaws.com", "/model/x/converse", r);
    ASSERT_EQ(headers.size(), 3u);
    EXPECT_NE(headers[0].value.find("/us-east-1/bedrock/aws4_request"), std::string::npos);  // the host's
    EXPECT_EQ(headers[2].value, "token-1");
    EXPECT_NE(std::ranges::find(r.secrets, "token-1"), r.secrets.end());  // never in an error
    EXPECT_NE(std::ranges::find(r.secrets, "secret-key"), r.secrets.end());
    // A fallback in another region is signed for its own; x-amz-* headers sent are signed.
    auto with_amz = r;
    with_amz.headers.push_back({"X-Amz-Trace", "t-1"});
    auto const eu = with_amz.sign("bedrock-runtime.eu-west-1.amazonaws.com:443", "/model/x/converse",
                                  with_amz);
    EXPECT_NE(eu[0].value.find("/eu-west-1/bedrock/aws4_request"), std::string::npos);
    EXPECT_NE(eu[0].value.find("SignedHeaders=host;x-amz-date;x-amz-security-token;x-amz-trace,"),
              std::string::npos)
        << eu[0].value;
    for (auto const& h : headers)
        EXPECT_EQ(h.value.find("secret-key"), std::string::npos);
    // A Bedrock API key: a bearer token, nothing signed.
    auto const bearer = w->http_request({o.base_url, "br-key", {}}, "m", false, "{}");
    EXPECT_FALSE(bearer.sign);
    ASSERT_FALSE(bearer.headers.empty());
    EXPECT_EQ(bearer.headers.front().value, "Bearer br-key");
    EXPECT_THROW((void)w->http_request({o.base_url, "", {}}, "", false, "{}"), ins::error);
    // A host without a region: the credentials'; with neither, refused when signing.
    auto const mock = w->http_request({"http://127.0.0.1:9", "", {}}, "m", false, "{}");
    EXPECT_NE(mock.sign("127.0.0.1:9", "/model/m/converse", mock)[0].value.find("/us-west-2/"),
              std::string::npos);
    o.aws->region.clear();
    auto const none = det::make_wire(ins::mode::bedrock_tools, o)->http_request(
        {"http://127.0.0.1:9", "", {}}, "m", false, "{}");
    EXPECT_THROW((void)none.sign("127.0.0.1:9", "/model/m/converse", none), ins::error);
}

TEST(Bedrock, TheStreamReaderReadsFramesAsAWholeReplyReadsItsBlocks)
{
    std::string frames = ev("messageStart", {{"role", "assistant"}, {"p", "abc"}});
    frames += ev("contentBlockDelta", {{"contentBlockIndex", 0}, {"delta", {{"reasoningContent", {{"text", "Hm"}}}}}});
    frames += ev("contentBlockDelta", {{"contentBlockIndex", 0}, {"delta", {{"reasoningContent", {{"text", "m."}}}}}});
    frames += ev("contentBlockDelta", {{"contentBlockIndex", 0}, {"delta", {{"reasoningContent", {{"signature", "s1"}}}}}});
    frames += ev("contentBlockStop", {{"contentBlockIndex", 0}});
    frames += ev("contentBlockDelta", {{"contentBlockIndex", 1}, {"delta", {{"text", "Here."}}}});
    frames += ev("contentBlockStart", {{"contentBlockIndex", 2}, {"start", {{"toolUse", {{"toolUseId", "tu-1"}, {"name", "UserInfo"}}}}}});
    frames += ev("contentBlockDelta", {{"contentBlockIndex", 2}, {"delta", {{"toolUse", {{"input", R"({"name":"Ann",)"}}}}}});
    frames += ev("contentBlockDelta", {{"contentBlockIndex", 2}, {"delta", {{"toolUse", {{"input", R"("age":4})"}}}}}});
    frames += ev("contentBlockStop", {{"contentBlockIndex", 2}});
    frames += ev("messageStop", {{"stopReason", "tool_use"}});
    frames += ev("metadata", {{"usage", {{"inputTokens", 10}, {"outputTokens", 5}, {"totalTokens", 15}, {"cacheReadInputTokens", 4}}}});
    auto const s = stream(ins::mode::bedrock_tools, frames);
    auto const whole = det::extract_bedrock(
        ins::mode::bedrock_tools,
        response_with({json::object{{"reasoningContent", {{"reasoningText", {{"text", "Hmm."}, {"signature", "s1"}}}}}},
                       json::object{{"text", "Here."}}, tool_use("tu-1", {{"name", "Ann"}, {"age", 4}})}));
    ASSERT_EQ(s.x.answers.size(), 1u);
    EXPECT_EQ(s.x.answers[0].id, whole.answers[0].id);
    EXPECT_EQ(json::parse(s.x.answers[0].text), json::parse(whole.answers[0].text));
    EXPECT_EQ(s.x.kept, whole.kept);
    EXPECT_EQ(s.x.reasoning, whole.reasoning);
    EXPECT_EQ(s.x.content, whole.content);
    EXPECT_EQ(s.x.finish_reason, whole.finish_reason);
    EXPECT_EQ(s.fed, R"({"name":"Ann","age":4})");
    EXPECT_EQ(s.reader->usage().total_tokens, 15u);
    EXPECT_EQ(s.reader->usage().cached_tokens, 4u);
    auto const resp = s.reader->response();
    EXPECT_EQ(resp.at("stopReason"), "tool_use");
    EXPECT_EQ(resp.at("output").at("message").at("content").as_array().size(), 3u);
}

TEST(Bedrock, RedactedReasoningStreamedInPiecesIsTheWholeRepliesBlock)
{
    // "secret thoughts" as one blob whole, as two blobs of its halves streamed.
    std::string frames = ev("contentBlockDelta", {{"contentBlockIndex", 0},
                                                  {"delta", {{"reasoningContent", {{"redactedContent", "c2VjcmV0IA=="}}}}}});
    frames += ev("contentBlockDelta", {{"contentBlockIndex", 0},
                                       {"delta", {{"reasoningContent", {{"redactedContent", "dGhvdWdodHM="}}}}}});
    frames += ev("contentBlockDelta", {{"contentBlockIndex", 1}, {"delta", {{"text", R"({"name":"A","age":1})"}}}});
    frames += ev("messageStop", {{"stopReason", "end_turn"}});
    auto const s = stream(ins::mode::bedrock_json, frames);
    auto const whole = det::extract_bedrock(
        ins::mode::bedrock_json,
        response_with({json::object{{"reasoningContent", {{"redactedContent", "c2VjcmV0IHRob3VnaHRz"}}}},
                       json::object{{"text", R"({"name":"A","age":1})"}}},
                      "end_turn"));
    EXPECT_EQ(s.x.kept, whole.kept);
    EXPECT_EQ(s.x.answers[0].text, whole.answers[0].text);
    EXPECT_EQ(s.reader->response().at("stopReason"), "end_turn");
    // A null input is no input, whole as streamed.
    auto const null_input = det::extract_bedrock(
        ins::mode::bedrock_tools, response_with({json::object{{"toolUse", {{"toolUseId", "t"}, {"name", "UserInfo"}, {"input", nullptr}}}}}));
    EXPECT_EQ(null_input.answers.at(0).text, "{}");
}

TEST(Bedrock, HostileStreamsAreTypedErrors)
{
    auto code_of = [](std::string const& frames) {
        try {
            (void)stream(ins::mode::bedrock_tools, frames, 64);
        }
        catch (ins::error const& e) {
            return e.code_enum();
        }
        return ins::errc{};
    };
    auto const start = [](int block) {
        return ev("contentBlockStart", {{"contentBlockIndex", block},
                                        {"start", {{"toolUse", {{"toolUseId", "t"}, {"name", "UserInfo"}}}}}});
    };
    EXPECT_EQ(code_of(start(0) + start(0)), ins::errc::protocol_error);  // a block started twice
    std::string many;
    for (int i = 0; i <= 256; ++i)
        many += start(i);
    EXPECT_EQ(code_of(many), ins::errc::protocol_error);
    EXPECT_EQ(code_of(det::encode_event("contentBlockDelta", "not json")), ins::errc::protocol_error);
    EXPECT_EQ(code_of(det::encode_exception("throttlingException", "slow")), ins::errc::rate_limited);
    EXPECT_EQ(code_of(det::encode_exception("validationException", "bad")), ins::errc::bad_request);
    EXPECT_EQ(code_of(det::encode_exception("modelStreamErrorException", "boom")), ins::errc::server_error);
    EXPECT_EQ(code_of(det::encode_event_frame({{":message-type", "error"}, {":error-code", "X"},
                                               {":error-message", "it broke"}}, "")),
              ins::errc::server_error);
    // No messageStop: the stream did not end.
    auto w = det::make_wire(ins::mode::bedrock_tools, {});
    auto reader = w->reader();
    auto events = w->events(1 << 20);
    EXPECT_FALSE(reader->ended(*events));
    EXPECT_NE(reader->missing_end().find("messageStop"), std::string::npos);
}

TEST(BedrockReply, TheOnePassReadingMeansWhatTheTreeMeans)
{
    // The common Converse reply (as AWS's reference shows it) varied in every member the reading
    // takes or must leave to the tree: whenever the one-pass reading answers, it answers what
    // the tree does (a toolUse input written back byte for byte as the tree's serialization).
    std::string const usage =
        R"("usage":{"inputTokens":12,"outputTokens":7,"totalTokens":19,"cacheReadInputTokens":3})";
    auto reply = [&](std::string const& content, std::string const& stop = "end_turn",
                     std::string const& root_extra = "") {
        return R"({"output":{"message":{"role":"assistant","content":)" + content +
               R"(}},"stopReason":")" + stop + R"(",)" + usage +
               R"(,"metrics":{"latencyMs":100})" + root_extra + "}";
    };
    std::string const tool = R"({"toolUse":{"toolUseId":"tooluse_1","name":"User","input":{"name":"Ann","age":3}}})";
    std::vector<std::string> bodies;
    for (std::string const& c : {
             std::string(R"([{"text":"{\"name\":\"Ann\",\"age\":3}"}])"),
             std::string(R"([{"text":"Here: "},{"text":"{\"a\":1}"}])"),
             "[" + tool + "]",
             "[" + tool + "," + tool + "]",
             "[{\"text\":\"Sure.\"}," + tool + "]",
             std::string(R"([{"toolUse":{"input":{"b":[1,-2,3.5,1e300,-0.0,18446744073709551615],"a":{"x":null,"y":true}},"name":"User"}}])"),
             std::string(R"([{"toolUse":{"toolUseId":"t","name":"User","input":{ "sp" : [ 1 , { } , [ ] , "" ] , "\u0041\/\n" : "\ud83d\ude00\t" }}}])"),
             std::string(R"([{"toolUse":{"toolUseId":"t","name":"User","input":null}}])"),
             std::string(R"([{"toolUse":{"input":{"k":"v"},"name":"User","toolUseId":"t"},"text":"x"}])"),
             std::string(R"([{"toolUse":{"toolUseId":"t","name":"User","input":"null"}}])"),
             std::string(R"([{"toolUse":{"toolUseId":"t","name":"User","input":[1,{"k":[]}]}}])"),
             std::string(R"([{"toolUse":{"toolUseId":"t","name":"User"}}])"),
             std::string(R"([{"toolUse":{"toolUseId":"t","name":"User","input":{"a":1,"a":2}}}])"),
             std::string(R"([{"toolUse":{"toolUseId":"t","name":"User","input":{"a":{"k":1},"k":2}}}])"),
             std::string(R"([{"toolUse":{"toolUseId":"t","name":"User","input":{}},"text":"also"}])"),
             std::string(R"([{"toolUse":"not an object","text":"text"}])"),
             std::string(R"([{"toolUse":{"name":"A"},"toolUse":{"name":"B"}}])"),
             std::string(R"([{"reasoningContent":{"reasoningText":{"text":"hmm","signature":"s"}}},{"text":"{}"}])"),
             std::string(R"([{"reasoningContent":7,"text":"kept as text"}])"),
             std::string(R"([7,"two",null,[],{"text":7},{"image":{}},{"text":["no"]}])"),
             std::string("[]"),
             std::string(R"({"text":"{}"})"),
             std::string("null"),
         }) {
        for (std::string const stop : {"end_turn", "tool_use", "max_tokens", "guardrail_intervened"})
            bodies.push_back(reply(c, stop));
    }
    std::string const text = R"([{"text":"{\"a\":1}"}])";
    for (std::string const& root : {
             std::string(R"(,"output":{})"),
             std::string(R"(,"stopReason":"max_tokens")"),
             std::string(R"(,"usage":{"inputTokens":1})"),
         })
        bodies.push_back(reply(text, "end_turn", root));
    for (std::string const& u : {
             std::string(R"({"inputTokens":5,"outputTokens":6})"),
             std::string(R"({"inputTokens":-5,"outputTokens":6.5,"totalTokens":"9"})"),
             std::string(R"({"inputTokens":18446744073709551615,"totalTokens":0})"),
             std::string(R"({"inputTokens":1,"inputTokens":2})"),
             std::string("null"),
         })
        bodies.push_back(R"({"output":{"message":{"content":)" + text + R"(}},"usage":)" + u + "}");
    for (std::string const& output : {
             std::string(R"({"message":{"content":{}}})"),
             std::string(R"({"message":{"content":[],"content":[]}})"),
             std::string(R"({"message":[]})"),
             std::string(R"({"message":{"content":[]},"message":{"content":[]}})"),
             std::string("[]"),
         })
        bodies.push_back(R"({"output":)" + output + "}");
    for (int calls : {256, 257}) {  // the limit, and one past it
        std::string many = "[";
        for (int i = 0; i < calls; ++i)
            many += (i ? "," : "") + tool;
        bodies.push_back(reply(many + "]", "tool_use"));
    }
    bodies.push_back(reply(text) + " trailing");
    bodies.push_back(R"({"output":{"message":{"content":[)");
    bodies.push_back("[]");

    std::size_t answered = 0;
    for (auto const& body : bodies)
        for (auto m : {ins::mode::bedrock_tools, ins::mode::bedrock_json,
                       ins::mode::bedrock_parallel_tools}) {
            auto const fast = det::read_bedrock_reply(m, body);
            if (!fast)
                continue;
            ++answered;
            EXPECT_EQ(test::reply_reading(fast->used, fast->x),
                      test::bedrock_reply_tree_reading(m, body))
                << ins::to_string(m) << "\n" << body.substr(0, 400);
        }
    EXPECT_TRUE(det::read_bedrock_reply(ins::mode::bedrock_tools, reply("[" + tool + "]")));
    EXPECT_TRUE(det::read_bedrock_reply(ins::mode::bedrock_json, reply(text)));
    EXPECT_GT(answered, bodies.size() * 3 / 2);
}

TEST(BedrockStream, TheOnePassDeltaMeansWhatTheTreeMeans)
{
    // contentBlockDelta payloads as AWS's reference shows them (padding included), varied in
    // every member the reading takes or leaves to the tree: whenever the one-pass reading
    // answers, it reads what the stream reader reads of the payload's tree.
    auto words = [](det::bedrock_delta const& d) {
        return std::to_string(d.block) + (d.tool_input ? " input [" : " text [") + d.text + "]";
    };
    std::size_t answered = 0;
    for (std::string const& data : {
             std::string(R"({"contentBlockIndex":0,"delta":{"text":"Hello"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0"})"),
             std::string(R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"name\": \"A"}},"p":"abcd"})"),
             std::string(R"({"delta":{"text":"esc \"q\" \\ \n \u00e9 \ud83d\ude00"},"contentBlockIndex":2})"),
             std::string(R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"hmm"}}})"),
             std::string(R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"hmm"},"toolUse":{"input":"x"}}})"),
             std::string(R"({"contentBlockIndex":0,"delta":{"reasoningContent":"not an object","text":"t"}})"),
             std::string(R"({"contentBlockIndex":0,"delta":{"toolUse":"not an object","text":"t"}})"),
             std::string(R"({"contentBlockIndex":0,"delta":{"toolUse":{"input":7},"text":"t"}})"),
             std::string(R"({"contentBlockIndex":0,"delta":{"toolUse":{}}})"),
             std::string(R"({"contentBlockIndex":-1,"delta":{"text":"x"}})"),
             std::string(R"({"contentBlockIndex":18446744073709551615,"delta":{"text":"x"}})"),
             std::string(R"({"contentBlockIndex":1.5,"delta":{"text":7}})"),
             std::string(R"({"contentBlockIndex":"3","delta":{"text":["x"]}})"),
             std::string(R"({"contentBlockIndex":1,"contentBlockIndex":2,"delta":{"text":"x"}})"),
             std::string(R"({"delta":{"text":"a","text":"b"}})"),
             std::string(R"({"delta":{"toolUse":{"input":"a","input":"b"}}})"),
             std::string(R"({"delta":{}})"),
             std::string(R"({"delta":"text"})"),
             std::string(R"({"contentBlockIndex":0})"),
             std::string(R"({"delta":{"text":"x","more":[[{"text":1}]]},"extra":{"delta":1}})"),
             std::string(R"({"delta":{"text":"x"}} trailing)"),
             std::string(R"({"delta":{"text":"x"})"),
             std::string(R"([{"delta":{"text":"x"}}])"),
         }) {
        auto const fast = det::read_bedrock_delta(data);
        if (!fast)
            continue;
        ++answered;
        auto const v = json::parse(data);
        auto const tree = det::bedrock_delta_of(v.as_object());
        ASSERT_TRUE(tree) << data;
        EXPECT_EQ(words(*fast), words(*tree)) << data;
    }
    EXPECT_EQ(answered, 13u);  // all but the reasoning, repeated, non-object and malformed ones
}

}  // namespace bedrock_test
