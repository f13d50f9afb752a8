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
