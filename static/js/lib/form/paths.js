// Record paths: "income.method", "housing.durable.roof", "members" (a repeat) and, inside a repeat, paths relative
// to the item ("birth_date"). A concrete path is an array of keys and list indexes: ["members", 2, "birth_date"].
// No browser API here: the expression tests run this module under Node.

/** Split a dotted path into keys ("a.b" → ["a", "b"]); "members[].x" keeps "members[]" as one key. */
export function split(path) {
  return path === "" ? [] : path.split(".");
}

/** The value at a concrete path, or null when any step is missing. */
export function get(obj, keys) {
  let at = obj;
  for (const key of keys) {
    if (at === null || typeof at !== "object") return null;
    at = at[key];
    if (at === undefined) return null;
  }
  return at === undefined ? null : at;
}

/** Set the value at a concrete path, making the objects on the way. */
export function set(obj, keys, value) {
  let at = obj;
  for (let i = 0; i < keys.length - 1; i += 1) {
    const key = keys[i];
    if (at[key] === null || typeof at[key] !== "object") at[key] = {};
    at = at[key];
  }
  at[keys[keys.length - 1]] = value;
}

/** Remove the value at a concrete path; return whether something was there. */
export function remove(obj, keys) {
  const parent = get(obj, keys.slice(0, -1));
  const last = keys[keys.length - 1];
  if (parent === null || typeof parent !== "object" || !(last in parent)) return false;
  delete parent[last];
  return true;
}

/** A concrete path written as text for messages and comments: ["members", 2, "name"] → "members[2].name". */
export function format(keys) {
  let out = "";
  for (const key of keys) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? key : `.${key}`;
  }
  return out;
}

/** Parse a concrete path written as text ("members[2].name", "members.2.name") back into keys. */
export function parse(text) {
  const keys = [];
  for (const part of text.split(".")) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) { keys.push(part); continue; }
    if (match[1] !== "") keys.push(/^\d+$/.test(match[1]) ? Number(match[1]) : match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) keys.push(Number(index[1]));
  }
  return keys;
}
