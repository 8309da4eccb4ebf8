// Runs static/js/poverty/classify.js over JSON Lines on stdin, for the differential test of the two engines
// (tests/js_engine.py) and bench/js_classify.py. Line 1: {"rule_sets": {label: <the JSON of
// GET /api/v1/rule-sets/NAME>}, "repeat": n?}; then one case a line: {"rule_set": label, "record": {...},
// "area": "rural" | "urban" | null}. Writes one line a case, in order: {"result": ...} or
// {"error": {"code", "paths": [...], "path"}}; then {"elapsed_ms": the fastest pass's time in classify, "passes"}.
import { createInterface } from "node:readline";
import { classify } from "../../static/js/poverty/classify.js";

let header = null;
const cases = [];
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  if (header === null) header = JSON.parse(line);
  else cases.push(JSON.parse(line));
}
const ruleSets = header.rule_sets;
const passes = header.repeat ?? 1;
let answers = [], best = Infinity;
for (let pass = 0; pass < passes; pass += 1) {
  answers = new Array(cases.length);
  const started = performance.now();
  for (let i = 0; i < cases.length; i += 1) {
    const c = cases[i];
    try {
      answers[i] = { result: classify(c.record, ruleSets[c.rule_set], c.area ? { area: c.area } : {}) };
    } catch (e) {
      if (!e.errors) throw e; // not a RecordError: a bug, let the test see the stack
      answers[i] = { error: { code: e.code, paths: e.errors.map((x) => x.path), path: e.path } };
    }
  }
  best = Math.min(best, performance.now() - started);
}
const out = answers.map((a) => JSON.stringify(a));
out.push(JSON.stringify({ elapsed_ms: best, passes }));
process.stdout.write(out.join("\n") + "\n");
