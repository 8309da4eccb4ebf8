// The collector's one string catalogue (static/collect/strings.json: {"key": {"vi", "en"}}), Vietnamese first.
let catalogue = {};
let lang = 'vi';

export async function loadStrings(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  catalogue = await response.json();
  return catalogue;
}

export function setLang(value) {
  lang = value === 'en' ? 'en' : 'vi';
  document.documentElement.lang = lang;
}

export const getLang = () => lang;
export const strings = () => catalogue;

// The text of a key in the chosen language; {name} placeholders filled from params.
export function t(key, params = null) {
  const entry = catalogue[key];
  let text = entry ? (entry[lang] ?? entry.vi) : key;
  if (params) text = text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
  return text;
}

// A {vi, en} label sent by the server (or a plain string) in the chosen language.
export function pick(label) {
  if (label == null) return '';
  if (typeof label === 'string') return label;
  return label[lang] ?? label.vi ?? '';
}
