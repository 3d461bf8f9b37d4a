// The command centre's live queue (指挥中心): the reports of the caller's
// jurisdiction, newest first, filtered; counts per status; a map; and every
// change streamed from /api/v1/reports/stream put in place at once — new
// reports appear at the top, highlighted, without reloading the page. The
// row offers the command centre's steps: dispatch, the check on site once
// the handler reported back, the closure once checked.
(function () {
  var root = document.getElementById('command');
  if (!root || !window.Yw) return;
  var Y = window.Yw;
  var $ = Y.$;
  var en = root.dataset.lang === 'en';
  var csrf = root.dataset.csrf;
  var canDispatch = root.dataset.canDispatch === '1';
  var T = en ? {
    live: 'Live', offline: 'Live updates interrupted — reconnecting…',
    total: function (n) { return n + (n === 1 ? ' report' : ' reports'); },
    dispatch: 'Dispatch', dispatching: 'Dispatching…', verify: 'Verified on site', close: 'Close',
    dispatched: function (who) { return 'Dispatched' + (who ? ' to ' + who : '') + '.'; },
    overdue: 'Overdue', gridOfficer: "the grid's officer (suggested)", network: 'No connection; try again.',
    none: '—', newRow: 'New'
  } : {
    live: '实时更新中', offline: '实时连接中断，正在重连……',
    total: function (n) { return '共 ' + n + ' 件'; },
    dispatch: '派遣', dispatching: '派遣中……', verify: '核查通过', close: '结案',
    dispatched: function (who) { return '已派遣' + (who ? '至 ' + who : '') + '。'; },
    overdue: '超期', gridOfficer: '网格责任队员（建议）', network: '网络不可用，请重试。',
    none: '—', newRow: '新'
  };

  var form = $('q-filters');
  var body = $('queue-rows');
  var emptyEl = $('q-empty');
  var more = $('q-more');
  var totalEl = $('q-total');
  var liveEl = $('q-live');
  var errorEl = $('q-error');
  var PER_PAGE = 50;
  var page = 1;
  var total = 0;
  var shown = {};   // id -> {tr, r}
  var staff = {};   // staff id -> name
  var seq = 0;

  function showError(msg) { errorEl.textContent = msg || ''; errorEl.hidden = !msg; }

  // The filters as entered: name -> value, empty ones left out.
  function filters() {
    var f = {};
    new FormData(form).forEach(function (v, k) {
      v = String(v).trim();
      if (v) f[k] = v;
    });
    return f;
  }

  function apiParams(f, without) {
    var p = new URLSearchParams();
    Object.keys(f).forEach(function (k) {
      if (k === without) return;
      p.set(k, k === 'overdue' ? 'true' : f[k]);
    });
    return p;
  }

  // Whether a streamed change belongs in the filtered view (the overdue
  // filter needs the deadline: decided on the full report).
  function matches(r, f) {
    // a dashboard's drill-down: its list is what the API gave; changes
    // update the reports shown and add none
    if (f.jurisdiction || f.grid || f.channel || f.field || f.from || f.to || f.date_of || f.open) {
      return !!shown[r.id];
    }
    if (f.township && r.township !== f.township) return false;
    if (f.status && r.status !== f.status) return false;
    if (f.urgency && r.urgency !== f.urgency) return false;
    if (f.overdue && r.deadline_at !== undefined && !Y.isOverdue(r)) return false;
    if (f.q) {
      var text = [r.description, r.grid, r.grid_name, r.village].join(' ').toLowerCase();
      var words = f.q.toLowerCase().split(/\s+/);
      for (var i = 0; i < words.length; i++) if (words[i] && text.indexOf(words[i]) < 0) return false;
    }
    return true;
  }

  function officerCell(td, r) {
    var who = null;
    if (r.dispatched_to) {
      who = staff[r.dispatched_to] || (r.dispatched_to === r.officer_id ? r.officer : null) || r.dispatched_to;
      td.textContent = who;
    } else if (r.officer) {
      var s = Y.node('span', 'muted', r.officer);
      s.title = T.gridOfficer;
      td.appendChild(s);
    } else {
      td.textContent = T.none;
    }
    return who;
  }

  function fill(tr, r) {
    tr.textContent = '';
    tr.id = 'r-' + r.id;
    tr.dataset.id = r.id;
    tr.dataset.status = r.status;
    var overdue = Y.isOverdue(r);
    tr.classList.toggle('is-overdue', overdue);
    var cell = function (cls, text) { var td = Y.node('td', cls, text); tr.appendChild(td); return td; };
    cell('when', Y.when(r.received_at || r.updated_at));
    var d = cell('desc', r.description);
    d.title = r.description;
    var g = cell('grid', r.grid_name || r.grid || T.none);
    if (r.township_name) g.appendChild(Y.node('small', null, r.township_name));
    cell('urgency').appendChild(Y.node('span', 'badge urg-' + r.urgency, Y.urgencyLabel(r.urgency, en)));
    cell('status').appendChild(Y.node('span', 'badge st-' + r.status, Y.statusLabel(r.status)));
    officerCell(cell('officer'), r);
    var dl = cell('deadline', r.deadline_at ? Y.when(r.deadline_at) + ' ' : T.none);
    if (overdue) dl.appendChild(Y.node('span', 'badge overdue', T.overdue));
    var act = cell('act');
    if (canDispatch && r.status === 'received') {
      var b = Y.node('button', 'dispatch', T.dispatch);
      b.type = 'button';
      act.appendChild(b);
    }
    // the later steps of the closed loop the command centre takes: the
    // check on site (by someone other than the handler) and the closure
    var later = { reported_back: ['verify', T.verify], verified: ['close', T.close] }[r.status];
    if (canDispatch && later) {
      var s = Y.node('button', 'dispatch step', later[1]);
      s.type = 'button';
      s.dataset.action = later[0];
      act.appendChild(s);
    }
  }

  function updateEmpty() {
    emptyEl.hidden = Object.keys(shown).length > 0;
    totalEl.textContent = T.total(total);
  }

  function upsert(r, fresh, append) {
    var e = shown[r.id];
    var tr = e ? e.tr : document.createElement('tr');
    // a streamed change carries fewer fields: keep what the row knew
    if (e) {
      var merged = {};
      Object.keys(e.r).forEach(function (k) { merged[k] = e.r[k]; });
      Object.keys(r).forEach(function (k) { merged[k] = r[k]; });
      r = merged;
    }
    fill(tr, r);
    if (!e) {
      shown[r.id] = { tr: tr, r: r };
      if (append) body.appendChild(tr); else body.insertBefore(tr, body.firstChild);
    } else {
      e.r = r;
    }
    if (fresh) {
      tr.classList.remove('fresh');
      void tr.offsetWidth; // restart the highlight
      tr.classList.add('fresh');
    }
    mark(r);
    updateEmpty();
  }

  function remove(id) {
    var e = shown[id];
    if (!e) return;
    e.tr.remove();
    delete shown[id];
    unmark(id);
    updateEmpty();
  }

  // ---- the list ----
  function load(reset) {
    var mine = ++seq;
    if (reset) page = 1;
    var f = filters();
    var p = apiParams(f);
    p.set('page', String(page));
    p.set('per_page', String(PER_PAGE));
    showError('');
    Y.api('GET', '/api/v1/reports?' + p.toString()).then(function (res) {
      if (mine !== seq) return;
      if (!res.ok) { showError(Y.problem(res.v, en)); return; }
      if (reset) {
        body.textContent = '';
        shown = {};
        clearMarks();
      }
      res.v.items.forEach(function (r) { upsert(r, false, true); });
      total = res.v.total;
      more.hidden = page * PER_PAGE >= total;
      updateEmpty();
      if (reset) fitMarks();
    }).catch(function () { if (mine === seq) showError(T.network); });
    var addr = new URLSearchParams();
    Object.keys(f).forEach(function (k) { addr.set(k, f[k]); });
    var qs = addr.toString();
    history.replaceState(null, '', '/command' + (qs ? '?' + qs : ''));
    counts();
  }

  // ---- counts per status (of the view without its status filter) ----
  var countTimer = null;
  function counts() {
    var f = filters();
    document.querySelectorAll('#q-counts li').forEach(function (li) {
      var s = li.dataset.status;
      var p = apiParams(f, 'status');
      p.set('status', s);
      p.set('per_page', '1');
      Y.api('GET', '/api/v1/reports?' + p.toString()).then(function (res) {
        if (res.ok) li.querySelector('.n').textContent = res.v.total;
        li.classList.toggle('zero', res.ok && res.v.total === 0);
        li.classList.toggle('current', f.status === s);
      }).catch(function () {});
    });
  }
  function countsSoon() {
    clearTimeout(countTimer);
    countTimer = setTimeout(counts, 600);
  }

  // ---- live ----
  function details(id, isNew) {
    Y.api('GET', '/api/v1/reports/' + encodeURIComponent(id)).then(function (res) {
      if (!res.ok) return;
      var r = res.v;
      if (shown[id]) {
        upsert(r, false);
      } else if (isNew && matches(r, filters())) {
        total++;
        upsert(r, true);
      }
    }).catch(function () {});
  }

  function onChange(c) {
    var f = filters();
    if (shown[c.id]) {
      upsert(c, true);
      details(c.id, false);
    } else if (matches(c, f)) {
      if (f.overdue) {
        details(c.id, true); // the deadline decides
      } else {
        total++;
        upsert(c, true);
        details(c.id, false);
      }
    }
    countsSoon();
  }

  Y.stream(onChange, function (on) {
    liveEl.textContent = on ? T.live : T.offline;
    liveEl.classList.toggle('off', !on);
  }, function () { load(true); });

  // ---- dispatch ----
  body.addEventListener('click', function (ev) {
    var b = ev.target.closest('button.dispatch');
    if (!b) return;
    var tr = b.closest('tr');
    var id = tr.dataset.id;
    var step = b.dataset.action || 'dispatch';
    var label = b.textContent;
    var action = { action: step };
    if (step === 'verify') action.passed = true;
    b.disabled = true;
    if (step === 'dispatch') b.textContent = T.dispatching;
    showError('');
    Y.api('POST', '/api/v1/reports/' + encodeURIComponent(id) + '/actions', action, csrf)
      .then(function (res) {
        if (!res.ok) {
          b.disabled = false;
          b.textContent = label;
          showError(Y.problem(res.v, en));
          return;
        }
        upsert(res.v, true);
        countsSoon();
      })
      .catch(function () {
        b.disabled = false;
        b.textContent = label;
        showError(T.network);
      });
  });

  // ---- staff names (who a report went to) ----
  Y.api('GET', '/api/v1/staff?per_page=500').then(function (res) {
    if (!res.ok) return;
    res.v.items.forEach(function (s) { staff[s.id] = s.name; });
    Object.keys(shown).forEach(function (id) { if (shown[id].r.dispatched_to) fill(shown[id].tr, shown[id].r); });
  }).catch(function () {});

  // ---- the map ----
  var map = null;
  var markers = {};
  var layer = null;
  var COLOURS = {
    received: '#d62728', dispatched: '#ff7f0e', accepted: '#f4b400', handling: '#1f77b4',
    reported_back: '#9467bd', verified: '#17becf', closed: '#2ca02c', evaluated: '#2ca02c'
  };
  var mapEl = $('q-map');
  if (mapEl && typeof L !== 'undefined') {
    map = L.map(mapEl, { zoomSnap: 0.25 });
    map.attributionControl.setPrefix(false);
    var tiles = (root.dataset.tiles || '').trim();
    if (tiles) L.tileLayer(tiles, { maxZoom: 18 }).addTo(map);
    var outlines = L.featureGroup().addTo(map);
    layer = L.featureGroup().addTo(map);
    map.setView([35, 105], 4);
    Y.api('GET', '/api/v1/areas?level=township').then(function (res) {
      if (!res.ok) return;
      L.geoJSON(res.v, {
        interactive: false,
        style: { color: '#37474f', weight: 1.5, opacity: 0.8, fill: false, className: 'township' }
      }).addTo(outlines);
      if (!fitMarks() && outlines.getBounds().isValid()) map.fitBounds(outlines.getBounds(), { padding: [8, 8] });
    }).catch(function () {});
  }

  function mark(r) {
    if (!layer || typeof r.lat !== 'number' || typeof r.lon !== 'number') return;
    var colour = COLOURS[r.status] || '#757575';
    var m = markers[r.id];
    if (!m) {
      m = L.circleMarker([r.lat, r.lon], { radius: 7, weight: 2, color: '#fff', fillOpacity: 0.9, className: 'report-marker' });
      m.on('click', function () {
        var e = shown[r.id];
        if (!e) return;
        e.tr.scrollIntoView({ block: 'center' });
        e.tr.classList.remove('fresh');
        void e.tr.offsetWidth;
        e.tr.classList.add('fresh');
      });
      markers[r.id] = m;
      layer.addLayer(m);
    }
    m.setStyle({ fillColor: colour });
    m.bindTooltip((r.grid_name || r.grid || '') + ' · ' + Y.statusLabel(r.status) + '\n' + (r.description || '').slice(0, 40));
  }
  function unmark(id) {
    if (layer && markers[id]) { layer.removeLayer(markers[id]); delete markers[id]; }
  }
  function clearMarks() {
    if (layer) layer.clearLayers();
    markers = {};
  }
  function fitMarks() {
    if (!layer || !Object.keys(markers).length) return false;
    var b = layer.getBounds();
    if (!b.isValid()) return false;
    map.fitBounds(b, { padding: [24, 24], maxZoom: 13 });
    return true;
  }

  // ---- filters ----
  form.addEventListener('submit', function (ev) { ev.preventDefault(); load(true); });
  form.querySelectorAll('select, input[type=checkbox]').forEach(function (s) {
    s.addEventListener('change', function () { load(true); });
  });
  var typing = null;
  $('f-q').addEventListener('input', function () {
    clearTimeout(typing);
    typing = setTimeout(function () { load(true); }, 300);
  });
  $('q-counts').addEventListener('click', function (ev) {
    var b = ev.target.closest('button[data-status]');
    if (!b) return;
    var sel = $('f-status');
    sel.value = sel.value === b.dataset.status ? '' : b.dataset.status;
    load(true);
  });
  more.addEventListener('click', function () { page++; load(false); });

  // Deadlines pass while the page is open: redraw the overdue badges.
  setInterval(function () {
    Object.keys(shown).forEach(function (id) {
      var e = shown[id];
      if (Y.isOverdue(e.r) !== e.tr.classList.contains('is-overdue')) fill(e.tr, e.r);
    });
  }, 30000);

  load(true);
})();
