// The Node client and its examples against a real circmatch-server started here on a free port.
// Run by ctest (clients/node/CMakeLists.txt) with CIRCMATCH_SERVER_PATH and CIRCMATCH_VOCABULARY_DIR set.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { spawn, execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');
const { Client, CircmatchError } = require('../lib/client');

const SERVER = process.env.CIRCMATCH_SERVER_PATH;
const EXAMPLES = path.join(__dirname, '..', 'examples');

function startServer(flags) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'circmatch-node-'));
  const child = spawn(SERVER, ['--listen=127.0.0.1:0', `--data_dir=${dir}/data`,
    `--vocabulary_dir=${process.env.CIRCMATCH_VOCABULARY_DIR}`, ...flags], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const at = line.indexOf('listening on ');
      if (at < 0) reject(new Error(`circmatch-server did not start: ${line}`));
      else resolve({ child, dir, address: line.slice(at + 'listening on '.length).trim() });
    });
    child.once('exit', (code) => reject(new Error(`circmatch-server exited with ${code}`)));
  });
}

function stopServer(server) {
  server.child.kill('SIGTERM');
  fs.rmSync(server.dir, { recursive: true, force: true });
}

let server;
before(async () => { server = await startServer(['--allow_unauthenticated']); });
after(() => stopServer(server));

const supplier = (id, cpv) => ({ id, kind: 'PROFILE_KIND_SUPPLIER', visibility: 'VISIBILITY_SHARED',
  location: { municipality: 'Kampen' }, capabilities: { cpvCodes: [cpv], strategies: ['R3'] } });

test('upsert then suggest suppliers, with explanations', async () => {
  const client = new Client(server.address);
  try {
    const written = await client.call('ProfileService', 'UpsertProfiles', { profiles: [
      { id: 't-node', kind: 'PROFILE_KIND_TENDER', location: { municipality: 'Zwolle' }, needs: { cpvCodes: ['39130000'] } },
      supplier('s-near', '39131000'), supplier('s-other', '45000000')] });
    assert.strictEqual(written.upsertedCount, 3);
    const response = await client.suggestSuppliers('t-node', 100);
    const ids = response.matches.map((m) => m.profile.id);
    assert.ok(ids.indexOf('s-near') < ids.indexOf('s-other'), ids.join(','));
    const near = response.matches[ids.indexOf('s-near')];
    assert.strictEqual(near.explanation.cpvMatches[0].candidateCode, '39131000');
  } finally {
    client.close();
  }
});

test('errors carry the status name and the field', async () => {
  const client = new Client(server.address);
  try {
    await assert.rejects(client.call('MatchingService', 'SuggestSuppliers', { tenderProfile: { needs: { cpvCodes: ['39130000'] } }, query: { k: 0 } }),
      (error) => error instanceof CircmatchError && error.code === 'INVALID_ARGUMENT' && /\bquery\.k\b/.test(error.details));
    await assert.rejects(client.call('ProfileService', 'GetProfile', { ref: { id: 'nobody' } }),
      (error) => error.code === 'NOT_FOUND');
  } finally {
    client.close();
  }
});

test('the bulk-upload example streams a CSV with a progress bar', () => {
  const csv = path.join(server.dir, 'profiles.csv');
  const rows = ['id,kind,display_name,organization,municipality,cpv_codes,strategies,materials,certifications,text,visibility'];
  for (let i = 0; i < 17; i++) rows.push(`n-${i},supplier,"Kringloop ${i}, Zwolle",K${i},Zwolle,39130000;39131000,R3,furniture,iso-14001,Hergebruik,shared`);
  fs.writeFileSync(csv, rows.join('\n') + '\n');
  const run = spawnSync(process.execPath, [path.join(EXAMPLES, 'bulk-upload.js'), csv, '--server', server.address, '--batch', '5'], { encoding: 'utf8' });
  assert.strictEqual(run.status, 0, run.stderr);
  assert.match(run.stdout, /imported 17 profiles in 4 batches/);
  assert.match(run.stderr, /17\/17/);
});

test('the suggest-suppliers example prints the ranking', () => {
  const out = execFileSync(process.execPath, [path.join(EXAMPLES, 'suggest-suppliers.js'), 't-node', '--server', server.address, '--k', '3'], { encoding: 'utf8' });
  assert.match(out, / 1\. 0\.\d{3}  /);
  assert.match(out, /39130000->/);
});

test('the API key goes with every call', async () => {
  const keys = path.join(os.tmpdir(), `circmatch-node-keys-${process.pid}`);
  const key = execFileSync(SERVER, ['keys', 'create', keys, 'partner-node'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const keyed = await startServer([`--api_keys_file=${keys}`]);
  const client = new Client(keyed.address, { apiKey: key });
  const anonymous = new Client(keyed.address);
  try {
    await client.call('ProfileService', 'UpsertProfiles', { profiles: [supplier('s-key', '39130000')] });
    const got = await client.call('ProfileService', 'GetProfile', { ref: { id: 's-key' } });
    assert.strictEqual(got.profile.owner, 'partner-node');
    await assert.rejects(anonymous.call('ProfileService', 'GetProfile', { ref: { id: 's-key' } }), (e) => e.code === 'UNAUTHENTICATED');
  } finally {
    client.close();
    anonymous.close();
    stopServer(keyed);
    fs.rmSync(keys, { force: true });
  }
});
