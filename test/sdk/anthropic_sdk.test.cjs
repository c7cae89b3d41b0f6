// The Anthropic SDK against instructor-mock: messages with tools, streams, extended thinking,
// structured outputs (parse), Message Batches with their results, and Anthropic's errors.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { z } = require('zod/v4');
const { default: Anthropic } = require('@anthropic-ai/sdk');
const { zodOutputFormat } = require('@anthropic-ai/sdk/helpers/zod');
const { startMock } = require('./mock.cjs');

const User = z.object({ name: z.string(), age: z.number().int() });
const userSchema = {
    type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } },
    required: ['name', 'age'], additionalProperties: false,
};
const messages = [{ role: 'user', content: 'Extract: Jason is 25 years old.' }];
const model = 'claude-sonnet-4-5';
let client;

test.before(async () => {
    const mock = await startMock();
    client = new Anthropic({ baseURL: mock.origin, apiKey: mock.apiKey, maxRetries: 0 });
});

test('messages: a forced tool', async () => {
    const r = await client.messages.create({
        model, max_tokens: 1024, messages,
        tools: [{ name: 'User', description: 'A user', input_schema: userSchema }],
        tool_choice: { type: 'tool', name: 'User' },
    });
    assert.equal(r.type, 'message');
    assert.equal(r.stop_reason, 'tool_use');
    const use = r.content.find((b) => b.type === 'tool_use');
    assert.equal(use.name, 'User');
    User.parse(use.input);
    assert.ok(r.usage.output_tokens > 0);
});

test('messages: a text stream and a tool stream through the helper', async () => {
    const text = client.messages.stream({ model, max_tokens: 1024, messages });
    let streamed = '';
    text.on('text', (t) => { streamed += t; });
    const said = await text.finalMessage();
    assert.ok(streamed.length > 0);
    assert.equal(said.content[0].text, streamed);

    const tool = client.messages.stream({
        model, max_tokens: 1024, messages,
        tools: [{ name: 'User', input_schema: userSchema }],
        tool_choice: { type: 'tool', name: 'User' },
    });
    let partial = 0;
    tool.on('inputJson', () => ++partial);
    const used = await tool.finalMessage();
    assert.ok(partial > 0);
    User.parse(used.content.find((b) => b.type === 'tool_use').input);
});

test('messages: extended thinking with a tool, whole and streamed', async () => {
    const params = {
        model, max_tokens: 4096, messages, thinking: { type: 'enabled', budget_tokens: 1024 },
        tools: [{ name: 'User', input_schema: userSchema }], tool_choice: { type: 'auto' },
    };
    const r = await client.messages.create(params);
    const thinking = r.content.find((b) => b.type === 'thinking');
    assert.ok(thinking.thinking.length > 0);
    assert.ok(thinking.signature.length > 0);
    User.parse(r.content.find((b) => b.type === 'tool_use').input);

    const stream = client.messages.stream(params);
    let thought = '';
    stream.on('thinking', (delta) => { thought += delta; });
    const done = await stream.finalMessage();
    const block = done.content.find((b) => b.type === 'thinking');
    assert.equal(block.thinking, thought);
    assert.ok(block.signature.length > 0);
});

test('structured outputs: parse with output_config.format', async () => {
    const r = await client.messages.parse({
        model, max_tokens: 1024, messages, output_config: { format: zodOutputFormat(User) },
    });
    User.parse(r.parsed_output);
    assert.equal(r.parsed_output.name.length > 0, true);
});

test('structured outputs: streamed', async () => {
    const stream = client.messages.stream({
        model, max_tokens: 1024, messages, output_config: { format: zodOutputFormat(User) },
    });
    const done = await stream.finalMessage();
    User.parse(JSON.parse(done.content[0].text));
});

test('message batches: create, wait, read every result', async () => {
    const requests = [1, 2, 3].map((n) => ({
        custom_id: `req-${n}`,
        params: { model, max_tokens: 1024, messages, tools: [{ name: 'User', input_schema: userSchema }],
                  tool_choice: { type: 'tool', name: 'User' } },
    }));
    let batch = await client.messages.batches.create({ requests });
    assert.equal(batch.type, 'message_batch');
    for (let i = 0; i < 200 && batch.processing_status !== 'ended'; ++i) {
        await new Promise((r) => setTimeout(r, 10));
        batch = await client.messages.batches.retrieve(batch.id);
    }
    assert.equal(batch.processing_status, 'ended');
    assert.ok(!Number.isNaN(Date.parse(batch.created_at)));
    assert.ok(Date.parse(batch.ended_at) >= Date.parse(batch.created_at));
    assert.equal(new URL(batch.results_url).hostname, '127.0.0.1');
    const ids = [];
    for await (const line of await client.messages.batches.results(batch.id)) {
        ids.push(line.custom_id);
        assert.equal(line.result.type, 'succeeded');
        User.parse(line.result.message.content.find((b) => b.type === 'tool_use').input);
    }
    assert.deepEqual(ids.sort(), ['req-1', 'req-2', 'req-3']);
});

test('errors: Anthropic\'s error body, an overload as 529', async () => {
    const mock = await startMock('--faults', '500', '--fault-rate', '1');
    const failing = new Anthropic({ baseURL: mock.origin, apiKey: mock.apiKey, maxRetries: 0 });
    await assert.rejects(failing.messages.create({ model, max_tokens: 64, messages }), (e) => {
        assert.equal(e.status, 529);
        assert.equal(e.error.type, 'error');
        assert.equal(e.error.error.type, 'overloaded_error');
        return true;
    });
});
