// Mustache rendering of message texts with the request's context (kainjow::mustache, from
// Debian's libkainjow-mustache-dev: header-only, compiled in this one file).
#include "templates.hpp"

#include <instructor/error.hpp>

#include <boost/json/serialize.hpp>

#include <kainjow/mustache.hpp>

namespace instructor::detail {

namespace {

namespace mu = kainjow::mustache;
namespace json = boost::json;

/// A JSON value as Mustache data: objects and arrays nest, booleans drive conditions, null is
/// false (an empty section), numbers are written as JSON writes them.
mu::data to_data(json::value const& v)
{
    switch (v.kind()) {
    case json::kind::object: {
        mu::data d(mu::data::type::object);
        for (auto const& kv : v.get_object())
            d.set(std::string(kv.key()), to_data(kv.value()));
        return d;
    }
    case json::kind::array: {
        mu::data d(mu::data::type::list);
        for (auto const& e : v.get_array())
            d.push_back(to_data(e));
        return d;
    }
    case json::kind::string:
        return mu::data(std::string(v.get_string()));
    case json::kind::bool_:
        return mu::data(v.get_bool());
    case json::kind::null:
        return mu::data(false);
    default:
        return mu::data(json::serialize(v));
    }
}

std::string render(std::string const& text, mu::data const& data, std::string const& where)
{
    if (text.find("{{") == std::string::npos)
        return text;  // nothing to render: no parse, no copy of the data
    mu::mustache tmpl(text);
    if (!tmpl.is_valid())
        throw error(errc::invalid_argument,
                    "the template of " + where + " does not parse: " + tmpl.error_message());
    // Prompts are not HTML: values go in as they are.
    tmpl.set_custom_escape([](std::string const& s) { return s; });
    auto out = tmpl.render(data);
    if (!tmpl.is_valid())  // an error found while rendering (a lambda, a partial)
        throw error(errc::invalid_argument,
                    "the template of " + where + " does not render: " + tmpl.error_message());
    return out;
}

}  // namespace

void render_templates(request& req)
{
    if (req.context.empty())
        return;
    auto const data = to_data(req.context);
    for (std::size_t i = 0; i < req.messages.size(); ++i) {
        auto& m = req.messages[i];
        auto const where = "message " + std::to_string(i) + " (" + m.role + ")";
        m.content = render(m.content, data, where);
        for (std::size_t p = 0; p < m.parts.size(); ++p)
            if (m.parts[p].kind == part_kind::text)
                m.parts[p].text = render(m.parts[p].text, data, where + ", part " + std::to_string(p));
    }
}

}  // namespace instructor::detail
