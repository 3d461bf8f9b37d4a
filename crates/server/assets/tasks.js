// My tasks (我的任务): the reports dispatched to the logged-in officer (or,
// for a squad leader, to the squad without an officer), with the next step
// as a button — accept or refuse, start, report back. Kept current from the
// live stream: a task dispatched to me appears without reloading the page.
(function () {
  var root = document.getElementById('tasks');
  if (!root || !window.Yw) return;
  var Y = window.Yw;
  var $ = Y.$;
  var en = root.dataset.lang === 'en';
  var csrf = root.dataset.csrf;
  var me = root.dataset.staff;
  var squad = root.dataset.squad;
  var T = en ? {
    live: 'Live', offline: 'Live updates interrupted — reconnecting…',
    total: function (n) { return n + (n === 1 ? ' task' : ' tasks'); },
    accept: 'Accept', refuse: 'Refuse', start: 'Start handling', reportBack: 'Report back',
    reason: 'Why refuse (required)', note: 'What was done (required)', waiting: 'Reported back; waiting for verification on site.',
    deadline: 'Deadline', received: 'Received', overdue: 'Overdue', network: 'No connection; try again.',
    needReason: 'Give a reason.', needNote: 'Describe what was done.', squadTask: 'for the squad'
  } : {
    live: '实时更新中', offline: '实时连接中断，正在重连……',
    total: function (n) { return '共 ' + n + ' 项'; },
    accept: '接收', refuse: '退回', start: '开始处置', reportBack: '反馈结果',
    reason: '退回理由（必填）', note: '处置情况（必填）', waiting: '已反馈，等待现场核查。',
    deadline: '期限', received: '上报', overdue: '超期', network: '网络不可用，请重试。',
    needReason: '请填写退回理由。', needNote: '请填写处置情况。', squadTask: '派给本中队'
  };
  var TASK = ['dispatched', 'accepted', 'handling', 'reported_back'];
  var list = $('task-list');
  var emptyEl = $('t-empty');
  var totalEl = $('t-total');
  var errorEl = $('t-error');
  var shown = {}; // id -> {li, r}

  function showError(msg) { errorEl.textContent = msg || ''; errorEl.hidden = !msg; }

  function mine(r) {
    if (TASK.indexOf(r.status) < 0) return false;
    if (me && (r.dispatched_to === me || r.handler === me)) return true;
    return !!(squad && !r.dispatched_to && !r.handler && r.dispatched_squad === squad);
  }

  function button(action, label, cls) {
    var b = Y.node('button', cls || null, label);
    b.type = 'button';
    b.dataset.action = action;
    return b;
  }

  function fill(li, r) {
    li.textContent = '';
    li.id = 'task-' + r.id;
    li.dataset.id = r.id;
    li.dataset.status = r.status;
    var head = Y.node('div', 'task-head');
    head.appendChild(Y.node('span', 'badge urg-' + r.urgency, Y.urgencyLabel(r.urgency, en)));
    head.appendChild(Y.node('span', 'badge st-' + r.status, Y.statusLabel(r.status)));
    if (Y.isOverdue(r)) head.appendChild(Y.node('span', 'badge overdue', T.overdue));
    if (!r.dispatched_to && !r.handler) head.appendChild(Y.node('span', 'badge', T.squadTask));
    li.appendChild(head);
    li.appendChild(Y.node('p', 'task-desc', r.description));
    var meta = [r.grid_name || r.grid, r.township_name, T.received + ' ' + Y.when(r.received_at)];
    if (r.deadline_at) meta.push(T.deadline + ' ' + Y.when(r.deadline_at));
    li.appendChild(Y.node('p', 'task-meta', meta.filter(Boolean).join(' · ')));
    var acts = Y.node('div', 'task-actions');
    if (r.status === 'dispatched') {
      acts.appendChild(button('accept', T.accept, 'primary'));
      var reason = Y.node('input', 'task-reason');
      reason.placeholder = T.reason;
      reason.setAttribute('aria-label', T.reason);
      acts.appendChild(reason);
      acts.appendChild(button('refuse', T.refuse));
    } else if (r.status === 'accepted') {
      acts.appendChild(button('start', T.start, 'primary'));
    } else if (r.status === 'handling') {
      var note = Y.node('textarea', 'task-note');
      note.placeholder = T.note;
      note.setAttribute('aria-label', T.note);
      note.rows = 2;
      acts.appendChild(note);
      acts.appendChild(button('report_back', T.reportBack, 'primary'));
    } else if (r.status === 'reported_back') {
      acts.appendChild(Y.node('p', 'muted', T.waiting));
    }
    li.appendChild(acts);
  }

  function order() {
    // the nearest deadline first; none last
    var items = Object.keys(shown).map(function (id) { return shown[id]; });
    items.sort(function (a, b) {
      var x = a.r.deadline_at || '9999', y = b.r.deadline_at || '9999';
      return x < y ? -1 : x > y ? 1 : 0;
    });
    items.forEach(function (e) { list.appendChild(e.li); });
  }

  function update() {
    var n = Object.keys(shown).length;
    emptyEl.hidden = n > 0;
    totalEl.textContent = T.total(n);
  }

  function upsert(r, fresh) {
    if (!mine(r)) { remove(r.id); return; }
    var e = shown[r.id];
    var li = e ? e.li : Y.node('li', 'task');
    // keep what is being typed when only the details changed
    var typing = e && e.r.status === r.status &&
      Array.prototype.some.call(li.querySelectorAll('input, textarea'), function (x) { return x.value; });
    if (!typing) fill(li, r);
    if (e) e.r = r; else shown[r.id] = { li: li, r: r };
    if (fresh) {
      li.classList.remove('fresh');
      void li.offsetWidth;
      li.classList.add('fresh');
    }
    order();
    update();
  }

  function remove(id) {
    if (!shown[id]) return;
    shown[id].li.remove();
    delete shown[id];
    update();
  }

  function load() {
    showError('');
    Promise.all(TASK.map(function (s) {
      return Y.api('GET', '/api/v1/reports?status=' + s + '&per_page=500');
    })).then(function (all) {
      var bad = all.filter(function (res) { return !res.ok; })[0];
      if (bad) { showError(Y.problem(bad.v, en)); return; }
      list.textContent = '';
      shown = {};
      all.forEach(function (res) { res.v.items.forEach(function (r) { upsert(r, false); }); });
      update();
    }).catch(function () { showError(T.network); });
  }

  list.addEventListener('click', function (ev) {
    var b = ev.target.closest('button[data-action]');
    if (!b) return;
    var li = b.closest('li');
    var id = li.dataset.id;
    var body = { action: b.dataset.action };
    if (body.action === 'refuse') {
      body.reason = li.querySelector('.task-reason').value.trim();
      if (!body.reason) { showError(T.needReason); return; }
    }
    if (body.action === 'report_back') {
      body.note = li.querySelector('.task-note').value.trim();
      if (!body.note) { showError(T.needNote); return; }
    }
    showError('');
    b.disabled = true;
    Y.api('POST', '/api/v1/reports/' + encodeURIComponent(id) + '/actions', body, csrf).then(function (res) {
      b.disabled = false;
      if (!res.ok) { showError(Y.problem(res.v, en)); return; }
      upsert(res.v, false);
    }).catch(function () { b.disabled = false; showError(T.network); });
  });

  Y.stream(function (c) {
    // the event names no officer: ask for the report when it could be mine
    if (!shown[c.id] && TASK.indexOf(c.status) < 0) return;
    Y.api('GET', '/api/v1/reports/' + encodeURIComponent(c.id)).then(function (res) {
      if (res.ok) upsert(res.v, !shown[c.id]);
    }).catch(function () {});
  }, function (on) {
    var el = $('t-live');
    el.textContent = on ? T.live : T.offline;
    el.classList.toggle('off', !on);
  }, load);

  setInterval(function () {
    Object.keys(shown).forEach(function (id) {
      var e = shown[id];
      var late = Y.isOverdue(e.r);
      if (late !== !!e.li.querySelector('.badge.overdue')) fill(e.li, e.r);
    });
  }, 30000);

  load();
})();
