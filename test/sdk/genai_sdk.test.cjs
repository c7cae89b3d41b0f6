// Google's Gen AI SDK (@google/genai) against instructor-mock: generateContent with a JSON
// schema and with a forced function, the stream, and thinking.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
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
