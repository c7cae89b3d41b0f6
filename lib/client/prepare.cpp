#include "prepare.hpp"

#include "templates.hpp"

namespace instructor::detail {

mode mode_for(request const& req, client_options const& o, bool many)
{
    mode const m = many ? parallel_mode_of(req.mode.value_or(o.mode)) : req.mode.value_or(o.mode);
    if (is_parallel_mode(m) != many)
        throw error(errc::invalid_argument,
                    many ? "mode " + std::string(to_string(m)) + " has no parallel tools: "
                           "std::vector<std::variant<...>> and create_iterable<std::variant<...>> "
                           "need a tools mode"
                         : std::string("the parallel tools modes answer a "
                                       "std::vector<std::variant<...>> (or "
                                       "create_iterable<std::variant<...>>), and only they do"));
    return m;
}

prepared_request prepare(wire const& w, request req, client_options const& o,
                         std::span<tool_spec const> tools)
{
    prepared_request p;
    p.model = req.model.empty() ? o.default_model : req.model;
    if (p.model.empty())
        throw error(errc::invalid_argument, "no model: set request::model or default_model");
    auto const& primary = primary_tool(tools);
    render_templates(req);
    p.conv = w.first(req, primary);
    p.req = std::move(req);
    return p;
}

}  // namespace instructor::detail
