// What the integration tests' clients of the mock endpoint share: options pointing at it and a
// one-message request.
#pragma once

#include <instructor/client_options.hpp>
#include <instructor/request.hpp>
#include <instructor/testing/mock_server.hpp>

#include <string>

namespace test {

/// Options for a client of `m` in `mode`, with a test key and a default model.
inline instructor::client_options mock_options(instructor::testing::mock_server const& m,
                                               instructor::mode mode = instructor::mode::tools)
{
    instructor::client_options o;
    o.base_url = m.base_url();
    o.api_key = "sk-test-1234";
    o.mode = mode;
    o.default_model = "gpt-4o-mini";
    return o;
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
