// Baton's dashboard: draws the overview's sparklines with uPlot from the live feed's
// "series" and "point" events, and keeps each chart across the feed's HTML swaps by
// moving its canvas into the new row's placeholder. No inline script, no eval: the
// page's Content-Security-Policy allows only files from this origin.
(function () {
  'use strict';

  var METRICS = ['rps', 'err', 'p99'];
  var COLOURS = { rps: '#2563eb', err: '#d97706', p99: '#7c3aed' };
  var MAX_POINTS = 180; // 15 minutes of 5-second steps
  var times = [];
  var data = {}; // service id -> { rps: [], err: [], p99: [] }
  var charts = {}; // "id|metric" -> uPlot

  function series(id) {
    if (!data[id]) {
      data[id] = { rps: [], err: [], p99: [] };
      for (var i = 0; i < times.length; i++) {
        METRICS.forEach(function (m) { data[id][m].push(null); });
      }
    }
    return data[id];
  }

  function make(el, id, metric) {
    var opts = {
      width: 96,
      height: 24,
      class: 'sparkline',
      cursor: { show: false },
      legend: { show: false },
      select: { show: false },
      scales: { x: { time: false } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: COLOURS[metric], width: 1, fill: COLOURS[metric] + '22', spanGaps: false }]
    };
    return new uPlot(opts, [times, series(id)[metric]], el);
  }

  // After every swap, put each service's charts back in their placeholders; drop the
  // charts of services that are gone.
  function attach() {
    if (typeof uPlot === 'undefined') {
      return;
    }
    var seen = {};
    document.querySelectorAll('.spark').forEach(function (el) {
      var id = el.getAttribute('data-service');
      var metric = el.getAttribute('data-metric');
      var key = id + '|' + metric;
      seen[key] = true;
      var chart = charts[key];
      if (!chart) {
        charts[key] = make(el, id, metric);
      } else if (chart.root.parentNode !== el) {
        el.appendChild(chart.root);
      }
    });
    Object.keys(charts).forEach(function (key) {
      if (!seen[key]) {
        charts[key].destroy();
        delete charts[key];
      }
    });
  }

  function redraw() {
    Object.keys(charts).forEach(function (key) {
      var parts = key.split('|');
      var metric = parts.pop();
      var id = parts.join('|');
      charts[key].setData([times, series(id)[metric]]);
    });
  }

  function onSeries(msg) {
    times = msg.t.slice();
    data = {};
    Object.keys(msg.services).forEach(function (id) {
      var s = msg.services[id];
      data[id] = { rps: s.rps.slice(), err: s.err.slice(), p99: s.p99.slice() };
    });
    redraw();
  }

  function onPoint(msg) {
    if (times.length && msg.t <= times[times.length - 1]) {
      return; // already have it (a reconnect re-sent it)
    }
    times.push(msg.t);
    Object.keys(data).forEach(function (id) {
      var p = msg.services[id] || [null, null, null];
      METRICS.forEach(function (m, i) { data[id][m].push(p[i]); });
    });
    Object.keys(msg.services).forEach(function (id) {
      if (!data[id]) {
        var s = series(id); // a new service: nulls before, this point now
        METRICS.forEach(function (m, i) { s[m][s[m].length - 1] = msg.services[id][i]; });
      }
    });
    if (times.length > MAX_POINTS) {
      times.shift();
      Object.keys(data).forEach(function (id) {
        METRICS.forEach(function (m) { data[id][m].shift(); });
      });
    }
    redraw();
  }

  document.addEventListener('htmx:sseBeforeMessage', function (e) {
    var type = e.detail && e.detail.type;
    if (type === 'series' || type === 'point') {
      e.preventDefault(); // data for the charts, not HTML to swap
      var msg = JSON.parse(e.detail.data);
      if (type === 'series') {
        onSeries(msg);
      } else {
        onPoint(msg);
      }
    }
  });
  document.addEventListener('htmx:sseMessage', attach);
  document.addEventListener('DOMContentLoaded', attach);
})();

// The controls post to the admin API itself: as JSON without a body (which is what
// the API takes from a browser), with the page's CSRF token; what the API answers is
// shown beside them, and the live parts refresh at once.
(function () {
  'use strict';

  function token() {
    var meta = document.querySelector('meta[name="baton-csrf"]');
    return meta ? meta.getAttribute('content') : '';
  }

  document.addEventListener('htmx:configRequest', function (e) {
    if (e.detail.verb !== 'get') {
      e.detail.headers['Content-Type'] = 'application/json';
      e.detail.headers['X-CSRF-Token'] = token();
    }
  });

  document.addEventListener('htmx:afterRequest', function (e) {
    var xhr = e.detail.xhr;
    var elt = e.detail.elt;
    if (!xhr || !elt || elt.tagName !== 'BUTTON') {
      return;
    }
    var group = elt.closest('.controls');
    var out = group ? group.querySelector('output.result') : null;
    var text = elt.textContent + ': ';
    try {
      var body = JSON.parse(xhr.responseText);
      text += e.detail.successful ? 'done' : (body.message || xhr.status);
    } catch (err) {
      text += e.detail.successful ? 'done' : 'failed (' + xhr.status + ')';
    }
    if (out) {
      out.textContent = text;
      out.className = 'result ' + (e.detail.successful ? 'ok' : 'failed');
    }
    document.querySelectorAll('[hx-trigger*="refresh"]').forEach(function (el) {
      htmx.trigger(el, 'refresh');
    });
  });
})();

// Signing in: the token goes as JSON with the CSRF token, as every change here does;
// the server keeps it in an HttpOnly cookie, which no script can read.
(function () {
  'use strict';

  function token() {
    var meta = document.querySelector('meta[name="baton-csrf"]');
    return meta ? meta.getAttribute('content') : '';
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.id !== 'login') {
      return;
    }
    e.preventDefault();
    var out = form.querySelector('output.result');
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/ui/login');
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.setRequestHeader('X-CSRF-Token', token());
    xhr.onload = function () {
      if (xhr.status === 204) {
        window.location.assign('/');
        return;
      }
      var message = 'sign-in failed (' + xhr.status + ')';
      try {
        message = JSON.parse(xhr.responseText).message || message;
      } catch (err) { /* not JSON: keep the status */ }
      out.textContent = message;
      out.className = 'result failed';
    };
    xhr.send(JSON.stringify({ token: form.querySelector('#token').value }));
  });

  document.addEventListener('htmx:afterRequest', function (e) {
    var path = e.detail.requestConfig && e.detail.requestConfig.path;
    if (path === '/ui/logout' || (e.detail.xhr && e.detail.xhr.status === 401)) {
      window.location.assign('/ui/login');
    }
  });
})();

// A search box filters the rows of its table as one types (data-filter names the
// table; each row carries its text in data-search); the address keeps the query,
// so a filtered view can be linked to.
(function () {
  'use strict';

  document.addEventListener('input', function (e) {
    var input = e.target;
    var selector = input.getAttribute && input.getAttribute('data-filter');
    if (!selector) {
      return;
    }
    var q = input.value.trim().toLowerCase();
    var rows = document.querySelectorAll(selector + ' tbody tr[data-search]');
    var shown = 0;
    rows.forEach(function (row) {
      var match = !q || row.getAttribute('data-search').indexOf(q) >= 0;
      row.hidden = !match;
      shown += match ? 1 : 0;
    });
    var count = input.form && input.form.querySelector('output.count');
    if (count) {
      count.textContent = shown + ' of ' + rows.length;
    }
    var url = new URL(window.location.href);
    if (q) {
      url.searchParams.set('q', input.value.trim());
    } else {
      url.searchParams.delete('q');
    }
    window.history.replaceState(null, '', url);
  });
})();

// The event feed: follows GET /events for the ticked types, newest on top, keeping
// at most the table's data-max rows. A change of the types re-reads the recent
// history for them from the server, then follows from its newest id.
(function () {
  'use strict';

  var source = null;

  function summary(data) {
    return Object.keys(data || {}).map(function (k) {
      var v = data[k];
      return k + '=' + (typeof v === 'string' ? v : JSON.stringify(v));
    }).join(', ');
  }

  function cell(tag, text) {
    var el = document.createElement(tag);
    el.textContent = text;
    return el;
  }

  function row(e) {
    var tr = document.createElement('tr');
    tr.setAttribute('data-type', e.type);
    var th = cell('th', e.time);
    th.setAttribute('scope', 'row');
    tr.appendChild(th);
    tr.appendChild(cell('td', String(e.id)));
    tr.appendChild(cell('td', e.type));
    var td = document.createElement('td');
    td.appendChild(cell('code', summary(e.data)));
    tr.appendChild(td);
    return tr;
  }

  function types(form) {
    return Array.prototype.filter.call(form.querySelectorAll('input[name="types"]'), function (box) {
      return box.checked;
    }).map(function (box) { return box.value; });
  }

  function state(text) {
    var el = document.querySelector('.stream-state');
    if (el) {
      el.textContent = text;
    }
  }

  function follow(chosen) {
    if (source) {
      source.close();
      source = null;
    }
    var body = document.getElementById('event-rows');
    if (!body || !chosen.length) {
      state(chosen.length ? '' : 'No types ticked: nothing to show.');
      return;
    }
    var last = body.getAttribute('data-last');
    source = new EventSource('/events?types=' + encodeURIComponent(chosen.join(',')) +
      '&lastEventId=' + encodeURIComponent(last));
    source.onopen = function () { state('Live.'); };
    source.onerror = function () { state('Disconnected; reconnecting…'); };
    source.onmessage = function (m) {
      var e = JSON.parse(m.data);
      var rows = document.getElementById('event-rows');
      rows.insertBefore(row(e), rows.firstChild);
      rows.setAttribute('data-last', String(e.id));
      var max = parseInt(rows.getAttribute('data-max'), 10) || 200;
      while (rows.rows.length > max) {
        rows.deleteRow(rows.rows.length - 1);
      }
    };
  }

  function reload(form) {
    var chosen = types(form);
    var url = new URL(window.location.href);
    url.searchParams.set('types', chosen.join(','));
    window.history.replaceState(null, '', url);
    var xhr = new XMLHttpRequest();
    xhr.open('GET', '/ui/events/rows?types=' + encodeURIComponent(chosen.join(',')));
    xhr.onload = function () {
      if (xhr.status === 401) {
        window.location.assign('/ui/login');
        return;
      }
      if (xhr.status !== 200) {
        state('Cannot read the events (' + xhr.status + ').');
        return;
      }
      var old = document.getElementById('event-rows');
      var holder = document.createElement('table');
      holder.innerHTML = xhr.responseText; // our server's HTML, escaped there
      old.parentNode.replaceChild(holder.querySelector('tbody'), old);
      follow(chosen);
    };
    xhr.send();
  }

  document.addEventListener('DOMContentLoaded', function () {
    var form = document.getElementById('event-types');
    if (!form) {
      return;
    }
    form.addEventListener('change', function () { reload(form); });
    follow(types(form));
  });
})();
