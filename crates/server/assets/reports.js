// What the report pages share (command centre, my tasks, field report):
// calling the API with the session's CSRF token, the live stream, labels
// and times. No framework; `window.Yw`.
(function () {
  var URGENCY = {
    zh: { normal: '一般', urgent: '紧急', emergency: '特急' },
    en: { normal: 'Normal', urgent: 'Urgent', emergency: 'Emergency' }
  };
  // Statuses in which the enforcement platform still owes work (a deadline
  // runs); the API's `overdue` filter counts the same ones.
  var OPEN = ['received', 'dispatched', 'accepted', 'handling', 'reported_back', 'verified'];

  function $(id) { return document.getElementById(id); }

  function node(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  // The status's name in the page's language, from the page's own list.
  function statusLabel(code) {
    var sel = $('status-labels') || $('f-status');
    if (sel) {
      for (var i = 0; i < sel.options.length; i++) {
        if (sel.options[i].value === code) return sel.options[i].textContent;
      }
    }
    return code;
  }

  function urgencyLabel(code, en) {
    return URGENCY[en ? 'en' : 'zh'][code] || code;
  }

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  // A short local time: 11-28 09:30 (the year when it is not this year's).
  function when(s) {
    if (!s) return '';
    var d = new Date(s);
    if (isNaN(d.getTime())) return s;
    var now = new Date();
    var day = pad(d.getMonth() + 1) + '-' + pad(d.getDate());
    if (d.getFullYear() !== now.getFullYear()) day = d.getFullYear() + '-' + day;
    return day + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes());
  }

  function isOverdue(r) {
    return !!(r && r.deadline_at && OPEN.indexOf(r.status) >= 0 && Date.parse(r.deadline_at) < Date.now());
  }

  // Call the API as the page's user: JSON in and out, the CSRF token on
  // every change. Resolves {ok, status, v}; rejects only when nothing came
  // back (no connection).
  function api(method, url, body, csrf) {
    var headers = { 'Accept': 'application/json' };
    var init = { method: method, headers: headers, credentials: 'same-origin' };
    if (method !== 'GET') headers['X-CSRF-Token'] = csrf || '';
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (v) {
        return { ok: r.ok, status: r.status, v: v };
      });
    });
  }

  // The message of a problem+json answer in the page's language.
  function problem(v, en, fallback) {
    if (v && (v.message_zh || v.message_en)) return en ? (v.message_en || v.message_zh) : (v.message_zh || v.message_en);
    if (v && v.title) return v.title;
    return fallback || (en ? 'The request failed.' : '请求失败。');
  }

  // Subscribe to the live queue. `onChange(change)` for every report event;
  // `onState(live)` when the connection is up or down; `onResume()` after a
  // reconnection, when events may have been missed.
  function stream(onChange, onState, onResume) {
    var es = null;
    var opened = false;
    var timer = null;
    function open() {
      if (typeof EventSource === 'undefined') { onState(false); return; }
      es = new EventSource('/api/v1/reports/stream');
      es.addEventListener('report', function (e) {
        var c;
        try { c = JSON.parse(e.data); } catch (err) { return; }
        onChange(c);
      });
      es.onopen = function () {
        onState(true);
        if (opened && onResume) onResume();
        opened = true;
      };
      es.onerror = function () {
        onState(false);
        // A refused stream (the session ended) is not retried by the
        // browser; retry it ourselves, a little later.
        if (es.readyState === 2 && !timer) {
          timer = setTimeout(function () { timer = null; open(); }, 5000);
        }
      };
    }
    open();
    return function close() { if (es) es.close(); };
  }

  window.Yw = {
    $: $, node: node, when: when, api: api, problem: problem, stream: stream,
    statusLabel: statusLabel, urgencyLabel: urgencyLabel, isOverdue: isOverdue, OPEN: OPEN
  };
})();
