'use strict';
/*
 * The live page of causal-impact-monitor. It reads the JSON API of the server that serves it
 * (relative URLs, so the page also works behind a path prefix) and draws the CausalImpact panels
 * with Chart.js. Strings from the API are only ever set as text, never parsed as HTML.
 */
(function () {
  // An intervention's report is analysed by the server once per closed row: poll it once a second
  // while it runs, rarely once it has ended (its rows are then final). Each poll asks only for the
  // steps after the last one the page has, a page of at most PAGE_STEPS at a time.
  const ACTIVE_POLL_MS = 1000;
  const PAGE_STEPS = 2000;
  const MAX_PAGES_PER_POLL = 50;
  const ENDED_POLL_MS = 10000;
  const HIDDEN_POLL_MS = 5000;
  const MONITORS_POLL_MS = 3000;
  // the monitor detail fits the live model: fetch it when its interventions change, else rarely
  const DETAIL_REFRESH_MS = 30000;

  const COLORS = {
    actual: '#1d232a',
    counterfactual: '#1f6fb4',
    band: 'rgba(31, 111, 180, 0.18)',
    effect: '#b45f06',
    effectBand: 'rgba(180, 95, 6, 0.18)',
    expected: '#6a3d9a',
    expectedBand: 'rgba(106, 61, 154, 0.16)',
    fitted: '#1a9a3a',
    start: '#8a8f96',
  };

  const state = {
    monitors: [],
    details: new Map(), // monitor name -> {body, activeKey, fetchedAt}
    selected: null, // {monitor, intervention (or null)}
    chosenByUser: false,
    report: null, // the last intervention body
    steps: null, // {start, last, series: Map outcome -> steps 1..last} of the selected intervention
    // {start, last, total, rows: Map outcome -> pre-period rows}: fetched once per start, in pages
    pre: null,
    outcome: null,
    route: 'bootstrap',
    whatif: null,
    whatifOutcome: null,
    formKey: null, // monitor and intervention the what-if form was filled in for
    generation: 0, // bumped on every selection; responses of older selections are dropped
    pollTimer: null,
  };
  const charts = {};

  // ---------------------------------------------------------------- helpers

  const $ = (id) => document.getElementById(id);
  const enc = encodeURIComponent;

  /** An element with attributes and children (strings become text nodes). */
  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

  /** Three significant digits, whole numbers from 1000 on; '—' for a missing number. */
  function fmt(x) {
    if (!isNum(x)) return '—';
    if (Math.abs(x) >= 1000) return String(Math.round(x));
    if (x === 0) return '0';
    return String(Number(x.toPrecision(3)));
  }
  const pct = (x) => (isNum(x) ? fmt(100 * x) + '%' : '—');

  /** [lo, hi] of an estimate's route, a null side unbounded; '' when the route is absent. */
  function interval(e, route, f) {
    const iv = e && e[route];
    if (!iv) return '';
    const side = (x, inf) => (x === null || x === undefined ? inf : (f || fmt)(x));
    return '[' + side(iv[0], '−∞') + ', ' + side(iv[1], '+∞') + ']';
  }
  const lower = (e, route) => (e && e[route] && isNum(e[route][0]) ? e[route][0] : null);
  const upper = (e, route) => (e && e[route] && isNum(e[route][1]) ? e[route][1] : null);
  const mean = (e) => (e && isNum(e.mean) ? e.mean : null);

  /** '01-01 08:05' for an ISO instant, else the label as given ('—' for none). */
  function shortTime(t) {
    if (typeof t === 'string') {
      const m = /^\d{4}-(\d\d-\d\d)T(\d\d:\d\d)/.exec(t);
      return m ? m[1] + ' ' + m[2] : t;
    }
    return t === null || t === undefined ? '—' : String(t);
  }

  /**
   * Axis labels for a series' rows: the time of day when they all fall on one day, the date when
   * they are all at midnight, else both; step numbers (row numbers for pre-period rows) when the
   * rows carry no ISO times.
   */
  function labelsOf(series) {
    const times = series.map((s) => s.time);
    const iso = times.length > 0
      && times.every((t) => typeof t === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(t));
    if (!iso) return series.map((s) => (s.step !== undefined ? String(s.step) : 'row ' + s.row));
    const oneDay = times[0].slice(0, 10) === times[times.length - 1].slice(0, 10);
    const midnight = times.every((t) => t.slice(11, 16) === '00:00');
    return times.map((t) => (midnight ? t.slice(5, 10)
      : oneDay ? t.slice(11, 16) : t.slice(5, 10) + ' ' + t.slice(11, 16)));
  }

  function doText(spec) {
    return Object.entries(spec || {})
      .map(([node, s]) => {
        const [kind, v] = Object.entries(s)[0] || ['?', ''];
        return kind === 'observed' ? node + ' observed' : node + ' ' + kind + ' ' + fmt(v);
      })
      .join(', ') || 'nothing';
  }

  class ApiFailure extends Error {
    constructor(status, message, field) {
      super(message);
      this.status = status;
      this.field = field || null;
    }
  }

  /** Fetches JSON from the API; throws ApiFailure with the API's own message on an error. */
  async function api(path, init) {
    const headers = Object.assign({ Accept: 'application/json' }, (init && init.headers) || {});
    let res;
    try {
      res = await fetch(path, Object.assign({ cache: 'no-store' }, init || {}, { headers }));
    } catch (e) {
      throw new ApiFailure(0, 'the server cannot be reached (' + e.message + ')');
    }
    let body = null;
    try {
      body = await res.json();
    } catch (e) {
      body = null;
    }
    if (!res.ok) {
      const message = body && body.error ? body.error : res.status + ' ' + res.statusText;
      throw new ApiFailure(res.status, message, body && body.field);
    }
    return body;
  }

  function setConnection(ok, text) {
    const c = $('connection');
    c.textContent = text;
    c.classList.toggle('error', !ok);
  }

  // ---------------------------------------------------------------- monitors

  async function refreshMonitors() {
    try {
      const body = await api('api/monitors');
      state.monitors = body.monitors || [];
      for (const m of state.monitors) {
        const key = (m.activeInterventions || []).join('\u0000');
        const d = state.details.get(m.name);
        if (!d || d.activeKey !== key || Date.now() - d.fetchedAt > DETAIL_REFRESH_MS) {
          await refreshDetail(m.name, key);
        }
      }
      setConnection(true, 'live · ' + new Date().toLocaleTimeString());
      renderMonitors();
      autoSelect();
    } catch (e) {
      setConnection(false, 'API: ' + e.message);
    } finally {
      setTimeout(refreshMonitors, document.hidden ? HIDDEN_POLL_MS : MONITORS_POLL_MS);
    }
  }

  async function refreshDetail(name, activeKey) {
    try {
      const body = await api('api/monitors/' + enc(name));
      state.details.set(name, { body, activeKey, fetchedAt: Date.now() });
      if (state.selected && state.selected.monitor === name) {
        renderModel();
        renderWhatIfForm();
      }
    } catch (e) {
      // the list stays usable with the ids of the active interventions alone
      state.details.set(name, { body: null, activeKey, fetchedAt: Date.now(), error: e.message });
    }
  }

  function interventionsOf(m) {
    const d = state.details.get(m.name);
    if (d && d.body && Array.isArray(d.body.interventions)) {
      return d.body.interventions.slice().reverse(); // newest first
    }
    return (m.activeInterventions || []).map((id) => ({ id, active: true }));
  }

  function renderMonitors() {
    const list = $('monitors');
    list.replaceChildren();
    if (state.monitors.length === 0) {
      list.append(h('li', { class: 'muted', text: 'no monitors' }));
      return;
    }
    for (const m of state.monitors) {
      const ivs = interventionsOf(m);
      const sel = state.selected;
      list.append(
        h('li', { 'data-monitor': m.name },
          h('a', {
            class: 'name' + (sel && sel.monitor === m.name && !sel.intervention ? ' selected' : ''),
            href: '#/' + enc(m.name),
            text: m.name,
          }),
          h('div', { class: 'info' },
            'step ' + m.step + ' · last row ' + (m.lastClosed ? shortTime(m.lastClosed) : '—')),
          ivs.length === 0
            ? h('div', { class: 'info', text: 'no interventions yet' })
            : h('ul', {},
              ivs.map((iv) =>
                h('li', {},
                  h('a', {
                    'data-intervention': iv.id,
                    class: sel && sel.monitor === m.name && sel.intervention === iv.id
                      ? 'selected' : null,
                    href: '#/' + enc(m.name) + '/' + enc(iv.id),
                    text: iv.id,
                  }),
                  ' ',
                  h('span', { class: 'muted', text: iv.active ? '● running' : 'ended' }))))));
    }
  }

  /** Until the user chooses, follow the newest running intervention (else the only monitor). */
  function autoSelect() {
    if (state.chosenByUser || (state.selected && state.selected.intervention)) return;
    for (const m of state.monitors) {
      const running = interventionsOf(m).find((iv) => iv.active);
      if (running) {
        select(m.name, running.id, false);
        return;
      }
    }
    if (!state.selected && state.monitors.length === 1) {
      select(state.monitors[0].name, null, false);
    }
  }

  function fromHash() {
    const parts = location.hash.replace(/^#\/?/, '').split('/').filter((p) => p !== '');
    if (parts.length === 0) return;
    try {
      select(decodeURIComponent(parts[0]), parts[1] ? decodeURIComponent(parts[1]) : null, true);
    } catch (e) {
      // a malformed %-escape in the address: ignore it
    }
  }

  function select(monitor, intervention, byUser) {
    state.chosenByUser = state.chosenByUser || byUser;
    const s = state.selected;
    if (s && s.monitor === monitor && s.intervention === intervention) return;
    state.selected = { monitor, intervention };
    state.generation++;
    state.report = null;
    state.steps = null;
    state.pre = null;
    state.outcome = null;
    clearTimeout(state.pollTimer);
    renderMonitors();
    renderModel();
    renderWhatIfForm();
    $('empty').hidden = !!intervention;
    $('intervention').hidden = !intervention;
    if (intervention) {
      $('iv-title').textContent = intervention;
      $('iv-meta').textContent = monitor;
      $('iv-badge').textContent = '';
      $('outcomes').replaceChildren();
      $('summary').replaceChildren(h('p', { class: 'muted', text: 'loading…' }));
      $('notes').replaceChildren();
      clearCharts();
      pollIntervention(state.generation);
    }
  }

  // ---------------------------------------------------------------- intervention

  async function pollIntervention(gen) {
    const { monitor, intervention } = state.selected;
    let delay = ACTIVE_POLL_MS;
    try {
      const path = 'api/monitors/' + enc(monitor) + '/interventions/' + enc(intervention);
      let body = null;
      for (let i = 0; i < MAX_PAGES_PER_POLL; i++) {
        const since = state.steps ? state.steps.last : 0;
        body = await api(path + '?since=' + since + '&limit=' + PAGE_STEPS);
        if (gen !== state.generation) return;
        if (addSteps(body) && (!body.report || state.steps.last >= body.page.total)) break;
      }
      if (body.report) await fetchPrePeriod(gen, path, body.status.start);
      if (gen !== state.generation) return;
      state.report = body;
      renderIntervention();
      if (!body.status.active) delay = ENDED_POLL_MS;
    } catch (e) {
      if (gen !== state.generation) return;
      const u = $('iv-unavailable');
      u.hidden = false;
      u.textContent = e.message;
      delay = e.status === 404 ? ENDED_POLL_MS : ACTIVE_POLL_MS * 3;
    }
    if (document.hidden) delay = Math.max(delay, HIDDEN_POLL_MS);
    if (gen === state.generation) {
      state.pollTimer = setTimeout(() => pollIntervention(gen), delay);
    }
  }

  /**
   * Appends a page of steps to those the page has; starts anew when the intervention started again
   * or its series got shorter. False when the page does not follow the steps held (ask again).
   */
  function addSteps(body) {
    const page = body.page;
    const held = state.steps;
    if (!held || held.start !== body.status.start || !body.report || page.total < held.last) {
      state.steps = { start: body.status.start, last: 0, series: new Map() };
    }
    if (!body.report) return true;
    if (page.since !== state.steps.last) return false;
    for (const o of body.report.outcomes) {
      const series = state.steps.series.get(o.node) || [];
      o.series.forEach((step) => series.push(step));
      state.steps.series.set(o.node, series);
    }
    state.steps.last += page.steps;
    return true;
  }

  /**
   * The pre-period rows of the intervention (observed and the model's in-sample one-step-ahead
   * prediction), which do not change while its start stays: fetched in pages until complete.
   */
  async function fetchPrePeriod(gen, path, start) {
    if (!state.pre || state.pre.start !== start) {
      state.pre = { start, last: 0, total: null, rows: new Map() };
    }
    for (let i = 0; i < MAX_PAGES_PER_POLL; i++) {
      const pre = state.pre;
      if (pre.total !== null && pre.last >= pre.total) return;
      const body = await api(path + '/pre-period?since=' + pre.last + '&limit=' + PAGE_STEPS);
      if (gen !== state.generation || state.pre !== pre) return;
      if (!body.page) return; // no report yet: ask again with the next poll
      for (const o of body.outcomes) {
        const rows = pre.rows.get(o.node) || [];
        o.series.forEach((r) => rows.push(r));
        pre.rows.set(o.node, rows);
      }
      pre.last += body.page.steps;
      pre.total = body.page.total;
      if (body.page.steps === 0) return;
    }
  }

  function renderIntervention() {
    const body = state.report;
    const st = body.status;
    const report = body.report;
    $('iv-title').textContent = st.id;
    const badge = $('iv-badge');
    badge.textContent = st.active ? 'running' : 'ended';
    badge.className = 'badge ' + (st.active ? 'active' : 'ended');
    $('iv-meta').textContent = [
      body.monitor,
      'do(' + doText(st.do) + ')',
      'from ' + shortTime(st.start) + (st.end ? ' to ' + shortTime(st.end) : ''),
      'outcomes ' + (st.outcomes || []).join(', '),
      report && isNum(report.level) ? 'level ' + pct(report.level) : null,
    ].filter(Boolean).join(' · ');

    const unavailable = $('iv-unavailable');
    unavailable.hidden = !!report;
    unavailable.textContent = report ? '' : body.reportUnavailable || 'no analysis yet';

    // every step polled so far, with the latest summaries
    const outcomes = (report ? report.outcomes : []).map((x) =>
      Object.assign({}, x, { series: state.steps.series.get(x.node) || [] }));
    if (!outcomes.some((o) => o.node === state.outcome)) {
      state.outcome = outcomes.length ? outcomes[0].node : null;
    }
    renderOutcomeTabs(outcomes);
    const o = outcomes.find((x) => x.node === state.outcome);
    if (o) o.pre = (state.pre && state.pre.rows.get(o.node)) || [];
    const steps = o ? o.series.length : 0;
    const updated = $('updated');
    updated.dataset.steps = String(steps);
    updated.textContent =
      steps + ' post-period row' + (steps === 1 ? '' : 's') + ' · updated '
      + new Date().toLocaleTimeString();
    drawIntervention(o, report);
    renderSummary(o, report);
    $('notes').replaceChildren(...(report ? report.notes : []).map((n) => h('li', { text: n })));
  }

  function renderOutcomeTabs(outcomes) {
    const tabs = $('outcomes');
    const names = outcomes.map((o) => o.node);
    const current = Array.from(tabs.children).map((b) => b.dataset.outcome);
    if (current.join('\u0000') !== names.join('\u0000')) {
      tabs.replaceChildren(...names.map((n) =>
        h('button', {
          type: 'button', role: 'tab', 'data-outcome': n, text: n,
          onclick: () => {
            state.outcome = n;
            renderIntervention();
          },
        })));
    }
    for (const b of tabs.children) {
      b.setAttribute('aria-selected', String(b.dataset.outcome === state.outcome));
    }
  }

  // ---------------------------------------------------------------- charts

  /**
   * A line chart on a category axis. A series with band 'lower' is drawn invisibly and hidden
   * from the legend; the 'upper' series after it fills down to it: the interval band.
   */
  /** A dashed vertical line half-way between the last pre-period row and the first post-period row. */
  const startLine = {
    id: 'startLine',
    afterDatasetsDraw(chart) {
      const at = chart.$startIndex;
      if (!at) return;
      const x = chart.scales.x;
      const px = (x.getPixelForValue(at - 1) + x.getPixelForValue(at)) / 2;
      const { top, bottom } = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = COLORS.start;
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(px, top);
      ctx.lineTo(px, bottom);
      ctx.stroke();
      ctx.restore();
    },
  };

  function lineChart(id, series) {
    const datasets = series.map((s) => ({
      label: s.label,
      band: s.band || null,
      data: [],
      borderColor: s.band ? 'transparent' : s.color,
      backgroundColor: s.color,
      borderWidth: s.band ? 0 : 1.6,
      borderDash: s.dash || [],
      pointRadius: 0,
      pointHitRadius: 4,
      fill: s.band === 'upper' ? '-1' : false,
      spanGaps: false,
      tension: 0,
    }));
    return new Chart($(id), {
      type: 'line',
      plugins: [startLine],
      data: { labels: [], datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: {
            type: 'category',
            ticks: { maxTicksLimit: 8, maxRotation: 0, autoSkip: true, autoSkipPadding: 12 },
          },
          y: { ticks: { maxTicksLimit: 6 } },
        },
        plugins: {
          legend: {
            labels: {
              boxWidth: 12,
              filter: (item, data) => data.datasets[item.datasetIndex].band !== 'lower',
            },
          },
          tooltip: {
            filter: (item) => item.dataset.band === null,
          },
        },
      },
    });
  }

  function ensureCharts() {
    if (charts.actual) return;
    const band = (color) => [
      { label: 'lower', band: 'lower', color },
      { label: 'interval', band: 'upper', color },
    ];
    charts.actual = lineChart('chart-actual', [
      ...band(COLORS.band),
      { label: 'counterfactual', color: COLORS.counterfactual, dash: [5, 3] },
      { label: 'actual', color: COLORS.actual },
      { label: 'fitted, pre-period (one-step-ahead, in sample)', color: COLORS.fitted,
        dash: [2, 2] },
    ]);
    charts.effect = lineChart('chart-effect', [
      ...band(COLORS.effectBand),
      { label: 'effect', color: COLORS.effect },
    ]);
    charts.cumulative = lineChart('chart-cumulative', [
      ...band(COLORS.effectBand),
      { label: 'cumulative effect', color: COLORS.effect },
    ]);
    charts.expected = lineChart('chart-expected', [
      ...band(COLORS.expectedBand),
      { label: 'expected effect (do)', color: COLORS.expected, dash: [5, 3] },
      { label: 'actual effect', color: COLORS.effect },
    ]);
  }

  function setData(chart, labels, arrays, bandLabel, startIndex) {
    chart.data.labels = labels;
    chart.$startIndex = startIndex || 0;
    arrays.forEach((a, i) => {
      chart.data.datasets[i].data = a;
    });
    if (bandLabel) chart.data.datasets[1].label = bandLabel;
    chart.update('none');
  }

  function clearCharts() {
    for (const c of Object.values(charts)) {
      c.data.labels = [];
      c.data.datasets.forEach((d) => {
        d.data = [];
      });
      c.update('none');
    }
  }

  function drawIntervention(o, report) {
    ensureCharts();
    const series = o ? o.series : [];
    // the pre-period rows come first, only while there are post-period rows to follow them
    const pre = series.length && o.pre ? o.pre : [];
    const route = state.route;
    const level = report && isNum(report.level) ? pct(report.level) + ' ' : '';
    const labels = labelsOf([...pre, ...series]);
    const none = pre.map(() => null);
    const num = (x) => (isNum(x) ? x : null);
    const col = (f) => none.concat(series.map(f));
    setData(charts.actual, labels, [
      col((s) => lower(s.counterfactual, route)),
      col((s) => upper(s.counterfactual, route)),
      col((s) => mean(s.counterfactual)),
      pre.map((r) => num(r.actual)).concat(series.map((s) => num(s.actual))),
      pre.map((r) => num(r.fitted)).concat(series.map(() => null)),
    ], level + route + ' interval', pre.length);
    setData(charts.effect, labels, [
      col((s) => lower(s.effect, route)),
      col((s) => upper(s.effect, route)),
      col((s) => mean(s.effect)),
    ], level + route + ' interval', pre.length);
    setData(charts.cumulative, labels, [
      col((s) => lower(s.cumulative, route)),
      col((s) => upper(s.cumulative, route)),
      col((s) => mean(s.cumulative)),
    ], level + route + ' interval', pre.length);
    // the do-operator's prediction has bootstrap intervals only
    const hasExpected = series.some((s) => s.expectedEffect);
    setData(charts.expected, labels, [
      col((s) => lower(s.expectedEffect, 'bootstrap')),
      col((s) => upper(s.expectedEffect, 'bootstrap')),
      col((s) => mean(s.expectedEffect)),
      col((s) => mean(s.effect)),
    ], level + 'bootstrap interval of the expected effect', pre.length);
    const caption = $('chart-expected').closest('figure').querySelector('figcaption');
    caption.textContent = 'Expected effect (do-operator) vs actual effect'
      + (series.length && !hasExpected ? ' — this analysis has no do-operator prediction' : '');
  }

  // ---------------------------------------------------------------- summary

  function cell(value, text) {
    return h('td', { class: 'num', 'data-value': isNum(value) ? value : null }, text);
  }

  function estimateCells(e, route, f) {
    const show = f || fmt;
    const sd = isNum(e && e.sd) ? ' (' + show(e.sd) + ')' : '';
    return cell(mean(e), [
      show(mean(e)) + sd,
      h('div', { class: 'interval', text: interval(e, route, show) }),
    ]);
  }

  function renderSummary(o, report) {
    const box = $('summary');
    if (!o || !o.summary) {
      box.replaceChildren(h('p', { class: 'muted', text: 'no summary yet' }));
      return;
    }
    const route = state.route;
    const avg = o.summary.average;
    const cum = o.summary.cumulative;
    const level = report && isNum(report.level) ? pct(report.level) + ' ' : '';
    const row = (label, a, c) => h('tr', {}, h('th', { text: label }), a, c);
    const rows = [
      row('Actual', cell(avg.actual, fmt(avg.actual)), cell(cum.actual, fmt(cum.actual))),
      row('Prediction (s.d.), ' + level + route,
        estimateCells(avg.predicted, route), estimateCells(cum.predicted, route)),
      row('Absolute effect (s.d.), ' + level + route,
        estimateCells(avg.effect, route), estimateCells(cum.effect, route)),
      row('Relative effect, ' + level + route,
        estimateCells(avg.relative, route, pct), estimateCells(cum.relative, route, pct)),
    ];
    if (avg.expectedEffect) {
      rows.push(row('Expected effect (do), ' + level + 'bootstrap',
        estimateCells(avg.expectedEffect, 'bootstrap'),
        estimateCells(cum.expectedEffect, 'bootstrap')));
    }
    const p = o.summary.pValue || {};
    const sig = o.summary.significant || {};
    // a placebo outcome (do() cannot reach it) has no effect to call significant: its "effect"
    // is the model's prediction error, a check of the model
    const words = o.placebo ? ['the model misfits', 'the model fits']
      : ['significant', 'not significant'];
    const yes = (b) => (b === true ? words[0] : b === false ? words[1] : '—');
    rows.push(row('p-value: bootstrap (two-sided)',
      cell(p.bootstrap, fmt(p.bootstrap) + ' · ' + yes(sig.bootstrap)), h('td')));
    const method = p.conformalMethod === 'permutation' ? 'permutation'
      : p.conformalMethod === 'normalised-rank' ? 'normalised rank' : '';
    rows.push(row('p-value: conformal' + (method ? ' (' + method + ')' : ''),
      cell(p.conformal, fmt(p.conformal) + ' · ' + yes(sig.conformal)), h('td')));
    // 1 − p as R's CausalImpact reports it ("posterior probability of a causal effect"); our
    // p-values are two-sided and frequentist, so it is no posterior probability
    const q = o.summary.effectProbability || {};
    if (!o.placebo) {
      rows.push(row('probability of a causal effect (1 − p, as R reports it; not a posterior)',
        cell(q.bootstrap, 'bootstrap ' + pct(q.bootstrap)),
        cell(q.conformal, 'conformal ' + pct(q.conformal))));
    }
    const period = report.postPeriod || {};
    box.replaceChildren(
      ...(o.placebo ? [h('p', { class: 'placebo', id: 'placebo-note',
        text: 'Placebo check: the intervention cannot reach ' + o.node + ', so its "effect" is the'
          + ' model\'s prediction error; a large one means the model misfits, not that the'
          + ' intervention acted.' })] : []),
      h('p', { class: 'muted' },
        o.node + ' over post-period rows ' + period.start + '..' + period.end
        + (period.startLabel ? ' (' + shortTime(period.startLabel) + ' – '
          + shortTime(period.endLabel) + ')' : '')),
      h('table', { id: 'summary-table', 'data-outcome': o.node },
        h('thead', {}, h('tr', {}, h('th'), h('th', { text: 'Average' }),
          h('th', { text: 'Cumulative' }))),
        h('tbody', {}, rows)));
  }

  // ---------------------------------------------------------------- model

  /** The selected monitor's details, showing {@code card}; null (card hidden) if none yet. */
  function selectedDetails(card) {
    const sel = state.selected;
    const d = sel && state.details.get(sel.monitor);
    card.hidden = !(d && d.body);
    return card.hidden ? null : d;
  }

  function renderModel() {
    const d = selectedDetails($('model'));
    if (!d) return;
    const fit = d.body.fit;
    if (!fit) {
      $('model-window').textContent = '';
      $('model-body').replaceChildren(
        h('p', { class: 'muted', text: d.body.fitUnavailable || 'no fit yet' }));
      return;
    }
    $('model-window').textContent =
      '— fitted on the last ' + fit.rows + ' rows (' + shortTime(fit.from) + ' – '
      + shortTime(fit.to) + ')';
    const overlaps = fit.overlapsInterventions || [];
    $('model-body').replaceChildren(h('div', {},
      h('table', {},
        h('thead', {}, h('tr', {}, h('th', { text: 'node' }), h('th', { text: 'R²' }),
          h('th', { text: 'sigma' }), h('th', { text: 'terms' }))),
        h('tbody', {}, fit.equations.map((e) =>
          h('tr', {}, h('td', { text: e.node }), cell(e.rSquared, fmt(e.rSquared)),
            cell(e.sigma, fmt(e.sigma)),
            h('td', { class: 'muted', text: e.terms.join(', ') }))))),
      overlaps.length
        ? h('p', { class: 'notice',
          text: 'The fit window overlaps ' + overlaps.join(', ')
            + ': those rows are read as if nothing had been done.' })
        : null));
  }

  // ---------------------------------------------------------------- what-if

  function renderWhatIfForm() {
    const card = $('whatif');
    const sel = state.selected;
    const d = selectedDetails(card);
    if (!d) return;
    // default: the first do-spec of the selected intervention, else the first node with children;
    // filled in again only when the selection changes, so that what the user typed stays
    const iv = (d.body.interventions || []).find((x) => x.id === sel.intervention);
    const key = sel.monitor + '\u0000' + (iv ? iv.id : '');
    if (state.formKey === key) return;
    state.formKey = key;
    const nodes = d.body.graph.nodes.map((n) => n.name);
    const hasChildren = new Set(
      d.body.graph.nodes.flatMap((n) => n.parents.map((p) => p.node)));
    const first = iv && Object.entries(iv.do || {})[0];
    const node = first ? first[0] : nodes.find((n) => hasChildren.has(n)) || nodes[0];
    $('wf-node').replaceChildren(...nodes.map((n) =>
      h('option', { value: n, selected: n === node, text: n })));
    if (first) {
      const [kind, value] = Object.entries(first[1])[0];
      if (['shift', 'set', 'scale'].includes(kind) && isNum(value)) {
        $('wf-kind').value = kind;
        $('wf-value').value = String(value);
      }
    }
    $('wf-outcomes').replaceChildren(...nodes.map((n) =>
      h('label', {}, h('input', { type: 'checkbox', name: 'outcome', value: n }), ' ' + n)));
    $('whatif-result').hidden = true;
    $('wf-status').textContent = '';
  }

  async function submitWhatIf(ev) {
    ev.preventDefault();
    const status = $('wf-status');
    const sel = state.selected;
    if (!sel) return;
    const value = Number($('wf-value').value);
    const horizon = Number($('wf-horizon').value);
    if (!Number.isFinite(value) || !Number.isInteger(horizon)) {
      status.textContent = 'value must be a number and horizon a whole number';
      status.className = 'error';
      return;
    }
    const body = {
      baseline: {},
      scenario: { [$('wf-node').value]: { [$('wf-kind').value]: value } },
      horizon,
    };
    const outcomes = Array.from(document.querySelectorAll('#wf-outcomes input:checked'))
      .map((i) => i.value);
    if (outcomes.length) body.outcomes = outcomes;
    const headers = { 'Content-Type': 'application/json' };
    const token = $('wf-token').value.trim();
    if (token) headers.Authorization = 'Bearer ' + token;
    const button = $('wf-submit');
    button.disabled = true;
    status.className = 'muted';
    status.textContent = 'forecasting…';
    const t0 = performance.now();
    try {
      state.whatif = await api('api/monitors/' + enc(sel.monitor) + '/whatif',
        { method: 'POST', headers, body: JSON.stringify(body) });
      status.textContent = 'done in ' + ((performance.now() - t0) / 1000).toFixed(1) + ' s';
      renderWhatIf();
    } catch (e) {
      status.className = 'error';
      if (e.status === 401) {
        $('wf-token-row').hidden = false;
        $('wf-token').focus();
        status.textContent = e.message + ': enter the token and forecast again';
      } else {
        status.textContent = (e.field ? e.field + ': ' : '') + e.message;
      }
    } finally {
      button.disabled = false;
    }
  }

  /** The bootstrap interval when there is one (the what-if's own route), else conformal. */
  const routeOf = (e) => (e && e.bootstrap ? 'bootstrap' : 'conformal');

  function renderWhatIf() {
    const r = state.whatif;
    $('whatif-result').hidden = false;
    $('wr-meta').textContent = [
      'do(' + doText(r.scenario) + ') vs do(' + doText(r.baseline) + ')',
      r.horizon + ' steps',
      'level ' + pct(r.level),
      'model fitted on ' + r.history.rows + ' rows (' + shortTime(r.history.from) + ' – '
        + shortTime(r.history.to) + ')',
    ].join(' · ');
    const est = (e) => {
      const route = routeOf(e);
      return cell(mean(e), [fmt(mean(e)),
        h('div', { class: 'interval', text: interval(e, route) + ' ' + route })]);
    };
    $('wr-table').replaceChildren(
      h('table', { id: 'whatif-table' },
        h('thead', {}, h('tr', {}, h('th', { text: 'outcome' }),
          h('th', { text: 'average difference per step' }),
          h('th', { text: 'cumulative difference' }))),
        h('tbody', {}, r.outcomes.map((o) =>
          h('tr', { 'data-outcome': o.node }, h('th', { text: o.node }),
            est(o.summary.average), est(o.summary.cumulative))))));
    const names = r.outcomes.map((o) => o.node);
    if (!names.includes(state.whatifOutcome)) state.whatifOutcome = names[0] || null;
    $('wr-outcome').replaceChildren(...names.map((n) =>
      h('option', { value: n, selected: n === state.whatifOutcome, text: n })));
    $('wr-notes').replaceChildren(...(r.notes || []).map((n) => h('li', { text: n })));
    drawWhatIf();
  }

  function drawWhatIf() {
    const r = state.whatif;
    if (!charts.whatif) {
      charts.whatif = lineChart('whatif-chart', [
        { label: 'lower', band: 'lower', color: COLORS.expectedBand },
        { label: 'interval', band: 'upper', color: COLORS.expectedBand },
        { label: 'scenario − baseline', color: COLORS.expected },
      ]);
    }
    const o = r.outcomes.find((x) => x.node === state.whatifOutcome);
    const series = o ? o.series : [];
    const route = series.length ? routeOf(series[0].difference) : 'bootstrap';
    setData(charts.whatif, labelsOf(series), [
      series.map((s) => lower(s.difference, route)),
      series.map((s) => upper(s.difference, route)),
      series.map((s) => mean(s.difference)),
    ], pct(r.level) + ' ' + route + ' interval');
  }

  // ---------------------------------------------------------------- start

  function start() {
    if (typeof Chart === 'undefined') {
      setConnection(false, 'Chart.js did not load: the charts cannot be drawn');
      return;
    }
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    $('route').addEventListener('change', (e) => {
      state.route = e.target.value;
      if (state.report) renderIntervention();
    });
    $('whatif-form').addEventListener('submit', submitWhatIf);
    $('wr-outcome').addEventListener('change', (e) => {
      state.whatifOutcome = e.target.value;
      drawWhatIf();
    });
    window.addEventListener('hashchange', fromHash);
    fromHash();
    refreshMonitors();
  }

  start();
})();
