// Writes RESULTS.md and its plots from what scripts/bench.sh measured (JSON lines in a work
// directory). Ratios are computed here from numbers measured in the same run.
//
//   node benchmarks/report.mjs WORK_DIR OUT_DIR MACHINE COMMIT quick|full
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [work, out, machine, commit, kind] = process.argv.slice(2);
const lines = (name) => {
  const f = join(work, name);
  if (!existsSync(f)) return [];
  return readFileSync(f, "utf8").split("\n").filter(Boolean).flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      console.error(`report: ${name}: not JSON, skipped: ${l.slice(0, 120)}`);
      return [];
    }
  });
};
const calls = lines("calls.jsonl");
const peers = lines("peers.jsonl");
const streams = lines("stream.jsonl");
const peerStreams = lines("peer_stream.jsonl");
const scale = lines("scale.jsonl");
const benchRuns = lines("bench.jsonl");
const batches = lines("batch.jsonl");
const callsSized = lines("calls_sized.jsonl");
const scaleRealistic = lines("scale_realistic.jsonl");
const regression = lines("regression.jsonl");
// Without colours, whatever the terminal said.
const decode = existsSync(join(work, "decode.txt"))
  ? readFileSync(join(work, "decode.txt"), "utf8").replace(/\x1b\[[0-9;]*m/g, "") : "";

const f1 = (x) => (x === undefined ? "-" : Number(x).toLocaleString("en-US", { maximumFractionDigits: 1 }));
const f2 = (x) => (x === undefined ? "-" : Number(x).toLocaleString("en-US", { maximumFractionDigits: 2 }));
const kib = (b) => (b >= 1048576 ? `${b / 1048576} MB` : `${b / 1024} KB`);
const verdict = (value, target) => (value <= target ? "met" : `missed by ${f2(value / target)}x`);
const peerName = { instructor: "instructor-js (@instructor-ai/instructor)", openai: "openai-node `parse`", ai: "AI SDK `generateObject` / `streamObject`" };
const peerCell = (p) => (p.capped_seconds ? `did not finish in ${p.capped_seconds} s` : p.exit_status !== undefined ? `failed (exit ${p.exit_status})` : null);

const md = [];
md.push("# Benchmark results", "");
md.push(`Machine: ${machine}. Date: ${new Date().toISOString().slice(0, 10)}. Commit: ${commit}. Run: ${kind}` +
  (kind === "quick" ? " (small counts: a smoke test, not figures to quote)." : "."));
md.push("", "Reproduce with `bash scripts/bench.sh` (about 10 minutes; `--quick` for a one-minute pass). " +
  "instructor-mock serves on one core and each client runs alone on the other (instructor-bench, whose mock is in-process, unpinned); client CPU is the client process's " +
  "user + system time over the measured calls, after a warm-up. Ratios are of numbers measured in the same run.", "");

// ---- 1. overhead ----
md.push("## 1. Overhead against the limit", "");
md.push("`create<SmallUser>` (tool call mode, validation on) against a raw Beast client that sends the identical " +
  "request bytes (captured from our client) and reads the whole response with no JSON, schema or validation work. " +
  "The sides take turns in rounds (32 in a full run); a ratio is the median of the rounds' ratios (the ratio of the sums beside it).", "");
md.push("| concurrency | ours µs CPU/call | raw µs CPU/call | ours / raw (target <= 1.3) | ratio of the sums | ours calls/s | raw calls/s | ours p50 / p99 ms | raw p50 / p99 ms |");
md.push("|---|---|---|---|---|---|---|---|---|");
for (const c of calls)
  md.push(`| ${c.concurrency} | ${f1(c.ours.cpu_us_per_call)} | ${f1(c.raw.cpu_us_per_call)} | ${f2(c.cpu_ratio)} (${verdict(c.cpu_ratio, 1.3)}) | ${f2(c.cpu_ratio_summed)} | ` +
    `${f1(c.ours.calls_per_second)} | ${f1(c.raw.calls_per_second)} | ${f2(c.ours.latency_ms.p50)} / ${f2(c.ours.latency_ms.p99)} | ` +
    `${f2(c.raw.latency_ms.p50)} / ${f2(c.raw.latency_ms.p99)} |`);

const refs = [...calls, ...callsSized].filter((c) => c.raw_lean && c.raw_typed);
if (refs.length) {
  md.push("", "### The two references, and a realistic answer", "");
  md.push("The leanest raw client (keep-alive, the request's bytes written as they are, the response read into a string) " +
    "and a hand-written typed client (raw Beast, then `json::parse` of the body, the tool call's arguments parsed and " +
    "`value_to<SmallUser>`), measured in turn with ours; then the same calls with a 1.5 KB answer (the mock lengthens " +
    "the name to 1,536 bytes).", "");
  md.push("| answer | concurrency | ours µs CPU/call | raw Beast | leanest raw | raw + parse + value_to | ours / raw | ours / leanest | ours / typed |");
  md.push("|---|---|---|---|---|---|---|---|---|");
  for (const c of refs)
    md.push(`| ${c.answer_bytes ? kib(c.answer_bytes) : "small"} | ${c.concurrency} | ${f1(c.ours.cpu_us_per_call)} | ` +
      `${f1(c.raw.cpu_us_per_call)} | ${f1(c.raw_lean.cpu_us_per_call)} | ${f1(c.raw_typed.cpu_us_per_call)} | ` +
      `${f2(c.cpu_ratio)} | ${f2(c.cpu_ratio_lean)} | ${f2(c.cpu_ratio_typed)} |`);
}

// ---- instructor-bench ----
if (benchRuns.length) {
  md.push("", "### instructor-bench against its embedded mock", "");
  md.push("`instructor-bench --concurrency 64` with the mock in-process (its own thread; the client's CPU is the calling " +
    "thread's), instant, and with a provider's latency and pace (`--mock-latency 300:100 --mock-tokens-per-second 100`: " +
    "300 ms +/- 100 to the first byte, 100 SSE events a second).", "");
  md.push("| mock | calls | requests | calls/s | latency p50 / p90 / p99 / max ms | first partial p50 / p99 ms | µs CPU/call | errors |");
  md.push("|---|---|---|---|---|---|---|---|");
  for (const b of benchRuns) {
    const l = b.latency_ms, fp = b.first_partial_ms;
    const errors = Object.entries(b.errors ?? {}).map(([k, v]) => `${k}: ${v}`).join(", ") || "none";
    md.push(`| ${b.mock_kind} | ${b.stream ? "create_partial" : "create"} | ${f1(b.requests)} | ${f1(b.calls_per_second)} | ` +
      `${f2(l.p50)} / ${f2(l.p90)} / ${f2(l.p99)} / ${f2(l.max)} | ${fp ? `${f2(fp.p50)} / ${f2(fp.p99)}` : "-"} | ` +
      `${f1(b.client_cpu_us_per_call)} | ${errors} |`);
  }
}

// ---- 2. peers ----
md.push("", "## 2. Against the peers", "");
md.push("The same calls, mock and schema through the JavaScript peers (versions pinned by `benchmarks/peers/package-lock.json`; " +
  "instructor-js in its TOOLS mode, the others with `response_format: json_schema`).", "");
md.push("| client | concurrency | µs CPU/call | calls/s | CPU against ours |");
md.push("|---|---|---|---|---|");
for (const c of calls)
  md.push(`| instructor-cpp \`create<T>\` | ${c.concurrency} | ${f1(c.ours.cpu_us_per_call)} | ${f1(c.ours.calls_per_second)} | 1 |`);
if (!peers.length) md.push("| the JavaScript peers | | not run: npm could not install them | | |");
for (const p of peers) {
  const ours = calls.find((c) => c.concurrency === p.concurrency);
  const bad = peerCell(p);
  md.push(bad ? `| ${peerName[p.lib]} | ${p.concurrency ?? "-"} | ${bad} | | |` :
    `| ${peerName[p.lib]} | ${p.concurrency} | ${f1(p.cpu_us_per_call)} | ${f1(p.calls_per_second)} | ` +
    `${ours ? f1(p.cpu_us_per_call / ours.ours.cpu_us_per_call) + "x" : "-"} |`);
}

// ---- 3. streaming ----
md.push("", "## 3. Streaming against the answer's size", "");
md.push("`create_partial<Essay>`: one answer of the given size in 4-byte deltas (the SSE is ~50x the answer), " +
  "against raw Beast reading the same SSE through its chunked decoding with no parsing, and the peers reading " +
  "partial objects. The peers re-parse the accumulated text on every delta, so their cost grows with the square " +
  "of the size: they are run at 10 KB and 100 KB within a cap, never at 1 MB.", "");
md.push("| answer | ours ms CPU | raw ms CPU | ours / raw (target <= 2 at 100 KB) | " + ["instructor", "openai", "ai"].map((l) => peerName[l] + " ms CPU").join(" | ") + " |");
md.push("|---|---|---|---|---|---|---|");
for (const s of streams) {
  const cells = ["instructor", "openai", "ai"].map((l) => {
    const p = peerStreams.find((x) => x.lib === l && x.answer_bytes === s.answer_bytes);
    if (!p) return "not run (quadratic)";
    return peerCell(p) ?? f1(p.cpu_us_per_call / 1000);
  });
  const target = s.answer_bytes === 102400 ? ` (${verdict(s.cpu_ratio, 2)})` : "";
  md.push(`| ${kib(s.answer_bytes)} | ${f1(s.ours.cpu_us_per_call / 1000)} | ${f1(s.raw.cpu_us_per_call / 1000)} | ${f2(s.cpu_ratio)}${target} | ${cells.join(" | ")} |`);
}
const at = (n) => streams.find((s) => s.answer_bytes === n);
if (at(1048576) && at(102400)) {
  const r = at(1048576).ours.cpu_us_per_call / at(102400).ours.cpu_us_per_call;
  md.push("", `Linearity: ours at 1 MB costs ${f2(r)}x ours at 100 KB (linear is ~10; target <= 11: ${verdict(r, 11)}).`);
}

// ---- 4. scale ----
md.push("", "## 4. Calls in flight on one thread", "");
md.push("N `create<SmallUser>` started at once on one thread against a mock that answers after a fixed latency " +
  "(so they are all in flight together), the pool allowed N connections. Memory per call is the rise of the peak " +
  "resident size over the resident size before, divided by N.", "");
md.push("| in flight | KiB per call (target <= 10 at 10,000) | µs CPU/call | calls/s | failed |");
md.push("|---|---|---|---|---|");
for (const s of [...scale, ...scaleRealistic]) {
  const target = s.in_flight === 10000 ? ` (${verdict(s.kib_per_call, 10)})` : "";
  const label = s.latency ? `${f1(s.in_flight)}, the mock at ${s.latency.replace(":", " ms +/- ")} ms` : f1(s.in_flight);
  md.push(`| ${label} | ${f2(s.kib_per_call)}${target} | ${f1(s.cpu_us_per_call)} | ${f1(s.calls_per_second)} | ${s.failed} |`);
}

// ---- 5. decode ----
md.push("", "## 5. Decode", "", "`decode_bench` (see benchmarks/README.md; target: ours / parse+value_to <= 0.5; in a full run each time is the median of five repetitions taken in turns with the others'):", "", "```");
const decodeLines = decode.split("\n").filter((l) => /\//.test(l) && !/^-+$/.test(l) && !/^\s*$/.test(l) && !/^(Run|Benchmark|CPU|Load|\*\*)/.test(l));
const decodeMedians = decodeLines.some((l) => /_median\s/.test(l));  // repetitions: their medians alone
md.push(decodeLines.filter((l) => !/_(mean|stddev|cv)\s/.test(l) && (!decodeMedians || /_median\s|:/.test(l))).join("\n") || "(not run)");
md.push("```", "");

// ---- plots ----
const plots = [];
const gp = [];
const data = (name, rows) => {
  writeFileSync(join(out, "results", name), rows.map((r) => r.join(" ")).join("\n") + "\n");
  return join(out, "results", name);
};
if (calls.length) {
  const rows = [];
  calls.forEach((c, i) => {
    rows.push([`"ours C=${c.concurrency}"`, c.ours.latency_ms.p50, c.ours.latency_ms.p90, c.ours.latency_ms.p99]);
    rows.push([`"raw C=${c.concurrency}"`, c.raw.latency_ms.p50, c.raw.latency_ms.p90, c.raw.latency_ms.p99]);
  });
  const d = data("latency.dat", rows);
  gp.push(`set output '${join(out, "results", "latency.png")}'`, "set title 'Call latency against the mock (ms)'",
    "set style data histograms", "set style histogram clustered", "set style fill solid 0.8", "set ylabel 'ms'",
    "set xtics rotate by -20", "unset logscale",
    `plot '${d}' using 2:xtic(1) title 'p50', '' using 3 title 'p90', '' using 4 title 'p99'`, "reset");
  plots.push(["Latency percentiles", "latency.png"]);
}
if (streams.length) {
  const series = [["ours", (s) => s.ours.cpu_us_per_call / 1000], ["raw Beast", (s) => s.raw.cpu_us_per_call / 1000]];
  const files = series.map(([name, get], i) => [name, data(`stream_${i}.dat`, streams.map((s) => [s.answer_bytes / 1024, get(s)]))]);
  for (const l of ["instructor", "openai", "ai"]) {
    const rows = peerStreams.filter((p) => p.lib === l && p.cpu_us_per_call).map((p) => [p.answer_bytes / 1024, p.cpu_us_per_call / 1000]);
    if (rows.length) files.push([peerName[l].replace(/`/g, ""), data(`stream_${l}.dat`, rows)]);
  }
  gp.push(`set output '${join(out, "results", "streaming.png")}'`, "set title 'CPU per streamed answer (4-byte deltas)'",
    "set logscale xy", "set xlabel 'answer KB'", "set ylabel 'ms CPU'", "set key left top",
    "plot " + files.map(([name, f]) => `'${f}' using 1:2 with linespoints title '${name}'`).join(", "), "reset");
  plots.push(["Streaming cost against answer size (log-log)", "streaming.png"]);
}
if (scale.length) {
  const d = data("scale.dat", scale.map((s) => [s.in_flight, s.kib_per_call]));
  gp.push(`set output '${join(out, "results", "scale.png")}'`, "set title 'Memory per call in flight'", "set logscale x",
    "set xlabel 'calls in flight'", "set ylabel 'KiB per call'", "set yrange [0:*]",
    `plot '${d}' using 1:2 with linespoints title 'ours'`, "reset");
  plots.push(["Memory per call against calls in flight", "scale.png"]);
}
if (gp.length) {
  try {
    execFileSync("gnuplot", [], { input: ["set terminal pngcairo size 800,480 noenhanced", ...gp].join("\n") + "\n" });
    md.push("## Plots", "");
    for (const [title, file] of plots) md.push(`![${title}](results/${file})`, "");
  } catch (e) {
    md.push("## Plots", "", `gnuplot failed: ${e.message.split("\n")[0]}`, "");
  }
}
// ---- 6. batches ----
md.push("## 6. Batches at scale", "");
md.push("`batch_bench` against instructor-mock: `create` builds N requests, then `create_batch<SmallUser>` writes every line, " +
  "uploads the file and creates the batch; `results` reads the batch's results and decodes every line " +
  "(`batch_results<SmallUser>`). Each phase runs in a process of its own; memory is the rise of the peak resident size over " +
  "the resident size before the phase (the caller's requests are built before `create` measures).", "");
md.push("| lines | create s | create peak rise MiB (KiB/line) | results s | results µs CPU/line | results peak rise MiB (target: flat) |");
md.push("|---|---|---|---|---|---|");
const creates = batches.filter((b) => b.phase === "create");
const reads = batches.filter((b) => b.phase === "results");
creates.forEach((c, i) => {
  const r = reads[i] || {};
  md.push(`| ${f1(c.lines)} | ${f2(c.seconds)} | ${f1(c.peak_rise_kib / 1024)} (${f2(c.peak_rise_kib / c.lines)}) | ${f2(r.seconds)} | ` +
    `${f1(r.cpu_seconds * 1e6 / r.lines)} | ${f2(r.peak_rise_kib / 1024)} |`);
});
if (reads.length >= 2 && creates.length >= 2) {
  const grow = (xs) => xs[xs.length - 1].peak_rise_kib / Math.max(1, xs[0].peak_rise_kib);
  const times = f1(reads[reads.length - 1].lines / reads[0].lines);
  const said = (g) => `${f2(g)}x: ${g < 2 ? "bounded" : "NOT bounded"}`;
  md.push("", `With ${times}x the lines, the peak rose ${said(grow(creates))} creating (lines are written to a temporary ` +
    `file and uploaded from it) and ${said(grow(reads))} reading (a line and a read at a time). Target: memory independent of ` +
    "the line count beyond the requests the caller holds.");
}
md.push("");

// ---- 7. against the previous release ----
let slower = false;
const prev = regression.filter((r) => r.build === "previous");
const cur = regression.filter((r) => r.build === "current");
if (prev.length && cur.length) {
  const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
  const p = median(prev.map((r) => r.ours.cpu_us_per_call));
  const c = median(cur.map((r) => r.ours.cpu_us_per_call));
  const ratio = c / p;
  slower = ratio > 1.1;
  md.push("", "## 7. Against the previous release", "");
  md.push(`\`create<SmallUser>\` at concurrency 1, the client of ${prev[0].ref} (benchmarks/previous_release) built from its ` +
    "sources in the same run and measured in turn with this one against the same mock, three rounds each; the medians " +
    "are compared. The run fails when this one costs more than 10 % more.", "");
  md.push("| build | µs CPU/call, each round | median |", "|---|---|---|");
  md.push(`| previous (${prev[0].ref}) | ${prev.map((r) => f1(r.ours.cpu_us_per_call)).join(", ")} | ${f1(p)} |`);
  md.push(`| this one | ${cur.map((r) => f1(r.ours.cpu_us_per_call)).join(", ")} | ${f1(c)} |`);
  md.push("", `This one / previous: ${f2(ratio)} (${slower ? "MORE than 10 % slower: the run fails" : "within 10 %"}).`);
} else {
  md.push("", "## 7. Against the previous release", "", kind === "quick"
    ? "Not run in a quick pass (its counts cannot tell 10 %)."
    : regression.length ? "Not compared: one of the two builds gave no figures (see the run's output)."
    : "Not run (`--against none`, or the previous release could not be built: see the run's output).");
}
md.push("");

// The profile notes are kept by hand (what changed, what remains and why).
const notes = new URL("./profile_notes.md", import.meta.url);
if (existsSync(notes)) md.push(readFileSync(notes, "utf8").trimEnd(), "");
writeFileSync(join(out, "RESULTS.md"), md.join("\n") + "\n");

// A failed call or a peer that failed (not one that was capped) fails the run: CI's smoke test.
const failures = [...[...calls, ...callsSized, ...regression].flatMap((c) => [c.ours, c.raw, c.raw_lean, c.raw_typed].filter(Boolean)), ...scaleRealistic, ...streams.flatMap((s) => [s.ours, s.raw]), ...scale]
  .filter((x) => x.failed > 0).length + reads.filter((r) => r.ok !== r.lines).length + benchRuns.filter((b) => b.ok !== b.requests).length + [...peers, ...peerStreams].filter((p) => p.exit_status !== undefined || p.failed > 0).length;
if (slower) console.error("report: CPU per call rose more than 10 % against the previous release (see RESULTS.md)");
if (failures) {
  console.error(`report: ${failures} runs had failed calls (see RESULTS.md)`);
  process.exit(3);
}
if (slower) process.exit(4);
