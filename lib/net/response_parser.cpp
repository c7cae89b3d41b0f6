// The transport's response parser: the head as net::header, the body into the reader's room.
#include "response_parser.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>

#include <algorithm>
#include <cstring>

namespace instructor::net::detail {

void response_parser::on_response_impl(int code, string_view why, int, error_code& ec)
{
    status = static_cast<unsigned>(code);  // three digits: Beast's status-line parse
    if (why.empty())  // as Beast's message reports it: the status's own reason
        why = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(code));
    reason.assign(why.data(), why.size());
    headers.reserve(8);  // a provider's response has about that many: one allocation for most
    ec = {};
}

void response_parser::on_field_impl(boost::beast::http::field, string_view name,
                                    string_view value, error_code& ec)
{
    headers.push_back({std::string(name.data(), name.size()), std::string(value.data(), value.size())});
    ec = {};
}

std::size_t response_parser::take_body(string_view body, error_code& ec)
{
    if (!room) {
        ec = boost::beast::http::error::need_buffer;
        return 0;
    }
    auto const n = std::min(room_size, body.size());
    std::memcpy(room, body.data(), n);
    room += n;
    room_size -= n;
    if (n < body.size())
        ec = boost::beast::http::error::need_buffer;
    else
        ec = {};
    return n;
}

}  // namespace instructor::net::detail
