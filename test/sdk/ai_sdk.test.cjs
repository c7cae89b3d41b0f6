// The AI SDK's OpenAI (Responses and chat) and Anthropic providers against instructor-mock:
// generateObject and streamObject.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { z } = require('zod');
const { generateObject, streamObject } = require('ai');
const { createOpenAI } = require('@ai-sdk/openai');
const { createAnthropic } = require('@ai-sdk/anthropic');
const { startMock } = require('./mock.cjs');

const User = z.object({ name: z.string(), age: z.number().int() });
const prompt = 'Extract: Jason is 25 years old.';
let models;

test.before(async () => {
    const mock = await startMock();
    const openai = createOpenAI({ baseURL: mock.base, apiKey: mock.apiKey });
    const anthropic = createAnthropic({ baseURL: mock.base, apiKey: mock.apiKey });
    models = {
        'OpenAI Responses': openai.responses('gpt-4o-mini'),
        'OpenAI chat': openai.chat('gpt-4o-mini'),
        'Anthropic': anthropic('claude-sonnet-4-5'),
    };
});

for (const name of ['OpenAI Responses', 'OpenAI chat', 'Anthropic']) {
    test(`${name}: generateObject`, async () => {
        const r = await generateObject({ model: models[name], schema: User, prompt, maxRetries: 0 });
        User.parse(r.object);
        assert.ok(r.usage.outputTokens > 0);
    });

    test(`${name}: streamObject`, async () => {
        const r = streamObject({ model: models[name], schema: User, prompt, maxRetries: 0,
                                 onError: ({ error }) => { throw error; } });
        let partials = 0;
        for await (const p of r.partialObjectStream) {
            assert.equal(typeof p, 'object');
            ++partials;
        }
        assert.ok(partials > 0);
        User.parse(await r.object);
    });
}
