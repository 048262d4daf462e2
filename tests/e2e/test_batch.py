"""Large batches: no fixed cap, one durable transaction, and they survive kill -9."""
import requests

OPS = "/ngsi-ld/v1/entityOperations"


def shelters(n, start=0):
    return [{"id": f"urn:ngsi-ld:Shelter:{i}", "type": "Shelter",
             "capacity": {"type": "Property", "value": i % 500},
             "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [129.8 + i * 1e-6, 32.7]}}}
            for i in range(start, start + n)]


def count(base, query="type=Shelter"):
    r = requests.get(f"{base}/ngsi-ld/v1/entities?{query}&count=true&limit=0", timeout=60)
    assert r.status_code == 200, r.text
    return int(r.headers["NGSILD-Results-Count"])


def test_fifty_thousand_entity_batch_survives_kill9(start_server):
    s = start_server()
    r = requests.post(s.url + OPS + "/upsert", json=shelters(50_000), timeout=120)
    assert r.status_code == 201, r.text[:500]
    assert len(r.json()) == 50_000
    assert count(s.url) == 50_000
    assert count(s.url, "type=Shelter&q=capacity<10") == 1_000
    s.kill9()
    s = start_server()
    assert count(s.url) == 50_000
    r = requests.post(s.url + OPS + "/delete", json=[f"urn:ngsi-ld:Shelter:{i}" for i in range(0, 50_000, 2)], timeout=120)
    assert r.status_code == 204, r.text[:500]
    assert count(s.url) == 25_000


def test_batch_larger_than_the_body_limit_is_refused_whole(start_server):
    s = start_server("--max-body-bytes", "100000")
    r = requests.post(s.url + OPS + "/create", json=shelters(1_000), timeout=60)
    assert r.status_code == 413
    assert r.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/InvalidRequest"
    r = requests.get(s.url + "/ngsi-ld/v1/entities?type=Shelter&count=true&limit=0", timeout=10)
    assert r.status_code in (200, 404)  # nothing was created (the tenant may not even exist)
    assert r.status_code == 404 or r.headers["NGSILD-Results-Count"] == "0"
