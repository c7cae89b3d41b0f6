// Preloaded (node --require) before any SDK: every connection a client opens must go to
// 127.0.0.1, ::1 or localhost. Any other host is refused before DNS is asked, recorded, and
// fails the run at exit, so a URL the mock hands out that points at a real provider, or an SDK
// default base URL that slipped through, cannot reach the network.
'use strict';
const net = require('node:net');

const refused = [];
const loopback = (host) => ['127.0.0.1', '::1', 'localhost'].includes(String(host).replace(/^\[|\]$/g, ''));

function refuse(what) {
    refused.push(what);
    return new Error(`loopback_only: refused a connection to ${what}`);
}

const fetch = globalThis.fetch;
globalThis.fetch = function guardedFetch(input, init) {
    const href = typeof input === 'string' || input instanceof URL ? String(input) : input.url;
    const url = new URL(href);
    // data: and blob: URLs (toFile reads through them) never leave the process.
    if (!['data:', 'blob:'].includes(url.protocol) && !loopback(url.hostname))
        return Promise.reject(refuse(url.host));
    return fetch(input, init);
};

// Below fetch: the sockets themselves (Node's fetch, http and https all connect through here).
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
    let options = Array.isArray(args[0]) ? args[0][0] : args[0];
    if (typeof options !== 'object' || options === null)
        options = { port: options, host: typeof args[1] === 'string' ? args[1] : undefined };
    if (!options.path && !loopback(options.host ?? 'localhost')) {
        const error = refuse(`${options.host}:${options.port}`);
        process.nextTick(() => this.destroy(error));
        return this;
    }
    return connect.apply(this, args);
};

process.on('exit', () => {
    if (refused.length) {  // the guard's own test takes what it provoked
        console.error(`loopback_only: a client tried to leave loopback: ${refused.join(', ')}`);
        process.exitCode = 1;
    }
});

module.exports = { refused };
