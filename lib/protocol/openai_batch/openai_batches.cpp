// OpenAI's Batch API: the lines as a JSONL file uploaded with the Files API (multipart, purpose
// "batch"), a batch made of it, and the output and error files read back.
#include "protocol/api_table.hpp"
#include "protocol/batch_services.hpp"
#include "protocol/spool_file.hpp"
#include "protocol/json_access.hpp"

#include "net/redact.hpp"

#include "net/http_errors.hpp"

#include <boost/json/serialize.hpp>

namespace instructor::detail {

namespace json = boost::json;
using namespace json_access;

namespace {

// JSON text never holds a raw CR or LF, so no line of the file can look like this boundary.
constexpr std::string_view boundary = "instructor-batch-4c1d9b7e";

std::string multipart_head()
{
    std::string h;
    h += "--";
    h += boundary;
    h += "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--";
    h += boundary;
    h += "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"batch.jsonl\"\r\n"
         "Content-Type: application/jsonl\r\n\r\n";
    return h;
}

std::string multipart_tail() { return "\r\n--" + std::string(boundary) + "--\r\n"; }

/// What a failed line says, as the error a call would throw (`secrets` redacted from the body
/// before its message is picked and cut).
error line_error(json::object const& line, std::vector<std::string> const& secrets,
                 net::error_reader reader)
{
    if (auto const* e = object_at(line, "error")) {
        auto const code = string_at(*e, "code");
        auto const message = string_at(*e, "message");
        errc const c = code == "batch_expired"     ? errc::timeout
                       : code == "batch_cancelled" ? errc::cancelled
                                                   : errc::server_error;
        error err(c, "the batch did not run this request (" + code + "): " + message);
        err.provider_message = message;
        return err;
    }
    auto const* response = object_at(line, "response");
    auto const status = response ? count_at(*response, "status_code") : 0;
    std::string body;
    if (response && response->contains("body"))
        body = net::redact(json::serialize(response->at("body")), secrets);
    auto message = net::server_message(body, reader);
    error err(net::errc_for_status(static_cast<unsigned>(status)),
              "the request failed at the provider (HTTP " + std::to_string(status) +
                  "): " + message);
    err.http_status = static_cast<int>(status);
    err.provider_message = std::move(message);
    return err;
}

class openai_batches final : public batch_api {
public:
    openai_batches(mode m, client_options const& o, std::vector<std::string> secrets)
        : m_(m), api_(api_for(m)), wire_(make_wire(m, o)), secrets_(std::move(secrets))
    {}

    void add(std::string_view custom_id, json::object const& body) override
    {
        if (custom_id.empty())
            throw error(errc::invalid_argument, "a batch line's custom_id is empty");
        if (lines_ >= api_.batches.max_lines)
            throw error(errc::invalid_argument,
                        "a batch holds at most " + std::to_string(api_.batches.max_lines) +
                            " requests (OpenAI's limit): split them into several batches");
        json::object line;
        line["custom_id"] = custom_id;
        line["method"] = "POST";
        line["url"] = api_.batch_line_url;
        line["body"] = body;
        auto text = json::serialize(line);
        text.push_back('\n');
        if (file_bytes_ + text.size() > api_.batches.max_bytes)
            throw error(errc::invalid_argument,
                        "the batch file would pass " +
                            std::to_string(api_.batches.max_bytes >> 20) +
                            " MB (OpenAI's limit) at request " +
                            std::to_string(lines_ + 1) + ": split the requests into several batches");
        if (spool_.empty())
            spool_.append(multipart_head());
        spool_.append(text);
        file_bytes_ += text.size();
        ++lines_;
    }
    std::size_t lines() const noexcept override { return lines_; }
    bool uploads_first() const noexcept override { return true; }

    net::http_request create(endpoint_config const& ep, batch_options const& o) override
    {
        if (lines_ == 0)
            throw error(errc::invalid_argument, "a batch needs at least one request");
        (void)metadata_of(o);  // a bad metadata fails before the upload, not after
        spool_.append(multipart_tail());
        auto r = service_request(*wire_, ep, "POST", "files", {});
        r.body_file = spool_.finish();  // streamed from disk as it is sent
        r.headers.push_back(
            {"Content-Type", "multipart/form-data; boundary=" + std::string(boundary)});
        file_id_.clear();
        return r;
    }

    std::optional<net::http_request> after(endpoint_config const& ep, json::value const& response,
                                           batch_options const& o) override
    {
        if (!file_id_.empty())
            return std::nullopt;  // the batch itself
        auto const* f = response.if_object();
        if (!f || string_at(*f, "id").empty())
            throw error(errc::protocol_error, "the file upload's answer has no file id");
        file_id_ = checked_id(string_at(*f, "id"), "file");
        json::object create;
        create["input_file_id"] = file_id_;
        create["endpoint"] = api_.batch_line_url;
        create["completion_window"] = o.completion_window;
        create["metadata"] = metadata_of(o);
        auto r = service_request(*wire_, ep, "POST", "batches", json::serialize(create));
        r.idempotent = false;  // a create whose answer was lost may have made a batch
        return r;
    }

    net::http_request retrieve(endpoint_config const& ep, std::string_view id) const override
    {
        return one_batch_request(*wire_, ep, "batches", id, false);
    }
    net::http_request cancel(endpoint_config const& ep, std::string_view id) const override
    {
        return one_batch_request(*wire_, ep, "batches", id, true);
    }
    net::http_request list(endpoint_config const& ep, list_options const& o) const override
    {
        std::string path = "batches?limit=" + page_limit(o);
        if (!o.after.empty())
            path += "&after=" + checked_id(o.after, "batch");
        return service_request(*wire_, ep, "GET", path, {});
    }
    std::vector<net::http_request> results(endpoint_config const& ep, batch const& b) const override
    {
        std::vector<net::http_request> out;
        for (auto const* id : {&b.output_file_id, &b.error_file_id})
            if (!id->empty())
                out.push_back(service_request(*wire_, ep, "GET",
                                              "files/" + checked_id(*id, "file") + "/content", {}));
        return out;
    }

    batch parse_batch(json::value const& v) const override
    {
        auto const* o = v.if_object();
        if (!o || string_at(*o, "id").empty() || string_at(*o, "status").empty())
            throw error(errc::protocol_error, "the answer is not a batch (no id or status)");
        batch b;
        b.id = string_at(*o, "id");
        b.status = string_at(*o, "status");
        if (auto const* c = object_at(*o, "request_counts")) {
            b.total = count_at(*c, "total");
            b.completed = count_at(*c, "completed");
            b.failed = count_at(*c, "failed");
        }
        b.output_file_id = string_at(*o, "output_file_id");
        b.error_file_id = string_at(*o, "error_file_id");
        b.endpoint = string_at(*o, "endpoint");
        if (auto const* md = object_at(*o, "metadata")) {
            b.metadata = *md;
            b.mode = mode_from_string(string_at(*md, "instructor_mode"));
        }
        if (auto const* errs = object_at(*o, "errors"))
            if (auto const* data = array_at(*errs, "data"))
                for (auto const& e : *data)
                    if (auto const* eo = e.if_object()) {
                        if (!b.failure.empty())
                            b.failure += "; ";
                        b.failure += string_at(*eo, "message");
                    }
        return b;
    }

    result_line parse_result(std::string_view text) const override
    {
        result_line r;
        auto v = parse_line(text, secrets_, r.custom_id);
        auto const& line = v.get_object();
        auto const* response = object_at(line, "response");
        auto const status = response ? count_at(*response, "status_code") : 0;
        auto const* e = line.if_contains("error");
        bool const failed = (e && !e->is_null()) || status < 200 || status > 299;
        if (failed) {
            r.failure = line_error(line, secrets_, api_.error_message);
            return r;
        }
        auto const* body = response->if_contains("body");
        if (!body || !body->is_object())
            throw error(errc::protocol_error,
                        "batch result line " + r.custom_id + " has no response body");
        r.response = *body;
        return r;
    }

private:
    json::object metadata_of(batch_options const& o) const
    {
        json::object md;
        for (auto const& [k, v] : o.metadata) {
            if (!v.is_string() || k.size() > 64 || v.get_string().size() > 512)
                throw error(errc::invalid_argument,
                            "batch metadata \"" + std::string(k) +
                                "\": values are strings of up to 512 characters, keys up to 64");
            md[k] = v;
        }
        md["instructor_mode"] = to_string(m_);
        if (md.size() > 16)
            throw error(errc::invalid_argument,
                        "batch metadata holds at most 15 pairs (OpenAI keeps 16, one is "
                        "instructor_mode)");
        return md;
    }

    mode m_;
    api_row const& api_;  // its row: limits, the path lines name
    std::unique_ptr<wire> wire_;
    std::vector<std::string> secrets_;
    spool_file spool_;  // the multipart body: the JSONL file between its head and tail
    std::size_t lines_ = 0;
    std::size_t file_bytes_ = 0;
    std::string file_id_;
};

}  // namespace

std::unique_ptr<batch_api> make_openai_batches(mode m, client_options const& o,
                                               std::vector<std::string> secrets)
{
    return std::make_unique<openai_batches>(m, o, std::move(secrets));
}

}  // namespace instructor::detail
