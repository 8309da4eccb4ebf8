// Test-only page: mounts the form renderer with the household definition and rule set the test server serves.
// Query: ?members=N (a roster of N filled members), ?form=village (the village form, no rule set), ?lang=en, ?comments=1 (a returned form's comments),
// a record put in window.name as "record:JSON" by the test (e.g. a draft kept by the app). Exposes window.__form and
// window.__changes (how many times onChange was called) and window.__photos (blobs handed over by onPhoto).
import { mountForm } from "/static/js/lib/form/render.js";

const params = new URLSearchParams(location.search);
const get = (url) => fetch(url).then((r) => { if (!r.ok) throw new Error(`${url}: ${r.status}`); return r.json(); });
const village = params.get("form") === "village";
const [definition, ruleSet, strings] = await Promise.all([get(`/harness/definition.json${village ? "?form=village" : ""}`), get("/harness/rule-set.json"),
  get("/static/collect/strings.json")]);

function member(i) {
  const head = i === 0;
  return { line: i + 1, name: `Thành viên Thử ${i + 1}`, relation: head ? "head" : "child", sex: i % 2 ? "female" : "male",
    birth_year: 1960 + (i % 50), ethnicity: "tay", health_insurance: true, schooling: "not_attending",
    highest_diploma: "lower_secondary", employment: "self_employed", disability: "none", pension: false, social_allowance: false };
}

const count = Number(params.get("members") || 0);
let record = {
  id: "0b7f1a52-7c4e-4f2a-9d7e-3c1b2a4d5e6f", form_version: definition.version, review_year: 2025,
  commune_code: "06529", village_code: "B-06529-01", area: "rural",
  interview: { enumerator: "rsv.trinhduyet", started_at: "2025-10-01T09:30:00+07:00" },
};
if (village) record = { id: record.id, form_version: definition.version, review_year: 2025, commune_code: "06529", village_code: "B-06529-01" };
if (count > 0 && !village) {
  Object.assign(record, {
    review_type: "periodic", quick_screen: { items: [], stopped: false },
    members: Array.from({ length: count }, (_, i) => member(i)),
    income: { method: "points", b1_points: 120 },
    housing: { floor_area_m2: 30, durable: { foundation: true, walls: true, roof: false } },
    water_source: "piped", toilet: "septic", internet_use: true, info_devices: ["tv", "smartphone"],
  });
}
if (window.name.startsWith("record:")) record = JSON.parse(window.name.slice(7));
const comments = params.get("comments") ? [
  { field_path: "members[1].schooling", comment: "Trường báo cháu vẫn đi học; kiểm tra lại.", actor_name: "Nông Thị Kiểm", at: "2025-10-05T10:00:00+07:00" },
  { field_path: "housing.floor_area_m2", comment: "Diện tích có vẻ quá nhỏ.", actor_name: "Nông Thị Kiểm", at: "2025-10-05T10:01:00+07:00" },
  { field_path: "", comment: "Bổ sung ảnh nhà.", actor_name: "Nông Thị Kiểm", at: "2025-10-05T10:02:00+07:00" },
] : [];

window.__changes = 0;
window.__photos = {};
window.__last = null;
window.__form = mountForm(document.getElementById("form-root"), {
  definition, record, ruleSet: village ? null : ruleSet, lang: params.get("lang") || "vi", strings, comments,
  onChange(r) { window.__changes += 1; window.__last = r; },
  onPhoto(name, blob) { window.__photos[name] = blob; },
  getPhoto(name) { return window.__photos[name] || null; },
});
await window.__form.ready;
document.body.dataset.ready = "1";
