// The enumerator's home: the sync state, new household and village forms, last year's households to re-survey,
// every form on the phone with its state (and the supervisor's comments on a returned one), rescue, storage.
import * as outbox from '../outbox.js';
import * as rescue from '../rescue.js';
import * as sync from '../sync.js';
import {getLang, pick, t} from '../i18n.js';
import {h, replace} from './dom.js';

const size = (bytes) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`);

function timeText(iso) {
  try {
    return new Date(iso).toLocaleString(getLang() === 'en' ? 'en-GB' : 'vi-VN', {dateStyle: 'short', timeStyle: 'short'});
  } catch {
    return iso;
  }
}

function headOf(record) {
  const members = (record && record.members) || [];
  const head = members.find((m) => m && m.relation === 'head') || members[0];
  return head && head.name ? head.name : (record && record.household_code) || t('entry.unnamed');
}

function entryCard(item, app) {
  const record = item.record || {};
  const title = item.kind === 'village' ? t('entry.village') : headOf(record);
  const members = (record.members || []).length;
  // The household code as typed, isolated (<bdi>): a right-to-left override in it cannot turn the time after it.
  const facts = [item.kind === 'village' ? null : t('entry.members', {count: members}),
                 record.household_code ? h('bdi', {}, record.household_code) : null, timeText(item.updated_at)]
    .filter(Boolean).flatMap((part, i) => (i ? [' · ', part] : [part]));
  const actions = [];
  if (item.state === 'returned') {
    actions.push(h('button', {class: 'btn btn-primary', type: 'button', onclick: () => app.openCorrection(item)},
                   t('entry.fix')));
  } else if (['draft', 'refused', 'waiting'].includes(item.state)) {
    actions.push(h('button', {class: 'btn', type: 'button', onclick: () => app.openEntry(item.id)}, t('entry.open')));
  }
  if (item.state === 'draft') {
    actions.push(h('button', {class: 'btn btn-quiet', type: 'button', onclick: async () => {
      if (confirm(t('entry.delete_confirm'))) { await outbox.remove(item.id); app.showHome(); }
    }}, t('entry.delete')));
  }
  const comments = item.state === 'returned' && item.comments && item.comments.length
    ? h('div', {class: 'comments'}, h('strong', {}, t('entry.comments')),
        h('ul', {}, item.comments.map((c) => h('li', {},
          h('strong', {}, `${c.field_path ? app.fieldLabel(item.kind, c.field_path) : t('entry.whole_form')}: `),
          c.comment))))
    : null;
  const error = item.state === 'refused' && item.error
    ? h('div', {class: 'msg msg-error'}, pick(item.error.message) || item.error.code,
        item.error.fields && item.error.fields.length
          ? h('ul', {}, item.error.fields.slice(0, 5).map((f) => h('li', {},
              h('strong', {}, `${app.fieldLabel(item.kind, f.path)}: `), pick(f.message))))
          : null)
    : null;
  return h('li', {class: `entry state-${item.state}`, 'data-id': item.id, 'data-state': item.state},
    h('div', {class: 'entry-head'}, h('span', {class: 'entry-title'}, title),
      h('span', {class: `badge badge-${item.state}`}, t(`state.${item.state}`))),
    item.supersedes ? h('div', {class: 'muted'}, t('entry.correction')) : null,
    h('div', {class: 'muted'}, ...facts), comments, error,
    actions.length ? h('div', {class: 'entry-actions'}, actions) : null);
}

// The sync's state, the forms waiting, and the refused ones (still to fix: a sync that ended sent all it could).
function syncLine(status, waiting, refused) {
  let text;
  if (!navigator.onLine) text = t('sync.offline');
  else if (status.phase === 'running') text = t('sync.running');
  else if (status.phase === 'retry') {
    const seconds = Math.max(1, Math.round((status.retryAt - Date.now()) / 1000));
    const reason = status.reason === 'network' ? t('error.network') : status.reason;
    text = t('sync.failed', {reason, seconds});
  } else if (status.phase === 'login') text = t('login.again');
  else if (status.lastDone) text = t('sync.done', {time: timeText(status.lastDone)});
  else text = t('sync.online');
  return [h('span', {class: 'sync-text'}, text),
          waiting ? h('span', {class: 'sync-count'}, t('sync.waiting_count', {count: waiting})) : null,
          refused ? h('span', {class: 'sync-count sync-refused'}, t('sync.refused_count', {count: refused})) : null];
}

export async function showHome(root, app, current = () => true) {
  const items = (await outbox.entries()).filter((e) => e.state !== 'corrected');
  if (items.some((e) => e.state === 'returned' || e.state === 'refused')) await app.loadLabels();
  const waiting = items.filter((e) => e.state === 'waiting' || e.state === 'sending').length;
  const refused = items.filter((e) => e.state === 'refused').length;
  const previous = await app.previousHouseholds();
  const syncBox = h('div', {class: 'sync', role: 'status', 'aria-live': 'polite'}, syncLine(sync.current(), waiting, refused));
  let shown = false;  // the first call comes at once, before the box is on the page
  const stop = sync.onStatus((status) => {
    if (shown && !syncBox.isConnected) { stop(); return; }
    shown = true;
    syncBox.replaceChildren(...syncLine(status, waiting, refused).filter(Boolean));
    if (status.phase === 'idle' && status.lastDone && app.screen === 'home') app.refreshSoon();
  });
  const fileInput = h('input', {type: 'file', accept: 'application/json,.json', id: 'rescue-file', hidden: true});
  const rescueMsg = h('p', {class: 'msg', hidden: true, role: 'status'});
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files[0];
    if (!file) return;
    try {
      const {count, added} = await rescue.load(file);
      app.notify('rescue', t('home.rescue_loaded', {count, new: added}), 'ok');
      fileInput.value = '';
      await app.showHome();
      sync.syncNow({quiet: true});
      return;
    } catch (e) {
      rescueMsg.textContent = t('home.rescue_bad');
      rescueMsg.className = 'msg msg-error';
    }
    rescueMsg.hidden = false;
  });
  const storage = h('p', {class: 'muted storage'});
  app.describeStorage().then((text) => { storage.textContent = text; });
  const user = app.user || {};
  if (!current()) return;  // another screen was opened meanwhile
  replace(root,
    app.header(),
    app.notices(),
    h('section', {class: 'card'},
      h('h1', {}, user.unit ? user.unit.name : t('home.title')),
      h('p', {class: 'muted'}, t('home.hello', {name: user.full_name || user.username || ''})),
      syncBox,
      h('div', {class: 'row'},
        h('button', {class: 'btn btn-primary btn-big', type: 'button', id: 'new-household',
                     onclick: () => app.newEntry('household')}, t('home.new_household')),
        h('button', {class: 'btn', type: 'button', id: 'sync-now', onclick: () => sync.syncNow()}, t('sync.now'))),
      h('button', {class: 'btn btn-wide', type: 'button', id: 'village-form',
                   onclick: () => app.newEntry('village')}, t('home.village_form'))),
    h('section', {class: 'card'},
      h('h2', {}, t('home.outbox', {count: items.length})),
      items.length ? h('ul', {class: 'entries', id: 'outbox'}, items.map((item) => entryCard(item, app)))
        : h('p', {class: 'muted'}, t('home.outbox_empty'))),
    h('section', {class: 'card'},
      h('h2', {}, t('home.previous', {count: previous.length})),
      previous.length
        ? h('ul', {class: 'entries', id: 'previous'}, previous.map((p) => h('li', {class: 'entry'},
            h('div', {class: 'entry-head'}, h('span', {class: 'entry-title'}, headOf(p.record)),
              h('button', {class: 'btn', type: 'button', onclick: () => app.newEntry('household', p)},
                t('home.previous_start'))),
            h('div', {class: 'muted'}, [t('entry.members', {count: (p.record.members || []).length}),
                                        p.record.household_code].filter(Boolean).join(' · ')))))
        : h('p', {class: 'muted'}, t('home.previous_none'))),
    h('section', {class: 'card'},
      h('h2', {}, t('home.rescue')),
      h('div', {class: 'row'},
        h('button', {class: 'btn', type: 'button', id: 'rescue-save', onclick: () => rescue.save(app.user)},
          t('home.rescue_save')),
        h('label', {class: 'btn', for: 'rescue-file', id: 'rescue-load'}, t('home.rescue_load')), fileInput),
      rescueMsg, storage));
}
