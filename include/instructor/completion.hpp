// The raw side of a successful call.
#pragma once

#include <instructor/repair.hpp>
#include <instructor/usage.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace instructor {

struct completion {
    boost::json::value raw;  ///< the response JSON of the accepted attempt
    usage total_usage;       ///< summed over every attempt
    int attempts = 0;        ///< calls made, re-asks included
    std::string endpoint;    ///< base URL that answered (differs from the client's after a fallback)
    /// The provider's page for the run that answered (WorkflowAI's `choices[].url`).
    std::optional<std::string> run_url;
    /// What was repaired in the accepted answer to make it JSON (a code fence or prose around
    /// it, trailing commas, ...; see repair.hpp): empty when it was JSON as it stood.
    std::vector<json_repair> repairs;
    /// Answered from client_options::cache: no request was made (attempts 0, no usage).
    bool from_cache = false;
    /// The reasoning the provider returned with the accepted answer: Anthropic's thinking,
    /// Responses reasoning summaries, chat `reasoning_content` / `reasoning`. Unset when none.
    std::optional<std::string> reasoning;
};

/// The object and its completion, from create_with_completion.
template <class T>
struct with_completion {
    T value;
    instructor::completion completion;
};

}  // namespace instructor
