// Small page behaviours, no framework: print buttons, and search as you
// type on the public power list (the same API the page is rendered from).
(function () {
  document.querySelectorAll('[data-print]').forEach(function (b) {
    b.addEventListener('click', function () { window.print(); });
  });

  var q = document.getElementById('q');
  var results = document.getElementById('results');
  if (!q || !results) return;
  var form = q.form;
  var status = document.getElementById('search-status');
  var total = document.getElementById('total');
  var en = results.dataset.lang === 'en';
  var timer = null;
  var seq = 0;

  function cell(tr, text) {
    var td = document.createElement('td');
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function render(page) {
    results.textContent = '';
    if (!page.items.length) {
      var p = document.createElement('p');
      p.className = 'empty';
      p.textContent = en ? results.dataset.emptyEn : results.dataset.emptyZh;
      results.appendChild(p);
    } else {
      var table = document.createElement('table');
      table.className = 'grid';
      table.id = 'items';
      var head = table.createTHead().insertRow();
      (en ? ['Code', 'Item', 'Kind', 'Field'] : ['编码', '事项名称', '类型', '领域']).forEach(function (h) {
        var th = document.createElement('th');
        th.textContent = h;
        head.appendChild(th);
      });
      var body = table.createTBody();
      page.items.forEach(function (i) {
        var tr = body.insertRow();
        cell(tr, i.code);
        var td = cell(tr, '');
        var a = document.createElement('a');
        a.href = '/power-list/' + encodeURIComponent(i.code);
        // name_html is escaped by the server; only <mark> is added
        a.innerHTML = i.name_html;
        td.appendChild(a);
        cell(tr, i.kind);
        cell(tr, i.field);
      });
      results.appendChild(table);
    }
    if (total) total.textContent = page.total;
  }

  function search() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (v, k) {
      if (k !== 'page' && String(v).trim() !== '') params.set(k, v);
    });
    params.set('per_page', '30');
    var mine = ++seq;
    var started = performance.now();
    fetch('/api/v1/power-items?' + params.toString(), { headers: { 'Accept': 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (page) {
        if (mine !== seq) return; // a newer keystroke won
        render(page);
        var ms = Math.round(performance.now() - started);
        if (status) status.textContent = (en ? page.total + ' items · ' + ms + ' ms' : '共 ' + page.total + ' 项 · ' + ms + ' 毫秒');
        params.delete('per_page');
        history.replaceState(null, '', '/power-list?' + params.toString());
      })
      .catch(function () {
        if (mine === seq && status) status.textContent = en ? 'Search failed; press Search to retry.' : '搜索失败，请点击“查询”重试。';
      });
  }

  q.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(search, 120);
  });
  form.querySelectorAll('select').forEach(function (s) { s.addEventListener('change', search); });
})();
