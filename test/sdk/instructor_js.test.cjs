// instructor-js (on openai-node) against instructor-mock: each of its modes, whole and streamed.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { z } = require('zod');
const { default: OpenAI } = require('openai');
const { default: Instructor } = require('@instructor-ai/instructor');
const { startMock } = require('./mock.cjs');

const User = z.object({ name: z.string(), age: z.number().int() });
const messages = [{ role: 'user', content: 'Extract: Jason is 25 years old.' }];
let openai;

test.before(async () => {
    const mock = await startMock();
    openai = new OpenAI({ baseURL: mock.base, apiKey: mock.apiKey, maxRetries: 0 });
});

for (const mode of ['TOOLS', 'JSON', 'JSON_SCHEMA', 'MD_JSON']) {
    test(`${mode}: a whole answer`, async () => {
        const client = Instructor({ client: openai, mode });
        const user = await client.chat.completions.create({
            model: 'gpt-4o-mini', messages, max_retries: 0,
            response_model: { schema: User, name: 'User' },
        });
        User.parse({ name: user.name, age: user.age });
    });
}

test('TOOLS: a stream of partial objects', async () => {
    const client = Instructor({ client: openai, mode: 'TOOLS' });
    const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini', messages, stream: true,
        response_model: { schema: User, name: 'User' },
    });
    let last;
    let partials = 0;
    for await (const partial of stream) {
        last = partial;
        ++partials;
    }
    assert.ok(partials > 1);
    User.parse({ name: last.name, age: last.age });
});
