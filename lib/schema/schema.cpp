// Non-template parts of schema building, and the strict-mode rewrite.
#include <instructor/schema.hpp>
#include <instructor/detail/tool_spec.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>

namespace instructor {
namespace detail {

std::string const* schema_builder::def_name(void const* key) const noexcept
{
    for (auto const& [k, name] : names_)
        if (k == key)
            return &name;
    return nullptr;
}

std::string const& schema_builder::register_def(void const* key, std::string_view wanted)
{
    // Two models with one unqualified name (ns1::Item, ns2::Item) get Item and Item_2.
    std::string name(wanted);
    for (int n = 2; std::any_of(names_.begin(), names_.end(),
                                [&](auto const& e) { return e.second == name; });
         ++n)
        name = std::string(wanted) + "_" + std::to_string(n);
    names_.emplace_back(key, std::move(name));
    return names_.back().second;
}

void schema_builder::add_def(std::string const& name, boost::json::object schema)
{
    defs_[name] = std::move(schema);
}

boost::json::object integer_schema(std::int64_t lo, std::uint64_t hi, bool bounded_lo,
                                   bool bounded_hi)
{
    boost::json::object o{{"type", "integer"}};
    if (bounded_lo)
        o["minimum"] = lo;
    if (bounded_hi)
        o["maximum"] = hi;
    return o;
}

boost::json::object ref_schema(std::string const& def_name)
{
    return {{"$ref", "#/$defs/" + def_name}};
}

boost::json::value nullable(boost::json::value schema)
{
    return boost::json::object{
        {"anyOf", boost::json::array{std::move(schema), boost::json::object{{"type", "null"}}}}};
}

static bool has_type(boost::json::object const& o, std::string_view type)
{
    auto const* t = o.if_contains("type");
    return t && t->is_string() && t->get_string() == type;
}

void apply_constraints(boost::json::value& schema, field_info const* info)
{
    if (!info || !schema.is_object())
        return;
    auto& o = schema.get_object();
    auto set_bound = [&](char const* key, std::optional<double> const& v) {
        if (!v)
            return;
        // integral bounds are written as integers: `1`, not Boost.JSON's `1E0`
        if (std::fabs(*v) < 9e15 && *v == std::trunc(*v))
            o[key] = static_cast<std::int64_t>(*v);
        else
            o[key] = *v;
    };
    if (has_type(o, "integer") || has_type(o, "number")) {
        // a user bound replaces the type's own range where it is tighter
        if (info->minimum) {
            auto const* cur = o.if_contains("minimum");
            if (!cur || cur->to_number<double>() < *info->minimum)
                set_bound("minimum", info->minimum);
        }
        if (info->maximum) {
            auto const* cur = o.if_contains("maximum");
            if (!cur || cur->to_number<double>() > *info->maximum)
                set_bound("maximum", info->maximum);
        }
        set_bound("exclusiveMinimum", info->exclusive_minimum);
        set_bound("exclusiveMaximum", info->exclusive_maximum);
    }
    else if (has_type(o, "string")) {
        if (info->min_length)
            o["minLength"] = *info->min_length;
        if (info->max_length)
            o["maxLength"] = *info->max_length;
        if (!info->pattern.empty())
            o["pattern"] = info->pattern;
    }
    else if (has_type(o, "array")) {
        if (info->min_items)
            o["minItems"] = *info->min_items;
        if (info->max_items)
            o["maxItems"] = *info->max_items;
    }
}

void apply_description(boost::json::value& schema, std::string_view description)
{
    if (!description.empty() && schema.is_object())
        schema.get_object()["description"] = description;
}

boost::json::object enum_schema(std::vector<std::string_view> const& names)
{
    boost::json::array values;
    for (auto n : names)
        values.emplace_back(n);
    return {{"type", "string"}, {"enum", std::move(values)}};
}

std::string schema_text(boost::json::object const& o) { return boost::json::serialize(o); }

}  // namespace detail

namespace {

void strictify(boost::json::value& v)
{
    if (v.is_array()) {
        for (auto& e : v.get_array())
            strictify(e);
        return;
    }
    if (!v.is_object())
        return;
    auto& o = v.get_object();
    o.erase("minLength");
    o.erase("maxLength");
    o.erase("default");
    if (auto* props = o.if_contains("properties"); props && props->is_object()) {
        boost::json::array required;
        for (auto& kv : props->get_object()) {
            required.emplace_back(kv.key());
            strictify(kv.value());
        }
        o["required"] = std::move(required);
        o["additionalProperties"] = false;
    }
    else if (auto* ap = o.if_contains("additionalProperties"); ap && ap->is_object()) {
        strictify(*ap);
    }
    for (char const* key : {"items", "anyOf", "$defs"}) {
        if (auto* sub = o.if_contains(key)) {
            if (std::string_view(key) == "$defs" && sub->is_object())
                for (auto& kv : sub->get_object())
                    strictify(kv.value());
            else
                strictify(*sub);
        }
    }
}

}  // namespace

boost::json::object make_strict(boost::json::object const& schema)
{
    boost::json::value v = schema;
    strictify(v);
    return std::move(v.get_object());
}

}  // namespace instructor
