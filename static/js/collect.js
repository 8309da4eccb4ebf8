// The collector's entry module: language, storage, service worker, sign-in, then the home screen or a form.
import {call, configure} from './lib/api.js';
import * as db from './lib/db.js';
import * as outbox from './lib/outbox.js';
import * as sync from './lib/sync.js';
import {getLang, loadStrings, pick, setLang, t} from './lib/i18n.js';
import {h, replace} from './lib/screens/dom.js';
import {showForm} from './lib/screens/form.js';
import {showHome} from './lib/screens/home.js';
import {showLogin} from './lib/screens/login.js';

const root = document.getElementById('app');
const cfg = root.dataset;
const notices = new Map();  // key → text: storage problems, an update ready
const cache = {definitions: {}, ruleSets: {}};

const app = {
  user: null,
  screen: 'boot',
  view: 0,  // bumped at each screen change: a slower render of an older screen then draws nothing
  formOpen: false,
  header,
  notices: noticeBox,
  notify,
  showHome: (opts) => goHome(opts),
  openEntry,
  openCorrection,
  newEntry,
  closeForm,
  definition,
  ruleSet,
  previousHouseholds,
  fieldLabel,
  loadLabels,
  describeStorage,
  localNow,
  refreshSoon,
};

function localNow(date = new Date()) {
  const pad = (n) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:` +
    `${pad(date.getMinutes())}:${pad(date.getSeconds())}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

function notify(key, text, kind = 'error') {
  if (text) notices.set(key, {text, kind}); else notices.delete(key);
  const box = document.getElementById('notices');
  if (box) box.replaceWith(noticeBox());
}

function noticeBox() {
  const items = [...notices.entries()].map(([key, {text, kind}]) => h('div', {class: `msg msg-${kind}`,
    role: kind === 'error' ? 'alert' : 'status', 'data-notice': key}, text,
    key === 'update' && !app.formOpen
      ? h('button', {class: 'btn btn-small', type: 'button', id: 'apply-update', onclick: applyUpdate}, t('update.apply'))
      : null));
  return h('div', {id: 'notices'}, items);
}

function languageButton() {
  const other = getLang() === 'vi' ? 'en' : 'vi';
  return h('button', {class: 'btn btn-quiet', type: 'button', lang: other, id: 'lang', onclick: async () => {
    setLang(other);
    await db.setMeta('lang', other).catch(() => {});
    if (app.screen === 'home') goHome(); else if (app.screen === 'login') goLogin();
  }}, t('lang.switch'));
}

function header() {
  return h('header', {class: 'bar'}, h('span', {class: 'brand'}, 'RaSoat'), languageButton(),
    h('button', {class: 'btn btn-quiet', type: 'button', id: 'logout', onclick: logout}, t('logout')));
}

async function logout() {
  const waiting = (await outbox.queued()).length;
  if (waiting && !confirm(t('logout.confirm'))) return;
  await call('DELETE', '/token').catch(() => {});
  await db.setMeta('token', null);
  configure({bearer: null});
  goLogin();
}

// Storage: ask to keep it, and show how much is used.
async function describeStorage() {
  if (!navigator.storage || !navigator.storage.estimate) return '';
  const [{usage, quota}, persisted] = await Promise.all([navigator.storage.estimate(),
    navigator.storage.persisted ? navigator.storage.persisted() : false]);
  const fmt = (b) => (b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : `${(b / 1e6).toFixed(1)} MB`);
  return `${t('home.storage', {used: fmt(usage || 0), quota: fmt(quota || 0)})} — ` +
    t(persisted ? 'home.storage_persisted' : 'home.storage_not_persisted');
}

db.onProblem((kind, error) => {
  const key = {quota: 'storage.quota', closed: 'storage.closed', unavailable: 'storage.unavailable'}[kind];
  notify('storage', key ? t(key) : t('storage.failed', {reason: (error && (error.name || error.message)) || kind}));
});

// The public JSON the forms need (the service worker keeps it for offline use).
async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) return null;
  return response.json();
}

async function definition(kind) {
  if (!(kind in cache.definitions)) cache.definitions[kind] = await fetchJson(`${cfg.api}/forms/${kind}`).catch(() => null);
  return cache.definitions[kind];
}

async function ruleSet(year, kind) {
  if (kind === 'village') return null;
  const list = await fetchJson(`${cfg.api}/rule-sets`).catch(() => null);
  const sets = (list && list.rule_sets) || [];
  const chosen = sets.find((s) => (s.review_years || []).includes(year)) || sets[0];
  if (!chosen) return null;
  if (!(chosen.name in cache.ruleSets)) {
    cache.ruleSets[chosen.name] = await fetchJson(`${cfg.api}/rule-sets/${encodeURIComponent(chosen.name)}`).catch(() => null);
  }
  return cache.ruleSets[chosen.name];
}

// A comment's field as people read it ("members[1].birth_date" → "Thành viên 2 · Ngày sinh"), from the definition.
const labels = {};
async function loadLabels() {
  for (const kind of ['household', 'village']) {
    const def = await definition(kind);
    if (!def || labels[kind]) continue;
    const map = new Map();
    const walk = (questions, prefix, repeat) => {
      for (const q of questions || []) {
        const path = q.path ? (prefix ? `${prefix}.${q.path}` : q.path) : null;
        if (q.type === 'repeat') walk(q.questions, path, q);
        else if (path) map.set(path, {label: q.label, repeat});
      }
    };
    for (const section of def.sections || []) walk(section.questions, '', null);
    labels[kind] = map;
  }
}

function fieldLabel(kind, path) {
  const map = labels[kind];
  const found = map && map.get(path.replace(/\[\d+\]/g, ''));
  if (!found) return path;
  const index = path.match(/\[(\d+)\]/);
  const item = found.repeat && index
    ? pick(found.repeat.item_label || found.repeat.label).replace('{line}', Number(index[1]) + 1) : null;
  return item ? `${item} · ${pick(found.label)}` : pick(found.label);
}

// The enumerator's village, its commune and area (from GET /api/v1/places, kept for offline starts).
async function area() {
  let places = await db.getMeta('places');
  if (!places && navigator.onLine) {
    const answer = await call('GET', '/places').catch(() => null);
    if (answer && answer.status === 200) {
      places = answer.body.units;
      await db.setMeta('places', places);
    }
  }
  const units = places || [];
  const unitCode = app.user && app.user.unit && app.user.unit.code;
  const village = units.find((u) => u.code === unitCode && u.level === 'village')
    || units.find((u) => u.level === 'village');
  // An enumerator's area is the village: its commune is its parent (not itself in the enumerator's area).
  const commune = village ? units.find((u) => u.code === village.parent_code) : units.find((u) => u.level === 'commune');
  return {village_code: village ? village.code : null,
          commune_code: village ? village.parent_code : (commune ? commune.code : null),
          area: (commune && commune.area) || (village && village.area) || null};
}

// Last year's households of the village, fetched when online and kept on the phone.
async function refreshPrevious() {
  const {village_code: village} = await area();
  if (!village) return;
  const answer = await call('GET', `/households/previous?village=${encodeURIComponent(village)}`).catch(() => null);
  if (!answer || answer.status !== 200 || !answer.body) return;
  // Each household: its phone id, and `start`, the answers a re-survey starts from (members, housing…).
  const list = (answer.body.households || []).filter((h) => h && h.first_id && h.start);
  const writes = list.map((h) => ['previous', {id: h.first_id, record: h.start, review_year: answer.body.review_year}]);
  if (answer.body.current_review_year) await db.setMeta('review_year', answer.body.current_review_year);
  for (const old of await db.all('previous')) await db.del('previous', old.id);
  if (writes.length) await db.putMany(writes);
}

async function previousHouseholds() {
  const taken = new Set((await outbox.entries()).map((e) => e.from_previous).filter(Boolean));
  return (await db.all('previous')).filter((p) => !taken.has(p.id));
}

async function newEntry(kind, previous = null) {
  ++app.view;
  app.screen = 'opening';
  const def = await definition(kind);
  const where = await area();
  // The review year the server works on (its REVIEW_YEAR setting, else this calendar year).
  const year = (await db.getMeta('review_year')) || new Date().getFullYear();
  const record = {
    id: crypto.randomUUID(),
    form_version: def ? def.version : null,
    review_year: year,
    review_type: 'periodic',
    ...((def && def.record) || {}),
    commune_code: where.commune_code,
    village_code: where.village_code,
    interview: {enumerator: app.user ? app.user.username : null, started_at: localNow()},
  };
  if (kind === 'village') record.kind = 'village';
  else if (where.area) record.area = where.area;
  if (previous) {
    // Last year's answers as the starting point (the server chose the keys: the people and the dwelling).
    for (const [key, value] of Object.entries(previous.record)) record[key] = structuredClone(value);
  }
  const item = await outbox.create({kind, record});
  if (previous) await outbox.setState(item.id, 'draft', {from_previous: previous.id});
  return openEntry(item.id);
}

// A returned form: a correction with a new id that supersedes the returned version, the comments at their fields.
async function openCorrection(returned) {
  ++app.view;
  app.screen = 'opening';
  const existing = (await outbox.entries()).find((e) => e.supersedes === returned.id && e.state !== 'sent');
  if (existing) return openEntry(existing.id);
  const record = {...structuredClone(returned.record), id: crypto.randomUUID(), supersedes: returned.id};
  const item = await outbox.create({kind: returned.kind, record, comments: returned.comments || [],
                                    supersedes: returned.id});
  return openEntry(item.id);
}

async function openEntry(id) {
  ++app.view;
  app.screen = 'opening';
  const item = await outbox.entry(id);
  if (!item) return goHome();
  if (item.state === 'waiting') await outbox.setState(id, 'draft');
  app.screen = 'form';
  app.formOpen = true;
  const view = ++app.view;
  history.replaceState({}, '', `${cfg.scope}#form/${id}`);
  app.form = await showForm(root, app, {...item, state: 'draft'}, () => view === app.view);
}

function closeForm({sync: now = false} = {}) {
  if (app.form && app.form.destroy) app.form.destroy();
  app.form = null;
  app.formOpen = false;
  goHome();
  if (now) sync.syncNow({quiet: true}).then(() => { if (app.screen === 'home') goHome(); });
}

let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => { if (app.screen === 'home') goHome(); }, 300);
}

async function goHome() {
  if (reloadAtHome) {
    location.reload();   // a new version took over while a form was open: it starts now
    return;
  }
  app.screen = 'home';
  const view = ++app.view;
  history.replaceState({}, '', cfg.scope);
  await showHome(root, app, () => view === app.view);
}

function goLogin(reason = null) {
  app.screen = 'login';
  ++app.view;
  showLogin(root, {reason, languageButton, onToken: async (answer) => {
    await db.setMeta('token', answer.token);
    await db.setMeta('token_expires_at', answer.expires_at);
    await db.setMeta('user', answer.user);
    await db.setMeta('places', null);
    configure({bearer: answer.token});
    app.user = answer.user;
    await goHome();
    afterSignIn();
  }});
}

function afterSignIn() {
  area().then(() => refreshPrevious()).then(() => { if (app.screen === 'home') goHome(); }).catch(() => {});
  sync.start();
}

// Service worker: a new version waits; it is applied at the next start (never while a form is open).
let registration = null;
const TAKE_OVER_WAIT = 5000;              // ms a start waits for the waiting version to take over
const RESTARTED = 'rasoat-update-restart';  // sessionStorage: "count:since" of the starts reloaded to retry a take-over

async function startWorker() {
  if (!('serviceWorker' in navigator)) return false;
  registration = await navigator.serviceWorker.register(cfg.worker, {scope: cfg.scope});
  if (registration.waiting && navigator.serviceWorker.controller && !app.formOpen) {
    // This is a start: no form is open, so the waiting version takes over now, before the app loads anything more.
    if (await takeOver()) return true;
  }
  const watch = (worker) => {
    if (!worker) return;
    const check = () => {
      if (worker.state === 'installed' && navigator.serviceWorker.controller) notify('update', t('update.ready'), 'ok');
    };
    worker.addEventListener('statechange', check);
    check();
  };
  watch(registration.installing);
  registration.addEventListener('updatefound', () => watch(registration.installing));
  // A collector left open all day still hears of a new version (it is applied at the next start).
  setInterval(() => { if (navigator.onLine) registration.update().catch(() => {}); }, 60 * 60 * 1000);
  return false;
}

// Once asked, the new version's take-over reloads the app, except while a form is open: then at the next home screen.
let reloadAtHome = false;
let listening = false;
function reloadOnTakeOver() {
  if (listening) return;
  listening = true;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (app.formOpen) reloadAtHome = true;
    else location.reload();
  });
}

// Asks the waiting version to take over (no form is open); true when the app is about to reload.
// Chromium acts on a waiting worker's first skipWaiting() only: it stops the old worker as soon as it is idle, and if
// a request of the page that is still loading restarts that worker, the swap then waits for its idle timeout (30 s or
// more), and asking again changes nothing. So the start asks once the page has loaded, and if the new version has
// not taken over within a few seconds it starts again (a navigation makes Chromium retry the swap), at most twice.
async function takeOver() {
  reloadOnTakeOver();
  if (document.readyState !== 'complete') {
    await new Promise((done) => window.addEventListener('load', done, {once: true}));
  }
  const changed = new Promise((done) => {
    navigator.serviceWorker.addEventListener('controllerchange', () => done(true), {once: true});
  });
  let asked = null;
  const ask = () => {
    // A newer version may finish installing meanwhile and become the one waiting: it is asked too.
    const waiting = registration.waiting;
    if (waiting && waiting !== asked && !app.formOpen) {
      asked = waiting;
      waiting.postMessage({type: 'apply-update'});
    }
  };
  ask();
  const timer = setInterval(ask, 250);
  const taken = await Promise.race([changed, new Promise((done) => setTimeout(() => done(false), TAKE_OVER_WAIT))]);
  clearInterval(timer);
  if (taken || !registration.waiting) return taken;
  // At most two retries in two minutes (no session storage: none); else the app starts as it is and swaps later.
  try {
    const [count, since] = (sessionStorage.getItem(RESTARTED) || '0:0').split(':').map(Number);
    const fresh = !(Date.now() - since <= 2 * 60 * 1000);
    if (app.formOpen || (!fresh && count >= 2)) return false;
    sessionStorage.setItem(RESTARTED, fresh ? `1:${Date.now()}` : `${count + 1}:${since}`);
  } catch {
    return false;
  }
  location.reload();
  return true;
}

function applyUpdate() {
  // The button on the home screen: the enumerator restarts the app now.
  if (app.formOpen || !registration || !registration.waiting) return;
  takeOver().catch(() => {});
}

// A 401 while sending: log in again (outside a form); the outbox is kept as it is.
sync.onStatus((status) => {
  if (status.phase === 'login' && app.screen === 'home') goLogin('login.again');
});

async function boot() {
  setLang('vi');
  await loadStrings(cfg.strings);
  let lang = null;
  try {
    lang = await db.getMeta('lang');
  } catch {
    replace(root, h('p', {class: 'msg msg-error'}, t('storage.unavailable')));
    return;
  }
  setLang(lang || 'vi');
  configure({api: cfg.api});
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  const worker = startWorker().catch((e) => {
    notify('worker', t('worker.failed', {reason: e.message}));
    return false;
  });
  // A start with a new version waiting: it takes over before the app opens anything (the page then reloads).
  if (await Promise.race([worker, new Promise((done) => setTimeout(() => done(false), 2 * TAKE_OVER_WAIT))])) return;
  const token = await db.getMeta('token');
  const expires = await db.getMeta('token_expires_at');
  app.user = await db.getMeta('user');
  if (!token || (expires && new Date(expires) < new Date())) {
    goLogin(token ? 'login.again' : null);
    return;
  }
  configure({bearer: token});
  const match = location.hash.match(/^#form\/([\w-]+)$/);
  if (match && await outbox.entry(match[1])) await openEntry(match[1]);
  else await goHome();
  afterSignIn();
}

boot().catch((error) => {
  replace(root, h('p', {class: 'msg msg-error', role: 'alert'}, `${t('storage.failed', {reason: error.message})}`));
});
