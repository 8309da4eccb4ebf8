// The form definitions' expression language (forms/README.md): a JSON tree, never a string of code, never eval.
// The server's evaluator (server/surveys/expressions.py) and this one pass the same cases
// (forms/expression-cases.json, run under Node by tests/collect/test_collect_expressions_js.py).
// No browser API here.
import { get, split } from "./paths.js";

// Vietnam's time for "today" (no daylight saving: UTC+7 all year).
const LOCAL_OFFSET_MS = 7 * 3600 * 1000;
// A birth year alone counts as born on 1 July of that year (household-record.md).
const BIRTH_YEAR_ONLY_MONTH_DAY = "07-01";
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const isNumber = (v) => typeof v === "number" && Number.isFinite(v);
const isList = Array.isArray;
const isObject = (v) => v !== null && typeof v === "object" && !isList(v);

/** Strict truth (forms/README.md): only `true` is true. */
export function truthy(v) {
  return v === true;
}

/** Deep JSON equality (2 and 2.0 are equal; true and 1 are not; lists element-wise; objects key-wise). */
export function equal(a, b) {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (isList(a)) return isList(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && equal(a[k], b[k]));
  }
  return false;
}

function compare(op, a, b) {
  const bothNumbers = isNumber(a) && isNumber(b);
  const bothStrings = typeof a === "string" && typeof b === "string";
  if (!bothNumbers && !bothStrings) return false;
  switch (op) {
    case "<": return a < b;
    case "<=": return a <= b;
    case ">": return a > b;
    default: return a >= b;
  }
}

/** Today's local date in Vietnam, YYYY-MM-DD. */
export function today(now = Date.now()) {
  return new Date(now + LOCAL_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * Whole years from a birth date ("YYYY-MM-DD") or a birth year (an integer) to the date written at the start of
 * `at` (the rule engine's rule: the local date at the offset the interview time carries); a negative age is 0;
 * null when either is missing or malformed.
 */
export function age(born, at) {
  if (typeof at !== "string" || !DATE.test(at.slice(0, 10))) return null;
  const ref = at.slice(0, 10);
  let birth;
  if (Number.isInteger(born)) birth = `${String(born).padStart(4, "0")}-${BIRTH_YEAR_ONLY_MONTH_DAY}`;
  else if (typeof born === "string" && DATE.test(born)) birth = born;
  else return null;
  const years = Number(ref.slice(0, 4)) - Number(birth.slice(0, 4)) - (birth.slice(5) > ref.slice(5) ? 1 : 0);
  return years > 0 ? years : 0;
}

const patterns = new Map();
function matches(value, pattern) {
  if (typeof value !== "string" || typeof pattern !== "string") return false;
  let re = patterns.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^(?:${pattern})$`, "u");
    patterns.set(pattern, re);
  }
  return re.test(value);
}

function arithmetic(op, values) {
  if (values.length === 0 || !values.every(isNumber)) return null;
  let out = values[0];
  for (const v of values.slice(1)) {
    if (op === "+") out += v;
    else if (op === "-") out -= v;
    else if (op === "*") out *= v;
    else {
      if (v === 0) return null;
      out /= v;
    }
  }
  return out;
}

function ref(path, ctx) {
  if (path === ".") return ctx.value === undefined ? null : ctx.value;
  if (path.startsWith("@.")) return get(ctx.item ?? null, split(path.slice(2)));
  if (path === "@") return ctx.item ?? null;
  return get(ctx.record ?? null, split(path));
}

/**
 * Evaluate an expression. `ctx`: {record, item (the current repeat item or null), value (the question's own
 * value, for constraints), position (the current item's 1-based index), today ("YYYY-MM-DD", the clock for
 * "today"; else now, ms since the epoch, else the real clock)}.
 */
export function evaluate(expr, ctx) {
  if (expr === null || typeof expr !== "object") return expr === undefined ? null : expr;
  if (isList(expr)) return expr;
  if ("ref" in expr) return ref(expr.ref, ctx);
  if (!("op" in expr)) return expr; // an object literal (the loader refuses them in definitions)
  const args = expr.args || [];
  const at = (i) => evaluate(args[i], ctx);
  switch (expr.op) {
    case "==": return equal(at(0), at(1));
    case "!=": return !equal(at(0), at(1));
    case "<": case "<=": case ">": case ">=": return compare(expr.op, at(0), at(1));
    case "and": return args.every((a) => truthy(evaluate(a, ctx)));
    case "or": return args.some((a) => truthy(evaluate(a, ctx)));
    case "not": return !truthy(at(0));
    case "+": case "-": case "*": case "/": return arithmetic(expr.op, args.map((a) => evaluate(a, ctx)));
    case "in": {
      const list = at(1);
      const v = at(0);
      return isList(list) && list.some((x) => equal(x, v));
    }
    case "contains": {
      const list = at(0);
      const v = at(1);
      return isList(list) && list.some((x) => equal(x, v));
    }
    case "count": {
      const v = at(0);
      if (isList(v)) return v.length;
      return 0;
    }
    case "answered": {
      const v = at(0);
      return !(v === null || v === "" || (isList(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0));
    }
    case "if": return truthy(at(0)) ? at(1) : at(2);
    case "age": return age(at(0), at(1));
    case "today": return ctx.today ?? today(ctx.now ?? Date.now());
    case "position": return Number.isInteger(ctx.position) ? ctx.position : null;
    case "matches": return matches(at(0), at(1));
    default: throw new Error(`unknown expression operator: ${expr.op}`);
  }
}

/** The record paths an expression reads: {absolute: Set of dotted paths, item: Set of item-relative paths, self}. */
export function references(expr, out = { absolute: new Set(), item: new Set(), self: false }) {
  if (expr === null || typeof expr !== "object" || isList(expr)) return out;
  if ("ref" in expr) {
    const path = expr.ref;
    if (path === ".") out.self = true;
    else if (path.startsWith("@.")) out.item.add(path.slice(2));
    else out.absolute.add(path);
    return out;
  }
  for (const a of expr.args || []) references(a, out);
  return out;
}
