// send() and open_stream() reading the request and its retry settings where they are, for a
// caller whose frame owns both and awaits at once (the client's driver): no copy of either is
// held by every call in flight, and no frame of its own (private to lib/).
#pragma once

#include <instructor/net/http_client.hpp>

namespace instructor::net::detail {

struct in_place {
    static boost::asio::awaitable<http_response> send(http_client& c, http_request const& request,
                                                      retry_settings const& retry);
    static boost::asio::awaitable<http_stream> open_stream(http_client& c,
                                                           http_request const& request,
                                                           retry_settings const& retry);
};

}  // namespace instructor::net::detail
