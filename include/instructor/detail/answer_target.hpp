// The typed side of a call, erased: where the answer's text goes and how it is judged. The
// templates in client.hpp and stream.hpp implement it; the untyped call core drives it.
//
// One judgment: whether a reply arrives whole, streamed or as a batch line, its verdict comes
// from its whole answers fed once each through feed() and judged by finish(). A stream's
// pieces go to piece() as they arrive: they only make provisional snapshots and items.
#pragma once

#include <instructor/decode_options.hpp>
#include <instructor/detail/tool_spec.hpp>
#include <instructor/repair.hpp>
#include <instructor/validation.hpp>

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace instructor::detail {

/// The specs `make()` returns, made once per `Key` (a target type) and kept for the program: a
/// call's target points at them instead of building its own.
template <class Key, class Make>
std::span<tool_spec const> kept_tools(Make make)
{
    static std::vector<tool_spec> const kept = with_json_texts(make());
    return kept;
}

struct answer_target {
    /// How answers are decoded: the client's options with the request's context (set by the
    /// call before the first attempt).
    decode_options options;
    /// What was repaired to get the accepted answer (set by finish()).
    std::vector<json_repair> repairs;
    /// The response models as the wire offers them (the first is the primary), and whether
    /// every tool call of a reply is an answer (parallel tools) or only the first: set by the
    /// typed target, which knows its type, to specs kept once per type (kept_tools).
    std::span<tool_spec const> tools;
    bool many = false;

    virtual ~answer_target() = default;
    /// A new attempt starts: drop what earlier attempts decoded.
    virtual void begin_attempt(int attempt) = 0;
    /// A piece of a streamed answer: the tool call's index (in call order) and name, or 0 and
    /// "" for content. Provisional: the verdict never depends on it.
    virtual void piece(std::size_t /*call*/, std::string_view /*name*/, std::string_view /*text*/) {}
    /// A whole answer, the same way for a reply, a stream at its end and a batch line: the
    /// tool call's index and name, or 0 and "" for content. Once each, in call order.
    virtual void feed(std::size_t call, std::string_view name, std::string_view text) = 0;
    /// Something is ready to hand out (streams).
    virtual bool ready() const { return false; }
    /// The verdict on the answers fed: false with issues when they are not valid.
    virtual bool finish(std::vector<validation_issue>& issues) = 0;
    /// Whether a failed attempt may be asked again (nothing handed out would be repeated).
    virtual bool may_reask() const { return true; }
    /// Whether a value finish() accepted has validators that wait (validate_async): the call
    /// then has its driver run them (the typed side's async_check) before it accepts.
    virtual bool checks_async() const { return false; }
};

}  // namespace instructor::detail
