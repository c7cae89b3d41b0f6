#include <instructor/net/http_types.hpp>

#include <boost/beast/core/string.hpp>

namespace instructor::net {

bool same_header_name(std::string_view a, std::string_view b) noexcept
{
    return boost::beast::iequals(a, b);  // ASCII: boost::iequals builds a std::locale per call
}

std::optional<std::string_view> find_header(std::vector<header> const& headers,
                                            std::string_view name) noexcept
{
    for (auto const& h : headers)
        if (same_header_name(h.name, name))
            return std::string_view(h.value);
    return std::nullopt;
}

}  // namespace instructor::net
