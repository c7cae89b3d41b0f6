// A response's parser that keeps its head as the transport reports it (private to lib/net).
#pragma once

#include <instructor/net/http_types.hpp>

#include <boost/beast/http/basic_parser.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace instructor::net::detail {

/// Beast's response parser with the head kept as the transport hands it on (the status, the
/// reason, the fields in the order and spelling they came, as net::header) and the body put
/// where its reader makes room (as buffer_body does): Beast's own response_parser files each
/// field in a table (an allocation and a name lookup each) for fields the transport reports as
/// net::header anyway.
class response_parser final : public boost::beast::http::basic_parser<false> {
public:
    unsigned status = 0;
    std::string reason;
    std::vector<header> headers;
    /// Where the next body bytes go, and how many fit: advanced as they come. No room (a
    /// null `room`) or not enough ends a parse with need_buffer, as buffer_body's.
    char* room = nullptr;
    std::size_t room_size = 0;

private:
    using string_view = boost::beast::string_view;
    using error_code = boost::beast::error_code;

    void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                         error_code&) override
    {}  // a response parser: never called
    void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
    void on_field_impl(boost::beast::http::field, string_view name, string_view value,
                       error_code& ec) override;
    void on_header_impl(error_code& ec) override { ec = {}; }
    void on_body_init_impl(boost::optional<std::uint64_t> const&, error_code& ec) override
    {
        ec = {};
    }
    std::size_t on_body_impl(string_view body, error_code& ec) override { return take_body(body, ec); }
    void on_chunk_header_impl(std::uint64_t, string_view, error_code& ec) override { ec = {}; }
    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override
    {
        return take_body(body, ec);
    }
    void on_finish_impl(error_code& ec) override { ec = {}; }

    std::size_t take_body(string_view body, error_code& ec);
};

}  // namespace instructor::net::detail
