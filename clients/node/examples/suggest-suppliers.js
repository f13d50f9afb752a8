#!/usr/bin/env node
// Prints the suppliers circmatch suggests for a stored tender, with the reasons.
//   node suggest-suppliers.js tender-0001 [--server 127.0.0.1:50051] [--k 5]   (API key: CIRCMATCH_API_KEY)
'use strict';
const { parseArgs } = require('util');
const { Client } = require('../lib/client');

async function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: {
    server: { type: 'string', default: process.env.CIRCMATCH_SERVER || '127.0.0.1:50051' }, k: { type: 'string', default: '5' } } });
  const client = new Client(values.server, { apiKey: process.env.CIRCMATCH_API_KEY });
  try {
    const response = await client.suggestSuppliers(positionals[0], Number(values.k));
    for (const m of response.matches || []) {
      const cpv = (m.explanation.cpvMatches || []).map((c) => `${c.queryCode}->${c.candidateCode}`).join(', ');
      console.log(`${String(m.rank).padStart(2)}. ${m.score.toFixed(3)}  ${m.profile.id}  ${m.profile.displayName || ''}`);
      console.log(`      cpv ${cpv || '-'}; strategies ${(m.explanation.sharedStrategies || []).join(', ') || '-'}`);
    }
  } catch (error) {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  } finally {
    client.close();
  }
}
main();
