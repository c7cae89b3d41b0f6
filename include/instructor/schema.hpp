// JSON Schema of a response model, plain and OpenAI-strict.
#pragma once

#include <instructor/detail/schema_builder.hpp>

#include <boost/json/object.hpp>

namespace instructor {

/// T's JSON Schema (draft 2020-12 subset accepted by OpenAI, Anthropic and Gemini): built on the
/// first call, then the same object is returned without allocating. Nested models are in
/// `$defs`; a model that contains itself refers to the root as `{"$ref": "#"}`.
template <class T>
boost::json::object const& json_schema()
{
    static boost::json::object const schema = detail::build_schema<T>();
    return schema;
}

/// Rewrites a schema for OpenAI strict mode: every property required (optional ones are already
/// a union with null), `additionalProperties: false` on every object, and keywords strict mode
/// rejects (minLength, maxLength, default) removed; the decoder still enforces them. Maps
/// (`additionalProperties` schemas) cannot be expressed in strict mode and are left as they are.
boost::json::object make_strict(boost::json::object const& schema);

/// `make_strict(json_schema<T>())`, cached like json_schema.
template <class T>
boost::json::object const& strict_json_schema()
{
    static boost::json::object const schema = make_strict(json_schema<T>());
    return schema;
}

}  // namespace instructor
