// What every wire shares: the model's own ends of a reply, and the wire of a mode (its API's row).
#include "protocol/api_table.hpp"
#include "protocol/wire.hpp"

namespace instructor::detail {

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
    return api_for(m).make_wire(m, o);
}

}  // namespace instructor::detail
