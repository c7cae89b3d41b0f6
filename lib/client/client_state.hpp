// The state a client's handles share (private to lib/).
#pragma once

#include <instructor/client_options.hpp>
#include <instructor/error.hpp>
#include <instructor/hooks.hpp>
#include <instructor/net/http_client.hpp>
#include <instructor/rate_limiter.hpp>
#include "client/redaction.hpp"
#include "protocol/wire.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <exception>
#include <mutex>

namespace instructor::detail {

struct client_state {
    boost::asio::any_io_executor ex;
    client_options opts;
    wire_set wires{opts};  // the calls' wires, one per mode
    net::http_client http;
    std::mutex mutex;
    hooks client_hooks;
    redaction exit;  // what every error, hook event and batch text leaves through
    /// client_options::rate_limit's limiter (the client's copies share it); null: none.
    std::shared_ptr<rate_limiter> own_limiter;

    client_state(boost::asio::any_io_executor e, client_options o)
        : ex(e), opts(std::move(o)), http(e, transport_of(opts)), exit(secrets_of(opts)),
          own_limiter(opts.rate_limit ? make_rate_limiter(*opts.rate_limit) : nullptr)
    {}

    /// The handlers registered now (a call keeps the set it started with).
    hooks hooks_now()
    {
        std::lock_guard lock(mutex);
        return client_hooks;
    }

    static net::transport_options transport_of(client_options const& o)
    {
        auto t = o.transport;
        if (!o.ca_file.empty())
            t.ca_file = o.ca_file;
        return t;
    }
};

/// What a send or read threw, as the ins::error a call goes on with: an ins::error as it is;
/// Asio's cancellation as errc::cancelled; anything else (an allocation failure, a foreign
/// exception) as connection_failed with its text.
error as_error(std::exception_ptr e);

}  // namespace instructor::detail
