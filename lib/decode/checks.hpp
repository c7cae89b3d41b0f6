// Constraint checks (field_info) run by the sinks once a value is complete.
#pragma once

#include "context.hpp"

namespace instructor::detail {

// The checks of a field with constraints (f.info set); out of line.
void check_number_bounds(decode_ctx& c, frame const& f, double v, shown found);
void check_string_bounds(decode_ctx& c, frame const& f, std::string const& s);
void check_items_bounds(decode_ctx& c, frame const& f, std::size_t n);

// Most values have no field_info: those cost one test, not a call.

/// minimum / maximum / exclusive bounds. `found` is the value as shown in an issue.
inline void check_number(decode_ctx& c, frame const& f, double v, shown found)
{
    if (f.info)
        check_number_bounds(c, f, v, found);
}
/// min_length / max_length (in code points) and pattern.
inline void check_string(decode_ctx& c, frame const& f, std::string const& s)
{
    if (f.info)
        check_string_bounds(c, f, s);
}
/// min_items / max_items.
inline void check_items(decode_ctx& c, frame const& f, std::size_t n)
{
    if (f.info)
        check_items_bounds(c, f, n);
}

}  // namespace instructor::detail
