#!/usr/bin/env node
// node tools/make_repair_corpus.js > test/data/repair_corpus.json
//
// Writes the JSON-repair corpus: replies that are almost JSON, as models write them, each with
// the model it is decoded into (declared in test/common/repair_corpus.hpp), the repair kinds it
// needs and the value it must decode to, or null when it must not decode at all (cut off,
// broken, ambiguous, or the wrong shape). Deterministic: the same file on every run.
//
// The answers come from the recordings in ../shared/wire (named in each entry's "from") and
// from the seed's examples; each is malformed in the ways listed in `styles` and wrapped in
// the prose and code fences of `wrappers`. The negative cases are written by hand below.
"use strict";

// ---- the answers -------------------------------------------------------------------------------

const answers = [
    {model: "City", from: "wire/06_openai_nonstream_json_schema_plus_tools",
     value: {city: "Mexico City", country: "Mexico"}},
    {model: "City", from: "wire/19_ollama_local_json_schema", value: {city: "Paris", country: "France"}},
    {model: "City", from: "wire/24_xai_stream_tool_call_chunks",
     value: {city: "San Francisco", country: "United States"}},
    {model: "Sum", from: "wire/12_anthropic_nonstream_output_format_json_schema",
     value: {integer_a: 2, integer_b: 2, answer: 4}},
    {model: "Output", from: "wire/05_openai_nonstream_json_schema_strict", value: {output: 7}},
    {model: "Addition", from: "wire/01_openai_stream_tool_calls_fragmented_args",
     value: {a: 1231, b: 2331}},
    {model: "Forecast", from: "wire/25_anthropic_json_tool_chunks",
     value: {elements: [{location: "San Francisco", temperature: 58, condition: "sunny"}]}},
    {model: "Forecast", from: "wire/25_anthropic_json_tool_chunks",
     value: {elements: [{location: "Crumpet", temperature: -3, condition: "light snow"},
                        {location: "Mexico City", temperature: 24, condition: "partly cloudy"}]}},
    {model: "ToolCall", from: "wire/22_groq_400_tool_use_failed",
     value: {name: "get_something_by_name", arguments: {foo: "bar"}}},
    {model: "ToolCall", from: "wire/02_openai_nonstream_tool_calls",
     value: {name: "lookup_population", arguments: {country: "Crumpet"}}},
    {model: "User", from: "seed", value: {name: "Jason", age: 25}},
    {model: "User", from: "seed", value: {name: "Ada Lovelace", age: 36}},
    {model: "User", from: "seed", value: {name: "Zoë Müller", age: 41}},
    {model: "Ticket", from: "own", value: {
        title: "Login page returns 500 after password reset", priority: "high",
        tags: ["auth", "backend"], estimate_hours: 4}},
    {model: "Ticket", from: "own", value: {
        title: "Customer can't export invoices to CSV", priority: "medium",
        tags: ["billing", "export", "csv"], estimate_hours: null}},
    {model: "Ticket", from: "own", value: {
        title: "Update footer copyright year", priority: "low", tags: ["frontend"],
        estimate_hours: 1}},
    {model: "Task", from: "own", value: {title: "Renew TLS certificate", done: false,
                                         assignee: "ops-team"}},
    {model: "Task", from: "own", value: {title: "Write release notes", done: true, assignee: null}},
    {model: "Task", from: "own", value: {title: "Rotate API keys", done: false, assignee: null}},
    {model: "Task", from: "own", value: {title: "Migrate CI to the new runners", done: true,
                                         assignee: "Dana"}},
    {model: "Note", from: "own", value: {
        title: "Standup 2024-05-02",
        body: "- Deploy finished\n- Rollback plan reviewed\n\tOwner: Priya"}},
    {model: "Note", from: "own", value: {
        title: "Shipping address", body: "221B Baker Street\nLondon NW1 6XE\nUnited Kingdom"}},
    {model: "Note", from: "own", value: {
        title: "Quote", body: "He said \"ship it\"\r\nand left at 5 o'clock."}},
    {model: "Note", from: "own", value: {
        title: "Recipe",
        body: "1. Preheat the oven to 180°C\n2. Mix flour and sugar\n3. Bake for 25 minutes"}},
    {model: "Note", from: "own", value: {
        title: "Snippet", body: "def area(r):\n\treturn 3.14159 * r * r\n"}},
    {model: "Note", from: "own", value: {
        title: "Email", body: "Hi team,\n\nThe release moved to Friday.\n\nThanks,\nSam"}},
    {model: "Order", from: "own", value: {
        id: "A-1042", lines: [{sku: "KB-01", quantity: 2, price: 49.5},
                              {sku: "MS-07", quantity: 1, price: 19.99}],
        total: 118.99, paid: true, coupon: null}},
    {model: "Order", from: "own", value: {
        id: "B-7", lines: [{sku: "CABLE-USB-C", quantity: 3, price: 8.25}], total: 24.75,
        paid: false, coupon: "SPRING10"}},
];

// ---- rendering lenient JSON ----------------------------------------------------------------------

// Renders `v` in a style; adds to `kinds` each repair the text will need.
function render(v, style, kinds, depth = 0) {
    const pad = (d) => (style.pretty ? "\n" + "  ".repeat(d) : "");
    if (v === null || typeof v === "boolean") {
        if (!style.python)
            return String(v);
        kinds.add("python_literal");
        return v === null ? "None" : v ? "True" : "False";
    }
    if (typeof v === "number")
        return String(v);
    if (typeof v === "string")
        return quote(v, style, kinds);
    const isArray = Array.isArray(v);
    const entries = isArray ? v.map((x) => [null, x]) : Object.entries(v);
    if (entries.length === 0)
        return isArray ? "[]" : "{}";
    // no_commas: the members of an object without commas between them (arrays keep theirs)
    const sep = style.no_commas && !isArray ? (style.pretty ? "" : " ")
              : style.pretty ? "," : style.python ? ", " : ",";
    if (style.no_commas && !isArray && entries.length > 1)
        kinds.add("missing_comma");
    const colon = style.pretty || style.python ? ": " : ":";
    const parts = entries.map(([k, x]) => {
        let s = pad(depth + 1);
        if (k !== null)
            s += key(k, style, kinds) + colon;
        return s + render(x, style, kinds, depth + 1);
    });
    if (depth === 0 && !isArray && style.comment) {
        kinds.add("comment");
        if (style.comment === "line" || style.comment === "hash") {
            // pretty: a line before the first member, one after the last
            const mark = style.comment === "line" ? "//" : "#";
            parts[0] = pad(1) + mark + " " + style.note + parts[0];
            parts[parts.length - 1] += " " + mark + " " + style.note.toLowerCase();
        }
        else {
            parts[0] = "/* " + style.note + " */ " + parts[0];
        }
    }
    let body = parts.join(sep);
    if (style.trailing_comma) {
        kinds.add("trailing_comma");
        const last = parts.length - 1;
        // the comma goes before a comment that ends the last line, as people write it
        const cut = parts[last].lastIndexOf(" // ");
        if (cut >= 0 && depth === 0 && style.comment === "line")
            body = parts.slice(0, last).concat(parts[last].slice(0, cut) + "," + parts[last].slice(cut)).join(sep);
        else
            body += ",";
    }
    return (isArray ? "[" : "{") + body + pad(depth) + (isArray ? "]" : "}");
}

function key(k, style, kinds) {
    if (style.bare_keys) {
        kinds.add("unquoted_key");
        return k;
    }
    return quote(k, {...style, bare_values: false}, kinds);
}

// A string a model may leave unquoted and the repairer reads back as that string: it starts
// with a letter, holds nothing that ends it or makes two readings (a comma, closer, colon,
// quote, backslash, bracket, `#`, a comment, a line break), has no blanks around it, is not a
// word meaning something else (undefined, NaN, NULL...) and does not start with a literal word.
function bareOk(s) {
    return /^[A-Za-z_$][^,}\]\n\r"\\{\[:#\x00-\x1f]*$/.test(s) && !/\/[\/*]/.test(s) &&
           s === s.trim() && s.length <= 256 &&
           !/^(true|false|null|True|False|None)(?![A-Za-z0-9_$-])/.test(s) &&
           !/^(null|none|nil|undefined|nan|infinity|inf|true|false|yes|no|on|off)$/i.test(s) &&
           !/^nan\(/i.test(s);
}

function quote(s, style, kinds) {
    if (style.bare_values && bareOk(s)) {
        kinds.add("unquoted_value");
        return s;
    }
    // Python's repr picks double quotes for a string with an apostrophe and no double quote.
    const single = style.single_quotes && !(style.python && s.includes("'") && !s.includes('"'));
    if (single)
        kinds.add("single_quotes");
    const q = single ? "'" : '"';
    let out = q;
    for (const c of s) {
        if (c === q || c === "\\")
            out += "\\" + c;
        else if (c === "\n" || c === "\t" || c === "\r") {
            if (style.raw_control) {
                kinds.add("control_character");
                out += c;
            }
            else
                out += c === "\n" ? "\\n" : c === "\t" ? "\\t" : "\\r";
        }
        else
            out += c;
    }
    return out + q;
}

const styles = {
    plain_compact: {},
    plain_pretty: {pretty: true},
    trailing_commas: {pretty: true, trailing_comma: true},
    line_comments: {pretty: true, comment: "line", note: "Extracted from the message"},
    block_comment: {comment: "block", note: "fields as requested"},
    single_quotes: {single_quotes: true},
    unquoted_keys: {pretty: true, bare_keys: true},
    python_dict: {single_quotes: true, python: true},
    raw_newlines: {pretty: true, raw_control: true},
    js_object: {pretty: true, bare_keys: true, single_quotes: true, trailing_comma: true,
                comment: "line", note: "Result"},
    python_black: {pretty: true, single_quotes: true, python: true, trailing_comma: true},
    raw_and_quotes: {pretty: true, raw_control: true, single_quotes: true, trailing_comma: true},
    unquoted_values: {pretty: true, bare_values: true},
    yaml_like: {pretty: true, bare_keys: true, bare_values: true, no_commas: true},
    missing_commas: {no_commas: true},
    hash_comments: {pretty: true, comment: "hash", note: "From the reply"},
    python_hash: {pretty: true, single_quotes: true, python: true, comment: "hash", note: "Extracted"},
};

// ---- the prose around it -----------------------------------------------------------------------

const wrappers = {
    bare: {kinds: [], wrap: (j) => j},
    json_fence: {kinds: ["code_fence"], wrap: (j) => "```json\n" + j + "\n```"},
    fence_after_intro: {kinds: ["code_fence", "surrounding_text"],
                        wrap: (j) => "Here is the JSON you asked for:\n\n```json\n" + j + "\n```"},
    plain_fence_chatty: {kinds: ["code_fence", "surrounding_text"],
                         wrap: (j) => "Sure! Here's the extracted data:\n```\n" + j +
                                      "\n```\nLet me know if you need anything else."},
    prose_after: {kinds: ["surrounding_text"],
                  wrap: (j) => j + "\n\nI took these values from the text above."},
    inline_intro: {kinds: ["surrounding_text"],
                   wrap: (j) => "Based on the document, the result is: " + j},
    tagged: {kinds: ["surrounding_text"], wrap: (j) => "<answer>\n" + j + "\n</answer>"},
    python_fence: {kinds: ["code_fence"], wrap: (j) => "```python\n" + j + "\n```"},
    fence_then_note: {kinds: ["code_fence", "surrounding_text"],
                      wrap: (j) => "```json\n" + j + "\n```\n\nNote: values are as stated in the input."},
};
const prose_wrappers = ["json_fence", "fence_after_intro", "plain_fence_chatty", "prose_after",
                        "inline_intro", "tagged", "fence_then_note"];

// ---- the corpus --------------------------------------------------------------------------------

const corpus = [];
const names = new Set();
function add(name, model, kinds, text, expect, from) {
    if (names.has(name))
        throw new Error("duplicate name " + name);
    names.add(name);
    const entry = {name, model, kinds: [...kinds].sort(), text, expect};
    if (from)
        entry.from = from;
    corpus.push(entry);
}

function hasControl(v) {
    return JSON.stringify(v).match(/\\[ntr]/) !== null;
}
function hasLiteral(v) {
    return /\b(true|false|null)\b/.test(JSON.stringify(v).replace(/"(?:[^"\\]|\\.)*"/g, ""));
}

// Every answer in every style that changes it, each style in a prose wrapper chosen in turn
// (Python dicts in a bare or ```python fence); plain JSON only inside prose or fences.
answers.forEach((a, ai) => {
    Object.entries(styles).forEach(([sname, style], si) => {
        if (style.raw_control && !hasControl(a.value))
            return;
        if (style.python && !hasLiteral(a.value) && si % 2 === ai % 2)
            return;  // Python dicts without a literal are single quotes again: half of them
        const kinds = new Set();
        const json = render(a.value, style, kinds);
        if (!sname.startsWith("plain") && kinds.size === 0)
            return;  // the style changes nothing in this answer (no string to leave unquoted)
        let wnames;
        if (style.python)
            wnames = [ai % 2 ? "python_fence" : "bare"];
        else if (sname.startsWith("plain"))
            wnames = [prose_wrappers[(ai + si) % prose_wrappers.length]];
        else if (style.raw_control)  // the rarest repair: each answer bare and in prose
            wnames = ["bare", prose_wrappers[(ai + si) % prose_wrappers.length]];
        else
            wnames = [(ai + si) % 3 === 0 ? "bare" : prose_wrappers[(ai * 3 + si) % prose_wrappers.length]];
        for (const wname of wnames) {
            const w = wrappers[wname];
            const all = new Set([...kinds, ...w.kinds]);
            add(`${a.model.toLowerCase()}${ai}_${sname}_${wname}`, a.model, all, w.wrap(json), a.value, a.from);
        }
    });
});

const user = {name: "Jason", age: 25};
const find = (model, field, v) => answers.find((a) => a.model === model && a.value[field] === v).value;
const ticket = find("Ticket", "priority", "high");
const forecast = answers.find((a) => a.model === "Forecast").value;
const sum = answers.find((a) => a.model === "Sum").value;
const notes_task = find("Task", "title", "Write release notes");
const order = find("Order", "id", "B-7");
const mexico = find("City", "city", "Mexico City");
const paris = find("City", "city", "Paris");
const tool_call = find("ToolCall", "name", "get_something_by_name");
const J = (v) => JSON.stringify(v);
const P = (v) => JSON.stringify(v, null, 2);

// Only one value in the reply fits the model: that one is the answer.
const pick = [
    ["schema_echo_then_answer", "User", ["surrounding_text"],
     'The schema is {"name": "string", "age": "integer"}. Here is the answer: ' + J(user), user],
    ["input_echo_then_output", "User", ["surrounding_text"],
     'Input: {"text": "Jason is 25 years old"}\nOutput: ' + J(user), user],
    ["template_fence_then_answer_fence", "Ticket", ["code_fence", "surrounding_text"],
     'The format is:\n```json\n{"title": "...", "priority": "low|medium|high", "tags": []}\n```\n' +
     "Filled in for your ticket:\n```json\n" + P(ticket) + "\n```", ticket],
    ["partial_step_then_answer", "Sum", ["surrounding_text"],
     'First the operands: {"integer_a": 2, "integer_b": 2}. Then the sum: {"integer_a": 2, "integer_b": 2, "answer": 4}.',
     sum],
    ["citations_then_answer", "Forecast", ["surrounding_text"],
     "Sources [1], [2].\n" + J(forecast) + "\n[1] weather.gov [2] noaa.gov", forecast],
    ["reasoning_list_then_answer", "Output", ["surrounding_text", "trailing_comma"],
     "Candidates considered: [5, 6, 7]. Picking the last one:\n{\"output\": 7,}", {output: 7}],
    ["same_value_twice", "User", ["surrounding_text"],
     "Here it is: " + J(user) + "\n\nAgain, formatted:\n```json\n" + P(user) + "\n```", user],
    ["same_value_twice_python_and_json", "Task", ["code_fence", "python_literal", "single_quotes", "surrounding_text"],
     "```python\n{'title': 'Write release notes', 'done': True, 'assignee': None}\n```\nAs JSON: " +
     J(notes_task), notes_task],
    ["wrong_type_example_then_answer", "Order", ["surrounding_text", "unquoted_key"],
     "e.g. {id: 'X', lines: 'none'} is wrong; the order is:\n" +
     render(order, {pretty: true, bare_keys: true}, new Set()), order],
    ["smiley_and_braces_in_prose", "City", ["surrounding_text"],
     "Happy to help :) {placeholder} aside, the answer is " + J(mexico), mexico],
    ["markdown_link_then_answer", "City", ["surrounding_text"],
     "See [the docs](https://example.com) for details.\n" + J(paris), paris],
    ["tool_call_after_empty_args", "ToolCall", ["surrounding_text"],
     "No arguments needed: {}. Calling:\n" + J(tool_call), tool_call],
    ["apostrophe_in_broken_example", "User", ["surrounding_text"],
     "Not {name: it's Jason} but:\n" + J(user), user],
];
for (const [name, model, kinds, text, expect] of pick)
    add("pick_" + name, model, kinds, text, expect);

// What the text holds though it is not JSON, where the schema says what belongs there: a bare
// value becomes a string (an enum's name when it is one), a missing comma between members is
// put back, a `#` comment and a closer after the value that closes nothing are dropped.
const tasks_ops = find("Task", "assignee", "ops-team");
const low = find("Ticket", "priority", "low");
const bold = [
    ["unquoted_enum_value", "Ticket", ["unquoted_value"],
     '{"title": "Update footer copyright year", "priority": low, "tags": ["frontend"], "estimate_hours": 1}', low],
    ["unquoted_name", "User", ["unquoted_value"], '{"name": Ada Lovelace, "age": 36}',
     {name: "Ada Lovelace", age: 36}],
    ["unquoted_values_everywhere", "Ticket", ["unquoted_key", "unquoted_value"],
     "{title: Login page returns 500 after password reset, priority: high, tags: [auth, backend], estimate_hours: 4}",
     ticket],
    ["unquoted_value_blanks_trimmed", "User", ["unquoted_value"], '{"name": Jason   \t, "age": 25}', user],
    ["unquoted_value_apostrophe_and_slash", "Ticket", ["unquoted_value"],
     "{\"title\": Customer can't export invoices to CSV, \"priority\": medium, \"tags\": [billing, export, csv], \"estimate_hours\": null}",
     find("Ticket", "priority", "medium")],
    ["unquoted_value_then_literal", "Task", ["unquoted_value"],
     '{"title": Rotate API keys, "done": false, "assignee": null}', find("Task", "title", "Rotate API keys")],
    ["unquoted_value_python_literal", "Task", ["python_literal", "single_quotes", "unquoted_value"],
     "{'title': Renew TLS certificate, 'done': False, 'assignee': ops-team}", tasks_ops],
    ["unquoted_value_in_nested_array", "Forecast", ["unquoted_key", "unquoted_value"],
     "{elements: [{location: San Francisco, temperature: 58, condition: sunny}]}", forecast],
    ["unquoted_key_with_spaces_ignored", "User", ["unquoted_key", "unquoted_value"],
     '{name: Jason, age: 25, home town: Springfield}', user],
    ["unquoted_key_with_spaces_and_quoted_value", "City", ["unquoted_key"],
     '{city: "Paris", country: "France", time zone: "CET"}', paris],
    ["missing_comma", "User", ["missing_comma"], '{"name": "Jason" "age": 25}', user],
    ["missing_comma_after_number", "Sum", ["missing_comma"],
     '{"integer_a": 2 "integer_b": 2 "answer": 4}', sum],
    ["missing_comma_across_lines", "City", ["missing_comma"],
     '{\n  "city": "Paris"\n  "country": "France"\n}', paris],
    ["missing_comma_after_unquoted_value", "User", ["missing_comma", "unquoted_key", "unquoted_value"],
     "{\n  name: Jason\n  age: 25\n}", user],
    ["missing_comma_after_literal", "Task", ["missing_comma"],
     '{"title": "Write release notes", "done": true "assignee": null}', notes_task],
    ["hash_comment", "User", ["comment"], '{"name": "Jason", # the name\n "age": 25}', user],
    ["hash_comments_in_fence", "Task", ["code_fence", "comment", "python_literal", "single_quotes", "surrounding_text"],
     "```python\n# the task\n{\n  'title': 'Write release notes',  # from the title\n  'done': True,\n  'assignee': None  # nobody yet\n}\n```",
     notes_task],
    ["stray_brace", "User", ["stray_closer"], '{"name": "Jason", "age": 25}}', user],
    ["stray_bracket", "User", ["stray_closer"], '{"name": "Jason", "age": 25}]', user],
    ["stray_closers_in_fence", "City", ["code_fence", "surrounding_text", "stray_closer"],
     "```json\n" + P(paris) + "\n}\n```\nThat is all.", paris],
    ["stray_closer_after_pretty", "Order", ["stray_closer"], P(order) + "\n}\n", order],
];
for (const [name, model, kinds, text, expect] of bold)
    add("bold_" + name, model, kinds, text, expect);

// Must not decode: cut off, broken, ambiguous, or not the model's shape.
const refuse = [
    ["truncated_number", "User", '{"name": "Jason", "age": 2'],
    ["truncated_string", "User", '{"name": "Jas'],
    ["truncated_after_comma_in_fence", "Ticket",
     '```json\n{\n  "title": "Login page returns 500 after password reset",\n  "priority": "high",\n'],
    ["truncated_nested", "Forecast", '{"elements": [{"location": "San Francisco", "temperature": 58}'],
    ["truncated_after_key", "Order", "{'id': 'A-1042', 'lines'"],
    ["truncated_in_comment", "User", '{"name": "Jason", /* the age is'],
    ["truncated_after_complete_example", "User",
     'For example {"name": "Ada", "age": 36}. For your text: {"name": "Jason", "a'],
    ["truncated_python", "Task", "{'title': 'Renew TLS certificate', 'done': Fal"],
    ["truncated_open_fence_only", "User", "```json\n"],
    ["missing_colon", "User", '{"name" "Jason", "age": 25}'],
    ["missing_colon_bare_key", "User", "{name 'Jason', age: 25}"],
    ["missing_value", "User", '{"name": "Jason", "age": }'],
    ["missing_value_before_comma", "User", '{"name": "Jason", "age": , }'],
    ["missing_comma_in_array", "Ticket",
     '{"title": "Update footer copyright year", "priority": "low", "tags": ["frontend" "ui"]}'],
    ["double_comma", "User", '{"name": "Jason",, "age": 25}'],
    ["leading_comma", "User", '{, "name": "Jason", "age": 25}'],
    ["mismatched_closer", "Ticket", '{"title": "Broken", "priority": "low", "tags": ["a", "b"}'],
    ["closed_too_early", "User", '{"name": "Jason"}, "age": 25}'],
    ["yes_for_boolean", "Task", '{"title": "Renew TLS certificate", "done": yes, "assignee": null}'],
    ["nan_number", "Forecast", '{"elements": [{"location": "Nowhere", "temperature": NaN, "condition": "?"}]}'],
    ["undefined_value", "Task", '{"title": "Write release notes", "done": true, "assignee": undefined}'],
    ["ellipsis_placeholder", "Forecast", '```json\n{"elements": [...]}\n```'],
    ["plus_sign_number", "User", '{"name": "Jason", "age": +25}'],
    ["hex_number", "User", '{"name": "Jason", "age": 0x19}'],
    ["windows_path_escape", "Note", '{"title": "Path", "body": "C:\\Users\\jason\\notes.txt"}'],
    ["smart_quotes", "User", "{\u201cname\u201d: \u201cJason\u201d, \u201cage\u201d: 25}"],
    ["tuple_value", "Ticket", "{'title': 'Update footer copyright year', 'priority': 'low', 'tags': ('frontend',)}"],
    ["unterminated_string_runs_on", "Note", '{"title": "Notes, "body": "line one"}'],
    ["prose_only_refusal", "User", "I'm sorry, but I can't help with that request."],
    ["empty_reply", "User", ""],
    ["template_only", "User", 'Respond like {"name": "<name>", "age": <age>}'],
    ["two_different_answers", "User",
     'Option A: {"name": "Jason", "age": 25}\nOption B: {"name": "Jason", "age": 26}'],
    ["two_fences_different", "City",
     '```json\n{"city": "Paris", "country": "France"}\n```\nor\n```json\n{"city": "Lyon", "country": "France"}\n```'],
    ["example_fits_and_answer_fits", "Output",
     'If the input were 3 the output would be {"output": 3}; here it is {"output": 7}.'],
    ["wrong_type_after_repair", "User", "{'name': 'Jason', 'age': 'twenty-five'}"],
    ["array_of_users", "User", '[{"name": "Jason", "age": 25}, {"name": "Ada", "age": 36},]'],
    ["enum_not_in_set", "Ticket",
     "```json\n{\"title\": \"Update footer copyright year\", \"priority\": \"urgent\", \"tags\": [\"frontend\"],}\n```"],
    ["constraint_fails", "Ticket", "{title: 'Fix', priority: 'low', tags: []}"],
    ["missing_required_field", "Sum", "Result: {'integer_a': 2, 'integer_b': 2}"],
    ["single_slash", "User", '{"name": "Jason" / "age": 25}'],
    ["invalid_unicode_escape", "Note", '{"title": "x", "body": "\\u12G4"}'],
    ["number_then_word", "User", '{"name": "Jason", "age": 25years}'],
    // A broken value's nested object is not the answer (a brace in a single-quoted string,
    // the next member's key unquoted, the outer value cut off).
    ["inner_of_broken_outer", "User",
     "{'name': 'Ann :-}', 'age': thirty, 'child': {'name': 'Bo', 'age': 5}}"],
    ["inner_of_broken_outer_then_bare_key", "User",
     "{'name': 'Ann :-}', 'age': thirty, 'child': {'name': 'Bo', 'age': 5}, note: 'twins'}"],
    ["inner_of_broken_outer_cut_off", "User",
     "{'name': 'Ann :-}', 'age': thirty, 'child': {'name': 'Bo', 'age': 5}"],
    // What the text does not hold or holds two ways, though a bare value, a comma or a closer
    // would make it JSON.
    ["number_in_words", "User", '{"name": "Jason", "age": thirty}'],
    ["number_in_two_words", "User", '{"name": Jason, "age": twenty five}'],
    ["missing_value_after_bare_value", "User", '{"name": Jason, "age": }'],
    ["missing_value_at_line_end", "User", '{\n  "name": "Jason"\n  "age":\n}'],
    ["missing_value_bare_key", "User", "{name: , age: 25}"],
    ["cut_off_bare_value", "User", '{"name": Jason'],
    ["cut_off_after_bare_value", "Ticket", '{"title": Update footer copyright year, "priority": lo'],
    ["cut_off_after_missing_comma", "User", '{"name": "Jason" "age'],
    ["comma_in_bare_value", "City", '{"city": Paris, France}'],
    ["comma_in_bare_value_then_member", "Ticket",
     '{"title": Fix login, then deploy, "priority": high, "tags": ["auth"]}'],
    ["colon_in_bare_value", "Note", '{"title": Meeting, "body": Time: 10:30}'],
    ["words_without_comma_or_line", "User", "{name: Jason age: 25}"],
    ["value_on_the_next_line", "Note", '{"title": Standup, "body": Deploy finished\n  Rollback reviewed}'],
    ["quote_in_bare_value", "Note", '{"title": He said "ship it", "body": "x"}'],
    ["hash_in_bare_value", "Ticket", '{"title": Fix C# build, "priority": high, "tags": ["ci"]}'],
    ["comment_after_bare_value", "Ticket", '{"title": Fix build // from CI\n, "priority": high, "tags": ["ci"]}'],
    ["null_spelled_otherwise", "Task", '{"title": "Write release notes", "done": true, "assignee": none}'],
    ["yes_for_boolean_unquoted_string", "Task", '{"title": Renew TLS certificate, "done": yes, "assignee": null}'],
    ["nan_with_payload", "Order",
     '{"id": "B-7", "lines": [{"sku": "CABLE-USB-C", "quantity": 3, "price": nan(1)}], "total": 24.75, "paid": false, "coupon": null}'],
    ["null_in_capitals", "Task", '{"title": "Write release notes", "done": true, "assignee": NULL}'],
    ["literal_then_words", "Task", '{"title": "Write release notes", "done": True story, "assignee": null}'],
    ["bare_enum_not_in_set", "Ticket", '{"title": "Fix", "priority": urgent, "tags": ["ops"]}'],
    ["bare_value_in_root_array", "Ticket",
     '[{"title": "Update footer copyright year", "priority": "low", "tags": ["frontend"]}, see above]'],
    ["missing_comma_between_strings", "Ticket",
     '{"title": "Update footer copyright year", "priority": "low" "high", "tags": ["frontend"]}'],
    ["stray_closer_then_more", "Task",
     '{"title": "Write release notes", "done": true, "assignee": null}}, "done": false}'],
    ["deeply_nested", "ToolCall", '{"name": "f", "arguments": ' + "[".repeat(80) + "]".repeat(80) + "}"],
];
for (const [name, model, text] of refuse)
    add("refuse_" + name, model, [], text, null);

process.stdout.write(JSON.stringify(corpus, null, 1) + "\n");
