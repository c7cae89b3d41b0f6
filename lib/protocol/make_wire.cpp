// The one place that maps a mode to its API, and what every wire's requests share.
#include "anthropic_messages.hpp"
#include "openai_chat.hpp"
#include "openai_responses.hpp"

#include "net/url.hpp"

namespace instructor::detail {

net::http_request api_request(endpoint_config const& ep, std::string_view path,
                              std::vector<net::header> headers,
                              std::vector<net::header> const& extra, std::string body)
{
    net::http_request hr;
    hr.url = net::join_url(ep.base_url, path);
    hr.headers = std::move(headers);
    hr.headers.insert(hr.headers.end(), extra.begin(), extra.end());
    hr.body = std::move(body);
    return hr;
}

std::optional<error> model_stop(extraction const& x)
{
    if (x.finish_reason == "length")
        return error(errc::output_truncated,
                     "the output was cut at the token limit (finish_reason \"length\")");
    if (x.finish_reason == "content_filter")
        return error(errc::content_filtered, "the provider's content filter stopped the output");
    if (x.refusal) {
        error e(errc::refusal, "the model refused: " + *x.refusal);
        e.provider_message = *x.refusal;
        return e;
    }
    return std::nullopt;
}

std::unique_ptr<wire> make_wire(mode m, client_options const& o)
{
    if (is_anthropic_mode(m))
        return make_anthropic_messages(m, o);
    if (is_responses_mode(m))
        return make_openai_responses(m, o);
    return make_openai_chat(m, o);
}

}  // namespace instructor::detail
