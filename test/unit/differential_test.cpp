// One reply, one meaning: every answer of the repair corpus (real replies from ../shared/wire and
// the peers' test cases), and mutations of them, through the call core as a whole reply and as
// a stream cut at many points, in every mode of every API: the last snapshot of create_partial
// is what create returns, and where create fails the stream fails with the same errc and issues.
#include "differential.hpp"
#include "repair_corpus.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace differential_test {

using differential::verdict;

namespace {

constexpr ins::mode modes[] = {ins::mode::tools,           ins::mode::json_schema,
                               ins::mode::md_json,         ins::mode::json,
                               ins::mode::anthropic_tools, ins::mode::anthropic_json,
                               ins::mode::responses_tools, ins::mode::responses_structured_outputs,
                               ins::mode::genai_tools,     ins::mode::genai_structured_outputs,
                               ins::mode::bedrock_tools,   ins::mode::bedrock_json};

/// Whole vs streamed (pieces of 1, 7 and 64 bytes; reads of 5 bytes and of everything) for one
/// text; a failure names what disagreed.
template <class T>
void agree(ins::mode m, std::string const& text, std::string const& name)
{
    auto const tool = differential::tool_name<T>();
    auto const base = reply_forms::of(m, tool, text, 7);
    boost::system::error_code ec;
    if (!base || (boost::json::parse(base->whole, ec), ec))
        return;  // no API can carry the text (not UTF-8), or this one cannot (a tool input
                 // that is not an object)
    verdict const want = differential::whole<T>(m, base->whole);
    for (std::size_t piece : {1u, 7u, 64u}) {
        auto const f = reply_forms::of(m, tool, text, piece);
        for (std::size_t read : {5u, 1u << 20}) {
            verdict const got = differential::partial<T>(m, f->stream, read);
            EXPECT_TRUE(got.same_meaning(want))
                << name << " in " << ins::to_string(m) << ", pieces of " << piece << ", reads of "
                << read << "\n  whole:    " << want.describe() << "\n  streamed: " << got.describe();
        }
    }
}

template <class T>
void agree_everywhere(std::string const& text, std::string const& name)
{
    for (auto m : modes)
        agree<T>(m, text, name);
}

using agree_fn = void (*)(std::string const&, std::string const&);

agree_fn agree_for(std::string_view model)
{
    using namespace repair_corpus;
    if (model == "City") return &agree_everywhere<City>;
    if (model == "Sum") return &agree_everywhere<Sum>;
    if (model == "Output") return &agree_everywhere<Output>;
    if (model == "Addition") return &agree_everywhere<Addition>;
    if (model == "Forecast") return &agree_everywhere<Forecast>;
    if (model == "ToolCall") return &agree_everywhere<ToolCall>;
    if (model == "User") return &agree_everywhere<User>;
    if (model == "Ticket") return &agree_everywhere<Ticket>;
    if (model == "Task") return &agree_everywhere<Task>;
    if (model == "Note") return &agree_everywhere<Note>;
    if (model == "Order") return &agree_everywhere<Order>;
    return nullptr;
}

// Under AddressSanitizer (the sanitized leg of scripts/test.sh) the two corpus-wide tests read
// every other entry: there they look for memory and undefined-behaviour faults, which every
// mode, piece and read size still reaches, at 15x the plain build's time; the plain build holds
// every entry to the one judgment.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t stride = 2;
#else
constexpr std::size_t stride = 1;
#endif

std::vector<repair_corpus::entry> const& corpus()
{
    static auto const c = repair_corpus::load(INSTRUCTOR_TEST_DATA_DIR "/repair_corpus.json");
    return c;
}

/// Deterministic mutations: cut short, a byte dropped, a byte doubled, a stray comma, a
/// second value after the first.
std::vector<std::pair<std::string, std::string>> mutations(std::string const& t)
{
    std::vector<std::pair<std::string, std::string>> out;
    if (t.empty())
        return out;
    out.emplace_back("cut at 2/3", t.substr(0, t.size() * 2 / 3));
    out.emplace_back("byte dropped", t.substr(0, t.size() / 2) + t.substr(t.size() / 2 + 1));
    out.emplace_back("byte doubled", t.substr(0, t.size() / 3 + 1) + t.substr(t.size() / 3));
    out.emplace_back("stray comma", t.substr(0, t.size() / 2) + "," + t.substr(t.size() / 2));
    out.emplace_back("two values", t + "\n" + t);
    return out;
}

}  // namespace

TEST(OneJudgment, EveryCorpusReplyMeansTheSameWholeOrStreamed)
{
    std::size_t n = 0;
    for (std::size_t i = 0; i < corpus().size(); i += stride) {
        auto const& e = corpus()[i];
        auto fn = agree_for(e.model);
        ASSERT_NE(fn, nullptr) << e.model;
        fn(e.text, e.name);
        ++n;
    }
    EXPECT_GT(n, 300u / stride);
}

TEST(OneJudgment, MutatedRepliesMeanTheSameWholeOrStreamed)
{
    // a third of the corpus, each mutated
    for (std::size_t i = 0; i < corpus().size(); i += 3 * stride) {
        auto const& e = corpus()[i];
        for (auto const& [how, text] : mutations(e.text))
            agree_for(e.model)(text, e.name + " (" + how + ")");
    }
}

// The shapes a new user found (the peers' own test cases), each once more by name.
TEST(OneJudgment, TheShapesThatOnceDisagreed)
{
    using repair_corpus::User;
    // Prose inside the fence before the value.
    agree_everywhere<User>("```json\nHere it is:\n{\"name\": \"Ann\", \"age\": 3}\n```", "prose in fence");
    // Several values: only the second validates; two that both validate and differ.
    agree_everywhere<User>("{\"name\": 1}\n{\"name\": \"Ann\", \"age\": 3}", "second validates");
    agree_everywhere<User>("{\"name\": \"Ann\", \"age\": 3} {\"name\": \"Bob\", \"age\": 4}", "two readings");
    // Whitespace or a control byte before tool arguments.
    agree_everywhere<User>("  \n{\"name\": \"Ann\", \"age\": 3}", "blank before");
    agree_everywhere<User>("\x01{\"name\": \"Ann\", \"age\": 3}", "control byte before");
    // What repair must not make into a value.
    agree_everywhere<User>("{\"name\": \"Ann\", \"age\": about 30}", "a word before a number");
    agree_everywhere<User>("{\"name\": \"Ann\", \"age\": 1/2}", "a fraction");
}

struct Dose {
    std::string drug;
    double mg;
};
BOOST_DESCRIBE_STRUCT(Dose, (), (drug, mg))

// The streaming repair gave up on a `/` or a bare word and dropped what it held, so `1/2`
// streamed as 12 and `about 30` as 30. No snapshot may show a value the text does not hold.
TEST(OneJudgment, NoSnapshotShowsAValueTheTextDoesNotHold)
{
    for (auto m : modes) {
        for (std::size_t piece : {1u, 3u, 64u}) {
            auto f = reply_forms::of(m, "Dose", R"({"drug": "x", "mg": 1/2})", piece);
            if (!f)
                continue;  // Anthropic's tool input is always JSON
            auto v = differential::partial<Dose>(m, f->stream, 5);
            EXPECT_FALSE(v.value) << ins::to_string(m);
            for (auto const& s : v.shown)
                EXPECT_EQ(s.find("12"), std::string::npos) << ins::to_string(m) << ": " << s;

            auto g = reply_forms::of(m, "UserInfo", R"({"name": "Ann", "age": about 30})", piece);
            if (!g)
                continue;
            auto w = differential::partial<repair_corpus::User>(m, g->stream, 5);
            EXPECT_FALSE(w.value) << ins::to_string(m);
            for (auto const& s : w.shown)
                EXPECT_EQ(s.find("30"), std::string::npos) << ins::to_string(m) << ": " << s;
        }
    }
}

// create_iterable: the items of a stream are the items of the whole reply, in order, and the
// errors are the same.
TEST(OneJudgment, IterableItemsAreTheWholeReplysItems)
{
    using repair_corpus::User;
    std::vector<std::string> const texts = {
        R"({"tasks": [{"name": "Ann", "age": 3}, {"name": "Bob", "age": 4}]})",
        R"({'tasks': [{'name': 'Ann', 'age': 3,}, {name: 'Bob', age: 4}]})",
        "Sure:\n```json\nThe list:\n{\"tasks\": [{\"name\": \"Ann\", \"age\": 3}]}\n```",
        R"({"tasks": [{"name": "Ann", "age": 3}, {"name": "Bob", "age": "four"}]})",
        R"({"tasks": [{"name": "Ann", "age": 3}, {"name": "Bob", "age": 1/2}]})",
        R"({"tasks": [{"name": "Ann", "age": 3}]} {"tasks": [{"name": "Bob", "age": 4}]})",
        R"({"tasks": [{"name": "Ann", "age": 3}, {"name": "Bo)",
    };
    for (auto const& text : texts)
        for (auto m : modes) {
            auto const name = "Iterable" + differential::tool_name<User>();
            auto base = reply_forms::of(m, name, text, 7);
            if (!base)
                continue;
            auto const want = differential::items<User>(m, base->whole, false, 0);
            for (std::size_t piece : {1u, 16u}) {
                auto f = reply_forms::of(m, name, text, piece);
                auto const got = differential::items<User>(m, f->stream, true, 3);
                if (want.value) {
                    EXPECT_TRUE(got.same_meaning(want))
                        << text << " in " << ins::to_string(m) << "\n  whole:    "
                        << want.describe() << "\n  streamed: " << got.describe();
                }
                else {
                    // Items already handed out cannot be taken back, but the stream ends with
                    // the whole reply's error.
                    EXPECT_EQ(got.code, want.code) << text << " in " << ins::to_string(m);
                    EXPECT_EQ(got.issues, want.issues) << text << " in " << ins::to_string(m);
                }
            }
        }
}

}  // namespace differential_test
