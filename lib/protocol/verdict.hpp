// The one judgment of a reply: whole, streamed (at its end), cached or a batch line, the same
// answers give the same value or the same issues.
#pragma once

#include "wire.hpp"

#include <instructor/detail/answer_target.hpp>

#include <optional>
#include <string>
#include <vector>

namespace instructor::detail {

/// Judges a reply that is not one of the model's own stops (see model_stop): a `problem` (no
/// answer at all) is an issue to re-ask with; else every answer's whole text (the first only
/// unless `many`) is fed to `target`, which gives the verdict. False with `issues` when invalid.
bool judge_answers(std::vector<answer> const& answers, std::optional<std::string> const& problem,
                   answer_target& target, bool many, std::vector<validation_issue>& issues);

}  // namespace instructor::detail
