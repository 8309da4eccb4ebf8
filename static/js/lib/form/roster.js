// The repeat (the member roster): one block per item, added, removed (after a confirmation inside the block)
// and moved up or down. Structural changes touch only the blocks concerned; typing in a member touches nothing
// here. Blocks carry `content-visibility: auto` (form.css) so 50 members cost little to lay out, and each block's
// questions are a form of their own (see block()).
import { h, setText } from "./dom.js";
import { get, set } from "./paths.js";

/**
 * roster(node, env) → {el, blocks, refresh()}. env: {t, label, record, createField(childNode, scope) → field,
 * dropFields(fields), changed(), titleOf(item, position)}.
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
  const container = h("div", { class: "fr-items" });
  const count = h("p", { class: "fr-count", "aria-live": "polite" });
  const add = h("button", { type: "button", class: "fq-btn fr-add", text: env.label(q.add_label) || t("form.repeat.add") });
  const el = h("div", { class: "fr-repeat" }, count, container, add);

  function block(index) {
    const b = { index, fields: [] };
    const scope = { base: () => keys.concat(b.index), position: () => b.index + 1, item: () => list()[b.index] };
    b.title = h("h3", { class: "fr-title" });
    b.up = h("button", { type: "button", class: "fr-tool fr-up", "aria-label": t("form.repeat.up"), title: t("form.repeat.up"), text: "↑" });
    b.down = h("button", { type: "button", class: "fr-tool fr-down", "aria-label": t("form.repeat.down"), title: t("form.repeat.down"), text: "↓" });
    b.remove = h("button", { type: "button", class: "fr-tool fr-remove", "aria-label": t("form.repeat.remove"), title: t("form.repeat.remove"), text: "✕" });
    const yes = h("button", { type: "button", class: "fq-btn fr-yes", text: t("form.repeat.remove_yes") });
    const no = h("button", { type: "button", class: "fq-btn secondary fr-no", text: t("form.repeat.remove_no") });
    b.confirm = h("div", { class: "fr-confirm", role: "alert" }, h("p", { text: t("form.repeat.remove_confirm") }), yes, no);
    b.confirm.hidden = true;
    b.comments = h("div", { class: "fr-comments" });
    // Each member's questions are a <form> of their own (never submitted): Chromium's autofill, on every change of
    // a control, reads every control of the changed one's form, and every formless control of the page counts as one
    // form: 30 members' 1,300 controls, each read forcing a layout of its block past content-visibility (about
    // 50 ms a keystroke on a cheap phone). In a member's form it reads only that member's 40.
    const body = h("form", { class: "fr-body", novalidate: true, autocomplete: "off" });
    body.addEventListener("submit", (event) => event.preventDefault());
    b.el = h("section", { class: "fr-item" },
      h("div", { class: "fr-head" }, b.title, h("div", { class: "fr-tools" }, b.up, b.down, b.remove)), b.confirm, b.comments, body);
    for (const child of node.children) {
      const field = env.createField(child, scope);
      b.fields.push(field);
      body.append(field.wrap);
    }
    b.up.addEventListener("click", () => move(b, -1));
    b.down.addEventListener("click", () => move(b, 1));
    b.remove.addEventListener("click", () => { b.confirm.hidden = false; no.focus(); });
    no.addEventListener("click", () => { b.confirm.hidden = true; b.remove.focus(); });
    yes.addEventListener("click", () => drop(b));
    return b;
  }

  function renumber() {
    blocks.forEach((b, i) => {
      b.index = i;
      b.up.disabled = i === 0;
      b.down.disabled = i === blocks.length - 1;
      for (const f of b.fields) f.rekey();
    });
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
    (step < 0 ? (b.up.disabled ? b.down : b.up) : (b.down.disabled ? b.up : b.down)).focus();
    b.el.scrollIntoView({ block: "nearest" });
  }

  function drop(b) {
    list().splice(b.index, 1);
    blocks.splice(b.index, 1);
    b.el.remove();
    env.dropFields(b.fields);
    const next = blocks[Math.min(b.index, blocks.length - 1)];
    renumber();
    env.changed({ removed: true });
    (next ? next.remove : add).focus();
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

  return {
    el,
    blocks,
    /** Update the members' titles (the name typed so far) and hide the roster when it is not relevant. */
    refresh(relevant) {
      if (relevant !== shown) { shown = relevant; el.hidden = !relevant; }
      const items = list();
      for (const b of blocks) {
        const item = items[b.index];
        const key = env.titleKey(item, b.index + 1);
        if (key !== b.titleKey) { b.titleKey = key; b.title.textContent = env.titleOf(item, b.index + 1); }
      }
    },
    fields: () => blocks.flatMap((b) => b.fields),
  };
}
