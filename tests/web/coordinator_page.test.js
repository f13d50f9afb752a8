// The coordinators' page in a real browser: Debian's Chromium, headless, driven by playwright-core, loads the
// page from a real circmatch-server with the sample data and performs each action, checking what is shown.
// A screenshot of each view is saved in CIRCMATCH_WEB_ARTIFACTS. Run by ctest (tests/web/CMakeLists.txt).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const ARTIFACTS = process.env.CIRCMATCH_WEB_ARTIFACTS || os.tmpdir();
let server, dir, base, browser, page;

function startServer() {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'circmatch-web-'));
  const child = spawn(process.env.CIRCMATCH_SERVER_PATH, ['--listen=127.0.0.1:0', '--http_listen=127.0.0.1:0',
    `--data_dir=${dir}/data`, `--vocabulary_dir=${process.env.CIRCMATCH_VOCABULARY_DIR}`,
    `--sample_data=${process.env.CIRCMATCH_SAMPLE_DATA}`, '--allow_unauthenticated'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const found = /HTTP\/JSON API on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (found && /listening|serving on/.test(log)) resolve({ child, url: found[1] });
    });
    child.once('exit', (code) => reject(new Error(`circmatch-server exited with ${code}: ${log}`)));
  });
}

before(async () => {
  const started = await startServer();
  server = started.child;
  base = started.url;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`${base}/`);
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the page loads in Dutch with the sample tenders to pick from', async () => {
  assert.strictEqual(await page.title(), 'circmatch');
  assert.strictEqual(await page.textContent('[data-tab="suppliers"]'), 'Leveranciers');
  await page.waitForFunction(() => document.querySelectorAll('#tender-select option').length > 100);
  const options = await page.$$eval('#tender-select option', (o) => o.map((x) => x.value));
  assert.ok(options.includes('local/tender-0001'), options.slice(0, 5).join(','));
});

test('picking a tender shows suggested suppliers with a bar per facet and where they are', async () => {
  await page.selectOption('#tender-select', 'local/tender-0001');
  await page.click('#tender-form button[type=submit]');
  await page.waitForSelector('#supplier-list li.match');
  const matches = await page.$$eval('#supplier-list li.match', (items) => items.map((li) => ({
    id: li.dataset.id,
    score: Number(li.querySelector('.match-score').textContent),
    bars: [...li.querySelectorAll('.bar-row')].map((row) => ({
      facet: row.dataset.facet, width: parseFloat(row.querySelector('.bar-fill').style.width) })),
  })));
  assert.strictEqual(matches.length, 10);
  for (let i = 1; i < matches.length; i++) assert.ok(matches[i - 1].score >= matches[i].score, 'ranked best first');
  const facets = matches[0].bars.map((b) => b.facet);
  assert.ok(facets.includes('FACET_CPV'), facets.join(','));
  const total = matches[0].bars.reduce((sum, b) => sum + b.width, 0);
  assert.ok(Math.abs(total - 100 * matches[0].score) <= matches[0].bars.length, `bars ${total}% for score ${matches[0].score}`);
  const regions = await page.$$eval('#region-table tbody tr', (rows) => rows.map((r) => Number(r.children[1].textContent)));
  assert.strictEqual(regions.reduce((a, b) => a + b, 0), 10, 'every supplier is in a region');
  assert.match(await page.textContent('#suppliers-status'), /10 leveranciers/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'coordinator-suppliers.png'), fullPage: true });
});

test('a distance limit narrows the suppliers, and errors are shown with the field', async () => {
  await page.fill('#max-km', '15');
  await page.click('#tender-form button[type=submit]');
  await page.waitForFunction(() => /leveranciers/.test(document.querySelector('#suppliers-status').textContent));
  const distances = await page.$$eval('#supplier-list li.match .match-head',
    (heads) => heads.map((h) => Number((/(\d+) km/.exec(h.textContent) || [])[1])));
  assert.ok(distances.length > 0);
  for (const km of distances) assert.ok(km <= 15, `a supplier ${km} km away passed a 15 km limit`);
  await page.fill('#max-km', '0');
  await page.selectOption('#tender-select', '');
  await page.fill('#tender-cpv', '99999999');
  await page.click('#tender-form button[type=submit]');
  await page.waitForSelector('#suppliers-status.error');
  assert.match(await page.textContent('#suppliers-status'), /INVALID_ARGUMENT: .*cpv_codes/);
  await page.fill('#tender-cpv', '');
});

test('the language switch shows English labels', async () => {
  await page.click('#language');
  assert.strictEqual(await page.textContent('[data-tab="suppliers"]'), 'Suppliers');
  assert.strictEqual(await page.textContent('#suppliers h2'), 'Suppliers for a tender');
  await page.click('#language');
  assert.strictEqual(await page.textContent('[data-tab="buddies"]'), 'Buddies');
});

test('picking a cohort shows the buddy pairs', async () => {
  await page.click('[data-tab="buddies"]');
  assert.ok(await page.isVisible('#buddies'));
  await page.selectOption('#cohort-tag', 'regio-zwolle');
  await page.click('#cohort-form button[type=submit]');
  await page.waitForFunction(() => /koppels|error/i.test(document.querySelector('#buddies-status').textContent)
    || document.querySelector('#buddies-status').classList.contains('error'));
  const status = await page.textContent('#buddies-status');
  assert.match(status, /\d+ koppels, totale score/, status);
  const pairs = await page.$$eval('#pair-table tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  assert.ok(pairs.length > 0);
  for (const [seeker, helper] of pairs) assert.notStrictEqual(seeker, helper);
  await page.screenshot({ path: path.join(ARTIFACTS, 'coordinator-buddies.png'), fullPage: true });
});

test('a market day is shown as a grid of slots and tables', async () => {
  await page.click('[data-tab="market"]');
  assert.ok(await page.isVisible('#market'));
  await page.fill('#market-slots', '3');
  await page.fill('#market-tables', '2');
  await page.click('#market-form button[type=submit]');
  await page.waitForFunction(() => /gesprekken|:/.test(document.querySelector('#market-status').textContent));
  assert.match(await page.textContent('#market-status'), /^\d+ gesprekken ingeroosterd$/);
  const grid = await page.$$eval('#schedule-grid tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  assert.strictEqual(grid.length, 4, 'a header row and one row per slot');
  assert.strictEqual(grid[0].length, 3, 'a slot column and one column per table');
  const meetings = grid.slice(1).flatMap((row) => row.slice(1)).filter((cell) => cell.includes('↔'));
  assert.ok(meetings.length > 0);
  for (const row of grid.slice(1)) {
    const people = row.slice(1).filter(Boolean).flatMap((cell) => cell.split(' ↔ '));
    assert.strictEqual(new Set(people).size, people.length, `nobody twice in one slot: ${row}`);
  }
  await page.screenshot({ path: path.join(ARTIFACTS, 'coordinator-market-day.png'), fullPage: true });
});

// Picks tender-0001 on the suppliers tab with the given form values, submits, and returns the response the page got.
async function suggest({ maxKm = '0', certificates = '', spread = '', outOfReach = false } = {}) {
  await page.click('[data-tab="suppliers"]');
  await page.fill('#tender-cpv', '');
  await page.selectOption('#tender-select', 'local/tender-0001');
  await page.fill('#max-km', maxKm);
  await page.fill('#required-certs', certificates);
  await page.selectOption('#spread-over', spread);
  await page.setChecked('#include-out-of-reach', outOfReach);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/matching/suppliers:suggest')),
    page.click('#tender-form button[type=submit]')]);
  assert.strictEqual(response.status(), 200);
  assert.strictEqual(response.request().postDataJSON().query.k, 10);
  const body = await response.json();
  await page.waitForFunction(
    () => /leveranciers|suppliers/.test(document.querySelector('#suppliers-status').textContent));
  return body;
}

const reasonsOf = (id) => page.$$eval(`#supplier-list li.match[data-id="${id}"] .reasons li`,
  (items) => items.map((li) => ({ kind: li.dataset.kind, text: li.textContent })));

async function listFeedback() {
  const response = await fetch(`${base}/v1/feedback?query.id=tender-0001&page_size=1000`);
  assert.strictEqual(response.status, 200);
  return (await response.json()).events || [];
}

test('each suggested supplier has its reasons in words, made from its explanation', async () => {
  const response = await suggest();
  assert.strictEqual(response.matches.length, 10);
  for (const match of response.matches) {
    const reasons = await reasonsOf(match.profile.id);
    const text = (kind) => reasons.filter((r) => r.kind === kind).map((r) => r.text).join(' ');
    const e = match.explanation;
    for (const cpv of (e.cpvMatches || []).filter((m) => m.commonCode)) {
      assert.ok(text('cpv').includes(`${cpv.commonLabelNl} (CPV ${cpv.commonCode}`),
        `${match.profile.id}: ${text('cpv')}`);
    }
    for (const evidence of e.evidence || []) {
      assert.ok(text('evidence').includes(`${evidence.strategy}`) && text('evidence').includes(`'${evidence.words}'`),
        `${match.profile.id}: ${text('evidence')}`);
    }
    const km = Math.round(e.distanceKm);
    if (match.profile.serviceRadiusKm) {
      assert.strictEqual(text('distance'), `${km} km, levert tot ${Math.round(match.profile.serviceRadiusKm)} km`);
    } else {
      assert.strictEqual(text('distance'), `${km} km, geen leveringsgebied opgegeven`);
    }
  }
  const best = await reasonsOf(response.matches[0].profile.id);
  assert.ok(best.some((r) => r.kind === 'evidence'), JSON.stringify(best));
  await page.screenshot({ path: path.join(ARTIFACTS, 'coordinator-reasons.png'), fullPage: true });
});

test('the reasons say when a supplier was moved for diversity, lacks a certificate or is out of reach', async () => {
  const spread = await suggest({ spread: 'DIVERSITY_ATTRIBUTE_PROVINCE' });
  const moved = spread.matches.filter((m) => m.explanation.scoreRank && m.explanation.scoreRank < m.rank);
  assert.ok(moved.length > 0, 'spreading over provinces moves someone down');
  for (const match of moved) {
    const reasons = await reasonsOf(match.profile.id);
    assert.deepStrictEqual(reasons.filter((r) => r.kind === 'moved-down').map((r) => r.text),
      [`Omlaag gezet van plek ${match.explanation.scoreRank} naar ${match.rank}: spreiding over provincies`]);
  }
  const reach = await suggest({ outOfReach: true, maxKm: '400' });
  const far = reach.matches.filter((m) => m.explanation.outOfReach);
  assert.ok(far.length > 0, 'with "also out of reach" and 400 km some supplier is out of its reach');
  for (const match of far) {
    const reasons = await reasonsOf(match.profile.id);
    assert.ok(reasons.some((r) => r.kind === 'out-of-reach' && r.text.startsWith('Buiten het leveringsgebied: ')
      && r.text.endsWith(`levert tot ${Math.round(match.profile.serviceRadiusKm)} km`)), JSON.stringify(reasons));
  }
  const certified = await suggest({ certificates: 'iso-9001' });
  assert.ok(certified.matches.length > 0);
  for (const match of certified.matches) {
    const reasons = await reasonsOf(match.profile.id);
    assert.ok(reasons.some((r) => r.kind === 'certificates' && /vereiste certificaten: ISO 9001/.test(r.text)),
      JSON.stringify(reasons));
  }
  await page.screenshot({ path: path.join(ARTIFACTS, 'coordinator-reasons-filters.png'), fullPage: true });
});

test('shortlist and not relevant are recorded as feedback with the match call they came from', async () => {
  const response = await suggest();
  const before = (await listFeedback()).length;
  const [first, second, third] = response.matches;
  const item = (match) => `#supplier-list li.match[data-id="${match.profile.id}"]`;
  await page.click(`${item(first)} .shortlist`);
  await page.waitForFunction((sel) => /vastgelegd als #\d+/.test(document.querySelector(sel).textContent),
    `${item(first)} .feedback-status`);
  await page.click(`${item(second)} .reject`);
  await page.selectOption(`${item(second)} .reject-reason`, 'REJECTION_REASON_OUT_OF_REACH');
  await page.click(`${item(second)} .reject-record`);
  await page.waitForFunction((sel) => /vastgelegd als #\d+/.test(document.querySelector(sel).textContent),
    `${item(second)} .feedback-status`);
  assert.match(await page.textContent(`${item(second)} .feedback-status`), /^Niet relevant: buiten bereik/);
  await page.click(`${item(third)} .reject`);
  await page.selectOption(`${item(third)} .reject-reason`, 'REJECTION_REASON_OTHER');
  await page.click(`${item(third)} .reject-record`);
  assert.strictEqual(await page.textContent(`${item(third)} .feedback-status.error`),
    "Niet vastgelegd: Geef een toelichting bij 'anders'");

  const events = (await listFeedback()).slice(before);
  assert.strictEqual(events.length, 2, JSON.stringify(events));
  assert.deepStrictEqual(events.map((e) => [e.candidate.id, e.rank, e.action, e.reason || '']), [
    [first.profile.id, 1, 'FEEDBACK_ACTION_SHORTLISTED', ''],
    [second.profile.id, 2, 'FEEDBACK_ACTION_REJECTED', 'REJECTION_REASON_OUT_OF_REACH']]);
  for (const event of events) {
    assert.strictEqual(event.matchType, 'MATCH_TYPE_SUPPLIERS_FOR_TENDER');
    assert.deepStrictEqual(event.query, { owner: 'local', id: 'tender-0001' });
    assert.strictEqual(event.indexVersion, response.indexVersion);
    assert.strictEqual(event.rankProfile, response.rankProfile);
  }
  assert.match(await page.textContent(`${item(first)} .feedback-status`), new RegExp(`#${events[0].id}\\)$`));
  assert.strictEqual(await page.textContent('#shortlist-count'), '1 op de shortlist');
  await page.screenshot({ path: path.join(ARTIFACTS, 'coordinator-feedback.png'), fullPage: true });
});

test('the shortlist downloads as a CSV file with a header and one row per shortlisted supplier', async () => {
  const response = await suggest();
  // The first is shortlisted already; another one farther than 60 km joins it.
  const far = response.matches.find((m) => m.rank > 3 && m.explanation.distanceKm > 60);
  assert.ok(response.matches[0].explanation.distanceKm > 60 && far);
  await page.click(`#supplier-list li.match[data-id="${far.profile.id}"] .shortlist`);
  await page.waitForFunction(() => document.querySelector('#shortlist-count').textContent === '2 op de shortlist');
  // A new list for the same tender that leaves both out keeps the shortlist.
  const near = await suggest({ maxKm: '60' });
  const nearIds = near.matches.map((m) => m.profile.id);
  assert.ok(!nearIds.includes(far.profile.id) && !nearIds.includes(response.matches[0].profile.id), nearIds.join());
  assert.strictEqual(await page.textContent('#shortlist-count'), '2 op de shortlist');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  assert.strictEqual(download.suggestedFilename(), 'shortlist-tender-0001.csv');
  const file = path.join(dir, 'shortlist.csv');
  await download.saveAs(file);
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.startsWith('\ufeff'), 'a byte order mark for spreadsheets');
  const lines = text.slice(1).trimEnd().split('\r\n');
  assert.strictEqual(lines[0], 'id,name,score,rank,municipality,distance_km,reasons');
  assert.strictEqual(lines.length, 3, text);
  const shortlisted = [response.matches[0], far];
  lines.slice(1).forEach((line, i) => {
    const match = shortlisted[i];
    const p = match.profile;
    const fields = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g).map((f) => f.replace(/,$/, '').replace(/^"|"$/g, ''));
    assert.deepStrictEqual(fields.slice(0, 6), [p.id, p.displayName, String(Number(match.score.toFixed(4))),
      String(match.rank), (p.location && p.location.municipality) || '',
      String(Number(match.explanation.distanceKm.toFixed(1)))]);
    assert.match(fields[6], /Levert wat gevraagd is: .*CPV/);
  });
});

test('"why not?" explains a supplier that is not suggested: out of its reach and past the distance limit', async () => {
  await suggest({ maxKm: '50' });
  await page.fill('#whynot-id', 'supplier-0002');
  await page.click('#whynot-form button[type=submit]');
  await page.waitForSelector('#whynot-result .exclusions');
  assert.strictEqual(await page.textContent('#whynot-result .whynot-head'),
    'Drukkerijbedrijf Dekker (supplier-0002) wordt niet voorgesteld:');
  const exclusions = await page.$$eval('#whynot-result .exclusions li', (items) => items.map((li) => li.textContent));
  assert.ok(exclusions.includes('Te ver: 268 km, grens 50 km'), exclusions.join(' / '));
  assert.ok(exclusions.includes('Buiten het leveringsgebied: 268 km, levert tot 100 km'), exclusions.join(' / '));
  assert.strictEqual(await page.$$eval('#map circle.whynot', (c) => c.length), 1);
  await page.screenshot({ path: path.join(ARTIFACTS, 'coordinator-why-not.png'), fullPage: true });

  await page.fill('#whynot-id', 'supplier-0001-absent');
  await page.click('#whynot-form button[type=submit]');
  await page.waitForSelector('#whynot-status.error');
  assert.match(await page.textContent('#whynot-status'), /NOT_FOUND: candidate: .*supplier-0001-absent/);
  assert.strictEqual(await page.textContent('#whynot-result'), '');
});

test('the map draws the Netherlands, the tender, its distance limit and a dot per suggested supplier', async () => {
  const response = await suggest({ maxKm: '60' });
  await page.waitForSelector('#map svg .outline path');
  const outline = await page.getAttribute('#map svg .outline path', 'd');
  assert.ok((outline.match(/M/g) || []).length >= 5 && outline.length > 5000, 'the mainland and the islands');
  const dots = await page.$$eval('#map circle.supplier', (c) => c.map((x) => ({ id: x.dataset.id,
    x: Number(x.getAttribute('cx')), y: Number(x.getAttribute('cy')) })));
  assert.deepStrictEqual(dots.map((d) => d.id), response.matches.map((m) => m.profile.id));
  const circle = (selector) => page.$eval(selector, (c) => ['cx', 'cy', 'r'].map((a) => Number(c.getAttribute(a))));
  const [tx, ty] = await circle('#map circle.tender');
  const [lx, ly, lr] = await circle('#map circle.limit');
  assert.deepStrictEqual([lx, ly], [tx, ty], 'the limit is drawn around the tender');
  const pixelsPerKm = lr / 60;
  for (const [i, dot] of dots.entries()) {
    const km = Math.hypot(dot.x - tx, dot.y - ty) / pixelsPerKm;
    const distance = response.matches[i].explanation.distanceKm;
    assert.ok(Math.abs(km - distance) <= 0.05 * distance + 2,
      `${dot.id}: ${km.toFixed(1)} km on the map, ${distance} km away`);
  }
  await page.locator('.map-panel').screenshot({ path: path.join(ARTIFACTS, 'coordinator-map.png') });
});

test('the English switch translates the reasons, the feedback, "why not?", the status lines and the map legend', async () => {
  await suggest();
  await page.fill('#whynot-id', 'supplier-0002');
  await page.click('#whynot-form button[type=submit]');
  await page.waitForSelector('#whynot-result .exclusions');
  await page.click('#language');
  try {
    const first = await page.$eval('#supplier-list li.match', (li) => li.dataset.id);
    const reasons = (await reasonsOf(first)).map((r) => r.text).join(' / ');
    assert.match(reasons, /Supplies what is asked: .*\(CPV \d{8}, (exact|same \w+)\)/);
    assert.match(reasons, /\d+ km, delivers up to \d+ km/);
    assert.strictEqual(await page.textContent('#supplier-list li.match .shortlist'), 'Shortlist');
    assert.strictEqual(await page.textContent('#supplier-list li.match .reject'), 'Not relevant');
    const statuses = await page.$$eval('#supplier-list .feedback-status', (items) => items.map((s) => s.textContent));
    assert.ok(statuses.some((s) => /^Shortlisted \(recorded as #\d+\)$/.test(s)), statuses.join(' / '));
    assert.ok(statuses.some((s) => /^Not relevant: out of reach \(recorded as #\d+\)$/.test(s)), statuses.join(' / '));
    assert.strictEqual(await page.textContent('#export-csv'), 'Shortlist as CSV');
    assert.match(await page.textContent('#suppliers-status'), /^\d+ suppliers found$/);
    assert.strictEqual(await page.textContent('#whynot-result .whynot-head'),
      'Drukkerijbedrijf Dekker (supplier-0002) is not suggested:');
    const exclusions = await page.$$eval('#whynot-result .exclusions li', (items) => items.map((li) => li.textContent));
    assert.ok(exclusions.includes('Outside the delivery range: 268 km, delivers up to 100 km'), exclusions.join(' / '));
    assert.strictEqual(await page.textContent('.legend [data-i18n="legendTender"]'), 'tender');
    await page.screenshot({ path: path.join(ARTIFACTS, 'coordinator-english.png'), fullPage: true });
  } finally {
    await page.click('#language');
  }
});

// The supply-and-demand tab: fills in the form, shows the report and returns the request the page sent with the
// report read directly from the API for the same request.
async function gapReport({ kind = 'province', region = 'Overijssel', minSuppliers = '40',
  level = 'CPV_LEVEL_DIVISION' } = {}) {
  await page.click('[data-tab="gaps"]');
  await page.selectOption('#gap-region-kind', kind);
  await page.fill('#gap-region', region);
  await page.fill('#gap-min-suppliers', minSuppliers);
  await page.selectOption('#gap-cpv-level', level);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/insights:gapReport')),
    page.click('#gap-form button[type=submit]')]);
  const sent = response.request().postDataJSON();
  await page.waitForFunction(() => !/Bezig|Working/.test(document.querySelector('#gap-status').textContent));
  const direct = await fetch(`${base}/v1/insights:gapReport`, { method: 'POST', body: JSON.stringify(sent) });
  return { sent, status: response.status(), report: await direct.json() };
}

// The colour class the legend gives a municipality (the scale documented in app.js): none without tenders,
// else the gap by quarters, 0 for no gap.
function expectedGapClass(m) {
  if (!m.tenders) return 'none';
  const gap = m.gap || 0;
  if (gap === 0) return '0';
  return String([0.25, 0.5, 0.75, 1].findIndex((upTo) => gap <= upTo) + 1);
}

const percentOf = (gap) => `${Math.round(100 * (gap || 0))}%`;

test('supply and demand: a circle per municipality, coloured as the legend says, sized by its tenders', async () => {
  const { sent, status, report } = await gapReport();
  assert.strictEqual(status, 200);
  assert.deepStrictEqual(sent, { cpvLevel: 'CPV_LEVEL_DIVISION', format: 'GAP_REPORT_FORMAT_CSV',
    province: 'Overijssel', minScore: 0.2, minSuppliers: 40 });
  assert.strictEqual(report.region, 'province Overijssel (PV23)');
  assert.match(await page.textContent('#gap-summary'),
    new RegExp(`^province Overijssel \\(PV23\\): ${report.tenders} aanbestedingen, ${report.underservedTenders} met`));
  const legend = Object.fromEntries(await page.$$eval('#gap-legend li[data-class]', (items) => items.map((li) =>
    [li.dataset.class, getComputedStyle(li.querySelector('.key')).backgroundColor])));
  assert.strictEqual(new Set(Object.values(legend)).size, 6, JSON.stringify(legend));
  const circles = await page.$$eval('#gap-map circle.gap', (items) => items.map((c) => ({ code: c.dataset.code,
    fill: getComputedStyle(c).fill, r: Number(c.getAttribute('r')), x: Number(c.getAttribute('cx')),
    y: Number(c.getAttribute('cy')), title: c.querySelector('title').textContent })));
  assert.strictEqual(circles.length, report.municipalities.length);
  const byCode = new Map(circles.map((c) => [c.code, c]));
  assert.strictEqual(byCode.size, circles.length, 'one circle per municipality');
  const classes = new Set();
  const oneTender = circles.find((c) => report.municipalities.some((m) => m.code === c.code && m.tenders === 1));
  for (const m of report.municipalities) {
    const circle = byCode.get(m.code);
    assert.ok(circle, m.code);
    const expected = expectedGapClass(m);
    classes.add(expected);
    assert.strictEqual(circle.fill, legend[expected], `${m.name}: gap ${m.gap}, ${m.tenders} tenders`);
    if (m.tenders) {
      // Area in proportion to the tenders: r = r(1 tender) * sqrt(tenders), up to the 0.1 px the map rounds to.
      assert.ok(Math.abs(circle.r - oneTender.r * Math.sqrt(m.tenders)) <= 0.1, `${m.name}: r ${circle.r}`);
      assert.strictEqual(circle.title, `${m.name}: ${m.tenders} aanbestedingen, ${m.underservedTenders || 0} met te`
        + ` weinig aanbod, ${m.suppliers || 0} leveranciers, tekort ${percentOf(m.gap)}`);
    } else {
      assert.ok(circle.r < oneTender.r, `${m.name} without tenders is a small dot`);
    }
  }
  assert.ok(classes.size >= 4, `the report shows several colours: ${[...classes]}`);
  // Placed by their coordinates: east is right, north is up.
  const places = report.municipalities.map((m) => ({ ...m, ...byCode.get(m.code) }));
  for (const a of places) {
    for (const b of places) {
      if (a.longitude < b.longitude - 0.01) assert.ok(a.x < b.x, `${a.name} west of ${b.name}`);
      if (a.latitude < b.latitude - 0.01) assert.ok(a.y > b.y, `${a.name} south of ${b.name}`);
    }
  }
  await page.screenshot({ path: path.join(ARTIFACTS, 'coordinator-supply-demand.png'), fullPage: true });
});

test('supply and demand: the sector table holds the report, largest gap first, and sorts by a column', async () => {
  const { report } = await gapReport();
  const rows = () => page.$$eval('#gap-sectors tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) =>
    td.textContent)));
  const expected = report.sectors.map((s) => [s.cpvCode || '', s.labelNl || '(zonder CPV-code)', String(s.tenders || 0),
    String(s.suppliers || 0), String(s.smeSuppliers || 0), String((s.underservedTenders || []).length),
    percentOf(s.gap), s.noSupplyNearby ? 'ja' : '']);
  assert.ok(expected.length > 5 && expected.some((row) => row[5] !== '0'), JSON.stringify(expected));
  assert.deepStrictEqual(await rows(), expected);
  for (let i = 1; i < report.sectors.length; i++) {
    assert.ok((report.sectors[i - 1].gap || 0) >= (report.sectors[i].gap || 0), 'the report is by gap');
  }
  await page.click('#gap-sectors th[data-sort="tenders"]');
  const tenders = (await rows()).map((row) => Number(row[2]));
  assert.deepStrictEqual(tenders, [...tenders].sort((a, b) => b - a));
  assert.strictEqual(await page.getAttribute('#gap-sectors th[data-sort="tenders"]', 'aria-sort'), 'descending');
  await page.click('#gap-sectors th[data-sort="tenders"]');
  assert.deepStrictEqual((await rows()).map((row) => Number(row[2])), [...tenders].sort((a, b) => a - b));
  await page.click('#gap-sectors th[data-sort="gap"]');
  assert.deepStrictEqual(await rows(), expected);
});

test('supply and demand: the sectors and municipalities download as the report\'s CSV', async () => {
  const { report } = await gapReport();
  for (const [button, field, name, header] of [
    ['#gap-csv-sectors', 'sectorsCsv', 'gap-sectors-province-overijssel-pv23.csv',
      'cpv_code,label_nl,label_en,tenders,open_tenders,suppliers,sme_suppliers,underserved_tenders,gap,'
        + 'no_supply_nearby,strategies,underserved_ids'],
    ['#gap-csv-municipalities', 'municipalitiesCsv', 'gap-municipalities-province-overijssel-pv23.csv',
      'code,name,latitude,longitude,tenders,suppliers,underserved_tenders,gap']]) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    assert.strictEqual(download.suggestedFilename(), name);
    const file = path.join(dir, name);
    await download.saveAs(file);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.startsWith('\ufeff'), 'a byte order mark for spreadsheets');
    assert.strictEqual(text.slice(1), report[field]);
    assert.strictEqual(text.slice(1).split('\n')[0], header);
  }
  assert.strictEqual(report.municipalitiesCsv.trimEnd().split('\n').length, report.municipalities.length + 1);
});

test('supply and demand: an unknown region is an error naming the field, and no report stays shown', async () => {
  await gapReport();
  assert.ok(await page.$$eval('#gap-map circle.gap', (c) => c.length) > 0);
  const { status } = await gapReport({ kind: 'municipality', region: 'Atlantis' });
  assert.strictEqual(status, 400);
  assert.strictEqual(await page.textContent('#gap-status.error'),
    'INVALID_ARGUMENT: municipality: unknown municipality "Atlantis"');
  assert.strictEqual(await page.$$eval('#gap-map circle.gap', (c) => c.length), 0);
  assert.strictEqual(await page.$$eval('#gap-sectors tbody tr', (r) => r.length), 0);
  assert.ok(await page.isDisabled('#gap-csv-sectors'));
  const names = await page.$$eval('#gap-region-names option', (o) => o.map((x) => x.value));
  assert.ok(names.length === 342 && names.includes('Zwolle'), `municipalities to pick from: ${names.length}`);
  await page.selectOption('#gap-region-kind', 'province');
  const provinces = await page.$$eval('#gap-region-names option', (o) => o.map((x) => x.value));
  assert.strictEqual(provinces.length, 12, provinces.join());
});

test('supply and demand in English: the tab, the table, the legend and the tooltips', async () => {
  const { report } = await gapReport({ kind: 'tag', region: 'regio-zwolle', minSuppliers: '20' });
  assert.ok(report.municipalities.length > 0 && report.sectors.length > 0, JSON.stringify(report).slice(0, 300));
  await page.click('#language');
  try {
    assert.strictEqual(await page.textContent('[data-tab="gaps"]'), 'Supply and demand');
    assert.strictEqual(await page.textContent('#gaps h2'), 'Supply and demand: where is circular supply missing?');
    assert.deepStrictEqual(await page.$$eval('#gap-sectors th', (ths) => ths.map((th) => th.textContent)),
      ['CPV', 'Sector', 'Tenders', 'Suppliers', 'SMEs', 'Underserved', 'Gap', 'No supply nearby']);
    const labels = await page.$$eval('#gap-sectors tbody tr', (trs) => trs.map((tr) => tr.children[1].textContent));
    assert.deepStrictEqual(labels, report.sectors.map((s) => s.labelEn || '(without CPV code)'));
    assert.strictEqual(await page.textContent('#gap-legend li[data-class="0"]'), 'no gap');
    assert.strictEqual(await page.textContent('#gap-legend li[data-class="none"]'), 'no tenders');
    assert.match(await page.textContent('#gap-summary'), /^.*: \d+ tenders, \d+ with fewer than 20 suppliers/);
    const m = report.municipalities.find((x) => x.tenders);
    assert.strictEqual(await page.textContent(`#gap-map circle[data-code="${m.code}"] title`),
      `${m.name}: ${m.tenders} tenders, ${m.underservedTenders || 0} underserved, ${m.suppliers || 0} suppliers,`
        + ` gap ${percentOf(m.gap)}`);
    assert.strictEqual(await page.textContent('#gap-csv-sectors'), 'Sectors as CSV');
    await page.screenshot({ path: path.join(ARTIFACTS, 'coordinator-supply-demand-english.png'), fullPage: true });
  } finally {
    await page.click('#language');
  }
});

// The profile tab: writes a text, asks for codes, and returns the answer the page got beside the one the API
// gives directly for the same request.
async function suggestCodesFor(text) {
  await page.click('[data-tab="profile"]');
  await page.fill('#profile-text', text);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/vocabulary:suggestCodes')),
    page.click('#suggest-codes')]);
  assert.strictEqual(response.status(), 200);
  const sent = response.request().postDataJSON();
  assert.deepStrictEqual(sent, { text, maxSuggestions: 10 });
  await page.waitForFunction(() => !/Bezig|Working/.test(document.querySelector('#codes-status').textContent));
  const direct = await fetch(`${base}/v1/vocabulary:suggestCodes`, { method: 'POST', body: JSON.stringify(sent) });
  assert.strictEqual(direct.status, 200);
  return (await direct.json()).suggestions || [];
}

const OFFICE_FURNITURE_TEXT = 'Wij reviseren kantoormeubilair en bureaustoelen en leveren ze opnieuw aan gemeenten.';

test('writing a profile: codes suggested for its Dutch text with the words that met them, one ticked and saved',
  async () => {
    const suggestions = await suggestCodesFor(OFFICE_FURNITURE_TEXT);
    assert.ok(suggestions.length > 0);
    assert.strictEqual(await page.textContent('#codes-status'),
      `${suggestions.length} codes voorgesteld: vink aan wat u levert`);
    const shown = await page.$$eval('#code-suggestions li', (items) => items.map((li) => ({ code: li.dataset.code,
      label: li.querySelector('.code-label').textContent, matched: li.querySelector('.matched').textContent,
      ticked: li.querySelector('input').checked })));
    assert.deepStrictEqual(shown, suggestions.map((s) => ({ code: s.code, label: s.labelNl,
      matched: `bij: ${s.matchedWords.map((w) => `'${w}'`).join(', ')}`, ticked: false })));
    const furniture = suggestions.find((s) => s.labelNl === 'Kantoormeubilair');
    assert.ok(furniture, JSON.stringify(suggestions));
    const box = `#code-suggestions li[data-code="${furniture.code}"] input`;
    await page.fill('#profile-cpv', '');
    await page.check(box);
    assert.strictEqual(await page.inputValue('#profile-cpv'), furniture.code);
    await page.uncheck(box);
    assert.strictEqual(await page.inputValue('#profile-cpv'), '');
    await page.fill('#profile-cpv', '50850000');
    await page.check(box);
    assert.strictEqual(await page.inputValue('#profile-cpv'), `50850000, ${furniture.code}`);

    await page.fill('#profile-id', 'kringloop-kantoor-web');
    await page.fill('#profile-name', 'Kringloop Kantoor Zwolle');
    await page.fill('#profile-municipality', 'Zwolle');
    await page.check('#profile-strategies input[value="R5"]');
    await page.click('#profile-form button[type=submit]');
    await page.waitForFunction(() => /opgeslagen/.test(document.querySelector('#profile-status').textContent));
    assert.strictEqual(await page.textContent('#profile-status'), 'Profiel kringloop-kantoor-web opgeslagen');
    const stored = await fetch(`${base}/v1/profiles/local/kringloop-kantoor-web`);
    assert.strictEqual(stored.status, 200);
    const { profile } = await stored.json();
    assert.deepStrictEqual([...profile.capabilities.cpvCodes].sort(), ['50850000', furniture.code].sort());
    assert.deepStrictEqual(profile.capabilities.strategies, ['R5']);
    assert.strictEqual(profile.capabilities.text, OFFICE_FURNITURE_TEXT);
    assert.strictEqual(profile.kind, 'PROFILE_KIND_SUPPLIER');
    assert.strictEqual(profile.displayName, 'Kringloop Kantoor Zwolle');
    assert.strictEqual(profile.location.municipality, 'Zwolle');
    assert.strictEqual(profile.visibility, 'VISIBILITY_SHARED');
    await page.screenshot({ path: path.join(ARTIFACTS, 'coordinator-profile.png'), fullPage: true });
  });

test('writing a profile: what the API refuses is shown in words, and nothing is saved', async () => {
  await page.click('[data-tab="profile"]');
  await page.fill('#profile-id', 'kringloop-onbekend-web');
  await page.fill('#profile-municipality', 'Atlantis');
  await page.click('#profile-form button[type=submit]');
  await page.waitForSelector('#profile-status.error');
  assert.match(await page.textContent('#profile-status'),
    /^Niet opgeslagen: INVALID_ARGUMENT: .*municipality.*Atlantis/);
  assert.strictEqual((await fetch(`${base}/v1/profiles/local/kringloop-onbekend-web`)).status, 404);
  await page.fill('#profile-text', '');
  await page.click('#suggest-codes');
  await page.waitForSelector('#codes-status.error');
  assert.match(await page.textContent('#codes-status'), /^INVALID_ARGUMENT: text: /);
  assert.strictEqual(await page.$$eval('#code-suggestions li', (items) => items.length), 0);
  await page.fill('#profile-municipality', 'Zwolle');
});

test('writing a profile in English: the form, the suggested codes and the result', async () => {
  const suggestions = await suggestCodesFor(OFFICE_FURNITURE_TEXT);
  await page.click('#language');
  try {
    assert.strictEqual(await page.textContent('[data-tab="profile"]'), 'Write a profile');
    assert.strictEqual(await page.textContent('#suggest-codes'), 'Suggest codes');
    assert.strictEqual(await page.textContent('#codes-status'),
      `${suggestions.length} codes suggested: tick what you supply`);
    assert.strictEqual(await page.textContent('#profile-form button[type=submit]'), 'Save');
    const shown = await page.$$eval('#code-suggestions li', (items) => items.map((li) =>
      [li.querySelector('.code-label').textContent, li.querySelector('.matched').textContent]));
    assert.deepStrictEqual(shown, suggestions.map((s) => [s.labelEn,
      `for: ${s.matchedWords.map((w) => `'${w}'`).join(', ')}`]));
    assert.match(await page.textContent('#profile-strategies'), /R3 \w+/);
    await page.fill('#profile-id', 'kringloop-kantoor-web');
    await page.click('#profile-form button[type=submit]');
    await page.waitForFunction(() => /saved/.test(document.querySelector('#profile-status').textContent));
    assert.strictEqual(await page.textContent('#profile-status'), 'Profile kringloop-kantoor-web saved');
    await page.screenshot({ path: path.join(ARTIFACTS, 'coordinator-profile-english.png'), fullPage: true });
  } finally {
    await page.click('#language');
  }
});
