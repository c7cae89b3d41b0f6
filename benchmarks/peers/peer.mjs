// One JavaScript structured-output client against the mock, as call_bench measures ours:
// client CPU per call (process.cpuUsage after a warm-up), calls per second. One JSON line.
//
//   node peer.mjs --lib instructor|openai|ai --url URL [--requests N] [--concurrency C] [--stream]
//
// Calls ask for {name, age} (SmallUser); streams for {text, words} (Essay), the mock lengthening
// `text` to its --answer-bytes. instructor-js uses tool calls (its TOOLS mode, as ours);
// openai-node's `parse` and the AI SDK's generateObject use response_format json_schema.
import Instructor from "@instructor-ai/instructor";
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { createOpenAI } from "@ai-sdk/openai";
import { generateObject, streamObject } from "ai";
import { z } from "zod";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const lib = flag("--lib");
const url = flag("--url");
const requests = Number(flag("--requests", "200"));
const concurrency = Number(flag("--concurrency", "1"));
const stream = args.includes("--stream");
if (!["instructor", "openai", "ai"].includes(lib) || !url || !(requests > 0) || !(concurrency > 0)) {
  console.error("usage: node peer.mjs --lib instructor|openai|ai --url URL [--requests N] [--concurrency C] [--stream]");
  process.exit(2);
}

const SmallUser = z.object({ name: z.string(), age: z.number().int() });
const Essay = z.object({ text: z.string(), words: z.number().int() });
const schema = stream ? Essay : SmallUser;
const schemaName = stream ? "Essay" : "SmallUser";
const prompt = stream ? "Write the essay." : "John Doe, 32, works at Acme in Paris; extract the record.";
const messages = [{ role: "user", content: prompt }];
const model = "gpt-4o-mini";

const oai = new OpenAI({ apiKey: "mock-key", baseURL: url, maxRetries: 0 });
const instructor = Instructor({ client: oai, mode: "TOOLS" });
const aiOpenAI = createOpenAI({ apiKey: "mock-key", baseURL: url });

// One call; resolves to true when a value came back.
async function call() {
  if (lib === "instructor") {
    const params = { messages, model, response_model: { schema, name: schemaName }, max_retries: 0 };
    if (!stream) return (await instructor.chat.completions.create(params)).name !== undefined;
    let last;
    for await (const partial of await instructor.chat.completions.create({ ...params, stream: true })) last = partial;
    return last?.text !== undefined;
  }
  if (lib === "openai") {
    const params = { model, messages, response_format: zodResponseFormat(schema, schemaName) };
    if (!stream) return (await oai.beta.chat.completions.parse(params)).choices[0].message.parsed !== null;
    const s = oai.beta.chat.completions.stream(params);
    let partials = 0;
    s.on("content.delta", (e) => { if (e.parsed) partials++; });
    const done = await s.finalChatCompletion();
    return done.choices[0].message.parsed !== null && partials > 0;
  }
  const m = aiOpenAI.chat(model, { structuredOutputs: true });
  if (!stream) return (await generateObject({ model: m, schema, schemaName, messages, maxRetries: 0 })).object.name !== undefined;
  const s = streamObject({ model: m, schema, schemaName, messages, maxRetries: 0 });
  let last;
  for await (const partial of s.partialObjectStream) last = partial;
  return last?.text !== undefined;
}

async function run(n) {
  let left = n, failed = 0;
  const worker = async () => {
    while (left > 0) {
      left--;
      try {
        if (!(await call())) failed++;
      } catch (e) {
        failed++;
        if (failed === 1) console.error(`${lib}: ${e.message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return failed;
}

// Warm (connections, schemas, the JIT) with calls; a stream's cost is its re-parsing, not the JIT.
if (!stream) await run(Math.min(concurrency, requests));
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const failed = await run(requests);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(JSON.stringify({
  lib, stream, concurrency, calls: requests, failed,
  seconds: Math.round(seconds * 1000) / 1000,
  calls_per_second: Math.round((requests / seconds) * 10) / 10,
  cpu_us_per_call: Math.round((cpuSeconds * 1e6 / requests) * 10) / 10,
}));
process.exit(failed === requests ? 1 : 0);
