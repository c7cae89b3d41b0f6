// Token usage, summed over the attempts of a call.
#pragma once

#include <cstdint>
#include <optional>

namespace instructor {

struct usage {
    std::uint64_t prompt_tokens = 0;
    std::uint64_t completion_tokens = 0;
    std::uint64_t total_tokens = 0;
    std::uint64_t cached_tokens = 0;     ///< prompt_tokens_details.cached_tokens
    std::uint64_t reasoning_tokens = 0;  ///< completion_tokens_details.reasoning_tokens
    /// The cost the provider reports, in US dollars (WorkflowAI's `choices[].cost_usd`,
    /// OpenRouter's `usage.cost`); unset when it reports none.
    std::optional<double> cost_usd;

    usage& operator+=(usage const& o) noexcept
    {
        prompt_tokens += o.prompt_tokens;
        completion_tokens += o.completion_tokens;
        total_tokens += o.total_tokens;
        cached_tokens += o.cached_tokens;
        reasoning_tokens += o.reasoning_tokens;
        if (o.cost_usd)
            cost_usd = cost_usd.value_or(0) + *o.cost_usd;
        return *this;
    }
    friend bool operator==(usage const&, usage const&) = default;
};

}  // namespace instructor
