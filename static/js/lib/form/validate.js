// The form's state for a record: which questions are relevant, the computed values, and every problem
// (a required answer missing, a constraint broken, a number out of range, a value that could not be read).
// One pass over the whole definition (every section, every member): a few hundred small expression trees, well
// under a millisecond, so it runs after every keystroke and the page only touches the DOM where a state changed.
// Values of non-relevant questions are removed from the record (FORMS-CONTRACT) unless another, relevant
// question writes the same path. No browser API here.
import { evaluate, equal, references, truthy } from "./expr.js";
import { format, get, remove, set, split } from "./paths.js";

const isList = Array.isArray;

/** Whether a value counts as an answer (not null, "", [] or {}). */
export function answered(v) {
  if (v === null || v === undefined || v === "") return false;
  if (isList(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/**
 * The definition as a tree of nodes: {q, keys (its path split), section, children (repeat)}; and `byKey`.
 * A photo question's answer is its entries of record.attachments (named after photoPrefix), whatever its path.
 */
export function indexDefinition(definition) {
  const byKey = new Map();
  const node = (q, section, parent) => {
    const n = { q, keys: q.path ? split(q.path) : [], path: q.path || "", section, parent, children: null };
    byKey.set(q.key, n);
    if (q.type === "repeat") {
      n.children = (q.questions || []).map((c) => node(c, section, n));
      // Whether an item's questions read only their own item and answers outside the repeat (then a change in
      // one item needs only that item evaluated again).
      const refs = { absolute: new Set(), item: new Set(), self: false };
      for (const c of n.children) for (const k of ["relevant", "required", "constraint", "calculate"]) references(c.q[k], refs);
      n.itemsIndependent = [...refs.absolute].every((path) => path !== n.path && !path.startsWith(`${n.path}.`));
    }
    return n;
  };
  const sections = definition.sections.map((s, i) => ({ s, index: i, nodes: (s.questions || []).map((q) => node(q, i, null)) }));
  return { sections, byKey };
}

/** The name prefix of a photo question's attachments (per member inside a repeat): "photos", "photo-m3". */
export function photoPrefix(q, position) {
  return position ? `${q.key}-m${position}` : q.key;
}

const ownedBy = (prefix) => (a) => a && typeof a.name === "string" && a.name.startsWith(`${prefix}-`);

/** A photo question's answer: its entries of record.attachments, or null when it has none. */
export function photoEntries(record, prefix) {
  const list = isList(record.attachments) ? record.attachments.filter(ownedBy(prefix)) : [];
  return list.length ? list : null;
}

/** Replace a photo question's entries of record.attachments (null or [] takes them all out). */
export function setPhotos(record, prefix, entries) {
  const owned = ownedBy(prefix);
  const list = isList(record.attachments) ? record.attachments.filter((a) => !owned(a)) : [];
  list.push(...(entries || []));
  if (list.length) record.attachments = list;
  else delete record.attachments;
}

/** A question's instance id: its concrete path, or for a question without one its key (and member). */
export function instanceId(n, base, position) {
  if (n.keys.length) return format(base.concat(n.keys));
  return position ? `#${n.q.key}@${position}` : `#${n.q.key}`;
}

function limitProblem(q, v, t, number) {
  if (typeof v === "number") {
    // A bound as people read it (10.000.000.000), a year as written.
    const shown = (n) => (q.type === "year" || !number ? n : number(n));
    if (q.type === "integer" && !Number.isInteger(v)) return t("form.not_integer");
    if (q.min !== undefined && q.min !== null && v < q.min) return t("form.too_small", { min: shown(q.min) });
    if (q.max !== undefined && q.max !== null && v > q.max) return t("form.too_large", { max: shown(q.max) });
  }
  if (typeof v === "string" && q.max_length && v.length > q.max_length) return t("form.too_long", { max: q.max_length });
  if (q.type === "photo" && isList(v) && v.length > (q.max_count || 1)) return t("form.photo.too_many", { max: q.max_count || 1 });
  return null;
}

/**
 * Evaluate the form over the record (changing it: computed values written, non-relevant answers removed).
 * opts: {t, label, number (optional: a number as the language writes it), problems (Map instance id → catalogue key
 * of a value that could not be read), today,
 * stash (optional Map: answers removed as not relevant, by instance id, given back if relevant again)}.
 * Returns {states: Map(id → {relevant, required, value, message}), sections: [bool relevant],
 * problems: [{path, message, section, key}], itemProblems, changed (whether the record was changed),
 * focused (whether every pass visited only the focused item: the other items' states are the same as before)}.
 * With `focus` (see walk) only one repeat item is evaluated again.
 */
export function evaluateForm(index, record, opts, focus = null) {
  let changed = false;
  let at = focus;
  // Whether every pass left the other items alone (a repeat whose items read each other is walked whole).
  let focused = focus !== null;
  for (let pass = 0; ; pass += 1) {
    const out = walk(index, record, opts, at);
    if (!at || out.visitedOthers) focused = false;
    let pruned = false;
    // Whether this pass changed the record outside the focused item (then the next pass visits every item).
    let outside = out.calculatedOutside;
    const inside = at ? `${at.id}[${at.index}]` : null;
    for (const [id, keys] of out.irrelevant) {
      if (out.kept.has(id)) continue;
      const value = opts.stash ? get(record, keys) : null;
      if (remove(record, keys)) {
        pruned = true;
        if (!inside || !id.startsWith(`${inside}.`)) outside = true;
        if (value !== null) opts.stash.set(id, value);
      }
    }
    for (const name of out.irrelevantPhotos) {
      if (!out.keptPhotos.has(name) && photoEntries(record, name)) { setPhotos(record, name, null); pruned = true; outside = true; }
    }
    changed = changed || pruned || out.calculated;
    if ((!pruned && !out.calculated) || pass >= 4) {
      return { states: out.states, sections: out.sections, problems: out.problems, itemProblems: out.itemProblems, changed,
        focused };
    }
    // A calculation or a removal inside the focused item only: the other items still read nothing it changed.
    at = at && !outside ? { ...at, states: out.states, itemProblems: out.itemProblems } : null;
  }
}

// focus: {id (a repeat's path, "members"), index, states, itemProblems} from the previous result, when the only
// change since is inside that one item: the other items are not visited (their states and problems are kept; they
// read only their own item and answers outside the repeat, which such a change leaves alone unless a calculation
// or a removal outside the item follows, and then the next pass is a full one). calculatedOutside says whether
// this pass wrote a computed or restored value outside the focused item; visitedOthers, whether it visited other
// items all the same (their questions read each other's, so the focus could not skip them).
function walk(index, record, opts, focus) {
  const { t, label, number } = opts;
  const parseProblems = opts.problems || new Map();
  const states = focus ? focus.states : new Map();
  const itemProblems = focus ? focus.itemProblems : new Map();
  const problems = [];
  const irrelevant = [];
  const kept = new Set();
  const irrelevantPhotos = [];
  const keptPhotos = new Set();
  let calculated = false;
  let calculatedOutside = false;
  let visitedOthers = false;
  const focusText = focus ? `${focus.id}[${focus.index}]` : null;
  const sectionsRelevant = [];

  // base: the concrete path of the current item (["members", 2]) and baseText its text ("members[2]"), or [] and "".
  const visit = (n, base, baseText, item, position, parentRelevant, ctx) => {
    const q = n.q;
    const hasPath = n.keys.length > 0;
    const id = hasPath ? (baseText ? `${baseText}.${n.path}` : n.path) : instanceId(n, base, position);
    const relevant = parentRelevant && (q.relevant === undefined || q.relevant === null || truthy(evaluate(q.relevant, ctx)));
    if (!relevant) {
      states.set(id, { relevant: false, required: false, value: null, message: null });
      if (q.type === "photo") irrelevantPhotos.push(photoPrefix(q, position));
      else if (hasPath && q.type !== "note") irrelevant.push([id, base.concat(n.keys)]);
      return;
    }
    if (hasPath) kept.add(id);
    if (hasPath && opts.stash && opts.stash.size && opts.stash.has(id) && q.calculate === undefined
        && get(base.length ? item : record, n.keys) === null) {
      // Relevant again in this session: the answer it had comes back (the enumerator undid the change).
      set(record, base.concat(n.keys), opts.stash.get(id));
      opts.stash.delete(id);
      calculated = true;
      if (baseText !== focusText) calculatedOutside = true;
    }
    if (q.type === "repeat") {
      const list = hasPath ? get(base.length ? item : record, n.keys) : null;
      const count = isList(list) ? list.length : 0;
      const required = q.required === true || (typeof q.required === "object" && q.required !== null && truthy(evaluate(q.required, ctx)));
      let message = null;
      const min = Math.max(q.min_count || 0, required ? 1 : 0);
      if (count < min) message = t("form.repeat_too_few", { min });
      else if (q.max_count && count > q.max_count) message = t("form.repeat_too_many", { max: q.max_count });
      states.set(id, { relevant: true, required, value: list, message });
      if (message) problems.push({ path: id, message, section: n.section, key: q.key });
      const keys = base.concat(n.keys);
      for (let i = 0; hasPath && i < count; i += 1) {
        const element = list[i];
        const itemCtx = { record, item: element, position: i + 1, today: opts.today };
        const itemKeys = keys.concat(i);
        const itemText = `${id}[${i}]`;
        if (focus && focus.id === id && focus.index !== i && n.itemsIndependent) {
          const kept_ = itemProblems.get(itemText);
          if (kept_ && kept_.length) problems.push(...kept_);
          continue;
        }
        if (focus && focus.id === id && focus.index !== i) visitedOthers = true;
        const start = problems.length;
        for (const child of n.children) visit(child, itemKeys, itemText, element, i + 1, true, itemCtx);
        itemProblems.set(itemText, problems.slice(start));
      }
      return;
    }
    let value;
    if (q.type === "photo") {
      const prefix = photoPrefix(q, position);
      keptPhotos.add(prefix);
      value = photoEntries(record, prefix);
    } else if (q.calculate !== undefined) {
      value = evaluate(q.calculate, ctx);
      if (hasPath && !equal(get(base.length ? item : record, n.keys), value)) {
        const keys = base.concat(n.keys);
        if (value === null) remove(record, keys);
        else set(record, keys, value);
        calculated = true;
        if (baseText !== focusText) calculatedOutside = true;
      }
    } else {
      value = hasPath ? get(base.length ? item : record, n.keys) : null;
    }
    if (q.type === "note") {
      states.set(id, { relevant: true, required: false, value, message: null });
      return;
    }
    const required = q.calculate === undefined && (q.required === true
      || (typeof q.required === "object" && q.required !== null && truthy(evaluate(q.required, ctx))));
    let message = null;
    const parseProblem = parseProblems.size ? parseProblems.get(id) : undefined;
    if (parseProblem) message = t(parseProblem);
    else if (!answered(value)) { if (required) message = t("form.required"); }
    else {
      message = limitProblem(q, value, t, number);
      if (message === null && q.constraint !== undefined && q.constraint !== null
          && !truthy(evaluate(q.constraint, { ...ctx, value }))) {
        message = q.constraint_message ? label(q.constraint_message) : t("form.constraint");
      }
    }
    states.set(id, { relevant: true, required, value, message });
    if (message) problems.push({ path: id, message, section: n.section, key: q.key });
  };

  for (const sec of index.sections) {
    const s = sec.s;
    const relevant = s.relevant === undefined || s.relevant === null
      || truthy(evaluate(s.relevant, { record, item: null, today: opts.today }));
    sectionsRelevant.push(relevant);
    const ctx = { record, item: null, position: null, today: opts.today };
    for (const n of sec.nodes) visit(n, [], "", null, null, relevant, ctx);
  }
  return { states, sections: sectionsRelevant, problems, itemProblems, irrelevant, kept, irrelevantPhotos, keptPhotos, calculated,
    calculatedOutside, visitedOthers };
}
