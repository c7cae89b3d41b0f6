// The instructor-batch command over any set of response models: `batch_main<Models...>(argc,
// argv)` is a whole command (tools/instructor_batch.cpp ships it with the example models; a
// program of your own passes its own types). See `usage` below for the subcommands.
#pragma once

#include "flag_values.hpp"
#include "output_escaping.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace tools {

inline constexpr char const* batch_usage =
    "usage: instructor-batch COMMAND [flags]\n"
    "  create  (--requests FILE.jsonl | --dir DIR --prompt TEXT) --type T [--metadata K=V]...\n"
    "  status  ID          the batch now\n"
    "  wait    ID          polls until it ends (a progress bar on a terminal)\n"
    "  list    [--limit N] [--after ID]\n"
    "  cancel  ID\n"
    "  results ID --type T [--format jsonl|csv] [--out FILE]\n"
    "  retry-failures ID --type T (--requests FILE.jsonl | --dir DIR --prompt TEXT)\n"
    "  run     (--requests FILE.jsonl | --dir DIR --prompt TEXT) --type T [--retry]\n"
    "          [--format jsonl|csv] [--out FILE]: create, wait, results in one go\n"
    "flags for every command:\n"
    "  --url URL            the provider's base URL; without it, the embedded mock endpoint\n"
    "                       (its batches live as long as the command: use `run`, or start\n"
    "                       instructor-mock and pass its URL)\n"
    "  --provider openai|anthropic   the batch API and the default mode (tools,\n"
    "                       anthropic_tools) and key variable (OPENAI_API_KEY, ANTHROPIC_API_KEY)\n"
    "  --mode MODE  --model M  --api-key-env NAME  --poll-seconds S  --json\n"
    "  --price IN:OUT[:CACHED]   the model's US dollars per million tokens: results and run\n"
    "                       then print what the answers cost (batch lines at half price)\n"
    "  --mock-delay-ms N  --mock-fail ID,...  --mock-invalid ID,...   (the embedded mock)\n"
    "A requests file holds one JSON object a line: {\"custom_id\"?, \"messages\": [{\"role\",\n"
    "\"content\"}]} or {\"custom_id\"?, \"text\"} (with --prompt as the system message), and\n"
    "optionally \"model\", \"max_tokens\", \"temperature\". A directory gives one request per\n"
    "*.txt file, its name (letters, digits, '_', '-') as the custom_id.\n";

struct batch_config {
    std::string command;
    std::string id;
    std::string url;
    std::string provider = "openai";
    std::optional<instructor::mode> mode;
    std::string model;
    std::string api_key_env;
    std::string requests_file, dir, prompt, type, format = "jsonl", out;
    instructor::batch_options options;
    instructor::list_options list;
    double poll_seconds = 2;
    bool json = false;
    bool retry = false;
    std::optional<instructor::price> price;  // --price: what the results cost
    instructor::testing::mock_options mock;
};

namespace batch_detail {

namespace ins = instructor;
namespace json = boost::json;
namespace asio = boost::asio;

inline tools::flag_values const flags{"instructor-batch", batch_usage};

inline std::vector<std::string> split_ids(std::string_view v)
{
    std::vector<std::string> out;
    for (std::size_t at = 0; at <= v.size();) {
        auto const comma = std::min(v.find(',', at), v.size());
        if (comma > at)
            out.emplace_back(v.substr(at, comma - at));
        at = comma + 1;
    }
    return out;
}

inline batch_config parse(int argc, char** argv)
{
    batch_config c;
    if (argc < 2)
        flags.fail("a command is needed");
    c.command = argv[1];
    if (c.command == "--help" || c.command == "help") {
        std::cout << batch_usage;
        std::exit(0);
    }
    static std::set<std::string> const commands{"create", "status",         "wait", "list",
                                                "cancel", "results", "retry-failures", "run"};
    if (!commands.contains(c.command))
        flags.fail("unknown command '" + c.command + "'");
    int i = 2;
    bool const needs_id = c.command == "status" || c.command == "wait" || c.command == "cancel" ||
                          c.command == "results" || c.command == "retry-failures";
    if (needs_id) {
        if (i >= argc || std::string_view(argv[i]).starts_with("--"))
            flags.fail(c.command + " needs a batch id");
        c.id = argv[i++];
    }
    for (; i < argc; ++i) {
        std::string_view const a = argv[i];
        if (a == "--json" || a == "--retry") {
            (a == "--json" ? c.json : c.retry) = true;
            continue;
        }
        if (!a.starts_with("--"))
            flags.fail("'" + std::string(a) + "' is not a flag");
        if (i + 1 >= argc)
            flags.fail(std::string(a) + " needs a value");
        std::string_view const v = argv[++i];
        if (a == "--url")
            c.url = v;
        else if (a == "--provider") {
            if (v != "openai" && v != "anthropic")
                flags.fail("--provider is openai or anthropic, not '" + std::string(v) + "'");
            c.provider = v;
        }
        else if (a == "--mode") {
            c.mode = ins::mode_from_string(v);
            if (!c.mode)
                flags.fail("unknown mode '" + std::string(v) + "'");
        }
        else if (a == "--model")
            c.model = v;
        else if (a == "--api-key-env")
            c.api_key_env = v;
        else if (a == "--requests")
            c.requests_file = v;
        else if (a == "--dir")
            c.dir = v;
        else if (a == "--prompt")
            c.prompt = v;
        else if (a == "--type")
            c.type = v;
        else if (a == "--format") {
            if (v != "jsonl" && v != "csv")
                flags.fail("--format is jsonl or csv, not '" + std::string(v) + "'");
            c.format = v;
        }
        else if (a == "--out")
            c.out = v;
        else if (a == "--metadata") {
            auto const eq = v.find('=');
            if (eq == std::string_view::npos || eq == 0)
                flags.fail("--metadata takes KEY=VALUE, not '" + std::string(v) + "'");
            c.options.metadata[v.substr(0, eq)] = v.substr(eq + 1);
        }
        else if (a == "--limit")
            c.list.limit = flags.whole(a, v, 1, 100);
        else if (a == "--after")
            c.list.after = v;
        else if (a == "--price")
            c.price = flags.price(a, v);
        else if (a == "--poll-seconds")
            c.poll_seconds = flags.real(a, v, 0.001, 3600);
        else if (a == "--mock-delay-ms")
            c.mock.batch_delay = std::chrono::milliseconds(flags.whole(a, v, 0, 3'600'000));
        else if (a == "--mock-fail")
            c.mock.batch_fail_ids = split_ids(v);
        else if (a == "--mock-invalid")
            c.mock.batch_invalid_ids = split_ids(v);
        else
            flags.fail("unknown flag " + std::string(a));
    }
    bool const needs_input = c.command == "create" || c.command == "run" || c.command == "retry-failures";
    if (needs_input) {
        if (c.requests_file.empty() == c.dir.empty())
            flags.fail(c.command + " takes --requests FILE or --dir DIR (one of them)");
        if (!c.dir.empty() && c.prompt.empty())
            flags.fail("--dir needs --prompt (the system message for every file)");
    }
    if ((needs_input || c.command == "results") && c.type.empty())
        flags.fail(c.command + " needs --type (the response model)");
    if (c.url.empty() && c.command != "run")
        flags.fail("without --url the embedded mock's batches end with the command: `" +
                   c.command + "` needs --url (start instructor-mock for one), or use `run`");
    return c;
}

/// A requests file or a directory of texts, as requests and their custom_ids.
inline std::vector<ins::request> read_requests(batch_config const& c, std::vector<std::string>& ids)
{
    std::vector<ins::request> reqs;
    auto const base = [&] {
        ins::request r;
        r.model = c.model;
        if (!c.prompt.empty())
            r.messages.push_back(ins::message::system(c.prompt));
        return r;
    };
    if (!c.dir.empty()) {
        std::vector<std::filesystem::path> files;
        std::error_code ec;
        for (auto const& e : std::filesystem::directory_iterator(c.dir, ec))
            if (e.is_regular_file() && e.path().extension() == ".txt")
                files.push_back(e.path());
        if (ec)
            flags.fail("cannot read the directory " + c.dir + ": " + ec.message());
        std::sort(files.begin(), files.end());
        std::set<std::string> seen;
        for (auto const& f : files) {
            std::ifstream in(f, std::ios::binary);
            std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            std::string id;
            for (char ch : f.stem().string())
                id += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') ? ch : '_';
            id = id.substr(0, 64);
            if (!seen.insert(id).second)
                flags.fail("two files of " + c.dir + " make the custom_id '" + id + "'");
            auto r = base();
            r.messages.push_back(ins::message::user(std::move(text)));
            reqs.push_back(std::move(r));
            ids.push_back(std::move(id));
        }
        if (reqs.empty())
            flags.fail(c.dir + " has no .txt file");
        return reqs;
    }
    std::ifstream in(c.requests_file, std::ios::binary);
    if (!in)
        flags.fail("cannot open " + c.requests_file);
    std::string line;
    std::size_t number = 0, with_ids = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        boost::system::error_code ec;
        auto v = json::parse(line, ec);
        auto const* o = ec ? nullptr : v.if_object();
        auto const where = c.requests_file + ":" + std::to_string(number);
        if (!o)
            flags.fail(where + " is not a JSON object");
        auto r = base();
        if (auto const* id = o->if_contains("custom_id")) {
            if (!id->is_string())
                flags.fail(where + ": custom_id is not a string");
            ids.emplace_back(id->get_string());
            ++with_ids;
        }
        if (auto const* m = o->if_contains("model"); m && m->is_string())
            r.model = m->get_string();
        if (auto const* t = o->if_contains("max_tokens"); t && t->is_int64())
            r.max_tokens = static_cast<int>(t->get_int64());
        if (auto const* t = o->if_contains("temperature"); t && t->is_number())
            r.temperature = t->to_number<double>();
        if (auto const* text = o->if_contains("text"); text && text->is_string())
            r.messages.push_back(ins::message::user(std::string(text->get_string())));
        else if (auto const* msgs = o->if_contains("messages"); msgs && msgs->is_array()) {
            for (auto const& m : msgs->get_array()) {
                auto const* mo = m.if_object();
                auto const* role = mo ? mo->if_contains("role") : nullptr;
                auto const* content = mo ? mo->if_contains("content") : nullptr;
                if (!role || !role->is_string() || !content || !content->is_string())
                    flags.fail(where + ": each message needs a string role and content");
                r.messages.push_back({std::string(role->get_string()),
                                      std::string(content->get_string()), {}, {}, {}});
            }
        }
        else
            flags.fail(where + " has neither \"text\" nor \"messages\"");
        reqs.push_back(std::move(r));
    }
    if (reqs.empty())
        flags.fail(c.requests_file + " holds no request");
    if (with_ids != 0 && with_ids != reqs.size())
        flags.fail(c.requests_file + ": give every request a custom_id, or none");
    return reqs;
}

inline json::object describe(ins::batch const& b)
{
    json::object o{{"id", b.id},         {"status", b.status},   {"total", b.total},
                   {"completed", b.completed}, {"failed", b.failed}, {"endpoint", b.endpoint}};
    if (!b.output_file_id.empty())
        o["output_file_id"] = b.output_file_id;
    if (!b.error_file_id.empty())
        o["error_file_id"] = b.error_file_id;
    if (!b.failure.empty())
        o["failure"] = b.failure;
    return o;
}

inline void print_batch(batch_config const& c, ins::batch const& b)
{
    if (c.json) {
        std::cout << json::serialize(describe(b)) << "\n";
        return;
    }
    // The server's words, escaped: no control character reaches the terminal.
    std::cout << terminal_text(b.id) << "  " << terminal_text(b.status) << "  " << b.completed
              << "/" << b.total << " done, " << b.failed << " failed";
    if (!b.failure.empty())
        std::cout << "  (" << terminal_text(b.failure) << ")";
    std::cout << "\n";
}

/// Writes each result as it is read: JSONL or CSV (custom_id, status, one column per member of
/// T, error; cells that would start a spreadsheet formula neutralised). Returns {ok, not ok}.
template <class T>
asio::awaitable<std::pair<std::size_t, std::size_t>> write_results(
    ins::stream<ins::batch_result<T>> results, batch_config const& c, std::ostream& out)
{
    std::vector<std::string> columns;
    for (auto const& p : ins::json_schema<T>().at("properties").as_object())
        columns.emplace_back(p.key());
    if (c.format == "csv") {
        out << "custom_id,status";
        for (auto const& col : columns)
            out << "," << csv_cell(col);
        out << ",error\n";
    }
    std::size_t ok = 0, bad = 0;
    while (auto r = co_await results.next()) {
        (r->value ? ok : bad) += 1;
        std::string const status = r->value ? "ok" : r->error ? "error" : "invalid";
        std::string error;
        if (r->error)
            error = std::string(ins::to_string(r->error->code_enum())) + ": " + r->error->what();
        else if (!r->value)
            error = ins::format_issues(r->issues);
        if (c.format == "csv") {
            out << csv_cell(r->custom_id) << "," << status;
            json::object v = r->value ? ins::to_value(*r->value).as_object() : json::object();
            for (auto const& col : columns) {
                auto const* x = v.if_contains(col);
                out << "," << (!x || x->is_null() ? std::string()
                                : x->is_string()  ? csv_cell(x->get_string())
                                                  : csv_cell(json::serialize(*x)));
            }
            out << "," << csv_cell(error) << "\n";
            continue;
        }
        json::object line{{"custom_id", r->custom_id}, {"status", status}};
        if (r->attempt > 1)
            line["attempt"] = r->attempt;
        if (r->value)
            line["value"] = ins::to_value(*r->value);
        if (!r->issues.empty()) {
            json::array issues;
            for (auto const& is : r->issues)
                issues.push_back(json::object{{"path", is.path}, {"message", is.message}});
            line["issues"] = std::move(issues);
        }
        if (r->error) {
            json::object e{{"code", ins::to_string(r->error->code_enum())}, {"message", r->error->what()}};
            if (r->error->http_status)
                e["http_status"] = *r->error->http_status;
            line["error"] = std::move(e);
        }
        out << json::serialize(line) << "\n";
    }
    if (c.price) {  // beside the results, never in them
        auto const u = results.total_usage();
        if (u.cost_usd)
            std::fprintf(stderr, "cost: $%.6f (%llu tokens, at %.0f%% of --price for batch lines)\n",
                         *u.cost_usd, static_cast<unsigned long long>(u.total_tokens),
                         c.price->batch_share * 100);
        else  // never a made-up $0
            std::fprintf(stderr, "cost: unknown (%llu tokens; no line names a priced model)\n",
                         static_cast<unsigned long long>(u.total_tokens));
    }
    co_return std::pair{ok, bad};
}

inline ins::wait_options waiting(batch_config const& c)
{
    ins::wait_options wo;
    wo.first_poll = std::chrono::milliseconds(static_cast<long long>(c.poll_seconds * 1000));
    wo.max_poll = std::max(wo.first_poll, std::chrono::milliseconds(60'000));
    if (!c.json && isatty(STDERR_FILENO))
        wo.on_progress = [](ins::batch const& b) {
            int const width = 30;
            double const share = std::clamp(  // whatever counts the provider reports
                b.total ? static_cast<double>(b.completed + b.failed) / static_cast<double>(b.total)
                        : 0.0,
                0.0, 1.0);
            int const filled = std::min(width, static_cast<int>(share * width));
            std::fprintf(stderr, "\r[%s%s] %zu/%zu done, %zu failed (%s)   ",
                         std::string(filled, '=').c_str(), std::string(width - filled, ' ').c_str(),
                         b.completed, b.total, b.failed, terminal_text(b.status).c_str());
            if (b.terminal())
                std::fprintf(stderr, "\n");
        };
    return wo;
}

template <class T>
asio::awaitable<int> run_typed(ins::client& client, batch_config const& c)
{
    std::ofstream file;
    if (!c.out.empty()) {
        file.open(c.out, std::ios::binary | std::ios::trunc);
        if (!file)
            flags.fail("cannot write " + c.out);
    }
    std::ostream& out = c.out.empty() ? std::cout : file;
    if (c.command == "results") {
        auto b = co_await client.retrieve_batch(c.id);
        auto [ok, bad] = co_await write_results(client.batch_results<T>(b), c, out);
        co_return ok > 0 || bad == 0 ? 0 : 1;
    }
    std::vector<std::string> ids;
    auto reqs = read_requests(c, ids);
    auto opts = c.options;
    opts.custom_ids = ids;
    if (c.command == "create") {
        auto b = co_await client.create_batch<T>(reqs, opts);
        print_batch(c, b);
        co_return 0;
    }
    if (c.command == "retry-failures") {
        auto b = co_await client.retrieve_batch(c.id);
        auto second = co_await client.retry_batch_failures<T>(b, reqs, opts);
        if (!second) {
            std::cout << (c.json ? "null\n" : "every answer validated: nothing to retry\n");
            co_return 0;
        }
        print_batch(c, *second);
        co_return 0;
    }
    // run: create, wait, (retry,) results
    auto b = co_await client.create_batch<T>(reqs, opts);
    b = co_await client.wait_batch(b, waiting(c));  // the batch: its mode and lines kept
    std::optional<ins::batch> second;
    if (c.retry) {
        second = co_await client.retry_batch_failures<T>(b, reqs, opts);
        if (second)
            second = co_await client.wait_batch(*second, waiting(c));
    }
    auto [ok, bad] = co_await write_results(client.merged_batch_results<T>(b, second), c, out);
    if (!c.json)
        std::fprintf(stderr, "%s: %zu ok, %zu not\n", terminal_text(b.id).c_str(), ok, bad);
    co_return ok > 0 || bad == 0 ? 0 : 1;
}

template <class... Models>
asio::awaitable<int> run(ins::client& client, batch_config const& c)
{
    if (c.command == "status" || c.command == "wait" || c.command == "cancel") {
        ins::batch b;
        if (c.command == "status")
            b = co_await client.retrieve_batch(c.id);
        else if (c.command == "wait")
            b = co_await client.wait_batch(c.id, waiting(c));
        else
            b = co_await client.cancel_batch(c.id);
        print_batch(c, b);
        co_return 0;
    }
    if (c.command == "list") {
        auto page = co_await client.list_batches(c.list);
        if (c.json) {
            json::array a;
            for (auto const& b : page.batches)
                a.push_back(describe(b));
            std::cout << json::serialize(json::object{
                             {"batches", std::move(a)}, {"has_more", page.has_more}, {"last_id", page.last_id}})
                      << "\n";
        }
        else {
            for (auto const& b : page.batches)
                print_batch(c, b);
            if (page.has_more)
                std::cout << "more: --after " << terminal_text(page.last_id) << "\n";
        }
        co_return 0;
    }
    // The response model named by --type.
    std::optional<asio::awaitable<int>> chosen;
    ((!chosen && c.type == ins::model_name<Models>() ? (void)chosen.emplace(run_typed<Models>(client, c))
                                                    : (void)0),
     ...);
    if (!chosen) {
        std::string known;
        ((known += " " + std::string(ins::model_name<Models>())), ...);
        flags.fail("unknown --type '" + c.type + "'; known:" + known);
    }
    int const status = co_await std::move(*chosen);
    co_return status;
}

}  // namespace batch_detail

/// The whole command: parses argv, runs the subcommand, returns the exit status (0 done, 1 the
/// provider or the batch failed, 2 bad flags).
template <class... Models>
int batch_main(int argc, char** argv)
{
    namespace ins = instructor;
    auto const c = batch_detail::parse(argc, argv);
    std::optional<ins::testing::mock_server> mock;
    ins::client_options o;
    bool const anthropic = c.provider == "anthropic";
    o.mode = c.mode.value_or(anthropic ? ins::mode::anthropic_tools : ins::mode::tools);
    o.default_model = !c.model.empty() ? c.model : anthropic ? "claude-3-5-haiku-latest" : "gpt-4o-mini";
    if (c.price)
        o.prices[o.default_model] = *c.price;
    if (c.url.empty()) {
        auto m = c.mock;
        m.max_recorded = 0;
        m.max_request_bytes = 256 << 20;  // a whole batch file
        mock.emplace(m);
        o.base_url = mock->base_url();
        o.api_key = "mock-key";
    }
    else {
        o.base_url = c.url;
        auto const env = !c.api_key_env.empty() ? c.api_key_env
                         : anthropic             ? std::string("ANTHROPIC_API_KEY")
                                                 : std::string("OPENAI_API_KEY");
        if (char const* key = std::getenv(env.c_str()))
            o.api_key = key;
    }
    boost::asio::io_context ioc{1};
    int status = 1;
    try {
        ins::client client(ioc.get_executor(), o);
        boost::asio::co_spawn(ioc, batch_detail::run<Models...>(client, c),
                              [&](std::exception_ptr e, int s) {
                                  status = s;
                                  if (!e)
                                      return;
                                  status = 1;
                                  try {
                                      std::rethrow_exception(e);
                                  }
                                  catch (ins::error const& err) {
                                      std::cerr << "instructor-batch: " << ins::to_string(err.code_enum())
                                                << ": " << tools::terminal_text(err.what()) << "\n";
                                  }
                                  catch (std::exception const& err) {
                                      std::cerr << "instructor-batch: "
                                                << tools::terminal_text(err.what()) << "\n";
                                  }
                              });
        ioc.run();
    }
    catch (ins::error const& e) {  // a bad configuration (URL, mode)
        std::cerr << "instructor-batch: " << tools::terminal_text(e.what()) << "\n";
        return 2;
    }
    return status;
}

}  // namespace tools
