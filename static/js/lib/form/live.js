// The live classification: the deficits and the provisional class from classify(record, ruleSet), the same rule
// set the server uses (static/js/poverty/classify.js), shown as the enumerator types. The panel is one line
// (class · deficits) that opens to the details; it rewrites only the text that changed.
import { h, setClass, setHidden, setText } from "./dom.js";

const CLASSES = ["poor", "near_poor", "middle", "not_poor"];

/** The live panel: {el, update(record), result()}. classify(record, ruleSet) may throw a RecordError. */
export function livePanel({ t, label, ruleSet, classify, describePath }) {
  const status = h("span", { class: "fl-class" });
  const deficits = h("span", { class: "fl-deficits" });
  const summary = h("summary", { class: "fl-summary" }, h("span", { class: "fl-title", text: t("form.live.title") }), status, deficits);
  const detail = h("div", { class: "fl-detail" });
  const list = h("ul", { class: "fl-list" });
  const missing = h("p", { class: "fl-missing" });
  const figures = h("p", { class: "fl-figures" });
  const notes = h("ul", { class: "fl-notes" });
  detail.append(figures, list, missing, notes, h("p", { class: "fl-provisional", text: t("form.live.provisional") }));
  const el = h("details", { class: "fl-panel", "aria-live": "polite" }, summary, detail);
  const indicators = new Map(((ruleSet && ruleSet.rule_set && ruleSet.rule_set.indicators) || [])
    .map((ind) => [ind.number, ind.label]));
  let last = null;
  let lastKey = "";
  let engine = classify;

  function show(result, error) {
    const key = error ? `e:${error.path || error.message}` : JSON.stringify([result.class, result.deficits,
      result.b1_points, result.income_per_person_month, result.stopped_by_quick_screen, result.notes?.length]);
    if (key === lastKey) return;
    lastKey = key;
    for (const c of CLASSES) setClass(el, `is-${c}`, !error && result.class === c && !result.stopped_by_quick_screen);
    setClass(el, "is-unknown", Boolean(error));
    setClass(el, "is-stopped", !error && result.stopped_by_quick_screen);
    if (error) {
      setText(status, t("form.live.incomplete"));
      setText(deficits, "");
      setText(figures, "");
      list.replaceChildren();
      notes.replaceChildren();
      const first = error.errors && error.errors[0];
      const what = first ? (describePath(first.path) || first.path) : "";
      const why = first && first.message ? label(first.message) : String(error.message || error);
      setText(missing, what ? t("form.live.missing", { field: what, why }) : why);
      setHidden(missing, false);
      return;
    }
    setHidden(missing, true);
    setText(status, result.stopped_by_quick_screen ? t("form.live.stopped") : t(`form.class.${result.class}`));
    const numbers = result.deficits || [];
    setText(deficits, numbers.length ? t("form.live.deficits", { n: numbers.length, list: numbers.join(", ") })
      : t("form.live.no_deficits"));
    list.replaceChildren(...numbers.map((n) => h("li", { text: `${n}. ${label(indicators.get(n)) || ""}` })));
    const parts = [];
    if (result.b1_points !== null && result.b1_points !== undefined) parts.push(t("form.live.b1", { points: result.b1_points }));
    if (result.income_per_person_month !== null && result.income_per_person_month !== undefined) {
      parts.push(t("form.live.income", { vnd: Math.round(result.income_per_person_month).toLocaleString("vi-VN") }));
    }
    if (result.b2_points !== null && result.b2_points !== undefined) parts.push(t("form.live.b2", { points: result.b2_points }));
    setText(figures, parts.join(" · "));
    notes.replaceChildren(...(result.notes || []).map((n) => h("li", { text: label(n) || n.code || "" })));
  }

  return {
    el,
    setClassify(fn) { engine = fn; },
    update(record) {
      if (!engine || !ruleSet) { show(null, { message: t("form.live.no_rules") }); return null; }
      try {
        last = engine(record, ruleSet);
        show(last, null);
      } catch (error) {
        last = null;
        show(null, error);
      }
      return last;
    },
    result: () => last,
    /** A copy of the details for the summary page (not live: the summary is rebuilt when shown). */
    card() {
      const copy = h("section", { class: `fl-card ${[...el.classList].filter((c) => c.startsWith("is-")).join(" ")}` },
        h("p", { class: "fl-card-class" }, h("span", { class: "fl-title", text: t("form.live.title") }), " ",
          h("strong", { text: status.textContent })), h("p", { text: deficits.textContent }));
      for (const part of [figures, list, missing, notes]) if (!part.hidden && part.textContent) copy.append(part.cloneNode(true));
      copy.append(h("p", { class: "fl-provisional", text: t("form.live.provisional") }));
      return copy;
    },
  };
}
