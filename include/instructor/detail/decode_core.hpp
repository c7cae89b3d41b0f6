// The type-erased machinery of the decoder: a stack of frames, one per JSON value being built,
// each driven by a sink (a table of functions chosen by the C++ type it writes into).
//
// Parser events (boost::json::basic_parser SAX) go to the top frame's sink. A container sink
// pushes a child frame pointing into the object it builds, so every value is written in place
// and every byte of input is looked at once: the same machinery serves whole documents and
// streams fed in pieces. All sink logic is compiled once in lib/; per-type templates only build
// the small `meta` tables (see sinks.hpp).
#pragma once

#include <instructor/decode_options.hpp>
#include <instructor/model.hpp>
#include <instructor/validation.hpp>

#include <boost/json/fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace instructor::detail {

struct decode_ctx;
struct frame;

struct number {
    enum kind_t : std::uint8_t { i64, u64, dbl } kind;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double d = 0;
};

/// What a sink does on each parser event. Every entry is set (lib/ fills gaps with defaults).
struct sink_vtable {
    void (*begin_object)(decode_ctx&, frame&);
    void (*key)(decode_ctx&, frame&, std::string_view);
    void (*end_object)(decode_ctx&, frame&);
    void (*begin_array)(decode_ctx&, frame&);
    void (*end_array)(decode_ctx&, frame&);
    void (*string_part)(decode_ctx&, frame&, std::string_view);
    void (*string_end)(decode_ctx&, frame&, std::string_view);
    void (*number)(decode_ctx&, frame&, detail::number const&);
    void (*boolean)(decode_ctx&, frame&, bool);
    void (*null)(decode_ctx&, frame&);
    /// A child frame of this one finished; may be null.
    void (*child_done)(decode_ctx&, frame&);
};

/// A sink and its per-type table.
struct sink_ref {
    sink_vtable const* vt;
    void const* meta;
};

inline constexpr std::uint32_t no_index = 0xffffffffu;

struct frame {
    sink_vtable const* vt = nullptr;
    void const* meta = nullptr;
    void* target = nullptr;
    field_info const* info = nullptr;  // constraints of the field this value fills
    char const* key = nullptr;         // path segment: a key ...
    std::uint32_t key_len = 0;
    std::uint32_t index = no_index;    // ... or an array index
    std::uint32_t state = 0;           // sink-specific; 0 = no event seen yet
    std::uint32_t count = 0;           // sink-specific (items, depth)
    std::size_t mark = 0;              // sink-specific (issue count, bitset offset)
    std::size_t issues_at_start = 0;   // issue count when the frame was pushed
    bool stable = false;  // a model reached from the root through models only: its address
                          // never moves, so the members it has seen can be remembered by it
};

/// Told each time a value is complete: its depth (0 = the root) and whether it and everything
/// in it decoded without an issue. Streams use it to hand out list items as they close.
using value_done_fn = void (*)(void* context, std::size_t depth, bool ok);

// Per-type tables (built by the templates in sinks.hpp).
struct member_entry {
    std::string_view name;
    // Taken when the table is built (a member never holds its own model by value; lists,
    // maps, optionals and variants look their items' sinks up lazily, for recursive models).
    sink_ref sink;
    void* (*address)(void* object);
    field_info const* info;
    bool required;
};
struct model_meta {
    std::string_view name;
    member_entry const* members;
    std::size_t size;
    void (*validate)(void const* object, validation_context&);  // null when T has none
};
struct vector_meta {
    sink_ref (*element)();
    void* (*emplace_back)(void* vec);
    void (*clear)(void* vec);
};
struct map_meta {
    sink_ref (*value)();
    // Inserts (or resets) `key`; returns the value's address and the stored key.
    void* (*emplace)(void* map, std::string_view key, std::string_view* stored_key);
    void (*clear)(void* map);
};
struct optional_meta {
    sink_ref (*inner)();
    void* (*emplace)(void* opt);
    void (*reset)(void* opt);
};
struct integer_meta {
    std::int64_t min;
    std::uint64_t max;
    char const* type_name;
    void (*assign)(void* target, std::int64_t value);  // value is within [min, max]
    void (*assign_unsigned)(void* target, std::uint64_t value);
};
struct floating_meta {
    double max;  // largest finite value of the target type
    void (*assign)(void* target, double value);
};
struct enum_meta {
    std::string_view const* names;
    std::size_t size;
    void (*assign)(void* target, std::size_t index);
};
struct variant_meta {
    std::string_view const* names;  // alternative names, for error paths
    std::size_t size;
    // Decodes `v` as alternative i into the variant; issues go to `out` with `base_path`.
    bool (*try_alternative)(std::size_t i, void* variant, boost::json::value const& v,
                            decode_options const& opts, std::string const& base_path,
                            std::vector<validation_issue>& out);
};

sink_vtable const& bool_sink() noexcept;
sink_vtable const& integer_sink() noexcept;
sink_vtable const& floating_sink() noexcept;
sink_vtable const& string_sink() noexcept;
sink_vtable const& json_value_sink() noexcept;
sink_vtable const& enum_sink() noexcept;
sink_vtable const& optional_sink() noexcept;
sink_vtable const& vector_sink() noexcept;
sink_vtable const& map_sink() noexcept;
sink_vtable const& model_sink() noexcept;
sink_vtable const& variant_sink() noexcept;

/// One decode in progress: feeds text to the parser, which drives the frames.
/// Non-template; the typed wrappers are decoder<T> and decode<T>().
class decode_session {
public:
    decode_session(sink_ref root, void* target, decode_options const& opts,
                   std::string base_path = {});
    ~decode_session();
    decode_session(decode_session&&) noexcept;
    decode_session& operator=(decode_session&&) noexcept;

    /// Feeds a piece of the document. Returns false once the text is known not to be JSON.
    bool write(std::string_view piece);
    /// Ends the document; returns true when it was complete JSON and valid for the target.
    bool finish();
    /// True when the document was complete JSON and valid for the target (after finish()).
    bool ok() const noexcept;
    /// True once the root value is complete (possibly before finish()).
    bool done() const noexcept;
    std::vector<validation_issue> const& issues() const noexcept;
    std::vector<validation_issue> take_issues() noexcept;

    /// Counts the parser events that changed the value: a snapshot is worth taking when it grew.
    std::uint64_t changes() const noexcept;
    /// Whether the root model's member `index` (in described order) has been seen.
    bool root_member_seen(std::size_t index) const noexcept;
    /// Whether member `index` of the model at `object` has been seen: the root, or a model
    /// nested in it through models only (not inside a list, map, optional or variant).
    bool member_seen(void const* object, std::size_t index) const noexcept;
    void set_observer(value_done_fn fn, void* context) noexcept;
    /// Text after the root value is ignored rather than an error (prose after streamed JSON).
    void ignore_trailing_text() noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Decodes an already-parsed JSON value (e.g. an Anthropic tool_use input) into `target`.
bool decode_json_value(sink_ref root, void* target, boost::json::value const& v,
                  decode_options const& opts, std::string const& base_path,
                  std::vector<validation_issue>& out);

}  // namespace instructor::detail
