// The raw side of a successful call.
#pragma once

#include <instructor/usage.hpp>

#include <boost/json/value.hpp>

#include <string>

namespace instructor {

struct completion {
    boost::json::value raw;  ///< the response JSON of the accepted attempt
    usage total_usage;       ///< summed over every attempt
    int attempts = 0;        ///< calls made, re-asks included
    std::string endpoint;    ///< base URL that answered (differs from the client's after a fallback)
};

/// The object and its completion, from create_with_completion.
template <class T>
struct with_completion {
    T value;
    instructor::completion completion;
};

}  // namespace instructor
