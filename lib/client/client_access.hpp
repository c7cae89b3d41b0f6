// What tests may reach inside a client (private to lib/ and the tests).
#pragma once

#include "client_state.hpp"

#include <instructor/client.hpp>

namespace instructor::detail {

struct client_access {
    static net::http_client& transport(client const& c) { return c.state_->http; }
};

}  // namespace instructor::detail
