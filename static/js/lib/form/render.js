// The form renderer: a JSON form definition (forms/<name>/form.json, FORMS-CONTRACT) shown one section (page) at
// a time, with a progress bar, Back/Next and a summary page at the end; the member roster as a repeat; relevance,
// constraints and required answers checked as the enumerator types; computed values; and the deficits and the
// provisional class, live, from the rule engine the server uses.
//
// Each keystroke: the answer goes into the record at once; before the next frame one pass evaluates the form
// (validate.js: the questions outside the roster and, for an answer in a member, that member's only), only the
// elements whose state changed are written (no page re-render), the live classification runs, and onChange gets a
// copy of the record just after that frame.
//
//   mountForm(root, {definition, record, ruleSet, lang, strings, comments, onChange,
//                    onPhoto(name, blob), getPhoto(name) → Blob, onSubmit(record, problems), classify,
//                    section (the page to open at: where the enumerator left it), onSection(index)})
//     → {record(), validate() → [{path, message}], goTo(sectionIndex), destroy(),
//        ready (a promise: the live classification is running), classification() (its last result or null)}
import { h, setClass, setHidden, setText, uid } from "./dom.js";
import { equal, today } from "./expr.js";
import { translator } from "./i18n.js";
import { livePanel } from "./live.js";
import { parse, remove, set } from "./paths.js";
import { roster } from "./roster.js";
import { evaluateForm, indexDefinition, instanceId, photoPrefix, setPhotos } from "./validate.js";
import { widget } from "./widgets.js";

const GROUP_TYPES = new Set(["select_one", "select_multiple", "boolean"]);

/** Mount the form in `root`; see the module comment for the options and the returned handle. */
export function mountForm(root, options) {
  const { definition, ruleSet = null, lang = "vi", strings = {}, comments = [], onChange = () => {},
    onPhoto = null, getPhoto = null, onSubmit = null, section = 0, onSection = null } = options;
  const { t, label } = translator(strings, lang);
  const record = structuredClone(options.record || {});
  // Fixed values and defaults of the definition, for keys the record does not have yet ("fill" entries are the
  // server's to resolve when it serves the definition; one left unresolved is skipped).
  for (const [key, value] of Object.entries({ ...(definition.defaults || {}), ...(definition.record || {}) })) {
    const unresolved = value !== null && typeof value === "object" && !Array.isArray(value) && "fill" in value;
    if (record[key] === undefined && !unresolved) record[key] = structuredClone(value);
  }
  if (record.form_version === undefined && definition.version) record.form_version = definition.version;
  const index = indexDefinition(definition);
  const lists = definition.lists || {};
  const problems = new Map();
  const day = today();
  // Answers removed as not relevant during this session, given back if the question becomes relevant again.
  const stash = new Map();
  const numberFormat = new Intl.NumberFormat(lang === "en" ? "en-US" : "vi-VN", { maximumFractionDigits: 6 });
  const opts = { t, label, number: (n) => numberFormat.format(n), problems, today: day, stash };
  let state = evaluateForm(index, record, opts);
  let classify = options.classify || null;
  let current = -1;
  let fields = [];
  let rosters = [];
  let destroyed = false;
  const visited = new Set();
  let progressKey = "";

  // Paths without indexes → the node that writes them, for comments and messages ("members.schooling").
  const byPath = new Map();
  const walkNodes = (nodes, prefix) => {
    for (const n of nodes) {
      const path = prefix.concat(n.keys).join(".");
      if (path && !byPath.has(path)) byPath.set(path, n);
      if (n.children) walkNodes(n.children, prefix.concat(n.keys));
    }
  };
  for (const sec of index.sections) walkNodes(sec.nodes, []);

  /** The node a concrete path belongs to (the longest known prefix) and the path's member position. */
  function locate(pathText) {
    const keys = parse(pathText || "");
    const names = keys.filter((k) => typeof k !== "number");
    const position = keys.find((k) => typeof k === "number");
    const at = position === undefined ? null : position + 1;
    for (let n = names.length; n > 0; n -= 1) {
      const node = byPath.get(names.slice(0, n).join("."));
      if (node) return { node, position: at };
    }
    // A group of answers ("housing.durable"): its first question.
    const prefix = `${names.join(".")}.`;
    for (const [path, node] of byPath) if (path.startsWith(prefix)) return { node, position: at };
    return { node: null, position: at };
  }

  /** A repeat item's name: the definition's item_label ("Thành viên {line}") or the catalogue's. */
  function itemName(repeatNode, item, position) {
    const text = label(repeatNode.q.item_label);
    if (!text) return t("form.repeat.item", { n: position });
    return text.replace(/\{(\w+)\}/g, (m, key) => String(item && item[key] !== undefined && item[key] !== null
      ? item[key] : position));
  }

  /** How people read a path: "Thành viên 3 · Ngày sinh". */
  function describePath(pathText) {
    const { node, position } = locate(pathText);
    if (!node) return "";
    const text = label(node.q.label);
    if (position && node.parent) return `${itemName(node.parent, null, position)} · ${text}`;
    return text;
  }

  // Comments of a returned form, bound to the member they were written about, so a member moved keeps them.
  const commentsAt = new Map();
  const itemComments = new WeakMap();
  const commentList = [];
  for (const c of comments || []) {
    const where = locate(c.field_path);
    const entry = { ...c, node: where.node, position: where.position };
    commentList.push(entry);
    if (!where.node) continue;
    if (where.position && where.node.parent) {
      const items = record[where.node.parent.keys[0]];
      const item = where.node.parent.keys.length === 1 && Array.isArray(items) ? items[where.position - 1] : null;
      if (item && typeof item === "object") {
        const mine = itemComments.get(item) || [];
        mine.push(entry);
        itemComments.set(item, mine);
        continue;
      }
    }
    const key = where.node.q.key;
    commentsAt.set(key, [...(commentsAt.get(key) || []), entry]);
  }
  // A comment's date as the phone writes dates (d/m/yyyy), from the server's ISO time.
  const dayOf = (at) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(at || ""));
    return m ? `${Number(m[3])}/${Number(m[2])}/${m[1]}` : null;
  };
  const commentText = (c) => [c.comment, [c.actor_name, dayOf(c.at)].filter(Boolean).join(", ")]
    .filter(Boolean).join(" — ");
  // Comments are the supervisor's, or (from: "server") what the server refused when the form was sent.
  const fromServer = (c) => c.from === "server";

  // The frame: progress, live panel, comments, the page, navigation.
  const step = h("p", { class: "fm-step" });
  const title = h("h2", { class: "fm-title", tabindex: "-1" });
  const fill = h("div", { class: "fm-bar-fill" });
  const bar = h("div", { class: "fm-bar", role: "progressbar", "aria-valuemin": "0" }, fill);
  const live = livePanel({ t, label, ruleSet, classify, describePath });
  const page = h("div", { class: "fm-page" });
  const back = h("button", { type: "button", class: "fq-btn secondary fm-back", text: t("form.back") });
  const next = h("button", { type: "button", class: "fq-btn fm-next", text: t("form.next") });
  const nav = h("nav", { class: "fm-nav" }, back, next);
  const head = h("header", { class: "fm-head" }, h("div", { class: "fm-head-row" }, step), bar, ruleSet ? live.el : null);
  const frame = h("div", { class: "fm", lang }, head, commentsBanner(), title, page, nav);
  root.replaceChildren(frame);

  function commentsBanner() {
    if (!commentList.length) return null;
    const list = h("ul", { class: "fm-comment-list" });
    for (const c of commentList) {
      const where = c.node ? describePath(c.field_path) : t("form.comments.whole");
      const go = h("button", { type: "button", class: "fm-comment-go" },
        h("strong", { text: where }), h("span", { text: commentText(c) }));
      go.addEventListener("click", () => {
        if (!c.node) return;
        goTo(c.node.section);
        reveal(c.node, c.position);
        focusField((f) => f.node === c.node && (!c.position || f.position() === c.position));
      });
      list.append(h("li", {}, go));
    }
    const heading = commentList.every(fromServer) ? "form.refused.title" : "form.comments.title";
    return h("details", { class: "fm-comments", open: true },
      h("summary", { text: t(heading, { n: commentList.length }) }), list);
  }

  const relevantSections = () => index.sections.filter((s, i) => state.sections[i]).map((s) => s.index);

  function choicesOf(q) {
    if (Array.isArray(q.choices)) return q.choices;
    return lists[q.choices_from] || [];
  }

  /** A question on the page: label, hint, control, message, comments. scope: {base, position, item} or null. */
  function createField(node, scope) {
    const q = node.q;
    const id = uid("q");
    const base = () => (scope ? scope.base() : []);
    const position = () => (scope ? scope.position() : null);
    const f = { node, touched: false, lastValue: undefined, lastMessage: null, position, shown: true, required: false };
    f.keys = () => base().concat(node.keys);
    f.rekey = () => { f.id = instanceId(node, base(), position()); };
    f.rekey();
    const grouped = GROUP_TYPES.has(q.type) && q.calculate === undefined;
    const labelId = `${id}-l`;
    const labelEl = h(grouped ? "p" : "label", { class: "fq-label", id: labelId, for: grouped ? null : id },
      h("span", { text: label(q.label) }));
    f.req = h("span", { class: "fq-req", "aria-hidden": "true", text: " *" });
    f.req.hidden = true;
    labelEl.append(f.req);
    const hint = q.hint ? h("p", { class: "fq-hint", id: `${id}-h`, text: label(q.hint) }) : null;
    f.msg = h("p", { class: "fq-msg", id: `${id}-m`, "aria-live": "polite" });
    f.msg.hidden = true;
    f.widget = widget(q, {
      id, t, label, choices: choicesOf, onPhoto, getPhoto,
      photoPrefix: () => photoPrefix(q, position()), pointTable: ruleSet?.point_tables?.[0] ?? null,
      report: (value, problem) => answer(f, value, problem),
    });
    if (grouped) {
      f.widget.el.setAttribute("aria-labelledby", labelId);
    }
    if (f.widget.focusable && f.widget.focusable.setAttribute) {
      f.widget.focusable.setAttribute("aria-describedby", [hint && `${id}-h`, `${id}-m`].filter(Boolean).join(" "));
    }
    const classes = ["fq", `fq-${q.type}`];
    if (q.calculate !== undefined) classes.push("fq-calc");
    f.wrap = h("div", { class: classes.join(" "), "data-key": q.key }, labelEl, hint, f.widget.el, f.msg);
    const mine = [...(commentsAt.get(q.key) || []).filter((c) => !c.position || c.position === position())];
    if (scope) {
      const item = scope.item();
      if (item && itemComments.has(item)) mine.push(...itemComments.get(item).filter((c) => c.node === node));
    }
    if (mine.length) {
      f.wrap.classList.add("has-comment");
      const box = h("div", { class: "fq-comment", role: "note" });
      for (const [heading, group] of [["form.refused.at_field", mine.filter(fromServer)],
        ["form.comments.at_field", mine.filter((c) => !fromServer(c))]]) {
        if (!group.length) continue;
        box.append(h("strong", { text: t(heading) }), ...group.map((c) => h("p", { text: commentText(c) })));
      }
      f.wrap.insertBefore(box, labelEl.nextSibling);
    }
    if (q.type !== "photo" && q.type !== "gps" && f.widget.focusable && !grouped) {
      f.widget.focusable.addEventListener("blur", () => { if (!f.touched) { f.touched = true; apply(); } });
    }
    return f;
  }

  function answer(f, value, problem) {
    if (destroyed) return;
    f.touched = true;
    if (problem) problems.set(f.id, problem);
    else problems.delete(f.id);
    if (f.node.q.type === "photo") setPhotos(record, photoPrefix(f.node.q, f.position()), value);
    else if (value === null) remove(record, f.keys());
    else set(record, f.keys(), value);
    f.lastValue = value;
    // Where the change is: one member (only its questions need evaluating again), else anywhere ("full").
    const where = f.node.parent && !f.node.parent.parent && f.position() ? `${f.node.parent.path}#${f.position() - 1}` : "full";
    focusOf = focusOf === null || focusOf === where ? where : "full";
    schedule();
  }

  // Answers typed within one frame are evaluated together just before it is drawn (requestAnimationFrame), so a
  // fast typist costs one evaluation a frame; the timer covers a hidden page (no frames), and leaving the page
  // or reading the record settles at once: an answer is never held back.
  let pending = false;
  let timer = 0;
  let focusOf = null;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(flush);
    timer = setTimeout(flush, 100);
  }
  function flush() {
    if (!pending || destroyed) return;
    pending = false;
    clearTimeout(timer);
    const where = focusOf;
    focusOf = null;
    if (where && where !== "full") {
      const [id, at] = where.split("#");
      update({ id, index: Number(at), states: state.states, itemProblems: state.itemProblems });
    } else {
      update();
    }
  }
  // The app's copy of the record (it saves it to IndexedDB) is made just after the frame that shows the answer (a
  // task queued from the frame runs once it is drawn), not inside it; leaving the page, reading the record or
  // closing the form hands it over at once.
  let changePending = false;
  let changeTimer = 0;
  function changed() {
    if (changePending) return;
    changePending = true;
    changeTimer = setTimeout(emitChange, 0);
  }
  function emitChange() {
    if (!changePending || destroyed) return;
    changePending = false;
    clearTimeout(changeTimer);
    onChange(structuredClone(record));
  }
  const settle = () => { flush(); emitChange(); };
  document.addEventListener("visibilitychange", settle);
  window.addEventListener("pagehide", settle);

  function structureChanged() {
    // Indexes moved: a value that could not be read belongs to the old positions; the enumerator retypes it.
    for (const key of [...problems.keys()]) if (/\[\d+\]/.test(key)) problems.delete(key);
    for (const key of [...stash.keys()]) if (/\[\d+\]/.test(key)) stash.delete(key);
    pending = false;
    focusOf = null;
    clearTimeout(timer);
    update();
  }

  function update(focus = null) {
    state = evaluateForm(index, record, opts, focus);
    apply(state.focused);
    live.update(record);
    changed();
  }

  /**
   * Write what changed in the page's elements (each field remembers what it shows: no DOM reads here). typing: the
   * change is an answer typed in the open member, and nothing else changed (its heading may wait for a pause; the
   * other members' headings are left as they are).
   */
  function apply(typing = false) {
    const showAll = visited.has(current);
    for (const f of fields) {
      const st = state.states.get(f.id);
      const relevant = st !== undefined && st.relevant;
      if (relevant !== f.shown) { f.shown = relevant; f.wrap.hidden = !relevant; }
      if (!relevant) continue;
      if (st.required !== f.required) { f.required = st.required; f.req.hidden = !st.required; }
      const message = (f.touched || showAll) ? st.message : null;
      if (message !== f.lastMessage) {
        f.lastMessage = message;
        f.msg.textContent = message || "";
        f.msg.hidden = !message;
        setClass(f.wrap, "has-error", Boolean(message));
      }
      if (f.lastValue !== st.value && (f.lastValue === undefined || !equal(f.lastValue, st.value))) {
        f.lastValue = st.value;
        if (!problems.has(f.id)) f.widget.set(st.value);
      }
    }
    for (const r of rosters) {
      const st = state.states.get(r.node.path);
      r.view.refresh(Boolean(st && st.relevant), showAll, typing);
      const message = st && (r.touched || showAll) ? st.message : null;
      if (message !== r.lastMessage) {
        r.lastMessage = message;
        setText(r.msg, message || "");
        setHidden(r.msg, !message);
      }
    }
    progress();
  }

  /** What a member's title depends on: its position, the fields its label names, its name. */
  function itemTitleKey(node) {
    const nameNode = node.children.find((c) => c.q.type === "text");
    const fieldsUsed = [...(label(node.q.item_label) || "").matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    return (item, position) => {
      let key = `${position}|${nameNode && item ? item[nameNode.keys[0]] : ""}`;
      for (const name of fieldsUsed) key += `|${item ? item[name] : ""}`;
      return key;
    };
  }

  function itemTitle(node) {
    const nameNode = node.children.find((c) => c.q.type === "text");
    return (item, position) => {
      const base = itemName(node, item, position);
      const name = nameNode && item ? item[nameNode.keys[0]] : null;
      return name ? `${base}: ${name}` : base;
    };
  }

  function progress() {
    const order = relevantSections();
    const total = order.length + 1;
    const at = current === index.sections.length ? total : Math.max(1, order.indexOf(current) + 1);
    const key = `${at}/${total}/${current}`;
    if (key === progressKey) return;
    progressKey = key;
    setText(step, current === index.sections.length ? t("form.summary.step", { total }) : t("form.step", { n: at, total }));
    fill.style.width = `${Math.round((at / total) * 100)}%`;
    bar.setAttribute("aria-valuemax", String(total));
    bar.setAttribute("aria-valuenow", String(at));
    back.disabled = order.length === 0 || current === order[0];
    setText(next, current === index.sections.length ? t("form.summary.again") : t("form.next"));
    setHidden(next, current === index.sections.length);
  }

  function renderSection(i) {
    const sec = index.sections[i];
    setText(title, label(sec.s.title));
    const out = [];
    fields = [];
    rosters = [];
    if (sec.s.hint) out.push(h("p", { class: "fm-hint", text: label(sec.s.hint) }));
    for (const n of sec.nodes) {
      if (n.q.type === "repeat") {
        const msg = h("p", { class: "fq-msg" });
        msg.hidden = true;
        const r = { node: n, msg, touched: false };
        r.view = roster(n, {
          t, label, record,
          createField: (child, scope) => { const f = createField(child, scope); fields.push(f); return f; },
          dropFields: (gone) => {
            const set_ = new Set(gone);
            fields = fields.filter((f) => !set_.has(f));
            // A value that could not be read leaves with its control (the record never held it).
            let unread = false;
            for (const f of gone) unread = problems.delete(f.id) || unread;
            if (unread) { focusOf = "full"; schedule(); }
          },
          opened: () => apply(),
          changed: () => { r.touched = true; structureChanged(); },
          titleOf: itemTitle(n), titleKey: itemTitleKey(n),
          statusOf: (i, item) => {
            const mine = item && typeof item === "object" && itemComments.has(item) ? itemComments.get(item) : [];
            const refused = mine.filter(fromServer).length;
            const problems = (state.itemProblems.get(`${n.path}[${i}]`) || []).length;
            return { problems, comments: mine.length - refused, refused };
          },
        });
        rosters.push(r);
        out.push(h("div", { class: "fq fq-repeat", "data-key": n.q.key },
          h("p", { class: "fq-label", text: label(n.q.label) }), n.q.hint ? h("p", { class: "fq-hint", text: label(n.q.hint) }) : null,
          msg, r.view.el));
      } else {
        const f = createField(n, null);
        fields.push(f);
        out.push(f.wrap);
      }
    }
    page.replaceChildren(...out);
  }

  function renderSummary() {
    setText(title, t("form.summary.title"));
    fields = [];
    rosters = [];
    const out = [];
    const all = state.problems;
    if (all.length === 0) out.push(h("p", { class: "fm-ok", text: t("form.summary.complete") }));
    else out.push(h("p", { class: "fm-warn", text: t("form.summary.problems", { n: all.length }) }));
    for (const s of relevantSections()) {
      const mine = all.filter((p) => p.section === s);
      if (!mine.length) continue;
      const list = h("ul", { class: "fm-problems" });
      for (const p of mine) {
        const go = h("button", { type: "button", class: "fm-problem" },
          h("strong", { text: describePath(p.path.startsWith("#") ? "" : p.path) || label(index.sections[s].s.title) }),
          h("span", { text: p.message }));
        go.addEventListener("click", () => {
          goTo(s);
          const at = /^#(\w+)@(\d+)$/.exec(p.path);
          const where = at ? { node: index.byKey.get(at[1]), position: Number(at[2]) } : locate(p.path);
          reveal(where.node, where.position);
          focusField((f) => f.id === p.path);
        });
        list.append(h("li", {}, go));
      }
      out.push(h("h3", { class: "fm-problem-section", text: label(index.sections[s].s.title) }), list);
    }
    if (onSubmit) {
      const send = h("button", { type: "button", class: "fq-btn fm-submit", text: t("form.summary.submit") });
      send.addEventListener("click", () => onSubmit(structuredClone(record), handle.validate()));
      out.push(send);
    }
    if (ruleSet) out.push(live.card());
    page.replaceChildren(...out);
  }

  /** Open the member a question of a repeat belongs to (position 1-based), so its questions are on the page. */
  function reveal(node, position) {
    if (!node || !node.parent || !position) return;
    const r = rosters.find((x) => x.node === node.parent);
    if (r && !r.view.isOpen(position - 1)) r.view.open(position - 1);
  }

  function focusField(match) {
    const f = fields.find(match);
    if (!f) return;
    f.wrap.scrollIntoView({ block: "center" });
    const target = f.widget.focusable || f.wrap;
    if (target.focus) target.focus({ preventScroll: true });
  }

  /** Show section i (index.sections.length: the summary); a non-relevant section moves on to the next one. */
  function goTo(i) {
    flush();
    if (current >= 0) visited.add(current);
    let target = Math.max(0, Math.min(i, index.sections.length));
    while (target < index.sections.length && !state.sections[target]) target += 1;
    current = target;
    if (onSection) onSection(current);
    live.el.open = false;
    if (current === index.sections.length) renderSummary();
    else renderSection(current);
    apply();
    window.scrollTo(0, 0);
    title.focus({ preventScroll: true });
  }

  back.addEventListener("click", () => {
    const order = relevantSections();
    const at = current === index.sections.length ? order.length : order.indexOf(current);
    if (at > 0) goTo(order[at - 1]);
  });
  next.addEventListener("click", () => {
    const order = relevantSections();
    const at = order.indexOf(current);
    goTo(at < 0 || at + 1 >= order.length ? index.sections.length : order[at + 1]);
  });
  // Enter in a one-line field goes to the next field, as a paper form is filled in order.
  page.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT" || event.target.type === "file") return;
    const inputs = [...page.querySelectorAll("input.fq-input, select.fq-input, textarea.fq-input")].filter((el) => el.offsetParent !== null);
    const at = inputs.indexOf(event.target);
    event.preventDefault();
    if (at >= 0 && at + 1 < inputs.length) inputs[at + 1].focus();
    else next.focus();
  });

  // The rule engine loads beside the first page (it is not needed to start typing); `ready` says when it is in.
  let ready = Promise.resolve();
  if (!classify && ruleSet) {
    ready = import("../../poverty/classify.js").then((m) => {
      if (destroyed) return;
      classify = m.classify;
      live.setClassify(classify);
      live.update(record);
    }, () => live.update(record));
  }
  live.update(record);
  goTo(Number.isInteger(section) ? section : 0);
  if (state.changed) onChange(structuredClone(record));

  const handle = {
    record: () => { flush(); return structuredClone(record); },
    validate: () => {
      flush();
      for (const s of relevantSections()) visited.add(s);
      apply();
      return state.problems.map(({ path, message }) => ({ path, message }));
    },
    goTo,
    ready,
    classification: () => { flush(); return live.result(); },
    destroy: () => {
      settle();
      destroyed = true;
      document.removeEventListener("visibilitychange", settle);
      window.removeEventListener("pagehide", settle);
      root.replaceChildren();
      fields = [];
      rosters = [];
    },
  };
  return handle;
}
