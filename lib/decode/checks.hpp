// Constraint checks (field_info) run by the sinks once a value is complete.
#pragma once

#include "context.hpp"

namespace instructor::detail {

/// minimum / maximum / exclusive bounds. `found` is the value as shown in an issue.
void check_number(decode_ctx& c, frame const& f, double v, shown found);
/// min_length / max_length (in code points) and pattern.
void check_string(decode_ctx& c, frame const& f, std::string const& s);
/// min_items / max_items.
void check_items(decode_ctx& c, frame const& f, std::size_t n);

}  // namespace instructor::detail
