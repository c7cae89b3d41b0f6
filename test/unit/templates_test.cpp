// Message templates from untrusted text: measured before kainjow parses them (size, section
// nesting, an upper bound of the output), refused with invalid_argument past a limit, never a
// crash or an unbounded allocation; partials never parse a value; ordinary templates unchanged.
#include "client/templates.hpp"

#include <instructor/error.hpp>
#include <instructor/message.hpp>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <string>

namespace templates_test {

namespace ins = instructor;
namespace det = ins::detail;
namespace json = boost::json;

namespace {

std::string repeat(std::string const& s, std::size_t n)
{
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i)
        out += s;
    return out;
}

/// The text rendered with `context`, or the invalid_argument message prefixed with "refused: ".
std::string render(std::string text, json::object context, det::template_limits limits = {})
{
    ins::request req;
    req.messages.push_back(ins::message::user(std::move(text)));
    req.context = std::move(context);
    try {
        det::render_templates(req, limits);
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::invalid_argument) << e.what();
        return std::string("refused: ") + e.what();
    }
    return req.messages[0].content;
}

json::object ten_items()
{
    return json::parse(R"({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]})").as_object();
}

bool refused(std::string const& out, std::string const& why)
{
    return out.starts_with("refused: ") && out.find(why) != std::string::npos;
}

}  // namespace

TEST(Templates, DeepNestingIsRefusedBeforeKainjowParsesIt)
{
    // Unclosed: kainjow's parse walks them recursively (20,000 overflow the stack).
    auto out = render(repeat("{{#a}}", 20'000), {{"a", true}});
    EXPECT_TRUE(refused(out, "message 0 (user) nests sections more than 32 deep")) << out;
    // Closed: each section keeps a copy of its text (quadratic); 1,000 would render.
    out = render(repeat("{{#a}}", 1000) + "x" + repeat("{{/a}}", 1000), {{"a", true}});
    EXPECT_TRUE(refused(out, "more than 32 deep")) << out.substr(0, 200);
    // 32 is allowed.
    EXPECT_EQ(render(repeat("{{#a}}", 32) + "x" + repeat("{{/a}}", 32), {{"a", true}}), "x");
}

TEST(Templates, NestingIsCountedWithTheDelimitersTheTemplateSets)
{
    auto const text = "{{=<% %>=}}" + repeat("<%#a%>", 40) + "x" + repeat("<%/a%>", 40);
    EXPECT_TRUE(refused(render(text, {{"a", true}}), "more than 32 deep"));
    EXPECT_EQ(render("{{=<% %>=}}<%#a%><%b%><%/a%> {{b}}", {{"a", true}, {"b", "B"}}), "B {{b}}");
}

TEST(Templates, FanOutOverListsIsRefusedByTheOutputBound)
{
    // 10^8 bytes from a 100-byte template.
    auto out = render(repeat("{{#a}}", 8) + "x" + repeat("{{/a}}", 8), ten_items());
    EXPECT_TRUE(refused(out, "could render more than 4194304 bytes")) << out;
    // Nothing rendered, 10^8 passes all the same: each pass and each tag counts.
    EXPECT_TRUE(refused(render(repeat("{{#a}}", 8) + repeat("{{/a}}", 8), ten_items()),
                        "could render more than"));
    EXPECT_TRUE(refused(render(repeat("{{#a}}", 5) + repeat("{{missing}}", 100) +
                                   repeat("{{/a}}", 5), ten_items()),
                        "could render more than"));
    // The bound is never below what renders.
    EXPECT_EQ(render("{{#a}}{{.}}{{/a}}", ten_items()), "12345678910");
    EXPECT_TRUE(refused(render("{{#a}}{{.}}{{/a}}", ten_items(), {.max_output = 10}), "than 10"));
    EXPECT_EQ(render("{{#a}}xy{{/a}}", ten_items()), repeat("xy", 10));
    EXPECT_TRUE(refused(render("{{#a}}xy{{/a}}", ten_items(), {.max_output = 19}), "than 19"));
    // Variables count as the longest value under their name.
    json::object big{{"doc", std::string(5 * 1024 * 1024, 'd')}};
    EXPECT_TRUE(refused(render("{{doc}}", big), "could render more than"));
}

TEST(Templates, TemplatesLargeOrCostlyToParseAreRefusedTextsWithoutTagsAreNot)
{
    auto const text = std::string(1024 * 1024, 't');
    EXPECT_TRUE(refused(render(text + "{{x}}", {{"x", 1}}), "is 1048581 bytes (at most 1048576)"));
    EXPECT_EQ(render(text + "{x}", {{"x", 1}}), text + "{x}");  // not a template
    // kainjow keeps a node of ~300 bytes per blank: 1 MiB of spaces took 277 MB to parse
    // (texts appended, not built with `+`: GCC 12 warns wrongly on a long literal-free `+`)
    std::string blanks(512 * 1024, ' ');
    blanks += "{{x}}";
    EXPECT_TRUE(refused(render(blanks, {{"x", 1}}), "would take more than 16777216 bytes to parse"));
    std::string words(512 * 1024, 't');
    words += "{{x}}";
    EXPECT_EQ(render(words, {{"x", 1}}).size(), 512 * 1024 + 1);
    EXPECT_EQ(render(repeat("word ", 20'000) + "{{x}}", {{"x", 1}}).size(), 100'001u);
    // each section keeps a copy of its text
    auto const copies = repeat("{{#a}}", 30) + std::string(600 * 1024, 't') + repeat("{{/a}}", 30);
    EXPECT_TRUE(refused(render(copies, {{"a", true}}), "to parse"));
}

TEST(Templates, PartialsRenderNothingAndNeverParseAValue)
{
    // A value naming itself as a partial recursed without end; one holding sections fanned out.
    json::object ctx{{"p", "{{>p}}"},
                     {"q", repeat("{{#a}}", 8) + "x" + repeat("{{/a}}", 8)},
                     {"a", json::array{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}};
    EXPECT_EQ(render("[{{>p}}][{{> q}}]", ctx), "[][]");
}

TEST(Templates, OrdinaryTemplatesRenderAsBefore)
{
    auto const ctx = json::parse(R"({"email": "<steve@apple.com>",
        "rules": ["gmail is personal", "apple.com is work"], "strict": false,
        "person": {"name": "Ada"}, "n": 2, "source": ")" + std::string(3 * 1024 * 1024, 's') +
                                 R"("})").as_object();
    EXPECT_EQ(render("Address: {{{email}}} & co\n{{#rules}}- {{.}}\n{{/rules}}"
                     "{{^strict}}Be lenient.{{/strict}} {{person.name}} {{&n}}",
                     ctx),
              "Address: <steve@apple.com> & co\n- gmail is personal\n- apple.com is work\n"
              "Be lenient. Ada 2");
    // `{{.}}` in a section over short items is bounded by the items, not by the 3 MiB source.
    auto const out =
        render("{{source}}\n{{#rules}}{{#person}}{{name}}{{/person}}: {{.}}\n{{/rules}}", ctx);
    EXPECT_EQ(out.size(), 3 * 1024 * 1024 + 47) << out.substr(0, 100);
    EXPECT_TRUE(render("{{#open}} never closed", {{"open", true}}).starts_with("refused: "));
    EXPECT_EQ(render("Literal {{missing}} stays empty.", {{"x", 1}}), "Literal  stays empty.");
}

}  // namespace templates_test
