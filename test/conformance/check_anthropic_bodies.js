#!/usr/bin/env node
// node check_anthropic_bodies.js <request_bodies_dump> <anthropic-openapi.json> [<wire dir>]
//
// Validates every Messages API request body we build (`request_bodies_dump --anthropic` prints
// them: anthropic_tools and anthropic_json, several response models and Claude models, with and
// without system / temperature / max_tokens / stream, multi-part user content with images,
// several system messages, extra_body, and re-ask histories from anthropic_reask -- assistant
// turns of text and tool_use blocks, user turns of tool_result blocks -- including re-asks that
// echo the recorded replies 12 and 13) against CreateMessageParams of Anthropic's OpenAPI
// document (the requestBody of POST /v1/messages), with ajv. ajv is found through NODE_PATH
// (ctest sets it to INSTRUCTOR_NODE_MODULES).
//
// How the OpenAPI document is read:
//  - it says "openapi": "3.1.0", whose schemas are JSON Schema 2020-12: Ajv2020;
//  - the whole document is added under an id, so "#/components/schemas/X" refs resolve in it;
//  - it has no OpenAPI 3.0 `nullable` (checked: a later document that has some fails loudly
//    here rather than being misread);
//  - `"type": null` (the stainless generator's "no type", once, on Model: anyOf of a free
//    string and the preset names) is not JSON Schema; it is removed, which is its meaning;
//  - `discriminator` carries a `mapping`, which ajv's discriminator option refuses; the
//    keyword is left unenforced (strict: false): `oneOf` decides validity either way, and
//    every discriminated oneOf here has members whose `type` is a distinct const;
//  - the one format reachable from the request, "byte" (Base64ImageSource.data), is checked
//    as standard padded base64 (RFC 4648 section 4); "uri" (only in the URL image source
//    below) with WHATWG URL parsing plus a scheme. "binary" and "date-time" appear only in
//    responses and batch objects, not reachable from CreateMessageParams.
//
// The document is from 2024-11, older than the API. TWO additions, and only these, are made to it:
//  - RequestImageBlock.source gains the URL image source {"type": "url", "url": <uri>}
//    (additionalProperties false, both required). The Messages API accepts it since 2025
//    (docs.anthropic.com "Vision": `"source": {"type": "url", "url": "https://..."}`); the
//    2024-11 document only knows base64. We send it for an https image part.
//  - InputMessage's content blocks gain the PDF document block, {"type": "document", "source"}
//    with the document's own BetaBase64PDFSource (a 2024-11 beta, general since 2025) or a URL
//    source as above (docs.anthropic.com "PDF support"). We send it for a PDF part.
//    Every other source type is still rejected (controls below), and the count of bodies that
//    needed each addition is printed.
// Nothing we send is excluded, and no body is patched. CreateMessageParams and every block in
// it are additionalProperties: false, so unknown or misplaced fields (OpenAI's stream_options,
// response_format, image_url parts, ...) are caught.
//
// Controls keep the check honest: hand-made invalid bodies must be rejected, and the recorded
// Anthropic requests in the wire directory (when given) must be accepted; the recorded requests
// that use parameters newer than the document are checked with exactly those parameters removed
// (listed in NEWER_THAN_SPEC, with the reason), so they still control everything else.
"use strict";

const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020");

const MIN_BODIES = 10;
const SPEC_ID = "https://api.anthropic.com/openapi.json";
const REQUEST_SCHEMA_NAME = "CreateMessageParams";
const REQUEST_SCHEMA = `${SPEC_ID}#/components/schemas/${REQUEST_SCHEMA_NAME}`;

// Recorded requests that use what the 2024-11 document does not know yet: the keys removed
// (wherever they occur) before the check, and why.
const NEWER_THAN_SPEC = {
    "10": { keys: ["cache_control"],
            why: "prompt caching (cache_control on system/tools blocks) left beta in Dec 2024; " +
                 "the document has it only in the PromptCachingBeta* schemas" },
    "11": { keys: ["output_format"], why: "structured outputs (output_format) is a 2025 beta" },
    "12": { keys: ["output_format"], why: "structured outputs (output_format) is a 2025 beta" },
    "16": { keys: ["output_config"],
            why: "output_config.effort is a 2025 parameter (and this request got a 400 anyway)" },
};

// Structured outputs (anthropic_structured_outputs) are newer than the document: the one field
// they add, output_config, is checked here against the shape Anthropic's structured-outputs
// docs give ({"format": {"type": "json_schema", "schema": <a JSON Schema>}}, nothing else), its
// schema must compile as JSON Schema, and the rest of the body is then checked against the
// document like every other body.
const OUTPUT_CONFIG = {
    type: "object", additionalProperties: false, required: ["format"],
    properties: {
        format: {
            type: "object", additionalProperties: false, required: ["type", "schema"],
            properties: { type: { const: "json_schema" }, schema: { type: "object" } },
        },
    },
};
let outputConfigs = 0;

/// The body without output_config when that field is valid, else null (the reason printed).
function withoutOutputConfig(name, body) {
    if (!("output_config" in body))
        return body;
    const ajv = new Ajv2020({ strict: false });
    const check = ajv.compile(OUTPUT_CONFIG);
    if (!check(body.output_config)) {
        console.log(`REJECTED ${name}: output_config\n${describeErrors(check.errors)}`);
        return null;
    }
    try {
        new Ajv2020({ strict: false }).compile(body.output_config.format.schema);
    }
    catch (e) {
        console.log(`REJECTED ${name}: output_config.format.schema is not a JSON Schema: ${e.message}`);
        return null;
    }
    outputConfigs++;
    const { output_config, ...rest } = body;
    return rest;
}

let typeNullRemoved = 0;
let urlSourceUses = 0;
let documentUses = 0;

function isObject(v) {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

// Removes `"type": null` everywhere in the components (only schema objects carry `type`).
function removeTypeNull(node) {
    if (Array.isArray(node))
        return node.forEach(removeTypeNull);
    if (!isObject(node))
        return;
    if ("type" in node && node.type === null) {
        delete node.type;
        typeNullRemoved++;
    }
    Object.values(node).forEach(removeTypeNull);
}

function countKey(node, key) {
    if (Array.isArray(node))
        return node.reduce((n, v) => n + countKey(v, key), 0);
    if (!isObject(node))
        return 0;
    return Object.entries(node).reduce((n, [k, v]) => n + (k === key ? 1 : 0) + countKey(v, key), 0);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function loadValidator(specPath, schemaName = REQUEST_SCHEMA_NAME) {
    const schemaRef = `${SPEC_ID}#/components/schemas/${schemaName}`;
    const spec = JSON.parse(fs.readFileSync(specPath, "utf8"));
    if (!/^3\.1\./.test(spec.openapi || ""))
        throw new Error(`expected an OpenAPI 3.1 document, got openapi=${spec.openapi}`);
    const schemas = spec.components && spec.components.schemas;
    if (!schemas || !schemas[REQUEST_SCHEMA_NAME])
        throw new Error(`no components.schemas.${REQUEST_SCHEMA_NAME} in the spec`);
    const post = spec.paths && spec.paths["/v1/messages"] && spec.paths["/v1/messages"].post;
    const bodyRef = post && post.requestBody.content["application/json"].schema.$ref;
    if (bodyRef !== `#/components/schemas/${REQUEST_SCHEMA_NAME}`)
        throw new Error(`POST /v1/messages takes ${bodyRef}, not ${REQUEST_SCHEMA_NAME}`);
    const nullable = countKey(spec.components, "nullable");
    if (nullable !== 0)
        throw new Error(`the spec uses OpenAPI 3.0 nullable ${nullable} times: rewrite it ` +
                        "(see check_request_bodies.js) before trusting this check");
    removeTypeNull(spec.components);

    // The URL image source (see the header).
    const source = schemas.RequestImageBlock && schemas.RequestImageBlock.properties.source;
    if (!source || !Array.isArray(source.oneOf) || source.oneOf.length !== 1)
        throw new Error("RequestImageBlock.source is not the expected one-member oneOf");
    schemas.URLImageSource = {
        type: "object",
        additionalProperties: false,
        properties: {
            type: { const: "url" },
            url: { type: "string", format: "uri" },
        },
        required: ["type", "url"],
    };
    source.oneOf.push({ $ref: "#/components/schemas/URLImageSource" });

    // The PDF document block (see the header).
    const blocks = schemas.InputMessage && schemas.InputMessage.properties.content.anyOf[1];
    if (!blocks || !blocks.items || !Array.isArray(blocks.items.oneOf) || !schemas.BetaBase64PDFSource)
        throw new Error("InputMessage.content is not the expected string-or-blocks anyOf");
    schemas.RequestDocumentBlock = {
        type: "object",
        additionalProperties: false,
        properties: {
            type: { const: "document" },
            source: { oneOf: [{ $ref: "#/components/schemas/BetaBase64PDFSource" },
                              { $ref: "#/components/schemas/URLImageSource" }] },
        },
        required: ["type", "source"],
    };
    blocks.items.oneOf.push({ $ref: "#/components/schemas/RequestDocumentBlock" });

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat("byte", { type: "string", validate: (s) => BASE64.test(s) });
    ajv.addFormat("uri", {
        type: "string",
        validate: (s) => {
            if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s))
                return false;
            try {
                new URL(s);
                return true;
            } catch (e) {
                return false;
            }
        },
    });
    ajv.addFormat("binary", true);
    ajv.addFormat("date-time", true);
    ajv.addSchema(spec, SPEC_ID);
    const validate = ajv.getSchema(schemaRef);
    if (!validate)
        throw new Error(`cannot compile ${schemaRef}`);
    return validate;
}

function describeErrors(errors) {
    const lines = (errors || []).map(
        (e) => `      ${e.instancePath || "/"} ${e.message}` +
               (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : "") +
               `  (${e.schemaPath})`);
    const shown = lines.slice(0, 25);
    if (lines.length > shown.length)
        shown.push(`      ... ${lines.length - shown.length} more`);
    return shown.join("\n");
}

function usesUrlSource(body) {
    return (body.messages || []).some((m) => Array.isArray(m.content) && m.content.some(
        (b) => b && b.type === "image" && b.source && b.source.type === "url"));
}

// Bodies that break the spec in one way each: each must be rejected.
function invalidControls() {
    const user = { role: "user", content: "hi" };
    const base = { model: "claude-sonnet-4-5", max_tokens: 1024, messages: [user] };
    const tool = { name: "UserInfo", input_schema: { type: "object", properties: {} } };
    const withContent = (content) => ({ ...base, messages: [{ role: "user", content }] });
    const image = (source) => withContent([{ type: "image", source }]);
    const afterToolUse = (result) => ({ ...base, messages: [user,
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "UserInfo", input: {} }] },
        { role: "user", content: [result] }] });
    return [
        ["no max_tokens", { model: base.model, messages: [user] }],
        ["max_tokens 0", { ...base, max_tokens: 0 }],
        ["max_tokens as a string", { ...base, max_tokens: "1024" }],
        ["no model", { max_tokens: 1024, messages: [user] }],
        ["no messages", { model: base.model, max_tokens: 1024 }],
        ["a system role message", { ...base, messages: [{ role: "system", content: "x" }, user] }],
        ["a tool role message", { ...base, messages: [user, { role: "tool", content: "x" }] }],
        ["message without content", { ...base, messages: [{ role: "user" }] }],
        ["system as an object", { ...base, system: { text: "x" } }],
        ["temperature above 1", { ...base, temperature: 1.5 }],
        ["stream as a string", { ...base, stream: "yes" }],
        ["OpenAI stream_options", { ...base, stream: true, stream_options: { include_usage: true } }],
        ["OpenAI response_format", { ...base, response_format: { type: "json_object" } }],
        ["tool without input_schema", { ...base, tools: [{ name: "UserInfo" }] }],
        ["tool input_schema not an object schema",
         { ...base, tools: [{ name: "UserInfo", input_schema: { type: "array" } }] }],
        ["tool name with a space", { ...base, tools: [{ ...tool, name: "User Info" }] }],
        ["OpenAI function tool", { ...base, tools: [{ type: "function", function: tool }] }],
        ["tool_choice tool without a name", { ...base, tools: [tool], tool_choice: { type: "tool" } }],
        ["OpenAI tool_choice", { ...base, tools: [tool],
                                 tool_choice: { type: "function", function: { name: "UserInfo" } } }],
        ["tool_choice as a string", { ...base, tools: [tool], tool_choice: "required" }],
        ["empty text block", withContent([{ type: "text", text: "" }])],
        ["unknown block type", withContent([{ type: "video", url: "https://example.com/v.mp4" }])],
        ["OpenAI image_url part",
         withContent([{ type: "image_url", image_url: { url: "https://example.com/a.png" } }])],
        ["base64 image of an unsupported media type",
         image({ type: "base64", media_type: "image/bmp", data: "Qk0=" })],
        ["base64 image data that is not base64",
         image({ type: "base64", media_type: "image/png", data: "not base64!" })],
        ["base64 image without media_type", image({ type: "base64", data: "iVBORw0KGgo=" })],
        ["url image without url", image({ type: "url" })],
        ["url image that is not a URL", image({ type: "url", url: "not a url" })],
        ["url image with an extra field", image({ type: "url", url: "https://example.com/a.png", detail: "low" })],
        ["file image source", image({ type: "file", file_id: "file_011" })],
        ["document of an image type",
         withContent([{ type: "document", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }])],
        ["document with a file source",
         withContent([{ type: "document", source: { type: "file", file_id: "file-abc" } }])],
        ["document without a source", withContent([{ type: "document" }])],
        ["OpenAI file part", withContent([{ type: "file", file: { file_id: "file-abc" } }])],
        ["OpenAI input_audio part",
         withContent([{ type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } }])],
        ["tool_use without input", { ...base, messages: [user, { role: "assistant",
            content: [{ type: "tool_use", id: "toolu_1", name: "UserInfo" }] }] }],
        ["tool_use input as a string", { ...base, messages: [user, { role: "assistant",
            content: [{ type: "tool_use", id: "toolu_1", name: "UserInfo", input: "{}" }] }] }],
        ["tool_result without tool_use_id", afterToolUse({ type: "tool_result", content: "x" })],
        ["tool_result is_error as a string",
         afterToolUse({ type: "tool_result", tool_use_id: "toolu_1", content: "x", is_error: "true" })],
        ["OpenAI tool message fields in a block",
         afterToolUse({ type: "tool_result", tool_call_id: "toolu_1", content: "x" })],
    ];
}

function dropKeys(node, keys) {
    if (Array.isArray(node))
        return node.map((v) => dropKeys(v, keys));
    if (!isObject(node))
        return node;
    return Object.fromEntries(Object.entries(node).filter(([k]) => !keys.includes(k))
                                                  .map(([k, v]) => [k, dropKeys(v, keys)]));
}

// Real Anthropic requests recorded by other projects (../wire/*.meta.json, uri api.anthropic.com
// /v1/messages).
function recordedAnthropicRequests(wireDir) {
    if (!wireDir || !fs.existsSync(wireDir))
        return [];
    const out = [];
    for (const f of fs.readdirSync(wireDir).sort()) {
        if (!f.endsWith(".meta.json"))
            continue;
        const meta = JSON.parse(fs.readFileSync(path.join(wireDir, f), "utf8"));
        if (!/api\.anthropic\.com\/v1\/messages(\?|$)/.test(meta.uri || "") || !meta.request_body)
            continue;
        let body = typeof meta.request_body === "string" ? JSON.parse(meta.request_body)
                                                          : meta.request_body;
        let name = f;
        const newer = NEWER_THAN_SPEC[f.slice(0, 2)];
        if (newer) {
            const present = newer.keys.filter((k) => JSON.stringify(body).includes(`"${k}":`));
            if (present.length !== newer.keys.length)
                throw new Error(`${f}: expected ${newer.keys} in the recorded request (NEWER_THAN_SPEC is stale)`);
            body = dropKeys(body, newer.keys);
            name += ` without ${newer.keys.join(", ")} (${newer.why})`;
        }
        out.push([name, body]);
    }
    return out;
}

function main() {
    const [dumpProgram, specPath, wireDir] = process.argv.slice(2);
    if (!dumpProgram || !specPath) {
        console.error("usage: node check_anthropic_bodies.js <request_bodies_dump> <anthropic-openapi.json> [<wire dir>]");
        return 2;
    }
    const validate = loadValidator(specPath);
    const args = ["--anthropic", ...(wireDir ? [wireDir] : [])];
    const bodies = JSON.parse(execFileSync(dumpProgram, args, { encoding: "utf8", maxBuffer: 256 << 20 }));

    let passed = 0, failed = 0, checked = 0;
    for (const { name, body: whole } of bodies) {
        checked++;
        const body = withoutOutputConfig(name, whole);
        if (body === null) {
            failed++;
            continue;
        }
        if (usesUrlSource(body))
            urlSourceUses++;
        if (JSON.stringify(body).includes('"type":"document"'))
            documentUses++;
        if (validate(body)) {
            passed++;
            continue;
        }
        failed++;
        console.log(`REJECTED ${name}\n    body: ${JSON.stringify(body).slice(0, 600)}\n` +
                    `    ajv errors:\n${describeErrors(validate.errors)}`);
    }
    if (checked < MIN_BODIES) {
        console.log(`only ${checked} request bodies checked, need at least ${MIN_BODIES}`);
        failed++;
    }
    const reasks = bodies.filter(({ body }) => (body.messages || []).some((m) => m.role === "assistant" &&
        Array.isArray(m.content) && m.content.some((b) => b.type === "tool_use")));
    if (documentUses === 0) {
        console.log("no body has a PDF document block: the media parts are not covered");
        failed++;
    }
    if (outputConfigs === 0) {
        console.log("no body has output_config: anthropic_structured_outputs is not covered");
        failed++;
    }
    if (reasks.length === 0) {
        console.log("no body has an assistant turn with tool_use blocks: the re-asks are not covered");
        failed++;
    }

    const controls = invalidControls();
    for (const [name, body] of controls) {
        if (!validate(body)) {
            passed++;
            continue;
        }
        failed++;
        console.log(`CONTROL ACCEPTED (the check is too lax): ${name}\n    body: ${JSON.stringify(body)}`);
    }
    // output_config's own controls: a format that is not json_schema, an extra key, a schema
    // that is not JSON Schema.
    const before = outputConfigs;
    for (const [name, oc] of [
        ["output_config json_object", { format: { type: "json_object", schema: {} } }],
        ["output_config extra key", { format: { type: "json_schema", schema: {} }, effort: 1 }],
        ["output_config bad schema", { format: { type: "json_schema", schema: { type: 7 } } }],
    ]) {
        if (withoutOutputConfig(`control ${name}`, { output_config: oc }) === null) {
            passed++;
            continue;
        }
        failed++;
        console.log(`CONTROL ACCEPTED (the check is too lax): ${name}`);
    }
    outputConfigs = before;

    const recorded = recordedAnthropicRequests(wireDir);
    if (wireDir && recorded.length === 0) {
        console.log(`no recorded Anthropic requests found in ${wireDir}`);
        failed++;
    }
    for (const [name, body] of recorded) {
        if (validate(body)) {
            passed++;
            continue;
        }
        failed++;
        console.log(`RECORDED REQUEST REJECTED (the check is too strict): ${name}\n` +
                    `    ajv errors:\n${describeErrors(validate.errors)}`);
    }

    console.log(`${checked} request bodies (${reasks.length} with tool_use re-asks, ${urlSourceUses} ` +
                `with a URL image source, ${documentUses} with a PDF document), ${controls.length} invalid controls, ${recorded.length} ` +
                `recorded Anthropic requests; ${typeNullRemoved} "type": null removed`);
    console.log(`${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
}

// Run as a command, or required for its validator (check_batch_bodies.js).
if (require.main === module) {
    try {
        process.exitCode = main();
    } catch (e) {
        console.log(`ERROR: ${e.stack || e.message}`);
        console.log("0 passed, 1 failed");
        process.exitCode = 1;
    }
}
module.exports = { loadValidator, describeErrors };
