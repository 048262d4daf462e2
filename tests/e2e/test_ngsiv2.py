"""NGSIv2 beside NGSI-LD, where a data-driven case cannot say it: a write through /v2 notifies an
NGSI-LD subscription, the access rules hold for a tenant named by Fiware-Service, and every
/v2 answer carries a Fiware-Correlator (the request's own when it sends one)."""
import time

import requests

from dejima_server import DejimaServer
from test_access import OPERATOR_KEY, key, register, service


def test_a_v2_write_notifies_an_ngsi_ld_subscription(server, receiver):
    r = requests.post(server.url + "/ngsi-ld/v1/subscriptions", json={
        "type": "Subscription", "entities": [{"type": "Room"}], "watchedAttributes": ["temperature"],
        "notification": {"endpoint": {"uri": receiver.url + "/rooms"}, "format": "keyValues"}})
    assert r.status_code == 201, r.text
    r = requests.post(server.url + "/v2/entities", json={"id": "Room1", "type": "Room", "temperature": {"value": 21}})
    assert r.status_code == 201, r.text
    r = requests.patch(server.url + "/v2/entities/Room1/attrs", json={"temperature": {"value": 25, "type": "Float"}})
    assert r.status_code == 204, r.text
    receiver.wait("/rooms", 2)
    bodies = receiver.bodies("/rooms")
    assert [b["data"][0]["temperature"] for b in bodies] == [21, 25]
    assert bodies[0]["data"][0]["id"] == "Room1"


def test_the_correlator_is_echoed_or_made(server):
    r = requests.get(server.url + "/v2/entities", headers={"Fiware-Correlator": "nagasaki-42"})
    assert r.status_code == 200 and r.headers["Fiware-Correlator"] == "nagasaki-42"
    r = requests.get(server.url + "/v2/entities/nothing")
    assert r.status_code == 404 and len(r.headers["Fiware-Correlator"]) == 36


def test_access_rules_hold_for_a_tenant_named_by_fiware_service(tmp_path):
    s = DejimaServer(tmp_path / "data", "--bootstrap-operator-key", OPERATOR_KEY, auth=True).start()
    try:
        register(s, "sasebo")
        reader = key(service(s, "sasebo", [{"types": ["Bus"], "operations": ["read"]}])["apiKey"])
        writer = key(service(s, "sasebo", [{"operations": ["read", "write"]}])["apiKey"])
        tenant = {"Fiware-Service": "Sasebo"}  # lower-cased, as Orion does
        assert requests.get(s.url + "/v2/entities", headers=tenant).status_code == 401
        r = requests.post(s.url + "/v2/op/update", headers={**tenant, **writer}, json={
            "actionType": "append", "entities": [{"id": "Bus1", "type": "Bus"}, {"id": "Car1", "type": "Car"}]})
        assert r.status_code == 204, r.text
        r = requests.get(s.url + "/v2/entities", headers={**tenant, **reader})
        assert [e["id"] for e in r.json()] == ["Bus1"], "the reader's key reads buses only"
        assert requests.get(s.url + "/v2/entities/Car1", headers={**tenant, **reader}).status_code == 404
        r = requests.post(s.url + "/v2/entities", headers={**tenant, **reader}, json={"id": "Bus2", "type": "Bus"})
        assert r.status_code == 403
        assert requests.get(s.url + "/v2/entities", headers={"Fiware-Service": "omura", **writer}).status_code in (403, 404)
    finally:
        s.stop()


def test_version_and_entry_point_in_orions_shape(server):
    v = requests.get(server.url + "/version").json()
    assert v["name"] == "dejima" and v["orion"]["version"].count(".") == 2 and v["orion"]["uptime"].endswith(" s")
    r = requests.get(server.url + "/v2")
    assert r.status_code == 200 and r.json()["entities_url"] == "/v2/entities"


def test_concurrent_increments_all_count(server):
    from concurrent.futures import ThreadPoolExecutor
    assert requests.post(server.url + "/v2/entities", json={"id": "urn:c:1", "type": "Counter"}).status_code == 201

    def increment(_):
        return requests.post(server.url + "/v2/entities/urn:c:1/attrs",
                             json={"visits": {"value": {"$inc": 1}, "type": "Number"}}).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(increment, range(40))) == {204}
    r = requests.get(server.url + "/v2/entities/urn:c:1/attrs/visits/value", headers={"Accept": "text/plain"})
    assert r.text == "40", "each $inc applies to the value the one before it wrote"
    r = requests.get(server.url + "/ngsi-ld/v1/entities/urn:c:1?options=keyValues")
    assert r.json()["visits"] == 40, "NGSI-LD sees the number"


def test_transient_entities_are_deleted_once_their_date_expires(start_server, receiver):
    s = start_server("--expiry-interval-s", "1")
    r = requests.post(s.url + "/v2/subscriptions", json={
        "subject": {"entities": [{"idPattern": ".*"}], "condition": {"alterationTypes": ["entityDelete"]}},
        "notification": {"http": {"url": receiver.url + "/gone"}, "attrs": ["dateExpires"]}})
    assert r.status_code == 201, r.text
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
    for id_, expires in [("urn:t:soon", soon), ("urn:t:later", "2099-01-01T00:00:00Z")]:
        r = requests.post(s.url + "/v2/entities", json={
            "id": id_, "type": "Parking", "free": {"value": 3},
            "dateExpires": {"type": "DateTime", "value": expires}})
        assert r.status_code == 201, r.text
    r = requests.post(s.url + "/v2/entities", json={"id": "urn:t:regular", "type": "Parking"})
    assert r.status_code == 201
    assert requests.get(s.url + "/v2/entities/urn:t:soon").status_code == 200, "not expired yet"
    (_, _, _, body, _), = receiver.wait("/gone", 1, timeout=8)
    assert body["data"][0]["id"] == "urn:t:soon" and body["data"][0]["dateExpires"]["type"] == "DateTime"
    assert requests.get(s.url + "/v2/entities/urn:t:soon").status_code == 404
    r = requests.get(s.url + "/v2/entities?attrs=none")
    assert [e["id"] for e in r.json()] == ["urn:t:later", "urn:t:regular"]
    r = requests.get(s.url + "/ngsi-ld/v1/temporal/entities/urn:t:soon")
    assert r.status_code == 200, "the history stays: " + r.text
    # A replace without dateExpires makes the entity regular again.
    assert requests.put(s.url + "/v2/entities/urn:t:later/attrs", json={"free": {"value": 1}}).status_code == 204
    assert "dateExpires" not in requests.get(s.url + "/v2/entities/urn:t:later?attrs=dateExpires,*").json()


def test_statistics_are_open_and_the_log_level_is_the_operators(tmp_path):
    s = DejimaServer(tmp_path / "data", "--bootstrap-operator-key", OPERATOR_KEY, auth=True).start()
    try:
        r = requests.get(s.url + "/statistics")
        assert r.status_code == 200 and set(r.json()) == {"uptime_in_secs", "measuring_interval_in_secs"}
        assert requests.get(s.url + "/admin/log").status_code == 401
        op = key(OPERATOR_KEY)
        r = requests.put(s.url + "/admin/log?level=debug", headers=op)
        assert r.status_code == 200 and r.text == ""
        assert requests.get(s.url + "/admin/log", headers=op).json() == {"level": "DEBUG"}
        r = requests.put(s.url + "/admin/log?level=loud", headers=op)
        assert r.status_code == 400 and r.json() == {"error": "BadRequest", "description": "invalid log level"}
        r = requests.put(s.url + "/admin/log", headers=op)
        assert r.status_code == 400 and r.json()["description"] == "log config missing"
        assert requests.put(s.url + "/admin/log?level=WARNING", headers=op).status_code == 200
        assert requests.get(s.url + "/admin/log", headers=op).json() == {"level": "WARN"}
    finally:
        s.stop()
