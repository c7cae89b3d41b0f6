// Building blocks the wires' stream readers share: a delta in common words, and tool calls
// collected by index.
#pragma once

#include "json_in_text.hpp"
#include "wire.hpp"

#include <instructor/error.hpp>

#include <boost/json/object.hpp>

#include <map>

namespace instructor::detail {

/// What one streamed event adds (chat chunk, Messages API event).
struct chunk_delta {
    struct call_piece {
        std::size_t index = 0;
        std::string id;
        std::string name;
        std::string arguments;
    };
    /// A thinking block of the Messages API as it streams (its start, text or signature).
    struct kept_piece {
        std::size_t index = 0;
        std::string type;  ///< at the block's start: "thinking" or "redacted_thinking"
        std::string thinking;
        std::string signature;
        std::string data;  ///< redacted_thinking's
    };
    std::string content;
    std::string refusal;
    std::string reasoning;  ///< reasoning text (chat reasoning_content, Anthropic thinking)
    std::vector<call_piece> calls;
    std::vector<kept_piece> kept;
    std::optional<std::string> finish_reason;
    std::optional<instructor::usage> usage;
    std::optional<std::string> error;  ///< an error object sent inside the stream
    std::optional<std::string> run_url;  ///< WorkflowAI's run page, on its last chunk

    /// Empty again, keeping the room of its text strings and vectors (a stream reads every
    /// chunk into one). A member added to chunk_delta must be cleared here too.
    void clear()
    {
        content.clear();
        refusal.clear();
        reasoning.clear();
        calls.clear();
        kept.clear();
        finish_reason.reset();
        usage.reset();
        error.reset();
        run_url.reset();
    }
};

/// Tool calls collected by index as they stream.
struct streamed_calls {
    std::vector<answer> calls;

    /// Adds a piece to call `index` (bounded by max_tool_calls); returns the call.
    answer& add(std::size_t index, std::string const& id, std::string const& name,
                std::string_view arguments)
    {
        if (index >= max_tool_calls)  // a hostile index must not size a vector
            throw error(errc::protocol_error, "a stream chunk names tool call " +
                                                  std::to_string(index) + ", past the limit");
        if (index >= calls.size())
            calls.resize(index + 1);
        auto& c = calls[index];
        if (!id.empty())
            c.id = id;
        if (c.name.empty())
            c.name = name;  // OpenRouter repeats the name in every delta
        c.text += arguments;
        return c;
    }

    /// Calls that streamed no arguments get "{}" (fed to `sink`: a tool without parameters
    /// streams ""); ids are generated where absent.
    void finish(piece_sink const& sink)
    {
        for (std::size_t i = 0; i < calls.size(); ++i) {
            if (calls[i].text.empty()) {
                calls[i].text = "{}";
                sink(i, calls[i].name, calls[i].text);
            }
            if (calls[i].id.empty())
                calls[i].id = "call_" + std::to_string(i);
        }
    }
};

/// Streamed reply text: all of it (what a re-ask echoes) and, when it is the answer (text modes),
/// the JSON in it handed to the sink as it arrives.
struct streamed_text {
    std::string all;
    json_text_follower follower;

    void add(std::string_view piece, bool is_answer, piece_sink const& sink)
    {
        all += piece;
        if (!is_answer)
            return;
        auto text = follower.feed(piece);
        if (!text.empty())
            sink(0, {}, text);
    }
};

/// The error an error event inside a stream becomes.
inline error stream_error(std::string const& message)
{
    error e(errc::server_error, "the stream reported an error: " + message);
    e.provider_message = message;
    return e;
}

/// What the chat and Messages API readers share: each event parsed into a delta (tool-call
/// pieces numbered in call order), accumulated, and the answer at the end.
class delta_reader : public stream_reader {
public:
    instructor::usage usage() const override { return usage_; }
    std::size_t held() const override { return held_; }

    extraction finish(piece_sink const& sink) override
    {
        calls_.finish(sink);
        extraction x;
        x.content = text_.all;
        x.finish_reason = finish_reason_;
        if (!refusal_.empty())
            x.refusal = refusal_;
        x.run_url = run_url_;
        if (!reasoning_.empty())
            x.reasoning = reasoning_;
        for (auto const& [index, block] : kept_)
            x.kept.push_back(block);
        if (tools_) {
            x.answers = calls_.calls;
            if (x.answers.empty() && !x.refusal)
                x.problem = std::string(no_call_problem_);
        }
        else {
            set_text_answer(x, md_json_, no_text_problem_);
        }
        return x;
    }

protected:
    /// `tools`: the answer is the tool calls (else the JSON in the text).
    delta_reader(bool tools, bool md_json, std::string_view no_call_problem,
                 std::string_view no_text_problem)
        : tools_(tools), md_json_(md_json), no_call_problem_(no_call_problem),
          no_text_problem_(no_text_problem)
    {}

    void apply(chunk_delta const& d, piece_sink const& sink)
    {
        if (d.error)
            throw stream_error(*d.error);
        if (d.usage)
            usage_ += *d.usage;
        if (d.finish_reason)
            finish_reason_ = *d.finish_reason;
        if (d.run_url)
            run_url_ = d.run_url;
        refusal_ += d.refusal;
        reasoning_ += d.reasoning;
        text_.add(d.content, !tools_, sink);
        held_ += d.refusal.size() + d.content.size() + d.reasoning.size();
        for (auto const& k : d.kept) {
            if (!kept_.contains(k.index) && kept_.size() >= max_tool_calls)
                throw error(errc::protocol_error, "the stream has more thinking blocks than the "
                                                  "limit");
            auto& block = kept_[k.index];
            if (!k.type.empty())
                block["type"] = k.type;
            auto append = [&](char const* key, std::string const& piece) {
                if (piece.empty())
                    return;
                held_ += piece.size();
                auto& v = block[key];
                if (!v.is_string())
                    v = "";
                v.get_string().append(piece);
            };
            append("thinking", k.thinking);
            append("signature", k.signature);
            append("data", k.data);
        }
        for (auto const& p : d.calls) {
            held_ += p.arguments.size();
            auto& c = calls_.add(p.index, p.id, p.name, p.arguments);
            if (tools_ && !p.arguments.empty())
                sink(p.index, c.name, p.arguments);
        }
    }

    bool tools_, md_json_;
    std::string_view no_call_problem_, no_text_problem_;
    streamed_text text_;
    std::string refusal_, finish_reason_, reasoning_;
    std::map<std::size_t, boost::json::object> kept_;  // content block -> thinking block
    streamed_calls calls_;
    instructor::usage usage_;
    std::optional<std::string> run_url_;
    std::size_t held_ = 0;
};

}  // namespace instructor::detail
