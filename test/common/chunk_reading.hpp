// A chat stream chunk's reading, a whole chat, Messages, Responses, Converse or Gemini reply's
// and a Gemini stream's, in words (the delta, or usage and extraction, or the error), so that
// the one-pass and the tree readings can be compared: by the wire tests and by the protocol fuzz
// target.
#pragma once

#include "protocol/anthropic_messages/anthropic_messages.hpp"
#include "protocol/bedrock/bedrock.hpp"
#include "protocol/genai/genai.hpp"
#include "protocol/openai_chat/openai_chat.hpp"
#include "protocol/openai_responses/openai_responses.hpp"

#include <instructor/error.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace test {

template <class Read>  // chunk_delta(std::string_view)
std::string chunk_reading(Read const& read, std::string_view data)
{
    try {
        auto const d = read(data);
        std::string s = "content=" + d.content + "|refusal=" + d.refusal + "|reasoning=" +
                        d.reasoning + "|finish=" + d.finish_reason.value_or("<none>") +
                        "|error=" + d.error.value_or("<none>") + "|url=" +
                        d.run_url.value_or("<none>") + "|usage=";
        if (d.usage)
            s += std::to_string(d.usage->prompt_tokens) + "," +
                 std::to_string(d.usage->completion_tokens) + "," +
                 std::to_string(d.usage->total_tokens) + "," +
                 (d.usage->cost_usd ? std::to_string(*d.usage->cost_usd) : "-");
        for (auto const& c : d.calls)
            s += "|call " + std::to_string(c.index) + " id=" + c.id + " name=" + c.name +
                 " args=" + c.arguments;
        s += "|kept=" + std::to_string(d.kept.size());
        return s;
    }
    catch (instructor::error const& e) {
        return "error " + std::string(instructor::to_string(e.code_enum())) + ": " + e.what();
    }
}

/// Every member of a usage and an extraction, in one text to compare.
inline std::string reply_reading(instructor::usage const& u, instructor::detail::extraction const& x)
{
    std::string out = "tokens " + std::to_string(u.prompt_tokens) + " " +
                      std::to_string(u.completion_tokens) + " " + std::to_string(u.total_tokens) +
                      " " + std::to_string(u.cached_tokens) + " " +
                      std::to_string(u.reasoning_tokens) + " cost " +
                      (u.cost_usd ? std::to_string(*u.cost_usd) : "none");
    auto opt = [](std::optional<std::string> const& o) { return o ? "[" + *o + "]" : "none"; };
    out += "\ncontent [" + x.content + "] finish [" + x.finish_reason + "] refusal " +
           opt(x.refusal) + " url " + opt(x.run_url) + " problem " + opt(x.problem) +
           " reasoning " + opt(x.reasoning) + " kept " + boost::json::serialize(x.kept);
    for (auto const& a : x.answers)
        out += "\nanswer [" + a.id + "] [" + a.name + "] [" + a.text + "] [" + a.reply + "]";
    return out;
}

/// A Gemini reply's reading: its extraction with the parts kept set aside, and what a re-ask
/// and (in a text mode, the only ones continued) a continuation send back of it: what the kept
/// parts are for, so a reading that keeps none must send the same.
inline std::string genai_reading(instructor::mode m, instructor::usage const& u,
                                 instructor::detail::extraction x)
{
    namespace det = instructor::detail;
    auto turns = "\nreask " + boost::json::serialize(det::genai_reask(m, x, "e"));
    if (!instructor::is_tools_mode(m))
        turns += "\ncontinue " +
                 boost::json::serialize(det::genai_reask(instructor::mode::json, x, "go on", {}));
    x.kept.clear();
    return reply_reading(u, x) + turns;
}

/// What the call core makes of a whole reply through the tree: its usage and extraction in
/// mode `m` (by the wire's `usage_of` and `extract`, told by `reading`), or the error.
template <class UsageOf, class Extract, class Reading = decltype(&reply_reading)>
std::string reply_tree_reading(UsageOf usage_of, Extract extract, instructor::mode m,
                               std::string_view body, Reading reading = &reply_reading)
{
    try {
        boost::system::error_code ec;
        auto const v = boost::json::parse(body, ec);
        if (ec || !v.is_object())
            return "error: not an object";
        return reading(usage_of(v), extract(m, v));
    }
    catch (instructor::error const& e) {
        return std::string("error: ") + e.what();
    }
}

inline std::string chat_reply_tree_reading(instructor::mode m, std::string_view body)
{
    return reply_tree_reading(&instructor::detail::chat_usage, &instructor::detail::extract_chat, m,
                              body);
}

inline std::string messages_reply_tree_reading(instructor::mode m, std::string_view body)
{
    return reply_tree_reading(&instructor::detail::messages_usage,
                              &instructor::detail::extract_messages, m, body);
}

inline std::string responses_reply_tree_reading(instructor::mode m, std::string_view body)
{
    return reply_tree_reading(&instructor::detail::responses_usage,
                              &instructor::detail::extract_responses, m, body);
}

inline std::string bedrock_reply_tree_reading(instructor::mode m, std::string_view body)
{
    return reply_tree_reading(&instructor::detail::bedrock_usage,
                              &instructor::detail::extract_bedrock, m, body);
}

inline std::string genai_reply_tree_reading(instructor::mode m, std::string_view body)
{
    return reply_tree_reading(
        &instructor::detail::genai_usage, &instructor::detail::extract_genai, m, body,
        [m](instructor::usage const& u, instructor::detail::extraction x) {
            return genai_reading(m, u, std::move(x));
        });
}

/// Everything a Gemini stream reader (one reading its events in one pass where it can, or one
/// reading every event's tree) says of `events` fed in turn: each event's pieces or error, the
/// usage and bytes held after it and whether the stream ended, then the extraction (the parts
/// kept included) and the response.
inline std::string genai_stream_reading(instructor::mode m, bool one_pass,
                                        std::vector<std::string> const& events)
{
    namespace det = instructor::detail;
    auto reader = det::make_genai_reader(m, one_pass);
    auto const source = det::make_wire(m, {})->events(1 << 20);
    std::string out;
    det::piece_sink const sink = [&](std::size_t call, std::string_view name, std::string_view t) {
        out += "<" + std::to_string(call) + " " + std::string(name) + " " + std::string(t) + ">";
    };
    for (auto const& e : events) {
        try {
            reader->on_event({"", e, {}}, sink);
            out += " ok";
        }
        catch (instructor::error const& err) {
            out += " error " + std::string(instructor::to_string(err.code_enum())) + " " +
                   err.what();
        }
        auto const u = reader->usage();
        out += " [" + std::to_string(u.prompt_tokens) + " " + std::to_string(u.completion_tokens) +
               " " + std::to_string(u.total_tokens) + " " + std::to_string(u.cached_tokens) + " " +
               std::to_string(u.reasoning_tokens) + " held " + std::to_string(reader->held()) +
               (reader->ended(*source) ? " ended" : "") + "]\n";
    }
    try {
        auto const x = reader->finish(sink);
        out += reply_reading(reader->usage(), x) + "\n" +
               boost::json::serialize(reader->response());
    }
    catch (instructor::error const& err) {
        out += "finish error " + std::string(err.what());
    }
    return out;
}

}  // namespace test
