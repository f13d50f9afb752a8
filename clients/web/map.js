// An SVG map of the European Netherlands with circles on it: the country's outline (netherlands.json, made from
// Natural Earth by tools/make-netherlands-outline.js; see SOURCES.md) and circles placed by latitude and longitude,
// sized in pixels (a dot, a proportional circle) or in kilometres (a reach, a distance limit). No tiles, no network
// beyond the outline file from the page's own server.
//
// Projection: equirectangular, x scaled by cos(52.2°), the cosine of the country's middle latitude, so a km is
// the same length across and up at 52.2° N, and within 3.5% of that anywhere between 50.75° and 53.6° N; a circle of
// r km is drawn as a circle of r / 111.32 degrees of latitude.
//
//   const map = new NetherlandsMap(document.querySelector('#map'), { width: 400 });
//   await map.loadOutline('netherlands.json');
//   map.addCircle({ latitude: 52.51, longitude: 6.09, radiusKm: 50, className: 'limit', title: 'Zwolle, 50 km' });
//   map.addCircle({ latitude: 52.37, longitude: 4.89, radiusPx: 5, fill: '#2e7d4f', title: 'Amsterdam' });
//   map.clearCircles();
//   map.fitTo([{ latitude: 52.51, longitude: 6.09 }, { latitude: 52.22, longitude: 6.89 }]);   // zoom in on them
'use strict';

class NetherlandsMap {
  static SVG = 'http://www.w3.org/2000/svg';
  static KM_PER_DEGREE_LATITUDE = 111.32;
  static MIDDLE_LATITUDE = 52.2;
  // The frame drawn, in degrees: the European Netherlands with a margin.
  static FRAME = { west: 3.2, east: 7.35, south: 50.65, north: 53.7 };

  // Draws into `container` (emptied): an <svg> `width` px wide, as high as the frame needs.
  constructor(container, { width = 400 } = {}) {
    this.width = width;
    this.xScale = Math.cos((NetherlandsMap.MIDDLE_LATITUDE * Math.PI) / 180);
    this.svg = this.node('svg', { role: 'img', class: 'nl-map' });
    this.outlineLayer = this.node('g', { class: 'outline' });
    this.circleLayer = this.node('g', { class: 'circles' });
    this.svg.append(this.outlineLayer, this.circleLayer);
    this.outline = null;
    this.setFrame(NetherlandsMap.FRAME);
    container.replaceChildren(this.svg);
  }

  // Shows `frame` ({west, east, south, north}, degrees) at the svg's width, as high as it needs; the outline is
  // drawn again and the circles are removed (their places have moved).
  setFrame(frame) {
    this.frame = { ...frame };
    this.pixelsPerDegree = this.width / ((frame.east - frame.west) * this.xScale);
    const height = Math.round((frame.north - frame.south) * this.pixelsPerDegree);
    for (const [name, value] of Object.entries({ viewBox: `0 0 ${this.width} ${height}`, width: this.width, height })) {
      this.svg.setAttribute(name, value);
    }
    this.clearCircles();
    if (this.outline) this.drawOutline(this.outline);
  }

  // Zooms in on `points` ({latitude, longitude}) with a margin of `marginDegrees` around them, at least
  // `minSpanDegrees` of latitude high (one place alone shows its surroundings) and at most `maxHeight` px high
  // (the frame is widened instead, the scale the same both ways). Without points: the whole country.
  fitTo(points, { marginDegrees = 0.1, minSpanDegrees = 0.5, maxHeight = 520 } = {}) {
    if (!points.length) {
      this.setFrame(NetherlandsMap.FRAME);
      return;
    }
    const latitudes = points.map((p) => p.latitude);
    const longitudes = points.map((p) => p.longitude);
    const middle = { latitude: (Math.min(...latitudes) + Math.max(...latitudes)) / 2,
      longitude: (Math.min(...longitudes) + Math.max(...longitudes)) / 2 };
    const latitudeSpan = Math.max(Math.max(...latitudes) - Math.min(...latitudes) + 2 * marginDegrees, minSpanDegrees);
    let longitudeSpan = Math.max(Math.max(...longitudes) - Math.min(...longitudes) + 2 * marginDegrees,
      minSpanDegrees / this.xScale);
    const pixelsPerDegree = Math.min(this.width / (longitudeSpan * this.xScale), maxHeight / latitudeSpan);
    longitudeSpan = this.width / (pixelsPerDegree * this.xScale);
    this.setFrame({ west: middle.longitude - longitudeSpan / 2, east: middle.longitude + longitudeSpan / 2,
      south: middle.latitude - latitudeSpan / 2, north: middle.latitude + latitudeSpan / 2 });
  }

  // [x, y] in the svg's pixels of a point in degrees.
  project(latitude, longitude) {
    const frame = this.frame;
    return [(longitude - frame.west) * this.xScale * this.pixelsPerDegree,
      (frame.north - latitude) * this.pixelsPerDegree];
  }

  // Fetches a GeoJSON Feature (Polygon or MultiPolygon) and draws it; rejects when it cannot be read.
  async loadOutline(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    this.drawOutline(await response.json());
  }

  // Draws a GeoJSON Feature's Polygon or MultiPolygon as one <path>, replacing the outline drawn before.
  drawOutline(feature) {
    this.outline = feature;
    const geometry = feature.geometry;
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    const d = polygons.flat().map((ring) => `M${ring.map(([lon, lat]) => this.project(lat, lon)
      .map((v) => v.toFixed(1)).join(',')).join('L')}Z`).join('');
    const path = this.node('path', { d, 'fill-rule': 'evenodd' });
    if (feature.properties && feature.properties.name) path.append(this.node('title', {}, feature.properties.name));
    this.outlineLayer.replaceChildren(path);
    return path;
  }

  // Adds a circle at (latitude, longitude), radius `radiusKm` (drawn to scale) or `radiusPx`; `fill`, `stroke`
  // and `className` style it, `title` is shown on hover, `label` is written beside it, `data` becomes its data-*
  // attributes. Later circles are drawn on top. Returns the <circle>.
  addCircle({ latitude, longitude, radiusKm, radiusPx = 4, fill, stroke, className, title, label, data = {} }) {
    const [cx, cy] = this.project(latitude, longitude);
    const r = radiusKm !== undefined ? (radiusKm / NetherlandsMap.KM_PER_DEGREE_LATITUDE) * this.pixelsPerDegree
      : radiusPx;
    const attributes = { cx: cx.toFixed(1), cy: cy.toFixed(1), r: r.toFixed(1) };
    if (fill) attributes.fill = fill;
    if (stroke) attributes.stroke = stroke;
    if (className) attributes.class = className;
    for (const [name, value] of Object.entries(data)) attributes[`data-${name}`] = value;
    const circle = this.node('circle', attributes);
    if (title) circle.append(this.node('title', {}, title));
    this.circleLayer.append(circle);
    if (label !== undefined) {
      this.circleLayer.append(this.node('text', { x: (cx + r + 2).toFixed(1), y: (cy + 4).toFixed(1),
        class: `label ${className || ''}`.trim() }, label));
    }
    return circle;
  }

  // Removes every circle and label; the outline stays.
  clearCircles() {
    this.circleLayer.replaceChildren();
  }

  node(tag, attributes = {}, text) {
    const node = document.createElementNS(NetherlandsMap.SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
}
