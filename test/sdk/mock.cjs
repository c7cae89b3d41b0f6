// Starts instructor-mock (the binary CMake names in INSTRUCTOR_MOCK) on a free loopback port
// for one test file, and stops it when the file's process exits.
'use strict';
const { spawn } = require('node:child_process');

async function startMock(...flags) {
    const bin = process.env.INSTRUCTOR_MOCK;
    if (!bin)
        throw new Error('INSTRUCTOR_MOCK names no instructor-mock binary');
    const child = spawn(bin, ['--port', '0', '--batch-delay', '0', ...flags],
                        { stdio: ['ignore', 'pipe', 'inherit'] });
    process.on('exit', () => child.kill('SIGTERM'));
    const base = await new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error('instructor-mock did not start in 10 s')), 10000);
        child.on('exit', (code) => reject(new Error(`instructor-mock exited (${code}): ${out}`)));
        child.stdout.on('data', (d) => {
            out += d;
            const m = /listening on (\S+)/.exec(out);
            if (m) {
                clearTimeout(timer);
                resolve(m[1]);
            }
        });
    });
    // Read on, but let the file's process end once its tests have (the exit hook stops the mock).
    child.stdout.resume();
    child.stdout.unref();
    child.unref();
    return { base, origin: new URL(base).origin, apiKey: 'sk-mock-sdk-conformance' };
}

module.exports = { startMock };
