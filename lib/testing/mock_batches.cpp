#include "mock_batches.hpp"

#include "mock_answers.hpp"

#include <instructor/batch.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>

namespace instructor::testing {

namespace json = boost::json;

namespace {

long long unix_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// "2026-12-02T13:45:00Z" for seconds since the epoch.
std::string rfc3339(long long seconds)
{
    auto const t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string_view path_of(std::string_view target)
{
    return target.substr(0, target.find('?'));
}

/// `name`'s value in a query string, or "".
std::string query_value(std::string_view query, std::string_view name)
{
    while (!query.empty()) {
        auto const amp = query.find('&');
        auto const pair = query.substr(0, amp);
        if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
            pair[name.size()] == '=')
            return std::string(pair.substr(name.size() + 1));
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    }
    return {};
}

/// A multipart/form-data part's content by field name (RFC 7578), or std::nullopt.
std::optional<std::string_view> form_field(std::string_view content_type, std::string_view body,
                                           std::string_view name)
{
    auto const b = content_type.find("boundary=");
    if (b == std::string_view::npos)
        return std::nullopt;
    auto boundary = content_type.substr(b + 9);
    boundary = boundary.substr(0, boundary.find(';'));
    if (boundary.size() >= 2 && boundary.front() == '"')
        boundary = boundary.substr(1, boundary.size() - 2);
    std::string const delimiter = "--" + std::string(boundary);
    std::string const wanted = "name=\"" + std::string(name) + "\"";
    std::size_t at = body.find(delimiter);
    while (at != std::string_view::npos) {
        at += delimiter.size();
        if (body.substr(at, 2) == "--")
            return std::nullopt;  // the closing delimiter
        auto const head_end = body.find("\r\n\r\n", at);
        if (head_end == std::string_view::npos)
            return std::nullopt;
        auto const head = body.substr(at, head_end - at);
        auto const next = body.find("\r\n" + delimiter, head_end + 4);
        if (next == std::string_view::npos)
            return std::nullopt;
        if (head.find(wanted) != std::string_view::npos)
            return body.substr(head_end + 4, next - head_end - 4);
        at = next + 2;
    }
    return std::nullopt;
}

bool listed(std::vector<std::string> const& ids, std::string const& id)
{
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

mock_reply not_found(std::string_view what, std::string_view id)
{
    auto message = "No " + std::string(what) + " with id '" + std::string(id) + "'";
    return what == "message batch" ? mock_reply::anthropic_error(404, std::move(message))
                                   : mock_reply::error(404, std::move(message));
}

}  // namespace

std::optional<mock_reply> mock_batches::answer(std::string_view method, std::string_view target,
                                               std::string_view content_type,
                                               std::string_view body, mock_options const& o,
                                               std::string_view base_url)
{
    if (base_url_ != base_url)
        base_url_ = base_url;
    auto const path = path_of(target);
    auto const query = target.size() > path.size() ? target.substr(path.size() + 1) : std::string_view();
    bool const get = method == "GET", post = method == "POST";
    // OpenAI .../batches[/{id}[/cancel]], Anthropic .../messages/batches[/{id}[/cancel|/results]]
    bool const anthropic = path.find("/messages/batches") != std::string_view::npos;
    std::string_view const base = anthropic ? "/messages/batches" : "/batches";
    if (auto at = path.find(base); at != std::string_view::npos) {
        auto rest = path.substr(at + base.size());
        if (rest.empty()) {
            if (post)
                return anthropic ? create_anthropic(body, o) : create_openai(body, o);
            return get ? list(query, anthropic) : mock_reply::error(405, "method");
        }
        rest.remove_prefix(1);
        auto const slash = rest.find('/');
        auto const id = rest.substr(0, slash);
        auto const action = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        if (action.empty() && get) {
            auto it = batches_.find(std::string(id));
            return it == batches_.end() || it->second.anthropic != anthropic
                       ? not_found(anthropic ? "message batch" : "batch", id)
                       : mock_reply::json(describe(it->second));
        }
        if (action == "cancel" && post)
            return cancel(id, anthropic);
        if (anthropic && action == "results" && get)
            return results(id);
        return not_found("route", path);
    }
    if (auto at = path.find("/files"); at != std::string_view::npos) {
        auto rest = path.substr(at + 6);
        if (rest.empty() && post)
            return upload(content_type, body);
        if (rest.size() > 9 && rest.ends_with("/content") && get)
            return file_content(rest.substr(1, rest.size() - 9));
        return not_found("route", path);
    }
    return std::nullopt;
}

mock_reply mock_batches::upload(std::string_view content_type, std::string_view body)
{
    if (content_type.find("multipart/form-data") == std::string_view::npos)
        return mock_reply::error(400, "a file is uploaded as multipart/form-data");
    auto const purpose = form_field(content_type, body, "purpose");
    auto const file = form_field(content_type, body, "file");
    if (!purpose || !file)
        return mock_reply::error(400, "the upload needs the fields 'purpose' and 'file'");
    if (*purpose != "batch")
        return mock_reply::error(400, "the mock keeps files of purpose 'batch' only");
    auto const id = "file-" + std::to_string(next_id_++);
    files_[id] = std::string(*file);
    json::object f{{"id", id},        {"object", "file"},     {"bytes", file->size()},
                   {"created_at", unix_now()}, {"filename", "batch.jsonl"}, {"purpose", "batch"},
                   {"status", "processed"}};
    return mock_reply::json(json::serialize(f));
}

mock_reply mock_batches::file_content(std::string_view id)
{
    auto it = files_.find(std::string(id));
    if (it == files_.end())
        return not_found("file", id);
    mock_reply r;
    r.content_type = "application/octet-stream";
    r.body = it->second;
    r.chunk_size = 1000;  // lines cut across chunks, as a large file arrives
    return r;
}

mock_batches::line_result mock_batches::answer_line(std::string const& custom_id,
                                                    std::string_view url,
                                                    std::string const& body, bool anthropic,
                                                    mock_options const& o)
{
    json::object line{{"custom_id", custom_id}};
    if (!anthropic)
        line["id"] = "batch_req_" + std::to_string(next_id_++);
    if (listed(o.batch_fail_ids, custom_id)) {
        if (anthropic)
            line["result"] = json::object{
                {"type", "errored"},
                {"error", json::object{{"type", "error"},
                                       {"error", json::object{{"type", "api_error"},
                                                              {"message", "mock: this request failed"}}}}}};
        else {
            line["response"] = json::object{
                {"status_code", 500},
                {"request_id", "req_mock"},
                {"body", json::object{{"error", json::object{{"message", "mock: this request failed"},
                                                             {"type", "server_error"}}}}}};
            line["error"] = nullptr;
        }
        return {json::serialize(line), false};
    }
    bool const spoil = listed(o.batch_invalid_ids, custom_id) && invalidated_.insert(custom_id).second;
    auto reply = spoil ? faulted_answer(mock_fault::schema_invalid, url, body, o)
                       : default_answer(url, body, o);
    boost::system::error_code ec;
    auto answer = json::parse(reply.body, ec);
    if (ec)
        answer = json::object{{"error", json::object{{"message", reply.body}}}};
    bool const ok = reply.status >= 200 && reply.status < 300;
    if (anthropic) {
        if (ok)
            line["result"] = json::object{{"type", "succeeded"}, {"message", answer}};
        else
            line["result"] = json::object{
                {"type", "errored"},
                {"error", json::object{{"type", "error"},
                                       {"error", json::object{{"type", "invalid_request_error"},
                                                              {"message", reply.body}}}}}};
    }
    else {
        line["response"] = json::object{
            {"status_code", reply.status}, {"request_id", "req_mock"}, {"body", answer}};
        line["error"] = nullptr;
    }
    return {json::serialize(line), ok};
}

mock_reply mock_batches::create_openai(std::string_view body, mock_options const& o)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    auto const* req = ec ? nullptr : v.if_object();
    if (!req)
        return mock_reply::error(400, "the body is not a JSON object");
    auto const str = [&](char const* k) {
        auto const* x = req->if_contains(k);
        return x && x->is_string() ? std::string(x->get_string()) : std::string();
    };
    record r;
    r.id = "batch_" + std::to_string(next_id_++);
    r.endpoint = str("endpoint");
    r.input_file_id = str("input_file_id");
    r.completion_window = str("completion_window");
    if (r.completion_window != "24h")
        return mock_reply::error(400, "completion_window must be '24h'");
    if (r.endpoint != "/v1/chat/completions" && r.endpoint != "/v1/responses")
        return mock_reply::error(400, "the mock runs batches of /v1/chat/completions or /v1/responses");
    auto file = files_.find(r.input_file_id);
    if (file == files_.end())
        return not_found("file", r.input_file_id);
    if (auto const* md = req->if_contains("metadata"); md && md->is_object())
        r.metadata = json::serialize(*md);
    r.created_at = unix_now();
    r.done_at = std::chrono::steady_clock::now() + o.batch_delay;

    std::string out, err;
    std::string_view rest = file->second;
    std::size_t number = 0;
    json::array errors;
    while (!rest.empty() && errors.empty()) {
        auto const lf = rest.find('\n');
        auto const text = rest.substr(0, lf);
        rest = lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);
        ++number;
        if (text.empty())
            continue;
        auto lv = json::parse(text, ec);
        auto const* line = ec ? nullptr : lv.if_object();
        auto const* id = line ? line->if_contains("custom_id") : nullptr;
        auto const* url = line ? line->if_contains("url") : nullptr;
        auto const* lbody = line ? line->if_contains("body") : nullptr;
        if (!id || !id->is_string() || !url || !url->is_string() || !lbody || !lbody->is_object()) {
            errors.push_back(json::object{{"code", "invalid_json_line"},
                                          {"message", "line is not a request object"},
                                          {"line", number}});
            break;
        }
        if (url->get_string() != r.endpoint) {
            errors.push_back(json::object{{"code", "mismatched_endpoint"},
                                          {"message", "the line's url is not the batch's endpoint"},
                                          {"line", number}});
            break;
        }
        auto res = answer_line(std::string(id->get_string()), url->get_string(),
                               json::serialize(*lbody), false, o);
        (res.ok ? out : err) += res.text + "\n";
        ++(res.ok ? r.ok : r.failed);
        ++r.total;
        r.ids.emplace_back(id->get_string());
    }
    if (r.total > batch_limits_for(mode::tools).max_lines)
        errors.push_back(json::object{{"code", "too_many_requests"},
                                      {"message", "more than 50,000 requests"}});
    if (!errors.empty()) {
        r.failure = json::serialize(json::object{{"object", "list"}, {"data", errors}});
        r.total = r.ok = r.failed = 0;
    }
    else {
        if (!out.empty()) {
            r.output_file_id = "file-" + std::to_string(next_id_++);
            files_[r.output_file_id] = std::move(out);
        }
        if (!err.empty()) {
            r.error_file_id = "file-" + std::to_string(next_id_++);
            files_[r.error_file_id] = std::move(err);
        }
    }
    auto const& stored = batches_[r.id] = std::move(r);
    return mock_reply::json(describe(stored));
}

mock_reply mock_batches::create_anthropic(std::string_view body, mock_options const& o)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    auto const* req = ec ? nullptr : v.if_object();
    auto const* requests = req ? req->if_contains("requests") : nullptr;
    if (!requests || !requests->is_array() || requests->get_array().empty())
        return mock_reply::anthropic_error(400, "the body needs a non-empty array 'requests'");
    record r;
    r.anthropic = true;
    r.id = "msgbatch_" + std::to_string(next_id_++);
    r.endpoint = "/v1/messages";
    r.created_at = unix_now();
    r.done_at = std::chrono::steady_clock::now() + o.batch_delay;
    r.ended_at = r.created_at +
                 std::chrono::ceil<std::chrono::seconds>(o.batch_delay).count();
    std::set<std::string> seen;
    for (auto const& item : requests->get_array()) {
        auto const* it = item.if_object();
        auto const* id = it ? it->if_contains("custom_id") : nullptr;
        auto const* params = it ? it->if_contains("params") : nullptr;
        if (!id || !id->is_string() || !params || !params->is_object())
            return mock_reply::anthropic_error(400, "each request needs 'custom_id' and 'params'");
        if (!seen.insert(std::string(id->get_string())).second)
            return mock_reply::anthropic_error(400, "custom_id values must be unique");
        auto res = answer_line(std::string(id->get_string()), "/v1/messages",
                               json::serialize(*params), true, o);
        r.results += res.text + "\n";
        ++(res.ok ? r.ok : r.failed);
        ++r.total;
        r.ids.emplace_back(id->get_string());
    }
    auto const& stored = batches_[r.id] = std::move(r);
    return mock_reply::json(describe(stored));
}

bool mock_batches::ended(record const& r) const
{
    return r.cancelled || !r.failure.empty() || std::chrono::steady_clock::now() >= r.done_at;
}

std::string mock_batches::describe(record const& r) const
{
    bool const done = ended(r);
    json::object b;
    b["id"] = r.id;
    b["created_at"] = r.created_at;
    if (r.anthropic) {
        b["type"] = "message_batch";
        b["processing_status"] = done ? "ended" : "in_progress";
        std::size_t const ok = done && !r.cancelled ? r.ok : 0;
        std::size_t const failed = done && !r.cancelled ? r.failed : 0;
        b["request_counts"] = json::object{{"processing", done ? 0 : r.total},
                                           {"succeeded", ok},
                                           {"errored", failed},
                                           {"canceled", r.cancelled ? r.total : 0},
                                           {"expired", 0}};
        b["created_at"] = rfc3339(r.created_at);  // the API's timestamps are RFC 3339 strings
        b["results_url"] = done ? json::value(base_url_ + "/messages/batches/" + r.id + "/results")
                                : json::value(nullptr);
        b["ended_at"] = done ? json::value(rfc3339(r.ended_at)) : json::value(nullptr);
        return json::serialize(b);
    }
    b["object"] = "batch";
    b["endpoint"] = r.endpoint;
    b["input_file_id"] = r.input_file_id;
    b["completion_window"] = r.completion_window;
    b["status"] = !r.failure.empty() ? "failed"
                  : r.cancelled      ? "cancelled"
                  : done             ? "completed"
                                     : "in_progress";
    b["errors"] = r.failure.empty() ? json::value(nullptr) : json::parse(r.failure);
    b["output_file_id"] = done && !r.output_file_id.empty() ? json::value(r.output_file_id)
                                                            : json::value(nullptr);
    b["error_file_id"] = done && !r.error_file_id.empty() ? json::value(r.error_file_id)
                                                          : json::value(nullptr);
    b["request_counts"] = json::object{{"total", r.total},
                                       {"completed", done ? r.ok : 0},
                                       {"failed", done ? r.failed : 0}};
    b["metadata"] = r.metadata.empty() ? json::value(nullptr) : json::parse(r.metadata);
    return json::serialize(b);
}

mock_reply mock_batches::cancel(std::string_view id, bool anthropic)
{
    auto it = batches_.find(std::string(id));
    if (it == batches_.end() || it->second.anthropic != anthropic)
        return not_found("batch", id);
    auto& r = it->second;
    if (!ended(r)) {
        // Nothing ran yet: every line ends cancelled.
        r.cancelled = true;
        r.output_file_id.clear();
        r.error_file_id.clear();
        r.results.clear();
        r.ok = 0;
        r.failed = r.total;
        std::string lines;
        for (auto const& cid : r.ids) {
            json::object line{{"custom_id", cid}};
            if (anthropic)
                line["result"] = json::object{{"type", "canceled"}};
            else {
                line["id"] = "batch_req_" + std::to_string(next_id_++);
                line["response"] = nullptr;
                line["error"] = json::object{{"code", "batch_cancelled"},
                                             {"message", "This request was cancelled."}};
            }
            lines += json::serialize(line) + "\n";
        }
        if (anthropic) {
            r.results = std::move(lines);
        }
        else if (!lines.empty()) {
            r.error_file_id = "file-" + std::to_string(next_id_++);
            files_[r.error_file_id] = std::move(lines);
        }
    }
    return mock_reply::json(describe(r));
}

mock_reply mock_batches::list(std::string_view query, bool anthropic) const
{
    std::size_t limit = 20;
    auto const l = query_value(query, "limit");
    std::from_chars(l.data(), l.data() + l.size(), limit);
    limit = std::clamp<std::size_t>(limit, 1, 100);
    auto const after = query_value(query, anthropic ? "after_id" : "after");
    // Newest first: ids carry a growing number.
    std::vector<record const*> all;
    for (auto const& [id, r] : batches_)
        if (r.anthropic == anthropic)
            all.push_back(&r);
    auto const number = [](record const* r) {
        std::size_t n = 0;
        auto const& id = r->id;
        auto const u = id.rfind('_');
        std::from_chars(id.data() + u + 1, id.data() + id.size(), n);
        return n;
    };
    std::sort(all.begin(), all.end(), [&](auto* a, auto* b) { return number(a) > number(b); });
    std::size_t start = 0;
    if (!after.empty())
        for (std::size_t i = 0; i < all.size(); ++i)
            if (all[i]->id == after)
                start = i + 1;
    json::array data;
    for (std::size_t i = start; i < all.size() && data.size() < limit; ++i)
        data.push_back(json::parse(describe(*all[i])));
    bool const more = start + data.size() < all.size();
    json::object page{{"data", data}, {"has_more", more}};
    if (!anthropic)
        page["object"] = "list";
    page["first_id"] = data.empty() ? json::value(nullptr) : data.front().at("id");
    page["last_id"] = data.empty() ? json::value(nullptr) : data.back().at("id");
    return mock_reply::json(json::serialize(page));
}

mock_reply mock_batches::results(std::string_view id)
{
    auto it = batches_.find(std::string(id));
    if (it == batches_.end() || !it->second.anthropic)
        return not_found("message batch", id);
    auto const& r = it->second;
    if (!ended(r))
        return mock_reply::anthropic_error(400, "the message batch is still in progress");
    mock_reply reply;
    reply.content_type = "application/binary";
    reply.body = r.results;
    reply.chunk_size = 1000;
    return reply;
}

}  // namespace instructor::testing
