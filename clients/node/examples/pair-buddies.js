#!/usr/bin/env node
// Pairs the stored buddies with a tag and prints the pairs and who is left.
//   node pair-buddies.js --tag regio-zwolle [--mode peer] [--server 127.0.0.1:50051]
'use strict';
const { parseArgs } = require('util');
const { Client } = require('../lib/client');

async function main() {
  const { values } = parseArgs({ options: {
    server: { type: 'string', default: process.env.CIRCMATCH_SERVER || '127.0.0.1:50051' },
    tag: { type: 'string' }, mode: { type: 'string', default: 'mentoring' } } });
  const client = new Client(values.server, { apiKey: process.env.CIRCMATCH_API_KEY });
  try {
    const r = await client.pairBuddies({ cohortFilter: { tags: [values.tag] }, mode: `PAIRING_MODE_${values.mode.toUpperCase()}` });
    for (const p of r.pairs || []) console.log(`${p.score.toFixed(3)}  ${p.a.id} <- ${p.b.id}`);
    for (const u of r.unpaired || []) console.log(`unpaired ${u.ref.id}: ${u.detail}`);
    console.log(`total ${(r.totalScore || 0).toFixed(3)}, upper bound ${(r.upperBound || 0).toFixed(3)}, ${r.optimal ? 'optimal' : 'not proven optimal'}`);
  } catch (error) {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  } finally {
    client.close();
  }
}
main();
