#!/usr/bin/env node
// node check_request_bodies.js [--responses] <request_bodies_dump> <openai-openapi.json> [<wire dir>]
//
// With --responses, the Responses API bodies (`request_bodies_dump --responses`) are checked
// against CreateResponse instead, with invalid controls of their own.
//
// Validates every chat completions request body we build (request_bodies_dump prints them:
// every OpenAI-compatible mode, several models, optional fields, streaming, multi-part user
// content, re-ask histories) against CreateChatCompletionRequest of OpenAI's official OpenAPI
// document, with ajv. ajv is found through NODE_PATH (ctest sets it to INSTRUCTOR_NODE_MODULES).
//
// How the OpenAPI document is read:
//  - it says "openapi": "3.1.0", whose schemas are JSON Schema 2020-12: Ajv2020;
//  - the whole document is added under an id, so "#/components/schemas/X" refs resolve in it;
//  - it still uses OpenAPI 3.0's `nullable: true` (112 times, twice without a `type`, which
//    ajv's own nullable support rejects at compile time). 3.0 defines it as "null is also
//    allowed", so each schema with `nullable: true` becomes `anyOf: [<schema>, {type: "null"}]`
//    before compiling (only where a schema is expected, never inside examples or enums);
//  - `discriminator` is left to ajv's discriminator option (it only narrows the error report;
//    `oneOf` decides validity either way);
//  - the one format reachable from the request ("uri", image_url.url) is checked with WHATWG
//    URL parsing plus a scheme, so https: and data: URLs pass and "not a url" fails.
//
// Nothing we send is excluded. The spec accepts unknown properties almost everywhere, so the
// check is about the names, types, nesting and enums of what it does define (roles, content
// parts, tools, tool_choice, response_format, stream_options, temperature range, ...).
// Controls keep the check honest: hand-made invalid bodies must be rejected, and the real
// OpenAI requests recorded in the wire directory (when given) must be accepted.
"use strict";

const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020");

const MIN_BODIES = 10;
const SPEC_ID = "https://api.openai.com/openapi.json";
const RESPONSES = process.argv[2] === "--responses";
const SCHEMA_NAME = RESPONSES ? "CreateResponse" : "CreateChatCompletionRequest";
const REQUEST_SCHEMA = `${SPEC_ID}#/components/schemas/${SCHEMA_NAME}`;

// Keywords whose value is a map of name -> schema, a list of schemas, or one schema.
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions",
                             "dependentSchemas"]);
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const SCHEMA_ONE = new Set(["items", "additionalProperties", "not", "if", "then", "else",
                            "contains", "propertyNames", "unevaluatedProperties",
                            "unevaluatedItems", "additionalItems"]);

let nullableRewritten = 0;

function isObject(v) {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

// OpenAPI 3.0 `nullable` to JSON Schema 2020-12, recursively through subschemas only.
function rewriteNullable(schema) {
    if (!isObject(schema))
        return schema;
    const out = {};
    for (const [k, v] of Object.entries(schema)) {
        if (SCHEMA_MAPS.has(k) && isObject(v))
            out[k] = Object.fromEntries(Object.entries(v).map(([n, s]) => [n, rewriteNullable(s)]));
        else if (SCHEMA_LISTS.has(k) && Array.isArray(v))
            out[k] = v.map(rewriteNullable);
        else if (SCHEMA_ONE.has(k))
            out[k] = Array.isArray(v) ? v.map(rewriteNullable) : rewriteNullable(v);
        else
            out[k] = v;
    }
    if (!("nullable" in out))
        return out;
    const { nullable, ...rest } = out;
    if (nullable !== true)
        return rest;
    nullableRewritten++;
    return { anyOf: [rest, { type: "null" }] };
}

function loadValidator(specPath, schemaName = SCHEMA_NAME) {
    const schemaRef = `${SPEC_ID}#/components/schemas/${schemaName}`;
    const spec = JSON.parse(fs.readFileSync(specPath, "utf8"));
    if (!/^3\.1\./.test(spec.openapi || ""))
        throw new Error(`expected an OpenAPI 3.1 document, got openapi=${spec.openapi}`);
    const schemas = spec.components && spec.components.schemas;
    if (!schemas || !schemas[schemaName])
        throw new Error(`no components.schemas.${schemaName} in the spec`);
    for (const name of Object.keys(schemas))
        schemas[name] = rewriteNullable(schemas[name]);
    if (RESPONSES && schemas.InputItem && schemas.InputItem.oneOf) {
        // InputItem is a oneOf whose `type` discriminator picks the shape; a message with a
        // content list fits both EasyInputMessage and Item/InputMessage, so without the
        // discriminator oneOf would reject every such message: anyOf keeps "fits a shape".
        const { oneOf, discriminator, ...rest } = schemas.InputItem;
        schemas.InputItem = { ...rest, anyOf: oneOf };
    }

    // The Responses API part of the document has discriminators over subschemas that are
    // themselves unions (no `properties/type` of their own), which ajv's discriminator option
    // refuses to compile; there it is off and `oneOf` alone decides, as it does anyway.
    const ajv = new Ajv2020({ strict: false, allErrors: true, discriminator: !RESPONSES });
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
    ajv.addFormat("float", { type: "number", validate: () => true });  // a width, not a constraint
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

// Responses API bodies that break the spec in one way each: each must be rejected.
function invalidResponsesControls() {
    const base = { model: "gpt-4o-mini", input: [{ role: "user", content: "hi" }] };
    const tool = { type: "function", name: "UserInfo", parameters: { type: "object" }, strict: true };
    return [
        ["unknown input role", { ...base, input: [{ role: "robot", content: "hi" }] }],
        ["input message without content", { ...base, input: [{ role: "user" }] }],
        ["function tool without a name", { ...base, tools: [{ type: "function", parameters: {} }] }],
        ["tool_choice function without a name", { ...base, tools: [tool], tool_choice: { type: "function" } }],
        ["function_call item without call_id",
         { ...base, input: [{ type: "function_call", name: "f", arguments: "{}" }] }],
        ["function_call_output without output",
         { ...base, input: [{ type: "function_call_output", call_id: "c" }] }],
        ["text format json_schema without a schema",
         { ...base, text: { format: { type: "json_schema", name: "UserInfo" } } }],
        ["unknown text format type", { ...base, text: { format: { type: "yaml" } } }],
        ["max_output_tokens as a string", { ...base, max_output_tokens: "100" }],
        ["temperature above 2", { ...base, temperature: 3 }],
        ["input_text without text", { ...base, input: [{ role: "user", content: [{ type: "input_text" }] }] }],
        ["input_image without detail",
         { ...base, input: [{ role: "user", content: [{ type: "input_image", image_url: "https://example.com/a.png" }] }] }],
        ["input_file data that is not a string",
         { ...base, input: [{ role: "user", content: [{ type: "input_file", file_data: 42 }] }] }],
        ["input_file URL that is not a URL",
         { ...base, input: [{ role: "user", content: [{ type: "input_file", file_url: "not a url" }] }] }],
    ];
}

// Bodies that break the spec in one way each: each must be rejected.
function invalidControls() {
    if (RESPONSES)
        return invalidResponsesControls();
    const user = { role: "user", content: "hi" };
    const base = { model: "gpt-4o-mini", messages: [user] };
    return [
        ["no messages", { model: "gpt-4o-mini" }],
        ["no model", { messages: [user] }],
        ["empty messages", { ...base, messages: [] }],
        ["unknown role", { ...base, messages: [{ role: "robot", content: "hi" }] }],
        ["user message without content", { ...base, messages: [{ role: "user" }] }],
        ["tool message without tool_call_id", { ...base, messages: [user, { role: "tool", content: "x" }] }],
        ["temperature above 2", { ...base, temperature: 3 }],
        ["max_tokens as a string", { ...base, max_tokens: "100" }],
        ["stream as a string", { ...base, stream: "yes" }],
        ["response_format json_schema without json_schema", { ...base, response_format: { type: "json_schema" } }],
        ["response_format json_schema without a name",
         { ...base, response_format: { type: "json_schema", json_schema: { schema: {} } } }],
        ["unknown response_format type", { ...base, response_format: { type: "yaml" } }],
        ["function without a name",
         { ...base, tools: [{ type: "function", function: { parameters: { type: "object" } } }] }],
        ["tool_choice naming no function", { ...base, tool_choice: { type: "function" } }],
        ["tool_choice unknown string", { ...base, tool_choice: "always" }],
        ["assistant tool call without arguments",
         { ...base, messages: [user, { role: "assistant", tool_calls: [
             { id: "c", type: "function", function: { name: "f" } }] }] }],
        ["image_url that is not a URL",
         { ...base, messages: [{ role: "user", content: [
             { type: "image_url", image_url: { url: "not a url" } }] }] }],
        ["image detail unknown",
         { ...base, messages: [{ role: "user", content: [
             { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "max" } }] }] }],
        ["input_audio of an unknown format",
         { ...base, messages: [{ role: "user", content: [
             { type: "input_audio", input_audio: { data: "UklGRg==", format: "ogg" } }] }] }],
        ["input_audio without data",
         { ...base, messages: [{ role: "user", content: [
             { type: "input_audio", input_audio: { format: "wav" } }] }] }],
        ["file part without its file object",
         { ...base, messages: [{ role: "user", content: [{ type: "file", file_id: "file-abc" }] }] }],
    ];
}

// Real OpenAI requests recorded by other projects (../wire/*.meta.json, uri api.openai.com).
function recordedOpenAIRequests(wireDir) {
    if (!wireDir || !fs.existsSync(wireDir))
        return [];
    const out = [];
    for (const f of fs.readdirSync(wireDir).sort()) {
        if (!f.endsWith(".meta.json"))
            continue;
        const meta = JSON.parse(fs.readFileSync(path.join(wireDir, f), "utf8"));
        if (!/api\.openai\.com\/v1\/chat\/completions/.test(meta.uri || "") || !meta.request_body)
            continue;
        const body = typeof meta.request_body === "string" ? JSON.parse(meta.request_body)
                                                            : meta.request_body;
        out.push([f, body]);
    }
    return out;
}

function main() {
    const [dumpProgram, specPath, wireDir] = process.argv.slice(RESPONSES ? 3 : 2);
    if (!dumpProgram || !specPath) {
        console.error("usage: node check_request_bodies.js [--responses] <request_bodies_dump> <openai-openapi.json> [<wire dir>]");
        return 2;
    }
    const validate = loadValidator(specPath);
    const bodies = JSON.parse(execFileSync(dumpProgram, RESPONSES ? ["--responses"] : [],
                                           { encoding: "utf8", maxBuffer: 256 << 20 }));

    let passed = 0, failed = 0, checked = 0;
    for (const { name, body } of bodies) {
        checked++;
        if (validate(body)) {
            passed++;
            continue;
        }
        failed++;
        console.log(`REJECTED ${name}\n    body: ${JSON.stringify(body).slice(0, 600)}\n` +
                    `    ajv errors:\n${describeErrors(validate.errors)}`);
    }
    // Every media part we can send is among the bodies checked.
    const sent = JSON.stringify(bodies.map(({ body }) => body));
    const partTypes = RESPONSES ? ["input_image", "input_file", "file_data", "file_id", "file_url"]
                                : ["image_url", "input_audio", "\"file\"", "file_data", "file_id"];
    for (const t of partTypes) {
        if (!sent.includes(t.startsWith("\"") ? t : `"${t}"`)) {
            console.log(`no body has a ${t} part: the media parts are not covered`);
            failed++;
        }
    }
    if (checked < MIN_BODIES) {
        console.log(`only ${checked} request bodies checked, need at least ${MIN_BODIES}`);
        failed++;
    }

    for (const [name, body] of invalidControls()) {
        if (!validate(body)) {
            passed++;
            continue;
        }
        failed++;
        console.log(`CONTROL ACCEPTED (the check is too lax): ${name}\n    body: ${JSON.stringify(body)}`);
    }

    const recorded = recordedOpenAIRequests(wireDir);
    if (wireDir && recorded.length === 0) {
        console.log(`no recorded OpenAI requests found in ${wireDir}`);
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

    console.log(`${checked} request bodies, ${invalidControls().length} invalid controls, ` +
                `${recorded.length} recorded OpenAI requests; ${nullableRewritten} nullable rewritten`);
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
