// Amazon Bedrock against instructor-mock, with the official AWS SDK for JavaScript
// (@aws-sdk/client-bedrock-runtime): converse and converseStream with a forced tool, signed
// with Signature Version 4 (which the mock checks with our signer: the two must agree on every
// header the SDK signs), a wrong secret refused, and a Bedrock API key as a bearer token.
// Our Converse bodies (request_bodies_dump --bedrock: every mode, model, variant and re-ask)
// serialised by the SDK's ConverseCommand come out unchanged: it writes only what the Converse
// model defines, so a member we send that the model lacks would be missing (the invalid
// controls show the check catching one).
// Then the other way round: the requests our client sends (instructor-bench in bedrock_tools,
// whole and streamed) are checked by AWS's own signer (@smithy/signature-v4) before they reach
// the mock.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { spawn, execFileSync } = require('node:child_process');
const { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } =
    require('@aws-sdk/client-bedrock-runtime');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
const { SignatureV4 } = require('@smithy/signature-v4');
const { HttpRequest } = require('@smithy/protocol-http');
const { Sha256 } = require('@aws-crypto/sha256-js');
const { startMock } = require('./mock.cjs');

const secret = 'mock-aws-secret-access-key';  // mock_options::aws_secret_access_key
const credentials = { accessKeyId: 'AKIDMOCK', secretAccessKey: secret, sessionToken: 'token-1' };
const modelId = 'anthropic.claude-3-haiku-20240307-v1:0';
const userSchema = {
    type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } },
    required: ['name', 'age'],
};
const toolConfig = {
    tools: [{ toolSpec: { name: 'User', description: 'A user', inputSchema: { json: userSchema } } }],
    toolChoice: { tool: { name: 'User' } },
};
const messages = [{ role: 'user', content: [{ text: 'Extract: Jason is 25 years old.' }] }];
let mock;

function client(extra = {}) {
    // The SDK speaks HTTP/2 by default; the mock (like Bedrock's HTTP/1.1 endpoint) takes 1.1.
    return new BedrockRuntimeClient({ region: 'us-east-1', endpoint: mock.origin, credentials,
                                      requestHandler: new NodeHttpHandler(), maxAttempts: 1,
                                      ...extra });
}

function checkUser(u) {
    assert.equal(typeof u.name, 'string');
    assert.ok(Number.isInteger(u.age), JSON.stringify(u));
}

test.before(async () => {
    mock = await startMock();
});

test('converse: a forced tool, signed', async () => {
    const r = await client().send(new ConverseCommand({ modelId, messages, toolConfig }));
    assert.equal(r.stopReason, 'tool_use');
    const use = r.output.message.content.find((b) => b.toolUse).toolUse;
    assert.equal(use.name, 'User');
    checkUser(use.input);
    assert.ok(r.usage.totalTokens > 0);
});

test('converseStream: the tool input in pieces, messageStop, then the usage', async () => {
    const r = await client().send(new ConverseStreamCommand({ modelId, messages, toolConfig }));
    let input = '';
    let started;
    let stop;
    let usage;
    let deltas = 0;
    for await (const ev of r.stream) {
        if (ev.contentBlockStart)
            started = ev.contentBlockStart.start.toolUse;
        if (ev.contentBlockDelta?.delta?.toolUse) {
            input += ev.contentBlockDelta.delta.toolUse.input;
            ++deltas;
        }
        if (ev.messageStop)
            stop = ev.messageStop.stopReason;
        if (ev.metadata)
            usage = ev.metadata.usage;
    }
    assert.equal(started.name, 'User');
    assert.ok(deltas > 1);
    checkUser(JSON.parse(input));
    assert.equal(stop, 'tool_use');
    assert.ok(usage.totalTokens > 0);
});

test('a wrong secret is refused as AWS refuses it', async () => {
    const c = client({ credentials: { ...credentials, secretAccessKey: 'wrong' } });
    await assert.rejects(c.send(new ConverseCommand({ modelId, messages, toolConfig })),
                         (e) => e.name === 'InvalidSignatureException' &&
                                e.$metadata.httpStatusCode === 403);
});

test('a Bedrock API key goes as a bearer token', async () => {
    const c = client({ token: { token: 'bedrock-api-key' }, authSchemePreference: ['httpBearerAuth'] });
    const r = await c.send(new ConverseCommand({ modelId, messages, toolConfig }));
    checkUser(r.output.message.content.find((b) => b.toolUse).toolUse.input);
});

/// A Converse body as the SDK's input: blobs (base64 in JSON) as bytes.
function asInput(v, key) {
    if (Array.isArray(v))
        return v.map((e) => asInput(e));
    if (v && typeof v === 'object') {
        const out = {};
        for (const [k, e] of Object.entries(v))
            out[k] = asInput(e, k);
        return out;
    }
    return (key === 'bytes' || key === 'redactedContent') && typeof v === 'string'
        ? Buffer.from(v, 'base64') : v;
}

test('our Converse bodies are what the SDK writes from them', async () => {
    const bodies = JSON.parse(execFileSync(process.env.INSTRUCTOR_BODIES_DUMP, ['--bedrock'],
                                           { maxBuffer: 64 << 20 }));
    assert.ok(bodies.length >= 60, `${bodies.length} bodies`);
    const c = client();
    let captured;
    c.middlewareStack.add(() => async (args) => {
        captured = JSON.parse(args.request.body);
        throw new Error('captured');
    }, { step: 'build' });
    const serialised = async (body) => {
        captured = undefined;
        await assert.rejects(c.send(new ConverseCommand({ modelId, ...asInput(body) })), /captured/);
        return captured;
    };
    const kinds = new Set();
    for (const { name, body } of bodies) {
        assert.deepEqual(await serialised(body), body, name);
        for (const m of body.messages)
            for (const b of m.content)
                kinds.add(Object.keys(b)[0]);
    }
    for (const k of ['text', 'image', 'document', 'toolUse', 'toolResult', 'reasoningContent'])
        assert.ok(kinds.has(k), `no ${k} block among the bodies`);
    // Invalid controls: a member the model lacks, at the top and nested, is not written.
    const top = { ...bodies[0].body, toolChoice: { any: {} } };
    assert.notDeepEqual(await serialised(top), top);
    const nested = structuredClone(bodies[0].body);
    nested.toolConfig.tools[0].toolSpec.input_schema = nested.toolConfig.tools[0].toolSpec.inputSchema;
    delete nested.toolConfig.tools[0].toolSpec.inputSchema;
    assert.notDeepEqual(await serialised(nested), nested);
});

test('our requests carry the signature AWS\'s signer gives them', async () => {
    const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'bedrock',
                                     sha256: Sha256, applyChecksum: false });
    const target = new URL(mock.origin);
    const checked = [];
    // Checks each request, then hands it to the mock with a bearer token and relays the answer.
    const server = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', async () => {
            const body = Buffer.concat(chunks);
            const auth = req.headers.authorization ?? '';
            const names = /SignedHeaders=([^,\s]+)/.exec(auth)?.[1].split(';') ?? [];
            const headers = {};
            for (const n of names)
                headers[n] = req.headers[n];
            const url = new URL(req.url, 'http://x');
            const d = req.headers['x-amz-date'] ?? '';
            const when = new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T` +
                                  `${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`);
            const theirs = await signer.sign(new HttpRequest({
                method: req.method, protocol: 'http:', hostname: '127.0.0.1', path: url.pathname,
                query: Object.fromEntries(url.searchParams), headers, body,
            }), { signingDate: when });
            checked.push({ path: url.pathname, ours: auth, theirs: theirs.headers.authorization });
            const fwd = http.request({ host: target.hostname, port: target.port, path: req.url,
                                       method: req.method,
                                       headers: { 'content-type': 'application/json',
                                                  authorization: 'Bearer relay' } },
                                     (answer) => {
                                         res.writeHead(answer.statusCode, answer.headers);
                                         answer.pipe(res);
                                     });
            fwd.end(body);
        });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${server.address().port}`;
    const bench = (...flags) => new Promise((resolve, reject) => {
        const env = { ...process.env };  // no API key of any kind: the calls are signed
        for (const k of Object.keys(env))
            if (/API_KEY|BEARER|^AWS_/.test(k))
                delete env[k];
        const child = spawn(process.env.INSTRUCTOR_BENCH,
                            ['--url', url, '--mode', 'bedrock_tools', '--model', modelId,
                             '--requests', '3', '--json', ...flags],
                            { env: { ...env, AWS_ACCESS_KEY_ID: credentials.accessKeyId,
                                     AWS_SECRET_ACCESS_KEY: secret,
                                     AWS_SESSION_TOKEN: credentials.sessionToken,
                                     AWS_REGION: 'us-east-1' },
                              stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => { out += d; });
        child.on('error', reject);
        child.on('exit', (code) => resolve({ code, out }));
    });
    try {
        for (const flags of [[], ['--stream']]) {
            const r = await bench(...flags);
            assert.equal(r.code, 0, r.out);
            const summary = JSON.parse(r.out);
            assert.equal(summary.ok, 3, r.out);
            assert.deepEqual(summary.errors, {}, r.out);
        }
    }
    finally {
        server.close();
    }
    assert.equal(checked.length, 6);
    assert.ok(checked.some((c) => c.path.endsWith('/converse-stream')));
    for (const c of checked) {
        assert.match(c.ours, /SignedHeaders=host;x-amz-date;x-amz-security-token,/);
        assert.equal(c.ours, c.theirs, c.path);
    }
});
