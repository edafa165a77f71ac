// Data files are scripts (browsers refuse fetch() from file://): each one calls
// tc0x.load(key, stamp, data). load(key) injects data/<key>.js once and resolves with its data;
// a missing file or one left from another run (another stamp) rejects with a message to show.
const pending = new Map();  // key -> {resolve, reject}
const cache = new Map();    // key -> Promise
let stamp = null;           // meta.js's stamp; every later file must carry it

export class DataError extends Error {}

window.tc0x = {
  load(key, fileStamp, data) {
    const p = pending.get(key);
    if (!p) return;  // a file nobody asked for
    pending.delete(key);
    if (key === 'meta') stamp = fileStamp;
    if (stamp !== null && fileStamp !== stamp) {
      p.reject(new DataError(`data/${key}.js is stale: it was written by another run of tc0flow view ` +
        `(stamp ${fileStamp}, expected ${stamp}). Re-run tc0flow view to rewrite the whole folder.`));
      return;
    }
    p.resolve(data);
  },
};

export function load(key) {
  if (cache.has(key)) return cache.get(key);
  const promise = new Promise((resolve, reject) => {
    pending.set(key, { resolve, reject });
    const s = document.createElement('script');
    s.src = `data/${key}.js`;
    s.onerror = () => {
      pending.delete(key);
      reject(new DataError(`data/${key}.js is missing or unreadable. Was the folder copied whole? ` +
        'Re-run tc0flow view to write it again.'));
    };
    s.onload = () => {
      s.remove();
      if (pending.has(key)) {
        pending.delete(key);
        reject(new DataError(`data/${key}.js did not register its data (damaged file?). Re-run tc0flow view.`));
      }
    };
    document.head.appendChild(s);
  });
  cache.set(key, promise);
  promise.catch(() => cache.delete(key));
  return promise;
}
