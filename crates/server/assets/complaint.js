// The public complaint form and the status lookup (no account). One
// Idempotency-Key per filled form: pressing Submit twice, or a retry after
// a lost answer, files one complaint.
(function () {
  var root = document.getElementById('complaint');
  if (!root) return;
  var en = root.dataset.lang === 'en';
  var T = en ? {
    noGeo: 'This browser cannot tell the location; enter longitude and latitude.',
    geoFailed: 'The location could not be read; enter it by hand.',
    network: 'No connection; nothing was sent. Try again.',
    status: 'Status', received: 'Received', updated: 'Last change', township: 'Township',
    none: 'No complaint has this code.',
    steps: { receive: 'Received', dispatch: 'Dispatched to the squad', accept: 'Accepted by the officer',
      start: 'Being handled', report_back: 'Handled, awaiting verification', verify: 'Verified on site',
      close: 'Closed', evaluate: 'Evaluated', refuse: 'Returned for re-dispatch', hand_over: 'Handed to another platform',
      merge: 'Merged with an earlier report of the same matter', flag_emergency: 'Passed to emergency management',
      reject: 'Not accepted', resume: 'Resumed', pause_approved: 'Paused', extension_approved: 'Extended' }
  } : {
    noGeo: '此浏览器无法获取位置，请手工填写经纬度。',
    geoFailed: '无法获取位置，请手工填写。',
    network: '网络不可用，未能提交，请重试。',
    status: '状态', received: '受理时间', updated: '最近更新', township: '所属乡镇',
    none: '没有此查询码对应的投诉。',
    steps: { receive: '已受理', dispatch: '已派遣至执法中队', accept: '执法人员已接收',
      start: '处置中', report_back: '已处置，待核查', verify: '已现场核查',
      close: '已结案', evaluate: '已评价', refuse: '退回重新派遣', hand_over: '已转交其他平台',
      merge: '与先前同一事项合并办理', flag_emergency: '已推送应急管理平台',
      reject: '不予受理', resume: '恢复办理', pause_approved: '暂停办理', extension_approved: '已延期' }
  };
  var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
  var $ = function (id) { return document.getElementById(id); };
  var when = function (s) { return s ? new Date(s).toLocaleString(en ? 'en-GB' : 'zh-CN') : ''; };
  function showError(msg) { var e = $('c-error'); e.textContent = msg; e.hidden = !msg; }

  $('c-locate').addEventListener('click', function () {
    if (!navigator.geolocation) { showError(T.noGeo); return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      $('c-lon').value = p.coords.longitude.toFixed(6);
      $('c-lat').value = p.coords.latitude.toFixed(6);
      showError('');
    }, function () { showError(T.geoFailed); }, { enableHighAccuracy: true, timeout: 10000 });
  });

  $('complaint-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    showError('');
    var body = {
      description: $('c-description').value,
      lon: parseFloat($('c-lon').value),
      lat: parseFloat($('c-lat').value),
      crs: 'wgs84'
    };
    $('c-submit').disabled = true;
    fetch('/api/v1/public/complaints', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key, 'Accept-Language': en ? 'en' : 'zh-CN' },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (v) { return { ok: r.ok, v: v }; });
    }).then(function (res) {
      $('c-submit').disabled = false;
      if (!res.ok) { showError(en ? res.v.message_en : res.v.message_zh); return; }
      $('c-code').textContent = res.v.tracking_code;
      $('c-receipt').hidden = false;
      $('complaint-form').hidden = true;
      $('t-code').value = res.v.tracking_code;
      track(res.v.tracking_code);
    }).catch(function () { $('c-submit').disabled = false; showError(T.network); });
  });

  function track(code) {
    var out = $('t-result');
    out.textContent = '';
    fetch('/api/v1/public/complaints/' + encodeURIComponent(code.trim())).then(function (r) {
      return r.json().then(function (v) { return { ok: r.ok, v: v }; });
    }).then(function (res) {
      if (!res.ok) { out.textContent = T.none; return; }
      var v = res.v;
      var dl = document.createElement('dl');
      [[T.status, en ? v.status_en : v.status_zh], [T.township, v.township],
       [T.received, when(v.received_at)], [T.updated, when(v.updated_at)]].forEach(function (kv) {
        var dt = document.createElement('dt'); dt.textContent = kv[0];
        var dd = document.createElement('dd'); dd.textContent = kv[1];
        dd.id = kv[0] === T.status ? 't-status' : '';
        dl.appendChild(dt); dl.appendChild(dd);
      });
      var ol = document.createElement('ol');
      ol.className = 'steps';
      v.steps.forEach(function (s) {
        var li = document.createElement('li');
        li.textContent = when(s.at) + ' ' + (T.steps[s.action] || s.action);
        ol.appendChild(li);
      });
      out.appendChild(dl);
      out.appendChild(ol);
    }).catch(function () { out.textContent = T.network; });
  }

  $('track-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    track($('t-code').value);
  });
  if (root.dataset.code) track(root.dataset.code);
})();
