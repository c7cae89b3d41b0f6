// One chunk of a streamed chat completion as the delta it carries.
#include "protocol/openai_chat/openai_chat.hpp"

#include "protocol/json_access.hpp"

#include <instructor/error.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

namespace instructor::detail {

namespace json = boost::json;

chunk_delta parse_chat_chunk(std::string_view data)
{
    // A chunk is a few hundred bytes parsed once and dropped: its tree lives on the stack (a
    // larger one spills to the heap), not in a malloc per object and string.
    unsigned char arena[4096];
    json::monotonic_resource mr(arena, sizeof arena);
    boost::system::error_code ec;
    auto v = json::parse(data, ec, &mr);
    if (ec || !v.is_object())
        throw error(errc::protocol_error, "a stream chunk is not a JSON object");
    auto const& o = v.get_object();
    chunk_delta d;
    auto const& str = json_access::string_at;
    if (auto const* e = o.if_contains("error"); e && !e->is_null()) {
        d.error = e->is_object() ? str(e->get_object(), "message") : std::string("stream error");
        if (d.error->empty())
            d.error = "stream error";
        return d;
    }
    if (auto const* u = o.if_contains("usage"); u && u->is_object())
        d.usage = chat_usage(v);  // choices' costs included
    auto const* choices = o.if_contains("choices");
    if (!choices || !choices->is_array() || choices->get_array().empty())
        return d;  // the usage chunk has `choices: []`
    auto const* c0 = choices->get_array()[0].if_object();
    if (!c0)
        return d;
    if (!d.usage)  // a cost on a chunk's choice (WorkflowAI)
        if (auto cost = json_access::amount_at(*c0, "cost_usd"))
            d.usage = instructor::usage{.cost_usd = cost};
    if (auto url = str(*c0, "url"); !url.empty())
        d.run_url = std::move(url);
    if (auto const* fr = c0->if_contains("finish_reason"); fr && fr->is_string())
        d.finish_reason = std::string(fr->get_string());
    auto const* delta = c0->if_contains("delta");
    if (!delta || !delta->is_object())
        return d;
    auto const& dl = delta->get_object();
    d.content = str(dl, "content");
    d.refusal = str(dl, "refusal");
    d.reasoning = str(dl, "reasoning_content");
    if (d.reasoning.empty())
        d.reasoning = str(dl, "reasoning");
    if (auto const* calls = dl.if_contains("tool_calls"); calls && calls->is_array())
        for (auto const& c : calls->get_array()) {
            auto const* co = c.if_object();
            if (!co)
                continue;
            chunk_delta::call_piece p;
            if (auto const* i = co->if_contains("index"); i && i->is_int64() && i->get_int64() >= 0)
                p.index = static_cast<std::size_t>(i->get_int64());
            p.id = str(*co, "id");
            if (auto const* f = co->if_contains("function"); f && f->is_object()) {
                p.name = str(f->get_object(), "name");
                p.arguments = str(f->get_object(), "arguments");
            }
            d.calls.push_back(std::move(p));
        }
    return d;
}

}  // namespace instructor::detail
