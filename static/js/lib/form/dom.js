// Small DOM helpers for the form renderer. Text goes in with textContent (never innerHTML: answers are user data)
// and no inline style attributes (the Content-Security-Policy forbids them): classes only.

/** Make an element: h("div", {class: "x", for: id}, child, "text", …). Attributes with null/false are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") el.className = value;
    else if (name === "text") el.textContent = value;
    else if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

/** Set an element's text only when it changed (a write costs a layout even when equal). */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** Toggle a class only when it changed. */
export function setClass(el, name, on) {
  if (el.classList.contains(name) !== Boolean(on)) el.classList.toggle(name, Boolean(on));
}

/** Show or hide an element with the `hidden` attribute, only when it changed. */
export function setHidden(el, hidden) {
  if (el.hidden !== Boolean(hidden)) el.hidden = Boolean(hidden);
}

let counter = 0;
/** A document-unique id for label/input pairs. */
export function uid(prefix = "f") {
  counter += 1;
  return `${prefix}${counter}`;
}
