// What the integration tests' clients of the mock endpoint share: options pointing at it and a
// one-message request.
#pragma once

#include <instructor/client_options.hpp>
#include <instructor/request.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/algorithm/string/predicate.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace test {

/// Options for a client of `m` in `mode`, with a test key (the tests that check redaction pass
/// their own), a default model of the mode's API, and the mock's certificate when it speaks TLS.
inline instructor::client_options mock_options(instructor::testing::mock_server const& m,
                                               instructor::mode mode = instructor::mode::tools,
                                               std::string key = "sk-test-1234")
{
    instructor::client_options o;
    o.base_url = m.base_url();
    o.api_key = std::move(key);
    o.mode = mode;
    o.default_model =
        instructor::is_anthropic_mode(mode) ? "claude-3-5-haiku-latest" : "gpt-4o-mini";
    if (!m.ca_file().empty())
        o.ca_file = m.ca_file();
    return o;
}

/// The value of header `name` (any case) in a request the mock recorded; empty when absent.
inline std::string header_of(instructor::testing::recorded_request const& r, std::string_view name)
{
    for (auto const& h : r.headers)
        if (boost::iequals(h.name, name))
            return h.value;
    return {};
}

/// `n` requests, one person each ("Person i is 20 + i years old.").
inline std::vector<instructor::request> people(std::size_t n)
{
    std::vector<instructor::request> reqs;
    for (std::size_t i = 0; i < n; ++i) {
        instructor::request r;
        r.messages.push_back(instructor::message::user(
            "Person " + std::to_string(i) + " is " + std::to_string(20 + i) + " years old."));
        reqs.push_back(std::move(r));
    }
    return reqs;
}

/// A request with one user message.
inline instructor::request ask(std::string text, int max_retries = 3)
{
    instructor::request r;
    r.messages.push_back(instructor::message::user(std::move(text)));
    r.max_retries = max_retries;
    return r;
}

}  // namespace test
