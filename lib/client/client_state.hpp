// The state a client's handles share (private to lib/).
#pragma once

#include <instructor/client_options.hpp>
#include <instructor/hooks.hpp>
#include <instructor/net/http_client.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <mutex>

namespace instructor::detail {

struct client_state {
    boost::asio::any_io_executor ex;
    client_options opts;
    net::http_client http;
    std::mutex mutex;
    hooks client_hooks;

    client_state(boost::asio::any_io_executor e, client_options o)
        : ex(e), opts(std::move(o)), http(e, transport_of(opts))
    {}

    static net::transport_options transport_of(client_options const& o)
    {
        auto t = o.transport;
        if (!o.ca_file.empty())
            t.ca_file = o.ca_file;
        return t;
    }
};

/// The endpoints of a call in the order they are tried: the client's, then its fallbacks.
std::vector<endpoint_config> endpoints_of(client_options const& o);

/// The HTTP request of one attempt to `ep`: chat completions with a Bearer key, or the
/// Messages API with x-api-key and anthropic-version (anthropic modes).
net::http_request api_request(client_options const& o, endpoint_config const& ep, mode m,
                              std::string body);

}  // namespace instructor::detail
