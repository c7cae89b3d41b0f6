// Google's Gen AI SDK (@google/genai) against instructor-mock: generateContent with a JSON
// schema and with a forced function, the stream, and thinking. And our generateContent bodies
// (request_bodies_dump --genai: every mode, model, variant and re-ask) handed to the SDK come
// out as the body it sends: its converter writes only the fields the API defines, so a field
// we send that the API lacks would be missing (the invalid controls show the check catching
// one).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { execFileSync } = require('node:child_process');
const { GoogleGenAI, FunctionCallingConfigMode } = require('@google/genai');
const { startMock } = require('./mock.cjs');

const userSchema = {
    type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } },
    required: ['name', 'age'],
};
const contents = 'Extract: Jason is 25 years old.';
const model = 'gemini-2.5-flash';
let ai;

function checkUser(u) {
    assert.equal(typeof u.name, 'string');
    assert.ok(Number.isInteger(u.age), JSON.stringify(u));
}

test.before(async () => {
    const mock = await startMock();
    ai = new GoogleGenAI({ apiKey: mock.apiKey, httpOptions: { baseUrl: mock.origin } });
});

test('generateContent: JSON by schema', async () => {
    const r = await ai.models.generateContent({
        model, contents,
        config: { responseMimeType: 'application/json', responseJsonSchema: userSchema },
    });
    checkUser(JSON.parse(r.text));
    assert.equal(r.candidates[0].finishReason, 'STOP');
    assert.ok(r.usageMetadata.totalTokenCount > 0);
});

test('generateContent: a forced function call', async () => {
    const r = await ai.models.generateContent({
        model, contents,
        config: {
            tools: [{ functionDeclarations: [{ name: 'User', parameters: userSchema }] }],
            toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY,
                                                   allowedFunctionNames: ['User'] } },
        },
    });
    assert.equal(r.functionCalls.length, 1);
    assert.equal(r.functionCalls[0].name, 'User');
    checkUser(r.functionCalls[0].args);
});

test('generateContentStream: the text in chunks, then the reason and usage', async () => {
    const stream = await ai.models.generateContentStream({
        model, contents,
        config: { responseMimeType: 'application/json', responseJsonSchema: userSchema },
    });
    let text = '';
    let chunks = 0;
    let last;
    for await (const chunk of stream) {
        ++chunks;
        text += chunk.text ?? '';
        last = chunk;
    }
    assert.ok(chunks > 1);
    checkUser(JSON.parse(text));
    assert.equal(last.candidates[0].finishReason, 'STOP');
});

test('thinking: thought parts and their tokens', async () => {
    const r = await ai.models.generateContent({
        model, contents,
        config: {
            thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 },
            responseMimeType: 'application/json', responseJsonSchema: userSchema,
        },
    });
    const parts = r.candidates[0].content.parts;
    assert.ok(parts.some((p) => p.thought && p.text.length > 0));
    checkUser(JSON.parse(parts.filter((p) => !p.thought).map((p) => p.text).join('')));
    assert.ok(r.usageMetadata.thoughtsTokenCount > 0);
});

/// The SDK writes a function's parameter types in capitals (OBJECT) where we write JSON
/// Schema's small letters; the API takes both.
function capitalTypes(schema) {
    if (Array.isArray(schema))
        return schema.map(capitalTypes);
    if (!schema || typeof schema !== 'object')
        return schema;
    const out = {};
    for (const [k, v] of Object.entries(schema))
        out[k] = k === 'type' && typeof v === 'string' ? v.toUpperCase()
            : k === 'properties' ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, capitalTypes(s)]))
            : capitalTypes(v);
    return out;
}

test('our generateContent bodies are what the SDK sends from them', async () => {
    const bodies = JSON.parse(execFileSync(process.env.INSTRUCTOR_BODIES_DUMP, ['--genai'],
                                           { maxBuffer: 64 << 20 }));
    assert.ok(bodies.length >= 40, `${bodies.length} bodies`);
    let captured;
    const server = http.createServer((req, res) => {
        let b = '';
        req.on('data', (c) => { b += c; });
        req.on('end', () => {
            captured = JSON.parse(b);
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: '{}' }] },
                                                    finishReason: 'STOP' }] }));
        });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const local = new GoogleGenAI({ apiKey: 'k', httpOptions: {
        baseUrl: `http://127.0.0.1:${server.address().port}` } });
    const sent = async (body) => {
        const { contents, generationConfig, ...rest } = structuredClone(body);
        captured = undefined;
        await local.models.generateContent({ model, contents,
                                             config: { ...(generationConfig ?? {}), ...rest } });
        if (captured.generationConfig && Object.keys(captured.generationConfig).length === 0)
            delete captured.generationConfig;  // the SDK writes an empty one
        return captured;
    };
    const expected = (body) => {
        const e = structuredClone(body);
        for (const t of e.tools ?? [])
            for (const f of t.functionDeclarations ?? [])
                f.parameters = capitalTypes(f.parameters);
        return e;
    };
    try {
        const kinds = new Set();
        for (const { name, body } of bodies) {
            assert.deepEqual(await sent(body), expected(body), name);
            for (const c of body.contents)
                for (const p of c.parts)
                    for (const k of Object.keys(p))
                        kinds.add(k);
        }
        for (const k of ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse',
                         'thought', 'thoughtSignature'])
            assert.ok(kinds.has(k), `no ${k} among the parts`);
        // Invalid controls: a field the API lacks, in the generation config and in a part.
        const config = structuredClone(bodies[0].body);
        config.generationConfig = { ...(config.generationConfig ?? {}), responseFormat: 'json' };
        assert.notDeepEqual(await sent(config), expected(config));
        const part = structuredClone(bodies[0].body);
        part.contents[0].parts[0].kind = 'text';
        assert.notDeepEqual(await sent(part), expected(part));
    }
    finally {
        server.close();
    }
});
