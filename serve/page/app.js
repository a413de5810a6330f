/* app.js - the what-if page of `imeval serve` (docs/page.md).
 *
 * Hand-written, no framework, no build step.  It runs under the server's
 * Content-Security-Policy (script-src 'self', style-src 'self'): no inline
 * script or style, no eval, no style attributes in markup (positions are set
 * through the CSSOM).  Every number on the page comes from the server's JSON
 * API (docs/api.md); every chart is the SVG that report/chart.c writes for
 * `imeval report`, taken from POST /api/charts: the page draws none.
 * Text from profiles and models is only ever set as textContent. */
'use strict';

(function () {
  // ---- what the page knows about the profile format (PROFILE-FORMAT.md) ----
  const RATING_LABEL = {
    senior_leadership: ['Senior leadership', 'no permanent DCS/AD', 'strong senior team with capacity to spare'],
    middle_leadership: ['Middle leadership', 'heads of service mostly interim or missing', 'permanent, capable, own improvement'],
    leadership_stability: ['Leadership stability', 'repeated churn of directors', 'stable for years'],
    political_commitment: ['Political commitment', 'members deny or dispute failure', 'cross-party commitment to lead, invest and scrutinise'],
    corporate_leadership: ['Corporate leadership', 'chief executive disengaged', 'chief executive visibly backs improvement'],
    acceptance: ['Acceptance', 'defends the service, disputes the judgement', 'full and frank acknowledgement'],
    governance: ['Governance', 'no effective scrutiny', 'incisive scrutiny, clear delegation'],
    partnerships: ['Partnerships', 'health, police, schools disengaged', 'genuine multi-agency working'],
    self_assessment: ['Self-assessment', 'does not know its own service', 'accurate self-evaluation'],
    workforce_stability: ['Workforce stability', 'mass exodus, high agency use', 'stable, permanent, manageable caseloads'],
    financial_resilience: ['Financial resilience', 'cannot fund improvement', 'long-term finance plan'],
    failure_extent: ['Extent of failure', 'no failure', 'almost every part of the system in crisis (worst)'],
    initial_response: ['Initial response', 'false starts, denial', 'swift, well-judged response'],
  };
  const FACT_LABEL = {
    failure_years: ['Years of failure', '1', 0, null],
    agency_rate: ['Agency social workers (fraction 0–1)', '0.01', 0, 1],
    vacancy_rate: ['Vacancy rate (fraction 0–1)', '0.01', 0, 1],
    turnover_rate: ['Turnover rate (fraction 0–1)', '0.01', 0, 1],
    leadership_changes_3y: ['Director changes in 3 years', '1', 0, null],
    unallocated_cases: ['Unallocated cases', '1', 0, null],
    additional_investment_gbp_m: ['Additional investment (£ million)', '0.1', 0, null],
  };
  const JUDGEMENTS = [
    ['leadership', 'Leadership (impact of leaders)'],
    ['help_and_protection', 'Help and protection'],
    ['children_in_care', 'Children in care'],
    ['care_leavers', 'Care leavers'],
    ['adoption', 'Adoption'],
  ];
  const GRADE_LABEL = {
    outstanding: 'outstanding', good: 'good', requires_improvement: 'requires improvement',
    inadequate: 'inadequate', not_inspected: 'not inspected', adequate: 'adequate (pre-2013)',
  };
  const DEBOUNCE_MS = 250;
  let svgCount = 0;

  // ---- state ----
  const S = {
    session: null,
    profiles: [],
    key: null,          // the key of the profile as assessed (null for a blank one)
    entry: null,        // its /api/profiles item
    base: null,         // the profile as assessed (never changed)
    cur: null,          // the what-if profile the controls edit
    result: null,       // the last result document
    seq: 0,             // evaluation round; late answers of older rounds are dropped
    ctl: null,          // AbortController of the round in flight
    timer: 0,
    waiting: false,     // a change waits for the debounce
    pending: 0,
    model: '',          // the model whose reasons are shown
    lastScenario: null,
  };

  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const k of kids) if (k !== null && k !== undefined) e.append(k);
    return e;
  };
  const clone = (o) => (o === undefined ? undefined : JSON.parse(JSON.stringify(o)));
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const fmt = (v, d = 1) => (typeof v === 'number' && isFinite(v) ? String(+v.toFixed(d)) : '–');
  const pct = (v) => (typeof v === 'number' ? `${Math.round(v * 100)}%` : '–');
  const modelName = (id) => {
    const m = S.session && S.session.models.find((x) => x.id === id);
    return m ? m.name : id;
  };
  const ratingLabel = (k) => (RATING_LABEL[k] ? RATING_LABEL[k][0] : k.replace(/_/g, ' '));
  const showRating = (r) => {
    if (r === undefined || r === null) return 'not given';
    if (typeof r === 'number') return String(r);
    return `${r.low}–${r.mode !== undefined ? r.mode + '–' : ''}${r.high}`;
  };

  // ---- talking to the server ----
  class ApiError extends Error {
    constructor(message, status, details) { super(message); this.status = status; this.details = details || []; }
  }
  async function api(method, path, body, signal, raw) {
    const init = { method, credentials: 'same-origin', signal, headers: {} };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(`the server did not answer (${e.message}); is imeval serve still running?`, 0);
    }
    if (!res.ok) {
      let msg = `${res.status} ${res.statusText}`, details = [];
      try {
        const j = await res.json();
        if (j && j.error) { msg = j.error.message || msg; details = j.error.errors || []; }
      } catch (_) { /* not JSON: keep the status line */ }
      if (res.status === 401) msg += ' (open the address imeval serve printed, with its token, again)';
      throw new ApiError(msg, res.status, details);
    }
    return raw ? res : res.json();
  }

  // ---- errors and busy state ----
  function showError(where, e) {
    if (e && e.name === 'AbortError') return;
    const box = $('errors');
    box.replaceChildren();
    const p = el('p', { text: `${where}: ${e.message}` });
    box.append(p);
    if (e.details && e.details.length) {
      const ul = el('ul');
      for (const d of e.details)
        ul.append(el('li', { text: `${d.where ? d.where + ': ' : ''}${d.message}` }));
      box.append(ul);
    }
  }
  // the alert region stays in the page (an empty one takes no room), so that
  // a screen reader announces what is put into it
  function clearError() { $('errors').replaceChildren(); }
  function busy(delta) {
    S.pending = Math.max(0, S.pending + delta);
    const on = S.pending > 0;
    $('busy').hidden = !on;
    $('results').setAttribute('aria-busy', on ? 'true' : 'false');
    document.body.classList.toggle('is-busy', on);
  }

  // ---- the charts: the server's SVG, taken from its HTML fragments ----
  function svgsOf(html) {
    const doc = new DOMParser().parseFromString(html || '', 'text/html');
    // defence in depth: the fragments never hold script, but drop any
    doc.querySelectorAll('script, foreignObject, iframe').forEach((n) => n.remove());
    return [...doc.querySelectorAll('svg')].map((s) => {
      // ids made unique on the page (two answers may both hold "a1-fig1"),
      // and every reference to them (aria-labelledby, url(#…), href) with them
      const pre = `w${++svgCount}-`;
      const nodes = [s, ...s.querySelectorAll('*')];
      const ids = new Set(nodes.filter((n) => n.id).map((n) => n.id));
      for (const n of nodes) {
        if (n.id) n.id = pre + n.id;
        for (const a of [...n.attributes]) {
          if (/^on/i.test(a.name) || a.name === 'style') { n.removeAttribute(a.name); continue; }
          if (a.name === 'aria-labelledby' || a.name === 'aria-describedby')
            n.setAttribute(a.name, a.value.split(/\s+/).map((t) => (ids.has(t) ? pre + t : t)).join(' '));
          else if (a.value.includes('#'))
            n.setAttribute(a.name, a.value.replace(/#([A-Za-z0-9_-]+)/g, (m, t) => (ids.has(t) ? `#${pre}${t}` : m)));
        }
      }
      return document.importNode(s, true);
    });
  }
  function putChart(fig, svg, emptyText) {
    fig.replaceChildren();
    if (svg) fig.append(svg);
    else fig.append(el('p', { class: 'note', text: emptyText }));
  }

  // ---- building the inputs from a profile ----
  function gradeSelect(sel, value, withNone) {
    sel.replaceChildren();
    if (withNone) sel.append(el('option', { value: '', text: 'not given' }));
    const grades = [...(S.session.grades || Object.keys(GRADE_LABEL))];
    if (!grades.includes('not_inspected')) grades.push('not_inspected');
    if (value && !grades.includes(value)) grades.push(value);
    for (const g of grades) sel.append(el('option', { value: g, text: GRADE_LABEL[g] || g }));
    sel.value = value || '';
  }

  function changedMark(id) {
    return el('span', { id, class: 'changed-mark', hidden: true });
  }

  function buildRatings() {
    const box = $('ratings');
    box.replaceChildren();
    for (const k of S.session.ratings) {
      const lab = RATING_LABEL[k] || [ratingLabel(k), '', ''];
      const fs = el('fieldset', { class: 'rating', id: `r-${k}`, 'data-rating': k });
      fs.append(el('legend', { text: lab[0] }));
      const like = el('input', { type: 'range', id: `r-${k}-likely`, min: 0, max: 4, step: 0.5,
                                 'aria-describedby': `r-${k}-anchors r-${k}-tips r-${k}-chg` });
      const out = el('output', { id: `r-${k}-out`, for: `r-${k}-likely`, class: 'value' });
      const low = el('input', { type: 'number', id: `r-${k}-low`, min: 0, max: 4, step: 0.5, inputmode: 'decimal' });
      const high = el('input', { type: 'number', id: `r-${k}-high`, min: 0, max: 4, step: 0.5, inputmode: 'decimal' });
      fs.append(
        el('div', { class: 'likely' },
          el('label', { for: `r-${k}-likely`, text: 'Likely' }), like, out),
        el('div', { class: 'track', 'aria-hidden': 'true', id: `r-${k}-track` }),
        el('div', { class: 'range' },
          el('label', { for: `r-${k}-low`, text: 'Low' }), low,
          el('label', { for: `r-${k}-high`, text: 'High' }), high),
        el('p', { class: 'hint', id: `r-${k}-anchors`, text: `0: ${lab[1]}; 4: ${lab[2]}` }),
        el('p', { class: 'tips', id: `r-${k}-tips`, text: 'Tipping points: being worked out…' }),
        changedMark(`r-${k}-chg`));
      box.append(fs);
      const r = S.cur.ratings ? S.cur.ratings[k] : undefined;
      setRatingControls(k, r);
      like.addEventListener('input', () => readRating(k, true));
      low.addEventListener('input', () => readRating(k, false));
      high.addEventListener('input', () => readRating(k, false));
    }
  }

  function setRatingControls(k, r) {
    const like = $(`r-${k}-likely`), low = $(`r-${k}-low`), high = $(`r-${k}-high`);
    let v = r, lo = '', hi = '';
    if (r && typeof r === 'object') {
      lo = r.low; hi = r.high;
      v = r.mode !== undefined ? r.mode : (r.low + r.high) / 2;
    }
    if (typeof v !== 'number') v = 2;
    // a value off the 0.5 grid must not be rounded by the slider
    like.step = Math.abs(v * 2 - Math.round(v * 2)) > 1e-9 ? 'any' : '0.5';
    like.value = String(v);
    low.value = lo === '' ? '' : String(lo);
    high.value = hi === '' ? '' : String(hi);
    $(`r-${k}-out`).textContent = String(v);
  }

  function readRating(k, fromLikely) {
    const like = $(`r-${k}-likely`), low = $(`r-${k}-low`), high = $(`r-${k}-high`);
    const v = Number(like.value);
    $(`r-${k}-out`).textContent = String(v);
    // moving likely out of the range given widens the range to it (a range
    // must hold its likely value); the number fields show the new bound
    if (low.value !== '' && Number(low.value) > v && fromLikely) low.value = String(v);
    if (high.value !== '' && Number(high.value) < v && fromLikely) high.value = String(v);
    const was = S.base && S.base.ratings ? S.base.ratings[k] : undefined;
    let r;
    if (low.value === '' && high.value === '') {
      r = v;
    } else {
      r = {};
      if (low.value !== '') r.low = Number(low.value);
      // a range given without a mode keeps none while likely stays its midpoint
      const noMode = was && typeof was === 'object' && was.mode === undefined;
      if (!(noMode && v === (Number(low.value) + Number(high.value)) / 2)) r.mode = v;
      if (high.value !== '') r.high = Number(high.value);
    }
    S.cur.ratings[k] = r;
    changed();
  }

  function buildFacts() {
    const box = $('facts');
    box.replaceChildren();
    const facts = S.session.facts || Object.keys(FACT_LABEL);
    for (const k of facts) {
      const lab = FACT_LABEL[k] || [k.replace(/_/g, ' '), 'any', 0, null];
      const inp = el('input', { type: 'number', id: `fact-${k}`, step: lab[1], min: lab[2], max: lab[3],
                                inputmode: 'decimal', 'aria-describedby': `fact-${k}-chg` });
      const v = S.cur.facts ? S.cur.facts[k] : undefined;
      inp.value = v === undefined || v === null ? '' : String(v);
      inp.addEventListener('input', () => {
        if (!S.cur.facts) S.cur.facts = {};
        if (inp.value === '') delete S.cur.facts[k];
        else S.cur.facts[k] = Number(inp.value);
        changed();
      });
      box.append(el('label', { for: `fact-${k}`, text: lab[0] }),
        el('span', { class: 'with-mark' }, inp, changedMark(`fact-${k}-chg`)));
    }
  }

  function buildGrades() {
    const o = S.cur.ofsted || (S.cur.ofsted = { grade: 'inadequate' });
    gradeSelect($('g-grade'), o.grade, false);
    $('g-inspected').value = o.inspected || '';
    const jb = $('judgements');
    jb.replaceChildren();
    for (const [k, label] of JUDGEMENTS) {
      const sel = el('select', { id: `j-${k}` });
      gradeSelect(sel, o.judgements ? o.judgements[k] : '', true);
      sel.addEventListener('change', () => {
        if (!o.judgements) o.judgements = {};
        if (sel.value === '') delete o.judgements[k];
        else o.judgements[k] = sel.value;
        if (!Object.keys(o.judgements).length) delete o.judgements;
        changed();
      });
      jb.append(el('label', { for: `j-${k}`, text: label }), sel);
    }
    buildPrevious();
  }

  function buildPrevious() {
    const o = S.cur.ofsted;
    const list = $('previous');
    list.replaceChildren();
    (o.previous || []).forEach((p, i) => {
      const g = typeof p === 'string' ? p : p.grade;
      const d = typeof p === 'string' ? '' : (p.date || '');
      const sel = el('select', { id: `prev-${i}-grade` });
      gradeSelect(sel, g, false);
      const date = el('input', { type: 'text', id: `prev-${i}-date`, value: d, autocomplete: 'off' });
      const rm = el('button', { type: 'button', text: 'Remove', 'aria-label': `Remove earlier grade ${i + 1}` });
      const write = () => {
        o.previous[i] = date.value.trim() === '' ? sel.value : { grade: sel.value, date: date.value.trim() };
        changed();
      };
      sel.addEventListener('change', write);
      date.addEventListener('input', write);
      rm.addEventListener('click', () => {
        o.previous.splice(i, 1);
        if (!o.previous.length) delete o.previous;
        buildPrevious();
        changed();
        $('add-previous').focus();
      });
      list.append(el('li', { class: 'item' },
        el('label', { for: `prev-${i}-grade`, text: `Grade ${i + 1}` }), sel,
        el('label', { for: `prev-${i}-date`, text: 'date' }), date, rm));
    });
  }

  function buildIntervention() {
    const ci = S.cur.current_intervention;
    const sel = $('i-model');
    sel.replaceChildren(el('option', { value: '', text: 'none' }));
    for (const m of S.session.models) sel.append(el('option', { value: m.id, text: m.name }));
    if (ci && ci.model && !S.session.models.some((m) => m.id === ci.model))
      sel.append(el('option', { value: ci.model, text: ci.model }));
    sel.value = ci && ci.model ? ci.model : '';
    $('i-since').value = ci && ci.since ? ci.since : '';
    $('i-kind').value = ci && ci.kind ? ci.kind : '';
    $('i-partner').value = ci && ci.partner ? ci.partner : '';
    buildProgress();
    interventionState();
  }
  function interventionState() {
    const none = $('i-model').value === '';
    for (const id of ['i-since', 'i-kind', 'i-partner', 'add-progress']) $(id).disabled = none;
    for (const c of $('progress').querySelectorAll('input, select, button')) c.disabled = none;
  }

  const FINDINGS = ['improving', 'mixed', 'static', 'deteriorating'];
  const FINDING_BY = [['ofsted_monitoring', 'Ofsted monitoring'], ['commissioner', 'commissioner'],
                      ['board', 'improvement board'], ['dfe', 'DfE'], ['other', 'other']];
  // the monitoring findings of the intervention in place (current_intervention.progress)
  function buildProgress(focusIndex) {
    const list = $('progress');
    list.replaceChildren();
    const ci = S.cur.current_intervention;
    const items = ci && Array.isArray(ci.progress) ? ci.progress : [];
    items.forEach((f, i) => {
      const date = el('input', { type: 'text', id: `pg-${i}-date`, autocomplete: 'off', value: f.date || '' });
      const finding = el('select', { id: `pg-${i}-finding` });
      for (const x of FINDINGS) finding.append(el('option', { value: x, text: x }));
      if (f.finding && !FINDINGS.includes(f.finding)) finding.append(el('option', { value: f.finding, text: f.finding }));
      finding.value = f.finding || 'static';
      const by = el('select', { id: `pg-${i}-by` });
      for (const [v, t] of FINDING_BY) by.append(el('option', { value: v, text: t }));
      if (f.by && !FINDING_BY.some(([v]) => v === f.by)) by.append(el('option', { value: f.by, text: f.by }));
      by.value = f.by || 'other';
      const note = el('input', { type: 'text', id: `pg-${i}-note`, autocomplete: 'off', value: f.note || '' });
      const rm = el('button', { type: 'button', text: 'Remove', 'aria-label': `Remove finding ${i + 1}` });
      const write = () => {
        f.date = date.value.trim();
        f.finding = finding.value;
        f.by = by.value;
        if (note.value.trim()) f.note = note.value; else delete f.note;
        changed();
      };
      date.addEventListener('input', write);
      finding.addEventListener('change', write);
      by.addEventListener('change', write);
      note.addEventListener('input', write);
      rm.addEventListener('click', () => {
        items.splice(i, 1);
        if (!items.length) delete ci.progress;
        buildProgress();
        changed();
        $('add-progress').focus();
      });
      list.append(el('li', { class: 'item finding' },
        el('label', { for: `pg-${i}-date`, text: `Finding ${i + 1}, date` }), date,
        el('label', { for: `pg-${i}-finding`, text: 'finding' }), finding,
        el('label', { for: `pg-${i}-by`, text: 'by' }), by,
        el('label', { for: `pg-${i}-note`, text: 'note' }), note, rm));
    });
    if (focusIndex !== undefined && $(`pg-${focusIndex}-date`)) $(`pg-${focusIndex}-date`).focus();
  }
  function addProgress() {
    const ci = S.cur.current_intervention;
    if (!ci) return;
    if (!Array.isArray(ci.progress)) ci.progress = [];
    // newest first: a new finding goes on top, dated as of the profile
    ci.progress.unshift({ date: S.cur.as_of || '', finding: 'static', by: 'other' });
    buildProgress(0);
    changed();
  }
  function readIntervention() {
    const m = $('i-model').value;
    const was = S.cur.current_intervention;
    if (m === '') {
      // kept aside, so that choosing a model again brings its dates and findings back
      if (was) S.ciAside = was;
      S.cur.current_intervention = null;
    } else {
      const ci = (was && typeof was === 'object') ? was : (S.ciAside || {});
      ci.model = m;
      if (ci === was) {   // the fields edited; when a model is chosen again they are refilled below
        const since = $('i-since').value.trim(), kind = $('i-kind').value, partner = $('i-partner').value.trim();
        if (since) ci.since = since; else delete ci.since;
        if (kind) ci.kind = kind; else delete ci.kind;
        if (partner) ci.partner = partner; else delete ci.partner;
      }
      S.cur.current_intervention = ci;
    }
    if (S.cur.current_intervention !== was) {
      buildProgress();
      const ci = S.cur.current_intervention;
      $('i-since').value = ci && ci.since ? ci.since : '';
      $('i-kind').value = ci && ci.kind ? ci.kind : '';
      $('i-partner').value = ci && ci.partner ? ci.partner : '';
    }
    interventionState();
    changed();
  }

  const PARTNER_FIELDS = [
    ['id', 'Id', 'text'], ['name', 'Name', 'text'], ['grade', 'Grade', 'grade'],
    ['neighbouring', 'Neighbouring', 'bool'], ['child_population', 'Child population', 'int'],
    ['spare_leadership_capacity', 'Spare leadership capacity (0–4)', 'rating'],
    ['current_commitments', 'Councils it already supports', 'int'],
  ];
  function buildPartners(focusIndex) {
    const list = $('partners');
    list.replaceChildren();
    const ps = S.cur.partners || [];
    ps.forEach((p, i) => {
      const fs = el('fieldset', { class: 'partner', id: `pt-${i}` });
      const legend = el('legend', { id: `pt-${i}-legend`, text: `Partner ${i + 1}: ${p.name || p.id || 'unnamed'}` });
      fs.append(legend);
      const grid = el('div', { class: 'grid2' });
      for (const [f, label, kind] of PARTNER_FIELDS) {
        const id = `pt-${i}-${f}`;
        let inp;
        if (kind === 'grade') {
          inp = el('select', { id });
          gradeSelect(inp, p.grade, true);
        } else if (kind === 'bool') {
          inp = el('input', { type: 'checkbox', id });
          inp.checked = p.neighbouring === true;
        } else {
          inp = el('input', { id, type: kind === 'text' ? 'text' : 'number', autocomplete: 'off',
            min: kind === 'text' ? null : 0, max: kind === 'rating' ? 4 : null,
            step: kind === 'rating' ? 0.5 : kind === 'int' ? 1 : null });
          inp.value = p[f] === undefined || p[f] === null ? '' : String(p[f]);
        }
        const write = () => {
          if (kind === 'bool') p[f] = inp.checked;
          else if (inp.value === '') delete p[f];
          else p[f] = kind === 'text' || kind === 'grade' ? inp.value : Number(inp.value);
          if (f === 'name' || f === 'id')
            legend.textContent = `Partner ${i + 1}: ${p.name || p.id || 'unnamed'}`;
          changed();
        };
        inp.addEventListener(kind === 'bool' || kind === 'grade' ? 'change' : 'input', write);
        grid.append(el('label', { for: id, text: label }), inp);
      }
      fs.append(grid);
      const fit = el('p', { class: 'fit', id: `pt-${i}-fit`, 'data-partner': p.id || '' });
      const rm = el('button', { type: 'button', class: 'remove', text: 'Remove this partner',
                                'aria-describedby': `pt-${i}-legend` });
      rm.addEventListener('click', () => {
        ps.splice(i, 1);
        if (!ps.length) delete S.cur.partners;
        buildPartners();
        changed();
        $('add-partner').focus();
      });
      fs.append(fit, rm);
      list.append(el('li', null, fs));
    });
    if (focusIndex !== undefined && $(`pt-${focusIndex}-id`)) $(`pt-${focusIndex}-id`).focus();
    showPartnerFits();
  }
  function addPartner() {
    if (!S.cur.partners) S.cur.partners = [];
    const used = new Set(S.cur.partners.map((p) => p.id));
    let n = S.cur.partners.length + 1;
    while (used.has(`partner-${n}`)) n++;
    S.cur.partners.push({ id: `partner-${n}`, name: `Partner council ${n}`, grade: 'good',
      neighbouring: false, child_population: 50000, spare_leadership_capacity: 2, current_commitments: 0 });
    buildPartners(S.cur.partners.length - 1);
    changed();
  }

  function buildInputs() {
    $('p-name').value = S.cur.name || '';
    $('p-id').value = S.cur.id || '';
    $('p-asof').value = S.cur.as_of || '';
    if (!S.cur.ratings) S.cur.ratings = {};
    buildRatings();
    buildFacts();
    buildGrades();
    buildIntervention();
    buildPartners();
    $('u-draws').max = S.session.max_draws || 20000;
    markChanges();
  }

  // ---- which inputs differ from the profile as assessed ----
  function markOne(id, was, now, show) {
    const m = $(id);
    if (!m) return;
    const diff = !same(was, now);
    m.hidden = !diff;
    m.textContent = diff ? `changed (assessed: ${show(was)})` : '';
    const ctl = m.closest('fieldset.rating') || m.parentElement;
    if (ctl) ctl.classList.toggle('is-changed', diff);
  }
  function markChanges() {
    const b = S.base || {}, c = S.cur;
    for (const k of S.session.ratings)
      markOne(`r-${k}-chg`, (b.ratings || {})[k], c.ratings[k], showRating);
    for (const k of S.session.facts || [])
      markOne(`fact-${k}-chg`, (b.facts || {})[k], (c.facts || {})[k], (v) => (v === undefined ? 'not given' : String(v)));
    // the groups without a mark per control: one mark on the group
    const groups = [
      ['f-about', (p) => [p.name, p.id, p.as_of]],
      ['f-grades', (p) => p.ofsted],
      ['f-intervention', (p) => p.current_intervention || null],
      ['f-partners', (p) => p.partners || []],
    ];
    for (const [id, part] of groups) {
      const fs = $(id);
      let m = fs.querySelector(':scope > .group-mark');
      if (!m) {
        m = el('p', { class: 'changed-mark group-mark', id: `${id}-chg`, hidden: true, text: 'changed from the profile as assessed' });
        fs.querySelector(':scope > legend').after(m);
      }
      const diff = !same(part(b), part(c));
      m.hidden = !diff;
      fs.classList.toggle('is-changed', diff);
    }
    $('reset').disabled = same(S.base, S.cur);
  }

  // ---- re-evaluating ----
  function changed() {
    markChanges();
    // busy from the change on, not only once the request is sent
    if (!S.waiting) { S.waiting = true; busy(+1); }
    clearTimeout(S.timer);
    S.timer = setTimeout(evaluate, DEBOUNCE_MS);
  }

  function drawsSeed() {
    const d = Math.max(0, Math.min(Number($('u-draws').value) || 0, S.session.max_draws || 20000));
    const s = Math.max(0, Math.floor(Number($('u-seed').value) || 0));
    return { draws: d, seed: s };
  }
  function baseRef() {
    return S.key ? { base_key: S.key } : { base: S.base };
  }

  async function evaluate() {
    clearTimeout(S.timer);
    if (S.waiting) { S.waiting = false; busy(-1); }
    if (S.ctl) S.ctl.abort();
    const ctl = new AbortController();
    S.ctl = ctl;
    const seq = ++S.seq;
    const profile = clone(S.cur);
    const { draws, seed } = drawsSeed();
    const live = () => seq === S.seq;
    busy(+1);
    try {
      // the ranking first (it is what the adviser waits for), the rest beside it
      let full = false;
      api('POST', '/api/evaluate', { profile }, ctl.signal)
        .then((d) => { if (live() && !full) showRanking(d.results[0]); })
        .catch(() => { /* the same refusal comes back from the calls below */ });
      const charts = api('POST', '/api/charts', {
        profile, draws, seed, sections: ['ranking', 'robustness', 'why', 'timeline'],
      }, ctl.signal);
      const sens = api('POST', '/api/sensitivity', { profile }, ctl.signal);
      const diff = api('POST', '/api/diff', Object.assign({ profile }, baseRef()), ctl.signal);
      const tips = api('POST', '/api/charts', { profile, sections: ['change'] }, ctl.signal);
      const rest = Promise.allSettled([sens, diff, tips]);   // never an unhandled rejection
      const c = await charts;
      full = true;
      if (!live()) return;
      clearError();
      showResult(c, draws, seed);
      const [sv, dv, tv] = await rest;
      if (!live()) return;
      if (sv.status === 'fulfilled') showTipping(sv.value); else showError('Tipping points', sv.reason);
      if (dv.status === 'fulfilled') showDiff(dv.value); else showError('Difference', dv.reason);
      if (tv.status === 'fulfilled') putChart($('chart-tipping'), svgsOf(tv.value.sections.change)[0],
        'No tipping-point chart.');
      else showError('Tipping-point chart', tv.reason);
      $('results').dataset.round = String(seq);
    } catch (e) {
      if (live()) showError('Evaluation', e);
    } finally {
      busy(-1);
    }
  }

  // ---- showing a result ----
  // The ranking table and the spoken summary.  A plain evaluation (no draws)
  // comes back first and is shown at once; the answer with draws fills in
  // the p05-p95 and first-share columns without saying it all again.
  function showRanking(res) {
    const unc = res.uncertainty;
    const probs = unc && unc.models ? unc.models : {};
    const tb = $('ranking').tBodies[0];
    tb.replaceChildren();
    for (const e of res.ranking) {
      const u = probs[e.model];
      const tr = el('tr', { 'data-model': e.model, 'data-rank': e.rank,
                            'data-score': e.score === undefined ? '' : e.score,
                            class: e.viable ? null : 'not-viable' });
      tr.append(
        el('td', { class: 'n', text: e.rank }),
        el('th', { scope: 'row', text: modelName(e.model) }),
        el('td', { class: 'n', text: e.error ? 'failed' : fmt(e.score) }),
        el('td', { text: e.error ? e.error : (e.band || '') }),
        el('td', { text: e.viable ? 'yes' : 'no' }),
        el('td', { class: 'n', text: u ? `${fmt(u.p05)}–${fmt(u.p95)}` : '…' }),
        el('td', { class: 'n', text: u && u.rank_probability ? pct(u.rank_probability[0]) : '…' }),
        el('td', { text: e.partner ? `${e.partner.id} (${fmt(e.partner.fit, 0)})` : '–' }));
      tb.append(tr);
    }
    const first = res.ranking[0];
    const second = res.ranking[1];
    let line = first ? `${modelName(first.model)} ranks first with ${fmt(first.score)}` : 'No model ranks';
    if (second) line += `; ${modelName(second.model)} second with ${fmt(second.score)}`;
    line += '.';
    // the same words are not put again: a screen reader would read them twice
    if ($('summary').textContent !== line) $('summary').textContent = line;
    $('summary').dataset.recommended = res.recommended || '';
  }

  function showResult(doc, draws, seed) {
    const res = doc.result.results[0];
    S.result = res;
    const unc = res.uncertainty;
    showRanking(res);
    if (!unc) for (const td of $('ranking').querySelectorAll('td')) if (td.textContent === '…') td.textContent = '–';

    const iv = res.intervention;
    $('intervention').textContent = iv && iv.model
      ? `In place: ${modelName(iv.model)}${iv.months !== undefined && iv.months !== null ? ` for ${iv.months} months` : ''}` +
        `${iv.status ? ` — ${String(iv.status).replace(/_/g, ' ')}` : ''}${iv.text ? `: ${iv.text}` : ''}` +
        `${iv.escalate_to ? ` (escalate to ${modelName(iv.escalate_to)})` : ''}.`
      : '';
    const s = doc.sections || {};
    putChart($('chart-ranking'), svgsOf(s.ranking)[0], 'No ranking chart.');
    const top = res.ranking[0] && unc && unc.models ? unc.models[res.ranking[0].model] : null;
    $('draws-note').textContent = unc
      ? `From ${unc.draws} draws with the fixed seed ${unc.seed}: the same inputs and seed give the same shares.` +
        (top && top.rank_probability ? ` ${modelName(res.ranking[0].model)} is first in ${pct(top.rank_probability[0])} of them.` : '')
      : `No draws (set Draws above 0 to see how robust the ranking is; seed ${seed}).`;
    putChart($('chart-acceptability'), unc ? svgsOf(s.robustness)[0] : null,
      'Rank acceptability needs draws.');
    showAcceptTable(res);
    S.whySvgs = svgsOf(s.why);
    putChart($('chart-timeline'), svgsOf(s.timeline)[0], 'No timeline chart.');
    fillModelPick(res);
    showModel();
    showPartnerFits();
    fillDecisionModels(res);
  }

  function showAcceptTable(res) {
    const fig = $('chart-acceptability');
    const unc = res.uncertainty;
    if (!unc || !unc.models) return;
    const t = el('table', { class: 'data' },
      el('caption', { text: 'Share of draws in which each model took first place, or one of the first two, and its expected rank' }));
    t.append(el('thead', null, el('tr', null,
      el('th', { scope: 'col', text: 'Model' }), el('th', { scope: 'col', text: 'First' }),
      el('th', { scope: 'col', text: 'Top two' }), el('th', { scope: 'col', text: 'Expected rank' }),
      el('th', { scope: 'col', text: 'Viable in' }))));
    const tb = el('tbody');
    for (const e of res.ranking) {
      const u = unc.models[e.model];
      if (!u || !u.rank_probability) continue;
      const rp = u.rank_probability;
      const exp = rp.reduce((a, p, k) => a + p * (k + 1), 0);
      tb.append(el('tr', null, el('th', { scope: 'row', text: modelName(e.model) }),
        el('td', { class: 'n', text: pct(rp[0]) }), el('td', { class: 'n', text: pct(rp[0] + (rp[1] || 0)) }),
        el('td', { class: 'n', text: exp.toFixed(1) }),
        el('td', { class: 'n', text: pct(u.viable_share) })));
    }
    t.append(tb);
    fig.append(el('div', { class: 'scroll' }, t));
  }

  function fillModelPick(res) {
    const sel = $('model-pick');
    const keep = S.model || sel.value || (res.ranking[0] && res.ranking[0].model);
    sel.replaceChildren();
    for (const e of res.ranking)
      sel.append(el('option', { value: e.model, text: `${e.rank}. ${modelName(e.model)}` }));
    sel.value = res.ranking.some((e) => e.model === keep) ? keep : (res.ranking[0] || {}).model;
    S.model = sel.value;
  }

  function showModel() {
    const box = $('model-detail');
    box.replaceChildren();
    if (!S.result) return;
    const e = S.result.ranking.find((x) => x.model === S.model);
    if (!e) return;
    box.append(el('p', null, el('strong', { text: modelName(e.model) }),
      e.error ? ` failed on this profile: ${e.error}` :
        ` scores ${fmt(e.score)} (${e.band}), rank ${e.rank}${e.viable ? '' : ', not viable'}.`));
    box.append(el('h4', { text: 'Preconditions not met' }));
    const un = e.unmet_preconditions || [];
    if (un.length) {
      const ul = el('ul', { class: 'unmet' });
      for (const u of un) ul.append(el('li', { text: u }));
      box.append(ul);
    } else box.append(el('p', { text: 'None: every precondition is met.' }));
    box.append(el('h4', { text: 'Reasons' }));
    const t = el('table', { class: 'data reasons' },
      el('caption', { class: 'vh', text: `The reasons of ${modelName(e.model)}, as the model gives them` }),
      el('thead', null, el('tr', null, el('th', { scope: 'col', text: 'Points' }),
        el('th', { scope: 'col', text: 'Reason' }), el('th', { scope: 'col', text: 'Inputs' }),
        el('th', { scope: 'col', text: 'Evidence' }))));
    const tb = el('tbody');
    for (const r of e.reasons || [])
      tb.append(el('tr', null, el('td', { class: 'n', text: r.points > 0 ? `+${fmt(r.points)}` : fmt(r.points) }),
        el('td', { text: r.text }), el('td', { text: (r.fields || []).join(', ') }),
        el('td', { text: r.evidence || '' })));
    t.append(tb);
    box.append(el('div', { class: 'scroll' }, t));
    if ((e.risks || []).length) {
      box.append(el('h4', { text: 'Risks' }));
      const ul = el('ul');
      for (const r of e.risks) ul.append(el('li', { text: r }));
      box.append(ul);
    }
    const wf = (S.whySvgs || []).find((s) => s.getAttribute('data-chart') === 'waterfall' &&
      s.querySelector(`[data-key="${CSS.escape(e.model)}"]`));
    putChart($('chart-waterfall'), wf ? wf.cloneNode(true) : null, 'No waterfall for this model.');
  }

  function showPartnerFits() {
    const box = $('fits');
    box.replaceChildren();
    const res = S.result;
    const ps = S.cur && S.cur.partners ? S.cur.partners : [];
    // each partner's fit, on its own fieldset too
    ps.forEach((p, i) => {
      const f = $(`pt-${i}-fit`);
      if (!f) return;
      f.dataset.partner = p.id || '';
      if (!res) { f.textContent = ''; return; }
      const uses = res.ranking.filter((e) => e.partner && e.partner.id === p.id);
      f.textContent = uses.length
        ? 'Fit: ' + uses.map((e) => `${fmt(e.partner.fit, 0)} for ${modelName(e.model)}`).join('; ')
        : 'Not the chosen partner of any model.';
      f.dataset.fit = uses.length ? Math.max(...uses.map((e) => e.partner.fit)) : '';
    });
    if (!res) return;
    if (!ps.length) { box.append(el('p', { text: 'The profile names no candidate partner council.' })); return; }
    const rows = res.ranking.filter((e) => e.partner ||
      (e.reasons || []).some((r) => (r.fields || []).includes('partners')));
    if (!rows.length) { box.append(el('p', { text: 'No model weighed a partner for this profile.' })); return; }
    for (const e of rows) {
      box.append(el('h4', { text: modelName(e.model) }));
      box.append(el('p', { 'data-model': e.model, 'data-partner': e.partner ? e.partner.id : '' ,
        text: e.partner ? `${e.viable ? 'Chosen partner' : 'Best candidate'}: ${e.partner.id}, fit ${fmt(e.partner.fit, 0)}/100` +
          (e.viable ? '.' : ' (the model is not viable here).') : 'No candidate can partner for this model.' }));
      const parts = e.partner && e.partner.components;
      if (parts && parts.length) {
        const t = el('table', { class: 'data fit-parts', 'data-model': e.model, 'data-partner': e.partner.id },
          el('caption', { text: `The fit of ${e.partner.id} for ${modelName(e.model)}, part by part` }),
          el('thead', null, el('tr', null, el('th', { scope: 'col', text: 'Part' }),
            el('th', { scope: 'col', text: 'Points' }), el('th', { scope: 'col', text: 'Evidence' }))));
        const tb = el('tbody');
        for (const c of parts)
          tb.append(el('tr', { 'data-part': c.name, 'data-points': c.points },
            el('th', { scope: 'row', text: c.name.replace(/_/g, ' ') }),
            el('td', { class: 'n', text: c.points > 0 ? `+${fmt(c.points)}` : fmt(c.points) }),
            el('td', { text: c.evidence || '' })));
        tb.append(el('tr', { class: 'total' }, el('th', { scope: 'row', text: 'fit' }),
          el('td', { class: 'n', text: fmt(e.partner.fit, 0) }), el('td', { text: '' })));
        t.append(tb);
        box.append(el('div', { class: 'scroll' }, t));
      }
      const ul = el('ul');
      for (const r of e.reasons || [])
        if ((r.fields || []).includes('partners'))
          ul.append(el('li', { text: r.text + (r.points ? ` (${r.points > 0 ? '+' : ''}${fmt(r.points)} points)` : '') }));
      if (ul.children.length) box.append(ul);
    }
  }

  function showTipping(doc) {
    const res = doc.results && doc.results[0];
    if (!res) return;
    for (const k of S.session.ratings) {
      const t = res.ratings ? res.ratings[k] : null;
      const p = $(`r-${k}-tips`), track = $(`r-${k}-track`);
      if (!p) continue;
      track.replaceChildren();
      const fs = $(`r-${k}`);
      fs.classList.remove('tip-inside');
      if (!t) { p.textContent = 'Tipping points: none worked out.'; continue; }
      const parts = [];
      for (const [dir, word] of [['decrease', 'at or below'], ['increase', 'at or above']]) {
        const x = t[dir];
        if (!x) continue;
        parts.push(`${word} ${fmt(x.to, 2)}: ${modelName(x.first)} first${x.first_viable ? '' : ' (not viable)'}` +
                   (x.within_range ? ', inside the range given' : ''));
        if (x.within_range) fs.classList.add('tip-inside');
        const mark = el('span', { class: `tip tip-${dir}` });
        // the slider's thumb (about 16 px) keeps 8 px from each end of the track
        mark.style.left = `calc(8px + (100% - 16px) * ${Math.max(0, Math.min(1, x.to / 4))})`;
        track.append(mark);
      }
      p.textContent = parts.length ? `Another model first: ${parts.join('; ')}.`
        : `No change of this rating alone puts another model first (${modelName(res.first)} stays first).`;
      p.dataset.up = t.increase ? t.increase.to : '';
      p.dataset.down = t.decrease ? t.decrease.to : '';
    }
  }

  // a changed input's value in words: a list of partners by their ids
  function showValue(v) {
    if (v === undefined || v === null) return 'none';
    if (Array.isArray(v)) {
      if (!v.length) return 'none';
      if (v.every((x) => x && typeof x === 'object' && 'id' in x)) return v.map((x) => x.id).join(', ');
    }
    if (typeof v === 'object' && !Array.isArray(v) && 'low' in v) return showRating(v);
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  function showDiff(d) {
    const box = $('diff');
    box.replaceChildren();
    const ch = d.changed_inputs || [];
    if (!ch.length) {
      box.append(el('p', { text: 'No input differs from the profile as assessed.' }));
      return;
    }
    box.append(el('h4', { text: 'Changed inputs' }));
    const ul = el('ul', { class: 'changed-inputs' });
    for (const c of ch)
      ul.append(el('li', { 'data-field': c.field, text: `${c.field}: ${showValue(c.from)} → ${showValue(c.to)}` }));
    box.append(ul);
    if (d.recommended) {
      box.append(el('p', { class: 'recommended', text: d.recommended.from === d.recommended.to
        ? `Still first: ${modelName(d.recommended.to)}.`
        : `First was ${modelName(d.recommended.from)}, now ${modelName(d.recommended.to)}.` }));
    }
    const moved = (d.models || []).filter((m) => m.delta !== 0 || m.from_rank !== m.to_rank ||
      m.from_viable !== m.to_viable || (m.reasons_added || []).length || (m.reasons_removed || []).length ||
      (m.reasons_changed || []).length);
    if (!moved.length) { box.append(el('p', { text: 'No model moved and no reason changed.' })); return; }
    const t = el('table', { class: 'data' },
      el('caption', { text: 'Models that moved, against the profile as assessed' }),
      el('thead', null, el('tr', null, el('th', { scope: 'col', text: 'Model' }),
        el('th', { scope: 'col', text: 'Rank' }), el('th', { scope: 'col', text: 'Score' }),
        el('th', { scope: 'col', text: 'Viable' }))));
    const tb = el('tbody');
    for (const m of moved) {
      const sign = m.delta > 0 ? '+' : '';
      tb.append(el('tr', { 'data-model': m.model },
        el('th', { scope: 'row', text: modelName(m.model) }),
        el('td', { text: m.from_rank === m.to_rank ? String(m.to_rank) : `${m.from_rank} → ${m.to_rank}` }),
        el('td', { class: 'n', text: `${fmt(m.from_score)} → ${fmt(m.to_score)} (${sign}${fmt(m.delta)})` }),
        el('td', { text: m.from_viable === m.to_viable ? (m.to_viable ? 'yes' : 'no')
          : `${m.from_viable ? 'yes' : 'no'} → ${m.to_viable ? 'yes' : 'no'}` })));
    }
    t.append(tb);
    box.append(el('div', { class: 'scroll' }, t));
    for (const m of moved) {
      const items = [];
      for (const r of m.reasons_added || []) items.push(`added: ${r.text} (${fmt(r.points)})`);
      for (const r of m.reasons_removed || []) items.push(`gone: ${r.text} (${fmt(r.points)})`);
      for (const r of m.reasons_changed || []) items.push(`${r.text}: ${fmt(r.from_points)} → ${fmt(r.to_points)}`);
      for (const r of m.preconditions_met || []) items.push(`now met: ${r}`);
      for (const r of m.preconditions_unmet || []) items.push(`no longer met: ${r}`);
      if (!items.length) continue;
      box.append(el('h5', { text: `${modelName(m.model)}: reasons changed` }));
      const l = el('ul');
      for (const i of items) l.append(el('li', { text: i }));
      box.append(l);
    }
  }

  // ---- actions: save, decide, download ----
  function say(text) { $('action-status').textContent = text; }

  function fillDecisionModels(res) {
    const sel = $('d-model');
    const keep = sel.value;
    sel.replaceChildren();
    for (const e of res.ranking)
      sel.append(el('option', { value: e.model, text: modelName(e.model) + (e.model === res.recommended ? ' (recommended)' : '') }));
    sel.value = keep && res.ranking.some((e) => e.model === keep) ? keep : res.recommended || '';
  }

  function actionsState() {
    const reg = S.session && S.session.register;
    // both rest on an assessment in the register: a what-if is saved on the
    // assessment it varies, and a decision is taken on an assessment
    const assessed = !!(reg && S.entry && S.entry.origin === 'register' && !S.entry.what_if);
    $('save').disabled = !assessed;
    $('decide').disabled = !assessed;
    const why = !reg ? 'imeval serve runs without --register: saving and recording are off.'
      : !assessed ? 'Saving a what-if and recording a decision need an assessment in the register: pick one above.'
        : '';
    $('actions-note').textContent = why;
    $('d-h').textContent = 'Required when the model chosen is not the one recommended.';
  }

  async function save() {
    const { draws, seed } = drawsSeed();
    busy(+1);
    try {
      const r = await api('POST', '/api/scenario', {
        profile: clone(S.cur), base_key: S.key, author: $('a-by').value.trim() || null,
        title: `what-if on ${S.cur.name || S.cur.id}`, draws, seed,
      });
      S.lastScenario = r.id;
      clearError();
      say(`Saved as what-if scenario ${r.id}${r.register ? ' in ' + r.register : ''}; it is not an assessment.`);
      $('action-status').dataset.scenario = r.id;
      loadProfiles(true).catch((e) => showError('Profiles', e));
    } catch (e) {
      showError('Saving the scenario', e);
    } finally { busy(-1); }
  }

  async function decide() {
    busy(+1);
    try {
      const partner = $('d-partner').value.trim();
      const r = await api('POST', '/api/decision', {
        assessment: S.entry.assessment, model: $('d-model').value, partner: partner || null,
        rationale: $('d-rationale').value, author: $('a-by').value.trim() || null, role: $('d-role').value,
      });
      clearError();
      say(`Recorded decision ${r.id} on assessment ${S.entry.assessment}: ${modelName($('d-model').value)}.`);
      $('action-status').dataset.decision = r.id;
    } catch (e) {
      showError('Recording the decision', e);
    } finally { busy(-1); }
  }

  async function download() {
    const { draws, seed } = drawsSeed();
    busy(+1);
    try {
      const res = await api('POST', '/api/report', Object.assign({ profile: clone(S.cur), draws, seed }, baseRef()),
        undefined, true);
      const blob = await res.blob();
      const cd = res.headers.get('Content-Disposition') || '';
      const m = /filename="([^"]+)"/.exec(cd);
      const name = m ? m[1] : `${S.cur.id || 'profile'}-what-if.html`;
      const url = URL.createObjectURL(blob);
      const a = el('a', { href: url, download: name, class: 'vh' });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      clearError();
      say(`Report downloaded as ${name}${same(S.base, S.cur) ? '.' : ', with the changed inputs flagged.'}`);
    } catch (e) {
      showError('The report', e);
    } finally { busy(-1); }
  }

  // ---- choosing a profile ----
  function optionText(p) {
    let t = `${p.name || p.id} (${p.as_of || 'no date'})`;
    if (p.origin === 'register') {
      t += `: ${p.what_if ? 'what-if' : 'assessment'} ${p.assessment}`;
      if (p.recorded_at) t += `, recorded ${String(p.recorded_at).slice(0, 10)}`;
    }
    return t;
  }

  async function loadProfiles(keep) {
    const r = await api('GET', '/api/profiles');
    S.profiles = r.profiles || [];
    const sel = $('authority');
    const was = keep ? sel.value : '';
    sel.replaceChildren(el('option', { value: '', text: 'Choose a profile…' }));
    const groups = [['file', false, 'Profiles given to imeval serve'],
                    ['register', false, 'Assessments in the register'],
                    ['register', true, 'What-if scenarios in the register']];
    for (const [origin, whatIf, label] of groups) {
      const items = S.profiles.filter((p) => p.origin === origin && !!p.what_if === whatIf);
      if (!items.length) continue;
      const g = el('optgroup', { label });
      for (const p of items)
        g.append(el('option', { value: p.key, text: optionText(p) }));
      sel.append(g);
    }
    if (was) sel.value = was;
    else if (S.profiles.length === 1) sel.value = S.profiles[0].key;
    return sel.value;
  }

  async function pick(key) {
    busy(+1);
    try {
      let prof, entry = null;
      if (key) {
        const r = await api('GET', `/api/profiles/${encodeURIComponent(key)}`);
        prof = r.profile;
        entry = S.profiles.find((p) => p.key === key) || { key, origin: r.origin };
      } else {
        prof = (await api('GET', '/api/template')).profile;
      }
      S.key = key || null;
      S.entry = entry;
      S.ciAside = null;
      S.base = clone(prof);
      S.cur = clone(prof);
      S.model = '';
      clearError();
      buildInputs();
      $('work').hidden = false;
      $('origin').textContent = !entry ? 'A blank profile from the template: every rating 2. Nothing is assessed yet.'
        : entry.origin === 'register'
          ? `From the register: ${entry.what_if ? 'what-if scenario' : 'assessment'} ${entry.assessment}.`
          : `From the file ${entry.source || key}.`;
      actionsState();
      say('');
      await evaluate();
    } catch (e) {
      showError('Opening the profile', e);
    } finally { busy(-1); }
  }

  function wire() {
    $('authority').addEventListener('change', () => { if ($('authority').value) pick($('authority').value); });
    $('blank').addEventListener('click', () => { $('authority').value = ''; pick(null); });
    $('reset').addEventListener('click', () => {
      S.cur = clone(S.base);
      buildInputs();
      changed();
      $('authority').focus();
    });
    for (const [id, key] of [['p-name', 'name'], ['p-id', 'id'], ['p-asof', 'as_of']])
      $(id).addEventListener('input', () => { S.cur[key] = $(id).value; changed(); });
    $('g-grade').addEventListener('change', () => { S.cur.ofsted.grade = $('g-grade').value; changed(); });
    $('g-inspected').addEventListener('input', () => {
      const v = $('g-inspected').value.trim();
      if (v) S.cur.ofsted.inspected = v; else delete S.cur.ofsted.inspected;
      changed();
    });
    $('add-previous').addEventListener('click', () => {
      const o = S.cur.ofsted;
      if (!o.previous) o.previous = [];
      o.previous.push('requires_improvement');
      buildPrevious();
      changed();
      $(`prev-${o.previous.length - 1}-grade`).focus();
    });
    $('i-model').addEventListener('change', readIntervention);
    $('i-kind').addEventListener('change', readIntervention);
    $('i-since').addEventListener('input', readIntervention);
    $('i-partner').addEventListener('input', readIntervention);
    $('add-partner').addEventListener('click', addPartner);
    $('add-progress').addEventListener('click', addProgress);
    $('u-draws').addEventListener('input', changed);
    $('u-seed').addEventListener('input', changed);
    $('model-pick').addEventListener('change', () => { S.model = $('model-pick').value; showModel(); });
    $('save').addEventListener('click', save);
    $('decide').addEventListener('click', decide);
    $('download').addEventListener('click', download);
    $('inputs').addEventListener('submit', (ev) => { ev.preventDefault(); evaluate(); });
  }

  async function start() {
    wire();
    busy(+1);
    try {
      S.session = await api('GET', '/api/session');
      $('u-draws').value = String(S.session.default_draws !== undefined ? S.session.default_draws : 2000);
      $('u-seed').value = String(S.session.default_seed !== undefined ? S.session.default_seed : 1);
      $('engine').textContent = `imeval ${S.session.engine.version}; ${S.session.models.length} models: ` +
        S.session.models.map((m) => `${m.name} ${m.version}`).join(', ') + '.';
      const key = await loadProfiles(false);
      if (key) await pick(key);
      else if (!S.profiles.length) await pick(null);
      else $('origin').textContent = 'Choose a profile, or start a blank one.';
    } catch (e) {
      showError('Starting', e);
    } finally { busy(-1); }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
