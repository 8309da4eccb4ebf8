// Errors and notes of the rule engine, worded from the message catalogue the rule set document carries
// (the server's server/poverty/messages.py), so the phone says what the server says.

/** Fill a catalogue entry {vi, en} with the parameters ({name} fields, as Python's str.format). */
export function message(messages, code, params = {}) {
  const entry = messages?.[code];
  const fill = (text) => text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  return entry ? { vi: fill(entry.vi), en: fill(entry.en) } : { vi: code, en: code };
}

/** A result note: {code, vi, en}, as the server's. */
export function note(messages, code, params = {}) {
  return { code, ...message(messages, code, params) };
}

/**
 * A record the engine cannot classify, like the server's RecordInvalid: `.errors` is [{path, message: {vi, en}}]
 * and `.path` the first error's path (e.g. "members[2].birth_date"); `.code` is "record_invalid".
 */
export class RecordError extends Error {
  constructor(messages, problems, code = "record_invalid") {
    const errors = problems.map((p) => ({ path: p.path, code: p.code, message: message(messages, p.code, p.params) }));
    super(errors.map((e) => `${e.path || "(record)"}: ${e.message.en}`).join("; "));
    this.name = "RecordError";
    this.code = code;
    this.errors = errors;
    this.path = errors[0]?.path ?? "";
  }
}

/** The error for one field. */
export function invalid(messages, path, code, params = {}) {
  return new RecordError(messages, [{ path, code, params }]);
}

/** The error for one missing answer. */
export function required(messages, path) {
  return new RecordError(messages, [{ path, code: "required" }]);
}
