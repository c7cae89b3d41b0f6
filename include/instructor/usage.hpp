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
    /// The cost in US dollars: what the provider reports (WorkflowAI's `choices[].cost_usd`,
    /// OpenRouter's `usage.cost`), else computed from client_options::prices; unset when
    /// neither gives one.
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

/// What a model costs, in US dollars per million tokens (client_options::prices).
struct price {
    double input_per_mtok = 0;
    double output_per_mtok = 0;
    /// Cached input tokens (prompt caching); unset: priced as input.
    std::optional<double> cached_input_per_mtok;
    /// What a batch line costs, as a share of these prices (OpenAI's Batch API and Anthropic's
    /// Message Batches: half).
    double batch_share = 0.5;
};

/// The cost of `u` at `p`: cached prompt tokens at the cached price, the other prompt tokens at
/// the input price, completion tokens (reasoning included) at the output price.
inline double cost_usd_of(usage const& u, price const& p) noexcept
{
    auto const cached = u.cached_tokens < u.prompt_tokens ? u.cached_tokens : u.prompt_tokens;
    return (static_cast<double>(u.prompt_tokens - cached) * p.input_per_mtok +
            static_cast<double>(cached) * p.cached_input_per_mtok.value_or(p.input_per_mtok) +
            static_cast<double>(u.completion_tokens) * p.output_per_mtok) /
           1e6;
}

}  // namespace instructor
