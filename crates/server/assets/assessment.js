// Assessment (考核): the forms of /assessment (make a run) and of
// /assessment/{id} (file an appeal, decide one), posted to
// /api/v1/assessment… with the session's CSRF token. A refusal comes back
// as problem+json and its message is shown by the form; a change taken
// opens the run, or reloads it with its new ranking.
(function () {
  var Y = window.Yw;
  if (!Y) return;
  var root = document.getElementById('assessment') || document.getElementById('assessment-run');
  if (!root) return;
  var en = root.dataset.lang === 'en';
  var csrf = root.dataset.csrf;
  var T = en
    ? { network: 'No connection; nothing was saved. Try again.', working: 'Saving…' }
    : { network: '网络不可用，未能保存，请重试。', working: '正在提交……' };

  function val(f, name) {
    var el = f.elements[name];
    return el ? String(el.value || '').trim() : '';
  }
  function say(f, msg) {
    var e = f.querySelector('.step-error');
    e.textContent = msg || '';
    e.hidden = !msg;
  }
  function send(f, url, body, done) {
    var b = f.querySelector('button[type=submit]');
    var label = b.textContent;
    b.disabled = true;
    b.textContent = T.working;
    say(f, '');
    Y.api('POST', url, body, csrf).then(function (res) {
      b.disabled = false;
      b.textContent = label;
      if (!res.ok) { say(f, Y.problem(res.v, en)); return; }
      done(res.v);
    }).catch(function () {
      b.disabled = false;
      b.textContent = label;
      say(f, T.network);
    });
  }
  function on(id, handler) {
    var f = document.getElementById(id);
    if (f) f.addEventListener('submit', function (e) { e.preventDefault(); handler(f); });
  }

  on('new-run', function (f) {
    send(f, '/api/v1/assessment/runs', {
      jurisdiction: val(f, 'jurisdiction'),
      subject_kind: val(f, 'subject_kind'),
      from: val(f, 'from'),
      to: val(f, 'to'),
      title: val(f, 'title')
    }, function (run) { location.href = '/assessment/' + encodeURIComponent(run.id); });
  });

  on('new-appeal', function (f) {
    var run = encodeURIComponent(root.dataset.id);
    send(f, '/api/v1/assessment/runs/' + run + '/appeals', {
      subject: val(f, 'subject'),
      reason: val(f, 'reason')
    }, function () { location.reload(); });
  });

  document.querySelectorAll('form.resolve-appeal').forEach(function (f) {
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      var body = { accepted: val(f, 'accepted') === 'true', reason: val(f, 'reason') };
      var score = val(f, 'adjusted_score');
      if (score !== '') body.adjusted_score = Number(score);
      send(f, '/api/v1/assessment/appeals/' + encodeURIComponent(f.dataset.appeal) + '/resolve', body,
        function () { location.reload(); });
    });
  });
})();
