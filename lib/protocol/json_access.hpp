// Reading provider JSON without trusting its shape: every accessor answers "absent" for a
// missing key or a value of another type.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace instructor::detail::json_access {

inline boost::json::object const* object_at(boost::json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    return v ? v->if_object() : nullptr;
}

inline boost::json::array const* array_at(boost::json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    return v ? v->if_array() : nullptr;
}

/// The string at `key`, or "" when absent or not a string.
inline std::string string_at(boost::json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

/// A non-negative count at `key`; 0 when absent, negative or not an integer.
inline std::uint64_t count_at(boost::json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    if (!v)
        return 0;
    if (v->is_int64())
        return v->get_int64() > 0 ? static_cast<std::uint64_t>(v->get_int64()) : 0;
    if (v->is_uint64())
        return v->get_uint64();
    return 0;
}

/// A non-negative finite number at `key` (an amount of money, say); absent otherwise.
inline std::optional<double> amount_at(boost::json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    if (!v || !v->is_number())
        return std::nullopt;
    double const d = v->to_number<double>();
    if (!(d >= 0) || d > 1e12)  // NaN, negative, absurd
        return std::nullopt;
    return d;
}

}  // namespace instructor::detail::json_access
