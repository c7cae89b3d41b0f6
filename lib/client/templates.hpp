// Message texts as templates: a request with a context has its messages rendered with it
// (Mustache, through kainjow::mustache) before anything is sent.
#pragma once

#include <instructor/request.hpp>

namespace instructor::detail {

/// Renders every message text and text part of `req` with `req.context` (nothing when the
/// context is empty): `{{name}}`, `{{a.b}}`, sections over lists and conditions over booleans.
/// Values are inserted as they are, never HTML-escaped. Throws ins::error(invalid_argument),
/// naming the message, for a template that does not parse.
void render_templates(request& req);

}  // namespace instructor::detail
