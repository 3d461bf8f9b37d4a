// The grid map: township outlines (public) and, for a logged-in user, the
// grids they may see, coloured by squad, with who is responsible for each.
// Data from /api/v1/areas and /api/v1/grids?format=geojson; Leaflet from
// /assets/vendor/leaflet (installed from the npm lockfile, `make assets`).
(function () {
  var el = document.getElementById('map');
  if (!el || typeof L === 'undefined') return;

  var en = el.dataset.lang === 'en';
  var T = en ? {
    grid: 'Grid', village: 'Village', township: 'Township', squad: 'Squad',
    officer: 'Officer', gridWorker: 'Grid worker', area: 'Area', since: 'since',
    none: 'not assigned', noSquad: 'No squad', squads: 'Squads',
    townships: 'Township outlines', grids: 'Grids', tiles: 'Background',
    shown: function (n, all) { return 'Showing ' + n + (n === 1 ? ' grid' : ' grids') + (all !== n ? ' of ' + all : ''); },
    km2: function (v) { return v + ' km²'; },
    failed: 'The map data could not be loaded; reload the page to try again.',
    outlinesOnly: 'Township outlines only',
    noGridsHere: 'No grids in this township.',
    empty: 'No grids yet'
  } : {
    grid: '网格', village: '村（社区）', township: '乡镇（街道）', squad: '中队',
    officer: '执法队员', gridWorker: '网格员', area: '面积', since: '起',
    none: '未分配', noSquad: '未分配中队', squads: '执法中队',
    townships: '乡镇边界', grids: '网格', tiles: '底图',
    shown: function (n, all) { return '显示 ' + n + ' 个网格' + (all !== n ? '（共 ' + all + ' 个）' : ''); },
    km2: function (v) { return v + ' 平方公里'; },
    failed: '地图数据加载失败，请刷新页面重试。',
    outlinesOnly: '仅显示乡镇边界',
    noGridsHere: '该乡镇暂无网格。',
    empty: '暂无网格数据'
  };

  var statusEl = document.getElementById('map-status');
  var emptyEl = document.getElementById('map-empty');
  var select = document.getElementById('map-township');
  var withGrids = el.dataset.grids === '1';

  function status(text) { if (statusEl) statusEl.textContent = text; }

  var map = L.map(el, { zoomSnap: 0.25, preferCanvas: false });
  map.attributionControl.setPrefix(false);
  // Township outlines are drawn above the grids but never catch the mouse.
  map.createPane('outlines');
  map.getPane('outlines').style.zIndex = 450;
  map.getPane('outlines').style.pointerEvents = 'none';

  var overlays = {};
  var tiles = (el.dataset.tiles || '').trim();
  if (tiles) {
    var base = L.tileLayer(tiles, { maxZoom: 18 }).addTo(map);
    overlays[T.tiles] = base;
  }

  var outlines = L.featureGroup().addTo(map);
  var gridLayer = L.featureGroup().addTo(map);
  overlays[T.townships] = outlines;
  if (withGrids) overlays[T.grids] = gridLayer;
  L.control.layers(null, overlays, { collapsed: false, position: 'topright' }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  // A colour per squad, the same on every page load: the squad's code is
  // hashed to a slot of the palette; squads whose slot is taken move on to
  // the next free one (in order of code), so squads on the map never share
  // a colour until the palette runs out.
  var PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#17becf',
    '#e377c2', '#8c564b', '#bcbd22', '#3949ab', '#f4b400', '#00897b'];
  var NO_SQUAD = '#9e9e9e';
  var colours = {};
  function hash(s) {
    var h = 0x811c9dc5;
    for (var i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }
  function squadKey(squad) { return squad ? String(squad.code || squad.id || squad.name) : ''; }
  function assignColours(squads) {
    var keys = Object.keys(squads).sort();
    var used = {};
    var taken = 0;
    keys.forEach(function (k) {
      if (taken === PALETTE.length) { used = {}; taken = 0; }
      var slot = hash(k) % PALETTE.length;
      while (used[slot]) slot = (slot + 1) % PALETTE.length;
      used[slot] = true;
      taken++;
      colours[k] = PALETTE[slot];
    });
  }
  function squadColour(squad) {
    if (!squad) return NO_SQUAD;
    return colours[squadKey(squad)] || PALETTE[hash(squadKey(squad)) % PALETTE.length];
  }

  // Names of the townships in the page's language, from the filter.
  var names = {};
  if (select) {
    Array.prototype.forEach.call(select.options, function (o) { if (o.value) names[o.value] = o.textContent; });
  }

  function node(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  function holder(h) {
    if (!h) return node('span', 'none', T.none);
    var span = node('span', null, h.name);
    if (h.since) {
      span.title = T.since + ' ' + String(h.since).slice(0, 10);
    }
    return span;
  }

  function popup(p) {
    var box = node('div', 'grid-popup');
    var h = node('h3', null, p.name + ' ');
    h.appendChild(node('small', null, p.code));
    box.appendChild(h);
    var table = node('table');
    function row(label, value) {
      var tr = table.insertRow();
      tr.appendChild(node('th', null, label));
      var td = tr.insertCell();
      if (typeof value === 'string') td.textContent = value; else td.appendChild(value);
      return tr;
    }
    row(T.village, p.village_name || p.village || '—');
    row(T.township, names[p.township] || p.township_name || p.township || '—');
    row(T.squad, holder(p.squad));
    row(T.officer, holder(p.officer)).className = 'officer';
    row(T.gridWorker, holder(p.grid_worker));
    if (typeof p.area_m2 === 'number') row(T.area, T.km2((p.area_m2 / 1e6).toFixed(2)));
    box.appendChild(table);
    return box;
  }

  var allGrids = [];     // {layer, props}
  var townshipLayers = {}; // code -> layer
  var county = null;

  var legend = L.control({ position: 'bottomright' });
  legend.onAdd = function () {
    var div = node('div', 'map-legend');
    div.id = 'map-legend';
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  legend.addTo(map);

  function drawLegend(shown) {
    var div = document.getElementById('map-legend');
    if (!div) return;
    div.textContent = '';
    var squads = {};
    shown.forEach(function (g) {
      var s = g.props.squad;
      var key = squadKey(s);
      if (!squads[key]) squads[key] = { key: key, name: s ? s.name : T.noSquad, colour: squadColour(s), n: 0, none: !s };
      squads[key].n++;
    });
    var list = Object.keys(squads).map(function (k) { return squads[k]; });
    if (!list.length) { div.style.display = 'none'; return; }
    div.style.display = '';
    list.sort(function (a, b) { return (a.none - b.none) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0); });
    div.appendChild(node('h2', null, T.squads));
    var ul = node('ul');
    list.forEach(function (s) {
      var li = node('li');
      var sw = node('span', 'sw');
      sw.style.background = s.colour;
      li.appendChild(sw);
      li.appendChild(document.createTextNode(s.name));
      li.appendChild(node('span', 'n', '(' + s.n + ')'));
      ul.appendChild(li);
    });
    div.appendChild(ul);
  }

  function boundsOf(layers) {
    var b = L.latLngBounds([]);
    layers.forEach(function (l) { if (l.getBounds) b.extend(l.getBounds()); });
    return b;
  }

  function fit(b) {
    if (!b || !b.isValid()) return false;
    map.fitBounds(b, { padding: [16, 16] });
    return true;
  }

  // Show the grids of one township (or all) and zoom to it.
  function show(code, zoom) {
    var shown = allGrids.filter(function (g) { return !code || g.props.township === code; });
    gridLayer.clearLayers();
    shown.forEach(function (g) { gridLayer.addLayer(g.layer); });
    drawLegend(shown);
    if (withGrids) {
      if (!allGrids.length) {
        status(T.shown(0, 0));
      } else {
        status(T.shown(shown.length, allGrids.length) + (code && !shown.length ? ' · ' + T.noGridsHere : ''));
      }
    }
    if (!zoom) return false;
    if (code && townshipLayers[code]) return fit(townshipLayers[code].getBounds());
    if (shown.length) return fit(boundsOf(shown.map(function (g) { return g.layer; })));
    if (county) return fit(county.getBounds());
    return fit(outlines.getBounds());
  }

  function getJSON(url) {
    return fetch(url, { headers: { 'Accept': 'application/geo+json, application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error(url + ': ' + r.status)); });
  }

  function drawOutlines(countyFc, townshipFc) {
    if (countyFc && countyFc.features && countyFc.features.length) {
      county = L.geoJSON(countyFc, {
        pane: 'outlines', interactive: false,
        style: { color: '#1d2733', weight: 4, opacity: 0.9, fill: false, className: 'county' }
      }).addTo(outlines);
    }
    var seen = {};
    if (townshipFc && townshipFc.features) {
      L.geoJSON(townshipFc, {
        pane: 'outlines', interactive: false,
        style: { color: '#37474f', weight: 2.5, opacity: 0.9, fill: false, className: 'township' },
        onEachFeature: function (f, layer) {
          var p = f.properties || {};
          townshipLayers[p.code] = layer;
          seen[p.code] = p.name;
          layer.bindTooltip(names[p.code] || p.name || p.code, {
            permanent: true, direction: 'center', className: 'township-label', interactive: false
          });
        }
      }).addTo(outlines);
    }
    // No township names from the server: name the filter from the outlines.
    if (select && select.options.length <= 1) {
      Object.keys(seen).sort().forEach(function (code) {
        var o = document.createElement('option');
        o.value = code;
        o.textContent = seen[code] || code;
        select.appendChild(o);
        names[code] = o.textContent;
      });
    }
  }

  function drawGrids(fc) {
    var features = (fc && fc.features) || [];
    var squads = {};
    features.forEach(function (f) {
      var sq = f.properties && f.properties.squad;
      if (sq) squads[squadKey(sq)] = true;
    });
    assignColours(squads);
    L.geoJSON({ type: 'FeatureCollection', features: features }, {
      style: function (f) {
        var c = squadColour(f.properties && f.properties.squad);
        return { color: '#ffffff', weight: 1, opacity: 1, fillColor: c, fillOpacity: 0.55, className: 'grid' };
      },
      onEachFeature: function (f, layer) {
        var p = f.properties || {};
        layer.bindTooltip(p.name + (p.village_name && p.village_name !== p.name ? ' · ' + p.village_name : ''), { sticky: true });
        layer.bindPopup(function () { return popup(p); }, { maxWidth: 320 });
        layer.on('popupopen', function () { layer.closeTooltip(); });
        // The path exists once the layer is on the map.
        layer.on('add', function () {
          var path = layer.getElement();
          if (path) path.setAttribute('data-code', p.code);
        });
        layer.on('mouseover', function () { layer.setStyle({ weight: 3, color: '#263238' }); });
        layer.on('mouseout', function () { layer.setStyle({ weight: 1, color: '#ffffff' }); });
        allGrids.push({ layer: layer, props: p });
      }
    });
    if (!features.length && emptyEl) emptyEl.hidden = false;
  }

  if (select) {
    select.addEventListener('change', function () { show(select.value, true); });
    if (select.form) select.form.addEventListener('submit', function (e) { e.preventDefault(); show(select.value, true); });
  }

  function soft(p) { return p.catch(function () { return null; }); }

  Promise.all([
    soft(getJSON('/api/v1/areas?level=county')),
    soft(getJSON('/api/v1/areas?level=township')),
    withGrids ? soft(getJSON('/api/v1/grids?format=geojson')) : Promise.resolve(null)
  ]).then(function (r) {
    drawOutlines(r[0], r[1]);
    var failed = !r[1] || (withGrids && !r[2]);
    if (withGrids && r[2]) drawGrids(r[2]);
    if (!withGrids) status(T.outlinesOnly);
    // Nothing to zoom to: a view of the whole country.
    if (!show('', true)) map.setView([35, 105], 4);
    if (failed) status(T.failed);
  }).catch(function () {
    status(T.failed);
    map.setView([35, 105], 4);
  });
})();
