#include "net_errors.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

namespace instructor::net {

void throw_cancelled()
{
    throw error(errc::cancelled, "the operation was cancelled");
}

void throw_if_cancelled(boost::asio::cancellation_state const& state)
{
    if (state.cancelled() != boost::asio::cancellation_type::none)
        throw_cancelled();
}

void throw_network(boost::system::error_code const& ec, std::string const& what)
{
    namespace bhttp = boost::beast::http;
    std::string msg = what + ": " + ec.message();
    if (ec == boost::beast::error::timeout)
        throw error(errc::timeout, what + ": timed out");
    if (ec == boost::asio::error::operation_aborted)
        throw_cancelled();
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
        ec == bhttp::error::buffer_overflow)
        throw error(errc::response_too_large, msg);
    if (ec == bhttp::error::partial_message || ec == bhttp::error::end_of_stream)
        throw error(errc::connection_failed, what + ": the server closed the connection");
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category())
        throw error(errc::protocol_error, msg);
    if (ec == boost::asio::ssl::error::stream_truncated)
        throw error(errc::connection_failed, what + ": the server closed the connection");
    if (ec.category() == boost::asio::error::get_ssl_category())
        throw error(errc::tls_failed, msg);
    throw error(errc::connection_failed, msg);
}

std::vector<std::string> secrets_of(http_request const& request)
{
    std::vector<std::string> out;
    for (auto const& s : request.secrets)
        if (!s.empty())
            out.push_back(s);
    for (auto const& h : request.headers)
        for (auto const& s : request.secret_headers)
            if (boost::beast::iequals(h.name, s) && !h.value.empty()) {
                out.push_back(h.value);
                std::string_view v = h.value;
                if (v.size() > 7 && boost::beast::iequals(v.substr(0, 7), "Bearer "))
                    out.emplace_back(v.substr(7));
            }
    return out;
}

}  // namespace instructor::net
