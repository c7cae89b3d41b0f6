// The guard the SDK suite runs under refuses every host but loopback, at fetch and at the
// socket, before DNS: the SDKs' default base URLs and a plain socket are turned away here.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const http = require('node:http');
const { refused } = require('./loopback_only.cjs');
const { default: OpenAI } = require('openai');
const { default: Anthropic } = require('@anthropic-ai/sdk');

test.before(() => {
    for (const v of ['OPENAI_BASE_URL', 'ANTHROPIC_BASE_URL'])
        delete process.env[v];
});

test('the SDKs\' default hosts are refused', async () => {
    const openai = new OpenAI({ apiKey: 'sk-never-sent', maxRetries: 0 });
    await assert.rejects(openai.models.list());
    const anthropic = new Anthropic({ apiKey: 'sk-never-sent', maxRetries: 0 });
    await assert.rejects(anthropic.models.list());
    assert.ok(refused.some((r) => r.startsWith('api.openai.com')), refused.join());
    assert.ok(refused.some((r) => r.startsWith('api.anthropic.com')), refused.join());
    refused.splice(0);
});

test('a socket and an http request to another host are refused', async () => {
    await new Promise((resolve) => {
        net.connect(443, 'example.com').on('error', (e) => {
            assert.match(e.message, /loopback_only/);
            resolve();
        });
    });
    await new Promise((resolve) => {
        http.get('http://example.org/').on('error', (e) => {
            assert.match(e.message, /loopback_only/);
            resolve();
        });
    });
    assert.deepEqual(refused.splice(0), ['example.com:443', 'example.org:80']);
});

test('loopback itself is let through', async () => {
    const server = net.createServer((s) => s.end()).listen(0, '127.0.0.1');
    await new Promise((r) => server.on('listening', r));
    await new Promise((resolve, reject) => {
        net.connect(server.address().port, '127.0.0.1').on('connect', resolve).on('error', reject);
    });
    server.close();
    assert.deepEqual(refused, []);
});
