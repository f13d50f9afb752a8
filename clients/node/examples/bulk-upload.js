#!/usr/bin/env node
// Uploads profiles from a CSV file through the streaming ImportProfiles call, with a progress bar.
//   node bulk-upload.js suppliers.csv [--server 127.0.0.1:50051] [--batch 500]
'use strict';
const fs = require('fs');
const { parseArgs } = require('util');
const { Client, profilesFromCsv } = require('../lib/client');

async function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: {
    server: { type: 'string', default: process.env.CIRCMATCH_SERVER || '127.0.0.1:50051' }, batch: { type: 'string', default: '500' } } });
  let profiles;
  try {
    profiles = profilesFromCsv(fs.readFileSync(positionals[0], 'utf8'));
  } catch (error) {
    console.error(`error: ${positionals[0]}: ${error.message}`);
    process.exitCode = 65;
    return;
  }
  const client = new Client(values.server, { apiKey: process.env.CIRCMATCH_API_KEY });
  const bar = (done) => {
    const filled = Math.floor((40 * done) / Math.max(profiles.length, 1));
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(40 - filled)}] ${done}/${profiles.length}`);
  };
  try {
    const r = await client.importProfiles(profiles, Number(values.batch), bar);
    process.stderr.write('\n');
    console.log(`imported ${r.upsertedCount} profiles in ${r.batchCount} batches`);
  } catch (error) {
    console.error(`\nerror: ${error.message}`);
    process.exitCode = 1;
  } finally {
    client.close();
  }
}
main();
