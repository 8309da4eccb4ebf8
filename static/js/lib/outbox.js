// The outbox: every form on the phone with its state.
//   draft → waiting → sending → sent; sent → returned (pulled with the supervisor's comments) → corrected;
//   waiting/sending → refused (the server's 422 or 409, kept and editable) → waiting again when fixed.
// Keyed by the record's id: a household is stored once, whoever loads or sends it again.
import * as db from './db.js';

export const STATES = ['draft', 'waiting', 'sending', 'sent', 'returned', 'refused', 'corrected'];
const now = () => new Date().toISOString();

export async function entries() {
  const list = await db.all('records');
  return list.sort((a, b) => (b.updated_at || '').localeCompare(a.updated_at || ''));
}

export const entry = (id) => db.get('records', id);

// A new draft (or a correction of a returned version when `supersedes` is given).
export async function create({kind = 'household', record, comments = [], supersedes = null}) {
  const item = {id: record.id, kind, state: 'draft', record, comments, supersedes, seq: 0, error: null,
                created_at: now(), updated_at: now()};
  await db.put('records', item);
  return item;
}

// Save the record as it stands (called after every answer).
export async function saveRecord(id, record) {
  const item = await entry(id);
  if (!item) throw new Error(`no form ${id}`);
  item.record = record;
  item.updated_at = now();
  if (item.state === 'refused') item.state = 'draft';
  await db.put('records', item);
  return item;
}

// Put a finished form in the queue, after those queued before it.
export async function enqueue(id) {
  const item = await entry(id);
  const seq = ((await db.getMeta('seq')) || 0) + 1;
  await db.setMeta('seq', seq);
  Object.assign(item, {state: 'waiting', seq, error: null, updated_at: now()});
  await db.put('records', item);
  return item;
}

// Forms to send, in the order they were queued (a form left "sending" by a cut sync is sent again).
export async function queued() {
  const list = (await db.all('records')).filter((e) => e.state === 'waiting' || e.state === 'sending');
  return list.sort((a, b) => a.seq - b.seq);
}

export async function setState(id, state, extra = {}) {
  const item = await entry(id);
  if (!item) return null;
  Object.assign(item, {state, updated_at: now()}, extra);
  await db.put('records', item);
  return item;
}

export async function remove(id) {
  for (const photo of await db.allBy('photos', 'record_id', id)) await db.del('photos', photo.key);
  await db.del('records', id);
  await db.del('meta', `section:${id}`);
}

// The page a form was left at, to open it there again (kept apart from the form: no write races its answers).
export const lastSection = async (id) => (await db.getMeta(`section:${id}`)) ?? 0;
export const rememberSection = (id, index) => db.setMeta(`section:${id}`, index);

export const photosOf = (id) => db.allBy('photos', 'record_id', id);
export const savePhoto = (photo) => db.put('photos', {...photo, key: `${photo.record_id}/${photo.name}`});

// What a later state replaces: a form the server confirmed is never put back to an earlier state by a file.
const RANK = {draft: 0, refused: 1, waiting: 2, sending: 2, sent: 3, returned: 4, corrected: 5};

// Store forms from a rescue file; each id once. Returns {count, added}.
export async function importEntries(items, photos) {
  let added = 0;
  const writes = [];
  for (const incoming of items) {
    const known = await entry(incoming.id);
    if (!known) {
      added += 1;
      const state = incoming.state === 'sending' ? 'waiting' : incoming.state;
      writes.push(['records', {...incoming, state}]);
    } else if ((RANK[incoming.state] ?? 0) > (RANK[known.state] ?? 0)
               || (incoming.state === known.state && (incoming.updated_at || '') > (known.updated_at || ''))) {
      writes.push(['records', {...incoming, seq: known.seq || incoming.seq}]);
    }
  }
  for (const photo of photos) writes.push(['photos', {...photo, key: `${photo.record_id}/${photo.name}`}]);
  if (writes.length) await db.putMany(writes);
  return {count: items.length, added};
}
