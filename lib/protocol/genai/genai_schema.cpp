// A JSON Schema as Gemini's function `parameters` (an OpenAPI 3.0 subset without references).
#include "protocol/genai/genai.hpp"

#include <instructor/error.hpp>

#include <boost/json/serialize.hpp>

#include <mutex>
#include <unordered_map>

namespace instructor::detail {

namespace json = boost::json;

namespace {

/// Deep enough for any real model; a recursive one would never end.
constexpr int max_depth = 32;

json::value convert(json::value const& v, json::object const& defs, int depth);

json::object convert_object(json::object const& in, json::object const& defs, int depth)
{
    if (depth > max_depth)
        throw error(errc::invalid_argument,
                    "genai_tools cannot send this model: it is recursive or nested more than " +
                        std::to_string(max_depth) +
                        " deep, and Gemini's function schemas have no references (use "
                        "genai_structured_outputs)");
    if (auto const* ref = in.if_contains("$ref"); ref && ref->is_string()) {
        std::string_view r = ref->get_string();
        if (r == "#")  // the model itself, within it
            return convert_object(in, defs, max_depth + 1);
        constexpr std::string_view prefix = "#/$defs/";
        auto const* target = r.starts_with(prefix) ? defs.if_contains(r.substr(prefix.size()))
                                                   : nullptr;
        if (!target || !target->is_object())
            throw error(errc::invalid_argument, "a schema reference that is not in $defs: " +
                                                    std::string(r));
        auto out = convert_object(target->get_object(), defs, depth + 1);
        for (auto const& kv : in)  // a description beside the reference stays
            if (kv.key() != "$ref")
                out[kv.key()] = convert(kv.value(), defs, depth + 1);
        return out;
    }
    if (auto const* ap = in.if_contains("additionalProperties"); ap && ap->is_object())
        throw error(errc::invalid_argument,
                    "genai_tools cannot send a map (Gemini's function schemas have no "
                    "additionalProperties): use genai_structured_outputs");
    json::object out;
    for (auto const& kv : in) {
        auto const key = kv.key();
        auto const& val = kv.value();
        if (key == "$defs" || key == "$schema" || key == "additionalProperties")
            continue;
        if (key == "exclusiveMinimum" || key == "exclusiveMaximum") {
            // The subset has inclusive bounds only: the looser bound goes, the validator keeps
            // the exact one.
            auto const bound = key == "exclusiveMinimum" ? "minimum" : "maximum";
            if (!in.contains(bound))
                out[bound] = val;
            continue;
        }
        if (key == "const") {
            out["enum"] = json::array{val};
            continue;
        }
        if (key == "type" && val.is_array()) {  // ["string", "null"]
            json::array types;
            for (auto const& t : val.get_array())
                if (t == "null")
                    out["nullable"] = true;
                else
                    types.push_back(t);
            if (types.size() == 1)
                out["type"] = types.front();
            else if (!types.empty()) {
                json::array any;
                for (auto const& t : types)
                    any.push_back(json::object{{"type", t}});
                out["anyOf"] = std::move(any);
            }
            continue;
        }
        if (key == "anyOf" && val.is_array()) {
            json::array rest;
            for (auto const& alt : val.get_array()) {
                auto const* o = alt.if_object();
                if (o && o->size() == 1 && o->contains("type") && o->at("type") == "null")
                    out["nullable"] = true;
                else
                    rest.push_back(convert(alt, defs, depth + 1));
            }
            if (rest.size() == 1 && rest.front().is_object())
                for (auto const& kv2 : rest.front().get_object())
                    out[kv2.key()] = kv2.value();
            else
                out["anyOf"] = std::move(rest);
            continue;
        }
        if (key == "properties" && val.is_object()) {
            json::object props;
            for (auto const& p : val.get_object())
                props[p.key()] = convert(p.value(), defs, depth + 1);
            out["properties"] = std::move(props);
            continue;
        }
        // Values (enum, default) are copied as they are; only subschemas are converted.
        out[key] = key == "items" ? convert(val, defs, depth + 1) : val;
    }
    return out;
}

json::value convert(json::value const& v, json::object const& defs, int depth)
{
    if (v.is_object())
        return convert_object(v.get_object(), defs, depth);
    if (v.is_array()) {
        json::array out;
        for (auto const& e : v.get_array())
            out.push_back(convert(e, defs, depth));
        return out;
    }
    return v;
}

}  // namespace

json::object genai_function_schema(json::object const& schema)
{
    static json::object const none;
    auto const* defs = schema.if_contains("$defs");
    return convert_object(schema, defs && defs->is_object() ? defs->get_object() : none, 0);
}

std::string_view genai_function_schema_text(tool_spec const& t, std::string& scratch)
{
    if (t.parameters_json.empty()) {  // a schema of no kept type: converted on the spot
        scratch = json::serialize(genai_function_schema(*t.parameters));
        return scratch;
    }
    // Kept bytes mark a type's schema, which lives as long as the program: its conversion is
    // kept too, one per type (a schema that cannot be converted throws every time, as before).
    static std::mutex mutex;
    static std::unordered_map<json::object const*, std::string> kept;
    std::lock_guard lock(mutex);
    auto it = kept.find(t.parameters);
    if (it == kept.end())
        it = kept.emplace(t.parameters, json::serialize(genai_function_schema(*t.parameters))).first;
    return it->second;
}

}  // namespace instructor::detail
