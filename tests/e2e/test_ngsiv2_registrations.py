"""NGSIv2 registrations (/v2/registrations) against the real binary: Orion's document and texts,
the service-path rules (listed and read from their own path, deleted from any), paging, a
registration kept across a restart, tenants apart, and the methods Orion does not serve."""
import re

import pytest
import requests

GOOD = {"description": "tide gauges of Goto",
        "dataProvided": {"entities": [{"id": "Tide1", "type": "TideGauge"}], "attrs": ["level"]},
        "provider": {"http": {"url": "http://127.0.0.1:9/v2"}}}


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


@pytest.mark.parametrize("body,status,description", [
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
])
def test_a_bad_registration_is_refused_with_orions_text(server, body, status, description):
    data = body if isinstance(body, str) else None
    r = requests.post(server.url + "/v2/registrations", data=data, json=None if data else body,
                      headers={"Content-Type": "application/json"})
    assert r.status_code == status, r.text
    assert r.json() == {"error": "BadRequest" if status == 400 else "NotImplemented", "description": description}
    assert requests.get(server.url + "/v2/registrations").json() == []
