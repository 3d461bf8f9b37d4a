// The grid worker's field report (现场上报), made for a phone.
//
// Every report is first written to the phone's IndexedDB (photos as Blobs)
// with an Idempotency-Key made once, when the report is made; it is then
// sent as multipart to POST /api/v1/reports and removed from the phone only
// after a 2xx answer. Without a connection it waits: it is sent when the
// browser says it is online again, when the page is opened, and on a retry
// timer — one sender at a time, each report once per round. Should an
// answer be lost and the report be sent again, the key makes the server
// keep one.
(function () {
  var root = document.getElementById('m-report');
  if (!root || !window.Yw) return;
  var Y = window.Yw;
  var $ = Y.$;
  var en = root.dataset.lang === 'en';
  var csrf = root.dataset.csrf;
  var user = root.dataset.user;
  var canList = root.dataset.list === '1';
  var T = en ? {
    waiting: function (n) { return n === 1 ? '1 report waiting to send' : n + ' reports waiting to send'; },
    sent: function (grid) { return 'Sent. Located in grid ' + grid + '; the command centre has it now.'; },
    kept: 'No connection: the report is kept on this phone and will be sent automatically.',
    later: 'Not sent yet; it is kept on this phone and will be retried.',
    login: 'Log in again to send the waiting reports.',
    failed: 'Refused by the server: ',
    discard: 'Discard',
    confirmDiscard: 'Discard this report? It has not been sent.',
    needText: 'Describe what you found.',
    needPlace: 'Set the location: press “Use my location” or enter the coordinates.',
    badPlace: 'Longitude and latitude must be numbers.',
    noGeo: 'This phone cannot tell the location here; enter the coordinates by hand.',
    geoFailed: 'The location could not be read; try again in the open or enter it by hand.',
    locating: 'Locating…',
    located: function (lon, lat, acc) { return 'Location: ' + lon + ', ' + lat + (acc ? ' (±' + acc + ' m)' : ''); },
    photos: function (n) { return n === 1 ? '1 photo' : n + ' photos'; },
    queuedAt: 'made ',
    sending: 'Sending…',
    send: 'Send report'
  } : {
    waiting: function (n) { return n + ' 条上报等待发送'; },
    sent: function (grid) { return '已上报，定位到网格 ' + grid + '，指挥中心已收到。'; },
    kept: '当前无网络：上报已保存在本机，联网后自动发送。',
    later: '暂未发送成功，已保存在本机，稍后自动重试。',
    login: '请重新登录，登录后自动发送待发送的上报。',
    failed: '服务器未接受：',
    discard: '删除',
    confirmDiscard: '删除这条尚未发送的上报？',
    needText: '请描述发现的问题。',
    needPlace: '请定位：点击“使用我的位置”，或手工填写坐标。',
    badPlace: '经纬度应为数字。',
    noGeo: '此设备无法获取位置，请手工填写坐标。',
    geoFailed: '无法获取位置，请到开阔处重试或手工填写。',
    locating: '正在定位……',
    located: function (lon, lat, acc) { return '位置：' + lon + '，' + lat + (acc ? '（误差约 ' + acc + ' 米）' : ''); },
    photos: function (n) { return n + ' 张照片'; },
    queuedAt: '创建于 ',
    sending: '正在上报……',
    send: '上报'
  };

  // ---- the outbox in IndexedDB ----
  var DB = 'yiwang-field';
  var STORE = 'outbox';
  var dbp = null;
  function db() {
    if (!dbp) {
      dbp = new Promise(function (resolve, reject) {
        var req = indexedDB.open(DB, 1);
        req.onupgradeneeded = function () {
          if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'key' });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { dbp = null; reject(req.error); };
      });
    }
    return dbp;
  }
  function run(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(STORE, mode);
        var req = fn(t.objectStore(STORE));
        t.oncomplete = function () { resolve(req ? req.result : undefined); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }
  function queued() {
    return run('readonly', function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).filter(function (i) { return i.user === user; })
        .sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; });
    });
  }
  function keep(item) { return run('readwrite', function (s) { return s.put(item); }); }
  function drop(key) { return run('readwrite', function (s) { return s.delete(key); }); }

  // One key per report, made when the report is made.
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // ---- sending one report ----
  // Resolves 'sent' (2xx, removed from the phone), 'offline' (no answer),
  // 'later' (the server could not take it now), 'login' (the session
  // ended) or 'refused' (the server will never take it as it is).
  var inflight = {}; // key -> the promise of its request
  var done = {};     // keys answered 2xx while this page is open
  function send(item) {
    if (done[item.key]) return Promise.resolve({ outcome: 'sent', report: done[item.key] });
    if (!inflight[item.key]) {
      inflight[item.key] = post(item).then(function (res) {
        delete inflight[item.key];
        return res;
      });
    }
    return inflight[item.key];
  }
  function post(item) {
    var report = {};
    Object.keys(item.report).forEach(function (k) { report[k] = item.report[k]; });
    // sent long after it was made: say when it was seen
    if (!item.no_time && Date.now() - Date.parse(item.created_at) > 60000) report.occurred_at = item.created_at;
    var fd = new FormData();
    fd.append('report', JSON.stringify(report));
    (item.photos || []).forEach(function (p) { fd.append('photo', p.blob, p.name); });
    return fetch('/api/v1/reports', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Idempotency-Key': item.key, 'X-CSRF-Token': csrf, 'Accept': 'application/json' },
      body: fd
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (v) {
        if (r.ok) {
          done[item.key] = v;
          remember(v, item);
          return drop(item.key).catch(function () {}).then(function () { return { outcome: 'sent', report: v }; });
        }
        var code = v && v.code;
        if (r.status === 401 || code === 'auth.csrf') return mark(item, 'login', '').then(function () { return { outcome: 'login' }; });
        if (r.status === 422 && v && v.field === 'occurred_at' && report.occurred_at) {
          // the phone's clock is ahead of the server's: let the server date it
          item.no_time = true;
          return mark(item, 'waiting', '').then(function () { return { outcome: 'later' }; });
        }
        if (r.status === 408 || r.status === 429 || r.status >= 500) {
          return mark(item, 'waiting', '').then(function () { return { outcome: 'later' }; });
        }
        var msg = Y.problem(v, en);
        return mark(item, 'refused', msg).then(function () { return { outcome: 'refused', message: msg }; });
      });
    }, function () {
      return { outcome: 'offline' };
    });
  }

  function mark(item, state, message) {
    item.state = state;
    item.message = message;
    return keep(item).catch(function () {});
  }

  // Send everything waiting, one at a time; one round at a time.
  var round = null;
  function flush() {
    if (round) return round;
    round = queued().then(function (items) {
      var chain = Promise.resolve();
      items.filter(function (i) { return i.state !== 'refused'; }).forEach(function (item) {
        chain = chain.then(function (last) {
          if (last === 'offline') return 'offline'; // no use trying the rest now
          return send(item).then(function (res) { return res.outcome; });
        });
      });
      return chain;
    }).catch(function () {}).then(function () {
      round = null;
      showOutbox();
      showRecent();
    });
    return round;
  }

  // ---- the outbox on the page ----
  function showOutbox() {
    return queued().then(function (items) {
      var box = $('m-outbox');
      var ul = $('m-outbox-list');
      box.hidden = !items.length;
      $('m-outbox-count').textContent = T.waiting(items.length);
      box.dataset.count = String(items.length);
      ul.textContent = '';
      var login = false;
      items.forEach(function (i) {
        var li = Y.node('li', 'm-queued m-' + (i.state || 'waiting'));
        li.dataset.key = i.key;
        li.appendChild(Y.node('span', 'm-q-desc', i.report.description.slice(0, 60)));
        var meta = T.queuedAt + Y.when(i.created_at);
        if (i.photos && i.photos.length) meta += ' · ' + T.photos(i.photos.length);
        li.appendChild(Y.node('small', null, meta));
        if (i.state === 'refused') {
          li.appendChild(Y.node('small', 'm-error-text', T.failed + i.message));
          var b = Y.node('button', 'm-discard', T.discard);
          b.type = 'button';
          li.appendChild(b);
        }
        if (i.state === 'login') login = true;
        ul.appendChild(li);
      });
      if (login) {
        var p = Y.node('li', 'm-error-text');
        var a = Y.node('a', null, T.login);
        a.href = '/login?next=%2Fm%2Freport';
        p.appendChild(a);
        ul.appendChild(p);
      }
    }).catch(function () {});
  }

  $('m-outbox-list').addEventListener('click', function (ev) {
    var b = ev.target.closest('button.m-discard');
    if (!b || !window.confirm(T.confirmDiscard)) return;
    drop(b.closest('li').dataset.key).then(showOutbox);
  });
  $('m-retry').addEventListener('click', function () { flush(); });

  // ---- my recent reports ----
  var RECENT = 'yiwang.recent.' + user;
  function recentList() {
    try { return JSON.parse(localStorage.getItem(RECENT) || '[]'); } catch (e) { return []; }
  }
  function remember(r, item) {
    if (!r || !r.id) return;
    var list = recentList().filter(function (x) { return x.id !== r.id; });
    list.unshift({ id: r.id, description: r.description || item.report.description, at: r.received_at || item.created_at });
    try { localStorage.setItem(RECENT, JSON.stringify(list.slice(0, 20))); } catch (e) { /* full: not needed */ }
  }

  function showRecent() {
    var local = recentList();
    var fromList = canList
      ? Y.api('GET', '/api/v1/reports?channel=grid_worker&per_page=100').then(function (res) {
        return res.ok ? res.v.items.filter(function (r) { return r.reporter === user; }) : [];
      }).catch(function () { return null; })
      : Promise.resolve([]);
    return fromList.then(function (mine) {
      var byId = {};
      (mine || []).forEach(function (r) { byId[r.id] = r; });
      // the ones sent from here that the list did not bring: one by one
      var missing = local.filter(function (x) { return !byId[x.id]; }).slice(0, 10);
      return Promise.all(missing.map(function (x) {
        return Y.api('GET', '/api/v1/reports/' + encodeURIComponent(x.id)).then(function (res) {
          return res.ok ? res.v : { id: x.id, description: x.description, received_at: x.at, status: '' };
        }).catch(function () { return { id: x.id, description: x.description, received_at: x.at, status: '' }; });
      })).then(function (more) {
        more.forEach(function (r) { byId[r.id] = r; });
        var all = Object.keys(byId).map(function (k) { return byId[k]; });
        all.sort(function (a, b) { return a.received_at < b.received_at ? 1 : -1; });
        drawRecent(all.slice(0, 20));
      });
    }).catch(function () {});
  }

  function drawRecent(items) {
    var ul = $('m-recent');
    ul.textContent = '';
    $('m-recent-empty').hidden = items.length > 0;
    items.forEach(function (r) {
      var li = Y.node('li', 'm-recent-item');
      li.dataset.id = r.id;
      li.dataset.status = r.status || '';
      var top = Y.node('div', 'm-recent-top');
      if (r.status) top.appendChild(Y.node('span', 'badge st-' + r.status, Y.statusLabel(r.status)));
      top.appendChild(Y.node('small', null, Y.when(r.received_at) + (r.grid_name ? ' · ' + r.grid_name : '')));
      li.appendChild(top);
      li.appendChild(Y.node('p', 'm-recent-desc', r.description));
      ul.appendChild(li);
    });
  }

  // ---- the form ----
  var form = $('m-form');
  var errorEl = $('m-error');
  var resultEl = $('m-result');
  var submit = $('m-submit');
  function showError(msg) { errorEl.textContent = msg || ''; errorEl.hidden = !msg; }
  function showResult(msg, kind) {
    resultEl.textContent = msg || '';
    resultEl.hidden = !msg;
    resultEl.className = 'm-result' + (kind ? ' m-' + kind : '');
    if (msg) window.scrollTo(0, 0);
  }

  $('m-locate').addEventListener('click', function () {
    showError('');
    if (!navigator.geolocation) { showError(T.noGeo); $('m-manual').open = true; return; }
    $('m-where').textContent = T.locating;
    navigator.geolocation.getCurrentPosition(function (p) {
      var lon = p.coords.longitude.toFixed(6);
      var lat = p.coords.latitude.toFixed(6);
      $('m-lon').value = lon;
      $('m-lat').value = lat;
      $('m-where').textContent = T.located(lon, lat, p.coords.accuracy ? Math.round(p.coords.accuracy) : 0);
    }, function () {
      $('m-where').textContent = T.geoFailed;
      $('m-manual').open = true;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });

  var photoInput = $('m-photo');
  photoInput.addEventListener('change', function () {
    var box = $('m-previews');
    box.textContent = '';
    Array.prototype.forEach.call(photoInput.files, function (f) {
      var img = document.createElement('img');
      img.alt = f.name;
      img.src = URL.createObjectURL(f);
      img.onload = function () { URL.revokeObjectURL(img.src); };
      box.appendChild(img);
    });
  });

  function clearForm() {
    form.reset();
    $('m-previews').textContent = '';
    $('m-where').textContent = en ? 'No location yet' : '尚未定位';
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    showError('');
    showResult('');
    var description = $('m-description').value.trim();
    if (!description) { showError(T.needText); return; }
    var lonText = $('m-lon').value.trim();
    var latText = $('m-lat').value.trim();
    if (!lonText || !latText) { showError(T.needPlace); $('m-manual').open = true; return; }
    var lon = Number(lonText);
    var lat = Number(latText);
    if (!isFinite(lon) || !isFinite(lat)) { showError(T.badPlace); $('m-manual').open = true; return; }
    var report = { channel: 'grid_worker', description: description, lon: lon, lat: lat, crs: 'wgs84' };
    var code = $('m-item').value;
    if (code) report.item_code = code;
    var item = {
      key: newKey(),
      user: user,
      created_at: new Date().toISOString(),
      report: report,
      photos: Array.prototype.map.call(photoInput.files, function (f) {
        return { name: f.name, type: f.type, blob: f };
      }),
      state: 'waiting',
      message: ''
    };
    submit.disabled = true;
    submit.textContent = T.sending;
    // kept on the phone first: whatever happens next, it is not lost
    keep(item).then(function () {
      if (navigator.onLine === false) return { outcome: 'offline' };
      return send(item);
    }).then(function (res) {
      if (res.outcome === 'refused') {
        // nothing was stored: let the worker correct the form
        return drop(item.key).then(function () { showError(T.failed + res.message); });
      }
      clearForm();
      if (res.outcome === 'sent') showResult(T.sent(res.report.grid_name || res.report.grid), 'ok');
      else if (res.outcome === 'login') showResult(T.login, 'warn');
      else if (res.outcome === 'offline') showResult(T.kept, 'warn');
      else showResult(T.later, 'warn');
    }, function (e) {
      // IndexedDB unavailable (a private window): send directly
      return send({ key: item.key, user: user, created_at: item.created_at, report: report, photos: item.photos })
        .then(function (res) {
          if (res.outcome === 'sent') { clearForm(); showResult(T.sent(res.report.grid_name || res.report.grid), 'ok'); }
          else showError(res.message || String(e));
        });
    }).then(function () {
      submit.disabled = false;
      submit.textContent = T.send;
      showOutbox();
      showRecent();
    });
  });

  // ---- connection ----
  function net() {
    $('m-net').hidden = navigator.onLine !== false;
  }
  window.addEventListener('online', function () { net(); flush(); });
  window.addEventListener('offline', net);
  setInterval(function () { if (navigator.onLine !== false) flush(); }, 5000);

  // Keep the page for opening without a connection (optional: the
  // outbox works without it).
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(function () {});
  }

  net();
  showOutbox();
  showRecent();
  flush();
})();
