// Message texts as templates: a request with a context has its messages rendered with it
// (Mustache, through kainjow::mustache) before anything is sent.
#pragma once

#include <instructor/request.hpp>

#include <cstddef>

namespace instructor::detail {

/// Bounds on one message text taken as a template, checked before kainjow sees it: its parse
/// holds a node per word and blank and a copy of each section's text, walks sections
/// recursively, and sections over lists multiply what they render.
struct template_limits {
    std::size_t max_bytes = 1024 * 1024;        ///< a text holding `{{`
    std::size_t max_depth = 32;                 ///< sections nested in one another
    /// About what kainjow's parse holds: ~300 bytes a tag, a run of text and a whitespace byte
    /// (1 MiB of spaces took 277 MB), and a copy of each section's text.
    std::size_t max_parse_bytes = 16 * 1024 * 1024;
    /// An upper bound of what it renders (each tag and each pass through a section counting a
    /// byte more, so that it bounds the work too).
    std::size_t max_output = 4 * 1024 * 1024;
};

/// Renders every message text and text part of `req` with `req.context` (nothing when the
/// context is empty): `{{name}}`, `{{a.b}}`, sections over lists and conditions over booleans.
/// Values are inserted as they are, never HTML-escaped; a partial (`{{> name}}`) renders
/// nothing: a value is never parsed as a template. Throws ins::error(invalid_argument), naming
/// the message, for a template that does not parse or is past one of `limits`.
void render_templates(request& req, template_limits const& limits = {});

}  // namespace instructor::detail
