// libFuzzer: any bytes as a provider's response, stream event or free text, through every wire,
// and as a batch's result file, result line, batch or page through both batch services: the
// protocol layer answers or throws ins::error, and never crashes. A chat chunk's one-pass
// reading must mean what its tree reading means, read alone or after another chunk; so must a
// whole reply's, through every wire that reads one in one pass.
#include "chunk_reading.hpp"
#include "protocol/batch_api.hpp"
#include "batch/jsonl_lines.hpp"
#include "protocol/json_in_text.hpp"
#include "protocol/wire.hpp"
#include "protocol/bedrock/bedrock.hpp"
#include "protocol/json_access.hpp"
#include "protocol/openai_responses/openai_responses.hpp"

#include <instructor/error.hpp>

#include <boost/json/parse.hpp>

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    namespace det = instructor::detail;
    using instructor::mode;
    std::string_view text(reinterpret_cast<char const*>(data), size);
    (void)det::find_json_block(text);
    (void)det::json_answer_in(text);
    det::json_text_follower f;
    for (std::size_t i = 0; i < text.size(); i += 3)
        (void)f.feed(text.substr(i, 3));
    if (test::chunk_reading(&det::parse_chat_chunk, text) !=
        test::chunk_reading(&det::parse_chat_chunk_tree, text))
        __builtin_trap();
    // Two chunks read in turn (the bytes cut at their first newline): the second must mean what
    // it means alone, however much of the first it shares.
    if (auto const cut = text.find('\n'); cut != std::string_view::npos) {
        static det::chat_chunks* chunks = nullptr;
        det::chat_chunks in_turn;
        chunks = &in_turn;
        auto read = [](std::string_view d) { return det::chunk_delta(chunks->read(d)); };
        (void)test::chunk_reading(+read, text.substr(0, cut));
        if (test::chunk_reading(+read, text.substr(cut + 1)) !=
            test::chunk_reading(&det::parse_chat_chunk_tree, text.substr(cut + 1)))
            __builtin_trap();
    }

    boost::system::error_code ec0;
    // A whole reply's one-pass reading (chat, Messages, Responses, Converse), where it answers,
    // means what its tree means.
    for (auto m : {mode::tools, mode::parallel_tools, mode::json, mode::md_json})
        if (auto const fast = det::read_chat_reply(m, text))
            if (test::reply_reading(fast->used, fast->x) != test::chat_reply_tree_reading(m, text))
                __builtin_trap();
    for (auto m : {mode::anthropic_tools, mode::anthropic_json, mode::anthropic_parallel_tools,
                   mode::anthropic_structured_outputs})
        if (auto const fast = det::read_messages_reply(m, text))
            if (test::reply_reading(fast->used, fast->x) != test::messages_reply_tree_reading(m, text))
                __builtin_trap();
    for (auto m : {mode::responses_tools, mode::responses_structured_outputs,
                   mode::responses_parallel_tools})
        if (auto const fast = det::read_responses_reply(m, text))
            if (test::reply_reading(fast->used, fast->x) != test::responses_reply_tree_reading(m, text))
                __builtin_trap();
    // ... and a Messages stream's delta event.
    for (auto name : {"content_block_delta", ""})
        if (auto const fast = det::read_messages_delta(name, text)) {
            auto const tree = [&](std::string_view d) {
                bool stopped = false;
                return det::parse_messages_event_tree(name, d, stopped);
            };
            if (test::chunk_reading([&](std::string_view) { return *fast; }, text) !=
                test::chunk_reading(tree, text))
                __builtin_trap();
        }
    // ... and a Responses stream's delta event, as the stream reader reads its tree.
    for (auto name : {"response.output_text.delta", ""})
        if (auto const fast = det::read_responses_delta(name, text)) {
            auto const v = boost::json::parse(text, ec0);
            auto const* o = !ec0 ? v.if_object() : nullptr;
            if (!o)
                __builtin_trap();
            auto type = det::json_access::string_at(*o, "type");
            auto const d = det::responses_delta_of(type.empty() ? std::string(name) : type, *o);
            if (d.type != fast->type || d.output_index != fast->output_index || d.delta != fast->delta)
                __builtin_trap();
        }
    // ... and a Converse stream's delta payload.
    if (auto const fast = det::read_bedrock_delta(text)) {
        auto const v = boost::json::parse(text, ec0);
        auto const* o = !ec0 ? v.if_object() : nullptr;
        auto const tree = o ? det::bedrock_delta_of(*o) : std::nullopt;
        if (!tree || tree->block != fast->block || tree->tool_input != fast->tool_input ||
            tree->text != fast->text)
            __builtin_trap();
    }
    for (auto m : {mode::bedrock_tools, mode::bedrock_json, mode::bedrock_parallel_tools})
        if (auto const fast = det::read_bedrock_reply(m, text))
            if (test::reply_reading(fast->used, fast->x) != test::bedrock_reply_tree_reading(m, text))
                __builtin_trap();
    // ... and a Gemini reply's, with what a re-ask and a continuation send back of it (the
    // one-pass reading keeps no parts: they must rebuild to the tree's kept ones).
    for (auto m : {mode::genai_tools, mode::genai_structured_outputs, mode::genai_parallel_tools})
        if (auto const fast = det::read_genai_reply(m, text))
            if (test::genai_reading(m, fast->used, fast->x) !=
                test::genai_reply_tree_reading(m, text))
                __builtin_trap();
    // ... and a Gemini stream event's, alone and after a thought and a text piece, read in one
    // pass where it can be or through its tree.
    for (auto m : {mode::genai_tools, mode::genai_structured_outputs})
        for (std::vector<std::string> const& events :
             {std::vector<std::string>{std::string(text)},
              std::vector<std::string>{
                  R"({"candidates":[{"content":{"parts":[{"text":"t","thought":true},{"text":"a"}]}}]})",
                  std::string(text), std::string(text)}})
            if (test::genai_stream_reading(m, true, events) !=
                test::genai_stream_reading(m, false, events))
                __builtin_trap();

    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    instructor::client_options const options;
    det::piece_sink const sink = [](std::size_t, std::string_view, std::string_view) {};
    for (auto m : {mode::tools, mode::parallel_tools, mode::json, mode::md_json,
                   mode::anthropic_tools, mode::anthropic_json, mode::responses_tools,
                   mode::responses_structured_outputs, mode::anthropic_parallel_tools,
                   mode::responses_parallel_tools, mode::genai_tools,
                   mode::genai_structured_outputs, mode::genai_parallel_tools,
                   mode::bedrock_tools, mode::bedrock_json, mode::bedrock_parallel_tools}) {
        auto const wire = det::make_wire(m, options);
        // The bytes as one stream event, under each event name the wires know.
        for (auto name : {"", "content_block_delta", "response.output_item.added",
                          "response.function_call_arguments.delta", "response.completed",
                          "contentBlockStart", "contentBlockDelta", "metadata",
                          "exception:throttlingException"}) {
            try {
                auto reader = wire->reader();
                reader->on_event({name, std::string(text), {}}, sink);
                reader->on_event({name, std::string(text), {}}, sink);
                (void)reader->usage();
                (void)reader->response();
                (void)reader->finish(sink);
            }
            catch (instructor::error const&) {
            }
        }
        if (ec)
            continue;
        try {
            auto x = wire->extract(v);
            det::conversation conv;
            wire->reask(conv, x, "e");
            (void)wire->usage_of(v);
        }
        catch (instructor::error const&) {
        }
    }
    // A results file cut into 3-byte reads, its lines through both batch services.
    for (auto m : {mode::tools, mode::anthropic_tools}) {
        auto const api = det::make_batch_api(m, options, {options.api_key});
        try {
            det::jsonl_lines lines(256);
            auto take = [&] {
                while (auto line = lines.next())
                    try {
                        (void)api->parse_result(*line);
                    }
                    catch (instructor::error const&) {
                    }
            };
            for (std::size_t i = 0; i < text.size(); i += 3) {
                lines.feed(text.substr(i, 3));
                take();
            }
            lines.finish();
            take();
        }
        catch (instructor::error const&) {  // a line past its bound
        }
        if (ec)
            continue;
        for (int what = 0; what < 2; ++what)
            try {
                if (what == 0)
                    (void)api->parse_batch(v);
                else
                    (void)api->parse_page(v);
            }
            catch (instructor::error const&) {
            }
    }
    return 0;
}
