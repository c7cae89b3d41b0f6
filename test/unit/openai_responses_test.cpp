// The OpenAI Responses API wire: request bodies pinned in full, answers, finish reasons and
// usage, re-ask items, and the typed events of its streams.
#include "chunk_reading.hpp"
#include "wire_fixtures.hpp"

#include "protocol/openai_responses/openai_responses.hpp"
#include "protocol/json_access.hpp"

#include "net/sse_parser.hpp"
#include <instructor/testing/mock_reply.hpp>

namespace openai_responses_test {

namespace {

using ins::mode;
using ins::testing::mock_reply;

json::object responses_body(mode m, ins::request const& req,
                            std::vector<det::tool_spec> const& tools, bool stream = false)
{
    auto const input = det::responses_input(req);
    auto body = det::build_responses_body(m, req, req.model, input, tools, stream);
    // The body the client sends is written without the tree: the same bytes, every time.
    EXPECT_EQ(det::write_responses_body(m, req, req.model, input, tools, stream),
              json::serialize(body));
    return body;
}

json::object responses_body(mode m, ins::request const& req, bool stream = false)
{
    return responses_body(m, req, {det::tool_spec_for<models::UserInfo>()}, stream);
}

json::value response_with(std::string const& output, std::string const& extra = {})
{
    return parse(R"({"object":"response","status":"completed","output":)" + output + extra + "}");
}

struct streamed {
    std::string text;                 // what the reader handed out for call 0 / content
    std::vector<std::string> names;   // the name of each piece's call
    det::extraction x;
    ins::usage usage;
    bool ended = false;
};

streamed read_stream(mode m, std::string const& sse_body, std::size_t split = 5)
{
    auto const wire = det::make_wire(m, ins::client_options{});
    auto reader = wire->reader();
    ins::net::sse_parser sse;
    streamed out;
    det::piece_sink sink = [&](std::size_t call, std::string_view name, std::string_view text) {
        if (call == 0)
            out.text += text;
        out.names.emplace_back(name);
    };
    for (std::size_t at = 0; at < sse_body.size(); at += split) {
        EXPECT_FALSE(sse.feed(std::string_view(sse_body).substr(at, split)));
        while (auto ev = sse.next())
            reader->on_event(*ev, sink);
    }
    EXPECT_FALSE(sse.finish());
    out.ended = reader->ended(sse);
    out.usage = reader->usage();
    out.x = reader->finish(sink);
    return out;
}

}  // namespace

// Every Responses mode, options, reasoning, streams, names that need escaping, a schema kept as
// text and one serialized on the spot, two tools: the tree's bytes exactly.
TEST(ResponsesBody, TheWrittenBodyIsTheTreesSerialization)
{
    auto const tool_sets = writer_tool_sets();
    for (auto m : {mode::responses_tools, mode::responses_parallel_tools,
                   mode::responses_structured_outputs}) {
        for (auto const& tools : tool_sets) {
            for (int options = 0; options < 16; ++options) {
                ins::request req;
                req.model = "gpt-4.1-mini";
                if (options & 1)
                    req.messages.push_back(ins::message::system("Be \"exact\"."));
                req.messages.push_back(ins::message::user("John Doe is 32 years old."));
                apply_writer_options(req, options, 100, ins::reasoning{.effort = "low"});
                for (bool stream : {false, true}) {
                    SCOPED_TRACE(std::string(ins::to_string(m)) + " " + tools.front().name +
                                 " options " + std::to_string(options));
                    (void)responses_body(m, req, tools, stream);  // it compares them
                }
            }
        }
    }
}

TEST(ResponsesBody, Tools)
{
    EXPECT_EQ(json::value(responses_body(mode::responses_tools, seed_request())),
              parse(R"({"model":"gpt-4o-mini","input":[)" + seed_user_message +
                    R"(],"tools":[{"type":"function","name":"UserInfo","description":")" +
                    user_info_description + R"(","parameters":)" + user_info_strict_parameters +
                    R"(,"strict":true}],"tool_choice":{"type":"function","name":"UserInfo"}})"));
}

TEST(ResponsesBody, StructuredOutputs)
{
    EXPECT_EQ(json::value(responses_body(mode::responses_structured_outputs, seed_request(true))),
              parse(R"({"model":"gpt-4o-mini","input":[{"role":"system","content":"You are an extractor."},)" +
                    seed_user_message +
                    R"(],"text":{"format":{"type":"json_schema","name":"UserInfo","schema":)" +
                    user_info_strict_parameters + R"(,"strict":true}}})"));
}

TEST(ResponsesBody, OptionsStreamPartsAndExtraBody)
{
    auto req = seed_request();
    req.temperature = 0.5;
    req.max_tokens = 300;
    req.messages.push_back(ins::message::user(
        {ins::content_part::from_text("and this badge"),
         ins::content_part::image_url("https://example.com/b.png", "low")}));
    req.extra_body = json::object{{"store", false}, {"temperature", 0.0}};
    auto const body = responses_body(mode::responses_tools, req, true);
    EXPECT_EQ(body.at("max_output_tokens"), 300);
    EXPECT_FALSE(body.contains("max_tokens"));
    EXPECT_EQ(body.at("stream"), true);
    EXPECT_FALSE(body.contains("stream_options"));
    EXPECT_EQ(body.at("store"), false);
    EXPECT_EQ(body.at("temperature").to_number<double>(), 0.0);
    EXPECT_EQ(json::value(body.at("input").at(1)),
              parse(R"({"role":"user","content":[{"type":"input_text","text":"and this badge"},)"
                    R"({"type":"input_image","image_url":"https://example.com/b.png","detail":"low"}]})"));
}

TEST(ResponsesBody, AChatModeIsAnInvalidArgument)
{
    try {
        (void)responses_body(mode::tools, seed_request());
        FAIL();
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::invalid_argument);
    }
}

TEST(ResponsesExtract, FunctionCall)
{
    auto const x = det::extract_responses(
        mode::responses_tools,
        response_with(R"([{"type":"reasoning","id":"rs_1","summary":[]},)"
                      R"({"type":"function_call","id":"fc_1","call_id":"call_9","name":"UserInfo",)"
                      R"("arguments":"{\"name\":\"Jo\",\"age\":3}"}])"));
    ASSERT_EQ(x.answers.size(), 1u);
    EXPECT_EQ(x.answers[0].name, "UserInfo");
    EXPECT_EQ(x.answers[0].id, "call_9");
    EXPECT_EQ(x.answers[0].text, R"({"name":"Jo","age":3})");
    EXPECT_FALSE(x.problem);
    EXPECT_EQ(x.finish_reason, "completed");
}

TEST(ResponsesExtract, OutputText)
{
    auto const x = det::extract_responses(
        mode::responses_structured_outputs,
        response_with(R"([{"type":"message","role":"assistant","content":[)"
                      R"({"type":"output_text","text":"{\"name\":\"Jo\","},)"
                      R"({"type":"output_text","text":"\"age\":3}"}]}])"));
    ASSERT_EQ(x.answers.size(), 1u);
    EXPECT_EQ(x.answers[0].text, R"({"name":"Jo","age":3})");
    EXPECT_EQ(x.content, R"({"name":"Jo","age":3})");
}

TEST(ResponsesExtract, ProblemsAndFinishReasons)
{
    auto const no_call = det::extract_responses(
        mode::responses_tools,
        response_with(R"([{"type":"message","content":[{"type":"output_text","text":"Jo, 3"}]}])"));
    ASSERT_TRUE(no_call.problem);
    EXPECT_EQ(no_call.content, "Jo, 3");

    auto const empty = det::extract_responses(mode::responses_structured_outputs, response_with("[]"));
    EXPECT_TRUE(empty.problem);

    auto const cut = det::extract_responses(
        mode::responses_structured_outputs,
        parse(R"({"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"output":[]})"));
    EXPECT_EQ(cut.finish_reason, "length");
    auto const filtered = det::extract_responses(
        mode::responses_structured_outputs,
        parse(R"({"status":"incomplete","incomplete_details":{"reason":"content_filter"},"output":[]})"));
    EXPECT_EQ(filtered.finish_reason, "content_filter");

    auto const refused = det::extract_responses(
        mode::responses_structured_outputs,
        response_with(R"([{"type":"message","content":[{"type":"refusal","refusal":"No."}]}])"));
    EXPECT_EQ(refused.refusal, std::optional<std::string>("No."));
    EXPECT_FALSE(refused.problem);
}

TEST(ResponsesExtract, FailedStatusAndNotAResponse)
{
    try {
        (void)det::extract_responses(
            mode::responses_tools,
            parse(R"({"status":"failed","error":{"code":"server_error","message":"boom"},"output":[]})"));
        FAIL();
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::server_error);
        EXPECT_EQ(e.provider_message, "boom");
    }
    for (auto const* text : {R"({"choices":[]})", "[]", R"({"output":{}})"}) {
        try {
            (void)det::extract_responses(mode::responses_tools, parse(text));
            FAIL() << text;
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code(), ins::errc::protocol_error);
        }
    }
}

TEST(ResponsesExtract, TooManyFunctionCallsIsAProtocolError)
{
    json::array output;
    for (int i = 0; i < 300; ++i)
        output.push_back(json::object{{"type", "function_call"}, {"call_id", "c"}, {"name", "f"},
                                      {"arguments", "{}"}});
    try {
        (void)det::extract_responses(mode::responses_tools,
                                     json::object{{"status", "completed"}, {"output", output}});
        FAIL();
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::protocol_error);
    }
}

TEST(ResponsesUsage, MapsInputAndOutputTokens)
{
    auto const u = det::responses_usage(parse(
        R"({"usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":4},)"
        R"("output_tokens":87,"output_tokens_details":{"reasoning_tokens":50},"total_tokens":123}})"));
    EXPECT_EQ(u, (ins::usage{36, 87, 123, 4, 50}));
    EXPECT_EQ(det::responses_usage(parse(R"({"usage":{"input_tokens":-1,"output_tokens":"x"}})")),
              ins::usage{});
}

TEST(ResponsesReask, FunctionCallThenItsOutput)
{
    auto const got = det::extract_responses(
        mode::responses_tools,
        response_with(R"([{"type":"function_call","id":"fc_1","call_id":"call_9","name":"UserInfo",)"
                      R"("arguments":"{\"name\":\"Jo\"}"}])"));
    EXPECT_EQ(json::value(det::responses_reask(mode::responses_tools, got, "age: Field required")),
              parse(R"([{"type":"function_call","call_id":"call_9","name":"UserInfo",)"
                    R"("arguments":"{\"name\":\"Jo\"}"},)"
                    R"({"type":"function_call_output","call_id":"call_9","output":)"
                    R"("Validation Error found:\nage: Field required\nRecall the function correctly, fix the errors"}])"));
}

TEST(ResponsesReask, StructuredOutputsEchoesTheTextThenTheErrors)
{
    auto const got = det::extract_responses(
        mode::responses_structured_outputs,
        response_with(R"([{"type":"message","content":[{"type":"output_text","text":"{\"name\":\"Jo\"}"}]}])"));
    EXPECT_EQ(json::value(det::responses_reask(mode::responses_structured_outputs, got, "age: Field required")),
              parse(R"([{"role":"assistant","content":"{\"name\":\"Jo\"}"},)"
                    R"({"role":"user","content":"Correct your JSON ONLY RESPONSE, based on the following errors:\nage: Field required"}])"));
}

TEST(ResponsesStream, FunctionCallArgumentsInDeltas)
{
    auto const r = boost::json::parse(mock_reply::response_function_call(
                                          "UserInfo", R"({"name":"John Doe","age":32})").body)
                       .as_object();
    for (std::size_t split : {1u, 5u, 4096u}) {
        auto const s = read_stream(mode::responses_tools, mock_reply::response_stream(r, 3).body, split);
        EXPECT_TRUE(s.ended);
        EXPECT_EQ(s.text, R"({"name":"John Doe","age":32})");
        for (auto const& n : s.names)
            EXPECT_EQ(n, "UserInfo");
        ASSERT_EQ(s.x.answers.size(), 1u);
        EXPECT_EQ(s.x.answers[0].id, "call_mock_1");
        EXPECT_EQ(s.x.finish_reason, "completed");
        EXPECT_GT(s.usage.total_tokens, 0u);
    }
}

TEST(ResponsesStream, OutputTextAndIncomplete)
{
    auto const r = boost::json::parse(mock_reply::response_text(R"({"name":"Jo","age":3})").body)
                       .as_object();
    auto const s = read_stream(mode::responses_structured_outputs,
                               mock_reply::response_stream(r, 2).body);
    EXPECT_EQ(s.text, R"({"name":"Jo","age":3})");
    EXPECT_EQ(s.x.content, R"({"name":"Jo","age":3})");

    auto const cut = boost::json::parse(mock_reply::response_incomplete("max_output_tokens", "{\"na").body)
                         .as_object();
    auto const c = read_stream(mode::responses_structured_outputs, mock_reply::response_stream(cut).body);
    EXPECT_TRUE(c.ended);
    EXPECT_EQ(c.x.finish_reason, "length");
}

TEST(ResponsesStream, ErrorAndFailedEventsAreServerErrors)
{
    auto const wire = det::make_wire(mode::responses_tools, ins::client_options{});
    det::piece_sink sink = [](std::size_t, std::string_view, std::string_view) {};
    for (auto const& [event, data] : std::vector<std::pair<std::string, std::string>>{
             {"error", R"({"type":"error","code":"server_error","message":"The server had an error"})"},
             {"response.failed", R"({"type":"response.failed","response":{"status":"failed",)"
                                 R"("error":{"code":"server_error","message":"The server had an error"}}})"}}) {
        auto reader = wire->reader();
        try {
            reader->on_event({event, data, {}}, sink);
            FAIL() << event;
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code(), ins::errc::server_error);
            EXPECT_EQ(e.provider_message, "The server had an error");
        }
    }
}

TEST(ResponsesStream, HostileEventsAreProtocolErrors)
{
    auto const wire = det::make_wire(mode::responses_tools, ins::client_options{});
    det::piece_sink sink = [](std::size_t, std::string_view, std::string_view) {};
    for (auto const& [event, data] : std::vector<std::pair<std::string, std::string>>{
             {"response.output_text.delta", "not json"},
             {"response.function_call_arguments.delta",
              R"({"type":"response.function_call_arguments.delta","output_index":7,"delta":"{"})"},
             {"response.completed", R"({"type":"response.completed"})"}}) {
        auto reader = wire->reader();
        try {
            reader->on_event({event, data, {}}, sink);
            FAIL() << event;
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code(), ins::errc::protocol_error) << event;
        }
    }
    // A stream that ends without response.completed has not ended.
    auto reader = wire->reader();
    ins::net::sse_parser sse;
    EXPECT_FALSE(reader->ended(sse));
}

TEST(ProtocolResponsesReply, TheOnePassReadingMeansWhatTheTreeMeans)
{
    // The common reply (as OpenAI's reference shows it) varied in every member the reading takes
    // or must leave to the tree: whenever the one-pass reading answers, it answers what the tree
    // does.
    std::string const usage =
        R"("usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":4},"output_tokens":87,)"
        R"("output_tokens_details":{"reasoning_tokens":2},"total_tokens":123})";
    auto reply = [&](std::string const& output, std::string const& status = "completed",
                     std::string const& root_extra = "") {
        return R"({"id":"resp_1","object":"response","created_at":1741476542,"status":")" + status +
               R"(","error":null,"incomplete_details":null,"model":"gpt-4o","output":)" + output +
               "," + usage + root_extra + "}";
    };
    std::string const message =
        R"({"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"{\"name\":\"Ann\",\"age\":3}","annotations":[]}]})";
    std::string const call =
        R"({"type":"function_call","id":"fc_1","call_id":"call_1","name":"User","arguments":"{\"name\":\"Ann\",\"age\":3}","status":"completed"})";
    std::vector<std::string> bodies;
    for (std::string const& output : {
             "[" + message + "]",
             "[" + call + "]",
             "[" + call + "," + call + "]",
             "[" + message + "," + call + "]",
             "[" + message + "," + message + "]",
             std::string(R"([{"content":[{"text":"late ","type":"output_text"},{"type":"refusal","refusal":"no"}],"type":"message"}])"),
             std::string(R"([{"type":"message","content":[{"type":"refusal","refusal":"I cannot"}]}])"),
             std::string(R"([{"type":"message","content":[{"type":"output_text","text":"esc \"q\" \\ \n \u00e9 \ud83d\ude00"}]}])"),
             std::string(R"([{"type":"message","content":[7,null,[],{"type":"output_text","text":7},{"text":"untyped"},{"type":"other","text":"x"}]}])"),
             std::string(R"([{"type":"message","content":{"type":"output_text","text":"not a list"}}])"),
             std::string(R"([{"type":"message","content":[{"type":"output_text","text":"a","text":"b"}]}])"),
             std::string(R"([{"type":"message","type":"function_call","name":"User"}])"),
             std::string(R"([{"type":"function_call","name":"User"}])"),
             std::string(R"([{"type":"function_call","call_id":"","name":7,"arguments":""}])"),
             std::string(R"([{"type":"function_call","call_id":"c","name":"User","arguments":{"a":1}}])"),
             std::string(R"([{"typ\u0065":"function_call","call_\u0069d":"k","name":"User","arguments":"{}"}])"),
             std::string(R"([{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"think"}]},)") + message + "]",
             std::string(R"([7,"two",null,[],{"type":7}])"),
             std::string("[]"),
             std::string(R"({"type":"message"})"),
             std::string(R"("text")"),
             std::string("null"),
         }) {
        for (std::string const status : {"completed", "incomplete", "failed", "in_progress"})
            bodies.push_back(reply(output, status));
    }
    for (std::string const& root : {
             std::string(R"(,"incomplete_details":{"reason":"max_output_tokens"})"),
             std::string(R"(,"status":"incomplete")"),
             std::string(R"(,"output":[])"),
             std::string(R"(,"extra":[[[[{"output":1}]]]],"x":null)"),
         }) {
        // a repeated member (incomplete_details, status, output) or a deep unknown one
        bodies.push_back(reply("[" + message + "]", "completed", root));
    }
    for (std::string const& details : {
             std::string(R"({"reason":"max_output_tokens"})"),
             std::string(R"({"reason":"content_filter"})"),
             std::string(R"({"reason":""})"),
             std::string(R"({"reason":7})"),
             std::string(R"({"reason":"a","reason":"b"})"),
             std::string(R"([1])"),
         })
        bodies.push_back(R"({"status":"incomplete","incomplete_details":)" + details +
                         R"(,"output":[)" + message + "]}");
    for (std::string const& u : {
             std::string(R"({"input_tokens":5,"output_tokens":6})"),
             std::string(R"({"input_tokens":-5,"output_tokens":6.5,"total_tokens":"9"})"),
             std::string(R"({"input_tokens":18446744073709551615,"total_tokens":0})"),
             std::string(R"({"input_tokens_details":null,"output_tokens_details":[1]})"),
             std::string(R"({"input_tokens_details":{"cached_tokens":1,"cached_tokens":2}})"),
             std::string(R"({"input_\u0074okens":4,"output_tokens":1e2})"),
             std::string("null"),
         })
        bodies.push_back(R"({"status":"completed","output":[)" + message + R"(],"usage":)" + u + "}");
    for (int calls : {256, 257}) {  // the limit, and one past it
        std::string many = "[";
        for (int i = 0; i < calls; ++i)
            many += (i ? "," : "") + call;
        bodies.push_back(reply(many + "]"));
    }
    bodies.push_back(R"({"output":[)" + message + "]}");
    bodies.push_back(R"({"status":"completed"})");
    bodies.push_back(reply("[" + message + "]") + " trailing");
    bodies.push_back(R"({"status":"completed","output":[)");
    bodies.push_back("{\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"\xff\"}]}]}");
    bodies.push_back("[]");

    std::size_t answered = 0;
    for (auto const& body : bodies)
        for (auto m : {mode::responses_tools, mode::responses_structured_outputs,
                       mode::responses_parallel_tools}) {
            auto const fast = det::read_responses_reply(m, body);
            if (!fast)
                continue;
            ++answered;
            EXPECT_EQ(test::reply_reading(fast->used, fast->x),
                      test::responses_reply_tree_reading(m, body))
                << ins::to_string(m) << "\n" << body.substr(0, 400);
        }
    // The common replies are answered in every mode, and most of the others.
    EXPECT_TRUE(det::read_responses_reply(mode::responses_tools, reply("[" + call + "]")));
    EXPECT_TRUE(det::read_responses_reply(mode::responses_structured_outputs, reply("[" + message + "]")));
    EXPECT_GT(answered, bodies.size() * 3 / 2);
}

TEST(ProtocolResponsesStream, TheOnePassDeltaMeansWhatTheTreeMeans)
{
    // Delta events as OpenAI's reference shows them, varied in every member the reading takes
    // or leaves to the tree, under each SSE name: whenever the one-pass reading answers, it
    // reads what the stream reader reads of the event's tree.
    auto tree = [](std::string_view name, std::string const& data) -> std::string {
        boost::system::error_code ec;
        auto const v = json::parse(data, ec);
        if (ec || !v.is_object())
            return "not an object";
        auto type = det::json_access::string_at(v.get_object(), "type");
        if (type.empty())
            type = name;
        if (!det::is_responses_delta(type))
            return "not a delta";
        auto const d = det::responses_delta_of(type, v.get_object());
        return d.type + " " + std::to_string(d.output_index) + " [" + d.delta + "]";
    };
    std::size_t answered = 0;
    for (std::string const& data : {
             std::string(R"({"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"{\"name\""})"),
             std::string(R"({"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":1,"delta":"{\"a\": 1"})"),
             std::string(R"({"type":"response.refusal.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"I cannot"})"),
             std::string(R"({"delta":"esc \"q\" \\ \n \u00e9 \ud83d\ude00","output_index":2,"type":"response.output_text.delta"})"),
             std::string(R"({"type":"response.function_call_arguments.delta","output_index":-1,"delta":"x"})"),
             std::string(R"({"type":"response.function_call_arguments.delta","output_index":18446744073709551615,"delta":"x"})"),
             std::string(R"({"type":"response.function_call_arguments.delta","output_index":1.5,"delta":7})"),
             std::string(R"({"type":"response.function_call_arguments.delta","output_index":"3","delta":["x"]})"),
             std::string(R"({"type":"response.output_text.delta","delta":"a","delta":"b"})"),
             std::string(R"({"type":"response.output_text.delta","type":"response.refusal.delta","delta":"a"})"),
             std::string(R"({"type":7,"delta":"untyped"})"),
             std::string(R"({"delta":"named by the event","output_index":4})"),
             std::string(R"({"type":"response.completed","response":{"status":"completed","output":[]}})"),
             std::string(R"({"type":"response.output_item.added","output_index":0,"item":{"type":"function_call"}})"),
             std::string(R"({"type":"error","message":"boom"})"),
             std::string(R"({"type":"response.output_text.delta","extra":[[{"delta":1}]],"delta":"x","more":{}})"),
             std::string(R"({"type":"response.output_text.delta","delta":"x"} trailing)"),
             std::string(R"({"type":"response.output_text.delta","delta":"x")"),
             std::string(R"(["response.output_text.delta"])"),
             std::string("\"x\""),
         })
        for (auto const* name : {"response.output_text.delta", "", "response.function_call_arguments.delta",
                                 "response.completed"}) {
            auto const fast = det::read_responses_delta(name, data);
            if (!fast)
                continue;
            ++answered;
            EXPECT_EQ(fast->type + " " + std::to_string(fast->output_index) + " [" + fast->delta + "]",
                      tree(name, data))
                << name << " " << data;
        }
    EXPECT_GE(answered, 40u);
}

}  // namespace openai_responses_test
