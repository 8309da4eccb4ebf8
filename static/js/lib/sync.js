// Sending the outbox and pulling returned forms. In queue order; a form leaves the queue only after a 2xx; a
// connection error puts it back and the next try waits longer (exponential backoff); a 401 stops and asks the
// enumerator to log in again, keeping everything.
import {call, NetworkError, problemOf} from './api.js';
import * as db from './db.js';
import * as outbox from './outbox.js';

const BATCH = 50;            // records per batch call
const FIRST_DELAY = 2000;    // ms before the first retry
const MAX_DELAY = 5 * 60 * 1000;
const PERIOD = 60 * 1000;    // a periodic try while forms wait

const listeners = new Set();
let status = {phase: 'idle', failures: 0, retryAt: null, reason: null, lastDone: null};
let running = null;
let timer = null;
let batchAvailable = true;

export function onStatus(listener) { listeners.add(listener); listener(status); return () => listeners.delete(listener); }
function announce(change) {
  status = {...status, ...change};
  for (const listener of listeners) listener(status);
}
export const current = () => status;

// Start watching: sync when the signal returns, every minute while forms wait, and now.
let started = false;
export function start() {
  if (started) return syncNow({quiet: true});
  started = true;
  window.addEventListener('online', () => syncNow());
  setInterval(() => { if (status.phase !== 'running' && navigator.onLine) syncNow({quiet: true}); }, PERIOD);
  return syncNow({quiet: true});
}

// Send everything queued, then pull. A call during a run asks for one more run right after it (a form queued
// or "Gửi ngay" pressed while a run was pulling must not wait for the next periodic try).
let again = false;
export function syncNow({quiet = false} = {}) {
  if (running) {
    again = true;
    return running.then(() => running || status);
  }
  clearTimeout(timer);
  running = run(quiet).finally(() => {
    running = null;
    if (again && status.phase === 'idle') {
      again = false;
      syncNow({quiet: true});
    }
    again = false;
  });
  return running;
}

async function run(quiet) {
  const token = await db.getMeta('token');
  if (!token) return status;
  announce({phase: 'running', reason: null});
  try {
    await push();
    await pull();
    announce({phase: 'idle', failures: 0, retryAt: null, lastDone: new Date().toISOString()});
  } catch (error) {
    if (error instanceof AuthError) {
      announce({phase: 'login', reason: 'unauthenticated'});
      return status;
    }
    const failures = status.failures + 1;
    const delay = Math.min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - 1)) * (0.8 + Math.random() * 0.4);
    announce({phase: 'retry', failures, retryAt: Date.now() + delay,
              reason: error instanceof NetworkError ? 'network' : String(error.message || error)});
    timer = setTimeout(() => syncNow({quiet: true}), delay);
  }
  return status;
}

class AuthError extends Error {}

function check401(answer) {
  if (answer.status === 401) throw new AuthError('unauthenticated');
}

async function push() {
  let queue = await outbox.queued();
  while (queue.length) {
    const head = queue[0];
    const photos = await outbox.photosOf(head.id);
    if (photos.length || !batchAvailable) {
      await sendOne(head, photos);
      queue = queue.slice(1);
      continue;
    }
    // The next run of records without photos goes in one batch call.
    const chunk = [];
    for (const item of queue) {
      if (chunk.length === BATCH) break;
      if ((await outbox.photosOf(item.id)).length) break;
      chunk.push(item);
    }
    const sent = await sendBatch(chunk);
    if (!sent) continue;  // the server has no batch call: send one by one
    queue = queue.slice(chunk.length);
  }
}

async function sendBatch(items) {
  for (const item of items) await outbox.setState(item.id, 'sending');
  let answer;
  try {
    answer = await call('POST', '/submissions/batch', {json: {records: items.map((i) => i.record)}});
  } catch (error) {
    for (const item of items) await outbox.setState(item.id, 'waiting');
    throw error;
  }
  if (answer.status === 401) {
    for (const item of items) await outbox.setState(item.id, 'waiting');
    throw new AuthError('unauthenticated');
  }
  if (answer.status === 404 || answer.status === 405) {
    batchAvailable = false;
    for (const item of items) await outbox.setState(item.id, 'waiting');
    return false;
  }
  if (answer.status >= 500 || !answer.body || !Array.isArray(answer.body.results)) {
    for (const item of items) await outbox.setState(item.id, 'waiting');
    throw new Error(`server ${answer.status}`);
  }
  const byId = new Map(answer.body.results.map((r) => [r.id, r]));
  for (const item of items) {
    const result = byId.get(item.id);
    if (!result) {
      await outbox.setState(item.id, 'waiting');
    } else {
      await settle(item, {status: result.status, body: result.body});
    }
  }
  return true;
}

async function sendOne(item, photos) {
  await outbox.setState(item.id, 'sending');
  let answer;
  try {
    if (photos.length) {
      const form = new FormData();
      form.append('record', JSON.stringify(item.record));
      for (const photo of photos) form.append(photo.name, photo.blob, photo.name);
      answer = await call('POST', '/submissions', {form});
    } else {
      answer = await call('POST', '/submissions', {json: item.record});
    }
  } catch (error) {
    await outbox.setState(item.id, 'waiting');
    throw error;
  }
  if (answer.status === 401) {
    await outbox.setState(item.id, 'waiting');
    throw new AuthError('unauthenticated');
  }
  if (answer.status >= 500) {
    await outbox.setState(item.id, 'waiting');
    throw new Error(`server ${answer.status}`);
  }
  await settle(item, answer);
}

// A 2xx: sent (a correction marks the version it corrects). A 4xx: refused, with the server's message.
async function settle(item, answer) {
  if (answer.status >= 200 && answer.status < 300) {
    const submission = answer.body && (answer.body.submission || (answer.body.body && answer.body.body.submission));
    await outbox.setState(item.id, 'sent', {error: null, server: submission || null, sent_at: new Date().toISOString()});
    if (item.supersedes) await outbox.setState(item.supersedes, 'corrected');
    return;
  }
  if (answer.status === 401) throw new AuthError('unauthenticated');
  await outbox.setState(item.id, 'refused', {error: problemOf(answer)});
}

// Returned forms: pull what changed since the cursor; a form the supervisor returned is shown with its comments.
async function pull() {
  let since = (await db.getMeta('cursor')) || '';
  for (let page = 0; page < 50; page += 1) {
    const answer = await call('GET', `/submissions?since=${encodeURIComponent(since)}&limit=200`);
    check401(answer);
    if (answer.status === 409 && problemOf(answer).code === 'cursor_reset') {
      since = '';
      continue;
    }
    if (answer.status !== 200) throw new Error(`pull ${answer.status}`);
    for (const item of answer.body.items) await receive(item);
    since = answer.body.cursor;
    await db.setMeta('cursor', since);
    if (!answer.body.more) return;
  }
}

async function receive(item) {
  if (!item.with_enumerator || item.set_aside) return;
  const known = await outbox.entry(item.id);
  if (known && (known.state === 'returned' || known.state === 'corrected')) {
    if (known.state === 'returned') await outbox.setState(item.id, 'returned', {comments: commentsOf(item)});
    return;
  }
  let record = known && known.record;
  if (!record) record = await fetchRecord(item.id);
  if (!record) return;
  const entry = {id: item.id, kind: item.kind === 'village' ? 'village' : 'household', state: 'returned', record,
                 comments: commentsOf(item), server: item, seq: 0, error: null,
                 created_at: new Date().toISOString(), updated_at: new Date().toISOString()};
  await db.put('records', entry);
}

// The comments of the version that was returned, in the renderer's shape.
function commentsOf(item) {
  return (item.comments || []).filter((c) => !c.version_id || c.version_id === item.id)
    .map((c) => ({field_path: c.field || null, comment: c.text, actor_name: c.by, at: c.at}));
}

// A returned form this phone does not hold (sent from another phone, or a file): ask the server for it.
async function fetchRecord(id) {
  const one = await call('GET', `/submissions/${encodeURIComponent(id)}`);
  check401(one);
  if (one.status === 200 && one.body && one.body.record) return one.body.record;
  return null;
}
