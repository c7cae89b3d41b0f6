// Mustache rendering of message texts with the request's context (kainjow::mustache, from
// Debian's libkainjow-mustache-dev: header-only, compiled in this one file). A message text may
// hold untrusted text, so each template is measured before kainjow parses it: its size, about
// what its parse holds, how deep its sections nest and an upper bound of what it renders.
#include "templates.hpp"

#include <instructor/error.hpp>

#include <boost/json/serialize.hpp>

#include <kainjow/mustache.hpp>

#include <algorithm>
#include <cctype>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace instructor::detail {

namespace {

namespace mu = kainjow::mustache;
namespace json = boost::json;

constexpr auto npos = std::string_view::npos;

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

// ---- what the context can put into a text -----------------------------------------------------

std::size_t add(std::size_t a, std::size_t b)
{
    return a > std::numeric_limits<std::size_t>::max() - b ? std::numeric_limits<std::size_t>::max()
                                                           : a + b;
}

std::size_t times(std::size_t a, std::size_t b)
{
    return b != 0 && a > std::numeric_limits<std::size_t>::max() / b
               ? std::numeric_limits<std::size_t>::max()
               : a * b;
}

/// The most some values render as a variable, and the longest list among them (how often a
/// section over them repeats).
struct shape {
    std::size_t text = 0;
    std::size_t list = 0;

    void merge(shape o)
    {
        text = std::max(text, o.text);
        list = std::max(list, o.list);
    }
};

shape shape_of(json::value const& v)
{
    switch (v.kind()) {
    case json::kind::string: return {v.get_string().size(), 0};
    case json::kind::array: return {0, v.get_array().size()};
    case json::kind::object:
    case json::kind::bool_:
    case json::kind::null: return {};
    default: return {json::serialize(v).size(), 0};
    }
}

/// The values under one key anywhere in the context, and the elements of the lists among them
/// (what `{{.}}` is in a section over the key). A name is looked up through every open
/// section, so whatever it finds is one of these.
struct name_bounds {
    shape value;
    shape item;

    void merge(name_bounds const& o)
    {
        value.merge(o.value);
        item.merge(o.item);
    }
};

struct data_bounds {
    std::unordered_map<std::string, name_bounds> names;
    shape any;  // every value: `{{.}}` where the bounds above do not say

    void collect(json::object const& o)
    {
        for (auto const& kv : o) {
            auto& n = names[std::string(kv.key())];
            n.value.merge(shape_of(kv.value()));
            if (auto const* a = kv.value().if_array())
                for (auto const& e : *a)
                    n.item.merge(shape_of(e));
            any.merge(shape_of(kv.value()));
            collect(kv.value());
        }
    }

    void collect(json::value const& v)
    {
        if (auto const* o = v.if_object())
            return collect(*o);
        if (auto const* a = v.if_array()) {
            for (auto const& e : *a) {
                any.merge(shape_of(e));
                collect(e);
            }
        }
    }

    /// `a.b` finds a value under `b`; merging every part's bounds keeps it simple and safe.
    name_bounds lookup(std::string_view name) const
    {
        name_bounds found;
        for (std::size_t at = 0; at <= name.size();) {
            auto const dot = std::min(name.find('.', at), name.size());
            if (auto it = names.find(std::string(name.substr(at, dot - at))); it != names.end())
                found.merge(it->second);
            at = dot + 1;
        }
        return found;
    }
};

// ---- the template, measured as kainjow will parse it -------------------------------------------

std::string_view trim(std::string_view s)
{
    auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

/// A `{{=<% %>=}}` tag, read as kainjow reads it: false when kainjow refuses it.
bool set_delimiters(std::string_view tag, std::string& begin, std::string& end)
{
    if (tag.size() < 5 || tag.back() != '=')
        return false;
    auto const inner = trim(tag.substr(1, tag.size() - 2));
    auto const space = inner.find(' ');
    if (space == npos)
        return false;
    auto const b = inner.substr(0, space);
    auto const e = inner.substr(inner.find_first_not_of(' ', space + 1));
    auto valid = [](std::string_view d) {
        return std::none_of(d.begin(), d.end(), [](char c) {
            return c == '=' || std::isspace(static_cast<unsigned char>(c));
        });
    };
    if (!valid(b) || !valid(e))
        return false;
    begin = b;
    end = e;
    return true;
}

/// What kainjow's parse of a text holds, about: a node of ~300 bytes for each tag, each run of
/// text and each whitespace byte (1 MiB of spaces took 277 MB), and a copy of each section's
/// text.
constexpr std::size_t node_bytes = 300;

std::size_t parse_bytes_of_text(std::string_view text)
{
    std::size_t nodes = 0;
    bool in_run = false;
    for (char const c : text) {
        bool const space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        nodes += space || !in_run;
        in_run = !space;
    }
    return times(nodes, node_bytes);
}

struct measure {
    std::size_t output = 0;  // an upper bound of what it renders
    std::size_t parse = 0;   // about what kainjow's parse of it holds
};

/// `text` measured with `data`, following kainjow's parser (delimiters, `{{{ }}}`,
/// set-delimiter tags). The output bound counts text outside tags as it is (rendering only
/// ever drops standalone lines), a variable as the longest value under its name, a section's
/// body times the longest list under its name; every tag and every pass through a section
/// counts one byte more, so the bound also bounds the work (empty sections nested over lists
/// render nothing, many times over). Throws when sections nest deeper than `max_depth`; stops
/// where kainjow will refuse the template.
measure measure_template(std::string_view text, data_bounds const& data, std::size_t max_depth,
                         std::string const& where)
{
    struct frame {
        std::size_t repeats;
        shape dot;  // what `{{.}}` is in it
        std::size_t body = 0;  // where its text starts
        std::size_t size = 0;
    };
    std::vector<frame> open{{1, {}}};
    measure m;
    auto put = [&](std::size_t n) { open.back().size = add(open.back().size, n); };
    auto put_tag = [&](std::size_t n) {
        put(std::max<std::size_t>(n, 1));
        m.parse = add(m.parse, node_bytes);
    };
    auto put_text = [&](std::string_view t) {
        put(t.size());
        m.parse = add(m.parse, parse_bytes_of_text(t));
    };
    auto close = [&] {
        auto const f = open.back();
        open.pop_back();
        put(times(f.repeats, add(f.size, 1)));
    };
    auto result = [&] {
        while (open.size() > 1)  // unclosed sections: refused by kainjow
            close();
        m.output = open.front().size;
        return m;
    };
    std::string begin = "{{", end = "}}";
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto const at = text.find(begin, pos);
        if (at == npos) {
            put_text(text.substr(pos));
            break;
        }
        put_text(text.substr(pos, at - pos));
        auto from = at + begin.size();
        bool const braces = begin == "{{" && end == "}}";
        bool const triple = braces && at != text.size() - 2 && text[from] == '{';
        std::string_view const closer = triple ? std::string_view("}}}") : std::string_view(end);
        if (triple)
            ++from;
        auto const stop = text.find(closer, from);
        if (stop == npos)
            break;  // an unclosed tag: refused by kainjow
        auto const tag = trim(text.substr(from, stop - from));
        pos = stop + closer.size();
        if (triple || tag.empty()) {
            put_tag(data.lookup(tag).value.text);
            continue;
        }
        auto const name = trim(tag.substr(1));
        put_tag(0);
        switch (tag[0]) {
        case '=':
            if (!set_delimiters(tag, begin, end))
                return result();  // refused by kainjow
            break;
        case '#':
        case '^': {
            if (open.size() > max_depth)
                throw error(errc::invalid_argument,
                            "the template of " + where + " nests sections more than " +
                                std::to_string(max_depth) + " deep");
            frame f{1, open.back().dot, pos};
            if (tag[0] == '#' && name == ".") {
                f = {std::max<std::size_t>(1, open.back().dot.list), data.any, pos};
            }
            else if (tag[0] == '#') {
                auto const n = data.lookup(name);
                f = {std::max<std::size_t>(1, n.value.list),
                     {std::max(n.value.text, n.item.text), n.item.list}, pos};
            }
            open.push_back(f);
            break;
        }
        case '/':
            if (open.size() == 1)
                return result();  // an unopened section: refused by kainjow
            m.parse = add(m.parse, at - open.back().body);  // kainjow keeps the section's text
            close();
            break;
        case '>':  // partials render nothing here (see no_partials)
        case '!':
            break;
        case '&':
            put(name == "." ? open.back().dot.text : data.lookup(name).value.text);
            break;
        default:
            put(tag == "." ? open.back().dot.text : data.lookup(tag).value.text);
        }
    }
    return result();
}

/// The context without partials: a value is never parsed as a template (it could hold
/// untrusted text, and a partial that names itself recurses without end).
class no_partials final : public mu::context<std::string> {
public:
    using mu::context<std::string>::context;
    mu::data const* get_partial(std::string const&) const override { return nullptr; }
};

std::string render(std::string const& text, mu::data const& data, data_bounds const& bounds,
                   template_limits const& limits, std::string const& where)
{
    if (text.find("{{") == std::string::npos)
        return text;  // nothing to render: no parse, no copy of the data
    if (text.size() > limits.max_bytes)
        throw error(errc::invalid_argument, "the template of " + where + " is " +
                                                std::to_string(text.size()) + " bytes (at most " +
                                                std::to_string(limits.max_bytes) + ")");
    auto const m = measure_template(text, bounds, limits.max_depth, where);
    if (m.parse > limits.max_parse_bytes)
        throw error(errc::invalid_argument,
                    "the template of " + where + " would take more than " +
                        std::to_string(limits.max_parse_bytes) +
                        " bytes to parse (fewer tags, words and blanks, or put the text in "
                        "the context)");
    if (m.output > limits.max_output)
        throw error(errc::invalid_argument,
                    "the template of " + where + " could render more than " +
                        std::to_string(limits.max_output) + " bytes with this context");
    mu::mustache tmpl(text);
    if (!tmpl.is_valid())
        throw error(errc::invalid_argument,
                    "the template of " + where + " does not parse: " + tmpl.error_message());
    // Prompts are not HTML: values go in as they are.
    tmpl.set_custom_escape([](std::string const& s) { return s; });
    no_partials context(&data);
    auto out = tmpl.render(context);
    if (!tmpl.is_valid())  // an error found while rendering
        throw error(errc::invalid_argument,
                    "the template of " + where + " does not render: " + tmpl.error_message());
    return out;
}

}  // namespace

void render_templates(request& req, template_limits const& limits)
{
    if (req.context.empty())
        return;
    auto const data = to_data(req.context);
    data_bounds bounds;
    bounds.collect(req.context);
    for (std::size_t i = 0; i < req.messages.size(); ++i) {
        auto& m = req.messages[i];
        auto const where = "message " + std::to_string(i) + " (" + m.role + ")";
        m.content = render(m.content, data, bounds, limits, where);
        for (std::size_t p = 0; p < m.parts.size(); ++p)
            if (m.parts[p].kind == part_kind::text)
                m.parts[p].text = render(m.parts[p].text, data, bounds, limits,
                                         where + ", part " + std::to_string(p));
    }
}

}  // namespace instructor::detail
