// Rescue for a failing or full phone: the whole outbox in one JSON file (photos inside as base64), and loading
// such a file back (on this phone or another). Each household is stored once, by its record id.
import * as outbox from './outbox.js';

export const FORMAT = 'rasoat-outbox';

function toBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(',', 2)[1] || '');
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

async function sha256(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function fromBase64(text, type) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new Blob([bytes], {type});
}

export function fileName(username, day = new Date()) {
  const date = day.toISOString().slice(0, 10);
  const safe = String(username || 'rsv').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\w.-]+/g, '-');
  return `rasoat-${safe}-${date}.json`;
}

// The file's content: every form on the phone with its photos.
export async function dump(enumerator) {
  const items = await outbox.entries();
  const photos = [];
  for (const item of items) {
    for (const photo of await outbox.photosOf(item.id)) {
      photos.push({record_id: photo.record_id, name: photo.name, content_type: photo.content_type,
                   sha256: photo.sha256 || await sha256(photo.blob), data_base64: await toBase64(photo.blob)});
    }
  }
  return {format: FORMAT, version: 1, exported_at: new Date().toISOString(), enumerator, entries: items, photos};
}

// Offer the file for download.
export async function save(enumerator) {
  const content = await dump(enumerator);
  const blob = new Blob([JSON.stringify(content)], {type: 'application/json'});
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = fileName(enumerator && enumerator.username);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  return link.download;
}

// Store the forms of a file (a File or its parsed content); returns {count, added}.
export async function load(file) {
  const content = typeof file.text === 'function' ? JSON.parse(await file.text()) : file;
  if (!content || content.format !== FORMAT || !Array.isArray(content.entries)) throw new Error('bad file');
  const photos = (content.photos || []).map((p) => ({record_id: p.record_id, name: p.name,
    content_type: p.content_type, sha256: p.sha256, blob: fromBase64(p.data_base64, p.content_type)}));
  return outbox.importEntries(content.entries, photos);
}
