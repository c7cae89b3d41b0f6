#include <instructor/net/http_types.hpp>

#include <boost/algorithm/string/predicate.hpp>

namespace instructor::net {

std::optional<std::string_view> find_header(std::vector<header> const& headers,
                                            std::string_view name) noexcept
{
    for (auto const& h : headers)
        if (boost::iequals(h.name, name))
            return std::string_view(h.value);
    return std::nullopt;
}

}  // namespace instructor::net
