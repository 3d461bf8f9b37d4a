// The field report's service worker (scope /m/): the page and its scripts
// are kept so that the page opens without a connection. Network first —
// the newest page and scripts whenever there is a connection — and the
// kept copy only when there is none. The API is never touched here:
// reports made offline wait in IndexedDB (see m-report.js).
var CACHE = 'yiwang-field-v1';
var SHELL = ['/m/report', '/assets/reports.js', '/assets/m-report.js', '/assets/m-report.css'];

self.addEventListener('install', function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener('activate', function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (e) {
  var req = e.request;
  if (req.method !== 'GET') return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin || SHELL.indexOf(url.pathname) < 0) return;
  e.respondWith(fetch(req).then(function (res) {
    // a login page after a redirect is not the page to keep
    if (res.ok && !res.redirected) {
      var copy = res.clone();
      caches.open(CACHE).then(function (c) { return c.put(url.pathname, copy); });
    }
    return res;
  }).catch(function () {
    return caches.match(url.pathname).then(function (r) { return r || Response.error(); });
  }));
});
