// One judged line of a batch's results (what the Asio-free batch lines and the readers share).
#pragma once

#include <instructor/batch.hpp>
#include <instructor/error.hpp>
#include <instructor/validation.hpp>

#include <optional>
#include <string>
#include <vector>

namespace instructor::detail {

/// One line of a batch's results, judged: when `ok`, the target holds the value.
struct batch_line {
    std::string custom_id;
    std::optional<error> failure;
    std::vector<validation_issue> issues;
    bool ok = false;
};

/// The most result lines `b` may have: the lines this client sent when known (batch::submitted),
/// else the requests the provider reports, never more than the largest batch a provider takes.
std::size_t result_lines_bound(batch const& b) noexcept;

}  // namespace instructor::detail
