// Calls to the server's API with the phone's bearer token. A failed connection is a NetworkError; any answer,
// even an error, is returned as {status, body} so the caller decides (the outbox keeps a refused record).
export class NetworkError extends Error {}

let base = '/api/v1';
let token = null;
export function configure({api, bearer}) {
  if (api) base = api;
  if (bearer !== undefined) token = bearer;
}

// One call at a time: a phone's link is slow anyway, and the answers then come in the order the calls were made.
let chain = Promise.resolve();
export function call(method, path, options = {}) {
  const result = chain.then(() => send(method, path, options));
  chain = result.catch(() => {});
  return result;
}

async function send(method, path, {json, form, timeoutMs = 60000} = {}) {
  const headers = {Accept: 'application/json'};
  if (token) headers.Authorization = `Bearer ${token}`;
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let response;
  try {
    response = await fetch(`${base}${path}`, {method, headers, body, cache: 'no-store', signal: abort.signal});
  } catch (error) {
    throw new NetworkError(error.message || 'network');
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;  // an answer cut midway, or not JSON (a proxy's page)
    if (response.ok) throw new NetworkError('incomplete answer');
  }
  return {status: response.status, body: data};
}

// The coded error of an answer, as the server words it: {code, status, message: {vi, en}, fields}.
export function problemOf(answer) {
  const error = answer.body && answer.body.error;
  return error || {code: `http_${answer.status}`, status: answer.status, message: null, fields: []};
}
