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
    requiredCerts: "Vereiste certificaten (komma's)", spreadOver: 'Spreiding', spreadNone: 'geen',
    spreadProvinces: 'over provincies', spreadSectors: 'over sectoren', includeOutOfReach: 'Ook buiten bereik',
    mapTitle: 'Op de kaart', legendTender: 'aanbesteding', legendSupplier: 'leverancier',
    legendOutOfReach: 'buiten bereik', legendLimit: 'afstandsgrens', legendWhyNot: '"waarom niet?"',
    mapAttribution: 'Kaart: Natural Earth (publiek domein)', exportCsv: 'Shortlist als CSV',
    whyNotTitle: 'Waarom niet?', whyNotHint: 'Leverancier (id of eigenaar/id)', whyNotAsk: 'Leg uit',
    shortlist: 'Op shortlist', notRelevant: 'Niet relevant', record: 'Vastleggen', reasonText: 'Toelichting',
    recording: 'Bezig met vastleggen…',
    shortlisted: (id) => `Op de shortlist (vastgelegd als #${id})`,
    rejected: (reason, id) => `Niet relevant: ${reason} (vastgelegd als #${id})`,
    notRecorded: (message) => `Niet vastgelegd: ${message}`,
    otherNeedsText: "Geef een toelichting bij 'anders'",
    inlineNoFeedback: 'Alleen bij een opgeslagen aanbesteding vast te leggen',
    rejectionReasons: { REJECTION_REASON_WRONG_PRODUCT: 'verkeerd product',
      REJECTION_REASON_NOT_CIRCULAR: 'niet circulair', REJECTION_REASON_OUT_OF_REACH: 'buiten bereik',
      REJECTION_REASON_CERTIFICATE_MISSING: 'certificaat ontbreekt', REJECTION_REASON_TOO_LARGE: 'te groot',
      REJECTION_REASON_TOO_SMALL: 'te klein', REJECTION_REASON_OTHER: 'anders' },
    shortlistCount: (n) => `${n} op de shortlist`,
    cpvLevels: { CPV_MATCH_LEVEL_EXACT: 'precies', CPV_MATCH_LEVEL_CATEGORY: 'zelfde categorie',
      CPV_MATCH_LEVEL_CLASS: 'zelfde klasse', CPV_MATCH_LEVEL_GROUP: 'zelfde groep',
      CPV_MATCH_LEVEL_DIVISION: 'zelfde afdeling' },
    reasonCpv: (list) => `Levert wat gevraagd is: ${list}`,
    reasonEvidence: (list) => `Hun tekst laat zien: ${list}`,
    reasonStrategies: (list) => `Beide noemen: ${list}`,
    reasonUnevidenced: (list) => `Genoemd, maar niet in hun tekst: ${list}`,
    reasonMaterials: (list) => `Materialen: ${list}`,
    reasonCertsShared: (list) => `Heeft gevraagde certificaten: ${list}`,
    reasonCertsRequired: (list) => `Heeft de vereiste certificaten: ${list}`,
    reasonCertsMissing: (list) => `Mist vereiste certificaten: ${list}`,
    reasonTerms: (list) => `Zelfde woorden in beide teksten: ${list}`,
    reach: (km, radius) => `${km} km, levert tot ${radius} km`,
    reachUnstated: (km) => `${km} km, geen leveringsgebied opgegeven`,
    outOfReach: (km, radius) => `Buiten het leveringsgebied: ${km} km, levert tot ${radius} km`,
    noDistance: 'Afstand onbekend: een van beide heeft geen locatie',
    reasonTextRequirements: (list) => `Eisen uit de tekst niet gehaald: ${list}`,
    reasonIntermediary: (words) => `Lijkt een tussenpersoon ('${words}'): lager gezet`,
    movedDown: (from, to, why) => `Omlaag gezet van plek ${from} naar ${to}: ${why}`,
    movedUp: (from, to, why) => `Omhoog gezet van plek ${from} naar ${to}: ${why}`,
    spreadWhy: { DIVERSITY_ATTRIBUTE_PROVINCE: 'spreiding over provincies',
      DIVERSITY_ATTRIBUTE_CPV_DIVISION: 'spreiding over sectoren' },
    spreadWhyOther: 'spreiding van de resultaten',
    tooFar: (km, limit) => `Te ver: ${km} km, grens ${limit} km`,
    noLocation: 'Geen locatie om de afstand te meten',
    excluded: {
      visibility: 'Privé-profiel van een andere partner', 'filter.exclude': 'Uitgesloten in het verzoek',
      'filter.exclude_organizations': 'Organisatie uitgesloten in het verzoek',
      candidate: 'Is de aanbesteding zelf', organization: 'Dezelfde organisatie als de vraag',
      closing_time: 'Gesloten', publication_time: 'Nog niet gepubliceerd' },
    whyNotExcluded: (name) => `${name} wordt niet voorgesteld:`,
    whyNotRanked: (name, rank, of) => `${name} staat op plek ${rank} van ${of}`,
    whyNotScore: (score) => `score ${score}`,
    tabGaps: 'Aanbod en vraag', gapsTitle: 'Aanbod en vraag: waar ontbreekt circulair aanbod?',
    gapRegionKind: 'Gebied', gapWholeCountry: 'heel Nederland', gapProvince: 'provincie', gapCorop: 'COROP-gebied',
    gapMunicipality: 'gemeente', gapTag: 'tag', gapRegionName: 'Naam of code', gapFrom: 'Open vanaf',
    gapUntil: 'tot en met', gapCpvLevel: 'Sectoren', gapDivision: 'afdelingen (2 cijfers)',
    gapGroup: 'groepen (3 cijfers)', gapMinScore: 'Min. score', gapMinSuppliers: 'Min. leveranciers per aanbesteding',
    gapShow: 'Toon', gapColCode: 'CPV', gapColSector: 'Sector', gapColTenders: 'Aanbestedingen',
    gapColSuppliers: 'Leveranciers', gapColSmes: 'Mkb', gapColUnderserved: 'Te weinig aanbod', gapColGap: 'Tekort',
    gapColNoSupply: 'Geen aanbod dichtbij', gapCsvSectors: 'Sectoren als CSV',
    gapCsvMunicipalities: 'Gemeenten als CSV', gapMapTitle: 'Aanbestedingen per gemeente',
    gapSizeNote: 'Oppervlak van een cirkel: het aantal aanbestedingen; kleur: het tekort.',
    gapTendersCount: (n) => (n === 1 ? '1 aanbesteding' : `${n} aanbestedingen`), gapNoCpv: '(zonder CPV-code)',
    yes: 'ja', no: '',
    gapSummary: (r) => `${r.region}: ${r.tenders} aanbestedingen, ${r.underserved} met minder dan ${r.minSuppliers}`
      + ` leveranciers (score ≥ ${r.minScore}), ${r.suppliers} leveranciers`,
    gapLegend: { none: 'geen aanbestedingen', 0: 'geen tekort', 1: 'tekort tot 25%', 2: 'tekort 25–50%',
      3: 'tekort 50–75%', 4: 'tekort 75–100%' },
    gapTitle: (m) => `${m.name}: ${m.tenders} aanbestedingen, ${m.underserved} met te weinig aanbod,`
      + ` ${m.suppliers} leveranciers, tekort ${percent(m.gap)}`,
    gapUnderservedTitle: (list) => `Te weinig aanbod: ${list}`,
    tabProfile: 'Profiel schrijven', profileTitle: 'Een leveranciersprofiel schrijven', profileId: 'Id',
    profileName: 'Naam', profileMunicipality: 'Gemeente', profileVisibility: 'Zichtbaar voor',
    visibilityShared: 'het hele netwerk', visibilityPrivate: 'alleen ons',
    profileText: 'Wat levert u? Beschrijf het in uw eigen woorden', suggestCodes: 'Codes voorstellen',
    profileCpv: "CPV-codes (komma's)", profileStrategies: 'R-strategieën', profileSave: 'Opslaan',
    codesFound: (n) => (n ? `${n} codes voorgesteld: vink aan wat u levert` : 'Geen code gevonden bij deze tekst'),
    matchedWords: (words) => `bij: ${words}`,
    profileSaved: (id) => `Profiel ${id} opgeslagen`,
    profileNotSaved: (message) => `Niet opgeslagen: ${message}`,
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
    requiredCerts: 'Required certificates (commas)', spreadOver: 'Spread', spreadNone: 'none',
    spreadProvinces: 'over provinces', spreadSectors: 'over sectors', includeOutOfReach: 'Also out of reach',
    mapTitle: 'On the map', legendTender: 'tender', legendSupplier: 'supplier', legendOutOfReach: 'out of reach',
    legendLimit: 'distance limit', legendWhyNot: '"why not?"',
    mapAttribution: 'Map: Natural Earth (public domain)', exportCsv: 'Shortlist as CSV',
    whyNotTitle: 'Why not?', whyNotHint: 'Supplier (id or owner/id)', whyNotAsk: 'Explain',
    shortlist: 'Shortlist', notRelevant: 'Not relevant', record: 'Record', reasonText: 'Explanation',
    recording: 'Recording…',
    shortlisted: (id) => `Shortlisted (recorded as #${id})`,
    rejected: (reason, id) => `Not relevant: ${reason} (recorded as #${id})`,
    notRecorded: (message) => `Not recorded: ${message}`,
    otherNeedsText: "Give an explanation for 'other'",
    inlineNoFeedback: 'Can be recorded only for a stored tender',
    rejectionReasons: { REJECTION_REASON_WRONG_PRODUCT: 'wrong product',
      REJECTION_REASON_NOT_CIRCULAR: 'not circular', REJECTION_REASON_OUT_OF_REACH: 'out of reach',
      REJECTION_REASON_CERTIFICATE_MISSING: 'certificate missing', REJECTION_REASON_TOO_LARGE: 'too large',
      REJECTION_REASON_TOO_SMALL: 'too small', REJECTION_REASON_OTHER: 'other' },
    shortlistCount: (n) => `${n} shortlisted`,
    cpvLevels: { CPV_MATCH_LEVEL_EXACT: 'exact', CPV_MATCH_LEVEL_CATEGORY: 'same category',
      CPV_MATCH_LEVEL_CLASS: 'same class', CPV_MATCH_LEVEL_GROUP: 'same group',
      CPV_MATCH_LEVEL_DIVISION: 'same division' },
    reasonCpv: (list) => `Supplies what is asked: ${list}`,
    reasonEvidence: (list) => `Their text shows: ${list}`,
    reasonStrategies: (list) => `Both name: ${list}`,
    reasonUnevidenced: (list) => `Named, but not in their text: ${list}`,
    reasonMaterials: (list) => `Materials: ${list}`,
    reasonCertsShared: (list) => `Holds certificates asked for: ${list}`,
    reasonCertsRequired: (list) => `Holds the required certificates: ${list}`,
    reasonCertsMissing: (list) => `Lacks required certificates: ${list}`,
    reasonTerms: (list) => `Words both texts use: ${list}`,
    reach: (km, radius) => `${km} km, delivers up to ${radius} km`,
    reachUnstated: (km) => `${km} km, no delivery range stated`,
    outOfReach: (km, radius) => `Outside the delivery range: ${km} km, delivers up to ${radius} km`,
    noDistance: 'Distance unknown: one of the two has no location',
    reasonTextRequirements: (list) => `Requirements of the text not met: ${list}`,
    reasonIntermediary: (words) => `Looks like an intermediary ('${words}'): ranked lower`,
    movedDown: (from, to, why) => `Moved down from ${from} to ${to}: ${why}`,
    movedUp: (from, to, why) => `Moved up from ${from} to ${to}: ${why}`,
    spreadWhy: { DIVERSITY_ATTRIBUTE_PROVINCE: 'results spread over provinces',
      DIVERSITY_ATTRIBUTE_CPV_DIVISION: 'results spread over sectors' },
    spreadWhyOther: 'results spread out',
    tooFar: (km, limit) => `Too far: ${km} km, limit ${limit} km`,
    noLocation: 'No location to measure the distance',
    excluded: {
      visibility: "Another partner's private profile", 'filter.exclude': 'Excluded by the request',
      'filter.exclude_organizations': 'Organization excluded by the request',
      candidate: 'Is the tender itself', organization: 'The same organization as the query',
      closing_time: 'Closed', publication_time: 'Not yet published' },
    whyNotExcluded: (name) => `${name} is not suggested:`,
    whyNotRanked: (name, rank, of) => `${name} ranks ${rank} of ${of}`,
    whyNotScore: (score) => `score ${score}`,
    tabGaps: 'Supply and demand', gapsTitle: 'Supply and demand: where is circular supply missing?',
    gapRegionKind: 'Region', gapWholeCountry: 'the whole Netherlands', gapProvince: 'province',
    gapCorop: 'COROP region', gapMunicipality: 'municipality', gapTag: 'tag', gapRegionName: 'Name or code',
    gapFrom: 'Open from', gapUntil: 'up to and including', gapCpvLevel: 'Sectors',
    gapDivision: 'divisions (2 digits)', gapGroup: 'groups (3 digits)', gapMinScore: 'Min. score',
    gapMinSuppliers: 'Min. suppliers per tender', gapShow: 'Show', gapColCode: 'CPV', gapColSector: 'Sector',
    gapColTenders: 'Tenders', gapColSuppliers: 'Suppliers', gapColSmes: 'SMEs', gapColUnderserved: 'Underserved',
    gapColGap: 'Gap', gapColNoSupply: 'No supply nearby', gapCsvSectors: 'Sectors as CSV',
    gapCsvMunicipalities: 'Municipalities as CSV', gapMapTitle: 'Tenders per municipality',
    gapSizeNote: "A circle's area: the number of tenders; its colour: the gap.",
    gapTendersCount: (n) => (n === 1 ? '1 tender' : `${n} tenders`), gapNoCpv: '(without CPV code)', yes: 'yes', no: '',
    gapSummary: (r) => `${r.region}: ${r.tenders} tenders, ${r.underserved} with fewer than ${r.minSuppliers}`
      + ` suppliers (score ≥ ${r.minScore}), ${r.suppliers} suppliers`,
    gapLegend: { none: 'no tenders', 0: 'no gap', 1: 'gap up to 25%', 2: 'gap 25–50%', 3: 'gap 50–75%',
      4: 'gap 75–100%' },
    gapTitle: (m) => `${m.name}: ${m.tenders} tenders, ${m.underserved} underserved, ${m.suppliers} suppliers,`
      + ` gap ${percent(m.gap)}`,
    gapUnderservedTitle: (list) => `Underserved: ${list}`,
    tabProfile: 'Write a profile', profileTitle: "Write a supplier's profile", profileId: 'Id', profileName: 'Name',
    profileMunicipality: 'Municipality', profileVisibility: 'Visible to', visibilityShared: 'the whole network',
    visibilityPrivate: 'only us', profileText: 'What do you supply? Say it in your own words',
    suggestCodes: 'Suggest codes', profileCpv: 'CPV codes (commas)', profileStrategies: 'R-strategies',
    profileSave: 'Save',
    codesFound: (n) => (n ? `${n} codes suggested: tick what you supply` : 'No code found for this text'),
    matchedWords: (words) => `for: ${words}`,
    profileSaved: (id) => `Profile ${id} saved`,
    profileNotSaved: (message) => `Not saved: ${message}`,
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
  for (const node of document.querySelectorAll('.status')) {
    if (node.message) node.textContent = node.message();
  }
  $('#language').textContent = language === 'nl' ? 'EN' : 'NL';
}

// Shows a status line. `message` makes its text in the page's language, again when the language changes; a
// server's error message is shown as it came.
function showStatus(status, message, isError = false) {
  status.message = typeof message === 'function' ? message : null;
  status.textContent = status.message ? status.message() : message;
  status.classList.toggle('error', isError);
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

// Runs `work`, showing "loading" in the status line meanwhile, then what work returns (a message maker or a
// fixed text) or its error.
async function run(statusSelector, work) {
  const status = $(statusSelector);
  showStatus(status, () => t('loading'));
  try {
    showStatus(status, await work());
  } catch (error) {
    showStatus(status, error.message, true);
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
    showStatus($('#suppliers-status'), error.message, true);
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

// Labels of the vocabularies the reasons name (strategies, materials, certifications), by code; a code that is
// not listed (a free label) is shown as it is.
const labels = new Map();

async function loadLabels() {
  for (const list of ['VOCABULARY_LIST_STRATEGIES', 'VOCABULARY_LIST_MATERIALS', 'VOCABULARY_LIST_CERTIFICATIONS']) {
    try {
      const page = await api('GET', `/v1/vocabulary?list=${list}&page_size=1000`);
      for (const term of page.terms || []) labels.set(term.code, { nl: term.labelNl, en: term.labelEn });
    } catch (error) {
      // Without labels the reasons name the codes.
    }
  }
}

function label(code) {
  const found = labels.get(code);
  return found && found[language] ? found[language] : code;
}

const strategyName = (code) => (label(code) === code ? code : `${code} ${label(code)}`);
const km = (value) => String(Math.round(value));

// The suggestion list, the request it answered and what the coordinator did with it; kept to draw again in the
// other language.
const suppliers = {
  request: null,    // the SuggestSuppliers request sent
  query: null,      // ProfileRef of a stored tender; null for an inline one
  tender: null,     // the stored tender's profile (for its location), when there is one
  response: null,   // the SuggestSuppliers response
  feedback: new Map(),   // candidate key -> {state: 'recording'|'shortlisted'|'rejected'|'error', ...}
  whyNot: null,     // the last ExplainMatch response, or an error message
};

const keyOf = (profile) => `${profile.owner || ''}/${profile.id}`;

// The reasons a candidate scored what it did (or was excluded), in words, from its explanation: a list of
// {kind, text}. `filter` is the request's filter, `diversity` its diversity.
function reasonsInWords(match, filter = {}, diversity = null) {
  const e = match.explanation || {};
  const p = match.profile || {};
  const reasons = [];
  const add = (kind, text) => reasons.push({ kind, text });
  const cpv = (e.cpvMatches || []).filter((m) => m.commonCode);
  if (cpv.length) {
    add('cpv', t('reasonCpv')(cpv.map((m) => `${(language === 'nl' ? m.commonLabelNl : m.commonLabelEn)
      || m.commonCode} (CPV ${m.commonCode}, ${t('cpvLevels')[m.level] || m.level})`).join('; ')));
  }
  const evidence = e.evidence || [];
  if (evidence.length) {
    add('evidence', t('reasonEvidence')(evidence.map((x) => `${strategyName(x.strategy)} '${x.words}'`).join('; ')));
  }
  const evidenced = new Set(evidence.map((x) => x.strategy));
  const shared = (e.sharedStrategies || []).filter((s) => !evidenced.has(s));
  if (shared.length) add('strategies', t('reasonStrategies')(shared.map(strategyName).join(', ')));
  if ((e.unevidencedStrategies || []).length) {
    add('unevidenced', t('reasonUnevidenced')(e.unevidencedStrategies.map(strategyName).join(', ')));
  }
  if ((e.sharedMaterials || []).length) add('materials', t('reasonMaterials')(e.sharedMaterials.map(label).join(', ')));
  const missing = e.missingCertifications || [];
  const required = (filter.requiredCertifications || []).filter((c) => !missing.includes(c));
  if (required.length && !missing.length) add('certificates', t('reasonCertsRequired')(required.map(label).join(', ')));
  const held = (e.sharedCertifications || []).filter((c) => !required.includes(c));
  if (held.length) add('certificates', t('reasonCertsShared')(held.map(label).join(', ')));
  if (missing.length) add('missing-certificate', t('reasonCertsMissing')(missing.map(label).join(', ')));
  if (e.distanceKm === undefined) add('distance', t('noDistance'));
  else if (e.outOfReach) add('out-of-reach', t('outOfReach')(km(e.distanceKm), km(p.serviceRadiusKm)));
  else if (p.serviceRadiusKm) add('distance', t('reach')(km(e.distanceKm), km(p.serviceRadiusKm)));
  else add('distance', t('reachUnstated')(km(e.distanceKm)));
  if ((e.unmetTextRequirements || []).length) {
    add('text-requirements', t('reasonTextRequirements')(e.unmetTextRequirements.join('; ')));
  }
  if (e.intermediaryWords) add('intermediary', t('reasonIntermediary')(e.intermediaryWords));
  const terms = (e.sharedTerms || []).filter((term) => !term.startsWith('~')).slice(0, 5);
  if (terms.length) add('terms', t('reasonTerms')(terms.join(', ')));
  if (e.scoreRank && match.rank && e.scoreRank !== match.rank) {
    const why = (diversity && t('spreadWhy')[diversity.spreadOver]) || t('spreadWhyOther');
    add(e.scoreRank < match.rank ? 'moved-down' : 'moved-up',
      t(e.scoreRank < match.rank ? 'movedDown' : 'movedUp')(e.scoreRank, match.rank, why));
  }
  return reasons;
}

// The hard filters that exclude a candidate, in words, from its explanation's exclusions.
function exclusionsInWords(match, filter = {}) {
  const e = match.explanation || {};
  return (e.exclusions || []).map((exclusion) => {
    switch (exclusion.field) {
      case 'filter.max_distance_km':
        return e.distanceKm === undefined ? t('noLocation') : t('tooFar')(km(e.distanceKm), km(filter.maxDistanceKm));
      case 'service_radius_km':
        return t('outOfReach')(km(e.distanceKm), km(match.profile.serviceRadiusKm));
      case 'filter.required_certifications':
        return t('reasonCertsMissing')((e.missingCertifications || []).map(label).join(', '));
      default:
        return t('excluded')[exclusion.field] || `${exclusion.field}: ${exclusion.reason}`;
    }
  });
}

function reasonList(reasons, className = 'reasons') {
  return element('ul', { class: className },
    ...reasons.map((r) => element('li', { 'data-kind': r.kind }, r.text)));
}

// The form's tender and filters as the fields of a SuggestSuppliers or ExplainMatch request.
function tenderRequest() {
  const picked = $('#tender-select').value;
  const codes = $('#tender-cpv').value.split(',').map((s) => s.trim()).filter(Boolean);
  const request = { query: {} };
  if (codes.length) request.tenderProfile = { kind: 'PROFILE_KIND_TENDER', needs: { cpvCodes: codes } };
  else if (picked) {
    const [owner, id] = picked.split('/');
    request.tenderRef = { owner, id };
  }
  const filter = {};
  const maxKm = Number($('#max-km').value);
  if (maxKm > 0) filter.maxDistanceKm = maxKm;
  const certificates = $('#required-certs').value.split(',').map((s) => s.trim()).filter(Boolean);
  if (certificates.length) filter.requiredCertifications = certificates;
  if ($('#include-out-of-reach').checked) filter.includeOutOfReach = true;
  if (Object.keys(filter).length) request.query.filter = filter;
  const spread = $('#spread-over').value;
  if (spread) request.query.diversity = { spreadOver: spread, spread: 0.3 };
  return request;
}

async function suggestSuppliers(event) {
  event.preventDefault();
  await run('#suppliers-status', async () => {
    const request = tenderRequest();
    request.query.k = 10;
    const response = await api('POST', '/v1/matching/suppliers:suggest', request);
    const query = request.tenderRef || null;
    const sameQuery = suppliers.query && query && keyOf(suppliers.query) === keyOf(query);
    if (!sameQuery) suppliers.feedback = new Map();
    suppliers.request = request;
    suppliers.query = query;
    suppliers.response = response;
    suppliers.tender = null;
    if (query) {
      const path = `/v1/profiles/${encodeURIComponent(query.owner)}/${encodeURIComponent(query.id)}`;
      suppliers.tender = (await api('GET', path).catch(() => ({}))).profile || null;
    }
    renderSuggestions();
    const found = (response.matches || []).length;
    return () => t('found')(found);
  });
}

function renderSuggestions() {
  if (!suppliers.response) return;
  const matches = suppliers.response.matches || [];
  const filter = suppliers.request.query.filter || {};
  const list = $('#supplier-list');
  list.replaceChildren();
  const regions = new Map();
  for (const match of matches) {
    const p = match.profile;
    const where = p.location && p.location.municipality ? p.location.municipality : '';
    const distance = match.explanation.distanceKm !== undefined
      ? `${Math.round(match.explanation.distanceKm)} ${t('km')}` : '';
    const place = [where, distance].filter(Boolean).map((part) => ` · ${part}`).join('');
    list.append(element('li', { class: `match${match.explanation.outOfReach ? ' out-of-reach' : ''}`, 'data-id': p.id,
      'data-owner': p.owner || '' },
    element('div', { class: 'match-head' },
      element('strong', {}, p.displayName || p.id), place,
      element('span', { class: 'match-score' }, (match.score || 0).toFixed(3))),
    facetBars(match.explanation),
    reasonList(reasonsInWords(match, filter, suppliers.request.query.diversity)),
    feedbackControls(match)));
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
  $('#whynot-ids').replaceChildren(...matches.map((m) => element('option', { value: keyOf(m.profile) })));
  renderShortlistCount();
  renderWhyNot();
  drawMap();
}

// "Shortlist" and "not relevant" (with a reason) for one suggestion, recorded with RecordFeedback.
function feedbackControls(match) {
  const key = keyOf(match.profile);
  const state = suppliers.feedback.get(key) || {};
  const stored = suppliers.query !== null;
  const disabled = stored ? {} : { disabled: '', title: t('inlineNoFeedback') };
  const reason = element('select', { class: 'reject-reason' },
    ...Object.entries(t('rejectionReasons')).map(([value, text]) => element('option', { value }, text)));
  if (state.reason) reason.value = state.reason;
  const text = element('input', { class: 'reject-text', placeholder: t('reasonText'), maxlength: '1000' });
  const rejectForm = element('span', { class: 'reject-form', hidden: '' }, reason, text,
    element('button', { type: 'button', class: 'reject-record' }, t('record')));
  const status = element('span', { class: `feedback-status${state.state === 'error' ? ' error' : ''}`,
    role: 'status' }, feedbackStatusText(state));
  const controls = element('div', { class: 'feedback' },
    element('button', { type: 'button', class: 'shortlist', ...disabled }, t('shortlist')),
    element('button', { type: 'button', class: 'reject', ...disabled }, t('notRelevant')), rejectForm, status);
  controls.querySelector('.shortlist').addEventListener('click',
    () => recordFeedback(match, { action: 'FEEDBACK_ACTION_SHORTLISTED' }, status));
  controls.querySelector('.reject').addEventListener('click', () => { rejectForm.hidden = !rejectForm.hidden; });
  rejectForm.querySelector('.reject-record').addEventListener('click', () => {
    const event = { action: 'FEEDBACK_ACTION_REJECTED', reason: reason.value };
    if (text.value.trim()) event.reasonText = text.value.trim();
    if (reason.value === 'REJECTION_REASON_OTHER' && !event.reasonText) {
      showFeedbackStatus(status, { state: 'error', message: t('otherNeedsText') });
      return;
    }
    recordFeedback(match, event, status);
  });
  return controls;
}

function feedbackStatusText(state) {
  switch (state.state) {
    case 'recording': return t('recording');
    case 'shortlisted': return t('shortlisted')(state.id);
    case 'rejected': return t('rejected')(t('rejectionReasons')[state.reason], state.id);
    case 'error': return t('notRecorded')(state.message);
    default: return '';
  }
}

function showFeedbackStatus(status, state) {
  status.textContent = feedbackStatusText(state);
  status.classList.toggle('error', state.state === 'error');
}

async function recordFeedback(match, event, status) {
  const key = keyOf(match.profile);
  showFeedbackStatus(status, { state: 'recording' });
  try {
    const response = await api('POST', '/v1/feedback', { events: [{
      matchType: 'MATCH_TYPE_SUPPLIERS_FOR_TENDER', query: suppliers.query,
      candidate: { owner: match.profile.owner, id: match.profile.id }, rank: match.rank,
      indexVersion: suppliers.response.indexVersion, rankProfile: suppliers.response.rankProfile, ...event }] });
    const id = response.ids[0];
    // A shortlisted match keeps the request that suggested it: the shortlist outlives a new list for the tender.
    const state = event.action === 'FEEDBACK_ACTION_SHORTLISTED' ? { state: 'shortlisted', id, match,
      filter: suppliers.request.query.filter || {}, diversity: suppliers.request.query.diversity }
      : { state: 'rejected', id, reason: event.reason };
    suppliers.feedback.set(key, state);
    showFeedbackStatus(status, state);
  } catch (error) {
    // A failed call changes nothing that was recorded before; the message says why in the API's words.
    showFeedbackStatus(status, { state: 'error', message: error.message });
  }
  renderShortlistCount();
}

// The shortlisted suggestions for the tender, in the order they were shortlisted: {match, filter, diversity}.
function shortlisted() {
  return [...suppliers.feedback.values()].filter((state) => state.state === 'shortlisted');
}

function renderShortlistCount() {
  const n = shortlisted().length;
  $('#export-csv').disabled = n === 0;
  $('#shortlist-count').textContent = t('shortlistCount')(n);
}

// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; text a spreadsheet would read as a
// formula (starting with = + - @) gets a leading apostrophe, since names and reasons come from partners.
function csvField(value) {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// The shortlisted suggestions as a CSV file, downloaded by the browser; the reasons in the page's language.
function exportShortlist() {
  const rows = [['id', 'name', 'score', 'rank', 'municipality', 'distance_km', 'reasons']];
  for (const { match, filter, diversity } of shortlisted()) {
    const p = match.profile;
    const e = match.explanation;
    rows.push([p.id, p.displayName || '', Number((match.score || 0).toFixed(4)), match.rank,
      (p.location && p.location.municipality) || '', e.distanceKm === undefined ? '' : Number(e.distanceKm.toFixed(1)),
      reasonsInWords(match, filter, diversity).map((r) => r.text).join(' | ')]);
  }
  downloadCsv(`shortlist-${suppliers.query ? suppliers.query.id : 'tender'}.csv`,
    `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`);
}

// CSV text as a file the browser downloads. It starts with a byte order mark so that spreadsheets read it as
// UTF-8.
function downloadCsv(filename, csv) {
  const link = element('a', { href: URL.createObjectURL(new Blob([`\ufeff${csv}`], { type: 'text/csv;charset=utf-8' })),
    download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(link.href);
}

// "Why not?": ExplainMatch for the form's tender and filters and any supplier.
async function explainWhyNot(event) {
  event.preventDefault();
  await run('#whynot-status', async () => {
    const typed = $('#whynot-id').value.trim();
    const [owner, id] = typed.includes('/') ? typed.split('/', 2) : ['', typed];
    const request = tenderRequest();
    suppliers.whyNot = null;
    renderWhyNot();
    const explain = { matchType: 'MATCH_TYPE_SUPPLIERS_FOR_TENDER', candidate: { owner, id } };
    if (request.tenderRef) explain.queryRef = request.tenderRef;
    if (request.tenderProfile) explain.queryProfile = request.tenderProfile;
    if (request.query.filter) explain.filter = request.query.filter;
    suppliers.whyNot = { filter: request.query.filter || {}, response: await api('POST', '/v1/matching:explain', explain) };
    renderWhyNot();
    drawMap();
    return '';
  });
}

function renderWhyNot() {
  const box = $('#whynot-result');
  if (!suppliers.whyNot) {
    box.replaceChildren();
    return;
  }
  const { response, filter } = suppliers.whyNot;
  const match = response.match;
  const name = `${match.profile.displayName || match.profile.id} (${match.profile.id})`;
  const exclusions = exclusionsInWords(match, filter);
  const score = t('whyNotScore')((match.score || 0).toFixed(3));
  const head = exclusions.length ? t('whyNotExcluded')(name)
    : `${t('whyNotRanked')(name, response.rank, response.eligibleCount)}, ${score}`;
  box.replaceChildren(element('p', { class: 'whynot-head' }, head),
    ...(exclusions.length ? [element('ul', { class: 'exclusions' },
      ...exclusions.map((text) => element('li', {}, text)))] : []),
    reasonList(reasonsInWords(match, filter).filter((r) => !saidByExclusions(r.kind, match))));
}

// Whether an exclusion of the match already says what a reason of this kind would (the distance, the missing
// certificates).
function saidByExclusions(kind, match) {
  const fields = new Set((match.explanation.exclusions || []).map((e) => e.field));
  if (kind === 'distance' || kind === 'out-of-reach') {
    return fields.has('service_radius_km') || fields.has('filter.max_distance_km');
  }
  return kind === 'missing-certificate' && fields.has('filter.required_certifications');
}

// The map: the tender, its distance limit, the suggested suppliers (numbered by rank) and the "why not?" one.
let map = null;

function drawMap() {
  if (!map) return;
  map.clearCircles();
  const at = (profile) => profile && profile.location && profile.location.coordinates;
  const tender = at(suppliers.tender);
  const filter = (suppliers.request && suppliers.request.query.filter) || {};
  if (tender && filter.maxDistanceKm) {
    map.addCircle({ ...tender, radiusKm: filter.maxDistanceKm, className: 'limit',
      title: `${t('legendLimit')}: ${filter.maxDistanceKm} km` });
  }
  for (const match of (suppliers.response && suppliers.response.matches) || []) {
    const where = at(match.profile);
    if (!where) continue;
    const e = match.explanation;
    map.addCircle({ ...where, radiusPx: 5, className: `supplier${e.outOfReach ? ' out-of-reach' : ''}`,
      label: match.rank, data: { id: match.profile.id },
      title: `${match.rank}. ${match.profile.displayName || match.profile.id}`
        + `${e.distanceKm === undefined ? '' : ` · ${km(e.distanceKm)} km`}` });
  }
  const whyNot = suppliers.whyNot && suppliers.whyNot.response.match.profile;
  if (at(whyNot)) {
    map.addCircle({ ...at(whyNot), radiusPx: 5, className: 'whynot', data: { id: whyNot.id },
      title: `${t('whyNotTitle')} ${whyNot.displayName || whyNot.id}` });
  }
  if (tender) {
    const { displayName, id, location } = suppliers.tender;
    map.addCircle({ ...tender, radiusPx: 7, className: 'tender',
      title: `${displayName || id}${location.municipality ? ` (${location.municipality})` : ''}` });
  }
}

// The gap view: InsightsService.GapReport for a region and period, its municipalities on a second map and its
// sectors in a table. A municipality is a circle whose area is its number of tenders (so a place with four
// tenders looks four times, not sixteen times, as big as one with one) and whose colour is its gap.

// The colour of a gap, by quarters: green where every tender has enough suppliers (ColorBrewer RdYlGn's green),
// then ColorBrewer YlOrRd's four darker classes up to red where tenders have none. A municipality without tenders
// has no gap: a small grey dot. The legend is drawn from this list.
const GAP_CLASSES = [
  { name: '0', upTo: 0, colour: '#1a9641' },
  { name: '1', upTo: 0.25, colour: '#fecc5c' },
  { name: '2', upTo: 0.5, colour: '#fd8d3c' },
  { name: '3', upTo: 0.75, colour: '#f03b20' },
  { name: '4', upTo: 1, colour: '#bd0026' },
];
const NO_TENDERS = { name: 'none', colour: '#b8c2bb' };
// A circle's radius in px is this times the square root of its tenders: 1 tender 3.5 px, 4 tenders 7 px.
const PX_PER_SQRT_TENDER = 3.5;
const NO_TENDERS_RADIUS_PX = 1.5;

function gapClassOf({ tenders, gap }) {
  if (!tenders) return NO_TENDERS;
  return GAP_CLASSES.find((c) => gap <= c.upTo) || GAP_CLASSES[GAP_CLASSES.length - 1];
}

const gapRadius = (tenders) => (tenders ? PX_PER_SQRT_TENDER * Math.sqrt(tenders) : NO_TENDERS_RADIUS_PX);
const percent = (fraction) => `${Math.round(100 * fraction)}%`;

// The report shown and how its sector table is sorted; kept to draw again in the other language.
const gaps = {
  response: null,   // the GapReport response, with its CSV
  sort: { key: 'gap', descending: true },   // the report's own order: largest gap first, then by code
};
let gapMap = null;

// Names for the region field, by the kind of region: the provinces and municipalities of the vocabulary.
const regionNames = { province: [], municipality: [] };

async function loadRegionNames() {
  try {
    const terms = [];
    let token = '';
    do {
      const page = await api('GET', `/v1/vocabulary?list=VOCABULARY_LIST_MUNICIPALITIES&page_size=1000${
        token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
      terms.push(...(page.terms || []));
      token = page.nextPageToken || '';
    } while (token);
    regionNames.municipality = terms.map((term) => term.labelNl).sort((a, b) => a.localeCompare(b, 'nl'));
    regionNames.province = [...new Set(terms.map((term) => term.parentCode).filter(Boolean))]
      .sort((a, b) => a.localeCompare(b, 'nl'));
    $('#profile-municipalities').replaceChildren(
      ...regionNames.municipality.map((name) => element('option', { value: name })));
  } catch (error) {
    // Without the lists the region is typed by hand; the report says when a name is unknown.
  }
  fillRegionNames();
}

function fillRegionNames() {
  const kind = $('#gap-region-kind').value;
  $('#gap-region').disabled = kind === '';
  $('#gap-region-names').replaceChildren(
    ...(regionNames[kind] || []).map((name) => element('option', { value: name })));
}

// The form as a GapReport request, with the CSV. Dates are whole days in UTC; "up to and including" a day ends
// at the next day's start.
function gapRequest() {
  const request = { cpvLevel: $('#gap-cpv-level').value, format: 'GAP_REPORT_FORMAT_CSV' };
  const kind = $('#gap-region-kind').value;
  // An empty or unknown name is the server's to refuse, naming the field.
  if (kind) request[kind] = $('#gap-region').value.trim();
  const start = $('#gap-start').value;
  if (start) request.startTime = `${start}T00:00:00Z`;
  const end = $('#gap-end').value;
  if (end) request.endTime = new Date(Date.parse(`${end}T00:00:00Z`) + 24 * 3600 * 1000).toISOString();
  if ($('#gap-min-score').value !== '') request.minScore = Number($('#gap-min-score').value);
  if ($('#gap-min-suppliers').value !== '') request.minSuppliers = Number($('#gap-min-suppliers').value);
  return request;
}

async function showGapReport(event) {
  event.preventDefault();
  await run('#gap-status', async () => {
    // A failed report leaves nothing of the one before, which would look like its answer.
    gaps.response = null;
    renderGapReport();
    gaps.response = await api('POST', '/v1/insights:gapReport', gapRequest());
    renderGapReport();
    return '';
  });
}

// A sector of the report with proto3 JSON's left-out zeros filled in and its label in the page's language.
function sectorGap(sector) {
  const underserved = sector.underservedTenders || [];
  return { cpvCode: sector.cpvCode || '',
    label: (language === 'nl' ? sector.labelNl : sector.labelEn) || (sector.cpvCode ? '' : t('gapNoCpv')),
    tenders: sector.tenders || 0, suppliers: sector.suppliers || 0, smeSuppliers: sector.smeSuppliers || 0,
    underserved: underserved.length, underservedNames: underserved.map((u) => u.displayName || u.ref.id),
    gap: sector.gap || 0, noSupplyNearby: Boolean(sector.noSupplyNearby) };
}

function municipalityGap(m) {
  return { name: m.name || '', code: m.code || '', latitude: m.latitude || 0, longitude: m.longitude || 0,
    tenders: m.tenders || 0, suppliers: m.suppliers || 0, underserved: m.underservedTenders || 0, gap: m.gap || 0 };
}

function compareValues(a, b) {
  return typeof a === 'string' ? a.localeCompare(b, language) : Number(a) - Number(b);
}

function sortGapTable(key) {
  const { sort } = gaps;
  // A column is sorted largest first (text: A first) when picked, and turned round when picked again.
  if (sort.key === key) sort.descending = !sort.descending;
  else Object.assign(sort, { key, descending: key !== 'cpvCode' && key !== 'label' });
  renderGapReport();
}

function renderGapReport() {
  const response = gaps.response;
  renderGapLegend();
  $('#gap-csv-sectors').disabled = !response;
  $('#gap-csv-municipalities').disabled = !response;
  for (const th of document.querySelectorAll('#gap-sectors th[data-sort]')) {
    const sorted = th.dataset.sort === gaps.sort.key;
    th.classList.toggle('sorted-descending', sorted && gaps.sort.descending);
    th.classList.toggle('sorted-ascending', sorted && !gaps.sort.descending);
    th.setAttribute('aria-sort', sorted ? (gaps.sort.descending ? 'descending' : 'ascending') : 'none');
  }
  $('#gap-summary').textContent = response ? t('gapSummary')({ region: response.region || '',
    tenders: response.tenders || 0, underserved: response.underservedTenders || 0, suppliers: response.suppliers || 0,
    minSuppliers: response.minSuppliers || 0, minScore: response.minScore || 0 }) : '';
  const rows = ((response && response.sectors) || []).map(sectorGap);
  // Sorting is stable: rows equal in the column keep the report's order.
  rows.sort((a, b) => compareValues(a[gaps.sort.key], b[gaps.sort.key]) * (gaps.sort.descending ? -1 : 1));
  $('#gap-sectors tbody').replaceChildren(...rows.map((row) => element('tr', { 'data-code': row.cpvCode },
    element('td', {}, row.cpvCode), element('td', {}, row.label), element('td', { class: 'number' }, row.tenders),
    element('td', { class: 'number' }, row.suppliers), element('td', { class: 'number' }, row.smeSuppliers),
    element('td', { class: 'number', ...(row.underserved ? { title:
      t('gapUnderservedTitle')(row.underservedNames.join(', ')) } : {}) }, row.underserved),
    element('td', { class: 'number', 'data-gap': row.gap },
      element('span', { class: 'key', style: `background:${gapClassOf(row).colour}` }), percent(row.gap)),
    element('td', { class: row.noSupplyNearby ? 'no-supply' : '' }, row.noSupplyNearby ? t('yes') : t('no')))));
  drawGapMap();
}

function renderGapLegend() {
  $('#gap-legend').replaceChildren(...[...GAP_CLASSES, NO_TENDERS].map((c) => element('li', { 'data-class': c.name },
    element('span', { class: 'key', style: `background:${c.colour}` }), element('span', {}, t('gapLegend')[c.name]))),
  ...[1, 4, 9].map((n) => element('li', { class: 'size' },
    element('span', { class: 'key size', style: `width:${2 * gapRadius(n)}px;height:${2 * gapRadius(n)}px` }),
    element('span', {}, t('gapTendersCount')(n)))));
}

function drawGapMap() {
  if (!gapMap) return;
  const municipalities = ((gaps.response && gaps.response.municipalities) || []).map(municipalityGap);
  gapMap.fitTo(municipalities);
  // Largest first, so that a small circle is never hidden under a large one.
  municipalities.sort((a, b) => b.tenders - a.tenders);
  for (const m of municipalities) {
    const gapClass = gapClassOf(m);
    gapMap.addCircle({ latitude: m.latitude, longitude: m.longitude, radiusPx: gapRadius(m.tenders),
      fill: gapClass.colour, className: 'gap', title: t('gapTitle')(m),
      data: { code: m.code, tenders: m.tenders, gap: m.gap, class: gapClass.name } });
  }
}

// The report's CSV (the server's, as the report returned it) as a file, named after the region.
function downloadGapCsv(field, part) {
  const response = gaps.response;
  if (!response) return;
  const region = (response.region || 'report').toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  downloadCsv(`gap-${part}-${region}.csv`, response[field] || '');
}

// Writing a supplier's profile: SuggestCodes reads its text and proposes CPV codes with the words that met them;
// a ticked code joins the profile's codes (the codes field stays what is saved, and can be typed in too); Save
// writes it with UpsertProfiles.
const STRATEGIES = ['R0', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9'];
const profileDraft = { suggestions: null };   // the last SuggestCodes answer's suggestions; null before one

const profileCpvCodes = () => $('#profile-cpv').value.split(',').map((s) => s.trim()).filter(Boolean);
// "39130000-2" (with its check digit) is the code 39130000.
const cpvCode = (code) => code.replace(/-\d$/, '');

async function suggestCodes() {
  await run('#codes-status', async () => {
    profileDraft.suggestions = null;
    renderCodeSuggestions();
    const response = await api('POST', '/v1/vocabulary:suggestCodes',
      { text: $('#profile-text').value, maxSuggestions: 10 });
    profileDraft.suggestions = response.suggestions || [];
    renderCodeSuggestions();
    const found = profileDraft.suggestions.length;
    return () => t('codesFound')(found);
  });
}

function renderCodeSuggestions() {
  const chosen = new Set(profileCpvCodes().map(cpvCode));
  const suggestions = profileDraft.suggestions || [];
  if (profileDraft.suggestions) showStatus($('#codes-status'), () => t('codesFound')(suggestions.length));
  $('#code-suggestions').replaceChildren(...suggestions.map((suggestion) => {
    const box = element('input', { type: 'checkbox', value: suggestion.code });
    box.checked = chosen.has(suggestion.code);
    box.addEventListener('change', () => tickCode(suggestion.code, box.checked));
    const words = (suggestion.matchedWords || []).map((word) => `'${word}'`).join(', ');
    return element('li', { 'data-code': suggestion.code }, element('label', {}, box,
      element('strong', {}, suggestion.code),
      element('span', { class: 'code-label' }, (language === 'nl' ? suggestion.labelNl : suggestion.labelEn) || ''),
      element('span', { class: 'matched' }, t('matchedWords')(words))));
  }));
}

function tickCode(code, ticked) {
  const codes = profileCpvCodes().filter((c) => ticked || cpvCode(c) !== code);
  if (ticked && !codes.some((c) => cpvCode(c) === code)) codes.push(code);
  $('#profile-cpv').value = codes.join(', ');
}

const profileStrategies = () => [...document.querySelectorAll('#profile-strategies input:checked')].map((b) => b.value);

function renderStrategies() {
  const ticked = new Set(profileStrategies());
  $('#profile-strategies').replaceChildren(...STRATEGIES.map((code) => {
    const box = element('input', { type: 'checkbox', value: code });
    box.checked = ticked.has(code);
    return element('label', {}, box, strategyName(code));
  }));
}

async function saveProfile(event) {
  event.preventDefault();
  await run('#profile-status', async () => {
    const id = $('#profile-id').value.trim();
    const profile = { id, kind: 'PROFILE_KIND_SUPPLIER', visibility: $('#profile-visibility').value,
      capabilities: { cpvCodes: profileCpvCodes(), strategies: profileStrategies() } };
    const text = $('#profile-text').value.trim();
    if (text) profile.capabilities.text = text;
    const name = $('#profile-name').value.trim();
    if (name) profile.displayName = name;
    const municipality = $('#profile-municipality').value.trim();
    if (municipality) profile.location = { municipality };
    try {
      await api('POST', '/v1/profiles', { profiles: [profile] });
    } catch (error) {
      throw new Error(t('profileNotSaved')(error.message));
    }
    return () => t('profileSaved')(id);
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
    return () => t('pairsFound')((response.pairs || []).length, response.totalScore || 0, response.optimal);
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
    return () => t('meetings')((response.meetings || []).length);
  });
}

document.addEventListener('DOMContentLoaded', () => {
  $('#api-key').value = sessionStorage.getItem('circmatch-api-key') || '';
  $('#api-key').addEventListener('change', () => {
    sessionStorage.setItem('circmatch-api-key', $('#api-key').value.trim());
    loadTenders();
    loadLabels().then(renderStrategies);
    loadRegionNames();
  });
  $('#language').addEventListener('click', () => {
    language = language === 'nl' ? 'en' : 'nl';
    applyLanguage();
    renderSuggestions();
    renderWhyNot();
    renderShortlistCount();
    renderGapReport();
    renderCodeSuggestions();
    renderStrategies();
  });
  for (const tab of document.querySelectorAll('.tab')) {
    tab.addEventListener('click', () => {
      for (const other of document.querySelectorAll('.tab')) other.classList.toggle('active', other === tab);
      for (const panel of document.querySelectorAll('.panel')) panel.hidden = panel.id !== tab.dataset.tab;
    });
  }
  $('#tender-form').addEventListener('submit', suggestSuppliers);
  $('#whynot-form').addEventListener('submit', explainWhyNot);
  $('#export-csv').addEventListener('click', exportShortlist);
  $('#cohort-form').addEventListener('submit', pairBuddies);
  $('#market-form').addEventListener('submit', scheduleMeetings);
  $('#gap-form').addEventListener('submit', showGapReport);
  $('#gap-region-kind').addEventListener('change', () => {
    $('#gap-region').value = '';
    fillRegionNames();
  });
  for (const th of document.querySelectorAll('#gap-sectors th[data-sort]')) {
    th.addEventListener('click', () => sortGapTable(th.dataset.sort));
  }
  $('#gap-csv-sectors').addEventListener('click', () => downloadGapCsv('sectorsCsv', 'sectors'));
  $('#gap-csv-municipalities').addEventListener('click', () => downloadGapCsv('municipalitiesCsv', 'municipalities'));
  $('#suggest-codes').addEventListener('click', suggestCodes);
  $('#profile-cpv').addEventListener('input', renderCodeSuggestions);
  $('#profile-form').addEventListener('submit', saveProfile);
  applyLanguage();
  renderShortlistCount();
  renderStrategies();
  loadTenders();
  loadLabels().then(renderStrategies);
  loadRegionNames();
  map = new NetherlandsMap($('#map'), { width: 400 });
  map.loadOutline('netherlands.json').then(drawMap, (error) => { $('#map-status').textContent = error.message; });
  gapMap = new NetherlandsMap($('#gap-map'), { width: 360 });
  gapMap.loadOutline('netherlands.json').catch((error) => { $('#gap-map-status').textContent = error.message; });
  renderGapReport();
});
