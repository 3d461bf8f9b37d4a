// Power-list import: upload with a progress bar, then show every bad row.
(function () {
  var form = document.getElementById('import-form');
  if (!form) return;
  var bar = document.getElementById('import-progress');
  var status = document.getElementById('import-status');
  var result = document.getElementById('import-result');
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var file = document.getElementById('import-file').files[0];
    if (!file) return;
    var dry = document.getElementById('import-dry').checked;
    var type = /\.csv$/i.test(file.name) ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/power-items/import?dry_run=' + dry);
    xhr.setRequestHeader('Content-Type', type);
    xhr.setRequestHeader('X-CSRF-Token', form.dataset.csrf);
    bar.value = 0; bar.hidden = false; result.textContent = '';
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
    xhr.onload = function () {
      bar.value = 100;
      var r; try { r = JSON.parse(xhr.responseText); } catch (e) { r = null; }
      if (xhr.status !== 200 || !r) { status.textContent = (r && r.title) || ('HTTP ' + xhr.status); return; }
      status.textContent = form.dataset.done.replace('{rows}', r.rows).replace('{items}', r.items).replace('{errors}', r.errors.length).replace('{imported}', r.imported);
      if (r.errors.length) {
        var t = document.createElement('table'); t.className = 'grid'; t.id = 'import-errors';
        r.errors.forEach(function (e) {
          var tr = t.insertRow(); tr.insertCell().textContent = e.row; tr.insertCell().textContent = e.code || ''; tr.insertCell().textContent = e.reason;
        });
        result.appendChild(t);
      }
    };
    xhr.onerror = function () { status.textContent = 'network error'; };
    xhr.send(file);
  });
})();
