"""NGSIv2 beside NGSI-LD, where a data-driven case cannot say it: a write through /v2 notifies an
NGSI-LD subscription, the access rules hold for a tenant named by Fiware-Service, and every
/v2 answer carries a Fiware-Correlator (the request's own when it sends one)."""
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
