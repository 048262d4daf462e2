"""Distributed retrieval (NGSI-LD 4.3.6.3) between real Dejima servers on loopback: an entity's
registered attributes come from the context source that holds them, by the registration's mode;
local=true asks nobody; a loop A -> B -> A stops at the Via header; a source that is slow, fails or
answers garbage costs its own attributes only; sources are asked at once."""
import time

import requests

ENTITIES = "/ngsi-ld/v1/entities"
REGS = "/ngsi-ld/v1/csourceRegistrations"
JSON = {"Content-Type": "application/json"}


def put(server, body, headers=None):
    r = requests.post(server.url + ENTITIES, json=body, headers={**JSON, **(headers or {})})
    assert r.status_code == 201, r.text


def register(server, endpoint, information, **extra):
    body = {"type": "ContextSourceRegistration", "information": information, "endpoint": endpoint, **extra}
    r = requests.post(server.url + REGS, json=body, headers=JSON)
    assert r.status_code == 201, r.text
    return r.headers["Location"]


def bus(eid, **attrs):
    return {"id": eid, "type": "Bus", **{k: {"type": "Property", "value": v} for k, v in attrs.items()}}


def get(server, eid, **params):
    return requests.get(f"{server.url}{ENTITIES}/{eid}", params={"options": "keyValues", **params})


def test_registered_attributes_come_from_their_source_by_mode(start_server, tmp_path):
    a = start_server(data_dir=tmp_path / "a")
    b = start_server(data_dir=tmp_path / "b")
    c = start_server(data_dir=tmp_path / "c")
    put(a, bus("urn:ngsi-ld:Bus:1", name="A", speed=1))
    put(b, bus("urn:ngsi-ld:Bus:1", name="B", speed=42, fuel=0.5))
    put(b, bus("urn:ngsi-ld:Bus:2", speed=7))
    put(c, bus("urn:ngsi-ld:Bus:1", name="C", delay=3))
    put(c, bus("urn:ngsi-ld:Bus:9", delay=9))
    # B holds the buses' speed and fuel exclusively; C adds whatever it has (inclusive).
    register(a, b.url, [{"entities": [{"type": "Bus"}], "propertyNames": ["speed", "fuel"]}], mode="exclusive")
    register(a, c.url, [{"entities": [{"idPattern": "^urn:ngsi-ld:Bus:1$", "type": "Bus"}]}])
    assert get(a, "urn:ngsi-ld:Bus:1").json() == {
        "id": "urn:ngsi-ld:Bus:1", "type": "Bus", "name": "A", "speed": 42, "fuel": 0.5, "delay": 3}
    assert get(a, "urn:ngsi-ld:Bus:1", attrs="speed").json() == {"id": "urn:ngsi-ld:Bus:1", "type": "Bus",
                                                                  "speed": 42}
    assert get(a, "urn:ngsi-ld:Bus:1", local="true").json() == {"id": "urn:ngsi-ld:Bus:1", "type": "Bus",
                                                                 "name": "A", "speed": 1}
    assert get(a, "urn:ngsi-ld:Bus:1", local="false").json()["speed"] == 42
    assert get(a, "urn:ngsi-ld:Bus:2").json() == {"id": "urn:ngsi-ld:Bus:2", "type": "Bus", "speed": 7}, \
        "an entity only a source holds"
    assert get(a, "urn:ngsi-ld:Bus:9").status_code == 404, "C is registered for Bus:1 only"
    assert get(a, "urn:ngsi-ld:Bus:3").status_code == 404
    # An auxiliary registration counts only where no other registration covers the entity.
    register(a, c.url, [{"entities": [{"type": "Car"}]}], mode="auxiliary")
    put(c, {"id": "urn:ngsi-ld:Car:1", "type": "Car", "owner": {"type": "Property", "value": "C"}})
    put(a, {"id": "urn:ngsi-ld:Car:1", "type": "Car", "plate": {"type": "Property", "value": "A"}})
    assert get(a, "urn:ngsi-ld:Car:1").json() == {"id": "urn:ngsi-ld:Car:1", "type": "Car", "plate": "A",
                                                  "owner": "C"}
    register(a, b.url, [{"entities": [{"type": "Car"}], "propertyNames": ["speed"]}])
    assert get(a, "urn:ngsi-ld:Car:1").json() == {"id": "urn:ngsi-ld:Car:1", "type": "Car", "plate": "A"}
    # Normalized, the source's attribute is an ordinary Property of the answer.
    r = requests.get(f"{a.url}{ENTITIES}/urn:ngsi-ld:Bus:2")
    assert r.json()["speed"] == {"type": "Property", "value": 7}


def test_a_loop_stops_at_the_via_header(start_server, tmp_path):
    a = start_server(data_dir=tmp_path / "a")
    b = start_server(data_dir=tmp_path / "b")
    put(a, bus("urn:ngsi-ld:Bus:1", name="A"))
    put(b, bus("urn:ngsi-ld:Bus:1", speed=5))
    register(a, b.url, [{"entities": [{"type": "Bus"}]}])
    register(b, a.url, [{"entities": [{"type": "Bus"}]}])
    started = time.time()
    assert get(a, "urn:ngsi-ld:Bus:1").json() == {"id": "urn:ngsi-ld:Bus:1", "type": "Bus", "name": "A", "speed": 5}
    assert get(b, "urn:ngsi-ld:Bus:1").json() == {"id": "urn:ngsi-ld:Bus:1", "type": "Bus", "name": "A", "speed": 5}
    assert get(a, "urn:ngsi-ld:Bus:404").status_code == 404
    assert time.time() - started < 5


def test_a_failing_source_costs_only_its_own_attributes_and_sources_are_asked_at_once(server, receiver):
    put(server, bus("urn:ngsi-ld:Bus:1", name="local"))
    receiver.slow_seconds = 1.5
    receiver.script("/garbage", 200, "this is not JSON")
    receiver.script("/other", 200, {"id": "urn:ngsi-ld:Bus:2", "type": "Bus"})
    receiver.script("/good", 200, {"id": "urn:ngsi-ld:Bus:1", "type": "Bus", "speed": {"type": "Property",
                                                                                        "value": 3}})
    for path in ("/slow", "/slow2", "/fail", "/garbage", "/other", "/good"):
        register(server, receiver.url + path, [{"entities": [{"type": "Bus"}]}],
                 management={"timeout": 1000} if path == "/slow2" else {})
    started = time.time()
    r = get(server, "urn:ngsi-ld:Bus:1")
    took = time.time() - started
    assert r.status_code == 200 and r.json() == {"id": "urn:ngsi-ld:Bus:1", "type": "Bus", "name": "local",
                                                 "speed": 3}
    assert 1.0 <= took < 2.9, f"two 1.5 s sources asked one after the other would take 3 s: {took:.2f}"
    deadline = time.time() + 5  # the receiver records a slow request once it has slept
    while len(receiver.received) < 6 and time.time() < deadline:
        time.sleep(0.05)
    asked = [x[1] for x in receiver.received]
    assert sorted(p.split("/ngsi-ld")[0] for p in asked) == ["/fail", "/garbage", "/good", "/other", "/slow",
                                                             "/slow2"]
    one = next(x for x in receiver.received if x[1].startswith("/good"))
    assert one[1] == "/good/ngsi-ld/v1/entities/urn:ngsi-ld:Bus:1" and one[4] == "GET"
    assert "dejima-" in one[2]["Via"]
    # The server goes on serving.
    assert requests.get(server.url + "/health").status_code == 200


def test_queries_merge_the_sources_entities_and_page_them_as_one_list(start_server, tmp_path):
    a = start_server(data_dir=tmp_path / "a")
    b = start_server(data_dir=tmp_path / "b")
    c = start_server(data_dir=tmp_path / "c")
    put(a, bus("urn:ngsi-ld:Bus:1", name="A", speed=1))
    put(a, bus("urn:ngsi-ld:Bus:3", name="A3"))
    put(b, bus("urn:ngsi-ld:Bus:1", speed=42))
    put(b, bus("urn:ngsi-ld:Bus:2", speed=7))
    put(b, {"id": "urn:ngsi-ld:Car:1", "type": "Car"})
    put(c, {"id": "urn:ngsi-ld:Tram:1", "type": "Tram", "line": {"type": "Property", "value": 5}})
    register(a, b.url, [{"entities": [{"type": "Bus"}], "propertyNames": ["speed"]}], mode="exclusive")
    # C answers queries only: its trams are found by a query for the id, also when retrieved.
    register(a, c.url, [{"entities": [{"type": "Tram"}]}], operations=["queryEntity"])

    def query(**params):
        r = requests.get(a.url + ENTITIES, params={"options": "keyValues", **params})
        assert r.status_code == 200, r.text
        return r

    assert query(type="Bus").json() == [
        {"id": "urn:ngsi-ld:Bus:1", "type": "Bus", "name": "A", "speed": 42},
        {"id": "urn:ngsi-ld:Bus:2", "type": "Bus", "speed": 7},
        {"id": "urn:ngsi-ld:Bus:3", "type": "Bus", "name": "A3"}]
    page = query(type="Bus", limit=1, offset=1, count="true")
    assert [e["id"] for e in page.json()] == ["urn:ngsi-ld:Bus:2"]
    assert page.headers["NGSILD-Results-Count"] == "3"
    assert "offset=2" in page.headers["Link"] and "offset=0" in page.headers["Link"]
    assert [e["id"] for e in query(type="Bus", local="true").json()] == ["urn:ngsi-ld:Bus:1", "urn:ngsi-ld:Bus:3"]
    assert [e["id"] for e in query(type="Bus", attrs="speed").json()] == ["urn:ngsi-ld:Bus:1", "urn:ngsi-ld:Bus:2"]
    assert query(type="Bus", q="speed>10").json() == [
        {"id": "urn:ngsi-ld:Bus:1", "type": "Bus", "name": "A", "speed": 42}], "B matched it; A adds its name"
    assert query(type="Car").json() == [], "B is registered for buses only"
    assert query(type="Tram").json() == [{"id": "urn:ngsi-ld:Tram:1", "type": "Tram", "line": 5}]
    assert get(a, "urn:ngsi-ld:Tram:1").json() == {"id": "urn:ngsi-ld:Tram:1", "type": "Tram", "line": 5}
    # POST /entityOperations/query reaches registrations that take queryBatch (B's default group does).
    r = requests.post(a.url + "/ngsi-ld/v1/entityOperations/query", params={"options": "keyValues"}, headers=JSON,
                      json={"type": "Query", "entities": [{"type": "Bus"}]})
    assert r.status_code == 200, r.text
    assert [e.get("speed") for e in r.json()] == [42, 7, None]


def test_pages_without_a_count_ask_sources_for_the_page_only(start_server, tmp_path, receiver):
    a = start_server(data_dir=tmp_path / "a")
    b = start_server(data_dir=tmp_path / "b")
    for n in (1, 4):
        put(a, bus(f"urn:ngsi-ld:Bus:{n}", name=f"A{n}"))
    for n in (2, 3, 5, 6):
        put(b, bus(f"urn:ngsi-ld:Bus:{n}", speed=n))
    register(a, b.url, [{"entities": [{"type": "Bus"}]}])
    # A source that answers in its own order (not by id) is asked again for everything.
    receiver.script("/unsorted", 200, [bus("urn:ngsi-ld:Bus:7", speed=7), bus("urn:ngsi-ld:Bus:0", speed=0)])
    register(a, receiver.url + "/unsorted", [{"entities": [{"type": "Bus"}]}])
    seen = []
    for offset in range(9):
        r = requests.get(a.url + ENTITIES, params={"type": "Bus", "limit": 1, "offset": offset, "options": "keyValues"})
        assert r.status_code == 200, r.text
        seen += [e["id"][-1] for e in r.json()]
        assert ("rel=\"next\"" in r.headers.get("Link", "")) == (offset < 7), (offset, r.headers.get("Link"))
    assert seen == list("01234567")
    limits = [p.split("limit=")[1] for _, p, *_ in receiver.received if p.startswith("/unsorted")]
    assert "2" in limits and "1000" in limits, limits  # the page's end and one more, then all
    forwarded = [p for _, p, *_ in receiver.received if p.startswith("/unsorted")]
    assert all("count" not in p for p in forwarded)
    r = requests.get(a.url + ENTITIES, params={"type": "Bus", "limit": 2, "offset": 3, "count": "true"})
    assert [e["id"][-1] for e in r.json()] == ["3", "4"] and r.headers["NGSILD-Results-Count"] == "8"


def test_a_registration_shows_how_forwarding_went_and_a_failed_source_cools_down(server, receiver):
    put(server, bus("urn:ngsi-ld:Bus:1", name="local"))
    receiver.script("/good", 200, {"id": "urn:ngsi-ld:Bus:1", "type": "Bus"})
    good = register(server, receiver.url + "/good", [{"entities": [{"type": "Bus"}]}])
    failing = register(server, receiver.url + "/fail", [{"entities": [{"type": "Bus"}]}],
                       management={"cooldown": 60000})
    shown = requests.get(server.url + good).json()
    assert "timesSent" not in shown and "status" not in shown, "nothing to tell before it is asked"
    for _ in range(3):
        assert get(server, "urn:ngsi-ld:Bus:1").json()["name"] == "local"
    shown = requests.get(server.url + good).json()
    assert (shown["status"], shown["timesSent"], shown["timesFailed"]) == ("ok", 3, 0) and "lastSuccess" in shown
    shown = requests.get(server.url + failing).json()
    assert (shown["status"], shown["timesSent"], shown["timesFailed"]) == ("failed", 1, 1) and "lastFailure" in shown
    assert len([x for x in receiver.received if x[1].startswith("/fail")]) == 1, "not asked while it cools down"
    # A PATCH keeps the counters.
    assert requests.patch(server.url + failing, json={"management": {"cooldown": 0}}, headers=JSON).status_code == 204
    get(server, "urn:ngsi-ld:Bus:1")
    assert requests.get(server.url + failing).json()["timesSent"] == 2


def test_a_source_never_widens_what_a_caller_may_read(tmp_path, receiver):
    from dejima_server import DejimaServer
    operator = {"X-API-Key": "operator-key-for-the-federation-tests", "NGSILD-Tenant": "nagasaki"}
    s = DejimaServer(tmp_path / "data", "--bootstrap-operator-key", operator["X-API-Key"], auth=True).start()
    try:
        r = requests.post(s.url + "/dejima/v1/tenants", headers=operator,
                          json={"name": "nagasaki", "nameJa": "長崎", "kind": "city", "publicTypes": []})
        assert r.status_code == 201, r.text
        r = requests.post(s.url + "/dejima/v1/tenants/nagasaki/services", headers=operator,
                          json={"name": "app", "owner": "市", "scopes": [{"types": ["Bus"], "operations": ["read", "temporal"]}]})
        assert r.status_code == 201, r.text
        reader = {"X-API-Key": r.json()["apiKey"], "NGSILD-Tenant": "nagasaki"}
        put(s, {"id": "urn:ngsi-ld:Secret:1", "type": "Secret", "pin": {"type": "Property", "value": 1234}},
            headers=operator)
        put(s, bus("urn:ngsi-ld:Bus:1", name="local"), headers=operator)
        # A source that claims the secret entity is a Bus.
        receiver.script("/src", 200, [{"id": "urn:ngsi-ld:Secret:1", "type": "Bus"},
                                      {"id": "urn:ngsi-ld:Bus:1", "type": "Bus"}])
        r = requests.post(s.url + REGS, headers={**operator, **JSON},
                          json={"type": "ContextSourceRegistration", "endpoint": receiver.url + "/src",
                                "information": [{"entities": [{"type": "Bus"}]}]})
        assert r.status_code == 201, r.text
        r = requests.get(s.url + ENTITIES, params={"type": "Bus", "options": "keyValues"}, headers=reader)
        assert r.status_code == 200, r.text
        assert r.json() == [{"id": "urn:ngsi-ld:Bus:1", "type": "Bus", "name": "local"}]
        assert requests.get(f"{s.url}{ENTITIES}/urn:ngsi-ld:Secret:1", headers=reader).status_code == 404
        # The same through the temporal API (the source answers its list there too).
        temporal = s.url + "/ngsi-ld/v1/temporal/entities"
        r = requests.get(temporal, params={"type": "Bus"}, headers=reader)
        assert r.status_code == 200, r.text
        assert [e["id"] for e in r.json()] == ["urn:ngsi-ld:Bus:1"]
        assert requests.get(f"{temporal}/urn:ngsi-ld:Secret:1", headers=reader).status_code == 404
    finally:
        s.stop()


def test_an_iot_agents_lazy_attributes_are_asked_of_the_agent(server, receiver):
    """iotagent-node-lib in NGSI-LD mode registers a device's lazy attributes as below (the 1.3 name
    `properties`, a trailing slash, application/ld+json with the core @context by URL) and answers
    GET /ngsi-ld/v1/entities/{id}?attrs=... with a list holding the device's entity."""
    device = "urn:ngsi-ld:Motion:001"
    put(server, {"id": device, "type": "Motion", "count": {"type": "Property", "value": 3}})
    body = {"type": "ContextSourceRegistration",
            "information": [{"entities": [{"type": "Motion", "id": device}], "properties": ["luminance"]}],
            "endpoint": receiver.url + "/iota",
            "@context": "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"}
    r = requests.post(server.url + REGS + "/", json=body, headers={"Content-Type": "application/ld+json"})
    assert r.status_code == 201, r.text
    receiver.script("/iota/ngsi-ld/v1/entities/", 200, [
        {"id": device, "type": "Motion", "luminance": {"type": "Property", "value": 42},
         "count": {"type": "Property", "value": 99}}])  # not registered: the local count stays
    assert get(server, device).json() == {"id": device, "type": "Motion", "count": 3, "luminance": 42}
    asked = [p for _, p, *_ in receiver.received if p.startswith("/iota/")]
    assert asked == [f"/iota/ngsi-ld/v1/entities/{device}?attrs=luminance"], "the name the agent registered"
    assert get(server, device, attrs="count").json() == {"id": device, "type": "Motion", "count": 3}
    assert len([p for _, p, *_ in receiver.received if p.startswith("/iota/")]) == 1, "count is not the agent's"
    shown = requests.get(server.url + r.headers["Location"]).json()
    assert shown["information"][0]["properties"] == ["luminance"] and shown["timesSent"] == 1
