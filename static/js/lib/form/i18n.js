// The renderer's words: the UI catalogue (static/collect/strings.json: {"key": {"vi", "en"}}) and the
// definition's own {"vi", "en"} labels. Vietnamese first; a key missing from the catalogue shows the key itself,
// so a forgotten string is visible in a screenshot rather than blank.

/** Return t(key, params) over the catalogue and label(obj) over {"vi", "en"} objects, for one language. */
export function translator(strings, lang) {
  const pick = (entry) => {
    if (entry === null || entry === undefined) return "";
    if (typeof entry === "string") return entry;
    return entry[lang] ?? entry.vi ?? entry.en ?? "";
  };
  const t = (key, params) => {
    const entry = strings ? strings[key] : undefined;
    let text = entry === undefined ? key : pick(entry);
    if (params) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
    return text;
  };
  return { t, label: pick, lang };
}
