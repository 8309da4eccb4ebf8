// The poverty rule engine on the phone: classify(record, ruleSet) gives the result the server's
// server.poverty.classify gives (poverty-review.md §3.2, §3.4). `ruleSet` is exactly the JSON of
// GET /api/v1/rule-sets/NAME: the rule file, its Phiếu A definition, its B1 point tables, the installation's
// commune facts and the engine's message catalogue. Every figure comes from it; no browser API is used, so the
// module also runs under Node.
import { RecordError, invalid, note, required } from "./errors.js";
import { Household } from "./household.js";
import { KINDS } from "./indicators.js";
import { roundTo3 } from "./numbers.js";

export { RecordError } from "./errors.js";

const AREAS = ["rural", "urban"];
const compiled = new WeakMap();

/** The rule set document prepared once: its indicators' checks, Phiếu A's rule, the point table by region. */
export function compile(ruleSet) {
  let c = compiled.get(ruleSet);
  if (c) return c;
  const data = ruleSet.rule_set;
  const value = (perArea) => Object.fromEntries(AREAS.map((a) => [a, perArea[a].value]));
  const indicators = [...data.indicators].sort((a, b) => a.number - b.number).map((ind) => {
    const kind = KINDS[ind.kind];
    if (!kind) throw new Error(`rule set ${data.name}: unknown indicator kind ${ind.kind}`);
    const params = Object.fromEntries(Object.entries(ind.params).map(([k, v]) => [k, v.value]));
    return { number: ind.number, kind: ind.kind, check: kind.build(params) };
  });
  const needs = [...new Set(indicators.flatMap((i) => KINDS[i.kind].needs))];
  const form = ruleSet.quick_screen;
  const groupOf = new Map();
  const thresholds = form.groups.map((g, i) => {
    for (const item of g.items) groupOf.set(item.code, i);
    return g.stop_if_at_least.value;
  });
  c = {
    name: data.name,
    provisional: data.provisional,
    years: data.review_years.value,
    areaByDivisionType: data.area_by_division_type.value,
    lines: value(data.income_lines_vnd),
    middleUpper: value(data.middle_band_upper_vnd),
    b1Thresholds: value(data.b1_thresholds),
    b1RuralRegions: data.b1_regions.rural_by_province.value,
    b1UrbanRegion: data.b1_regions.urban.value,
    pointsPerDeficit: data.b2_points_per_deficit.value,
    poorMinDeficits: data.poor_min_deficits.value,
    indicators,
    needs: needs.map((n) => [n, n.split(".")]),
    quickScreen: { version: form.version, groupOf, thresholds },
    table: ruleSet.point_tables?.length ? pointTable(ruleSet.point_tables[0]) : null,
    communes: ruleSet.communes ?? {},
    messages: ruleSet.messages ?? {},
    areaLabels: ruleSet.area_labels ?? {},
  };
  compiled.set(ruleSet, c);
  return c;
}

/**
 * Classify a household record under a rule set document; `options.area` overrides the record's area.
 * Returns {rule_set, area, income_basis, b1_points, income_per_person_month, deficits, b2_points, class,
 * stopped_by_quick_screen, notes}; a record lacking an answer a rule needs throws a RecordError naming it.
 */
export function classify(record, ruleSet, options = {}) {
  const rs = compile(ruleSet);
  const msgs = rs.messages;
  answerErrors(record, rs);
  const notes = [];
  const year = record.review_year;
  if (!Number.isInteger(year)) throw required(msgs, "review_year");
  if (rs.provisional) notes.push(note(msgs, "rule_set_provisional", { rule_set: rs.name }));
  if (!(rs.years[0] <= year && year <= rs.years[1])) {
    notes.push(note(msgs, "rule_set_not_of_year", { rule_set: rs.name, year }));
  }
  const area = areaOf(record, rs, options.area ?? null, notes);
  const income = record.income ?? {};
  const basis = income.method ?? null; // a household Phiếu A stops may end the interview before income
  const result = {
    rule_set: rs.name, area, income_basis: basis, b1_points: null, income_per_person_month: null, deficits: [],
    b2_points: null, class: "not_poor", stopped_by_quick_screen: false, notes,
  };
  if (stopped(record.quick_screen, rs, notes)) {
    result.stopped_by_quick_screen = true;
    notes.push(note(msgs, "quick_screen_stopped"));
    return result;
  }

  let threshold = null, b1 = null;
  if (basis === null) throw required(msgs, "income.method");
  if (basis === "points") {
    threshold = rs.b1Thresholds[area];
    if (threshold == null) throw invalid(msgs, "income.method", "b1_no_threshold", { rule_set: rs.name });
    b1 = result.b1_points = b1Points(record, rs, area);
  } else if (basis === "actual") {
    if (!Number.isInteger(income.annual_income_vnd)) {
      throw invalid(msgs, "income.annual_income_vnd", "annual_income_missing");
    }
  } else {
    throw invalid(msgs, "income.method", "invalid_choice", { choices: "points, actual" });
  }

  const household = new Household(msgs, record, year);
  const deficits = [];
  for (const ind of rs.indicators) if (ind.check(household)) deficits.push(ind.number);
  for (const [code, params] of household.notes) notes.push(note(msgs, code, params));
  result.deficits = deficits;
  result.b2_points = rs.pointsPerDeficit * deficits.length;
  const poorOrNear = deficits.length >= rs.poorMinDeficits ? "poor" : "near_poor";

  if (basis === "points") {
    if (b1 <= threshold) result.class = poorOrNear; // TT 07/2021: B1 ≤ 140 (175) ≡ income at or below the line
    else notes.push(note(msgs, "points_cannot_decide_middle")); // QĐ 24/2021 Art. 2.2: middle needs Phiếu C
    return result;
  }

  result.b1_points = income.b1_points ?? null;
  const annual = income.annual_income_vnd, size = household.size;
  result.income_per_person_month = perPersonMonth(annual, size);
  // Compared in whole VND a year (inc ≤ L ⇔ annual ≤ L × 12 × members), so on the line means at or below it.
  if (annual <= rs.lines[area] * 12 * size) result.class = poorOrNear;
  else if (rs.middleUpper[area] == null) notes.push(note(msgs, "middle_band_not_loaded", { rule_set: rs.name }));
  else if (annual <= rs.middleUpper[area] * 12 * size) result.class = "middle";
  return result;
}

/**
 * The answers the rule set needs that the record lacks, and Phiếu A items its definition lacks: thrown. A household
 * whose screen is recorded as stopped skipped Phiếu B, so none of its answers is needed (nor scored).
 */
function answerErrors(record, rs) {
  const problems = [];
  const skippedB = record.quick_screen?.stopped === true;
  for (const [path, keys] of skippedB ? [] : rs.needs) {
    let value = record;
    for (const key of keys) value = isObject(value) ? value[key] : undefined;
    if (value == null) problems.push({ path, code: "answer_required_by_rule_set", params: { rule_set: rs.name } });
  }
  const screen = record.quick_screen;
  if (screen == null || !Array.isArray(screen.items)) {
    problems.push({ path: "quick_screen.items", code: "required" });
  } else {
    screen.items.forEach((code, i) => {
      if (!rs.quickScreen.groupOf.has(code)) {
        const form = rs.quickScreen.version;
        problems.push({ path: `quick_screen.items[${i}]`, code: "unknown_quick_screen_item", params: { form } });
      }
    });
  }
  if (problems.length) throw new RecordError(rs.messages, problems);
}

/** Rural or urban: the override, else the record's area, else the commune's division type. */
function areaOf(record, rs, override, notes) {
  const msgs = rs.messages;
  if (override !== null) {
    if (!AREAS.includes(override)) {
      throw invalid(msgs, "area", "invalid_choice", { choices: AREAS.join(", ") });
    }
    return override;
  }
  const place = rs.communes[record.commune_code];
  const derived = place ? rs.areaByDivisionType[place.division_type] ?? null : null;
  const given = record.area ?? null;
  if (given !== null && !AREAS.includes(given)) {
    throw invalid(msgs, "area", "invalid_choice", { choices: AREAS.join(", ") });
  }
  if (given !== null) {
    if (derived !== null && derived !== given) {
      notes.push(note(msgs, "area_differs_from_commune", {
        given, derived, given_vi: rs.areaLabels[given]?.vi ?? given, derived_vi: rs.areaLabels[derived]?.vi ?? derived,
      }));
    }
    return given;
  }
  if (derived === null) {
    throw invalid(msgs, "area", "area_unknown", { commune: record.commune_code });
  }
  return derived;
}

/**
 * The B1 total of `record.income.b1_items` in the rule set's loaded point table, in the region column of the
 * household's area and province (as the server scores it), or null when no table is loaded. Throws a RecordError
 * naming each unknown, missing or unscored item, so the form can show the total live as the items are answered.
 */
export function b1Total(record, ruleSet, options = {}) {
  const rs = compile(ruleSet);
  if (rs.table === null) return null;
  const area = areaOf(record, rs, options.area ?? null, []);
  return rs.table.score(rs.messages, record.income?.b1_items ?? {}, b1Region(record, rs, area));
}

/** Whether Phiếu A's items stop the survey under the rule set's definition (any group reaching its count). */
export function quickScreenStops(items, ruleSet) {
  const q = compile(ruleSet).quickScreen;
  const counts = q.thresholds.map(() => 0);
  for (const code of items) {
    if (!q.groupOf.has(code)) throw new Error(`quick screen ${q.version}: unknown item ${code}`);
    counts[q.groupOf.get(code)] += 1;
  }
  return counts.some((c, i) => c >= q.thresholds[i]);
}

/** Phiếu A from its definition: stop when any group reaches its count; a screen recorded as stopped stays so. */
function stopped(screen, rs, notes) {
  if (typeof screen.stopped !== "boolean") throw required(rs.messages, "quick_screen.stopped");
  const q = rs.quickScreen;
  const counts = q.thresholds.map(() => 0);
  for (const code of screen.items) counts[q.groupOf.get(code)] += 1; // items checked by answerErrors
  const stops = counts.some((c, i) => c >= q.thresholds[i]);
  if (stops !== screen.stopped) {
    const code = stops ? "quick_screen_should_stop" : "quick_screen_should_continue";
    notes.push(note(rs.messages, code, { form: q.version }));
  }
  return stops || screen.stopped;
}

/** The B1 total: computed from the items when a point table is loaded, else the total entered. */
function b1Points(record, rs, area) {
  const msgs = rs.messages;
  const income = record.income;
  const given = income.b1_points ?? null, items = income.b1_items ?? null;
  if (rs.table === null || items === null || Object.keys(items).length === 0) {
    if (given === null) throw invalid(msgs, "income.b1_points", "b1_points_missing");
    return given;
  }
  if (rs.table.ruleSet !== rs.name) {
    const params = { table: rs.table.ruleSet, rule_set: rs.name };
    const problem = { path: "income.b1_items", code: "b1_table_rule_set", params };
    throw new RecordError(msgs, [problem], "point_table_invalid");
  }
  const computed = rs.table.score(msgs, items, b1Region(record, rs, area));
  if (given !== null && given !== computed) {
    throw invalid(msgs, "income.b1_points", "b1_points_disagree", { given, computed });
  }
  return computed;
}

/** The point table's region column: urban, or the rural region of the commune's province. */
function b1Region(record, rs, area) {
  if (area === "urban") return rs.b1UrbanRegion;
  const place = rs.communes[record.commune_code];
  const region = place ? rs.b1RuralRegions[place.province] ?? null : null;
  if (region === null) {
    throw invalid(rs.messages, "commune_code", "b1_no_region", { province: place ? place.province : "?" });
  }
  return region;
}

/** A served point table: {rule_set, regions, rows: [{item_code, answer_code, points: {region: n}}]}. */
function pointTable(json) {
  const byRegion = new Map();
  const forRegion = (region) => {
    let table = byRegion.get(region);
    if (!table) {
      table = new Map();
      for (const r of json.rows) {
        if (!table.has(r.item_code)) table.set(r.item_code, new Map());
        table.get(r.item_code).set(r.answer_code, r.points[region]);
      }
      byRegion.set(region, table);
    }
    return table;
  };
  return {
    ruleSet: json.rule_set,
    score(msgs, answers, region, path = "income.b1_items") {
      if (!json.regions.includes(region)) throw invalid(msgs, path, "b1_region_missing", { region });
      const table = forRegion(region), problems = [];
      let total = 0;
      for (const item of Object.keys(answers)) {
        if (!table.has(item)) problems.push({ path: `${path}.${item}`, code: "b1_item_unknown" });
      }
      for (const [item, points] of table) {
        const answer = answers[item] ?? null;
        if (answer === null) problems.push({ path: `${path}.${item}`, code: "b1_item_missing" });
        else if (!points.has(answer)) {
          problems.push({ path: `${path}.${item}`, code: "b1_answer_unknown", params: { answer } });
        }
        else total += points.get(answer);
      }
      if (problems.length) throw new RecordError(msgs, problems);
      return total;
    },
  };
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Income per person per month, rounded as the server rounds it (3 decimals, ties to even). */
function perPersonMonth(annual, size) {
  const value = annual / (12 * size);
  return Number.isInteger(value) ? value : roundTo3(value);
}
