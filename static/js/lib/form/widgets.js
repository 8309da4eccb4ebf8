// One widget per question type: it builds its controls and reports answers; it never touches the record.
// widget(q, env) → {el, focusable, set(value)}; env: {id, t, label, choices(q), report(value, problemKey|null),
// photo(q) → {name}, onPhoto, getPhoto}. Numbers use text inputs with inputmode (a numeric keypad without
// type=number's quirks: no silent clearing of "12," and no wheel changes) and accept Vietnamese writing:
// "12,5" is 12.5 and "1.500.000" is 1500000.
import { h, setHidden, setText, uid } from "./dom.js";
import { resizePhoto, sha256Hex } from "./photo.js";

// Radios for short lists (one tap); a drop-down list beyond this many choices.
const MAX_RADIOS = 7;
const GROUPED_INTEGER = /^-?\d{1,3}([.,\s]\d{3})+$/;
// What the server refuses in a record's text (server/poverty/fields.py CONTROL_RE): control characters, lone
// surrogates, bidirectional embeddings, overrides and isolates. Pasted from elsewhere, they are caught at the field.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Parse an integer as typed: null for "", NaN when it is not one. */
export function parseInteger(text) {
  let s = text.trim();
  if (s === "") return null;
  if (GROUPED_INTEGER.test(s)) s = s.replace(/[.,\s]/g, "");
  return /^-?\d+$/.test(s) ? Number(s) : NaN;
}

/** Parse a decimal as typed (comma or point as the decimal mark): null for "", NaN when it is not one. */
export function parseDecimal(text) {
  let s = text.trim().replace(/\s/g, "");
  if (s === "") return null;
  if (GROUPED_INTEGER.test(s) && s.includes(".") && !s.includes(",")) s = s.replace(/\./g, "");
  else s = s.replace(",", ".");
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : NaN;
}

function textInput(q, env, attrs) {
  const input = h("input", { id: env.id, class: "fq-input", autocomplete: "off", ...attrs });
  return input;
}

function numberWidget(q, env, { parse, mode, problem }) {
  const input = textInput(q, env, { type: "text", inputmode: mode, enterkeyhint: "next",
    maxlength: q.type === "year" ? 4 : 20 });
  input.addEventListener("input", () => {
    const v = parse(input.value);
    if (Number.isNaN(v)) env.report(null, problem);
    else env.report(v, null);
  });
  return { el: input, focusable: input,
    set(value) { const text = value === null || value === undefined ? "" : String(value);
      if (parse(input.value) !== value || value === null) input.value = text; } };
}

const digitsOnly = (q) => q.constraint && q.constraint.op === "matches" && typeof q.constraint.args?.[1] === "string"
  && /^(\\d(\{\d+(,\d*)?\})?)+$/.test(q.constraint.args[1]);

const WIDGETS = {
  text(q, env) {
    const multi = q.multiline === true;
    const input = multi ? h("textarea", { id: env.id, class: "fq-input", rows: 3 })
      : textInput(q, env, { type: "text", inputmode: q.inputmode || (digitsOnly(q) ? "numeric" : null),
        maxlength: q.max_length || null, enterkeyhint: "next" });
    input.addEventListener("input", () => {
      const v = input.value.normalize("NFC");
      if (CONTROL.test(v)) env.report(null, "form.control_character");
      else env.report(v.trim() === "" ? null : v, null);
    });
    return { el: input, focusable: input,
      set(value) { const text = value ?? ""; if (input.value.normalize("NFC") !== text) input.value = text; } };
  },
  integer: (q, env) => numberWidget(q, env, { parse: parseInteger, mode: "numeric", problem: "form.not_integer" }),
  year: (q, env) => numberWidget(q, env, { parse: parseInteger, mode: "numeric", problem: "form.not_year" }),
  decimal: (q, env) => numberWidget(q, env, { parse: parseDecimal, mode: "decimal", problem: "form.not_decimal" }),
  date(q, env) {
    const input = h("input", { id: env.id, class: "fq-input", type: "date", min: q.min_date || "1900-01-01",
      max: q.max_date || null });
    input.addEventListener("input", () => env.report(input.value === "" ? null : input.value, null));
    return { el: input, focusable: input, set(value) { const text = value ?? ""; if (input.value !== text) input.value = text; } };
  },
  select_one(q, env) {
    const choices = env.choices(q);
    if (choices.length > MAX_RADIOS) return selectList(choices, env);
    const short = choices.length === 2 && choices.every((c) => env.label(c.label).length <= 12);
    return radios(choices, env, short);
  },
  boolean(q, env) {
    return radios([{ value: true, label: env.t("form.yes") }, { value: false, label: env.t("form.no") }], env, true);
  },
  select_multiple(q, env) {
    const boxes = [];
    const group = h("div", { class: "fq-choices", role: "group" });
    for (const choice of env.choices(q)) {
      const box = h("input", { type: "checkbox", class: "fq-check" });
      box.addEventListener("change", () => {
        const picked = boxes.filter(([b]) => b.checked).map(([, v]) => v);
        env.report(picked.length ? picked : null, null);
      });
      boxes.push([box, choice.value]);
      group.append(h("label", { class: "fq-choice" }, box, h("span", { text: env.label(choice.label) })));
    }
    return { el: group, focusable: boxes[0]?.[0] ?? group, set(value) {
      const list = Array.isArray(value) ? value : [];
      for (const [box, v] of boxes) { const on = list.includes(v); if (box.checked !== on) box.checked = on; }
    } };
  },
  note(q, env) {
    const el = h("span", { class: "fq-note-mark" });
    return { el, focusable: null, set() {} };
  },
  calculated(q, env) {
    const out = h("output", { id: env.id, class: "fq-output" });
    const shown = (value) => {
      if (value === null || value === undefined) return "–";
      if (typeof value === "boolean") return env.t(value ? "form.yes" : "form.no");
      return String(value);
    };
    return { el: out, focusable: null, set(value) { setText(out, shown(value)); } };
  },
  gps: gpsWidget,
  photo: photoWidget,
  point_table: pointTableWidget,
};

function radios(choices, env, inline = false) {
  const name = uid("r");
  const group = h("div", { class: inline ? "fq-choices fq-inline" : "fq-choices", role: "radiogroup" });
  const inputs = [];
  for (const choice of choices) {
    const input = h("input", { type: "radio", name, class: "fq-radio" });
    input.addEventListener("change", () => { if (input.checked) env.report(choice.value, null); });
    inputs.push([input, choice.value]);
    group.append(h("label", { class: "fq-choice" }, input,
      h("span", { text: typeof choice.label === "string" ? choice.label : env.label(choice.label) })));
  }
  return { el: group, focusable: inputs[0]?.[0] ?? group, set(value) {
    for (const [input, v] of inputs) { const on = v === value; if (input.checked !== on) input.checked = on; }
  } };
}

function selectList(choices, env) {
  const select = h("select", { id: env.id, class: "fq-input" }, h("option", { value: "", text: env.t("form.choose") }));
  choices.forEach((choice, i) => select.append(h("option", { value: String(i), text: env.label(choice.label) })));
  select.addEventListener("change", () => env.report(select.value === "" ? null : choices[Number(select.value)].value, null));
  return { el: select, focusable: select, set(value) {
    const i = choices.findIndex((c) => c.value === value);
    const text = i < 0 ? "" : String(i);
    if (select.value !== text) select.value = text;
  } };
}

function gpsWidget(q, env) {
  const fields = {};
  const make = (key, mode) => {
    const id = uid("g");
    const input = h("input", { id, type: "text", inputmode: mode, class: "fq-input", autocomplete: "off" });
    fields[key] = input;
    input.addEventListener("input", emit);
    return h("div", { class: "fq-gps-part" }, h("label", { for: id, class: "fq-sublabel", text: env.t(`form.gps.${key}`) }), input);
  };
  const status = h("p", { class: "fq-gps-status", role: "status" });
  let current = null;
  function emit() {
    const lat = parseDecimal(fields.lat.value);
    const lon = parseDecimal(fields.lon.value);
    const acc = parseDecimal(fields.accuracy_m.value);
    if (lat === null && lon === null && acc === null) { current = null; env.report(null, null); return; }
    if ([lat, lon, acc].some((v) => Number.isNaN(v)) || lat === null || lon === null) {
      env.report(null, "form.gps.invalid"); return;
    }
    current = { lat, lon, accuracy_m: acc };
    env.report(current, null);
  }
  const button = h("button", { type: "button", class: "fq-btn fq-gps-get", text: env.t("form.gps.get") });
  button.addEventListener("click", () => {
    if (!("geolocation" in navigator)) { setText(status, env.t("form.gps.unavailable")); return; }
    button.disabled = true;
    setText(status, env.t("form.gps.waiting"));
    navigator.geolocation.getCurrentPosition((pos) => {
      button.disabled = false;
      const { latitude, longitude, accuracy } = pos.coords;
      fields.lat.value = latitude.toFixed(6);
      fields.lon.value = longitude.toFixed(6);
      fields.accuracy_m.value = String(Math.round(accuracy));
      setText(status, env.t("form.gps.accuracy", { m: Math.round(accuracy) }));
      emit();
    }, (error) => {
      button.disabled = false;
      setText(status, env.t(error.code === 1 ? "form.gps.denied" : "form.gps.failed"));
    }, { enableHighAccuracy: true, timeout: 60000, maximumAge: 0 });
  });
  const el = h("div", { class: "fq-gps" }, button, status,
    h("div", { class: "fq-gps-grid" }, make("lat", "decimal"), make("lon", "decimal"), make("accuracy_m", "decimal")));
  return { el, focusable: button, set(value) {
    if (value === current) return;
    current = value;
    const v = value || {};
    for (const key of ["lat", "lon", "accuracy_m"]) {
      const text = v[key] === null || v[key] === undefined ? "" : String(v[key]);
      if (fields[key].value !== text) fields[key].value = text;
    }
    if (value && value.accuracy_m !== null && value.accuracy_m !== undefined) setText(status, env.t("form.gps.accuracy", { m: value.accuracy_m }));
  } };
}

function photoWidget(q, env) {
  // Up to max_count photos (1 by default): each resized, hashed, handed to the app (onPhoto) and listed in
  // record.attachments as {name, content_type, sha256}. The thumbnail is drawn on a canvas from the blob (no blob:
  // address, which the collector's Content-Security-Policy need not allow).
  const max = q.max_count || 1;
  const id = uid("p");
  const input = h("input", { id, type: "file", accept: "image/*", capture: "environment", class: "fq-file" });
  const pick = h("label", { for: id, class: "fq-btn fq-photo-pick", text: env.t("form.photo.take") });
  const status = h("p", { class: "fq-photo-status", role: "status" });
  const list = h("ul", { class: "fq-photo-list" });
  let current = [];
  const preview = async (canvas, blob) => {
    const bitmap = await createImageBitmap(blob);
    try {
      const side = Math.min(bitmap.width, bitmap.height);
      canvas.getContext("2d").drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side,
        0, 0, canvas.width, canvas.height);
      canvas.hidden = false;
    } finally {
      bitmap.close();
    }
  };
  function draw(blobs = new Map()) {
    list.replaceChildren(...current.map((entry, i) => {
      const img = h("canvas", { class: "fq-photo-preview", width: 160, height: 160, role: "img",
        "aria-label": env.t("form.photo.preview", { n: i + 1 }) });
      img.hidden = true;
      const show = (b) => { if (b) preview(img, b).catch(() => {}); };
      const blob = blobs.get(entry.name);
      if (blob) show(blob);
      else if (env.getPhoto) Promise.resolve(env.getPhoto(entry.name)).then(show, () => {});
      const drop = h("button", { type: "button", class: "fq-btn secondary fq-photo-remove", text: env.t("form.photo.remove") });
      drop.addEventListener("click", () => {
        current = current.filter((e) => e !== entry);
        draw();
        env.report(current.length ? current.slice() : null, null);
      });
      return h("li", { class: "fq-photo-item" }, img,
        h("span", { class: "fq-photo-name", text: env.t("form.photo.item", { n: i + 1 }) }), drop);
    }));
    setHidden(pick, current.length >= max);
    input.disabled = current.length >= max;
  }
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    setText(status, env.t("form.photo.working"));
    try {
      const blob = await resizePhoto(file);
      const sha256 = await sha256Hex(blob);
      const name = `${env.photoPrefix()}-${Date.now().toString(36)}.jpg`;
      if (env.onPhoto) await env.onPhoto(name, blob);
      current = [...current, { name, content_type: "image/jpeg", sha256 }];
      setText(status, env.t("form.photo.saved", { kb: Math.max(1, Math.round(blob.size / 1024)) }));
      draw(new Map([[name, blob]]));
      env.report(current.slice(), null);
    } catch (error) {
      setText(status, env.t("form.photo.failed", { error: error && error.name ? error.name : String(error) }));
    } finally {
      input.value = "";
    }
  });
  const el = h("div", { class: "fq-photo" }, input, list, pick, status);
  return { el, focusable: input, set(value) {
    const next = Array.isArray(value) ? value : [];
    if (next.length === current.length && next.every((e, i) => e.sha256 === current[i].sha256 && e.name === current[i].name)) return;
    current = next.slice();
    draw();
  } };
}

function pointTableWidget(q, env) {
  // B1 (Phiếu B1): one answer per item of the point table the rule set carries; the answers go to
  // income.b1_items as {item_code: answer_code} and the engine scores them (the total shows in the live panel).
  const table = env.pointTable;
  const el = h("div", { class: "fq-points" });
  if (!table || !Array.isArray(table.rows) || table.rows.length === 0) {
    el.append(h("p", { class: "fq-hint", text: env.t("form.points.none") }));
    return { el, focusable: null, set() {} };
  }
  const items = new Map();
  for (const row of table.rows) {
    if (!items.has(row.item_code)) items.set(row.item_code, { label: row.item_label, answers: [] });
    items.get(row.item_code).answers.push({ value: row.answer_code, label: row.answer_label });
  }
  let value = {};
  const selects = [];
  for (const [code, item] of items) {
    const id = uid("b");
    const select = h("select", { id, class: "fq-input" }, h("option", { value: "", text: env.t("form.choose") }),
      ...item.answers.map((a) => h("option", { value: a.value, text: a.label })));
    select.addEventListener("change", () => {
      value = { ...value };
      if (select.value === "") delete value[code];
      else value[code] = select.value;
      env.report(Object.keys(value).length ? value : null, null);
    });
    selects.push([code, select]);
    el.append(h("div", { class: "fq-point" }, h("label", { for: id, class: "fq-sublabel", text: item.label }), select));
  }
  return { el, focusable: selects[0][1], set(v) {
    value = v && typeof v === "object" ? { ...v } : {};
    for (const [code, select] of selects) { const text = value[code] ?? ""; if (select.value !== text) select.value = text; }
  } };
}

/** The widget of a question (a question with `calculate` is shown read-only). */
export function widget(q, env) {
  if (q.calculate !== undefined && q.type !== "note") return WIDGETS.calculated(q, env);
  const make = WIDGETS[q.type];
  if (!make) throw new Error(`unknown question type: ${q.type}`);
  return make(q, env);
}
