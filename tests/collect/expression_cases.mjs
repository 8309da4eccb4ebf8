// Run the shared expression cases (forms/expression-cases.json) through the phone's evaluator under Node.
// Prints one JSON line: {"total": n, "failures": [{"index", "expr", "expect", "got" | "error"}]}.
// Used by tests/collect/test_collect_expressions_js.py; run by hand: node tests/collect/expression_cases.mjs FILE
import { readFileSync } from "node:fs";
import { evaluate, equal } from "../../static/js/lib/form/expr.js";

const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const failures = [];
cases.forEach((c, index) => {
  const ctx = { record: c.record ?? {}, item: c.item ?? null, position: c.position, today: c.today };
  if ("value" in c) ctx.value = c.value;
  try {
    const got = evaluate(c.expr, ctx);
    if (!equal(got, c.expect)) failures.push({ index, expr: c.expr, expect: c.expect, got, note: c.note });
  } catch (error) {
    failures.push({ index, expr: c.expr, expect: c.expect, error: String(error), note: c.note });
  }
});
console.log(JSON.stringify({ total: cases.length, failures }));
