// serve.mjs - the what-if page of a running `imeval serve` in Debian's
// Chromium through playwright-core (no browser download).  Every check
// that concerns a number compares the page with what the command gives
// for the same input: the expected figures are computed here, in the run,
// by build/imeval itself (evaluate, sensitivity, validate, register
// history), never taken from a file the page produced.
//
// usage: IMEVAL_BIN=… IMEVAL_REGISTER=… IMEVAL_CASES=… node serve.mjs URL TMPDIR ARTEFACTS
//   URL is the address imeval serve printed (with its token).  The register
//   holds the assessment mb-2020 of datasets/cases/middlesbrough-2020.json.
// exit 0 when every step passes; the first failing step stops the run,
// is named, and leaves build/artefacts/serve-failure.png.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const [url, tmp, art] = process.argv.slice(2);
const BIN = process.env.IMEVAL_BIN, REG = process.env.IMEVAL_REGISTER, CASES = process.env.IMEVAL_CASES;
if (!url || !tmp || !art || !BIN || !REG || !CASES) {
  console.error('usage: IMEVAL_BIN=… IMEVAL_REGISTER=… IMEVAL_CASES=… node serve.mjs URL TMPDIR ARTEFACTS');
  process.exit(2);
}
const STEP_MS = 60000;          // per step: generous for ASan on a loaded 2-core machine
const origin = new URL(url).origin;
const CASE = join(CASES, 'middlesbrough-2020.json');
const ASSESSMENT = 'mb-2020';
const AUTHORITY = 'middlesbrough';
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

function imeval(args) {
  try {
    return execFileSync(BIN, args, { encoding: 'utf8', timeout: 180000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    // exit 1 with a document (some model failed) is still an answer
    if (e.status === 1 && e.stdout) return e.stdout;
    throw new Error(`imeval ${args.join(' ')} exited ${e.status}: ${e.stderr}`);
  }
}
const evaluateFile = (file) => JSON.parse(imeval(['evaluate', '--format', 'json', '--draws', '2000', '--seed', '1', file])).results[0];
const pct = (v) => `${Math.round(v * 100)}%`;
function assert(cond, msg) { if (!cond) throw new Error(msg); }
function sameRanking(page, cmd, what) {
  const want = cmd.ranking.map((e) => `${e.rank}:${e.model}:${e.score}`).join(' ');
  const got = page.map((e) => `${e.rank}:${e.model}:${e.score}`).join(' ');
  assert(want === got, `${what}: the page ranks\n  ${got}\nbut imeval evaluate ranks\n  ${want}`);
}

const failures = [];
const foreign = [];
let allowStatus = new Set();
const browser = await chromium.launch({
  executablePath: process.env.IMEVAL_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 120000,
});
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
page.setDefaultTimeout(STEP_MS);
await page.addInitScript(() => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation',
    (e) => window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
});
page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
page.on('console', (m) => {
  if (m.type() !== 'error') return;
  // a refusal the test provokes is logged by Chromium as a failed load
  if (/Failed to load resource: the server responded with a status of (\d+)/.test(m.text()) &&
      allowStatus.has(Number(RegExp.$1))) return;
  failures.push(`console error: ${m.text()}`);
});
page.on('request', (r) => {
  const u = r.url();
  if (!u.startsWith(origin + '/') && !u.startsWith('blob:')) foreign.push(u);
});
page.on('response', (r) => {
  if (r.status() >= 400 && !allowStatus.has(r.status())) failures.push(`HTTP ${r.status()} for ${r.url()}`);
});

// axe is evaluated through the DevTools protocol: the page's CSP stays on
async function runAxe() {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const res = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return { v: res.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 5).map((x) => x.target.join(' ')).join(', ')}`), passes: res.passes.length };
  });
}

let n = 0;
async function step(name, fn) {
  n++;
  const t0 = Date.now();
  let timer;
  try {
    await Promise.race([fn(), new Promise((_, no) => { timer = setTimeout(() => no(new Error(`timed out after ${STEP_MS / 1000} s`)), STEP_MS); })]);
    if (failures.length) throw new Error(failures.join('\n'));
    console.log(`ok ${n} - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    console.error(`not ok ${n} - ${name}: ${e.message}`);
    await page.screenshot({ path: join(art, 'serve-failure.png'), fullPage: true }).catch(() => {});
    await browser.close();
    process.exit(1);
  } finally { clearTimeout(timer); }
}

const round = () => page.$eval('#results', (r) => r.dataset.round || '');
async function settled(before) {
  await page.waitForFunction((b) => {
    const r = document.getElementById('results');
    return r.dataset.round && r.dataset.round !== b && document.getElementById('busy').hidden;
  }, before, { timeout: STEP_MS });
}
// Settled on a given answer: several inputs changed one after another may
// give intermediate rounds on a slow machine; wait for the one that holds
// them all (the ranking imeval gives for the final profile), then compare.
async function settledTo(before, want, what) {
  const key = want.ranking.map((e) => `${e.rank}:${e.model}:${e.score}`).join(' ');
  await page.waitForFunction(([b, k]) => {
    const r = document.getElementById('results');
    const got = [...document.querySelectorAll('#ranking tbody tr')]
      .map((x) => `${x.dataset.rank}:${x.dataset.model}:${x.dataset.score}`).join(' ');
    return r.dataset.round && r.dataset.round !== b && document.getElementById('busy').hidden && got === k;
  }, [before, key], { timeout: STEP_MS - 5000 }).catch(() => {});
  sameRanking(await pageRanking(), want, what);
}
const pageRanking = () => page.$$eval('#ranking tbody tr', (rows) => rows.map((r) => ({
  rank: Number(r.dataset.rank), model: r.dataset.model, score: r.dataset.score === '' ? undefined : Number(r.dataset.score),
  first: r.cells[6].textContent,
})));

let base, initial, sens, target, changedProfile, changedResult;

await step('sign in with the printed token; the token leaves the address', async () => {
  await page.goto(url, { waitUntil: 'load' });
  assert(!page.url().includes('token='), `the address still holds the token: ${page.url()}`);
  await page.waitForFunction(() => document.querySelectorAll('#authority option').length > 1);
});

await step('pick the recorded assessment of Middlesbrough 2020', async () => {
  const list = await page.evaluate(async () => (await fetch('/api/profiles')).json());
  const entry = list.profiles.find((p) => p.origin === 'register' && p.assessment === ASSESSMENT);
  assert(entry, `no register entry ${ASSESSMENT} in /api/profiles: ${JSON.stringify(list)}`);
  const before = await round();
  await page.selectOption('#authority', entry.key);
  await settled(before);
  assert(!(await page.isHidden('#work')), 'the inputs are not shown');
}, );

await step('the ranking is what imeval evaluate gives (order, scores, share first of 2000 draws, seed 1)', async () => {
  base = JSON.parse(readFileSync(CASE, 'utf8'));
  initial = evaluateFile(CASE);
  const rows = await pageRanking();
  sameRanking(rows, initial, 'as assessed');
  for (const r of rows) {
    const u = initial.uncertainty.models[r.model];
    assert(r.first === pct(u.rank_probability[0]), `${r.model}: the page says first in ${r.first}, imeval ${pct(u.rank_probability[0])}`);
  }
  const note = await page.textContent('#draws-note');
  assert(/2000 draws/.test(note) && /seed 1\b/.test(note), `the draws and seed are not shown: "${note}"`);
  // the charts are the server's SVG, with the same numbers
  for (const id of ['chart-ranking', 'chart-acceptability', 'chart-timeline', 'chart-tipping', 'chart-waterfall']) {
    const c = await page.$$eval(`#${id} svg`, (s) => s.map((x) => ({
      role: x.getAttribute('role'),
      title: (x.querySelector(':scope > title') || {}).textContent || '',
      desc: (x.querySelector(':scope > desc') || {}).textContent || '',
    })));
    assert(c.length === 1, `#${id}: ${c.length} charts, expected one`);
    assert(c[0].role === 'img' && c[0].title.trim() && c[0].desc.trim(), `#${id}: no role=img with title and desc`);
  }
  for (const e of initial.ranking) {
    const marks = await page.$$eval(`#chart-ranking [data-key="${e.model}"][data-score]`, (m) => m.map((x) => Number(x.dataset.score)));
    assert(marks.includes(e.score), `the ranking chart has no mark of ${e.model} at ${e.score} (has ${marks})`);
  }
  const summary = await page.textContent('#summary');
  assert(summary.includes('ranks first'), `no summary in the live region: "${summary}"`);
});

await step('keyboard only: Tab from the top reaches a rating in order, focus always visible, no trap', async () => {
  sens = JSON.parse(imeval(['sensitivity', '--format', 'json', CASE])).results[0];
  const order = await page.$$eval('#ratings fieldset', (f) => f.map((x) => x.dataset.rating));
  for (const k of order) {
    const r = sens.ratings[k], v = base.ratings[k];
    if (typeof v !== 'number') continue;
    const t = (r.increase && r.increase.to <= 4) ? { dir: 'up', to: r.increase.to, first: r.increase.first }
      : (r.decrease && r.decrease.to >= 0) ? { dir: 'down', to: r.decrease.to, first: r.decrease.first } : null;
    if (t) { target = { key: k, value: v, ...t }; break; }
  }
  assert(target, 'imeval sensitivity gives no tipping point on a plain rating of this case');
  // the tipping point is shown on that rating's control
  const tips = await page.textContent(`#r-${target.key}-tips`);
  assert(tips.includes(target.to.toFixed(2).replace(/\.?0+$/, '')), `rating ${target.key}: the tipping point ${target.to} is not shown: "${tips}"`);
  await page.focus('.skip');
  const seen = [];
  const want = `r-${target.key}-likely`;
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const a = document.activeElement;
      const cs = getComputedStyle(a);
      const box = a.getBoundingClientRect();
      const prev = window.__lastFocus;
      const after = !prev || (prev.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
      window.__lastFocus = a;
      return { id: a.id || a.tagName, visible: box.width > 0 && box.height > 0,
               ring: cs.outlineStyle !== 'none' || cs.boxShadow !== 'none', after };
    });
    assert(!seen.includes(f.id) || f.id === 'BODY', `focus came back to ${f.id}: a loop or a trap (${seen.join(' ')})`);
    seen.push(f.id);
    assert(f.visible, `${f.id} has focus but is not visible`);
    assert(f.ring, `${f.id} has focus but no visible focus indicator`);
    assert(f.after, `${f.id} comes before the control focused before it: the tab order is not the reading order`);
    if (f.id === want) break;
  }
  assert(seen[seen.length - 1] === want, `Tab never reached ${want} (went ${seen.join(' ')})`);
  assert(seen.indexOf('authority') >= 0 && seen.indexOf('authority') < seen.indexOf(want), 'the authority was not before the ratings');
});

await step('change the rating by keys: the ranking becomes what imeval evaluate gives for the changed profile', async () => {
  const before = await round();
  const key = target.dir === 'up' ? 'ArrowRight' : 'ArrowLeft';
  let v = target.value;
  for (let i = 0; i < 8 && (target.dir === 'up' ? v < target.to : v > target.to); i++) {
    await page.keyboard.press(key);
    v = Number(await page.inputValue(`#r-${target.key}-likely`));
  }
  assert(target.dir === 'up' ? v >= target.to : v <= target.to, `the slider stopped at ${v}, short of ${target.to}`);
  target.now = v;
  changedProfile = JSON.parse(JSON.stringify(base));
  changedProfile.ratings[target.key] = v;
  writeFileSync(join(tmp, 'changed.json'), JSON.stringify(changedProfile));
  changedResult = evaluateFile(join(tmp, 'changed.json'));
  await settledTo(before, changedResult, `${target.key} at ${v}`);
  const rows = await pageRanking();
  assert(rows.map((r) => r.model).join() !== initial.ranking.map((r) => r.model).join(),
    `moving ${target.key} from ${target.value} to ${v} past its tipping point changed no rank`);
  for (const r of rows) {
    const u = changedResult.uncertainty.models[r.model];
    assert(r.first === pct(u.rank_probability[0]), `${r.model}: first in ${r.first} on the page, ${pct(u.rank_probability[0])} by imeval`);
  }
  const mark = await page.textContent(`#r-${target.key}-chg`);
  assert(mark.includes(`assessed: ${target.value}`), `the changed rating is not marked: "${mark}"`);
  const diff = await page.$$eval('#diff [data-field]', (l) => l.map((x) => x.dataset.field));
  assert(diff.includes(`ratings.${target.key}`), `the difference view does not list ratings.${target.key}: ${diff}`);
  const summary = await page.textContent('#summary');
  const firstName = await page.$eval('#ranking tbody tr th', (t) => t.textContent);
  assert(summary.startsWith(firstName), `the live summary "${summary}" does not start with the new first model ${firstName}`);
});

await step('add a partner council: busy while evaluating, then its fit as imeval gives it', async () => {
  // hold the answer back a moment, so that the busy state can be seen
  let held = false;
  await page.route('**/api/charts', async (route) => {
    if (!held) { held = true; await new Promise((r) => setTimeout(r, 1500)); }
    // The page may have given up on the held request (a newer change
    // supersedes it): then Playwright has handled the route already.
    await route.continue().catch((e) => { if (!/already handled/i.test(String(e))) throw e; });
  });
  const before = await round();
  await page.click('#add-partner');
  const focused = await page.evaluate(() => document.activeElement.id);
  assert(focused === 'pt-0-id', `after adding, focus is on ${focused}, not the new partner's id`);
  await page.fill('#pt-0-id', 'testshire');
  await page.fill('#pt-0-name', 'Testshire County Council');
  await page.selectOption('#pt-0-grade', 'outstanding');
  await page.check('#pt-0-neighbouring');
  await page.fill('#pt-0-child_population', '120000');
  await page.fill('#pt-0-spare_leadership_capacity', '3.5');
  await page.fill('#pt-0-current_commitments', '0');
  await page.waitForSelector('#busy:not([hidden])', { timeout: STEP_MS });
  assert(await page.getAttribute('#results', 'aria-busy') === 'true', 'results not aria-busy while evaluating');
  changedProfile.partners = [{ id: 'testshire', name: 'Testshire County Council', grade: 'outstanding',
    neighbouring: true, child_population: 120000, spare_leadership_capacity: 3.5, current_commitments: 0 }];
  writeFileSync(join(tmp, 'partner.json'), JSON.stringify(changedProfile));
  changedResult = evaluateFile(join(tmp, 'partner.json'));
  await settledTo(before, changedResult, 'with the partner');
  // wait for the held handler: unrouting under it made it fail under load
  await page.unrouteAll({ behavior: 'wait' });
  const fits = changedResult.ranking.filter((e) => e.partner && e.partner.id === 'testshire').map((e) => e.partner.fit);
  assert(fits.length, 'imeval chose the new partner for no model (the test case needs one)');
  const fit = await page.$eval('#pt-0-fit', (p) => ({ text: p.textContent, fit: p.dataset.fit }));
  assert(Number(fit.fit) === Math.max(...fits), `the page gives the partner a fit of ${fit.fit}, imeval ${Math.max(...fits)}`);
  assert(/Fit: \d/.test(fit.text), `no fit shown on the partner: "${fit.text}"`);
  assert(await page.isVisible('#f-partners-chg'), 'the partner candidates are not marked as changed');
  // the fit part by part, as the model gives it
  const itemised = changedResult.ranking.filter((x) => x.partner && x.partner.id === 'testshire' && x.partner.components);
  assert(itemised.length, 'imeval itemises the fit of the new partner for no model');
  for (const e of itemised) {
    const rows = await page.$$eval(`#fits table.fit-parts[data-model="${e.model}"] tr[data-part]`,
      (r) => r.map((x) => `${x.dataset.part}=${x.dataset.points}`));
    const want = e.partner.components.map((c) => `${c.name}=${c.points}`);
    assert(rows.join() === want.join(), `${e.model}: the fit's parts on the page are ${rows}, imeval gives ${want}`);
  }
  assert(await page.$('#fits [data-partner="testshire"]'), 'the partner fits section does not name the partner');
  // a second candidate, edited, then removed: the ranking is again the one-partner answer
  let b2 = await round();
  await page.click('#add-partner');
  await page.fill('#pt-1-id', 'second');
  await settled(b2);
  assert((await page.$$('#partners fieldset.partner')).length === 2, 'the second partner is not listed');
  b2 = await round();
  await page.click('#pt-1 button.remove');
  await settledTo(b2, changedResult, 'after removing the second partner');
  assert((await page.$$('#partners fieldset.partner')).length === 1, 'the removed partner is still listed');
  assert(await page.evaluate(() => document.activeElement.id) === 'add-partner', 'focus is lost after removing a partner');
});

await step("a refused input shows the server's message in the alert region, and clears", async () => {
  allowStatus = new Set([422]);
  await page.fill('#fact-agency_rate', '7');
  const bad = JSON.parse(JSON.stringify(changedProfile));
  bad.facts = Object.assign({}, bad.facts, { agency_rate: 7 });
  writeFileSync(join(tmp, 'bad.json'), JSON.stringify(bad));
  let msg = '';
  try { execFileSync(BIN, ['validate', join(tmp, 'bad.json')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); }
  catch (e) { msg = `${e.stdout}${e.stderr}`; }
  const m = /facts\.agency_rate: ([^\n]*)/.exec(msg);
  assert(m, `imeval validate gives no message on facts.agency_rate 7: ${msg}`);
  await page.waitForFunction((t) => document.querySelector('#errors[role=alert]').textContent.includes(t), m[1].trim());
  const before = await round();
  await page.fill('#fact-agency_rate', '');
  await settled(before);
  assert((await page.textContent('#errors')).trim() === '', 'the alert stays after the input was put right');
  allowStatus = new Set();
});

let scenario;
await step('save the scenario: the register holds it as a what-if, not an assessment; it opens again as saved', async () => {
  await page.fill('#a-by', 'page-tester');
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('action-status').dataset.scenario);
  scenario = await page.$eval('#action-status', (s) => s.dataset.scenario);
  const h = JSON.parse(imeval(['register', 'history', AUTHORITY, '--register', REG, '--format', 'json']));
  const e = h.entries.find((x) => x.id === scenario);
  assert(e, `imeval register history ${AUTHORITY} has no entry ${scenario}`);
  // serve records a what-if as an assumption on the assessment it varies,
  // its text saying so (serve/store.c): never an assessment or a review
  assert(e.kind === 'what-if' || (e.kind === 'assumption' && /^What-if scenario, not an assessment/.test(e.text)),
    `entry ${scenario} is not marked as a what-if: ${JSON.stringify(e)}`);
  assert(e.ref === ASSESSMENT, `the scenario rests on ${e.ref}, not the assessment ${ASSESSMENT}`);
  assert(h.entries.filter((x) => x.kind === 'assessment' || x.kind === 'review').length === 1,
    'saving the scenario added an assessment or review to the register');
  // it is offered again, as a what-if, and opens as it was saved
  const key = await page.$eval('#authority', (sel, id) => {
    const o = [...sel.options].find((x) => x.value.endsWith(id));
    return o ? `${o.value}\t${o.textContent}\t${o.parentElement.label}` : '';
  }, scenario);
  assert(key, `the saved scenario ${scenario} is not offered in the authority list`);
  const [k, text, group] = key.split('\t');
  assert(/what-if/i.test(text) && /what-if/i.test(group), `the scenario is not offered as a what-if: "${text}" in "${group}"`);
  let b = await round();
  await page.selectOption('#authority', k);
  await settled(b);
  sameRanking(await pageRanking(), changedResult, 'the saved scenario, opened again');
  assert(await page.isDisabled('#save') && await page.isDisabled('#decide'), 'a what-if can be saved on or decided on');
  // back to the assessment, and to the same what-if inputs, for the next steps
  b = await round();
  await page.selectOption('#authority', `a-${ASSESSMENT}`);
  await settled(b);
  await page.focus(`#r-${target.key}-likely`);
  b = await round();
  await page.fill(`#r-${target.key}-likely`, String(target.now));
  await page.click('#add-partner');
  for (const [f, v] of [['id', 'testshire'], ['name', 'Testshire County Council'], ['child_population', '120000'],
                        ['spare_leadership_capacity', '3.5'], ['current_commitments', '0']]) await page.fill(`#pt-0-${f}`, v);
  await page.selectOption('#pt-0-grade', 'outstanding');
  await page.check('#pt-0-neighbouring');
  await settledTo(b, changedResult, 'the what-if made again on the assessment');
});

await step('record a decision: refused without a rationale (the register\'s message), then held by the register', async () => {
  const recommended = await page.$eval('#summary', (s) => s.dataset.recommended);
  assert(recommended !== initial.recommended, 'the what-if recommends what the assessment did: no refusal to test');
  await page.selectOption('#d-model', recommended);
  // against the assessment's recommendation without a rationale: the register's refusal, as the command words it
  let cli = '';
  try { execFileSync(BIN, ['register', 'decide', ASSESSMENT, '--model', recommended, '--register', REG], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); }
  catch (e) { cli = String(e.stderr); }
  const why = /^imeval register decide: (.*?)(?: \(nothing was recorded\))?\s*$/m.exec(cli);
  assert(why, `imeval register decide did not refuse a decision without a rationale: ${cli}`);
  allowStatus = new Set([422]);
  await page.fill('#d-rationale', '');
  await page.click('#decide');
  await page.waitForFunction((t) => document.getElementById('errors').textContent.includes(t), why[1]);
  allowStatus = new Set();
  await page.fill('#d-rationale', `the what-if with ${target.key} changed puts ${recommended} first; test decision`);
  await page.click('#decide');
  await page.waitForFunction(() => document.getElementById('action-status').dataset.decision);
  const id = await page.$eval('#action-status', (s) => s.dataset.decision);
  const h = JSON.parse(imeval(['register', 'history', AUTHORITY, '--register', REG, '--format', 'json']));
  const e = h.entries.find((x) => x.id === id);
  assert(e && e.kind === 'decision', `imeval register history has no decision ${id}`);
  assert(e.chosen === recommended, `decision ${id} chose ${e.chosen}, the page ${recommended}`);
  assert(e.ref === ASSESSMENT, `decision ${id} rests on ${e.ref}, not ${ASSESSMENT}`);
});

await step('download the report: HTML, a what-if, the changed input flagged', async () => {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const html = readFileSync(await dl.path(), 'utf8');
  writeFileSync(join(art, 'serve-report.html'), html);
  assert(/^\s*<!DOCTYPE html>/i.test(html), 'the download is not an HTML document');
  // read it as a browser does (its own CSP keeps any script off)
  const rp = await context.newPage();
  await rp.setContent(html, { waitUntil: 'load' });
  const got = await rp.evaluate((key) => {
    const label = key.replace(/_/g, ' ');
    // the rating's row in the inputs table (section 9): the one with its "given as" column
    const rows = [...document.querySelectorAll('tr')].filter((r) => r.cells.length === 5 && r.cells[0].textContent.trim() === label);
    const row = rows.find((r) => r.querySelector('.changed')) || rows[rows.length - 1];
    const flag = row && row.querySelector('.changed');
    const data = document.getElementById('imeval-result');
    return {
      banner: (document.querySelector('.whatif') || {}).textContent || '',
      value: row ? row.cells[1].textContent.trim() : null,
      flag: flag ? flag.textContent : null,
      result: data ? JSON.parse(data.textContent) : null,
    };
  }, target.key);
  await rp.close();
  assert(got.banner.startsWith('What-if, not the profile as assessed'), `no what-if banner: "${got.banner}"`);
  assert(got.banner.includes(`ratings.${target.key} from ${target.value} to ${target.now}`),
    `the banner does not name ratings.${target.key} from ${target.value} to ${target.now}: "${got.banner}"`);
  assert(Number(got.value) === target.now, `the report's inputs give ${target.key} as ${got.value}, not ${target.now}`);
  assert(got.flag && got.flag.includes(`assessed as ${target.value}`), `the changed rating is not flagged in the inputs: ${got.flag}`);
  assert(got.result, 'no result JSON embedded in the report');
  sameRanking(got.result.results[0].ranking, changedResult, "the report's result");
});

await step('axe-core: no WCAG 2.x A/AA violation; every chart role=img with title and desc', async () => {
  const r = await runAxe();
  assert(!r.v.length, `axe violations:\n  ${r.v.join('\n  ')}`);
  assert(r.passes > 10, `axe ran only ${r.passes} rules`);
  const bad = await page.$$eval('svg', (s) => s.filter((x) => x.getAttribute('role') !== 'img' ||
    !x.querySelector(':scope > title') || !x.querySelector(':scope > desc')).length);
  assert(bad === 0, `${bad} charts without role=img, title and desc`);
});

await step('no CSP violation, no request to another origin, reflows at 320 px; screenshots kept', async () => {
  const csp = await page.evaluate(() => window.__csp);
  assert(!csp.length, `CSP violations: ${csp.join('; ')}`);
  assert(!foreign.length, `requests to other origins: ${foreign.join(', ')}`);
  await page.screenshot({ path: join(art, 'serve-page.png'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: join(art, 'serve-page-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  // reflow (WCAG 1.4.10): at 320 CSS pixels nothing but a table or chart scrolls sideways
  await page.setViewportSize({ width: 320, height: 800 });
  const wide = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    over: [...document.querySelectorAll('body *')].filter((e) => e.scrollWidth > 330 && !e.closest('.scroll, svg') &&
      getComputedStyle(e).overflowX === 'visible').slice(-3).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.getAttribute('class')} ${Math.round(e.getBoundingClientRect().right)}`),
  }));
  await page.setViewportSize({ width: 1280, height: 900 });
  assert(wide.page <= 0 && !wide.over.length, `at 320 px the page scrolls sideways by ${wide.page} px: ${wide.over}`);
});

await step('the intervention in place: a finding changed, the ranking and its status as imeval gives them', async () => {
  // Doncaster 2015: a trust in place since 2014-09, found improving in 2015-09
  const file = join(CASES, 'doncaster-2015.json');
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const key = await page.evaluate(async (id) => {
    const l = await (await fetch('/api/profiles')).json();
    const p = l.profiles.find((x) => x.origin === 'file' && x.id === id);
    return p ? p.key : '';
  }, prof.id);
  assert(key, `${prof.id} is not offered`);
  let b = await round();
  await page.selectOption('#authority', key);
  await settled(b);
  const was = evaluateFile(file);
  sameRanking(await pageRanking(), was, prof.id);
  assert((await page.textContent('#intervention')).includes(was.intervention.text),
    `the status of the intervention in place is not shown: "${await page.textContent('#intervention')}"`);
  assert(await page.inputValue('#pg-0-finding') === prof.current_intervention.progress[0].finding, 'the finding is not shown');
  // the trust found deteriorating instead
  b = await round();
  await page.selectOption('#pg-0-finding', 'deteriorating');
  prof.current_intervention.progress[0].finding = 'deteriorating';
  writeFileSync(join(tmp, 'finding.json'), JSON.stringify(prof));
  const now = evaluateFile(join(tmp, 'finding.json'));
  await settledTo(b, now, 'the finding changed to deteriorating');
  assert(now.intervention.status !== was.intervention.status, `imeval gives the same status (${now.intervention.status}) after the change: no test`);
  assert((await page.textContent('#intervention')).includes(now.intervention.text), 'the new status is not shown');
  assert(await page.isVisible('#f-intervention-chg'), 'the intervention is not marked as changed');
  const ax = await runAxe();
  assert(!ax.v.length, `axe violations with the findings shown:\n  ${ax.v.join('\n  ')}`);
});

await step('start a blank profile from the template: its ranking is what imeval evaluate gives', async () => {
  const before = await round();
  await page.click('#blank');
  await settled(before);
  const tpl = await page.evaluate(async () => (await (await fetch('/api/template')).json()).profile);
  writeFileSync(join(tmp, 'blank.json'), JSON.stringify(tpl));
  sameRanking(await pageRanking(), evaluateFile(join(tmp, 'blank.json')), 'the blank profile');
  assert((await page.textContent('#origin')).includes('blank'), 'the page does not say the profile is blank');
  assert(await page.isDisabled('#decide') && await page.isDisabled('#save'), 'a blank profile (no assessment) can be saved or decided on');
  const v = await page.inputValue(`#r-${target.key}-likely`);
  assert(Number(v) === tpl.ratings[target.key], `the blank profile's ${target.key} shows ${v}, the template ${tpl.ratings[target.key]}`);
});

await step('keyboard only: Tab visits every control once, in document order, and then leaves the page', async () => {
  const count = await page.evaluate(() => {
    const sel = 'a[href], button, input, select, textarea, [tabindex]';
    const list = [...document.querySelectorAll(sel)].filter((e) => !e.disabled && e.tabIndex >= 0 &&
      e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden');
    list.forEach((e, i) => { e.dataset.tabOrder = String(i); });
    return list.length;
  });
  assert(count > 60, `only ${count} focusable controls on the page`);
  await page.focus('.skip');
  const got = [await page.evaluate(() => document.activeElement.dataset.tabOrder)];
  for (let i = 0; i < count + 5; i++) {
    await page.keyboard.press('Tab');
    const o = await page.evaluate(() => (document.activeElement === document.body ? 'out' : document.activeElement.dataset.tabOrder || `?${document.activeElement.tagName}#${document.activeElement.id}`));
    if (o === 'out' || o === '0') break;
    got.push(o);
  }
  const want = [...Array(count).keys()].map(String);
  assert(got.join() === want.join(), `Tab went ${got.join(' ')}; the controls in document order are 0..${count - 1}`);
});

await browser.close();
console.log(`all ${n} steps passed; screenshots in ${art}`);
