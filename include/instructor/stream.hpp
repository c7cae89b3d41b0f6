// Streaming: partial objects as they grow, and list items as they close.
//
// A stream is read with `while (auto x = co_await s.next())`. Destroying or abandoning a stream
// cancels its HTTP request and closes the connection. Errors (a cut connection, an idle
// timeout, a malformed chunk, an error event) end the stream by throwing ins::error from
// next(); nothing is yielded after an error.
//
// One reply, one meaning: snapshots and items come from an incremental decoder as the text
// arrives, but the stream's verdict (its final snapshot, the decision to re-ask or fail, the
// issues) is the judgment create<T> makes of the same whole text, so the last snapshot of
// create_partial<T> is what create<T> returns, and where create fails the stream fails with
// the same errc and issues. create_iterable hands its items out as they close; at the end the
// whole reply is judged and must hold every item already handed out (else the stream ends with
// errc::validation_failed), and the items still to come are the judgment's.
// A snapshot never shows a value the text does not hold: a number, `true`, `false` or `null`
// appears only once its token has ended (`12` is not shown while `123` may follow), a string
// grows as it arrives, and once almost-JSON is known not to be repairable the snapshots stop
// where it broke.
//
// Re-asks: when the complete answer of create_partial fails validation and max_retries allows,
// the stream asks again; the snapshots of the new attempt carry `attempt` + 1 (and the first
// of them `restarted == true`), so a consumer can drop what the failed attempt showed.
// create_iterable re-asks only while no item has been handed out; after that, an invalid
// answer ends the stream with errc::validation_failed (items already yielded were valid).
// create_iterable<std::variant<A, B...>> speaks the parallel-tools mode of the request's API
// (parallel_tools, anthropic_parallel_tools, responses_parallel_tools): one function per
// alternative, and the items (of any alternative) come out in the order the model calls them.
//
// Time bounds: opening a stream (connect, TLS, the request written, the response's headers) is
// bounded by request::timeout (default transport_options::request_timeout) and retried on
// network faults like a call; once the body flows, each read waits at most
// transport_options::idle_timeout of silence, and request::deadline, when set, ends the whole
// stream (every attempt, re-ask and backoff). request::timeout does not bound the body: long
// answers stream for longer than a sensible per-request timeout; bound a stream's total time
// with request::deadline.
//
// Size bounds: each event and the answer the stream keeps (text, refusal, tool-call
// arguments) are bounded by transport_options::max_body_bytes (response_too_large); the
// framing around them (SSE envelopes, often many times the answer) is not counted.
#pragma once

#include <instructor/decode.hpp>
#include <instructor/detail/sinks.hpp>
#include <instructor/detail/stream_core.hpp>
#include <instructor/schema.hpp>

#include <boost/asio/awaitable.hpp>

#include <deque>
#include <memory>
#include <optional>

namespace instructor {

namespace detail {

/// The index of `member` among Obj's described members; -1 when it is not one.
template <class Obj, class M>
std::size_t member_index(M Obj::*member) noexcept
{
    std::size_t i = 0, found = std::size_t(-1);
    boost::mp11::mp_for_each<members_of<Obj>>([&](auto d) {
        if constexpr (std::is_same_v<std::remove_cv_t<decltype(d.pointer)>, M Obj::*>)
            if (d.pointer == member)
                found = i;
        ++i;
    });
    return found;
}

/// Whether the chain of members from `obj` has arrived, each link a key of a model.
template <class Obj, class M, class... Rest>
bool member_arrived(decode_session const& s, Obj const* obj, M Obj::*member, Rest... rest) noexcept
{
    auto const i = member_index(member);
    if (i == std::size_t(-1) || !s.member_seen(obj, i))
        return false;
    if constexpr (sizeof...(Rest) == 0)
        return true;
    else
        return member_arrived(s, &(obj->*member), rest...);
}

}  // namespace detail

/// A snapshot of the object being built: a view, valid until the stream's next next().
template <class T>
class partial {
public:
    T const& value;      ///< the object so far (complete and validated when `complete`)
    int attempt = 1;     ///< 1-based; grows when a failed answer is asked again
    bool restarted = false;  ///< the first snapshot of a new attempt
    bool complete = false;   ///< the final, validated object

    /// Whether `member`'s key has arrived (its value may still be growing). A chain asks about
    /// a nested model: `has(&Person::address, &Address::city)` (through models only, not into
    /// a list, map, optional or variant). Everything is there once `complete`.
    template <class M, class U = T, class... Rest>
    bool has(M U::*member, Rest... rest) const noexcept
    {
        return complete || (session_ && detail::member_arrived(*session_, &value, member, rest...));
    }

    partial(T const& v, detail::decode_session const* s, int a, bool r, bool c)
        : value(v), attempt(a), restarted(r), complete(c), session_(s)
    {}

private:
    detail::decode_session const* session_;
};

namespace detail {

/// What a stream of X holds: the typed target (it hands out what is ready) and what produces
/// it: the driver that runs the call, or (batch results) a state's own advance(); and the
/// client it came from, whose exit its errors leave through.
template <class X>
struct stream_state {
    explicit stream_state(std::shared_ptr<client_state> c) : client(std::move(c)) {}
    virtual ~stream_state() = default;
    virtual std::optional<X> take() = 0;  ///< what the target has ready
    /// Runs until take() has something (true) or nothing more will come (false).
    virtual boost::asio::awaitable<bool> advance() { return driver->advance(); }
    virtual usage total_usage() const noexcept { return driver->total_usage(); }
    virtual int attempts() const noexcept { return driver->attempts(); }
    /// The accepted answer's completion; a stream without a driver (batch results) has none.
    virtual instructor::completion const* accepted() const noexcept
    {
        return driver ? driver->accepted() : nullptr;
    }
    std::shared_ptr<client_state> client;
    std::unique_ptr<async_check> check;  // the target's validators that wait (before driver:
                                         // it goes after the driver that uses it)
    std::unique_ptr<stream_driver> driver;
    bool finished = false;
    bool failed = false;
};

/// A stream whose elements come from a call's typed target (impl/stream.hpp: partial_target,
/// iterable_target, variant_iterable_target), driven by the call core's stream driver.
template <class Target, class X>
struct driven_stream final : stream_state<X> {
    using stream_state<X>::stream_state;
    Target target;
    std::optional<X> take() override { return target.take(); }
};

template <class T>
struct answer_shape;  // impl/client.hpp
template <class T>
struct async_checked;  // impl/client.hpp
template <class T>
tool_spec tool_spec_for();  // impl/client.hpp
template <class T>
struct partial_target;
template <class T>
struct iterable_target;
template <class V>
struct variant_iterable_target;
template <class T>
struct is_variant_of_models;
template <class T>
tool_spec iterable_spec();

}  // namespace detail

/// An asynchronous sequence of X.
template <class X>
class stream {
public:
    /// Made by client::create_partial, create_iterable and batch_results.
    explicit stream(std::unique_ptr<detail::stream_state<X>> s) : state_(std::move(s)) {}

    /// The next element; std::nullopt after the last. Throws ins::error; after an error the
    /// stream is over (later calls return std::nullopt).
    boost::asio::awaitable<std::optional<X>> next()
    {
        auto& s = *state_;
        for (;;) {
            if (s.failed)
                co_return std::nullopt;
            if (auto x = s.take())
                co_return x;
            if (s.finished)
                co_return std::nullopt;
            bool more = false;
            try {
                more = co_await s.advance();
            }
            catch (...) {
                s.failed = true;  // nothing is handed out after an error
                detail::rethrow_as_error(*s.client, std::current_exception());
            }
            if (!more)
                s.finished = true;
        }
    }

    /// Usage summed over the attempts so far (complete once the stream ended).
    usage total_usage() const noexcept { return state_->total_usage(); }
    int attempts() const noexcept { return state_->attempts(); }
    /// The accepted answer's completion once the answer is accepted (with a partial stream's
    /// complete snapshot; an iterable's at its end): its response as assembled from the events,
    /// usage, attempts, endpoint and the reasoning the model streamed (thinking deltas,
    /// reasoning summaries). Null before, after an error, and for batch results (each result
    /// carries its own).
    instructor::completion const* completion() const noexcept
    {
        return state_->failed ? nullptr : state_->accepted();
    }

private:
    std::unique_ptr<detail::stream_state<X>> state_;
};

}  // namespace instructor

#include <instructor/impl/stream.hpp>
