// One form open: H6's renderer (static/js/lib/form/render.js) mounted over the record; every answer is saved
// to IndexedDB at once (onChange); the summary page's send checks the answers and puts the form in the queue.
import * as outbox from '../outbox.js';
import {getLang, pick, strings, t} from '../i18n.js';
import {h, replace} from './dom.js';

let renderer = null;

async function loadRenderer() {
  if (!renderer) renderer = await import('../form/render.js');
  return renderer;
}

// A refused form's problems, at their fields as the supervisor's comments are (the whole form's message when the
// server named no field). Its first edit makes it a draft again; they stay until it is finished and queued again.
function refusals(item) {
  const error = item.state === 'refused' || item.state === 'draft' ? item.error : null;
  if (!error) return [];
  const fields = (error.fields || []).filter((f) => f && typeof f.path === 'string');
  if (!fields.length) return [{field_path: null, comment: pick(error.message) || error.code || '', from: 'server'}];
  return fields.map((f) => ({field_path: f.path, comment: pick(f.message) || f.code || '', from: 'server'}));
}

export async function showForm(root, app, item, current = () => true) {
  const definition = await app.definition(item.kind);
  if (!current()) return null;
  const status = h('p', {class: 'saved muted', role: 'status', 'aria-live': 'polite'});
  const problems = h('div', {class: 'msg msg-error', role: 'alert', hidden: true});
  const body = h('div', {class: 'form-root', id: 'form-root'});
  replace(root,
    h('header', {class: 'bar'},
      h('button', {class: 'btn btn-quiet', type: 'button', id: 'back-home', onclick: () => app.closeForm()},
        t('form.back_home')),
      status),
    problems, body);
  if (!definition) {
    body.append(h('p', {class: 'msg msg-warn'}, t('form.no_definition')));
    return null;
  }
  let mountForm;
  try {
    ({mountForm} = await loadRenderer());
  } catch (e) {
    body.append(h('p', {class: 'msg msg-error'}, t('form.no_renderer')));
    return null;
  }
  const ruleSet = await app.ruleSet(item.record.review_year, item.kind);
  const section = await outbox.lastSection(item.id).catch(() => 0);
  let pending = Promise.resolve();
  const save = (record) => {
    // Writes run one after the other, so the last answer typed is the one stored.
    pending = pending.then(() => outbox.saveRecord(item.id, record))
      .then(() => { status.textContent = t('form.saved'); })
      .catch((e) => { status.textContent = t('storage.failed', {reason: e.name || e.message}); });
    return pending;
  };
  const form = mountForm(body, {
    definition, record: structuredClone(item.record), ruleSet, lang: getLang(), strings: strings(),
    comments: [...(item.comments || []), ...refusals(item)],
    section,
    onSection: (index) => { outbox.rememberSection(item.id, index).catch(() => {}); },
    onChange: (record) => save(record),
    onPhoto: (name, blob) => outbox.savePhoto({record_id: item.id, name, content_type: blob.type || 'image/jpeg',
                                               blob}),
    getPhoto: async (name) => {
      const found = (await outbox.photosOf(item.id)).find((p) => p.name === name);
      return found ? found.blob : null;
    },
    // The renderer's summary page sends: a form with problems stays open, a complete one joins the queue.
    onSubmit: async (record, found) => {
      if (found.length) {
        problems.textContent = t('form.invalid', {count: found.length});
        problems.hidden = false;
        problems.scrollIntoView({block: 'nearest'});
        return;
      }
      problems.hidden = true;
      record.interview = {...(record.interview || {}), ended_at: app.localNow()};
      await save(record);
      await outbox.enqueue(item.id);
      app.closeForm({sync: true});
    },
  });
  return form;
}

