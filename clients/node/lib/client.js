// A small Node.js client of circmatch-server over gRPC: loads proto/ at run time with @grpc/proto-loader, sends
// the partner's API key with every call, and returns promises of plain objects in the proto3 JSON shape
// (lowerCamelCase fields, enums as names).
//
//   const { Client } = require('circmatch-client');
//   const client = new Client('127.0.0.1:50051', { apiKey: process.env.CIRCMATCH_API_KEY });
//   const { matches } = await client.call('MatchingService', 'SuggestSuppliers', { tenderRef: { id: 'tender-0001' }, query: { k: 5 } });
'use strict';

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_DIR = path.join(__dirname, '..', '..', '..', 'proto');
// google/protobuf/*.proto come with Debian's libprotobuf-dev.
const SYSTEM_PROTO_DIR = '/usr/include';

const SERVICES = ['ProfileService', 'MatchingService', 'VocabularyService', 'PairingService', 'MarketDayService',
  'FeedbackService', 'RankProfileService', 'InsightsService'];

function loadApi() {
  const files = fs.readdirSync(path.join(PROTO_DIR, 'circmatch', 'v1')).filter((f) => f.endsWith('.proto'))
    .map((f) => path.join('circmatch', 'v1', f));
  const definition = protoLoader.loadSync(files, {
    includeDirs: [PROTO_DIR, SYSTEM_PROTO_DIR],
    keepCase: false, longs: String, enums: String, defaults: false, oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).circmatch.v1;
}

// A failed call: `code` is the gRPC status name ("INVALID_ARGUMENT"), `message` the server's, naming the field.
class CircmatchError extends Error {
  constructor(error) {
    const name = Object.keys(grpc.status).find((k) => grpc.status[k] === error.code) || String(error.code);
    super(`${name}: ${error.details}`);
    this.code = name;
    this.details = error.details;
  }
}

class Client {
  // server: "host:port". options.apiKey: the partner's key; options.tlsCaFile: PEM CA certificates to verify a
  // TLS server (absent: plaintext); options.timeoutMs: per call (default 30000).
  constructor(server, options = {}) {
    const api = loadApi();
    const credentials = options.tlsCaFile
      ? grpc.credentials.createSsl(fs.readFileSync(options.tlsCaFile))
      : grpc.credentials.createInsecure();
    this.timeoutMs = options.timeoutMs || 30000;
    this.metadata = new grpc.Metadata();
    if (options.apiKey) this.metadata.set('authorization', `Bearer ${options.apiKey}`);
    this.stubs = {};
    for (const service of SERVICES) this.stubs[service] = new api[service](server, credentials);
  }

  // Calls a unary method: call('MatchingService', 'SuggestSuppliers', { ... }) resolves to the response.
  call(service, method, request) {
    const stub = this.stubs[service];
    if (!stub || typeof stub[method] !== 'function') throw new Error(`unknown method ${service}.${method}`);
    const deadline = new Date(Date.now() + this.timeoutMs);
    return new Promise((resolve, reject) => {
      stub[method](request, this.metadata, { deadline }, (error, response) => {
        if (error) reject(new CircmatchError(error));
        else resolve(response);
      });
    });
  }

  suggestSuppliers(tenderId, k = 10, filter = undefined) {
    return this.call('MatchingService', 'SuggestSuppliers', { tenderRef: { id: tenderId }, query: { k, filter } });
  }

  pairBuddies(request) {
    return this.call('PairingService', 'PairBuddies', request);
  }

  // Streams profiles to ImportProfiles in batches; onProgress(sent) after each batch.
  importProfiles(profiles, batchSize = 500, onProgress = undefined) {
    return new Promise((resolve, reject) => {
      const stream = this.stubs.ProfileService.ImportProfiles(this.metadata, (error, response) => {
        if (error) reject(new CircmatchError(error));
        else resolve(response);
      });
      let sent = 0;
      for (let i = 0; i < profiles.length; i += batchSize) {
        const batch = profiles.slice(i, i + batchSize);
        stream.write({ profiles: batch });
        sent += batch.length;
        if (onProgress) onProgress(sent);
      }
      stream.end();
    });
  }

  close() {
    for (const stub of Object.values(this.stubs)) stub.close();
  }
}

// Profiles from CSV text with a header: id, kind (tender, supplier, buyer, buddy), display_name, organization,
// municipality, cpv_codes, strategies, materials, certifications (lists separated by ';'), text, visibility.
// Quoted fields may hold commas.
function profilesFromCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.some((v) => v !== '')) rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const [header, ...body] = rows;
  const kinds = { tender: 'PROFILE_KIND_TENDER', supplier: 'PROFILE_KIND_SUPPLIER', buyer: 'PROFILE_KIND_BUYER', buddy: 'PROFILE_KIND_BUDDY' };
  return body.map((values, index) => {
    const r = Object.fromEntries(header.map((h, i) => [h.trim(), (values[i] || '').trim()]));
    const kind = kinds[r.kind.toLowerCase()];
    if (!kind) throw new Error(`line ${index + 2}: kind must be one of ${Object.keys(kinds).join(', ')}, got "${r.kind}"`);
    const list = (v) => (v || '').split(';').map((s) => s.trim()).filter(Boolean);
    const facets = { cpvCodes: list(r.cpv_codes), strategies: list(r.strategies), materials: list(r.materials),
      certifications: list(r.certifications), text: r.text || undefined };
    const side = kind === 'PROFILE_KIND_SUPPLIER' ? 'capabilities' : kind === 'PROFILE_KIND_BUDDY' ? 'offers' : 'needs';
    return { id: r.id, kind, displayName: r.display_name || undefined, organization: r.organization || undefined,
      location: r.municipality ? { municipality: r.municipality } : undefined,
      visibility: r.visibility === 'private' ? 'VISIBILITY_PRIVATE' : 'VISIBILITY_SHARED', [side]: facets };
  });
}

module.exports = { Client, CircmatchError, profilesFromCsv };
