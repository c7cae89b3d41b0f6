// request_bodies_dump: prints, as one JSON array, the chat completions request bodies we send
// (built by the protocol layer exactly as the client builds them) for every OpenAI-compatible
// mode, several response models, with and without the optional fields, streamed, multi-part
// user content, and re-ask histories. check_request_bodies.js validates each one against
// CreateChatCompletionRequest of OpenAI's official OpenAPI document.
//
// `request_bodies_dump --anthropic [<wire dir>]` prints the Messages API bodies instead (both
// Anthropic modes, several response models and Claude models, the same variants, re-ask
// histories from anthropic_reask, and, given the wire directory, re-asks that echo the recorded
// Anthropic responses 12 and 13); check_anthropic_bodies.js validates each one against
// CreateMessageParams of Anthropic's OpenAPI document.
//
// `request_bodies_dump --responses` prints the Responses API bodies (responses_tools and
// responses_structured_outputs, the same models and variants, and re-ask histories with
// function_call / function_call_output items); check_request_bodies.js --responses validates
// each one against CreateResponse of OpenAI's OpenAPI document.
//
// `request_bodies_dump --batches` prints the create calls of batches: OpenAI's
// CreateBatchRequest bodies (chat and Responses modes, with and without metadata) as
// {"name", "api": "openai", "body"}, and Anthropic's Message Batches bodies (every request's
// params as the Messages API wire writes them) as {"name", "api": "anthropic", "body"};
// check_batch_bodies.js validates them against CreateBatchRequest and
// BetaCreateMessageBatchParams.
//
// `request_bodies_dump --bedrock` prints the Converse bodies (bedrock_tools, bedrock_json and
// bedrock_parallel_tools, the same models and variants, thinking, and re-ask histories with
// toolResult blocks); the bedrock_sdk test serialises each one with the official AWS SDK's
// ConverseCommand and requires it unchanged (the SDK writes only what the model defines).
//
// `request_bodies_dump --genai` prints the generateContent bodies (genai_tools,
// genai_structured_outputs and genai_parallel_tools, the same models and variants, thinking,
// and re-ask histories with the model's parts and functionResponse parts); the genai_sdk test
// hands each to @google/genai and requires the body it sends to be ours (its converter writes
// only the fields the API defines).
//
// Every element is {"name": "<what it is>", "body": {...}}.
#include "models.hpp"

#include <instructor/client.hpp>
#include "protocol/batch_api.hpp"
#include "protocol/anthropic_messages/anthropic_messages.hpp"
#include "protocol/bedrock/bedrock.hpp"
#include "protocol/genai/genai.hpp"
#include "protocol/openai_chat/openai_chat.hpp"
#include "protocol/openai_responses/openai_responses.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace json = boost::json;
namespace det = ins::detail;

namespace {

struct model_case {
    char const* name;
    std::vector<det::tool_spec> tools;
    // A reply of the right shape for each kind of mode, used for the re-ask histories.
    char const* arguments;
};

constexpr ins::mode chat_modes[] = {
    ins::mode::tools,       ins::mode::tools_strict, ins::mode::parallel_tools,
    ins::mode::json,        ins::mode::json_schema,  ins::mode::md_json,
    ins::mode::structured_outputs,
};

struct variant_case {
    char const* name;
    bool system;
    bool options;  // temperature + max_tokens
    bool stream;
    bool multi_part;
    bool media;  // images, audio and PDFs from bytes, files ids and URLs, as each API takes them
};

constexpr variant_case variants[] = {
    {"plain", false, false, false, false, false},
    {"system+options", true, true, false, false, false},
    {"stream", false, false, true, false, false},
    {"multi-part", true, false, false, true, false},
    {"media", true, false, false, false, true},
};

enum class api { chat, responses, anthropic, bedrock, genai };

// Tiny but real files: the wires send the bytes as they are, base64.
std::string const png_bytes = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
std::string const wav_bytes = std::string("RIFF$\0\0\0WAVEfmt ", 16);
std::string const mp3_bytes = "ID3\x04\0\0\0\0\0\0";
std::string const pdf_bytes = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

std::vector<ins::content_part> media_parts(api a)
{
    if (a == api::genai)  // bytes inline, a URL as file data
        return {ins::content_part::from_text("Extract the invoice from these."),
                ins::content_part::image(png_bytes), ins::content_part::audio(wav_bytes),
                ins::content_part::pdf(pdf_bytes, "invoice.pdf"),
                ins::content_part::pdf_url("https://example.com/invoice.pdf")};
    if (a == api::bedrock)  // bytes only: Converse reads no web URLs, no OpenAI files
        return {ins::content_part::from_text("Extract the invoice from these."),
                ins::content_part::image(png_bytes), ins::content_part::pdf(pdf_bytes, "invoice.pdf")};
    std::vector<ins::content_part> parts{
        ins::content_part::from_text("Extract the invoice from these."),
        ins::content_part::image(png_bytes, {}, "low"),
        ins::content_part::image_url("https://example.com/scan.jpg"),
        ins::content_part::pdf(pdf_bytes, "invoice.pdf"),
    };
    if (a == api::chat) {
        parts.push_back(ins::content_part::audio(wav_bytes));
        parts.push_back(ins::content_part::audio(mp3_bytes));
    }
    if (a != api::anthropic)
        parts.push_back(ins::content_part::pdf_file_id("file-6F2ksmvXxt4VdoqmHRw6kL"));
    if (a != api::chat)
        parts.push_back(ins::content_part::pdf_url("https://example.com/invoice.pdf"));
    return parts;
}

ins::request make_request(variant_case const& v, api a = api::chat)
{
    ins::request req;
    req.model = "gpt-4o-mini";
    if (v.system)
        req.messages.push_back(ins::message::system("You extract structured data."));
    if (v.multi_part && a == api::bedrock)  // Converse reads no web URLs
        req.messages.push_back(ins::message::user(
            {ins::content_part::from_text("Who is on this badge? John Doe, 32."),
             ins::content_part::image_url("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE=")}));
    else if (v.multi_part)
        req.messages.push_back(ins::message::user(
            {ins::content_part::from_text("Who is on this badge? John Doe, 32."),
             ins::content_part::image_url("https://example.com/badge.png", "high"),
             ins::content_part::image_url("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE=")}));
    else if (v.media)
        req.messages.push_back(ins::message::user(media_parts(a)));
    else
        req.messages.push_back(ins::message::user("John Doe is 32 years old and lives in Paris."));
    if (v.options) {
        req.temperature = 0.2;
        req.max_tokens = 512;
    }
    return req;
}

// A completion as a provider would answer in mode m, for the re-ask history.
json::value fake_response(ins::mode m, model_case const& mc)
{
    json::object message{{"role", "assistant"}};
    if (ins::is_tools_mode(m)) {
        json::array calls;
        for (std::size_t i = 0; i < mc.tools.size(); ++i)
            calls.push_back(json::object{
                {"id", "call_" + std::to_string(i)},
                {"type", "function"},
                {"function", {{"name", mc.tools[i].name}, {"arguments", mc.arguments}}}});
        message["content"] = nullptr;
        message["tool_calls"] = std::move(calls);
    }
    else if (m == ins::mode::md_json) {
        message["content"] = std::string("```json\n") + mc.arguments + "\n```";
    }
    else {
        message["content"] = mc.arguments;
    }
    return json::object{
        {"id", "chatcmpl-1"},
        {"object", "chat.completion"},
        {"choices", json::array{json::object{{"index", 0}, {"finish_reason", "stop"},
                                             {"message", std::move(message)}}}}};
}


// ---- Anthropic Messages API ------------------------------------------------------------------

constexpr ins::mode anthropic_modes[] = {ins::mode::anthropic_tools, ins::mode::anthropic_json,
                                         ins::mode::anthropic_structured_outputs};

constexpr char const* claude_models[] = {"claude-sonnet-4-5", "claude-3-5-haiku-latest",
                                         "claude-opus-4-1-20250805", "claude-3-5-sonnet-20241022"};

// A Messages API reply of the right shape for mode m, for the re-ask history.
json::value fake_message(ins::mode m, model_case const& mc)
{
    json::array content;
    if (m == ins::mode::anthropic_tools) {
        content.push_back(json::object{{"type", "text"}, {"text", "I'll extract that."}});
        content.push_back(json::object{{"type", "tool_use"},
                                       {"id", "toolu_01A09q90qw90lq917835lq9"},
                                       {"name", mc.tools.front().name},
                                       {"input", json::parse(mc.arguments)}});
    }
    else {
        content.push_back(json::object{{"type", "text"}, {"text", mc.arguments}});
    }
    return json::object{{"id", "msg_01"},       {"type", "message"},
                        {"role", "assistant"},  {"model", "claude-sonnet-4-5"},
                        {"content", content},   {"stop_reason", m == ins::mode::anthropic_tools
                                                                    ? "tool_use"
                                                                    : "end_turn"},
                        {"usage", {{"input_tokens", 10}, {"output_tokens", 5}}}};
}

std::string read_recorded(char const* wire_dir, std::string const& prefix)
{
    for (auto const& e : std::filesystem::directory_iterator(wire_dir)) {
        auto const name = e.path().filename().string();
        if (name.starts_with(prefix + "_") && name.ends_with(".json") &&
            !name.ends_with(".meta.json")) {
            std::ifstream in(e.path(), std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            return ss.str();
        }
    }
    throw std::runtime_error("no recording " + prefix + "_*.json in " + wire_dir);
}

int anthropic_main(std::vector<model_case> const& cases, char const* wire_dir)
{
    json::array out;
    auto add = [&out](std::string name, json::object body) {
        out.push_back(json::object{{"name", std::move(name)}, {"body", std::move(body)}});
    };
    // The history after one failed attempt: the first prompt, the reply and the re-ask.
    auto reask_prompt = [](ins::mode m, det::conversation prompt, json::value const& response,
                           std::string const& fallback_issues) {
        auto const got = det::extract_messages(m, response);
        std::string const issues = got.problem ? *got.problem : fallback_issues;
        for (auto const& msg : det::anthropic_reask(m, got, issues))
            prompt.messages.push_back(msg);
        return prompt;
    };
    std::string const issues = "age: Input should be a valid integer\nname: Field required";

    std::size_t n = 0;
    for (auto const& mc : cases) {
        if (mc.tools.size() > 1)
            continue;  // the Messages API modes force one tool
        for (auto m : anthropic_modes) {
            ++n;  // each (model, mode) starts the Claude models one further on
            for (std::size_t vi = 0; vi < std::size(variants); ++vi) {
                auto const& v = variants[vi];
                auto req = make_request(v, api::anthropic);
                req.model = claude_models[(n + vi) % std::size(claude_models)];
                auto const prompt = det::anthropic_initial(m, req, mc.tools.front());
                std::string const base = std::string(mc.name) + " " + std::string(ins::to_string(m)) +
                                         " " + v.name + " " + req.model;
                add(base, det::build_messages_body(m, req, req.model, prompt, mc.tools, v.stream));
                add(base + " reask",
                    det::build_messages_body(m, req, req.model,
                                             reask_prompt(m, prompt, fake_message(m, mc), issues),
                                             mc.tools, v.stream));
            }
        }
    }

    // anthropic_parallel_tools: every alternative offered, tool_choice any; the re-ask answers
    // every tool_use block.
    for (auto const& mc : cases) {
        if (mc.tools.size() < 2)
            continue;
        auto const m = ins::mode::anthropic_parallel_tools;
        for (auto const& v : variants) {
            auto req = make_request(v, api::anthropic);
            req.model = "claude-sonnet-4-5";
            auto const prompt = det::anthropic_initial(m, req, mc.tools.front());
            std::string const base = std::string(mc.name) + " anthropic_parallel_tools " + v.name;
            add(base, det::build_messages_body(m, req, req.model, prompt, mc.tools, v.stream));
            json::array content;
            for (std::size_t i = 0; i < mc.tools.size(); ++i)
                content.push_back(json::object{{"type", "tool_use"},
                                               {"id", "toolu_0" + std::to_string(i)},
                                               {"name", mc.tools[i].name},
                                               {"input", json::parse(mc.arguments)}});
            json::value const response = json::object{
                {"type", "message"}, {"role", "assistant"}, {"content", content},
                {"stop_reason", "tool_use"}};
            add(base + " reask", det::build_messages_body(m, req, req.model,
                                                          reask_prompt(m, prompt, response, issues),
                                                          mc.tools, v.stream));
        }
    }

    auto const& user_info = cases.front();
    auto const plain = make_request(variants[0]);

    // anthropic_tools, a reply without a tool_use: the re-ask is a plain user turn.
    {
        auto req = plain;
        req.model = "claude-sonnet-4-5";
        auto const m = ins::mode::anthropic_tools;
        auto const prompt = det::anthropic_initial(m, req, user_info.tools.front());
        json::value const response = json::parse(
            R"({"type":"message","role":"assistant","content":[{"type":"text","text":"John Doe, 32."}],)"
            R"("stop_reason":"end_turn"})");
        add("UserInfo anthropic_tools reask-without-tool-use",
            det::build_messages_body(m, req, req.model, reask_prompt(m, prompt, response, issues),
                                     user_info.tools, false));
    }

    // Two failed attempts: the second re-ask is appended after the first.
    for (auto m : anthropic_modes) {
        auto req = make_request(variants[1]);
        req.model = "claude-sonnet-4-5";
        auto prompt = det::anthropic_initial(m, req, user_info.tools.front());
        prompt = reask_prompt(m, prompt, fake_message(m, user_info), issues);
        prompt = reask_prompt(m, prompt, fake_message(m, user_info), "age: Field required");
        add("UserInfo " + std::string(ins::to_string(m)) + " second-reask",
            det::build_messages_body(m, req, req.model, prompt, user_info.tools, false));
    }

    // Several system messages, joined into the one top-level string.
    for (auto m : anthropic_modes) {
        ins::request req;
        req.model = "claude-3-5-haiku-latest";
        req.messages = {ins::message::system("You extract structured data."),
                        ins::message::user("John Doe is 32."), ins::message::assistant("Noted."),
                        ins::message::system("Answer in English."),
                        ins::message::user("Extract him.")};
        add("UserInfo " + std::string(ins::to_string(m)) + " several-system-messages",
            det::build_messages_body(m, req, req.model,
                                     det::anthropic_initial(m, req, user_info.tools.front()),
                                     user_info.tools, false));
    }

    // extra_body, merged last: Messages API parameters a caller may add.
    {
        auto req = make_request(variants[1]);
        req.model = "claude-sonnet-4-5";
        req.extra_body = json::object{{"top_k", 40},
                                      {"top_p", 0.9},
                                      {"stop_sequences", json::array{"</json>"}},
                                      {"metadata", {{"user_id", "user-1234"}}}};
        auto const m = ins::mode::anthropic_tools;
        add("UserInfo anthropic_tools extra_body",
            det::build_messages_body(m, req, req.model,
                                     det::anthropic_initial(m, req, user_info.tools.front()),
                                     user_info.tools, false));
    }

    // Re-asks that echo real recorded replies: 13 (tool_use, anthropic_tools), 12 (text JSON,
    // anthropic_json).
    if (wire_dir) {
        struct recorded {
            char const* id;
            ins::mode mode;
        };
        for (auto const& r : {recorded{"13", ins::mode::anthropic_tools},
                              recorded{"12", ins::mode::anthropic_json},
                              recorded{"12", ins::mode::anthropic_tools}}) {
            auto req = plain;
            req.model = "claude-sonnet-4-5";
            auto const prompt = det::anthropic_initial(r.mode, req, user_info.tools.front());
            auto const response = json::parse(read_recorded(wire_dir, r.id));
            add("UserInfo " + std::string(ins::to_string(r.mode)) + " reask-of-recording-" + r.id,
                det::build_messages_body(r.mode, req, req.model,
                                         reask_prompt(r.mode, prompt, response, issues),
                                         user_info.tools, false));
        }
    }

    std::cout << json::serialize(out) << "\n";
    return 0;
}

}  // namespace

// ---- OpenAI Responses API ------------------------------------------------------------------

int responses_main(std::vector<model_case> const& cases)
{
    json::array out;
    auto add = [&out](std::string name, json::object body) {
        out.push_back(json::object{{"name", std::move(name)}, {"body", std::move(body)}});
    };
    for (auto const& mc : cases) {
        // One function per call; Household has a map, which the strict schema cannot express.
        if (mc.tools.size() > 1 || std::string_view(mc.name) == "Household")
            continue;
        for (auto m : {ins::mode::responses_tools, ins::mode::responses_structured_outputs}) {
            for (auto const& v : variants) {
                auto const req = make_request(v, api::responses);
                auto const input = det::responses_input(req);
                std::string const base =
                    std::string(mc.name) + " " + std::string(ins::to_string(m)) + " " + v.name;
                add(base, det::build_responses_body(m, req, req.model, input, mc.tools, v.stream));

                json::array output;
                if (m == ins::mode::responses_tools)
                    output.push_back(json::object{{"type", "function_call"},
                                                  {"id", "fc_1"},
                                                  {"call_id", "call_1"},
                                                  {"name", mc.tools.front().name},
                                                  {"arguments", mc.arguments}});
                else
                    output.push_back(json::object{
                        {"type", "message"},
                        {"role", "assistant"},
                        {"content", json::array{json::object{{"type", "output_text"},
                                                             {"text", mc.arguments}}}}});
                json::value const response =
                    json::object{{"object", "response"}, {"status", "completed"}, {"output", output}};
                auto const got = det::extract_responses(m, response);
                json::array history = input;
                for (auto const& item :
                     det::responses_reask(m, got, "age: Input should be a valid integer"))
                    history.push_back(item);
                add(base + " reask",
                    det::build_responses_body(m, req, req.model, history, mc.tools, v.stream));
            }
        }
    }
    // responses_parallel_tools: every alternative offered, tool_choice required; the re-ask
    // answers every function_call.
    for (auto const& mc : cases) {
        if (mc.tools.size() < 2)
            continue;
        auto const m = ins::mode::responses_parallel_tools;
        for (auto const& v : variants) {
            auto const req = make_request(v, api::responses);
            auto const input = det::responses_input(req);
            std::string const base = std::string(mc.name) + " responses_parallel_tools " + v.name;
            add(base, det::build_responses_body(m, req, req.model, input, mc.tools, v.stream));
            json::array output;
            for (std::size_t i = 0; i < mc.tools.size(); ++i)
                output.push_back(json::object{{"type", "function_call"},
                                              {"id", "fc_" + std::to_string(i)},
                                              {"call_id", "call_" + std::to_string(i)},
                                              {"name", mc.tools[i].name},
                                              {"arguments", mc.arguments}});
            json::value const response =
                json::object{{"object", "response"}, {"status", "completed"}, {"output", output}};
            auto const got = det::extract_responses(m, response);
            json::array history = input;
            for (auto const& item : det::responses_reask(m, got, "name: Field required"))
                history.push_back(item);
            add(base + " reask",
                det::build_responses_body(m, req, req.model, history, mc.tools, v.stream));
        }
    }
    // A responses_tools reply that called no function: assistant text, then the feedback.
    {
        auto const& mc = cases.front();
        auto const req = make_request(variants[0]);
        json::value const response = json::parse(
            R"({"object":"response","status":"completed","output":[{"type":"message",)"
            R"("role":"assistant","content":[{"type":"output_text","text":"John, 32."}]}]})");
        auto const got = det::extract_responses(ins::mode::responses_tools, response);
        auto history = det::responses_input(req);
        for (auto const& item : det::responses_reask(ins::mode::responses_tools, got, *got.problem))
            history.push_back(item);
        add("UserInfo responses_tools reask-without-function-call",
            det::build_responses_body(ins::mode::responses_tools, req, req.model, history, mc.tools,
                                      false));
    }
    std::cout << json::serialize(out) << "\n";
    return 0;
}

// ---- Gemini generateContent --------------------------------------------------------------------

int genai_main(std::vector<model_case> const& cases)
{
    json::array out;
    auto add = [&out](std::string name, json::object body) {
        out.push_back(json::object{{"name", std::move(name)}, {"body", std::move(body)}});
    };
    for (auto const& mc : cases) {
        for (auto m : {ins::mode::genai_tools, ins::mode::genai_structured_outputs,
                       ins::mode::genai_parallel_tools}) {
            if ((mc.tools.size() > 1) != (m == ins::mode::genai_parallel_tools))
                continue;
            // Function declarations take no recursive model (TreeNode) and no map (Household).
            auto const name = std::string_view(mc.name);
            if (ins::is_tools_mode(m) && (name == "TreeNode" || name == "Household"))
                continue;
            for (bool thinking : {false, true}) {
                for (auto const& v : variants) {
                    auto req = make_request(v, api::genai);
                    if (thinking) {
                        ins::reasoning r;
                        r.budget_tokens = 1024;
                        req.reasoning = r;
                    }
                    auto const wire = det::make_wire(m, {});
                    auto conv = wire->initial(req, mc.tools.front());
                    std::string const base = std::string(mc.name) + " " +
                                             std::string(ins::to_string(m)) + " " + v.name +
                                             (thinking ? " thinking" : "");
                    add(base, det::build_genai_body(m, req, conv, mc.tools));
                    // The second attempt: the model's parts (a thought, signed calls) re-asked.
                    json::array parts;
                    if (thinking)
                        parts.push_back(json::object{{"text", "Reading."}, {"thought", true}});
                    if (ins::is_tools_mode(m))
                        for (auto const& t : mc.tools)
                            parts.push_back(json::object{
                                {"functionCall", {{"name", t.name}, {"args", json::parse(mc.arguments)}}},
                                {"thoughtSignature", "c2ln"}});
                    else
                        parts.push_back(json::object{{"text", mc.arguments}});
                    json::value const reply = json::object{
                        {"candidates", {json::object{{"content", {{"role", "model"}, {"parts", parts}}},
                                                     {"finishReason", "STOP"}}}}};
                    wire->reask(conv, wire->extract(reply), "age: Input should be a valid integer");
                    add(base + " reask", det::build_genai_body(m, req, conv, mc.tools));
                }
            }
        }
    }
    std::cout << json::serialize(out) << "\n";
    return 0;
}

// ---- Amazon Bedrock Converse API ---------------------------------------------------------------

int bedrock_main(std::vector<model_case> const& cases)
{
    json::array out;
    auto add = [&out](std::string name, json::object body) {
        out.push_back(json::object{{"name", std::move(name)}, {"body", std::move(body)}});
    };
    for (auto const& mc : cases) {
        for (auto m : {ins::mode::bedrock_tools, ins::mode::bedrock_json,
                       ins::mode::bedrock_parallel_tools}) {
            if ((mc.tools.size() > 1) != (m == ins::mode::bedrock_parallel_tools))
                continue;
            for (bool thinking : {false, true}) {
                for (auto const& v : variants) {
                    auto req = make_request(v, api::bedrock);
                    if (thinking) {
                        ins::reasoning r;
                        r.budget_tokens = 1024;
                        req.reasoning = r;
                    }
                    auto conv = det::bedrock_initial(m, req, mc.tools.front());
                    std::string const base = std::string(mc.name) + " " +
                                             std::string(ins::to_string(m)) + " " + v.name +
                                             (thinking ? " thinking" : "");
                    add(base, det::build_bedrock_body(m, req, conv, mc.tools));
                    // The second attempt: a reply (reasoning, text, every tool used) re-asked.
                    json::array content;
                    if (thinking)
                        content.push_back(json::object{
                            {"reasoningContent",
                             {{"reasoningText", {{"text", "Reading."}, {"signature", "c2ln"}}}}}});
                    if (ins::is_tools_mode(m))
                        for (std::size_t i = 0; i < mc.tools.size(); ++i)
                            content.push_back(json::object{
                                {"toolUse", {{"toolUseId", "tooluse_" + std::to_string(i)},
                                             {"name", mc.tools[i].name},
                                             {"input", json::parse(mc.arguments)}}}});
                    else
                        content.push_back(json::object{{"text", mc.arguments}});
                    json::value const reply = json::object{
                        {"output", {{"message", {{"role", "assistant"}, {"content", content}}}}},
                        {"stopReason", ins::is_tools_mode(m) ? "tool_use" : "end_turn"}};
                    auto const got = det::extract_bedrock(m, reply);
                    det::make_wire(m, {})->reask(conv, got, "age: Input should be a valid integer");
                    add(base + " reask", det::build_bedrock_body(m, req, conv, mc.tools));
                }
            }
        }
    }
    std::cout << json::serialize(out) << "\n";
    return 0;
}

/// A request's body: the file it is streamed from (batches spool theirs), or its string.
std::string body_text(ins::net::http_request const& r)
{
    if (r.body_file.empty())
        return r.body;
    std::ifstream in(r.body_file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int batches_main(std::vector<model_case> const& cases)
{
    json::array out;
    constexpr ins::mode modes[] = {
        ins::mode::tools,           ins::mode::json_schema,          ins::mode::structured_outputs,
        ins::mode::md_json,         ins::mode::responses_tools,      ins::mode::responses_structured_outputs,
        ins::mode::anthropic_tools, ins::mode::anthropic_json,
    };
    for (auto m : modes) {
        for (bool metadata : {false, true}) {
            ins::client_options o;
            o.base_url = "https://api.example.com/v1";
            o.api_key = "sk-dump";
            o.mode = m;
            auto wire = det::make_wire(m, o);
            auto api = det::make_batch_api(m, o, {});
            std::size_t n = 0;
            for (auto const& mc : cases) {
                if (mc.tools.size() > 1)
                    continue;  // parallel tools are not a batch mode here
                ins::request req;
                req.messages.push_back(ins::message::system("Extract the record."));
                req.messages.push_back(ins::message::user("John Doe is 32."));
                if (metadata)
                    req.max_tokens = 512;
                auto conv = wire->initial(req, mc.tools.front());
                auto const model = ins::is_anthropic_mode(m) ? "claude-3-5-haiku-latest" : "gpt-4o-mini";
                api->add("case-" + std::to_string(n++), wire->body(req, model, conv, mc.tools, false));
            }
            ins::batch_options bo;
            if (metadata) {
                bo.metadata["job"] = "nightly";
                bo.metadata["owner"] = "conformance";
            }
            auto r = api->create({o.base_url, o.api_key, {}}, bo);
            std::string name = std::string(ins::to_string(m)) + (metadata ? " + metadata" : "");
            if (ins::is_anthropic_mode(m)) {
                out.push_back(json::object{{"name", name}, {"api", "anthropic"}, {"body", json::parse(body_text(r))}});
                continue;
            }
            auto create = api->after({o.base_url, o.api_key, {}}, json::parse(R"({"id":"file-abc123","object":"file"})"), bo);
            out.push_back(json::object{{"name", name}, {"api", "openai"}, {"body", json::parse(body_text(*create))}});
        }
    }
    std::cout << json::serialize(out) << "\n";
    return 0;
}

int main(int argc, char** argv)
{
    std::vector<model_case> const cases = {
        {"UserInfo", {det::tool_spec_for<models::UserInfo>()}, R"({"name":"John Doe","age":"32"})"},
        {"Person", {det::tool_spec_for<models::Person>()},
         R"({"name":"John Doe","age":32,"addresses":[{"street":"1 Rue"}]})"},
        {"Ticket", {det::tool_spec_for<models::Ticket>()},
         R"({"title":"ab","priority":"urgent","tags":[]})"},
        {"TreeNode", {det::tool_spec_for<models::TreeNode>()},
         R"({"label":"root","children":[{"label":1}]})"},
        // Household's pets are a variant of Cat and Dog: parallel tools offers one function each.
        {"Household/Cat+Dog", {det::tool_spec_for<models::Cat>(), det::tool_spec_for<models::Dog>()},
         R"({"name":"Tom"})"},
        {"Household", {det::tool_spec_for<models::Household>()}, R"({"pets":[{"name":"Tom"}]})"},
    };

    if (argc > 1 && std::string_view(argv[1]) == "--anthropic")
        return anthropic_main(cases, argc > 2 ? argv[2] : nullptr);
    if (argc > 1 && std::string_view(argv[1]) == "--responses")
        return responses_main(cases);
    if (argc > 1 && std::string_view(argv[1]) == "--batches")
        return batches_main(cases);
    if (argc > 1 && std::string_view(argv[1]) == "--bedrock")
        return bedrock_main(cases);
    if (argc > 1 && std::string_view(argv[1]) == "--genai")
        return genai_main(cases);

    json::array out;
    auto add = [&out](std::string name, json::object body) {
        out.push_back(json::object{{"name", std::move(name)}, {"body", std::move(body)}});
    };

    for (auto const& mc : cases) {
        for (auto m : chat_modes) {
            // Only parallel_tools offers several functions; Household itself has a map, which
            // strict mode cannot express, so it is not asked for in the strict modes.
            if (mc.tools.size() > 1 && m != ins::mode::parallel_tools)
                continue;
            bool const strict = m == ins::mode::tools_strict || m == ins::mode::structured_outputs;
            if (strict && std::string_view(mc.name) == "Household")
                continue;

            for (auto const& v : variants) {
                auto const req = make_request(v);
                auto const messages = det::initial_messages(m, req, mc.tools.front());
                std::string const base =
                    std::string(mc.name) + " " + std::string(ins::to_string(m)) + " " + v.name;
                add(base, det::build_chat_body(m, req, req.model, messages, mc.tools, false, v.stream));
                if (m == ins::mode::json_schema)
                    add(base + " legacy",
                        det::build_chat_body(m, req, req.model, messages, mc.tools, true, v.stream));

                // The second attempt: the first reply and the re-ask messages appended.
                auto const response = fake_response(m, mc);
                auto const got = det::extract_chat(m, response);
                std::string const issues = got.problem ? *got.problem
                                                       : "age: Input should be a valid integer\n"
                                                         "name: Field required";
                json::array history = messages;
                for (auto const& msg : det::reask_messages(m, got, issues))
                    history.push_back(msg);
                add(base + " reask",
                    det::build_chat_body(m, req, req.model, history, mc.tools, false, v.stream));
            }
        }
    }

    // A tools-mode reply that called no function: the re-ask is an assistant + user message.
    {
        auto const& mc = cases.front();
        auto const req = make_request(variants[0]);
        auto const messages = det::initial_messages(ins::mode::tools, req, mc.tools.front());
        json::value const response = json::parse(
            R"({"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant",)"
            R"("content":"John Doe, 32.","tool_calls":[]}}]})");
        auto const got = det::extract_chat(ins::mode::tools, response);
        json::array history = messages;
        for (auto const& msg : det::reask_messages(ins::mode::tools, got, *got.problem))
            history.push_back(msg);
        add("UserInfo tools reask-without-tool-call",
            det::build_chat_body(ins::mode::tools, req, req.model, history, mc.tools, false, false));
    }

    // extra_body, merged last: OpenAI parameters a caller may add.
    {
        auto req = make_request(variants[1]);
        req.extra_body = json::object{{"seed", 7}, {"top_p", 0.9}, {"parallel_tool_calls", false},
                                      {"user", "user-1234"}};
        auto const spec = det::tool_spec_for<models::UserInfo>();
        auto const messages = det::initial_messages(ins::mode::tools, req, spec);
        add("UserInfo tools extra_body",
            det::build_chat_body(ins::mode::tools, req, req.model, messages, {&spec, 1}, false, false));
    }

    std::cout << json::serialize(out) << "\n";
    return 0;
}
