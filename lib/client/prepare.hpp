// One prepare for every way a request goes out (a call, a stream, a batch line): the mode it is
// asked in, its model, its templates rendered and its first conversation.
#pragma once

#include "protocol/wire.hpp"

#include <instructor/client_options.hpp>
#include <instructor/request.hpp>

#include <span>
#include <string>

namespace instructor::detail {

/// The mode `req` is asked in: its own or the client's, the API's parallel-tools mode when the
/// answer is many tool calls (`many`). invalid_argument when the answer and the mode disagree.
mode mode_for(request const& req, client_options const& o, bool many);

/// A request ready to be sent: templates rendered, the model chosen, the first conversation
/// made (with what the mode injects).
struct prepared_request {
    request req;
    std::string model;
    conversation conv;
};
/// Throws invalid_argument for a request that cannot be sent (no model, no response model, a
/// template that does not render).
prepared_request prepare(wire const& w, request req, client_options const& o,
                         std::span<tool_spec const> tools);

}  // namespace instructor::detail
