// Penalty cases (执法案件): the forms of /cases (file a case, decide on the
// spot) and the steps of /cases/{id}, posted to /api/v1/cases… with the
// session's CSRF token. The rules are the API's: a refusal comes back as
// problem+json and its message (naming the article) is shown by the form;
// a step taken reloads the case, which then offers the next ones.
(function () {
  var Y = window.Yw;
  if (!Y) return;
  var list = document.getElementById('cases');
  var one = document.getElementById('case');
  var root = list || one;
  if (!root) return;
  var en = root.dataset.lang === 'en';
  var csrf = root.dataset.csrf;
  var T = en ? {
    network: 'No connection; nothing was saved. Try again.',
    working: 'Saving…',
    twoOfficers: 'Choose the officers who acted.',
    noItems: 'The township holds no penalty item.',
    penalty: 'Give a fine or a warning.'
  } : {
    network: '网络不可用，未能保存，请重试。',
    working: '正在提交……',
    twoOfficers: '请选择办案的执法人员。',
    noItems: '该乡镇没有承接的行政处罚事项。',
    penalty: '请填写罚款或者选择警告。'
  };

  // ---- reading a form ----
  function val(f, name) {
    var el = f.elements[name];
    return el ? String(el.value || '').trim() : '';
  }
  function opt(f, name) { var v = val(f, name); return v ? v : undefined; }
  function checked(f, name) { var el = f.elements[name]; return !!(el && el.checked); }
  function num(f, name) { var v = val(f, name); return v === '' ? undefined : Number(v); }
  function fen(f, name) { var v = val(f, name); return v === '' ? 0 : Math.round(parseFloat(v) * 100); }
  function lines(f, name) {
    return val(f, name).split(/\r?\n/).map(function (s) { return s.trim(); }).filter(Boolean);
  }
  function all(f, name) {
    return Array.prototype.filter.call(f.querySelectorAll('input[name="' + name + '"]'), function (i) {
      return i.checked;
    }).map(function (i) { return i.value; });
  }
  function tier(f) { var v = val(f, 'tier'); return v === '' ? {} : { tier: Number(v) }; }
  function penalty(f) {
    var p = { fine: fen(f, 'fine') };
    if (checked(f, 'warning')) p.warning = true;
    return p;
  }

  function say(f, msg) {
    var e = f.querySelector('.step-error') || document.getElementById('c-error');
    e.textContent = msg || '';
    e.hidden = !msg;
  }

  // Send one change; `done(v)` with the answer's body when it was taken.
  function send(f, method, url, body, done) {
    var b = f.querySelector('button[type=submit]');
    var label = b ? b.textContent : '';
    if (b) { b.disabled = true; b.textContent = T.working; }
    say(f, '');
    Y.api(method, url, body, csrf).then(function (res) {
      if (b) { b.disabled = false; b.textContent = label; }
      if (!res.ok) { say(f, Y.problem(res.v, en)); return; }
      done(res.v);
    }).catch(function () {
      if (b) { b.disabled = false; b.textContent = label; }
      say(f, T.network);
    });
  }

  // ---- /cases: the items and officers of the township chosen ----
  if (list) {
    list.querySelectorAll('form.new-case').forEach(function (f) {
      var town = f.querySelector('.pick-township');
      town.addEventListener('change', function () {
        var code = encodeURIComponent(town.value);
        Y.api('GET', '/api/v1/power-items?kind=' + encodeURIComponent('行政处罚') + '&per_page=500&township=' + code)
          .then(function (res) {
            if (!res.ok) { say(f, Y.problem(res.v, en)); return; }
            var sel = f.querySelector('.pick-item');
            sel.textContent = '';
            res.v.items.forEach(function (i) {
              var o = Y.node('option', null, i.name + '（' + i.code + '）');
              o.value = i.code;
              sel.appendChild(o);
            });
            say(f, res.v.items.length ? '' : T.noItems);
          }).catch(function () { say(f, T.network); });
        var box = f.querySelector('.officer-list');
        if (!box) return;
        Y.api('GET', '/api/v1/staff?per_page=500&township=' + code).then(function (res) {
          if (!res.ok) return;
          box.textContent = '';
          res.v.items.filter(function (s) { return s.post !== 'grid_worker'; }).forEach(function (s) {
            var l = Y.node('label', 'check');
            var i = document.createElement('input');
            i.type = 'checkbox';
            i.name = 'officers';
            i.value = s.id;
            l.appendChild(i);
            l.appendChild(document.createTextNode(' ' + s.name));
            box.appendChild(l);
          });
        }).catch(function () {});
      });
    });

    var filing = document.getElementById('new-case');
    if (filing) filing.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var f = filing;
      send(f, 'POST', '/api/v1/cases', {
        township: val(f, 'township'), item_code: val(f, 'item_code'), title: val(f, 'title'),
        act_date: val(f, 'act_date'), act_ended: opt(f, 'act_ended'), grave_harm: checked(f, 'grave_harm')
      }, function (v) { location.href = '/cases/' + encodeURIComponent(v.id); });
    });

    var spot = document.getElementById('new-summary');
    if (spot) spot.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var f = spot;
      var officers = all(f, 'officers');
      if (!officers.length) { say(f, T.twoOfficers); return; }
      var p = penalty(f);
      if (!p.fine && !p.warning) { say(f, T.penalty); return; }
      var party = { kind: val(f, 'party_kind'), name: val(f, 'party_name'), address: opt(f, 'party_address') };
      if (party.kind === 'organisation') {
        party.credit_code = val(f, 'party_number');
        party.representative = { name: val(f, 'representative'), title: '法定代表人' };
      } else {
        party.id_number = val(f, 'party_number');
      }
      send(f, 'POST', '/api/v1/cases/summary', {
        township: val(f, 'township'), item_code: val(f, 'item_code'), title: val(f, 'title'),
        party: party, officers: officers, credentials_shown: checked(f, 'credentials_shown'),
        facts_certain: checked(f, 'facts_certain'), violation: val(f, 'violation'), penalty: p,
        basis: val(f, 'basis'), correction: val(f, 'correction'), place: val(f, 'place'),
        remedies: val(f, 'remedies'),
        signature: val(f, 'signature') === 'refused' ? { refused: { noted: true } } : 'signed'
      }, function (v) { location.href = '/cases/' + encodeURIComponent(v.case.id); });
    });
    return;
  }

  // ---- /cases/{id}: the next steps ----
  var id = one.dataset.id;
  var base = '/api/v1/cases/' + encodeURIComponent(id);
  var today = one.dataset.today;

  // Each step: the request it makes from its form.
  var STEPS = {
    party: function (f) {
      var p = { kind: val(f, 'kind'), name: val(f, 'name'), phone: opt(f, 'phone'), address: opt(f, 'address') };
      if (p.kind === 'organisation') {
        p.credit_code = val(f, 'number');
        p.representative = { name: val(f, 'representative'), title: val(f, 'representative_title') };
      } else {
        p.id_number = val(f, 'number');
      }
      return ['PUT', base + '/party', p];
    },
    investigate: function (f) {
      return ['POST', base + '/actions', {
        action: 'investigate', kind: val(f, 'kind'), officers: all(f, 'officers'),
        credentials_shown: checked(f, 'credentials_shown'), note: val(f, 'note')
      }];
    },
    serve_notice: function (f) {
      return ['POST', base + '/actions', { action: 'serve_notice', notice: {
        penalty: penalty(f), discretion: tier(f), facts: val(f, 'facts'), reasons: val(f, 'reasons'),
        basis: lines(f, 'basis'), statement_rights: true, hearing_right: checked(f, 'hearing_right'),
        statement_days: num(f, 'statement_days') || 0
      } }];
    },
    waive: function (f) {
      return ['POST', base + '/actions', { action: 'waive', statement: checked(f, 'statement'), hearing: checked(f, 'hearing') }];
    },
    record_statement: function (f) {
      return ['POST', base + '/actions', { action: 'record_statement', text: val(f, 'text') }];
    },
    request_hearing: function () { return ['POST', base + '/actions', { action: 'request_hearing' }]; },
    schedule_hearing: function (f) {
      return ['POST', base + '/actions', { action: 'schedule_hearing', schedule: {
        notified_on: val(f, 'notified_on'), hearing_on: val(f, 'hearing_on'), place: val(f, 'place'),
        presiding: val(f, 'presiding'), public: checked(f, 'public'), closed_reason: opt(f, 'closed_reason')
      } }];
    },
    conclude_hearing: function (f) {
      var o = val(f, 'outcome');
      var outcome = o === 'held' ? { outcome: 'held', agents: num(f, 'agents') || 0, minutes: 'signed' } : { outcome: o };
      return ['POST', base + '/actions', { action: 'conclude_hearing', outcome: outcome }];
    },
    submit_legal_review: function (f) {
      return ['POST', base + '/actions', { action: 'submit_legal_review', reviewer: val(f, 'reviewer') }];
    },
    record_legal_review: function (f) {
      return ['POST', base + '/actions', { action: 'record_legal_review', passed: checked(f, 'passed'), opinion: val(f, 'opinion') }];
    },
    decide: function (f) {
      var letter = {
        number: val(f, 'number'), party_name: val(f, 'party_name'), party_address: val(f, 'party_address'),
        facts: val(f, 'facts'), evidence: lines(f, 'evidence'), penalty: penalty(f), discretion: tier(f),
        basis: lines(f, 'basis'), correction: val(f, 'correction'), performance: val(f, 'performance'),
        remedies: {
          reconsideration_body: val(f, 'reconsideration_body'), reconsideration_days: num(f, 'reconsideration_days') || 0,
          court: val(f, 'court'), litigation_months: num(f, 'litigation_months') || 0
        },
        agency: val(f, 'agency'), date: today, sealed: checked(f, 'sealed')
      };
      return ['POST', base + '/actions', {
        action: 'decide', decision: { kind: 'penalise', letter: letter }, late_reason: opt(f, 'late_reason')
      }];
    },
    decision_document: function (f) {
      var fields = JSON.parse(f.dataset.fields || '{}');
      fields.violation = val(f, 'violation');
      if (val(f, 'party_address')) fields.party.address = val(f, 'party_address');
      if (val(f, 'bank')) {
        fields.performance = {
          days: 15, method: '持本决定书到指定银行缴纳', bank: val(f, 'bank'),
          account_name: val(f, 'account_name'), account: val(f, 'account')
        };
      }
      return ['POST', base + '/documents', { kind: 'penalty_decision', fields: fields }];
    },
    serve: function (f) {
      var m = val(f, 'method');
      var method = m === 'personal' ? { method: 'personal', received_on: val(f, 'received_on') } : { method: 'on_the_spot' };
      return ['POST', base + '/actions', { action: 'serve', method: method }];
    },
    record_payment: function (f) {
      return ['POST', base + '/actions', { action: 'record_payment', payment: { paid_on: val(f, 'paid_on'), amount: fen(f, 'amount') } }];
    },
    record_performance: function (f) {
      return ['POST', base + '/actions', { action: 'record_performance', note: val(f, 'note') }];
    },
    close: function (f) { return ['POST', base + '/actions', { action: 'close', reason: val(f, 'reason') }]; },
    archive: function (f) {
      return ['POST', base + '/actions', { action: 'archive', number: val(f, 'number'), full_record: checked(f, 'full_record') }];
    },
    summary_document: function () { return ['POST', base + '/documents', { kind: 'summary_decision' }]; },
    summary_filing: function (f) {
      var ground = val(f, 'ground');
      var body = {};
      if (ground) {
        body.collection = { ground: ground, receipt_number: val(f, 'receipt_number') };
        if (ground !== 'small_fine') body.collection.reason = val(f, 'reason');
      }
      return ['POST', base + '/summary/filing', body];
    }
  };

  one.querySelectorAll('form.step').forEach(function (f) {
    f.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var make = STEPS[f.dataset.step];
      if (!make) return;
      var req;
      try { req = make(f); } catch (e) { say(f, String(e)); return; }
      send(f, req[0], req[1], req[2], function () {
        // the case as it now stands, with the steps that follow
        location.reload();
      });
    });
  });
})();
