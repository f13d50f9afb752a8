// Makes clients/web/netherlands.json, the outline of the European Netherlands that the coordinators' page draws
// (map.js), from Natural Earth's 1:10m Admin 0 countries as the npm package world-atlas ships them (TopoJSON).
// The Caribbean parts of the same country feature (Bonaire, Sint Eustatius, Saba) are left out: only polygons
// north of 45° N are kept. Coordinates are rounded to 3 decimals (about 100 m; a pixel is about 800 m when the
// country is drawn 400 px wide) and repeated points dropped.
//
//   cd clients/netherlands-outline && npm install && node make-netherlands-outline.js
//
// The page needs neither npm nor the network: it reads the generated file. SOURCES.md beside it says where the
// data comes from and under which licence.
'use strict';
const fs = require('fs');
const path = require('path');
const topojson = require('topojson-client');
const world = require('world-atlas/countries-10m.json');
const { version: atlasVersion } = require('world-atlas/package.json');

const NETHERLANDS_ISO_NUMERIC = '528';
const EUROPE_MIN_LATITUDE = 45;
const DECIMALS = 3;

const round = (value) => Number(value.toFixed(DECIMALS));

function roundRing(ring) {
  const out = [];
  for (const [lon, lat] of ring) {
    const point = [round(lon), round(lat)];
    const last = out[out.length - 1];
    if (!last || last[0] !== point[0] || last[1] !== point[1]) out.push(point);
  }
  return out;
}

const geometry = world.objects.countries.geometries.find((g) => g.id === NETHERLANDS_ISO_NUMERIC);
if (!geometry) throw new Error(`no country ${NETHERLANDS_ISO_NUMERIC} in world-atlas`);
const country = topojson.feature(world, geometry);
const polygons = country.geometry.coordinates
  .filter((polygon) => polygon[0].every(([, lat]) => lat > EUROPE_MIN_LATITUDE))
  .map((polygon) => polygon.map(roundRing).filter((ring) => ring.length >= 4));

const outline = {
  type: 'Feature',
  properties: {
    name: 'Nederland',
    source: `Natural Earth 1:10m Admin 0 countries (public domain), via world-atlas ${atlasVersion}; ` +
      'European part only; made by clients/netherlands-outline/make-netherlands-outline.js',
  },
  geometry: { type: 'MultiPolygon', coordinates: polygons },
};
const target = path.join(__dirname, '..', 'web', 'netherlands.json');
fs.writeFileSync(target, `${JSON.stringify(outline)}\n`);
const points = polygons.flat().reduce((sum, ring) => sum + ring.length, 0);
console.log(`${target}: ${polygons.length} polygons, ${points} points, ${fs.statSync(target).size} bytes`);
