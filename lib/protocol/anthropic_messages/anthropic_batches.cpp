// Anthropic's Message Batches: the requests in the create call's body, the results read back
// as JSONL.
#include "protocol/api_table.hpp"
#include "protocol/batch_services.hpp"
#include "protocol/spool_file.hpp"
#include "protocol/json_access.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace instructor::detail {

namespace json = boost::json;
using namespace json_access;

namespace {

bool anthropic_custom_id(std::string_view id)
{
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), is_id_char);
}

errc errc_for_type(std::string_view type)
{
    if (type == "invalid_request_error")
        return errc::bad_request;
    if (type == "authentication_error")
        return errc::authentication_failed;
    if (type == "permission_error")
        return errc::permission_denied;
    if (type == "not_found_error")
        return errc::not_found;
    if (type == "rate_limit_error")
        return errc::rate_limited;
    return errc::server_error;  // api_error, overloaded_error, what comes next
}

class anthropic_batches final : public batch_api {
public:
    anthropic_batches(mode m, client_options const& o, std::vector<std::string> secrets)
        : api_(api_for(m)), wire_(make_wire(m, o)), secrets_(std::move(secrets))
    {}

    void add(std::string_view custom_id, json::object const& body) override
    {
        if (!anthropic_custom_id(custom_id))
            throw error(errc::invalid_argument,
                        "custom_id \"" + std::string(custom_id.substr(0, 80)) +
                            "\": Anthropic takes 1 to 64 letters, digits, '_' or '-'");
        if (lines_ >= api_.batches.max_lines)
            throw error(errc::invalid_argument,
                        "a message batch holds at most " + std::to_string(api_.batches.max_lines) +
                            " requests (Anthropic's limit): split them into several batches");
        json::object item;
        item["custom_id"] = custom_id;
        item["params"] = body;
        auto text = json::serialize(item);
        if (spool_.size() + text.size() + 3 > api_.batches.max_bytes)
            throw error(errc::invalid_argument,
                        "the message batch would pass " +
                            std::to_string(api_.batches.max_bytes >> 20) +
                            " MB (Anthropic's limit) at request " +
                            std::to_string(lines_ + 1) + ": split the requests into several batches");
        spool_.append(spool_.empty() ? "{\"requests\":[" : ",");
        spool_.append(text);
        ++lines_;
    }
    std::size_t lines() const noexcept override { return lines_; }
    bool uploads_first() const noexcept override { return false; }

    net::http_request create(endpoint_config const& ep, batch_options const&) override
    {
        if (lines_ == 0)
            throw error(errc::invalid_argument, "a batch needs at least one request");
        spool_.append("]}");
        auto r = service_request(*wire_, ep, "POST", "messages/batches", {});
        r.body_file = spool_.finish();  // streamed from disk as it is sent
        r.headers.push_back({"Content-Type", "application/json"});
        r.idempotent = false;  // a create whose answer was lost may have made a batch
        return r;
    }
    std::optional<net::http_request> after(endpoint_config const&, json::value const&,
                                           batch_options const&) override
    {
        return std::nullopt;  // the create call answers with the batch
    }

    net::http_request retrieve(endpoint_config const& ep, std::string_view id) const override
    {
        return one_batch_request(*wire_, ep, "messages/batches", id, false);
    }
    net::http_request cancel(endpoint_config const& ep, std::string_view id) const override
    {
        return one_batch_request(*wire_, ep, "messages/batches", id, true);
    }
    net::http_request list(endpoint_config const& ep, list_options const& o) const override
    {
        std::string path = "messages/batches?limit=" +
                           page_limit(o);
        if (!o.after.empty())
            path += "&after_id=" + checked_id(o.after, "batch");
        return service_request(*wire_, ep, "GET", path, {});
    }
    std::vector<net::http_request> results(endpoint_config const& ep, batch const& b) const override
    {
        // Read below the client's own base URL, never at the results_url the server names:
        // the API key goes only where the caller sent it.
        if (b.status != "ended")
            return {};
        return {service_request(*wire_, ep, "GET",
                                "messages/batches/" + checked_id(b.id, "batch") + "/results", {})};
    }

    batch parse_batch(json::value const& v) const override
    {
        auto const* o = v.if_object();
        if (!o || string_at(*o, "id").empty() || string_at(*o, "processing_status").empty())
            throw error(errc::protocol_error,
                        "the answer is not a message batch (no id or processing_status)");
        batch b;
        b.id = string_at(*o, "id");
        b.status = string_at(*o, "processing_status");
        if (auto const* c = object_at(*o, "request_counts")) {
            auto const ok = count_at(*c, "succeeded");
            auto const bad = count_at(*c, "errored") + count_at(*c, "canceled") +
                             count_at(*c, "expired");
            b.total = ok + bad + count_at(*c, "processing");
            b.completed = ok;
            b.failed = bad;
        }
        b.results_url = string_at(*o, "results_url");
        b.endpoint = api_.batch_line_url;
        return b;
    }

    result_line parse_result(std::string_view text) const override
    {
        result_line r;
        auto v = parse_line(text, secrets_, r.custom_id);
        auto const* result = object_at(v.get_object(), "result");
        if (!result)
            throw error(errc::protocol_error, "a batch result line has no result");
        auto const type = string_at(*result, "type");
        if (type == "succeeded") {
            auto const* message = object_at(*result, "message");
            if (!message)
                throw error(errc::protocol_error,
                            "batch result " + r.custom_id + " succeeded without a message");
            r.response = *message;
        }
        else if (type == "errored") {
            // {"type": "error", "error": {"type", "message"}}, or the inner object alone
            json::object const* e = object_at(*result, "error");
            if (e && object_at(*e, "error"))
                e = object_at(*e, "error");
            auto const etype = e ? string_at(*e, "type") : std::string();
            auto const message = e ? string_at(*e, "message") : std::string();
            error err(errc_for_type(etype),
                      "the request failed at the provider (" + etype + "): " + message);
            err.provider_message = message;
            r.failure = std::move(err);
        }
        else if (type == "canceled") {
            r.failure = error(errc::cancelled, "the batch was canceled before this request ran");
        }
        else if (type == "expired") {
            r.failure = error(errc::timeout, "the batch expired before this request ran");
        }
        else {
            throw error(errc::protocol_error,
                        "batch result " + r.custom_id + " has an unknown type \"" + type + "\"");
        }
        return r;
    }

private:
    api_row const& api_;  // its row: limits, the path lines name
    std::unique_ptr<wire> wire_;
    std::vector<std::string> secrets_;
    spool_file spool_;  // the create call's body
    std::size_t lines_ = 0;
};

}  // namespace

std::unique_ptr<batch_api> make_anthropic_batches(mode m, client_options const& o,
                                                  std::vector<std::string> secrets)
{
    return std::make_unique<anthropic_batches>(m, o, std::move(secrets));
}

}  // namespace instructor::detail
