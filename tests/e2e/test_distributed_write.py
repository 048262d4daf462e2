"""Distributed writes (NGSI-LD 4.3.6.3) between real Dejima servers on loopback: a write is split
by the registrations that take its operation — exclusive and redirect sources get their attributes
instead of the local broker, inclusive ones beside it, auxiliary ones never — and answered as one
(207 with a BatchOperationResult naming the registration when a part fails); local=true writes
here only; a loop A -> B -> A stops at the Via header."""
import time

import requests

ENTITIES = "/ngsi-ld/v1/entities"
BATCH = "/ngsi-ld/v1/entityOperations"
REGS = "/ngsi-ld/v1/csourceRegistrations"
JSON = {"Content-Type": "application/json"}


def register(server, endpoint, information, **extra):
    body = {"type": "ContextSourceRegistration", "information": information, "endpoint": endpoint,
            "operations": ["redirectionOps", "createBatch", "upsertBatch", "updateBatch", "deleteBatch"], **extra}
    r = requests.post(server.url + REGS, json=body, headers=JSON)
    assert r.status_code == 201, r.text
    return r.headers["Location"]


def prop(v):
    return {"type": "Property", "value": v}


def local(server, eid):
    r = requests.get(f"{server.url}{ENTITIES}/{eid}", params={"options": "keyValues", "local": "true"})
    return r.json() if r.status_code == 200 else r.status_code


def test_a_write_is_split_by_the_registrations_modes(start_server, tmp_path):
    a = start_server(data_dir=tmp_path / "a")
    b = start_server(data_dir=tmp_path / "b")
    c = start_server(data_dir=tmp_path / "c")
    # B holds the buses' speed instead of A; C keeps a copy of Bus:1 beside A; D is auxiliary.
    register(a, b.url, [{"entities": [{"type": "Bus"}], "propertyNames": ["speed"]}], mode="exclusive")
    register(a, c.url, [{"entities": [{"id": "urn:ngsi-ld:Bus:1", "type": "Bus"}]}])
    register(a, c.url + "/never", [{"entities": [{"type": "Bus"}]}], mode="auxiliary")
    r = requests.post(a.url + ENTITIES, headers=JSON,
                      json={"id": "urn:ngsi-ld:Bus:1", "type": "Bus", "name": prop("A"), "speed": prop(40)})
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == "/ngsi-ld/v1/entities/urn:ngsi-ld:Bus:1"
    assert local(a, "urn:ngsi-ld:Bus:1") == {"id": "urn:ngsi-ld:Bus:1", "type": "Bus", "name": "A"}
    assert local(b, "urn:ngsi-ld:Bus:1") == {"id": "urn:ngsi-ld:Bus:1", "type": "Bus", "speed": 40}
    assert local(c, "urn:ngsi-ld:Bus:1") == {"id": "urn:ngsi-ld:Bus:1", "type": "Bus", "name": "A", "speed": 40}
    # Each attribute write goes where its attribute lives.
    r = requests.patch(f"{a.url}{ENTITIES}/urn:ngsi-ld:Bus:1/attrs", headers=JSON,
                       json={"name": prop("A2"), "speed": prop(41)})
    assert r.status_code == 204, r.text
    assert local(a, "urn:ngsi-ld:Bus:1")["name"] == "A2" and "speed" not in local(a, "urn:ngsi-ld:Bus:1")
    assert local(b, "urn:ngsi-ld:Bus:1")["speed"] == 41 and local(c, "urn:ngsi-ld:Bus:1")["speed"] == 41
    r = requests.patch(f"{a.url}{ENTITIES}/urn:ngsi-ld:Bus:1/attrs/speed", headers=JSON, json={"value": 50})
    assert r.status_code == 204, r.text
    assert local(b, "urn:ngsi-ld:Bus:1")["speed"] == 50
    merged = requests.get(f"{a.url}{ENTITIES}/urn:ngsi-ld:Bus:1", params={"options": "keyValues"}).json()
    assert merged["speed"] == 50 and merged["name"] == "A2"
    # local=true writes here only.
    r = requests.post(f"{a.url}{ENTITIES}/urn:ngsi-ld:Bus:1/attrs", params={"local": "true"}, headers=JSON,
                      json={"delay": prop(3)})
    assert r.status_code == 204, r.text
    assert local(a, "urn:ngsi-ld:Bus:1")["delay"] == 3 and "delay" not in local(c, "urn:ngsi-ld:Bus:1")
    # A part that fails is named in a 207; the rest is done. Bus:2 is on B, not on C: C is not asked.
    requests.post(b.url + ENTITIES, headers=JSON, json={"id": "urn:ngsi-ld:Bus:2", "type": "Bus"})
    r = requests.delete(f"{a.url}{ENTITIES}/urn:ngsi-ld:Bus:2")
    assert r.status_code == 207, r.text
    assert r.json()["success"] == ["urn:ngsi-ld:Bus:2"]
    assert [(e["entityId"], e.get("registrationId"), e["error"]["status"]) for e in r.json()["errors"]] == [
        ("urn:ngsi-ld:Bus:2", None, 404)], "A never had Bus:2"
    assert local(b, "urn:ngsi-ld:Bus:2") == 404
    r = requests.delete(f"{a.url}{ENTITIES}/urn:ngsi-ld:Bus:1")
    assert r.status_code == 204, r.text
    assert local(a, "urn:ngsi-ld:Bus:1") == local(b, "urn:ngsi-ld:Bus:1") == local(c, "urn:ngsi-ld:Bus:1") == 404


def test_redirect_and_batches(start_server, tmp_path):
    a = start_server(data_dir=tmp_path / "a")
    b = start_server(data_dir=tmp_path / "b")
    # Cars live on B only (redirect, every attribute); Bus speed lives on B (exclusive).
    register(a, b.url, [{"entities": [{"type": "Car"}]}], mode="redirect")
    # (An entity nobody here knows is matched by id alone: the idPattern keeps Cars from this one.)
    register(a, b.url, [{"entities": [{"idPattern": "^urn:ngsi-ld:Bus:", "type": "Bus"}], "propertyNames": ["speed"]}],
             mode="exclusive")
    r = requests.post(a.url + ENTITIES, headers=JSON, json={"id": "urn:ngsi-ld:Car:1", "type": "Car",
                                                            "owner": prop("B")})
    assert r.status_code == 201, r.text
    assert local(a, "urn:ngsi-ld:Car:1") == 404 and local(b, "urn:ngsi-ld:Car:1")["owner"] == "B"
    r = requests.post(f"{a.url}{ENTITIES}/urn:ngsi-ld:Car:1/attrs", headers=JSON, json={"colour": prop("red")})
    assert r.status_code == 204, r.text
    assert local(b, "urn:ngsi-ld:Car:1")["colour"] == "red"
    r = requests.post(a.url + ENTITIES, headers=JSON, json={"id": "urn:ngsi-ld:Car:1", "type": "Car"})
    assert r.status_code == 207 and r.json()["errors"][0]["error"]["status"] == 409, r.text
    # A batch no registration takes is written here as it came; an element the broker refuses
    # is refused here and sent nowhere.
    r = requests.post(f"{a.url}{BATCH}/create", headers=JSON,
                      json=[{"id": "urn:ngsi-ld:Tram:1", "type": "Tram"}, {"id": "not a uri", "type": "Car"}])
    assert r.status_code == 207, r.text
    assert r.json()["success"] == ["urn:ngsi-ld:Tram:1"] and r.json()["errors"][0]["error"]["status"] == 400
    assert local(a, "urn:ngsi-ld:Tram:1")["id"] == "urn:ngsi-ld:Tram:1"
    assert requests.get(b.url + ENTITIES, params={"type": "Car", "local": "true"}).json() == [
        {"id": "urn:ngsi-ld:Car:1", "type": "Car", "owner": {"type": "Property", "value": "B"},
         "colour": {"type": "Property", "value": "red"}}]
    # A batch: each source gets one batch of its parts; the answer lists every entity created.
    batch = [{"id": f"urn:ngsi-ld:Bus:{i}", "type": "Bus", "name": prop(f"bus {i}"), "speed": prop(i)}
             for i in (1, 2)] + [{"id": "urn:ngsi-ld:Car:2", "type": "Car"}]
    r = requests.post(f"{a.url}{BATCH}/create", headers=JSON, json=batch)
    assert r.status_code == 201, r.text
    assert sorted(r.json()) == ["urn:ngsi-ld:Bus:1", "urn:ngsi-ld:Bus:2", "urn:ngsi-ld:Car:2"]
    assert local(a, "urn:ngsi-ld:Bus:2") == {"id": "urn:ngsi-ld:Bus:2", "type": "Bus", "name": "bus 2"}
    assert local(b, "urn:ngsi-ld:Bus:2") == {"id": "urn:ngsi-ld:Bus:2", "type": "Bus", "speed": 2}
    assert local(a, "urn:ngsi-ld:Car:2") == 404 and local(b, "urn:ngsi-ld:Car:2")["id"] == "urn:ngsi-ld:Car:2"
    # An upsert lists what some part created (here B's new car), 204 when every part updated.
    upsert = [{"id": "urn:ngsi-ld:Bus:2", "type": "Bus", "name": prop("bus 2b"), "speed": prop(22)},
              {"id": "urn:ngsi-ld:Car:3", "type": "Car"}]
    r = requests.post(f"{a.url}{BATCH}/upsert", headers=JSON, json=upsert)
    assert r.status_code == 201 and r.json() == ["urn:ngsi-ld:Car:3"], r.text
    r = requests.post(f"{a.url}{BATCH}/upsert", headers=JSON, json=upsert)
    assert r.status_code == 204, r.text
    assert local(b, "urn:ngsi-ld:Bus:2")["speed"] == 22 and local(a, "urn:ngsi-ld:Bus:2")["name"] == "bus 2b"
    r = requests.post(f"{a.url}{BATCH}/delete", headers=JSON,
                      json=["urn:ngsi-ld:Bus:1", "urn:ngsi-ld:Car:2", "urn:ngsi-ld:Car:404"])
    assert r.status_code == 207, r.text
    errors = r.json()["errors"]
    assert [(e["entityId"], e["error"]["status"]) for e in errors] == [("urn:ngsi-ld:Car:404", 404)], errors
    assert errors[0]["registrationId"].startswith("urn:ngsi-ld:ContextSourceRegistration:")
    assert local(a, "urn:ngsi-ld:Bus:1") == local(b, "urn:ngsi-ld:Bus:1") == local(b, "urn:ngsi-ld:Car:2") == 404


def test_unreachable_sources_and_loops(start_server, tmp_path, receiver):
    a = start_server(data_dir=tmp_path / "a")
    b = start_server(data_dir=tmp_path / "b")
    register(a, b.url, [{"entities": [{"type": "Bus"}]}])
    register(b, a.url, [{"entities": [{"type": "Bus"}]}])
    started = time.time()
    r = requests.post(a.url + ENTITIES, headers=JSON, json={"id": "urn:ngsi-ld:Bus:1", "type": "Bus"})
    assert r.status_code == 201, r.text
    assert time.time() - started < 5
    assert local(a, "urn:ngsi-ld:Bus:1")["id"] == local(b, "urn:ngsi-ld:Bus:1")["id"] == "urn:ngsi-ld:Bus:1"
    # A source that fails or is not there: the local write stands, the 207 names the registration.
    failing = register(a, receiver.url + "/fail", [{"entities": [{"type": "Tram"}]}])
    gone = register(a, "http://127.0.0.1:9", [{"entities": [{"type": "Tram"}]}])
    r = requests.post(a.url + ENTITIES, headers=JSON, json={"id": "urn:ngsi-ld:Tram:1", "type": "Tram"})
    assert r.status_code == 207, r.text
    assert r.json()["success"] == ["urn:ngsi-ld:Tram:1"]
    assert sorted((e["registrationId"], e["error"]["status"]) for e in r.json()["errors"]) == sorted(
        [(failing.rsplit("/", 1)[1], 500), (gone.rsplit("/", 1)[1], 504)])
    assert local(a, "urn:ngsi-ld:Tram:1")["id"] == "urn:ngsi-ld:Tram:1"
    sent = receiver.wait("/fail/ngsi-ld/v1/entities", 1)
    assert sent[0][3] == {"id": "urn:ngsi-ld:Tram:1", "type": "Tram"} and sent[0][4] == "POST"
    # A bad request is refused here and sent nowhere.
    r = requests.post(a.url + ENTITIES, headers=JSON, json={"id": "not a uri", "type": "Tram"})
    assert r.status_code == 400
    time.sleep(0.3)
    assert len(receiver.bodies("/fail/ngsi-ld/v1/entities")) == 1


def test_a_purge_goes_to_the_sources_that_take_deletions(start_server, tmp_path, receiver):
    a = start_server(data_dir=tmp_path / "a")
    b = start_server(data_dir=tmp_path / "b")
    for server in (a, b):
        for i in (1, 2):
            requests.post(server.url + ENTITIES, headers=JSON, json={"id": f"urn:ngsi-ld:Bus:{i}", "type": "Bus"})
        requests.post(server.url + ENTITIES, headers=JSON, json={"id": "urn:ngsi-ld:Car:1", "type": "Car"})
    register(a, b.url, [{"entities": [{"type": "Bus"}]}])
    register(a, receiver.url + "/cars", [{"entities": [{"type": "Car"}]}])
    r = requests.delete(a.url + ENTITIES, params={"type": "Bus"})
    assert r.status_code == 204, r.text
    assert local(a, "urn:ngsi-ld:Bus:1") == local(b, "urn:ngsi-ld:Bus:2") == 404
    assert local(b, "urn:ngsi-ld:Car:1")["id"] == "urn:ngsi-ld:Car:1"
    assert receiver.received == [], "the Car source is not asked to purge buses"
    receiver.script("/cars", 500, {"type": "https://uri.etsi.org/ngsi-ld/errors/InternalError", "title": "Broken"})
    r = requests.delete(a.url + ENTITIES, params={"type": "Car"})
    assert r.status_code == 207, r.text
    assert [(e.get("entityId"), e["error"]["status"], e["error"]["title"]) for e in r.json()["errors"]] == [
        (None, 500, "Broken")]
    assert local(a, "urn:ngsi-ld:Car:1") == 404
    assert receiver.received[0][1] == "/cars/ngsi-ld/v1/entities?type=Car" and receiver.received[0][4] == "DELETE"
    # A tenant that has registrations here but no entity: the sources' answers decide.
    receiver.script("/kita", 204)
    r = requests.post(a.url + REGS, headers={**JSON, "NGSILD-Tenant": "kita"},
                      json={"type": "ContextSourceRegistration", "endpoint": receiver.url + "/kita",
                            "information": [{"entities": [{"type": "Bus"}]}], "operations": ["deleteEntity"]})
    assert r.status_code == 201, r.text
    r = requests.delete(a.url + ENTITIES, params={"type": "Bus"}, headers={"NGSILD-Tenant": "kita"})
    assert r.status_code == 204, r.text
    assert receiver.received[-1][1] == "/kita/ngsi-ld/v1/entities?type=Bus"
