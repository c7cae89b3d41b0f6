// openai-node against instructor-mock: chat, tools, parse, chat streams and their helper,
// Responses create, parse and the stream helper, function tools, Files and Batches.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { z } = require('zod');
const { default: OpenAI, AzureOpenAI, toFile } = require('openai');
const { zodResponseFormat, zodTextFormat } = require('openai/helpers/zod');
const { startMock } = require('./mock.cjs');

const User = z.object({ name: z.string(), age: z.number().int() });
const prompt = [{ role: 'user', content: 'Extract: Jason is 25 years old.' }];
let client;
let mock;

test.before(async () => {
    mock = await startMock();
    client = new OpenAI({ baseURL: mock.base, apiKey: mock.apiKey, maxRetries: 0 });
});

test('chat: a plain answer', async () => {
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: prompt });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.ok(r.choices[0].message.content.length > 0);
    assert.ok(r.usage.total_tokens > 0);
});

test('chat: a forced tool call whose arguments fit its schema', async () => {
    const r = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: prompt,
        tools: [{ type: 'function', function: { name: 'User', parameters: {
            type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } },
            required: ['name', 'age'], additionalProperties: false } } }],
        tool_choice: { type: 'function', function: { name: 'User' } },
    });
    const call = r.choices[0].message.tool_calls[0];
    assert.equal(call.function.name, 'User');
    User.parse(JSON.parse(call.function.arguments));
});

test('chat: parse with a zod response format', async () => {
    const r = await client.chat.completions.parse({
        model: 'gpt-4o-mini', messages: prompt, response_format: zodResponseFormat(User, 'User'),
    });
    User.parse(r.choices[0].message.parsed);
});

test('chat: a raw stream of chunks', async () => {
    const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini', messages: prompt, stream: true,
        stream_options: { include_usage: true },
        response_format: zodResponseFormat(User, 'User'),
    });
    let text = '';
    let chunks = 0;
    let usage;
    for await (const chunk of stream) {
        ++chunks;
        text += chunk.choices[0]?.delta?.content ?? '';
        usage = chunk.usage ?? usage;
    }
    assert.ok(chunks > 1);
    User.parse(JSON.parse(text));
    assert.ok(usage.total_tokens > 0);
});

test('chat: the stream helper, with tools and with a response format', async () => {
    const fmt = client.chat.completions.stream({
        model: 'gpt-4o-mini', messages: prompt, response_format: zodResponseFormat(User, 'User'),
    });
    let deltas = 0;
    fmt.on('content.delta', () => ++deltas);
    const done = await fmt.finalChatCompletion();
    assert.ok(deltas > 0);
    User.parse(done.choices[0].message.parsed);

    const tools = client.chat.completions.stream({
        model: 'gpt-4o-mini', messages: prompt,
        tools: [{ type: 'function', function: { name: 'User', strict: true, parameters: {
            type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } },
            required: ['name', 'age'], additionalProperties: false } } }],
        tool_choice: { type: 'function', function: { name: 'User' } },
    });
    const calls = await tools.finalChatCompletion();
    const call = calls.choices[0].message.tool_calls[0];
    User.parse(JSON.parse(call.function.arguments));
});

test('responses: create with a string input and instructions', async () => {
    const r = await client.responses.create({
        model: 'gpt-4o-mini', instructions: 'Answer in JSON.', input: 'Jason is 25.',
        text: { format: zodTextFormat(User, 'User') },
    });
    assert.equal(r.object, 'response');
    assert.equal(r.status, 'completed');
    User.parse(JSON.parse(r.output_text));
});

test('responses: parse', async () => {
    const r = await client.responses.parse({
        model: 'gpt-4o-mini', input: prompt, text: { format: zodTextFormat(User, 'User') },
    });
    User.parse(r.output_parsed);
});

test('responses: a function tool', async () => {
    const r = await client.responses.create({
        model: 'gpt-4o-mini', input: prompt,
        tools: [{ type: 'function', name: 'User', strict: true, parameters: {
            type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } },
            required: ['name', 'age'], additionalProperties: false } }],
        tool_choice: { type: 'function', name: 'User' },
    });
    const call = r.output.find((o) => o.type === 'function_call');
    assert.equal(call.name, 'User');
    User.parse(JSON.parse(call.arguments));
});

test("responses: the stream helper on a reasoning model's text, and on a tool call", async () => {
    const text = client.responses.stream({
        model: 'o4-mini', input: prompt, reasoning: { effort: 'low', summary: 'auto' },
        text: { format: zodTextFormat(User, 'User') },
    });
    const seen = new Set();
    let streamed = '';
    text.on('event', (e) => seen.add(e.type));
    text.on('response.output_text.delta', (e) => { streamed += e.delta; });
    const done = await text.finalResponse();
    User.parse(done.output_parsed);
    assert.equal(streamed, done.output_text);
    for (const t of ['response.created', 'response.content_part.added', 'response.output_text.done',
                     'response.content_part.done', 'response.reasoning_summary_text.delta',
                     'response.completed'])
        assert.ok(seen.has(t), `no ${t} event`);
    const reasoning = done.output.find((o) => o.type === 'reasoning');
    assert.ok(reasoning.summary[0].text.length > 0);
    assert.ok(done.usage.output_tokens_details.reasoning_tokens > 0);

    const tool = client.responses.stream({
        model: 'gpt-4o-mini', input: prompt,
        tools: [{ type: 'function', name: 'User', strict: true, parameters: {
            type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } },
            required: ['name', 'age'], additionalProperties: false } }],
        tool_choice: { type: 'function', name: 'User' },
    });
    let argsDone;
    tool.on('response.function_call_arguments.done', (e) => { argsDone = e; });
    const called = await tool.finalResponse();
    const call = called.output.find((o) => o.type === 'function_call');
    assert.equal(argsDone.item_id, call.id);
    User.parse(JSON.parse(call.arguments));
});

test('files and batches: upload, run, read the results', async () => {
    const lines = [1, 2, 3].map((n) => JSON.stringify({
        custom_id: `req-${n}`, method: 'POST', url: '/v1/chat/completions',
        body: { model: 'gpt-4o-mini', messages: prompt, response_format: zodResponseFormat(User, 'User') },
    }));
    const file = await client.files.create({
        file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'batch.jsonl'), purpose: 'batch',
    });
    assert.equal(file.purpose, 'batch');
    let batch = await client.batches.create({
        input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h',
    });
    for (let i = 0; i < 200 && !['completed', 'failed', 'expired', 'cancelled'].includes(batch.status); ++i) {
        await new Promise((r) => setTimeout(r, 10));
        batch = await client.batches.retrieve(batch.id);
    }
    assert.equal(batch.status, 'completed');
    assert.equal(batch.request_counts.completed, 3);
    const out = await (await client.files.content(batch.output_file_id)).text();
    const results = out.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(results.map((r) => r.custom_id).sort(), ['req-1', 'req-2', 'req-3']);
    for (const r of results)
        User.parse(JSON.parse(r.response.body.choices[0].message.content));
    const listed = [];
    for await (const b of client.batches.list({ limit: 10 }))
        listed.push(b.id);
    assert.ok(listed.includes(batch.id));
});

test('azure: AzureOpenAI on a deployment path, with api-version and the api-key header', async () => {
    const azure = new AzureOpenAI({
        endpoint: mock.origin, apiKey: mock.apiKey, apiVersion: '2024-10-21',
        deployment: 'gpt-4o-mini', maxRetries: 0,
    });
    const r = await azure.chat.completions.parse({
        model: 'gpt-4o-mini', messages: prompt, response_format: zodResponseFormat(User, 'User'),
    });
    User.parse(r.choices[0].message.parsed);
    const stream = azure.chat.completions.stream({
        model: 'gpt-4o-mini', messages: prompt, response_format: zodResponseFormat(User, 'User'),
    });
    User.parse((await stream.finalChatCompletion()).choices[0].message.parsed);
    // Without the version, the mock answers as Azure does.
    const unversioned = new OpenAI({ baseURL: `${mock.origin}/openai/deployments/gpt-4o-mini`,
                                     apiKey: mock.apiKey, maxRetries: 0 });
    await assert.rejects(unversioned.chat.completions.create({ model: 'gpt-4o-mini', messages: prompt }),
                         (e) => e.status === 404);
});

test('errors: the SDK reads the mock\'s error bodies', async () => {
    const mock = await startMock('--faults', '429', '--fault-rate', '1');
    const failing = new OpenAI({ baseURL: mock.base, apiKey: mock.apiKey, maxRetries: 0 });
    await assert.rejects(failing.chat.completions.create({ model: 'gpt-4o-mini', messages: prompt }),
                         (e) => e instanceof OpenAI.RateLimitError && e.status === 429 && /Rate limit/.test(e.message));
});
