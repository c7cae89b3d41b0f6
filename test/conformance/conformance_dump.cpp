// conformance_dump <corpus.json>: prints every registered model's schema and strict schema,
// and the decoder's verdict on each corpus instance, as one JSON document for check_with_ajv.js.
#include "models.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace json = boost::json;

namespace {

struct entry {
    std::string const& (*name)();
    json::object const& (*schema)();
    json::object const& (*strict_schema)();
    // Returns {valid, formatted issues} for one instance's JSON text.
    std::pair<bool, std::string> (*verdict)(std::string_view text);
};

template <class T>
std::pair<bool, std::string> verdict(std::string_view text)
{
    // The comparison is about JSON Schema semantics, so no lax coercions (25.0 or "25" for an
    // integer would be accepted by the decoder but not by the schema); extra keys are allowed
    // because the plain schema allows them too.
    auto r = ins::decode<T>(text, ins::decode_options{.coerce = false, .allow_extra = true});
    return {static_cast<bool>(r), ins::format_issues(r.issues)};
}

template <class T>
constexpr entry make_entry()
{
    return {&ins::model_name<T>, &ins::json_schema<T>, &ins::strict_json_schema<T>, &verdict<T>};
}

// Signup and Team have a validate() whose rules (email contains '@', password == confirm) no
// JSON Schema states; the corpus only holds instances of them where those rules hold, so a
// verdict difference there would still be a schema/decoder disagreement.
constexpr entry registry[] = {
    make_entry<models::UserInfo>(),      make_entry<models::Address>(),
    make_entry<models::Person>(),        make_entry<models::Ticket>(),
    make_entry<models::Constrained>(),   make_entry<models::TreeNode>(),
    make_entry<models::Household>(),     make_entry<models::Anything>(),
    make_entry<models::Defaults>(),      make_entry<models::Derived>(),
    make_entry<models::Signup>(),        make_entry<models::Team>(),
    make_entry<models::IntegerWidths>(), make_entry<models::Directory>(),
    make_entry<models::Profile>(),
};

entry const* find(std::string_view name)
{
    for (auto const& e : registry)
        if (e.name() == name)
            return &e;
    return nullptr;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: conformance_dump <corpus.json>\n";
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::cerr << "cannot open " << argv[1] << "\n";
        return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    json::value corpus;
    try {
        corpus = json::parse(text.str());
    }
    catch (std::exception const& e) {
        std::cerr << argv[1] << ": " << e.what() << "\n";
        return 2;
    }

    json::object schemas, strict;
    for (auto const& e : registry) {
        schemas[e.name()] = e.schema();
        strict[e.name()] = e.strict_schema();
    }

    json::array verdicts;
    std::size_t index = 0;
    for (auto const& item : corpus.as_array()) {
        auto const& o = item.as_object();
        std::string_view model = o.at("model").as_string();
        entry const* e = find(model);
        if (!e) {
            std::cerr << "corpus item " << index << ": unknown model '" << model << "'\n";
            return 2;
        }
        auto [valid, issues] = e->verdict(json::serialize(o.at("instance")));
        verdicts.push_back(json::object{
            {"model", model}, {"index", index}, {"valid", valid}, {"issues", issues}});
        ++index;
    }
    json::object out{{"schemas", std::move(schemas)},
                     {"strict_schemas", std::move(strict)},
                     {"verdicts", std::move(verdicts)}};
    std::cout << json::serialize(out) << "\n";
}
