// The form's evaluation after an answer typed in one member (evaluateForm with `focus`, which visits only that
// member's questions, static/js/lib/form/validate.js) must equal a full evaluation of the same record: the same
// record afterwards (computed values, removed answers), the same states, problems and sections.
// Random households and random answers, from a seeded generator, over the served household definition.
// Prints one JSON line: {"edits": n, "focused_passes": k, "stayed_focused": m, "failures": [...]} (at most 5
// failures, with the edit).
// Used by tests/collect/test_collect_validate_js.py; by hand: node tests/collect/focused_evaluation.mjs DEFINITION [EDITS [wrong-member]]
import { readFileSync } from "node:fs";
import { evaluateForm, indexDefinition } from "../../static/js/lib/form/validate.js";

const definition = JSON.parse(readFileSync(process.argv[2], "utf8"));
const edits = Number(process.argv[3] || 2000);
// "wrong-member": focus on another member than the one changed (a broken renderer), to show the comparison fails.
const wrong = process.argv[4] === "wrong-member";
const index = indexDefinition(definition);
const lists = definition.lists || {};
const repeat = [...index.byKey.values()].find((n) => n.q.type === "repeat");

let seed = 20261201;
const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = (xs) => xs[Math.floor(random() * xs.length)];

/** A random answer for question q: mostly valid, sometimes empty, out of range or of the wrong kind. */
function answer(q) {
  const r = random();
  if (r < 0.1) return null;
  const choices = Array.isArray(q.choices) ? q.choices : lists[q.choices_from] || [];
  switch (q.type) {
    case "select_one": return choices.length ? pick(choices).value : null;
    case "select_multiple": return choices.filter(() => random() < 0.3).map((c) => c.value);
    case "boolean": return random() < 0.5;
    case "year": return r < 0.2 ? pick([2, 20, 201, 3000]) : 1925 + Math.floor(random() * 101);
    case "integer": case "decimal": return Math.floor(random() * 200) - 10;
    case "date": return `${1930 + Math.floor(random() * 95)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`;
    case "text": return pick(["Lò Văn A", "Hà Thị Bé", "001234567890", "x", "  ", "Nông\u0301"]);
    default: return null;
  }
}

function member() {
  const m = {};
  for (const c of repeat.children) if (c.keys.length && c.q.calculate === undefined && random() < 0.8) {
    const v = answer(c.q);
    if (v !== null) m[c.keys[0]] = v;
  }
  return m;
}

const t = (key, params) => `${key}${params ? JSON.stringify(params) : ""}`;
const label = (x) => (x && typeof x === "object" ? x.vi || "" : x || "");
const today = "2025-10-01";
const plain = (state) => JSON.stringify({ states: [...state.states.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
  problems: [...state.problems].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), sections: state.sections });

const failures = [];
let focusedPasses = 0;
let stayedFocused = 0;  // evaluations (of households of 2 or more) that say they left the other members alone
for (let e = 0; e < edits && failures.length < 5; e += 1) {
  const count = 1 + Math.floor(random() * 8);
  const base = { review_year: 2025, area: pick(["rural", "urban"]), [repeat.keys[0]]: Array.from({ length: count }, member) };
  const optsA = { t, label, problems: new Map(), today, stash: new Map() };
  const before = evaluateForm(index, base, optsA);
  // One answer typed in member i, then the focused evaluation (as the renderer does) and a full one of a copy.
  const i = Math.floor(random() * count);
  const q = pick(repeat.children.filter((c) => c.keys.length && c.q.calculate === undefined));
  const value = answer(q.q);
  const item = base[repeat.keys[0]][i];
  if (value === null) delete item[q.keys[0]];
  else item[q.keys[0]] = value;
  const copy = structuredClone(base);
  const optsB = { t, label, problems: new Map(), today, stash: new Map(optsA.stash) };
  const at = wrong && count > 1 ? (i + 1) % count : i;
  const focused = evaluateForm(index, base, optsA, { id: repeat.path, index: at, states: before.states, itemProblems: before.itemProblems });
  const full = evaluateForm(index, copy, optsB);
  focusedPasses += 1;
  if (focused.focused && count > 1) stayedFocused += 1;
  const same = JSON.stringify(base) === JSON.stringify(copy) && plain(focused) === plain(full);
  if (!same) failures.push({ edit: e, member: i, question: q.q.key, value, record: copy });
}
console.log(JSON.stringify({ edits, focused_passes: focusedPasses, stayed_focused: stayedFocused, failures }));
