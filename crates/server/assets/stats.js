// The dashboard (/stats) and the command display (/stats/screen): one view
// from /api/v1/stats/overview, redrawn within a second of any change the
// live stream (/api/v1/reports/stream) announces. Every number links to the
// command centre's queue filtered to the reports behind it.
(function () {
  var root = document.getElementById('stats');
  if (!root) return;
  var en = root.dataset.lang === 'en';
  var screen = root.dataset.mode === 'screen';
  var T = en ? {
    received: 'Received', closed: 'Closed', open: 'Open now', overdue: 'Overdue now',
    township: 'Township', field: 'Field', channel: 'Channel', status: 'Status', now: 'Now',
    grid: 'Grid', live: 'Live', offline: 'Live updates interrupted; reconnecting…',
    asOf: 'as of ', network: 'The statistics could not be loaded.', reports: ' reports'
  } : {
    received: '受理', closed: '结案', open: '在办', overdue: '超期',
    township: '乡镇（街道）', field: '领域', channel: '渠道', status: '状态', now: '当前',
    grid: '网格', live: '实时', offline: '实时更新中断，正在重连……',
    asOf: '数据时间 ', network: '统计数据加载失败。', reports: ' 件'
  };
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function link(num, text) {
    var a = el('a', '', text === undefined ? String(num.n) : text);
    a.href = '/command?' + num.list;
    return a;
  }

  // ---- the view asked for ----
  function params() {
    var p = new URLSearchParams();
    if (screen) {
      if (root.dataset.jurisdiction) p.set('jurisdiction', root.dataset.jurisdiction);
      return p;
    }
    [['jurisdiction', 's-jurisdiction'], ['from', 's-from'], ['to', 's-to']].forEach(function (f) {
      var v = $(f[1]).value.trim();
      if (v) p.set(f[0], v);
    });
    return p;
  }

  // ---- drawing ----
  function totals(v) {
    var box = $('s-totals');
    box.textContent = '';
    [['received', false], ['closed', false], ['open', false], ['overdue', true]].forEach(function (k) {
      var num = v.totals[k[0]];
      var a = link(num, '');
      a.className = 'num' + (k[1] && num.n > 0 ? ' warn' : '');
      a.dataset.key = k[0];
      a.appendChild(el('span', 'n', String(num.n)));
      a.appendChild(el('span', 'l', T[k[0]]));
      box.appendChild(a);
    });
    var none = v.totals.received.n === 0 && v.totals.open.n === 0;
    $('s-empty').hidden = !none;
  }

  var SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function trend(v) {
    var box = $('s-trend');
    box.textContent = '';
    var days = v.trend, W = 720, H = 220, L = 40, B = 24, n = days.length;
    var max = 1;
    days.forEach(function (d) { max = Math.max(max, d.received, d.closed); });
    var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': T.received + ' / ' + T.closed });
    var x = function (i) { return L + (n <= 1 ? 0 : i * (W - L - 10) / (n - 1)); };
    var y = function (c) { return H - B - c * (H - B - 10) / max; };
    var color = screen ? '#8aa0c8' : '#5b6776';
    [0, 0.5, 1].forEach(function (f) {
      var c = Math.round(max * f);
      s.appendChild(svg('line', { x1: L, x2: W - 10, y1: y(c), y2: y(c), stroke: screen ? '#23407a' : '#d8dee6' }));
      var t = svg('text', { x: L - 6, y: y(c) + 4, 'text-anchor': 'end', 'font-size': 11, fill: color });
      t.textContent = c;
      s.appendChild(t);
    });
    [0, Math.floor((n - 1) / 2), n - 1].forEach(function (i, k, all) {
      if (i < 0 || (k > 0 && i === all[k - 1])) return;
      var t = svg('text', { x: x(i), y: H - 6, 'text-anchor': k === 0 ? 'start' : (k === 2 ? 'end' : 'middle'), 'font-size': 11, fill: color });
      t.textContent = days[i].day.slice(5);
      s.appendChild(t);
    });
    var colors = [['received', screen ? '#5fd3ff' : '#0b5cad'], ['closed', '#2ca02c']];
    colors.forEach(function (k) {
      var pts = days.map(function (d, i) { return x(i).toFixed(1) + ',' + y(d[k[0]]).toFixed(1); }).join(' ');
      s.appendChild(svg('polyline', { points: pts, fill: 'none', stroke: k[1], 'stroke-width': 2, 'class': 'series-' + k[0] }));
    });
    box.appendChild(s);
    var legend = el('p', 'legend');
    colors.forEach(function (k) {
      var b = el('b'); b.style.background = k[1];
      legend.appendChild(b);
      legend.appendChild(document.createTextNode(T[k[0]]));
    });
    box.appendChild(legend);
  }

  // a table of lines with a bar for what was received
  function bars(id, lines, head) {
    var box = $(id);
    box.textContent = '';
    if (!lines.length) { box.appendChild(el('p', 'empty', '—')); return; }
    var max = 1;
    lines.forEach(function (l) { max = Math.max(max, l.received.n); });
    var t = el('table', 'bars');
    var h = t.createTHead().insertRow();
    [head, '', T.received, T.closed].forEach(function (c) { h.appendChild(el('th', '', c)); });
    var body = t.createTBody();
    lines.forEach(function (l) {
      var tr = body.insertRow();
      tr.dataset.key = l.key;
      tr.appendChild(el('td', '', l.label));
      var bar = el('td', 'bar'), span = el('span');
      span.style.width = (100 * l.received.n / max).toFixed(1) + '%';
      bar.appendChild(span);
      tr.appendChild(bar);
      var r = el('td', 'n received'); r.appendChild(link(l.received)); tr.appendChild(r);
      var c = el('td', 'n closed'); c.appendChild(link(l.closed)); tr.appendChild(c);
    });
    box.appendChild(t);
  }

  function townships(v) {
    var box = $('s-township');
    box.textContent = '';
    if (!v.by_township.length) { box.appendChild(el('p', 'empty', '—')); return; }
    var t = el('table', 'bars');
    var h = t.createTHead().insertRow();
    [T.township, T.received, T.closed, T.open, T.overdue].forEach(function (c) { h.appendChild(el('th', '', c)); });
    var body = t.createTBody();
    v.by_township.forEach(function (r) {
      var tr = body.insertRow();
      tr.dataset.code = r.code;
      var name = el('td');
      var a = el('a', 'drill', r.name);
      var p = params();
      p.set('jurisdiction', r.code);
      a.href = (screen ? '/stats/screen?' : '/stats?') + p.toString();
      name.appendChild(a);
      tr.appendChild(name);
      ['received', 'closed', 'open', 'overdue'].forEach(function (k) {
        var td = el('td', 'n ' + k);
        td.appendChild(link(r[k]));
        tr.appendChild(td);
      });
    });
    box.appendChild(t);
  }

  function statuses(v) {
    var box = $('s-status');
    if (!box) return;
    box.textContent = '';
    if (!v.by_status.length) { box.appendChild(el('p', 'empty', '—')); return; }
    var t = el('table', 'bars');
    var h = t.createTHead().insertRow();
    [T.status, T.now].forEach(function (c) { h.appendChild(el('th', '', c)); });
    var body = t.createTBody();
    v.by_status.forEach(function (s) {
      var tr = body.insertRow();
      tr.dataset.key = s.key;
      tr.appendChild(el('td', '', s.label));
      var td = el('td', 'n'); td.appendChild(link(s.now)); tr.appendChild(td);
    });
    box.appendChild(t);
  }

  function gridTable(v) {
    var box = $('s-grids');
    if (!box) return;
    box.textContent = '';
    var t = el('table', 'bars');
    var h = t.createTHead().insertRow();
    [T.grid, T.received].forEach(function (c) { h.appendChild(el('th', '', c)); });
    var body = t.createTBody();
    v.by_grid.slice(0, 10).forEach(function (g) {
      var tr = body.insertRow();
      tr.dataset.code = g.code;
      tr.appendChild(el('td', '', g.name + ' (' + g.code + ')'));
      var td = el('td', 'n'); td.appendChild(link(g.received)); tr.appendChild(td);
    });
    box.appendChild(t);
  }

  // ---- the heat map: the grids coloured by reports received ----
  // the grids' shapes, the township they were loaded for ('' the whole
  // jurisdiction), and the township the map was last fitted to
  var map = null, layer = null, shapes = null, shapesTown = null, fittedTown = null;
  function heatColor(n, max) {
    if (!n) return screen ? '#1b2f57' : '#f2f4f7';
    var f = Math.min(1, n / max);
    var r = 255, g = Math.round(220 - 190 * f), b = Math.round(120 - 110 * f);
    return 'rgb(' + r + ',' + g + ',' + b + ')';
  }
  function heat(v) {
    var box = $('s-heat');
    if (!box || typeof L === 'undefined') return;
    if (!map) {
      map = L.map(box, { zoomControl: true, attributionControl: false });
      if (root.dataset.tiles) L.tileLayer(root.dataset.tiles, { maxZoom: 18 }).addTo(map);
      map.setView([34.45, 115.3], 9);
    }
    var town = v.jurisdiction.level === 'township' || v.jurisdiction.level === 'street' ? v.jurisdiction.code : '';
    var paint = function () {
      var counts = {}, max = 1;
      v.by_grid.forEach(function (g) { counts[g.code] = g.received; max = Math.max(max, g.received.n); });
      if (layer) map.removeLayer(layer);
      layer = L.geoJSON(shapes, {
        style: function (f) {
          var c = counts[f.properties.code];
          return { color: screen ? '#23407a' : '#8a96a6', weight: 1, fillOpacity: 0.75, fillColor: heatColor(c ? c.n : 0, max) };
        },
        onEachFeature: function (f, l) {
          var c = counts[f.properties.code];
          l.bindTooltip(f.properties.name + ' · ' + (c ? c.n : 0) + T.reports);
          if (c) l.on('click', function () { window.location.href = '/command?' + c.list; });
        }
      }).addTo(map);
      var b = layer.getBounds();
      if (b.isValid() && fittedTown !== town) { map.fitBounds(b); fittedTown = town; }
    };
    if (shapes && shapesTown === town) { paint(); return; }
    fetch('/api/v1/grids?format=geojson' + (town ? '&township=' + encodeURIComponent(town) : ''),
      { headers: { 'Accept': 'application/geo+json' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (g) {
        if (!g) return;
        shapes = g;
        shapesTown = town;
        paint();
      });
  }

  function render(v) {
    totals(v);
    trend(v);
    bars('s-field', v.by_field, T.field);
    if ($('s-channel')) bars('s-channel', v.by_channel, T.channel);
    townships(v);
    statuses(v);
    gridTable(v);
    heat(v);
    $('s-asof').textContent = T.asOf + new Date(v.as_of).toLocaleString(en ? 'en-GB' : 'zh-CN');
    root.dataset.received = v.totals.received.n;
    // the period shown, in the form (the server's default when none was asked)
    if (!screen) {
      if (!$('s-from').value) $('s-from').value = v.from;
      if (!$('s-to').value) $('s-to').value = v.to;
    }
    var x = $('s-xlsx');
    if (x) {
      var p = params();
      p.set('format', 'xlsx');
      x.href = '/api/v1/stats/overview?' + p.toString();
    }
  }

  var seq = 0;
  function load() {
    var mine = ++seq;
    var p = params();
    if (!screen) {
      var addr = p.toString();
      history.replaceState(null, '', '/stats' + (addr ? '?' + addr : ''));
    }
    return fetch('/api/v1/stats/overview?' + p.toString(), { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) {
        return r.json().then(function (v) { return { ok: r.ok, v: v }; });
      })
      .then(function (res) {
        if (mine !== seq) return;
        var err = $('s-error');
        if (!res.ok) {
          err.textContent = (en ? res.v.message_en : res.v.message_zh) || T.network;
          err.hidden = false;
          return;
        }
        err.hidden = true;
        render(res.v);
      })
      .catch(function () { if (mine === seq) { $('s-error').textContent = T.network; $('s-error').hidden = false; } });
  }

  var form = $('s-filters');
  if (form) {
    form.addEventListener('submit', function (e) { e.preventDefault(); load(); });
    form.addEventListener('change', function () { load(); });
  }

  // ---- live: a change anywhere in the jurisdiction redraws the view ----
  var pending = null;
  function soon() {
    if (pending) return;
    pending = setTimeout(function () { pending = null; load(); }, 250);
  }
  var live = $('s-live');
  if (window.EventSource) {
    var es = new EventSource('/api/v1/reports/stream');
    es.onopen = function () { live.className = 'live'; live.textContent = T.live; };
    es.addEventListener('report', soon);
    es.onerror = function () { live.className = 'live off'; live.textContent = T.offline; };
  }
  // and once a minute in any case: what is overdue changes with the clock
  setInterval(load, 60000);
  load();
})();
