// Deterministic JSON instances of a JSON Schema: the mock endpoint's default answers.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string_view>

namespace instructor::testing {

/// A JSON instance that satisfies `schema`, generated deterministically. Where a simple rule
/// finds a value in `prompt` (the text of the request's user messages), that value is used.
///
/// `schema` is the draft 2020-12 subset that `json_schema<T>()` and `strict_json_schema<T>()`
/// produce: type, properties, required, additionalProperties, items, enum, anyOf, `$ref`
/// ("#/$defs/Name" or "#", resolved against `schema`), minimum, maximum, exclusiveMinimum,
/// exclusiveMaximum, minLength, maxLength, pattern, minItems, maxItems; description and title
/// are ignored. The rules:
///
/// - object: every property in `properties`, required or optional, and nothing else; a map
///   (an `additionalProperties` schema, no properties) gets the one entry `"key"`.
/// - array: max(minItems, 1) items, at most maxItems.
/// - anyOf: the first alternative that is not `{"type": "null"}`.
/// - enum: the value named in the prompt (case-insensitive, whole word; the earliest one),
///   else the first.
/// - string, by the name of the property holding it: `name`, `full_name`, `*_name` take the
///   first run of 2-3 Capitalized words in the prompt ("John Doe"), else "Jane Doe"; a name
///   containing `email` takes the first e-mail address in the prompt, else "jane@example.com";
///   anything else is "example". minLength pads with 'x' and maxLength truncates, both in code
///   points. A `pattern` is checked (std::regex, ECMAScript, search; not on values longer than
///   1000 bytes, nor when std::regex cannot read it) and the first of those candidates and
///   "example" that matches is used, but patterns are not synthesized: when none matches, the
///   value is left as it is and is not valid (script the mock for such fields).
/// - integer: the first integer in the prompt within the bounds, else the smallest valid value
///   >= 0 (0, the minimum, exclusiveMinimum + 1, or the maximum when every valid value is
///   negative); emitted as int64.
/// - number: the same with decimals allowed (a value strictly between two exclusive bounds when
///   needed); emitted as double.
/// - boolean: true; null: null; `{}` (any value): an empty object.
///
/// Recursion ends: inside a second expansion of a schema through `$ref` (a recursive model's
/// child), arrays are empty when minItems allows, maps are empty and `anyOf [X, null]` is null.
/// A schema that admits no finite instance (a required recursive member, a cycle of `$ref`s) is
/// cut off with null after 128 nested schemas, and counts (minItems, minLength) are capped at
/// 10000; the instance is then not valid. An unresolvable `$ref` is treated as `{}`.
boost::json::value example_instance(boost::json::object const& schema,
                                    std::string_view prompt = {});

}  // namespace instructor::testing
