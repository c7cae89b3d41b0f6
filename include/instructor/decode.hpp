// JSON text straight into a response model, with every issue reported by path.
#pragma once

#include <instructor/decode_options.hpp>
#include <instructor/detail/sinks.hpp>
#include <instructor/error.hpp>
#include <instructor/repair.hpp>
#include <instructor/validation.hpp>

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace instructor {

/// The outcome of decoding: a value when the text was valid, else every issue found.
template <class T>
struct decode_result {
    std::optional<T> value;
    std::vector<validation_issue> issues;
    /// What was fixed to get the value (empty when the text was JSON as it stood).
    std::vector<json_repair> repairs;

    explicit operator bool() const noexcept { return value.has_value(); }
};

/// Decodes a document fed in pieces, building T in place as the text arrives (the basis of
/// streaming). The value is complete and validated once finish() returns true.
template <class T>
class decoder {
public:
    explicit decoder(decode_options const& opts = {})
        : value_(std::make_unique<T>()),
          session_(detail::sink_for<T>(), value_.get(), opts)
    {}

    /// Feeds the next piece. Returns false once the text is known not to be valid JSON.
    bool write(std::string_view piece) { return session_.write(piece); }
    /// Ends the input; true when the document was complete and valid.
    bool finish() { return session_.finish(); }
    /// True once the root value's closing token has been read.
    bool done() const noexcept { return session_.done(); }

    /// The value as built so far (complete and valid only after finish() returned true).
    T const& value() const noexcept { return *value_; }
    T take() { return std::move(*value_); }
    std::vector<validation_issue> const& issues() const noexcept { return session_.issues(); }
    /// The untyped decode behind this decoder (progress counters for streams).
    detail::decode_session const& session() const noexcept { return session_; }
    detail::decode_session& session() noexcept { return session_; }

private:
    std::unique_ptr<T> value_;  // stable address: frames point into it
    detail::decode_session session_;
};

namespace detail {

/// A whole document decoded into a T through `sink` (sink_for<T>() unless the caller builds
/// its own table, as the Iterable wrapper does).
template <class T>
decode_result<T> decode_text(sink_ref sink, std::string_view text, decode_options const& opts)
{
    decode_result<T> r;
    T value{};
    decode_session s(sink, &value, opts);
    s.write(text);
    if (s.finish())
        r.value.emplace(std::move(value));
    else
        r.issues = s.take_issues();
    return r;
}

template <class T>
struct repair_attempt {
    sink_ref sink;
    decode_options const* opts;
    std::optional<T> value;  // the first candidate that fits

    static bool decode(void* self, std::string_view json, std::vector<validation_issue>& issues)
    {
        auto& a = *static_cast<repair_attempt*>(self);
        auto r = decode_text<T>(a.sink, json, *a.opts);
        if (!r) {
            issues = std::move(r.issues);
            return false;
        }
        if (!a.value)
            a.value = std::move(r.value);
        return true;
    }
};

/// decode<T>() through `sink`: the one way a whole answer becomes a value.
template <class T>
decode_result<T> decode_with(sink_ref sink, std::string_view text, decode_options const& opts)
{
    auto r = decode_text<T>(sink, text, opts);
    if (r || !opts.repair)
        return r;
    repair_attempt<T> attempt{sink, &opts, std::nullopt};
    if (decode_repaired(text, &repair_attempt<T>::decode, &attempt, r.issues, r.repairs))
        r.value = std::move(attempt.value);
    return r;
}

}  // namespace detail

/// Decodes a whole document. When it is not JSON as it stands and `opts.repair` is on, the
/// JSON in it is repaired (see `repair.hpp`): the value is the one repaired candidate that fits.
template <class T>
decode_result<T> decode(std::string_view text, decode_options const& opts = {})
{
    return detail::decode_with<T>(detail::sink_for<T>(), text, opts);
}

/// Decodes an already-parsed JSON value.
template <class T>
decode_result<T> decode_value(boost::json::value const& v, decode_options const& opts = {})
{
    decode_result<T> r;
    T value{};
    if (detail::decode_json_value(detail::sink_for<T>(), &value, v, opts, {}, r.issues))
        r.value.emplace(std::move(value));
    return r;
}

/// Like decode(), but throws `ins::error` (errc::validation_failed, with the issues) on failure.
template <class T>
T from_json(std::string_view text, decode_options const& opts = {})
{
    auto r = decode<T>(text, opts);
    if (!r) {
        auto message = format_issues(r.issues);
        throw error(errc::validation_failed, std::move(message), std::move(r.issues));
    }
    return std::move(*r.value);
}

}  // namespace instructor
