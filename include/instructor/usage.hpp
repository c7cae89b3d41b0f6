// Token usage, summed over the attempts of a call.
#pragma once

#include <cstdint>

namespace instructor {

struct usage {
    std::uint64_t prompt_tokens = 0;
    std::uint64_t completion_tokens = 0;
    std::uint64_t total_tokens = 0;
    std::uint64_t cached_tokens = 0;     ///< prompt_tokens_details.cached_tokens
    std::uint64_t reasoning_tokens = 0;  ///< completion_tokens_details.reasoning_tokens

    usage& operator+=(usage const& o) noexcept
    {
        prompt_tokens += o.prompt_tokens;
        completion_tokens += o.completion_tokens;
        total_tokens += o.total_tokens;
        cached_tokens += o.cached_tokens;
        reasoning_tokens += o.reasoning_tokens;
        return *this;
    }
    friend bool operator==(usage const&, usage const&) = default;
};

}  // namespace instructor
