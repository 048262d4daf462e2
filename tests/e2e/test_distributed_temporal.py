"""Distributed temporal reads (NGSI-LD 4.3.6.3, retrieveTemporal and queryTemporal) between real
Dejima servers on loopback: an entity's history is completed by the sources registered for it
(instances merged by datasetId and time, exclusive attributes from the source only), queries merge
the sources' temporal entities with the local ones by id and page them as one list, and
local=true asks nobody."""
import requests

TEMPORAL = "/ngsi-ld/v1/temporal/entities"
REGS = "/ngsi-ld/v1/csourceRegistrations"
JSON = {"Content-Type": "application/json"}


def history(server, eid, etype, **attrs):
    """Posts instances: attrs name -> [(value, observedAt)]."""
    body = {"id": eid, "type": etype,
            **{k: [{"type": "Property", "value": v, "observedAt": at} for v, at in inst] for k, inst in attrs.items()}}
    r = requests.post(server.url + TEMPORAL, json=body, headers=JSON)
    assert r.status_code in (201, 204), r.text


def register(server, endpoint, information, **extra):
    body = {"type": "ContextSourceRegistration", "information": information, "endpoint": endpoint, **extra}
    r = requests.post(server.url + REGS, json=body, headers=JSON)
    assert r.status_code == 201, r.text


def values(server, eid, **params):
    r = requests.get(f"{server.url}{TEMPORAL}/{eid}", params={"options": "temporalValues", **params})
    assert r.status_code == 200, r.text
    return r.json()


T = ["2026-12-01T00:00:00Z", "2026-12-01T01:00:00Z", "2026-12-01T02:00:00Z", "2026-12-01T03:00:00Z"]


def test_a_history_is_completed_by_its_sources(start_server, tmp_path):
    a = start_server(data_dir=tmp_path / "a")
    b = start_server(data_dir=tmp_path / "b")
    c = start_server(data_dir=tmp_path / "c")
    sensor = "urn:ngsi-ld:Sensor:1"
    history(a, sensor, "Sensor", temperature=[(10, T[0]), (12, T[2])], humidity=[(50, T[0])])
    history(b, sensor, "Sensor", temperature=[(11, T[1]), (99, T[2])], pressure=[(1000, T[1])])
    history(c, sensor, "Sensor", humidity=[(70, T[0]), (71, T[3])])
    history(b, "urn:ngsi-ld:Sensor:2", "Sensor", temperature=[(5, T[0])])
    register(a, b.url, [{"entities": [{"type": "Sensor"}]}], operations=["retrieveTemporal", "queryTemporal"])
    register(a, c.url, [{"entities": [{"type": "Sensor"}], "propertyNames": ["humidity"]}], mode="exclusive",
             operations=["retrieveTemporal"])

    got = values(a, sensor)
    # Inclusive: B's instances at times A lacks join A's in time order; at T[2] A's own stays.
    assert got["temperature"]["values"] == [[10, T[0]], [11, T[1]], [12, T[2]]]
    assert got["pressure"]["values"] == [[1000, T[1]]]
    # Exclusive: the humidity is C's only.
    assert got["humidity"]["values"] == [[70, T[0]], [71, T[3]]]
    assert values(a, sensor, local="true")["humidity"]["values"] == [[50, T[0]]]
    assert "pressure" not in values(a, sensor, local="true")
    # lastN holds across the merge; attrs are asked of the sources that hold them.
    assert values(a, sensor, lastN="2")["temperature"]["values"] == [[11, T[1]], [12, T[2]]]
    assert set(values(a, sensor, attrs="pressure")) == {"id", "type", "pressure"}
    # Normalized, every instance is an ordinary one of the answer.
    r = requests.get(f"{a.url}{TEMPORAL}/{sensor}", params={"attrs": "temperature"})
    assert [i["value"] for i in r.json()["temperature"]] == [10, 11, 12]
    # Instances without observedAt are never taken for one another.
    for server, notes in ((a, ["a"]), (b, ["b1", "b2"])):
        for note in notes:
            r = requests.post(server.url + TEMPORAL, headers=JSON,
                              json={"id": sensor, "type": "Sensor", "note": {"type": "Property", "value": note}})
            assert r.status_code == 204, r.text
    r = requests.get(f"{a.url}{TEMPORAL}/{sensor}", params={"attrs": "note"})
    assert sorted(i["value"] for i in r.json()["note"]) == ["a", "b1", "b2"]
    # A history only a source holds; one nobody holds.
    assert values(a, "urn:ngsi-ld:Sensor:2")["temperature"]["values"] == [[5, T[0]]]
    assert requests.get(f"{a.url}{TEMPORAL}/urn:ngsi-ld:Sensor:3").status_code == 404


def test_temporal_queries_merge_sources_by_id_and_page_them(start_server, tmp_path, receiver):
    a = start_server(data_dir=tmp_path / "a")
    b = start_server(data_dir=tmp_path / "b")
    for n in (1, 3):
        history(a, f"urn:ngsi-ld:Sensor:{n}", "Sensor", temperature=[(n, T[0])])
    for n in (2, 3, 4):
        history(b, f"urn:ngsi-ld:Sensor:{n}", "Sensor", temperature=[(10 * n, T[1])])
    register(a, b.url, [{"entities": [{"type": "Sensor"}]}], operations=["queryTemporal"])
    # A source that answers garbage adds nothing and costs nothing else.
    receiver.script("/garbage", 200, "not json")
    register(a, receiver.url + "/garbage", [{"entities": [{"type": "Sensor"}]}], operations=["queryTemporal"])
    params = {"type": "Sensor", "timerel": "after", "timeAt": "2026-11-30T00:00:00Z", "options": "temporalValues"}
    r = requests.get(a.url + TEMPORAL, params={**params, "count": "true"})
    assert r.status_code == 200, r.text
    assert r.headers["NGSILD-Results-Count"] == "4"
    got = {e["id"]: e["temperature"]["values"] for e in r.json()}
    assert got == {"urn:ngsi-ld:Sensor:1": [[1, T[0]]], "urn:ngsi-ld:Sensor:2": [[20, T[1]]],
                   "urn:ngsi-ld:Sensor:3": [[3, T[0]], [30, T[1]]], "urn:ngsi-ld:Sensor:4": [[40, T[1]]]}
    page = requests.get(a.url + TEMPORAL, params={**params, "limit": "2", "offset": "1"}).json()
    assert [e["id"] for e in page] == ["urn:ngsi-ld:Sensor:2", "urn:ngsi-ld:Sensor:3"]
    r = requests.post(a.url + "/ngsi-ld/v1/temporal/entityOperations/query", headers=JSON,
                      json={"type": "Query", "entities": [{"type": "Sensor"}],
                            "temporalQ": {"timerel": "after", "timeAt": "2026-11-30T00:00:00Z"}})
    assert r.status_code == 200, r.text
    assert [e["id"] for e in r.json()] == [f"urn:ngsi-ld:Sensor:{n}" for n in (1, 2, 3, 4)]
    local = requests.get(a.url + TEMPORAL, params={**params, "local": "true"}).json()
    assert [e["id"] for e in local] == ["urn:ngsi-ld:Sensor:1", "urn:ngsi-ld:Sensor:3"]
    assert len(receiver.bodies("/garbage/ngsi-ld/v1/temporal/entityOperations/query?limit=1000")) + \
        len([r for r in receiver.received if r[1].startswith("/garbage/ngsi-ld/v1/temporal/entities?")]) == 3, \
        "asked by every query but the local one"
