// What every wire shares: the model's own ends of a reply, SSE framing, and the wire of a mode
// (its API's row).
#include "protocol/api_table.hpp"
#include "protocol/wire.hpp"

#include "net/sse_parser.hpp"

#include <boost/json/serialize.hpp>

namespace instructor::detail {

std::optional<error> model_stop(extraction const& x)
{
    if (x.finish_reason == "length")
        return error(errc::output_truncated,
                     "the output was cut at the token limit (finish_reason \"length\")");
    if (x.finish_reason == "content_filter")
        return error(errc::content_filtered, "the provider's content filter stopped the output");
    if (x.refusal) {
        error e(errc::refusal, "the model refused: " + *x.refusal);
        e.provider_message = *x.refusal;
        return e;
    }
    return std::nullopt;
}

void merge_extra_body(boost::json::object& body, boost::json::object const& extra)
{
    for (auto const& kv : extra) {
        auto* mine = body.if_contains(kv.key());
        if (mine && mine->is_object() && kv.value().is_object())
            for (auto const& inner : kv.value().get_object())
                mine->get_object()[inner.key()] = inner.value();
        else
            body[kv.key()] = kv.value();
    }
}

void build_conversation(wire const& w, conversation& conv, request const& req,
                        std::span<tool_spec const> tools)
{
    if (conv.from_request)
        conv = w.initial(req, primary_tool(tools));
}

void reask_in(wire const& w, conversation& conv, request const& req,
              std::span<tool_spec const> tools, extraction const& got, std::string const& errors)
{
    build_conversation(w, conv, req, tools);
    w.reask(conv, got, errors);
}

void continue_in(wire const& w, conversation& conv, request const& req,
                 std::span<tool_spec const> tools, extraction const& got, std::string const& ask)
{
    build_conversation(w, conv, req, tools);
    w.continue_cut(conv, got, ask);
}

std::string wire::body_text(request const& req, std::string const& model,
                            conversation const& conv, std::span<tool_spec const> tools,
                            bool stream) const
{
    return boost::json::serialize(body(req, model, conv, tools, stream));
}

std::unique_ptr<net::event_source> wire::events(std::size_t max_event) const
{
    net::sse_limits limits;
    limits.max_event = max_event;
    return std::make_unique<net::sse_parser>(limits);
}

namespace {

[[noreturn]] void no_such_mode(mode m)
{
    throw error(errc::invalid_argument, "mode " + std::to_string(static_cast<int>(m)) +
                                            " is none of instructor::mode's values");
}

}  // namespace

std::unique_ptr<wire> make_wire(mode m, client_options const& o)
{
    if (to_string(m) == "unknown")  // api_for would give it the first API's wire
        no_such_mode(m);
    return api_for(m).make_wire(m, o);
}

wire_set::~wire_set()
{
    for (auto& w : made_)
        delete w.load(std::memory_order_acquire);
}

wire const& wire_set::of(mode m)
{
    auto const i = static_cast<std::size_t>(m);
    if (i >= modes)
        no_such_mode(m);
    auto& slot = made_[i];
    if (auto const* w = slot.load(std::memory_order_acquire))
        return *w;
    // Two threads may make it at once: the first one kept, the other's dropped.
    auto made = make_wire(m, options_);
    wire const* none = nullptr;
    if (slot.compare_exchange_strong(none, made.get(), std::memory_order_acq_rel))
        return *made.release();
    return *none;
}

}  // namespace instructor::detail
