/* The collector's service worker, written by the server (server/collect/views.py).
   The cache name is made of the hashes of every file below: any change gives a new worker and a new cache.
   It never intercepts a request other than GET, and it never opens IndexedDB: drafts and the outbox live there
   and no update touches them. A new worker waits; the app asks it to take over only when no form is open. */
const CACHE = {{ cache|tojson }};
const SCOPE = {{ scope|tojson }};
const SHELL = {{ shell|tojson }};
const ENTRIES = {{ entries|safe }};
const API_CACHED = new Set({{ api_cached|safe }});
const PRECACHED = new Set(ENTRIES.map(([url]) => url));

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // Fetch each file at its versioned address, keep it under its plain address (modules import plain paths).
    await Promise.all(ENTRIES.map(async ([url, version]) => {
      const response = await fetch(`${url}${url.includes('?') ? '&' : '?'}v=${version}`, {cache: 'no-cache'});
      if (!response.ok) throw new Error(`precache ${url}: ${response.status}`);
      await cache.put(url, response);
    }));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('rasoat-collect-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'apply-update') self.skipWaiting();
  if (event.data && event.data.type === 'version' && event.ports[0]) event.ports[0].postMessage(CACHE);
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;  // posts, puts and deletes always go to the network untouched
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    if (url.pathname.startsWith(SCOPE)) event.respondWith(fromCache(SHELL, request));
    return;
  }
  if (PRECACHED.has(url.pathname) && (!API_CACHED.has(url.pathname) || !request.headers.has('Authorization'))) {
    event.respondWith(fromCache(url.pathname, request));
  }
  // Anything else (the personal API) goes to the network: it is never kept by the worker.
});

async function fromCache(key, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  return hit || fetch(request);
}
