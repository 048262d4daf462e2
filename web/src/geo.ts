// Point in (Multi)Polygon (even-odd rule with holes) and bounding boxes.
type Ring = [number, number][];
type Geom = { type: 'Polygon' | 'MultiPolygon'; coordinates: any };

function inRing(x: number, y: number, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function polygons(g: Geom): Ring[][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

export function within(pt: [number, number], g: Geom): boolean {
  return polygons(g).some((poly) => inRing(pt[0], pt[1], poly[0]) && !poly.slice(1).some((hole) => inRing(pt[0], pt[1], hole)));
}

export function bbox(g: Geom): [number, number, number, number] {
  let a = Infinity, b = Infinity, c = -Infinity, d = -Infinity;
  for (const poly of polygons(g))
    for (const [x, y] of poly[0]) {
      if (x < a) a = x;
      if (y < b) b = y;
      if (x > c) c = x;
      if (y > d) d = y;
    }
  return [a, b, c, d];
}
