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

test('the English switch translates the reasons, the feedback, "why not?" and the map legend', async () => {
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
