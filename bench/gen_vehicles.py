"""Writes N Vehicle entities (bench/entity.json's shape) as JSON arrays of BATCH entities:
<dir>/batch-<k>.json. Brands A-D, speed 0-120, locations spread over Nagasaki prefecture's
bounding box. Deterministic (seeded)."""
import json
import random
import sys

n, batch, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(7)
for k in range(0, n, batch):
    entities = []
    for i in range(k, min(n, k + batch)):
        entities.append({
            "id": f"urn:ngsi-ld:Vehicle:{i}", "type": "Vehicle",
            "brand": {"type": "Property", "value": "ABCD"[rng.randrange(4)]},
            "speed": {"type": "Property", "value": rng.randrange(121), "unitCode": "KMH",
                      "observedAt": "2026-11-24T03:00:00Z"},
            "fuelLevel": {"type": "Property", "value": round(rng.random(), 2)},
            "status": {"type": "Property", "value": "inService"},
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [
                round(rng.uniform(129.55, 130.35), 6), round(rng.uniform(32.55, 33.25), 6)]}},
            "route": {"type": "Relationship", "object": f"urn:ngsi-ld:GtfsRoute:nagasaki:{rng.randrange(50)}"},
        })
    with open(f"{out}/batch-{k // batch}.json", "w") as f:
        json.dump(entities, f, separators=(",", ":"))
