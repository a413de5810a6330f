// a11y.mjs - load an imeval report in Debian's Chromium through
// playwright-core (no browser download), refuse every request that is not
// the file itself, and check: axe-core finds no WCAG 2.x A/AA violation,
// no page error, no console error, no network request, every chart an
// svg[role=img] with a <title> and a <desc>.  Takes a screenshot of the
// first A4 page (an artefact of the test run, not kept in git).
//
// usage: node a11y.mjs REPORT.html SCREENSHOT.png
// exit 0 when every check passes; the failures are printed otherwise.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const [report, shot] = process.argv.slice(2);
if (!report || !shot) {
  console.error('usage: node a11y.mjs REPORT.html SCREENSHOT.png');
  process.exit(2);
}
const executablePath = process.env.IMEVAL_CHROMIUM || '/usr/bin/chromium';
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const url = pathToFileURL(report).href;
const failures = [];
const requests = [];

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 120000,
});
try {
  // The report's Content-Security-Policy must stop any script a page
  // might be given: injecting one into the report as it is fails.
  const strict = await browser.newPage();
  await strict.goto(url, { waitUntil: 'load', timeout: 120000 });
  const blocked = await strict.addScriptTag({ content: 'window.__ran = 1;' })
    .then(() => strict.evaluate(() => window.__ran !== 1), () => true);
  if (!blocked) failures.push('an injected inline script ran: the CSP does not hold');
  await strict.close();

  // axe itself is a script, so it runs in a context that bypasses the CSP.
  // A4 at 96 px/in is 794 x 1123 CSS pixels.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 794, height: 1123 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') failures.push(`console error: ${m.text()}`); });
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    requests.push(u);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load', timeout: 120000 });

  const charts = await page.$$eval('svg', (svgs) => svgs.map((s) => ({
    role: s.getAttribute('role'),
    title: (s.querySelector(':scope > title') || {}).textContent || '',
    desc: (s.querySelector(':scope > desc') || {}).textContent || '',
    labelled: (s.getAttribute('aria-labelledby') || '').split(' ')
      .every((id) => id && document.getElementById(id)),
  })));
  if (charts.length === 0) failures.push('no chart in the report');
  charts.forEach((c, i) => {
    if (c.role !== 'img') failures.push(`chart ${i + 1}: role is ${c.role}, not img`);
    if (!c.title.trim()) failures.push(`chart ${i + 1}: no <title>`);
    if (!c.desc.trim()) failures.push(`chart ${i + 1}: no <desc>`);
    if (!c.labelled) failures.push(`chart ${i + 1}: aria-labelledby names a missing element`);
  });

  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return {
      violations: r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      })),
      passes: r.passes.length,
    };
  });
  for (const v of result.violations)
    failures.push(`axe ${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`);
  if (requests.length) failures.push(`network requests: ${requests.join(', ')}`);

  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: shot, clip: { x: 0, y: 0, width: 794, height: 1123 } });
  console.log(`${charts.length} charts, axe: ${result.violations.length} violations, ` +
              `${result.passes} rules passed, ${requests.length} requests; screenshot ${shot}`);
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error(f);
  process.exit(1);
}
