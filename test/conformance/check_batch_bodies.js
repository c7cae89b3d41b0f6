#!/usr/bin/env node
// node check_batch_bodies.js <request_bodies_dump> <openai-openapi.json> <anthropic-openapi.json>
//
// Validates the create calls of the batches we send (`request_bodies_dump --batches`):
// OpenAI's against CreateBatchRequest (POST /v1/batches), Anthropic's against
// BetaCreateMessageBatchParams (POST /v1/messages/batches: every request's custom_id pattern
// and its params as CreateMessageParams, additionalProperties false throughout), with ajv,
// reading each document exactly as check_request_bodies.js and check_anthropic_bodies.js do
// (their loaders are reused). The lines' bodies themselves are the interactive calls' bodies,
// checked by those two scripts (the integration tests prove a line's body is the call's).
// Invalid controls keep the check honest.
"use strict";

const { execFileSync } = require("child_process");
const openai = require("./check_request_bodies.js");
const anthropic = require("./check_anthropic_bodies.js");

function invalidControls() {
    const ok = { input_file_id: "file-1", endpoint: "/v1/chat/completions", completion_window: "24h" };
    const params = { model: "claude-3-5-haiku-latest", max_tokens: 16,
                     messages: [{ role: "user", content: "hi" }] };
    return [
        ["openai", "no input_file_id", { endpoint: ok.endpoint, completion_window: "24h" }],
        ["openai", "unknown endpoint", { ...ok, endpoint: "/v1/messages" }],
        ["openai", "completion_window 48h", { ...ok, completion_window: "48h" }],
        ["openai", "metadata value that is not a string", { ...ok, metadata: { n: 3 } }],
        ["anthropic", "no requests", {}],
        ["anthropic", "custom_id with a space", { requests: [{ custom_id: "a b", params }] }],
        ["anthropic", "custom_id of 65 characters", { requests: [{ custom_id: "x".repeat(65), params }] }],
        ["anthropic", "params without messages",
         { requests: [{ custom_id: "a", params: { model: params.model, max_tokens: 16 } }] }],
        ["anthropic", "an unknown field in a request", { requests: [{ custom_id: "a", params, extra: 1 }] }],
    ];
}

function main() {
    const [dumpProgram, openaiSpec, anthropicSpec] = process.argv.slice(2);
    if (!dumpProgram || !openaiSpec || !anthropicSpec) {
        console.error("usage: node check_batch_bodies.js <request_bodies_dump> <openai-openapi.json> <anthropic-openapi.json>");
        return 2;
    }
    const validators = {
        openai: [openai.loadValidator(openaiSpec, "CreateBatchRequest"), openai.describeErrors],
        anthropic: [anthropic.loadValidator(anthropicSpec, "BetaCreateMessageBatchParams"),
                    anthropic.describeErrors],
    };
    const bodies = JSON.parse(execFileSync(dumpProgram, ["--batches"],
                                           { encoding: "utf8", maxBuffer: 256 << 20 }));
    let passed = 0, failed = 0;
    const seen = { openai: 0, anthropic: 0 };
    for (const { name, api, body } of bodies) {
        const [validate, describe] = validators[api];
        seen[api]++;
        if (validate(body)) {
            passed++;
            continue;
        }
        failed++;
        console.log(`REJECTED ${api} ${name}\n    body: ${JSON.stringify(body).slice(0, 600)}\n` +
                    `    ajv errors:\n${describe(validate.errors)}`);
    }
    for (const api of Object.keys(seen)) {
        if (seen[api] < 4) {
            console.log(`only ${seen[api]} ${api} batch bodies checked, need at least 4`);
            failed++;
        }
    }
    const controls = invalidControls();
    for (const [api, name, body] of controls) {
        if (!validators[api][0](body)) {
            passed++;
            continue;
        }
        failed++;
        console.log(`CONTROL ACCEPTED (the check is too lax): ${api} ${name}\n    body: ${JSON.stringify(body)}`);
    }
    console.log(`${seen.openai} OpenAI and ${seen.anthropic} Anthropic batch bodies, ` +
                `${controls.length} invalid controls`);
    console.log(`${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
}

try {
    process.exitCode = main();
} catch (e) {
    console.log(`ERROR: ${e.stack || e.message}`);
    console.log("0 passed, 1 failed");
    process.exitCode = 1;
}
