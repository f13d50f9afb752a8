// The coordinators' page: calls circmatch's HTTP/JSON API (docs/API.md) of the server that serves it.
'use strict';

const TEXT = {
  nl: {
    tagline: 'Circulair inkopen: leveranciers, buddies en marktdagen', apiKey: 'API-sleutel',
    tabSuppliers: 'Leveranciers', tabBuddies: 'Buddies', tabMarket: 'Marktdag',
    suppliersTitle: 'Leveranciers voor een aanbesteding', tenderPick: 'Aanbesteding',
    tenderOwnCpv: "of CPV-codes (komma's)", maxKm: 'Max. afstand (km)', suggest: 'Zoek leveranciers',
    regionsTitle: 'Waar zitten ze', province: 'Provincie', count: 'Aantal', places: 'Plaatsen',
    buddiesTitle: 'Buddies koppelen', cohortTag: 'Cohort (tag)', mode: 'Vorm', mentoring: 'Mentor en lerende',
    peer: 'Gelijken', pair: 'Koppel', seeker: 'Vraagt hulp', helper: 'Helpt', score: 'Score',
    marketTitle: 'Marktdag: rooster', buyers: 'Inkopers (ids)', suppliersIds: 'Leveranciers (ids)',
    slots: 'Rondes', tables: 'Tafels', schedule: 'Maak rooster', table: 'Tafel', slot: 'Ronde',
    loading: 'Bezig…', found: (n) => `${n} leveranciers gevonden`, pairsFound: (n, total, optimal) =>
      `${n} koppels, totale score ${total.toFixed(2)}${optimal ? ' (optimaal)' : ''}`,
    meetings: (n) => `${n} gesprekken ingeroosterd`, unpaired: 'Niet gekoppeld', km: 'km',
    facets: { FACET_CPV: 'CPV', FACET_STRATEGIES: 'R-strategieën', FACET_MATERIALS: 'Materialen',
      FACET_CERTIFICATIONS: 'Certificaten', FACET_LOCATION: 'Afstand', FACET_PHASES: 'Fasen',
      FACET_TOPICS: "Thema's", FACET_TEXT: 'Tekst', FACET_EMBEDDING: 'Embedding' },
  },
  en: {
    tagline: 'Circular procurement: suppliers, buddies and market days', apiKey: 'API key',
    tabSuppliers: 'Suppliers', tabBuddies: 'Buddies', tabMarket: 'Market day',
    suppliersTitle: 'Suppliers for a tender', tenderPick: 'Tender', tenderOwnCpv: 'or CPV codes (commas)',
    maxKm: 'Max. distance (km)', suggest: 'Suggest suppliers', regionsTitle: 'Where they are',
    province: 'Province', count: 'Count', places: 'Places', buddiesTitle: 'Pair buddies',
    cohortTag: 'Cohort (tag)', mode: 'Mode', mentoring: 'Mentoring', peer: 'Peers', pair: 'Pair',
    seeker: 'Asks for help', helper: 'Helps', score: 'Score', marketTitle: 'Market day: schedule',
    buyers: 'Buyers (ids)', suppliersIds: 'Suppliers (ids)', slots: 'Rounds', tables: 'Tables',
    schedule: 'Make schedule', table: 'Table', slot: 'Round', loading: 'Working…',
    found: (n) => `${n} suppliers found`, pairsFound: (n, total, optimal) =>
      `${n} pairs, total score ${total.toFixed(2)}${optimal ? ' (optimal)' : ''}`,
    meetings: (n) => `${n} meetings scheduled`, unpaired: 'Not paired', km: 'km',
    facets: { FACET_CPV: 'CPV', FACET_STRATEGIES: 'R-strategies', FACET_MATERIALS: 'Materials',
      FACET_CERTIFICATIONS: 'Certifications', FACET_LOCATION: 'Distance', FACET_PHASES: 'Phases',
      FACET_TOPICS: 'Topics', FACET_TEXT: 'Text', FACET_EMBEDDING: 'Embedding' },
  },
};

let language = 'nl';
const t = (key) => TEXT[language][key];
const $ = (selector) => document.querySelector(selector);

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'style') node.style.cssText = value; else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function applyLanguage() {
  document.documentElement.lang = language;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  $('#language').textContent = language === 'nl' ? 'EN' : 'NL';
}

// One HTTP/JSON call; rejects with the server's message (which names the field).
async function api(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  const key = $('#api-key').value.trim();
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${data.status || response.status}: ${data.message || response.statusText}`);
  return data;
}

async function run(statusSelector, work) {
  const status = $(statusSelector);
  status.textContent = t('loading');
  status.classList.remove('error');
  try {
    status.textContent = await work();
  } catch (error) {
    status.textContent = error.message;
    status.classList.add('error');
  }
}

async function loadTenders() {
  try {
    const page = await api('GET', '/v1/profiles?kind=PROFILE_KIND_TENDER&page_size=200');
    const select = $('#tender-select');
    select.replaceChildren(element('option', { value: '' }, '—'));
    for (const p of page.profiles || []) {
      select.append(element('option', { value: `${p.owner}/${p.id}` }, `${p.id} · ${p.displayName || ''}`));
    }
  } catch (error) {
    $('#suppliers-status').textContent = error.message;
  }
}

function facetBars(explanation) {
  const bars = element('div', { class: 'bars' });
  for (const facet of explanation.facets || []) {
    const width = Math.round(100 * (facet.contribution || 0));
    bars.append(element('div', { class: 'bar-row', 'data-facet': facet.facet },
      element('span', { class: 'bar-label' }, t('facets')[facet.facet] || facet.facet),
      element('span', { class: 'bar' }, element('span', { class: 'bar-fill', style: `width:${width}%` })),
      element('span', { class: 'bar-value' }, (facet.contribution || 0).toFixed(2))));
  }
  return bars;
}

async function suggestSuppliers(event) {
  event.preventDefault();
  await run('#suppliers-status', async () => {
    const picked = $('#tender-select').value;
    const codes = $('#tender-cpv').value.split(',').map((s) => s.trim()).filter(Boolean);
    const request = { k: 10 };
    if (codes.length) request.tenderProfile = { kind: 'PROFILE_KIND_TENDER', needs: { cpvCodes: codes } };
    else if (picked) {
      const [owner, id] = picked.split('/');
      request.tenderRef = { owner, id };
    }
    const maxKm = Number($('#max-km').value);
    if (maxKm > 0) request.filter = { maxDistanceKm: maxKm };
    const response = await api('POST', '/v1/matching/suppliers:suggest', request);
    const matches = response.matches || [];
    const list = $('#supplier-list');
    list.replaceChildren();
    const regions = new Map();
    for (const match of matches) {
      const p = match.profile;
      const where = p.location && p.location.municipality ? p.location.municipality : '';
      const distance = match.explanation.distanceKm !== undefined
        ? ` · ${Math.round(match.explanation.distanceKm)} ${t('km')}` : '';
      list.append(element('li', { class: 'match', 'data-id': p.id },
        element('div', { class: 'match-head' },
          element('strong', {}, p.displayName || p.id), ` · ${where}${distance}`,
          element('span', { class: 'match-score' }, (match.score || 0).toFixed(3))),
        facetBars(match.explanation)));
      const province = (p.location && p.location.province) || '?';
      const region = regions.get(province) || { count: 0, places: new Set() };
      region.count += 1;
      if (where) region.places.add(where);
      regions.set(province, region);
    }
    const body = $('#region-table tbody');
    body.replaceChildren();
    for (const [province, region] of [...regions].sort((a, b) => b[1].count - a[1].count)) {
      body.append(element('tr', {}, element('td', {}, province), element('td', {}, region.count),
        element('td', {}, [...region.places].join(', '))));
    }
    return t('found')(matches.length);
  });
}

async function pairBuddies(event) {
  event.preventDefault();
  await run('#buddies-status', async () => {
    const response = await api('POST', '/v1/buddies:pair',
      { cohortFilter: { tags: [$('#cohort-tag').value] }, mode: $('#pairing-mode').value });
    const body = $('#pair-table tbody');
    body.replaceChildren();
    for (const pair of response.pairs || []) {
      body.append(element('tr', { class: 'pair' }, element('td', {}, pair.a.id), element('td', {}, pair.b.id),
        element('td', {}, pair.score.toFixed(3))));
    }
    const unpaired = $('#unpaired-list');
    unpaired.replaceChildren();
    for (const member of response.unpaired || []) {
      unpaired.append(element('li', {}, `${t('unpaired')}: ${member.ref.id} — ${member.detail || member.reason}`));
    }
    return t('pairsFound')((response.pairs || []).length, response.totalScore || 0, response.optimal);
  });
}

async function scheduleMeetings(event) {
  event.preventDefault();
  await run('#market-status', async () => {
    const ids = (selector) => $(selector).value.split(',').map((s) => s.trim()).filter(Boolean);
    const slots = Number($('#market-slots').value);
    const tables = Number($('#market-tables').value);
    const start = Date.UTC(2027, 2, 11, 9, 0);
    const event = { name: 'Marktdag', tablesPerSlot: tables, slots: [] };
    for (let s = 0; s < slots; s++) {
      event.slots.push({ startTime: new Date(start + s * 30 * 60000).toISOString(),
        endTime: new Date(start + (s * 30 + 20) * 60000).toISOString() });
    }
    const response = await api('POST', '/v1/market-days:schedule', {
      event, maxMeetingsPerParticipant: slots,
      buyers: ids('#market-buyers').map((id) => ({ ref: { id } })),
      suppliers: ids('#market-suppliers').map((id) => ({ ref: { id } })) });
    const grid = $('#schedule-grid');
    const header = element('tr', {}, element('th', {}, t('slot')));
    for (let table = 1; table <= tables; table++) header.append(element('th', {}, `${t('table')} ${table}`));
    grid.replaceChildren(header);
    for (let s = 0; s < slots; s++) {
      const row = element('tr', {}, element('th', {}, s + 1));
      for (let table = 1; table <= tables; table++) {
        const meeting = (response.meetings || []).find((m) => (m.slot || 0) === s && m.table === table);
        row.append(element('td', { class: meeting ? 'meeting' : 'empty' },
          meeting ? `${meeting.buyer.id} ↔ ${meeting.supplier.id}` : ''));
      }
      grid.append(row);
    }
    return t('meetings')((response.meetings || []).length);
  });
}

document.addEventListener('DOMContentLoaded', () => {
  $('#api-key').value = sessionStorage.getItem('circmatch-api-key') || '';
  $('#api-key').addEventListener('change', () => {
    sessionStorage.setItem('circmatch-api-key', $('#api-key').value.trim());
    loadTenders();
  });
  $('#language').addEventListener('click', () => {
    language = language === 'nl' ? 'en' : 'nl';
    applyLanguage();
  });
  for (const tab of document.querySelectorAll('.tab')) {
    tab.addEventListener('click', () => {
      for (const other of document.querySelectorAll('.tab')) other.classList.toggle('active', other === tab);
      for (const panel of document.querySelectorAll('.panel')) panel.hidden = panel.id !== tab.dataset.tab;
    });
  }
  $('#tender-form').addEventListener('submit', suggestSuppliers);
  $('#cohort-form').addEventListener('submit', pairBuddies);
  $('#market-form').addEventListener('submit', scheduleMeetings);
  applyLanguage();
  loadTenders();
});
