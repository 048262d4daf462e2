"""Geo-queries on real data: the GSI designated emergency shelters of Nagasaki's 21
municipalities (../shared/data/shelters) and the N03 municipal boundaries
(../shared/data/boundaries). Expected answers are computed here, independently of GEOS:
ray-casting point-in-polygon and haversine distances."""
import json
import math
import pathlib

import requests

DATA = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data"
QUERY = "/ngsi-ld/v1/entityOperations/query"


def load_shelters():
    entities = []
    for f in sorted((DATA / "shelters" / "emergency").glob("*.json")):
        for feat in json.loads(f.read_text(encoding="utf-8"))["features"]:
            p = feat["properties"]
            entities.append({
                "id": f"urn:ngsi-ld:EvacuationSpace:{p['共通ID']}",
                "type": "EvacuationSpace",
                "name": {"type": "Property", "value": p["施設・場所名"]},
                "municipalityCode": {"type": "Property", "value": f.stem},
                "location": {"type": "GeoProperty", "value": feat["geometry"]},
            })
    return entities


def ring_contains(ring, x, y):
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def polygon_contains(geometry, x, y):
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return any(ring_contains(p[0], x, y) and not any(ring_contains(h, x, y) for h in p[1:]) for p in polygons)


def haversine(lon1, lat1, lon2, lat2):
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def query_ids(base, geo_q, limit=1000):
    ids, offset = [], 0
    while True:
        body = {"type": "Query", "entities": [{"type": "EvacuationSpace"}], "geoQ": geo_q}
        r = requests.post(f"{base}{QUERY}?limit={limit}&offset={offset}&count=true&options=keyValues&pick=id",
                          json=body, timeout=60)
        assert r.status_code == 200, r.text[:300]
        page = [e["id"] for e in r.json()]
        ids += page
        offset += limit
        if offset >= int(r.headers["NGSILD-Results-Count"]):
            return ids


def test_shelters_within_each_municipality_and_near_city_hall(server):
    shelters = load_shelters()
    assert len(shelters) > 1500
    r = requests.post(server.url + "/ngsi-ld/v1/entityOperations/upsert", json=shelters, timeout=120)
    assert r.status_code == 201, r.text[:300]

    boundaries = json.loads((DATA / "boundaries" / "N03-21_42_210101.json").read_text(encoding="utf-8"))["features"]
    assert len(boundaries) == 21
    own_inside = 0
    for b in boundaries:
        g = b["geometry"]
        expected = sorted(s["id"] for s in shelters
                          if polygon_contains(g, *s["location"]["value"]["coordinates"]))
        got = query_ids(server.url, {"georel": "within", "geometry": g["type"], "coordinates": g["coordinates"]})
        assert got == expected, f"{b['properties']['N03_004']}: {len(got)} vs {len(expected)}"
        code = b["properties"]["N03_007"]
        own = {s["id"] for s in shelters if s["municipalityCode"]["value"].startswith(code)}
        own_inside += len(own & set(got))
    # The shelters of a municipality lie inside its boundary (a few sit on simplified coastlines).
    assert own_inside > 0.97 * len(shelters)

    city_hall = (129.8737, 32.7503)  # Nagasaki City Hall
    for radius in (500, 2000):
        expected = sorted(s["id"] for s in shelters
                          if haversine(*city_hall, *s["location"]["value"]["coordinates"]) <= radius)
        got = query_ids(server.url, {"georel": f"near;maxDistance=={radius}", "geometry": "Point",
                                     "coordinates": list(city_hall)})
        assert got == expected and len(expected) > 0, radius


def test_paging_a_geo_query_without_count_gives_every_match_once_in_id_order(server):
    """A page of a geo-query stops early (Tenant::query orders candidates a chunk at a time):
    pages of 7 without count=true list exactly the matches, including entities with a second
    location instance (datasetId) of which only one lies inside."""
    spots = []
    for i in range(600):
        lon, lat = 129.005 + (i % 30) * 0.03, 32.01 + (i // 30) * 0.03  # none on an edge
        e = {"id": f"urn:ngsi-ld:Spot:{i:04d}", "type": "Spot",
             "location": [{"type": "GeoProperty", "value": {"type": "Point", "coordinates": [lon, lat]}}]}
        if i % 5 == 0:  # a second instance far to the west, inside the triangle's reach only for some
            e["location"].append({"type": "GeoProperty", "datasetId": "urn:ngsi-ld:Dataset:b",
                                  "value": {"type": "Point", "coordinates": [lon - 0.5, lat]}})
        spots.append(e)
    r = requests.post(server.url + "/ngsi-ld/v1/entityOperations/upsert", json=spots, timeout=60)
    assert r.status_code == 201, r.text[:300]
    triangle = {"type": "Polygon", "coordinates": [[[128.41, 32.003], [129.913, 32.003], [128.41, 32.617], [128.41, 32.003]]]}
    expected = sorted(e["id"] for e in spots
                      if any(polygon_contains(triangle, *i["value"]["coordinates"]) for i in e["location"]))
    assert 50 < len(expected) < 500
    body = {"type": "Query", "entities": [{"type": "Spot"}],
            "geoQ": {"georel": "within", "geometry": "Polygon", "coordinates": triangle["coordinates"]}}
    got, offset = [], 0
    while True:
        r = requests.post(f"{server.url}{QUERY}?limit=7&offset={offset}&options=keyValues&pick=id", json=body, timeout=60)
        assert r.status_code == 200, r.text[:300]
        page = [e["id"] for e in r.json()]
        got += page
        offset += 7
        if len(page) < 7:
            break
    assert got == expected
