// The phone's storage (IndexedDB through idb): drafts and the outbox, photos, last year's households, settings.
// Every failure is reported to the app (a full phone, a storage the browser closed), never swallowed.
import {openDB} from '../../vendor/idb-8.0.4.js';

const NAME = 'rasoat-collect';
const VERSION = 1;
let opening = null;
let report = () => {};

export function onProblem(handler) { report = handler; }

export function open() {
  if (!opening) {
    opening = openDB(NAME, VERSION, {
      upgrade(db) {
        const records = db.createObjectStore('records', {keyPath: 'id'});
        records.createIndex('state', 'state');
        const photos = db.createObjectStore('photos', {keyPath: 'key'});
        photos.createIndex('record_id', 'record_id');
        db.createObjectStore('previous', {keyPath: 'id'});
        db.createObjectStore('meta');
      },
      blocking() { close(); },
      terminated() { opening = null; report('closed', new Error('IndexedDB closed')); },
    }).catch((error) => { opening = null; report('unavailable', error); throw error; });
  }
  return opening;
}

export async function close() {
  if (opening) {
    const db = await opening.catch(() => null);
    opening = null;
    if (db) db.close();
  }
}

// Run a write; a QuotaExceededError (or any other failure) is shown to the enumerator and thrown again.
async function write(action) {
  try {
    return await action(await open());
  } catch (error) {
    report(error && error.name === 'QuotaExceededError' ? 'quota' : 'failed', error);
    throw error;
  }
}

export const get = async (store, key) => (await open()).get(store, key);
export const all = async (store) => (await open()).getAll(store);
export const allBy = async (store, index, value) => (await open()).getAllFromIndex(store, index, value);
export const put = (store, value, key) => write((db) => db.put(store, value, key));
export const del = (store, key) => write((db) => db.delete(store, key));

// Several writes in one transaction: all are stored or none.
export function putMany(items) {
  return write(async (db) => {
    const stores = [...new Set(items.map(([store]) => store))];
    const tx = db.transaction(stores, 'readwrite');
    for (const [store, value] of items) tx.objectStore(store).put(value);
    await tx.done;
  });
}

export const getMeta = (key) => get('meta', key);
export const setMeta = (key, value) => put('meta', value, key);
