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
'use strict';

class NetherlandsMap {
  static SVG = 'http://www.w3.org/2000/svg';
  static KM_PER_DEGREE_LATITUDE = 111.32;
  static MIDDLE_LATITUDE = 52.2;
  // The frame drawn, in degrees: the European Netherlands with a margin.
  static FRAME = { west: 3.2, east: 7.35, south: 50.65, north: 53.7 };

  // Draws into `container` (emptied): an <svg> `width` px wide, as high as the frame needs.
  constructor(container, { width = 400 } = {}) {
    const frame = NetherlandsMap.FRAME;
    this.xScale = Math.cos((NetherlandsMap.MIDDLE_LATITUDE * Math.PI) / 180);
    this.pixelsPerDegree = width / ((frame.east - frame.west) * this.xScale);
    const height = Math.round((frame.north - frame.south) * this.pixelsPerDegree);
    this.svg = this.node('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'nl-map' });
    this.outlineLayer = this.node('g', { class: 'outline' });
    this.circleLayer = this.node('g', { class: 'circles' });
    this.svg.append(this.outlineLayer, this.circleLayer);
    container.replaceChildren(this.svg);
  }

  // [x, y] in the svg's pixels of a point in degrees.
  project(latitude, longitude) {
    const frame = NetherlandsMap.FRAME;
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
