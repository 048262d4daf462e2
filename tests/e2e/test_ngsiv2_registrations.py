"""NGSIv2 registrations (/v2/registrations) against the real binary: Orion's document and texts,
the service-path rules (listed and read from their own path, deleted from any), paging, a
registration kept across a restart, tenants apart, and the methods Orion does not serve; then
Orion's forwarding of reads to a real HTTP provider (receiver.py): the request it gets, the
merge, providers that fail, time out or answer garbage, and a server that keeps answering."""
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

GOOD = {"description": "tide gauges of Goto",
        "dataProvided": {"entities": [{"id": "Tide1", "type": "TideGauge"}], "attrs": ["level"]},
        "provider": {"http": {"url": "http://127.0.0.1:9/v2"}}}


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def register(server, body, headers=None):
    r = requests.post(server.url + "/v2/registrations", json=body, headers=headers or {})
    assert r.status_code == 201, r.text
    location = r.headers["Location"]
    assert re.fullmatch(r"/v2/registrations/[0-9a-f]{24}", location), location
    return location.rsplit("/", 1)[1]


def test_the_resource_as_orion_renders_it_listed_paged_and_deleted(server):
    rid = register(server, {**GOOD, "expires": "2050-04-05T14:00:00.00Z"})
    r = requests.get(f"{server.url}/v2/registrations/{rid}")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    assert r.text == (
        '{"id":"%s","description":"tide gauges of Goto","expires":"2050-04-05T14:00:00.000Z",'
        '"dataProvided":{"entities":[{"id":"Tide1","type":"TideGauge"}],"attrs":["level"]},'
        '"provider":{"http":{"url":"http://127.0.0.1:9/v2"},"supportedForwardingMode":"all",'
        '"legacyForwarding":false},"status":"active"}' % rid)
    second = register(server, {"dataProvided": {"entities": [{"idPattern": ".*", "type": "Ferry"}]},
                               "provider": {"http": {"url": "http://127.0.0.1:9/v2"},
                                            "supportedForwardingMode": "query"}, "status": "inactive"})
    assert requests.get(f"{server.url}/v2/registrations/{second}").json() == {
        "id": second, "dataProvided": {"entities": [{"idPattern": ".*", "type": "Ferry"}], "attrs": []},
        "provider": {"http": {"url": "http://127.0.0.1:9/v2"}, "supportedForwardingMode": "query",
                     "legacyForwarding": False}, "status": "inactive"}
    r = requests.get(server.url + "/v2/registrations?options=count&limit=1&offset=1")
    assert r.status_code == 200 and r.headers["Fiware-Total-Count"] == "2"
    assert [x["id"] for x in r.json()] == [second]
    assert requests.get(server.url + "/v2/registrations?limit=0").json() == []
    r = requests.get(server.url + "/v2/registrations?limit=x")
    assert r.status_code == 400 and r.json() == {"error": "BadRequest", "description": "Bad pagination limit: /x/"}
    assert requests.delete(f"{server.url}/v2/registrations/{rid}").status_code == 204
    for method in (requests.get, requests.delete):
        r = method(f"{server.url}/v2/registrations/{rid}")
        assert r.status_code == 404 and r.json() == {
            "error": "NotFound", "description": "The requested registration has not been found. Check id"}
    assert requests.get(server.url + "/v2/registrations/not-an-id").status_code == 404
    assert requests.patch(f"{server.url}/v2/registrations/{second}", json={"status": "active"}).status_code == 405
    assert requests.get(server.url + "/v2").json()["registrations_url"] == "/v2/registrations"


def test_service_paths_tenants_and_a_restart(start_server):
    s = start_server()
    foo = register(s, GOOD, {"Fiware-ServicePath": "/foo"})
    bar = register(s, GOOD, {"Fiware-ServicePath": "/bar", "Fiware-Service": "goto"})
    assert [x["id"] for x in requests.get(s.url + "/v2/registrations", headers={"Fiware-ServicePath": "/foo"}).json()] \
        == [foo]
    assert requests.get(s.url + "/v2/registrations", headers={"Fiware-ServicePath": "/bar"}).json() == []
    assert requests.get(f"{s.url}/v2/registrations/{foo}", headers={"Fiware-ServicePath": "/bar"}).status_code == 404
    assert requests.get(f"{s.url}/v2/registrations/{foo}", headers={"Fiware-ServicePath": "/#"}).status_code == 200
    assert requests.get(f"{s.url}/v2/registrations/{bar}").status_code == 404  # another tenant's
    before = requests.get(f"{s.url}/v2/registrations/{bar}", headers={"Fiware-Service": "goto"}).json()
    s.stop()
    s = start_server()
    assert requests.get(f"{s.url}/v2/registrations/{bar}", headers={"Fiware-Service": "goto"}).json() == before
    # Orion deletes from any service path.
    r = requests.delete(f"{s.url}/v2/registrations/{foo}", headers={"Fiware-ServicePath": "/elsewhere"})
    assert r.status_code == 204
    assert requests.get(s.url + "/v2/registrations").json() == []


def provider_with(**http):
    return {"dataProvided": {"attrs": ["A"]}, "provider": {"http": {"url": "http://x/v2"}, **http}}


REFUSED = [
    ("{{", 400, "Errors found in incoming JSON buffer"),
    ([1], 400, "not a JSON object"),
    ({}, 400, "empty payload"),
    ({"description": "a" * 1025}, 400, "max description length exceeded"),
    ({"description": "ok"}, 400, "the field /dataProvided/ is missing in payload"),
    ({"dataProvided": {"entities": [{"id": "E", "idPattern": ".*"}]}}, 400,
     "/entities/ vector item has both /id/ and /idPattern/"),
    ({"dataProvided": {"entities": [{"id": "E", "type": ""}]}}, 400, "entity type length: 0, min length supported: 1"),
    ({"dataProvided": {"entities": [{"idPattern": "^T"}]}}, 501, "Unsupported idPattern"),
    ({"dataProvided": {"attrs": "A"}}, 400, "the field /attrs/ must be a JSON array"),
    ({"dataProvided": {"attrs": [1]}}, 400, "only JSON Strings allowed in string vector /attrs/"),
    ({"dataProvided": {"attrs": ["A"]}, "provider": 1}, 400, "/provider/ must be a JSON object"),
    ({"dataProvided": {"attrs": ["A"]}, "provider": {"http": 1}}, 400, "/http/ must be a JSON object"),
    ({"dataProvided": {"attrs": ["A"]}, "provider": {"http": {}}}, 400, "/http/ must contain a field /url/"),
    ({"dataProvided": {"attrs": ["A"]}, "provider": {"http": {"url": 1}}}, 400,
     "/url/ field of /http/ must be a JSON string"),
    ({"dataProvided": {"attrs": ["A"]}, "provider": {"http": {"url": "http://x:70000/v2"}}}, 400,
     "/url/ field of /http/ is invalid"),
    (provider_with(supportedForwardingMode=1), 400, "/supportedForwardingMode/ must be a JSON string"),
    (provider_with(legacyForwarding=True), 501, "legacyForwarding: NGSIv1 forwarding is not served by Dejima"),
    ({**provider_with(), "expires": 5}, 400, "expires is not a string"),
    ({**provider_with(), "status": "oneshot"}, 400, "invalid value for /status/"),
]


def test_a_bad_registration_is_refused_with_orions_text(server):
    for body, status, description in REFUSED:
        data = body if isinstance(body, str) else None
        r = requests.post(server.url + "/v2/registrations", data=data, json=None if data else body,
                          headers={"Content-Type": "application/json"})
        assert (r.status_code, r.json()) == (status, {
            "error": "BadRequest" if status == 400 else "NotImplemented", "description": description}), body
    assert requests.get(server.url + "/v2/registrations").json() == []


def test_a_lazy_attribute_is_asked_of_its_provider_and_joined_to_the_local_entity(server, receiver):
    tenant = {"Fiware-Service": "goto"}
    assert requests.post(server.url + "/v2/entities", headers=tenant, json={
        "id": "Tide1", "type": "TideGauge", "level": {"type": "Number", "value": 1.8}}).status_code == 201
    register(server, {"dataProvided": {"entities": [{"id": "Tide1", "type": "TideGauge"}], "attrs": ["battery"]},
                      "provider": {"http": {"url": receiver.url + "/iota/v2"}}}, tenant)
    receiver.script("/iota/v2/op/query", body=[
        {"id": "Tide1", "type": "TideGauge", "battery": {"type": "Number", "value": 87, "metadata": {}},
         "level": {"type": "Number", "value": 99}},  # local data wins: the local level stays
        {"id": "Other", "type": "TideGauge", "battery": {"type": "Number", "value": 1}}])
    r = requests.get(server.url + "/v2/entities/Tide1",
                     headers={**tenant, "Fiware-Correlator": "corr-1", "X-Auth-Token": "token-1"})
    assert r.status_code == 200, r.text
    assert r.json() == {"id": "Tide1", "type": "TideGauge",
                        "level": {"type": "Number", "value": 1.8, "metadata": {}},
                        "battery": {"type": "Number", "value": 87, "metadata": {}}}
    (_, path, headers, body, method), = receiver.wait("/iota/v2/op/query?limit=20&offset=0&options=count", 1)
    assert method == "POST" and body == {"entities": [{"id": "Tide1", "type": "TideGauge"}], "attrs": ["battery"]}
    assert headers["Fiware-Correlator"] == "corr-1; cbfwd=1" and headers["Fiware-Service"] == "goto"
    assert headers["Fiware-ServicePath"] == "/" and headers["X-Auth-Token"] == "token-1"
    assert headers["User-Agent"].startswith("orion/") and headers["Content-Type"] == "application/json; charset=utf-8"
    # The other read paths take the same route; a read of local attributes only asks nothing.
    assert requests.get(server.url + "/v2/entities/Tide1/attrs?attrs=battery&options=keyValues",
                        headers=tenant).json() == {"battery": 87}
    r = requests.get(server.url + "/v2/entities?type=TideGauge&options=keyValues", headers=tenant)
    assert r.json() == [{"id": "Tide1", "type": "TideGauge", "level": 1.8, "battery": 87}]
    asked = len(receiver.received)
    assert requests.get(server.url + "/v2/entities/Tide1?attrs=level&options=keyValues",
                        headers=tenant).json() == {"id": "Tide1", "type": "TideGauge", "level": 1.8}
    assert requests.get(server.url + "/v2/entities/Tide1?options=skipForwarding,keyValues",
                        headers=tenant).json() == {"id": "Tide1", "type": "TideGauge", "level": 1.8}
    assert len(receiver.received) == asked


def test_an_entity_held_only_by_a_provider_and_the_count(server, receiver):
    register(server, {"dataProvided": {"entities": [{"id": "Ferry1", "type": "Ferry"}]},
                      "provider": {"http": {"url": receiver.url + "/ferries/v2"}}})
    receiver.script("/ferries/v2/op/query", body=[{"id": "Ferry1", "type": "Ferry",
                                                   "speed": {"type": "Number", "value": 12}}],
                    headers={"Fiware-Total-Count": "1"})
    r = requests.get(server.url + "/v2/entities?id=Ferry1&options=count,keyValues")
    assert r.status_code == 200 and r.json() == [{"id": "Ferry1", "type": "Ferry", "speed": 12}]
    assert r.headers["Fiware-Total-Count"] == "1"
    (_, _, _, body, _), = receiver.wait("/ferries/v2/op/query?limit=20&offset=0&options=count", 1)
    assert body == {"entities": [{"id": "Ferry1", "type": "Ferry"}], "attrs": []}
    r = requests.post(server.url + "/v2/op/query?options=keyValues",
                      json={"entities": [{"id": "Ferry1", "type": "Ferry"}], "attrs": ["speed"]})
    assert r.json() == [{"id": "Ferry1", "type": "Ferry", "speed": 12}]
    # The registration tells how forwarding went (the NGSIv2 specification's forwardingInformation).
    shown = requests.get(server.url + "/v2/registrations").json()[0]["forwardingInformation"]
    assert shown["timesSent"] == 2 and shown["lastSuccess"] >= shown["lastForwarding"] and "lastFailure" not in shown
    assert requests.get(server.url + "/v2/entities/Ferry1/attrs/speed/value").text == "12"
    assert requests.get(server.url + "/v2/entities/Ferry2").status_code == 404  # nobody registered it


@pytest.mark.parametrize("provider", ["/fail/v2", "/missing/v2", "/slow/v2", "/garbage/v2", "/closed"])
def test_a_failing_provider_adds_nothing(start_server, receiver, provider):
    s = start_server("--forward-timeout-ms", "500")
    receiver.slow_seconds = 3
    receiver.script("/garbage/v2", body=b"<html>not entities</html>")
    url = f"http://127.0.0.1:{closed_port()}/v2" if provider == "/closed" else receiver.url + provider
    assert requests.post(s.url + "/v2/entities", json={"id": "Bus1", "type": "Bus",
                                                       "line": {"type": "Text", "value": "7"}}).status_code == 201
    register(s, {"dataProvided": {"entities": [{"id": "Bus1", "type": "Bus"}, {"id": "Bus2", "type": "Bus"}],
                                  "attrs": ["delay"]}, "provider": {"http": {"url": url}}})
    started = time.time()
    assert requests.get(s.url + "/v2/entities/Bus1?options=keyValues").json() == {"id": "Bus1", "type": "Bus",
                                                                                   "line": "7"}
    r = requests.get(s.url + "/v2/entities/Bus2")
    assert r.status_code == 404 and r.json()["error"] == "NotFound"
    assert time.time() - started < 3.0  # two forwards, each cut at 0.5 s
    shown = requests.get(s.url + "/v2/registrations").json()[0]["forwardingInformation"]
    assert shown["timesSent"] == 2
    # Unreachable, slow or 5xx is a failure; an answer that is not entities is still an answer.
    assert ("lastFailure" in shown) == (provider in ("/fail/v2", "/slow/v2", "/closed")), shown


def test_the_server_keeps_answering_while_providers_are_slow(start_server, receiver):
    s = start_server("--forward-timeout-ms", "5000")
    receiver.slow_seconds = 1.5
    register(s, {"dataProvided": {"entities": [{"id": "Slow1"}]}, "provider": {"http": {"url": receiver.url + "/slow/v2"}}})
    with ThreadPoolExecutor(max_workers=6) as pool:
        reads = [pool.submit(requests.get, s.url + "/v2/entities/Slow1") for _ in range(4)]
        time.sleep(0.3)
        started = time.time()
        assert requests.get(s.url + "/version").status_code == 200
        assert time.time() - started < 1.0
        assert [f.result().status_code for f in reads] == [404] * 4
    # Query-only, update-only and expired registrations: only the first is asked.
    register(s, {"dataProvided": {"entities": [{"id": "Modes"}]},
                 "provider": {"http": {"url": receiver.url + "/q/v2"}, "supportedForwardingMode": "query"}})
    register(s, {"dataProvided": {"entities": [{"id": "Modes"}]},
                 "provider": {"http": {"url": receiver.url + "/u/v2"}, "supportedForwardingMode": "update"}})
    register(s, {"dataProvided": {"entities": [{"id": "Modes"}]}, "expires": "2001-01-01T00:00:00Z",
                 "provider": {"http": {"url": receiver.url + "/old/v2"}}})
    assert requests.get(s.url + "/v2/entities/Modes").status_code == 404
    assert sorted(r[1].split("/v2")[0] for r in receiver.received if "Modes" in str(r[3])) == ["/q"]


def test_a_command_is_forwarded_to_its_provider_and_not_stored(server, receiver):
    tenant = {"Fiware-Service": "goto", "Fiware-Correlator": "corr-cmd"}
    assert requests.post(server.url + "/v2/entities", headers=tenant, json={
        "id": "Lamp1", "type": "Lamp", "on_status": {"type": "commandStatus", "value": "UNKNOWN"}}).status_code == 201
    register(server, {"dataProvided": {"entities": [{"id": "Lamp1", "type": "Lamp"}], "attrs": ["on"]},
                      "provider": {"http": {"url": receiver.url + "/iota/v2"}}}, tenant)
    receiver.script("/iota/v2/op/update", status=204)
    r = requests.patch(server.url + "/v2/entities/Lamp1/attrs", headers=tenant,
                       json={"on": {"type": "command", "value": ""}, "on_status": {"value": "PENDING"}})
    assert r.status_code == 204, r.text
    (_, _, headers, body, method), = receiver.wait("/iota/v2/op/update", 1)
    assert method == "POST" and body == {"entities": [{"id": "Lamp1", "type": "Lamp", "on": {
        "type": "command", "value": "", "metadata": {}}}], "actionType": "update"}
    assert headers["Fiware-Correlator"] == "corr-cmd; cbfwd=1" and headers["Fiware-Service"] == "goto"
    local = requests.get(server.url + "/v2/entities/Lamp1?options=skipForwarding,keyValues", headers=tenant).json()
    assert local == {"id": "Lamp1", "type": "Lamp", "on_status": "PENDING"}  # the command itself is not stored
    r = requests.put(server.url + "/v2/entities/Lamp1/attrs/on", headers=tenant, json={"type": "command", "value": 1})
    assert r.status_code == 204 and len(receiver.wait("/iota/v2/op/update", 2)) == 2


def test_a_provider_that_does_not_take_the_update(server, receiver):
    register(server, {"dataProvided": {"entities": [{"idPattern": ".*", "type": "Pump"}], "attrs": ["start"]},
                      "provider": {"http": {"url": receiver.url + "/missing/v2"}}})
    # The entity is held nowhere: the provider's refusal (404) is Orion's NotFound.
    r = requests.patch(server.url + "/v2/entities/Pump1/attrs?type=Pump", json={"start": {"value": 12}})
    assert r.status_code == 404 and r.json() == {
        "error": "NotFound", "description": "The requested entity has not been found. Check type and id"}
    (_, _, _, body, _), = receiver.wait("/missing/v2/op/update", 1)
    assert body == {"entities": [{"id": "Pump1", "type": "Pump", "start": {"type": "Number", "value": 12,
                                                                          "metadata": {}}}],
                    "actionType": "update"}
    # Held here with another attribute: that one is written, the refused one is named.
    assert requests.post(server.url + "/v2/entities", json={"id": "Pump2", "type": "Pump",
                                                            "flow": {"value": 1}}).status_code == 201
    r = requests.patch(server.url + "/v2/entities/Pump2/attrs", json={"start": {"value": 1}, "flow": {"value": 2}})
    assert r.status_code == 404 and r.json() == {
        "error": "PartialUpdate",
        "description": "Some of the following attributes were not updated: { Pump2-Pump : [start] }"}
    assert requests.get(server.url + "/v2/entities/Pump2/attrs/flow/value").text == "2"
    # A query-only registration takes no update: an attribute the entity lacks is refused here.
    register(server, {"dataProvided": {"entities": [{"id": "Pump3"}], "attrs": ["speed"]},
                      "provider": {"http": {"url": receiver.url + "/q/v2"}, "supportedForwardingMode": "query"}})
    r = requests.patch(server.url + "/v2/entities/Pump3/attrs", json={"speed": {"value": 1}})
    assert r.status_code == 404 and r.json()["error"] == "NotFound"
    assert receiver.bodies("/q/v2/op/update") == []


def test_op_update_sends_each_providers_part_and_writes_the_rest_here(server, receiver):
    receiver.script("/a/v2/op/update", status=204)
    receiver.script("/b/v2/op/update", status=204)
    register(server, {"dataProvided": {"entities": [{"id": "Valve1", "type": "Valve"}], "attrs": ["open"]},
                      "provider": {"http": {"url": receiver.url + "/a/v2"}}})
    register(server, {"dataProvided": {"entities": [{"idPattern": ".*", "type": "Gate"}], "attrs": ["open"]},
                      "provider": {"http": {"url": receiver.url + "/b/v2"}}})
    assert requests.post(server.url + "/v2/entities", json={"id": "Valve1", "type": "Valve",
                                                            "pressure": {"value": 1}}).status_code == 201
    r = requests.post(server.url + "/v2/op/update", headers={"Fiware-Correlator": "corr-op"}, json={
        "actionType": "update", "entities": [
            {"id": "Valve1", "type": "Valve", "open": {"value": True}, "pressure": {"value": 2}},
            {"id": "Gate7", "type": "Gate", "open": {"value": False}}]})
    assert r.status_code == 204, r.text
    (_, _, a_headers, a_body, _), = receiver.wait("/a/v2/op/update", 1)
    (_, _, b_headers, b_body, _), = receiver.wait("/b/v2/op/update", 1)
    assert a_body["entities"] == [{"id": "Valve1", "type": "Valve",
                                   "open": {"type": "Boolean", "value": True, "metadata": {}}}]
    assert b_body["entities"] == [{"id": "Gate7", "type": "Gate",
                                   "open": {"type": "Boolean", "value": False, "metadata": {}}}]
    assert (a_headers["Fiware-Correlator"], b_headers["Fiware-Correlator"]) == ("corr-op; cbfwd=1", "corr-op; cbfwd=2")
    assert requests.get(server.url + "/v2/entities/Valve1?options=skipForwarding,keyValues").json() == {
        "id": "Valve1", "type": "Valve", "pressure": 2}
    assert requests.get(server.url + "/v2/entities/Gate7?options=skipForwarding").status_code == 404
    # Append is never forwarded: it writes here.
    r = requests.post(server.url + "/v2/op/update", json={"actionType": "append", "entities": [
        {"id": "Gate8", "type": "Gate", "open": {"value": True}}]})
    assert r.status_code == 204 and len(receiver.bodies("/b/v2/op/update")) == 1
    assert requests.get(server.url + "/v2/entities/Gate8/attrs/open/value?options=skipForwarding").text == "true"
