// One wire per API: what a call says on the network and how it reads the answer, without I/O.
//
// The call core (lib/client/call_core.hpp) talks to a wire only through this interface, chosen
// once per call from the mode (make_wire: the API's row in api_table.hpp). A new API is a
// folder with its wire (a class implementing `wire` and `stream_reader`) and a row in the table.
#pragma once

#include <instructor/client_options.hpp>
#include <instructor/error.hpp>
#include <instructor/detail/tool_spec.hpp>
#include <instructor/mode.hpp>
#include <instructor/net/http_types.hpp>
#include "net/event_source.hpp"
#include <instructor/request.hpp>
#include <instructor/usage.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace instructor::detail {

/// One answer found in a reply: a tool call (name set) or the content.
struct answer {
    std::string name;
    std::string id;    ///< tool call id (generated when a provider omits it)
    std::string text;  ///< the JSON text to decode
    /// Text modes: the whole reply the JSON was found in. When replies are repaired, this is
    /// what is decoded: the repair step finds the value in it (fences, prose, several
    /// candidates) and records what it skipped.
    std::string reply;
};

/// What a reply says, in the words every wire maps to.
struct extraction {
    std::vector<answer> answers;
    std::string content;  ///< the reply's whole text (what a re-ask echoes as the assistant turn)
    /// Normalised: "length" (cut at the token limit), "content_filter", or the API's own word.
    std::string finish_reason;
    std::optional<std::string> refusal;
    std::optional<std::string> run_url;  ///< the provider's page for this run (WorkflowAI)
    /// Set when the answer is missing or unusable (no tool call, no JSON block): a parse
    /// failure that is re-asked, not an API error.
    std::optional<std::string> problem;
    /// The model's reasoning as text (thinking, a reasoning summary, reasoning_content).
    std::optional<std::string> reasoning;
    /// What a re-ask must send back unchanged before the answer: Anthropic's thinking and
    /// redacted_thinking blocks (signatures included), Responses reasoning items.
    boost::json::array kept;
};

/// A whole reply read without a tree (wire::read_reply).
struct reply_reading {
    instructor::usage used;
    extraction x;
};

/// The conversation so far, in the wire's own shape: chat messages, Messages API messages (with
/// the system prompt apart), or Responses API input items.
struct conversation {
    std::string system;
    boost::json::array messages;
    /// The messages are the request's as initial() would build them, not built: the wire writes
    /// them from the request (wire::first). Built before the conversation changes
    /// (build_conversation, which reask_in and continue_in call).
    bool from_request = false;
};

/// Receives answer text as a stream delivers it: the tool call's index (in call order) and
/// name, or 0 and "" for content.
using piece_sink = std::function<void(std::size_t call, std::string_view name, std::string_view text)>;

/// Tool calls one reply may hold (streamed or not); more is a protocol error.
inline constexpr std::size_t max_tool_calls = 256;

/// Reads one streamed reply: events in, answer pieces out, and at the end the answer.
class stream_reader {
public:
    virtual ~stream_reader() = default;
    /// One server-sent event. Answer text goes to `sink`. Throws ins::error: protocol_error for
    /// a malformed event, server_error (with the provider's message) for an error event.
    virtual void on_event(net::sse_event const& ev, piece_sink const& sink) = 0;
    /// The body ended: whether the API's end marker ([DONE], message_stop, response.completed)
    /// arrived; when not, `missing_end()` says what was expected.
    virtual bool ended(net::event_source const& events) const = 0;
    virtual std::string missing_end() const = 0;
    /// Usage reported so far.
    virtual instructor::usage usage() const = 0;
    /// Bytes of answer kept so far (text, refusal, tool-call arguments): what a stream's size
    /// limit bounds, rather than the framing around them.
    virtual std::size_t held() const = 0;
    /// The complete answer. A tool call that streamed no arguments is fed "{}" (a tool without
    /// parameters).
    virtual extraction finish(piece_sink const& sink) = 0;
    /// The streamed reply as the API's response object (for hooks and errors).
    virtual boost::json::value response() const = 0;
};

class wire {
public:
    virtual ~wire() = default;
    /// The HTTP request of one attempt to `ep` (URL, auth and API headers, body). `model` and
    /// `stream` are those of the body, for an API that names them in the URL (Gemini); a batch
    /// service asks with an empty model for the auth and headers alone.
    virtual net::http_request http_request(endpoint_config const& ep, std::string_view model,
                                           bool stream, std::string body) const = 0;
    /// The first attempt's conversation: the request's messages plus what the mode injects.
    virtual conversation initial(request const& req, tool_spec const& primary) const = 0;
    /// The same, left as the request's (conversation::from_request) when this wire writes
    /// those messages straight from it: no tree of them for a call that is never re-asked.
    virtual conversation first(request const& req, tool_spec const& primary) const
    {
        return initial(req, primary);
    }
    /// The body of one attempt.
    virtual boost::json::object body(request const& req, std::string const& model,
                                     conversation const& conv, std::span<tool_spec const> tools,
                                     bool stream) const = 0;
    /// The same body as its bytes (json::serialize of body()); a wire may write them without
    /// building the tree.
    virtual std::string body_text(request const& req, std::string const& model,
                                  conversation const& conv, std::span<tool_spec const> tools,
                                  bool stream) const;
    /// The answer(s) of a reply. Throws ins::error(protocol_error) when it is not this API's
    /// response at all.
    virtual extraction extract(boost::json::value const& response) const = 0;
    virtual usage usage_of(boost::json::value const& response) const = 0;
    /// The reply read in one pass when the wire can, and it is the common reply: exactly what
    /// usage_of and extract give for its tree. nullopt: the tree is read.
    virtual std::optional<reply_reading> read_reply(std::string_view) const { return std::nullopt; }
    /// Appends the re-ask turns to `conv`: the answer as the model gave it, then the errors.
    virtual void reask(conversation& conv, extraction const& got, std::string const& errors) const = 0;
    /// Appends the turns that ask for the rest of a text-mode answer cut at the token limit
    /// (request::on_truncation continue_answer): the cut answer as the model gave it, then `ask`.
    virtual void continue_cut(conversation& conv, extraction const& got,
                              std::string const& ask) const = 0;
    virtual std::unique_ptr<stream_reader> reader() const = 0;
    /// How a stream's body is cut into events, no event holding more than `max_event` bytes:
    /// server-sent events unless the API frames its streams otherwise.
    virtual std::unique_ptr<net::event_source> events(std::size_t max_event) const;
};

/// `extra` (request::extra_body) into `body`: a member that is an object on both sides merged
/// key by key (Gemini's generationConfig, Bedrock's inferenceConfig: an extra option never drops
/// the schema or the thinking), any other replaced.
void merge_extra_body(boost::json::object& body, boost::json::object const& extra);

/// `conv` as a tree, built from `req` when it was left as the request's: before it changes.
void build_conversation(wire const& w, conversation& conv, request const& req,
                        std::span<tool_spec const> tools);

/// wire::reask and wire::continue_cut on `conv` built first: what callers use.
void reask_in(wire const& w, conversation& conv, request const& req,
              std::span<tool_spec const> tools, extraction const& got, std::string const& errors);
void continue_in(wire const& w, conversation& conv, request const& req,
                 std::span<tool_spec const> tools, extraction const& got, std::string const& ask);

/// The response model a body is built for (the first of `tools`); invalid_argument when there
/// is none.
tool_spec const& primary_tool(std::span<tool_spec const> tools);

/// The model's own ends of a reply, never re-asked: cut at the token limit (output_truncated),
/// stopped by the content filter (content_filtered), a refusal (refusal). None otherwise.
std::optional<error> model_stop(extraction const& x);

/// The text the target decodes of answer `a`: the whole reply of a text mode when replies are
/// repaired (the repair finds the value in it), else the answer's JSON.
inline std::string_view text_to_decode(answer const& a, bool repair) noexcept
{
    return repair && !a.reply.empty() ? std::string_view(a.reply) : std::string_view(a.text);
}

/// The wire that speaks mode `m`, configured from the client's options (API headers, legacy
/// shapes, API versions). A value that names no mode: invalid_argument.
std::unique_ptr<wire> make_wire(mode m, client_options const& o);

/// A client's wires, one per mode, each made by the first call that speaks it and kept while
/// the client lives: a wire's members are all const, so the client's calls share it (a call
/// that made its own paid the allocation and the API's configuration each time).
class wire_set {
public:
    /// `o` must outlive the set (the client's options).
    explicit wire_set(client_options const& o) noexcept : options_(o) {}
    ~wire_set();
    wire_set(wire_set const&) = delete;
    wire_set& operator=(wire_set const&) = delete;

    /// The wire of `m`, made now when no call made it before; safe from any thread. A value
    /// that names no mode: invalid_argument, as make_wire.
    wire const& of(mode m);

    /// A slot per mode: the modes are numbered from 0 without gaps, the last is the count's
    /// (a test holds it to the modes' names).
    static constexpr std::size_t modes = static_cast<std::size_t>(mode::bedrock_parallel_tools) + 1;

private:
    client_options const& options_;
    std::array<std::atomic<wire const*>, modes> made_{};
};

}  // namespace instructor::detail
