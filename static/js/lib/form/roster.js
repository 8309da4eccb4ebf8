// The repeat (the member roster): one block per item, added, removed (after a confirmation inside the block) and
// moved up or down. The roster is an accordion: each block is a heading with the member's title, what is left to
// answer and the supervisor's comments, and at most one block is open, with its questions and its tools (move,
// remove). A closed block holds no controls: 50 members are 50 headings and one member's questions, so a
// keystroke costs about the same with 2 members or 50 (Chromium's autofill reads the page's controls on every
// change, and layout and paint cover what is drawn), and the enumerator sees the whole household at a glance.
// Structural changes touch only the blocks concerned; typing in a member touches only its title here.
import { h, setHidden, setText, uid } from "./dom.js";
import { get, set } from "./paths.js";

// How long typing pauses before the open member's heading shows the name typed.
const TITLE_PAUSE_MS = 400;

/**
 * roster(node, env) → {el, refresh(relevant, showAll, typing), open(index), isOpen(index)}.
 * env: {t, label, record, createField(childNode, scope) → field, dropFields(fields), changed(), opened(),
 * titleOf(item, position), titleKey(item, position), statusOf(index, item) → {problems, comments, refused}}.
 */
export function roster(node, env) {
  const { t } = env;
  const q = node.q;
  const keys = node.keys;
  const max = q.max_count || 50;
  const list = () => {
    const value = get(env.record, keys);
    return Array.isArray(value) ? value : [];
  };
  const blocks = [];
  let shown = true;
  let openBlock = null;
  const container = h("div", { class: "fr-items" });
  const count = h("p", { class: "fr-count", "aria-live": "polite" });
  const add = h("button", { type: "button", class: "fq-btn fr-add", text: env.label(q.add_label) || t("form.repeat.add") });
  const el = h("div", { class: "fr-repeat" }, count, container, add);

  // One set of tools (move up, move down, remove and its confirmation), shown in the open block: a closed block is
  // its heading button only.
  const up = h("button", { type: "button", class: "fr-tool fr-up", "aria-label": t("form.repeat.up"), title: t("form.repeat.up"), text: "↑" });
  const down = h("button", { type: "button", class: "fr-tool fr-down", "aria-label": t("form.repeat.down"), title: t("form.repeat.down"), text: "↓" });
  const remove = h("button", { type: "button", class: "fr-tool fr-remove", "aria-label": t("form.repeat.remove"), title: t("form.repeat.remove"), text: "✕" });
  const tools = h("div", { class: "fr-tools" }, up, down, remove);
  const yes = h("button", { type: "button", class: "fq-btn fr-yes", text: t("form.repeat.remove_yes") });
  const no = h("button", { type: "button", class: "fq-btn secondary fr-no", text: t("form.repeat.remove_no") });
  const confirm = h("div", { class: "fr-confirm", role: "alert" }, h("p", { text: t("form.repeat.remove_confirm") }), yes, no);
  confirm.hidden = true;
  up.addEventListener("click", () => { if (openBlock) move(openBlock, -1); });
  down.addEventListener("click", () => { if (openBlock) move(openBlock, 1); });
  remove.addEventListener("click", () => { confirm.hidden = false; no.focus(); });
  no.addEventListener("click", () => { confirm.hidden = true; remove.focus(); });
  yes.addEventListener("click", () => { if (openBlock) drop(openBlock); });

  function block(index) {
    const b = { index, fields: [], body: null, seen: false, titleKey: null, statusKey: null };
    b.scope = { base: () => keys.concat(b.index), position: () => b.index + 1, item: () => list()[b.index] };
    b.bodyId = uid("fr");
    b.title = h("span", { class: "fr-title" });
    b.status = h("span", { class: "fr-status" });
    b.status.hidden = true;
    b.toggle = h("button", { type: "button", class: "fr-toggle", "aria-expanded": "false", "aria-controls": b.bodyId },
      b.title, b.status);
    b.head = h("div", { class: "fr-head" }, h("h3", { class: "fr-heading" }, b.toggle));
    b.el = h("section", { class: "fr-item" }, b.head);
    b.toggle.addEventListener("click", () => {
      if (openBlock === b) close();
      else open(b, { scroll: true });
    });
    return b;
  }

  /** Enable the tools for the open block's place in the list. */
  function toolsFor(b) {
    up.disabled = b.index === 0;
    down.disabled = b.index === blocks.length - 1;
  }

  /** Open block b (closing the open one): its questions are made now, and filled by env.opened(). */
  function open(b, { scroll = false } = {}) {
    if (openBlock === b) return;
    const above = openBlock !== null && openBlock.index < b.index;
    if (openBlock) close({ quiet: true });
    // The member's questions are a <form> of their own (never submitted). With every member expanded this kept
    // Chromium's autofill to one member's controls; with the accordion, autofill costs the same whatever the forms
    // (measured 2026-12-01, bench/README.md): what counts is how many controls the page holds.
    b.body = h("form", { class: "fr-body", id: b.bodyId, novalidate: true, autocomplete: "off" });
    b.body.addEventListener("submit", (event) => event.preventDefault());
    for (const child of node.children) {
      const field = env.createField(child, b.scope);
      b.fields.push(field);
      b.body.append(field.wrap);
    }
    confirm.hidden = true;
    b.head.append(tools);
    b.el.append(confirm, b.body);
    toolsFor(b);
    b.el.classList.add("is-open");
    b.toggle.setAttribute("aria-expanded", "true");
    b.seen = true;
    b.statusKey = null;
    openBlock = b;
    env.opened();
    // The block closed above this one took its questions away: bring this one's heading back to the screen.
    if (scroll && above) b.el.scrollIntoView({ block: "start" });
  }

  /** Close the open block: its questions leave the page (their answers stay in the record). */
  function close({ quiet = false } = {}) {
    const b = openBlock;
    if (!b) return;
    if (titleWaiting === b) writeTitle(b);
    openBlock = null;
    const gone = b.fields;
    b.fields = [];
    b.body.remove();
    b.body = null;
    tools.remove();
    confirm.remove();
    confirm.hidden = true;
    b.el.classList.remove("is-open");
    b.toggle.setAttribute("aria-expanded", "false");
    b.statusKey = null;
    env.dropFields(gone);
    if (!quiet) env.opened();
  }

  let titleTimer = 0;
  let titleWaiting = null;
  function writeTitle(b) {
    if (titleWaiting === b) { clearTimeout(titleTimer); titleWaiting = null; }
    const item = list()[b.index];
    b.titleKey = env.titleKey(item, b.index + 1);
    setText(b.title, env.titleOf(item, b.index + 1));
  }
  function titleLater(b) {
    if (titleWaiting && titleWaiting !== b) writeTitle(titleWaiting);
    clearTimeout(titleTimer);
    titleWaiting = b;
    titleTimer = setTimeout(() => { if (titleWaiting === b) writeTitle(b); }, TITLE_PAUSE_MS);
  }

  function renumber() {
    blocks.forEach((b, i) => {
      b.index = i;
      for (const f of b.fields) f.rekey();
    });
    if (openBlock) toolsFor(openBlock);
    setText(count, t("form.repeat.count", { n: blocks.length, max }));
    add.disabled = blocks.length >= max;
  }

  function move(b, step) {
    const i = b.index;
    const j = i + step;
    if (j < 0 || j >= blocks.length) return;
    const items = list();
    [items[i], items[j]] = [items[j], items[i]];
    [blocks[i], blocks[j]] = [blocks[j], blocks[i]];
    if (step < 0) container.insertBefore(b.el, blocks[i].el);
    else container.insertBefore(blocks[i].el, b.el);
    renumber();
    env.changed({ moved: true });
    (step < 0 ? (up.disabled ? down : up) : (down.disabled ? up : down)).focus();
    b.el.scrollIntoView({ block: "nearest" });
  }

  function drop(b) {
    if (openBlock === b) close({ quiet: true });
    list().splice(b.index, 1);
    blocks.splice(b.index, 1);
    b.el.remove();
    const next = blocks[Math.min(b.index, blocks.length - 1)];
    renumber();
    env.changed({ removed: true });
    (next ? next.toggle : add).focus();
  }

  add.addEventListener("click", () => {
    let items = get(env.record, keys);
    if (!Array.isArray(items)) { items = []; set(env.record, keys, items); }
    if (items.length >= max) return;
    items.push({});
    const b = block(items.length - 1);
    blocks.push(b);
    container.append(b.el);
    renumber();
    open(b);
    env.changed({ added: true });
    b.el.scrollIntoView({ block: "start" });
    const first = b.fields.find((f) => f.widget.focusable && !f.wrap.hidden);
    if (first) first.widget.focusable.focus({ preventScroll: true });
  });

  const initial = list();
  for (let i = 0; i < initial.length; i += 1) {
    const b = block(i);
    blocks.push(b);
    container.append(b.el);
  }
  renumber();
  // One member (a household of one, or the head just entered): open. Several: the list of their names.
  if (blocks.length === 1) open(blocks[0]);

  return {
    el,
    /** Open the block of item `index` (0-based); a no-op for an index the roster does not have. */
    open(index) { if (blocks[index]) open(blocks[index]); },
    /** Whether the block of item `index` is open. */
    isOpen: (index) => openBlock !== null && openBlock.index === index,
    /**
     * Update the members' titles (the name typed so far) and each closed block's status: how many answers it
     * still lacks or breaks (once the member was opened, or when the whole form is checked: showAll) and how many
     * comments the supervisor wrote on it (and the server's refusals); hide the roster when it is not relevant. typing: only the open member
     * changed (an answer typed in it): the other headings are not visited and its own title waits for a pause.
     */
    refresh(relevant, showAll, typing = false) {
      if (relevant !== shown) { shown = relevant; el.hidden = !relevant; }
      const items = list();
      // An answer typed in the open member changes nothing in the others' headings.
      for (const b of typing && openBlock ? [openBlock] : blocks) {
        const item = items[b.index];
        const key = env.titleKey(item, b.index + 1);
        if (key !== b.titleKey) {
          // While the enumerator types the open member's name, the field shows it; the heading follows once they
          // pause (rewriting it at every key lays the block out again: about a quarter of a keystroke's time).
          if (typing && b === openBlock) titleLater(b);
          else writeTitle(b);
        }
        const { problems, comments, refused = 0 } = env.statusOf(b.index, item);
        const counted = openBlock !== b && (b.seen || showAll) ? problems : 0;
        const statusKey = `${counted}|${comments}|${refused}`;
        if (statusKey === b.statusKey) continue;
        b.statusKey = statusKey;
        const parts = [];
        if (counted) parts.push(t("form.repeat.problems", { n: counted }));
        if (comments) parts.push(t("form.repeat.comments", { n: comments }));
        if (refused) parts.push(t("form.repeat.refused", { n: refused }));
        setText(b.status, parts.join(" · "));
        setHidden(b.status, parts.length === 0);
        b.el.classList.toggle("has-error", counted > 0);
        b.el.classList.toggle("has-comment", comments + refused > 0);
      }
    },
  };
}
