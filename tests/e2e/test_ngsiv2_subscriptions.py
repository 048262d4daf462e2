"""NGSIv2 subscriptions against the real binary and a real HTTP receiver: the resource as Orion
renders it, the notifications Orion sends (headers, formats, alteration types, httpCustom
templates, MQTT to a real mosquitto), the delivery state (lastSuccessCode, failsCounter,
maxFailsLimit, oneshot), and that a v2 subscription survives a restart and stays apart from the
NGSI-LD ones."""
import json
import re
import socket
import subprocess
import time

import requests

from mosquitto import mosquitto

JSON = {"Content-Type": "application/json"}


def subscribe(server, body, headers=None):
    r = requests.post(server.url + "/v2/subscriptions", json=body, headers=headers or {})
    assert r.status_code == 201, r.text
    location = r.headers["Location"]
    assert re.fullmatch(r"/v2/subscriptions/[0-9a-f]{24}", location), location
    return location.rsplit("/", 1)[1]


def get_sub(server, sid, headers=None):
    r = requests.get(f"{server.url}/v2/subscriptions/{sid}", headers=headers or {})
    assert r.status_code == 200, r.text
    return r.json()


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def test_the_resource_is_rendered_listed_patched_and_deleted_as_orion_does(server):
    sid = subscribe(server, {
        "description": "harbour rooms",
        "subject": {"entities": [{"idPattern": ".*", "type": "Room"}],
                    "condition": {"attrs": ["temperature"], "expression": {"q": "temperature>40"}}},
        "notification": {"http": {"url": "http://127.0.0.1:9/notify"}, "attrs": ["temperature"]},
        "expires": "2050-04-05T14:00:00.00Z", "throttling": 5})
    assert get_sub(server, sid) == {
        "id": sid, "description": "harbour rooms", "expires": "2050-04-05T14:00:00.000Z", "status": "active",
        "subject": {"entities": [{"idPattern": ".*", "type": "Room"}],
                    "condition": {"attrs": ["temperature"], "expression": {"q": "temperature>40"},
                                  "notifyOnMetadataChange": True}},
        "notification": {"attrs": ["temperature"], "onlyChangedAttrs": False, "attrsFormat": "normalized",
                         "http": {"url": "http://127.0.0.1:9/notify"}, "covered": False},
        "throttling": 5}
    r = requests.get(server.url + "/v2/subscriptions?options=count&limit=1")
    assert r.status_code == 200 and r.headers["Fiware-Total-Count"] == "1" and [s["id"] for s in r.json()] == [sid]
    r = requests.patch(f"{server.url}/v2/subscriptions/{sid}", json={"status": "inactive", "expires": "2001-01-01"})
    assert r.status_code == 204, r.text
    assert get_sub(server, sid)["status"] == "expired", "a past expiry shows, whatever the status"
    r = requests.patch(f"{server.url}/v2/subscriptions/{sid}", json={"expires": ""})
    sub = get_sub(server, sid)
    assert sub["status"] == "inactive" and "expires" not in sub and sub["throttling"] == 5
    assert requests.get(server.url + "/ngsi-ld/v1/subscriptions").json() == [], "NGSI-LD does not see it"
    assert requests.delete(f"{server.url}/v2/subscriptions/{sid}").status_code == 204
    r = requests.get(f"{server.url}/v2/subscriptions/{sid}")
    assert r.status_code == 404 and r.json() == {
        "error": "NotFound", "description": "The requested subscription has not been found. Check id"}
    r = requests.get(server.url + "/v2/subscriptions/123")
    assert r.status_code == 400 and "24 chars" in r.json()["description"]


def test_bad_subscriptions_are_refused_with_orions_texts(server):
    url = {"http": {"url": "http://127.0.0.1:9/n"}}
    for body, description in [
        ({"notification": url}, "no subject for subscription specified"),
        ({"subject": {"entities": [{"id": "E"}]}}, "no notification for subscription specified"),
        ({"subject": {"entities": []}, "notification": url}, "subject entities is empty"),
        ({"subject": {"entities": [{"type": "T"}]}, "notification": url},
         "/entities/ vector item does not have /id/ nor /idPattern/"),
        ({"subject": {"entities": [{"id": "E"}], "condition": {"alterationTypes": ["entityMoved"]}},
          "notification": url}, "unknown subscription alterationType: entityMoved"),
        ({"subject": {"entities": [{"id": "E"}]}, "notification": {"http": {"url": "ftp://x"}}},
         "Invalid URL parsing notification url"),
        ({"subject": {"entities": [{"id": "E"}]}, "notification": {**url, "attrs": ["a"], "exceptAttrs": ["b"]}},
         "http notification has attrs and exceptAttrs"),
        ({"subject": {"entities": [{"id": "E"}]}, "notification": {**url, "maxFailsLimit": 0}},
         "maxFailsLimit must be greater than zero"),
        ({"subject": {"entities": [{"id": "E"}]}, "notification": url, "status": "paused"},
         "status is not valid: it has to be either active, inactive or oneshot"),
        ({"subject": {"entities": [{"id": "E"}]}, "notification": url, "expires": "tomorrow"},
         "expires has an invalid format"),
        ({"subject": {"entities": [{"id": "E"}], "condition": {"expression": {"q": "house==flat>"}}},
          "notification": url}, "forbidden characters in String Filter"),
        ({"subject": {"entities": [{"id": "E"}]}, "notification": {"http": {"url": "http://localhost:900000"}}},
         "Invalid URL parsing notification url"),
    ]:
        r = requests.post(server.url + "/v2/subscriptions", json=body)
        assert r.status_code == 400 and r.json() == {"error": "BadRequest", "description": description}, (body, r.text)
    r = requests.post(server.url + "/v2/subscriptions", json={"subject": {"entities": [{"id": "E"}]}, "notification": url},
                      headers={"Fiware-ServicePath": "/a,/b"})
    assert r.status_code == 400 and r.json()["description"] == "max one service-path allowed for subscriptions"
    assert requests.get(server.url + "/v2/subscriptions").json() == []


def test_notifications_carry_orions_headers_and_the_subscriptions_format(server, receiver):
    tenant = {"Fiware-Service": "Nagasaki", "Fiware-ServicePath": "/harbour"}
    normalized = subscribe(server, {
        "subject": {"entities": [{"idPattern": "^Ferry", "type": "Ship"}]},
        "notification": {"http": {"url": receiver.url + "/normalized"}, "attrs": ["speed", "dateModified"]}},
        headers=tenant)
    key_values = subscribe(server, {
        "subject": {"entities": [{"id": "Ferry1"}], "condition": {"attrs": ["speed"]}},
        "notification": {"http": {"url": receiver.url + "/kv"}, "attrsFormat": "keyValues",
                         "exceptAttrs": ["name"]}}, headers={"Fiware-Service": "Nagasaki"})
    r = requests.post(server.url + "/v2/entities", headers={**tenant, "Fiware-Correlator": "trace-7"}, json={
        "id": "Ferry1", "type": "Ship", "speed": {"value": 12.5}, "name": {"value": "Kotohira"}})
    assert r.status_code == 201, r.text
    (_, _, headers, body, method), = receiver.wait("/normalized", 1)
    assert method == "POST"
    assert body["subscriptionId"] == normalized and body["data"][0]["id"] == "Ferry1"
    assert body["data"][0]["speed"] == {"type": "Number", "value": 12.5, "metadata": {}}
    assert "name" not in body["data"][0] and "dateModified" in body["data"][0]
    assert headers["Fiware-Service"] == "nagasaki" and headers["Fiware-ServicePath"] == "/harbour"
    assert headers["Ngsiv2-AttrsFormat"] == "normalized" and headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert re.fullmatch(r"orion/\d+\.\d+\.\d+ libcurl/.*", headers["User-Agent"])
    first = headers["Fiware-Correlator"]
    (_, _, headers, body, _), = receiver.wait("/kv", 1)
    assert {first, headers["Fiware-Correlator"]} == {"trace-7; cbnotif=1", "trace-7; cbnotif=2"}, \
        "the request's correlator, numbered per notification it caused"
    assert body == {"subscriptionId": key_values, "data": [{"id": "Ferry1", "type": "Ship", "speed": 12.5}]}
    assert headers["Ngsiv2-AttrsFormat"] == "keyValues"
    # An entity in another service path is not the /harbour subscription's.
    r = requests.post(server.url + "/v2/entities", headers={"Fiware-Service": "Nagasaki", "Fiware-ServicePath": "/sea"},
                      json={"id": "Ferry2", "type": "Ship", "speed": {"value": 3}})
    assert r.status_code == 201
    time.sleep(0.5)
    assert len(receiver.bodies("/normalized")) == 1
    sub = get_sub(server, normalized, tenant)
    assert sub["notification"]["timesSent"] == 1 and sub["notification"]["lastSuccessCode"] == 200
    assert requests.get(f"{server.url}/v2/subscriptions/{normalized}",
                        headers={"Fiware-Service": "Nagasaki", "Fiware-ServicePath": "/sea"}).status_code == 404
    assert requests.get(f"{server.url}/v2/subscriptions/{normalized}").status_code == 404, "another tenant"


def test_alteration_types_say_what_fires(server, receiver):
    changes = subscribe(server, {"subject": {"entities": [{"id": "Lamp1"}]},
                                 "notification": {"http": {"url": receiver.url + "/change"}, "attrsFormat": "keyValues",
                                                  "attrs": ["on", "alterationType"]}})
    updates = subscribe(server, {
        "subject": {"entities": [{"id": "Lamp1"}], "condition": {"alterationTypes": ["entityUpdate", "entityDelete"]}},
        "notification": {"http": {"url": receiver.url + "/update"}, "attrsFormat": "keyValues"}})
    assert requests.post(server.url + "/v2/entities", json={"id": "Lamp1", "type": "Lamp", "on": {"value": True}}).ok
    receiver.wait("/change", 1)
    same = requests.patch(server.url + "/v2/entities/Lamp1/attrs", json={"on": {"value": True}})
    assert same.status_code == 204
    receiver.wait("/update", 1)
    time.sleep(0.3)
    assert len(receiver.bodies("/change")) == 1, "the same value again is no change"
    assert requests.patch(server.url + "/v2/entities/Lamp1/attrs", json={"on": {"value": False}}).status_code == 204
    receiver.wait("/change", 2)
    receiver.wait("/update", 2)
    assert requests.delete(server.url + "/v2/entities/Lamp1").status_code == 204
    bodies = [r[3]["data"][0] for r in receiver.wait("/update", 3)]
    assert bodies[2] == {"id": "Lamp1", "type": "Lamp", "on": False}, "a deletion notifies the last contents"
    assert len(receiver.bodies("/change")) == 2 and changes != updates
    assert [b["data"][0]["alterationType"] for b in receiver.bodies("/change")] == ["entityCreate", "entityChange"]


def test_forced_updates_notify_and_the_callers_token_is_passed_on(server, receiver):
    subscribe(server, {"subject": {"entities": [{"id": "Gate1"}]},
                       "notification": {"http": {"url": receiver.url + "/gate"}, "attrsFormat": "keyValues"}})
    assert requests.post(server.url + "/v2/entities", json={"id": "Gate1", "type": "Gate", "open": {"value": 1}}).ok
    receiver.wait("/gate", 1)
    r = requests.patch(server.url + "/v2/entities/Gate1/attrs?options=forcedUpdate", json={"open": {"value": 1}},
                       headers={"X-Auth-Token": "tok-42"})
    assert r.status_code == 204
    (_, _, first, _, _), (_, _, headers, body, _) = receiver.wait("/gate", 2)
    assert body["data"][0]["open"] == 1 and headers["X-Auth-Token"] == "tok-42"
    assert "X-Auth-Token" not in first


def test_delivery_state_counts_answers_failures_and_oneshots(server, receiver):
    any_answer = subscribe(server, {"subject": {"entities": [{"id": "S1"}]},
                                    "notification": {"http": {"url": receiver.url + "/missing"}}})
    failing = subscribe(server, {"subject": {"entities": [{"id": "S1"}]},
                                 "notification": {"http": {"url": f"http://127.0.0.1:{closed_port()}/x"},
                                                  "maxFailsLimit": 1}})
    once = subscribe(server, {"subject": {"entities": [{"id": "S1"}]}, "status": "oneshot",
                              "notification": {"http": {"url": receiver.url + "/once"}}})
    assert requests.post(server.url + "/v2/entities", json={"id": "S1", "type": "Sensor", "v": {"value": 1}}).ok
    receiver.wait("/missing", 1)
    receiver.wait("/once", 1)
    sub = wait_for(lambda: (s := get_sub(server, any_answer))["notification"].get("lastSuccessCode") and s)
    assert sub["notification"]["lastSuccessCode"] == 404, "any HTTP answer is a delivery, its code kept"
    assert get_sub(server, once)["status"] == "inactive"
    sub = wait_for(lambda: (s := get_sub(server, failing))["notification"].get("failsCounter") and s)
    assert sub["notification"]["failsCounter"] == 1 and sub["notification"]["lastFailureReason"]
    assert sub["status"] == "active" and sub["notification"]["maxFailsLimit"] == 1
    assert requests.patch(server.url + "/v2/entities/S1/attrs", json={"v": {"value": 2}}).status_code == 204
    wait_for(lambda: get_sub(server, failing)["status"] == "inactive")
    receiver.wait("/missing", 2)
    time.sleep(0.3)
    assert len(receiver.bodies("/once")) == 1, "a oneshot sends once"
    r = requests.patch(f"{server.url}/v2/subscriptions/{once}", json={"status": "oneshot"})
    assert r.status_code == 204 and get_sub(server, once)["status"] == "oneshot"
    assert requests.patch(server.url + "/v2/entities/S1/attrs", json={"v": {"value": 3}}).status_code == 204
    receiver.wait("/once", 2)


def test_http_custom_fills_url_qs_headers_and_payloads(server, receiver):
    text = subscribe(server, {
        "subject": {"entities": [{"id": "Bus7"}]},
        "notification": {"httpCustom": {
            "url": receiver.url + "/bus/${id}", "method": "PUT", "qs": {"type": "${type}", "gone": "${nothing}"},
            "headers": {"X-Line": "${line}", "Accept": "text/plain"},
            "payload": "the %22${line}%22 bus is at ${stop}"}}})
    as_json = subscribe(server, {
        "subject": {"entities": [{"id": "Bus7"}]},
        "notification": {"httpCustom": {"url": receiver.url + "/json",
                                        "json": {"bus": "${id}", "stop": "${stop}", "text": "at ${stop}", "none": "${x}"}}}})
    r = requests.post(server.url + "/v2/entities", json={
        "id": "Bus7", "type": "Bus", "line": {"value": "Nagasaki Station"}, "stop": {"value": 12}})
    assert r.status_code == 201
    (_, _, headers, body, method), = receiver.wait("/bus/Bus7?type=Bus", 1)
    assert method == "PUT" and body == 'the "Nagasaki Station" bus is at 12'
    assert headers["X-Line"] == "Nagasaki Station" and headers["Accept"] == "text/plain"
    assert headers["Content-Type"] == "text/plain; charset=utf-8" and headers["Ngsiv2-AttrsFormat"] == "custom"
    (_, _, headers, body, method), = receiver.wait("/json", 1)
    assert method == "POST" and body == {"bus": "Bus7", "stop": 12, "text": "at 12", "none": None}
    assert get_sub(server, text)["notification"]["httpCustom"]["method"] == "PUT" and as_json


def test_a_v2_subscription_survives_a_restart(start_server, receiver):
    s = start_server()
    sid = subscribe(s, {"subject": {"entities": [{"id": "Tide1"}]},
                        "notification": {"http": {"url": receiver.url + "/tide"}, "attrsFormat": "values",
                                         "attrs": ["level"]}}, headers={"Fiware-Service": "goto"})
    before = get_sub(s, sid, {"Fiware-Service": "goto"})
    s.stop()
    s = start_server()
    assert get_sub(s, sid, {"Fiware-Service": "goto"}) == before
    assert requests.get(s.url + "/ngsi-ld/v1/subscriptions", headers={"NGSILD-Tenant": "goto"}).json() == []
    r = requests.post(s.url + "/v2/entities", headers={"Fiware-Service": "goto"},
                      json={"id": "Tide1", "type": "Tide", "level": {"value": 1.8}})
    assert r.status_code == 201
    (_, _, headers, body, _), = receiver.wait("/tide", 1)
    assert body == {"subscriptionId": sid, "data": [[1.8]]} and headers["Fiware-Service"] == "goto"


def test_covered_attributes_and_the_previous_value_and_action_type_metadata(server, receiver):
    subscribe(server, {"subject": {"entities": [{"id": "Boiler1"}]},
                       "notification": {"http": {"url": receiver.url + "/boiler"}, "attrs": ["temp", "pressure"],
                                        "covered": True, "metadata": ["previousValue", "actionType"]}})
    assert requests.post(server.url + "/v2/entities", json={"id": "Boiler1", "type": "Boiler",
                                                            "temp": {"value": 60, "type": "Number"}}).ok
    receiver.wait("/boiler", 1)
    assert requests.patch(server.url + "/v2/entities/Boiler1/attrs", json={"temp": {"value": 65, "type": "Number"}}).ok
    created, updated = [r[3]["data"][0] for r in receiver.wait("/boiler", 2)]
    assert created["pressure"] == {"type": "None", "value": None, "metadata": {}}, "covered: listed but absent"
    assert created["temp"]["metadata"] == {"actionType": {"type": "Text", "value": "append"}}
    assert updated["temp"] == {"type": "Number", "value": 65, "metadata": {
        "previousValue": {"type": "Number", "value": 60}, "actionType": {"type": "Text", "value": "update"}}}


def test_an_update_operator_notifies_even_when_the_value_stays(server, receiver):
    subscribe(server, {"subject": {"entities": [{"id": "Tags1"}]},
                       "notification": {"http": {"url": receiver.url + "/tags"}, "metadata": ["previousValue"]}})
    assert requests.post(server.url + "/v2/entities", json={"id": "Tags1", "type": "Tags", "L": {"value": [1]}}).ok
    receiver.wait("/tags", 1)
    patch = server.url + "/v2/entities/Tags1/attrs"
    assert requests.patch(patch, json={"L": {"value": [1]}}).status_code == 204  # unchanged: no notification
    assert requests.patch(patch, json={"L": {"value": {"$addToSet": 1}}}).status_code == 204  # unchanged, operated
    assert requests.patch(patch, json={"L": {"value": {"$push": 2}}}).status_code == 204
    bodies = [r[3]["data"][0]["L"] for r in receiver.wait("/tags", 3)]
    assert [b["value"] for b in bodies] == [[1], [1], [1, 2]]
    assert bodies[2]["metadata"]["previousValue"]["value"] == [1], "the value before the operator"
    time.sleep(0.3)
    assert len(receiver.bodies("/tags")) == 3


def test_mqtt_and_mqtt_custom_notifications(server, tmp_path):
    with mosquitto(tmp_path) as port:
        broker = f"mqtt://127.0.0.1:{port}"
        sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", "v2/#", "-C", "2",
                                "-W", "10", "-v"], stdout=subprocess.PIPE, text=True)
        time.sleep(0.5)
        plain = subscribe(server, {"subject": {"entities": [{"id": "Lamp1"}]},
                                   "notification": {"mqtt": {"url": broker, "topic": "v2/lamps", "qos": 1},
                                                    "attrsFormat": "keyValues"}})
        subscribe(server, {"subject": {"entities": [{"id": "Lamp1"}]},
                           "notification": {"mqttCustom": {"url": broker + "/", "topic": "v2/${id}/${type}",
                                                           "payload": "lamp ${id} ${on}", "retain": True}}})
        assert requests.post(server.url + "/v2/entities", json={"id": "Lamp1", "type": "Lamp", "on": {"value": 1}}).ok
        out, _ = sub.communicate(timeout=15)
        messages = dict(line.split(" ", 1) for line in out.splitlines())
        assert set(messages) == {"v2/lamps", "v2/Lamp1/Lamp"}
        assert json.loads(messages["v2/lamps"]) == {"subscriptionId": plain, "data": [
            {"id": "Lamp1", "type": "Lamp", "on": 1}]}
        assert messages["v2/Lamp1/Lamp"] == "lamp Lamp1 1"
        # retained: a subscriber that comes later still gets it
        late = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", "v2/Lamp1/Lamp", "-C", "1",
                               "-W", "5"], capture_output=True, text=True, timeout=10)
        assert late.stdout.strip() == "lamp Lamp1 1"
        sub_doc = wait_for(lambda: (s := get_sub(server, plain))["notification"].get("timesSent") == 1 and s)
        assert sub_doc["notification"]["mqtt"] == {"url": broker, "topic": "v2/lamps", "qos": 1, "retain": False}
        assert "lastSuccess" in sub_doc["notification"] and "lastSuccessCode" not in sub_doc["notification"]


def test_mqtt_subscriptions_are_checked_as_orion_checks_them(server):
    mqtt = {"url": "mqtt://127.0.0.1:1883", "topic": "t"}
    for notification, description in [
        ({"mqtt": {**mqtt, "url": "http://127.0.0.1:1883"}}, "http or https URL cannot be used in mqtt notifications"),
        ({"mqtt": {**mqtt, "url": "mqtt://127.0.0.1:1883/path"}}, "path cannot be used in mqtt url, use topic instead"),
        ({"mqtt": {"topic": "t"}}, "mandatory mqtt field /url/"),
        ({"mqtt": {"url": "mqtt://127.0.0.1"}}, "mandatory mqtt field /topic/"),
        ({"mqtt": {**mqtt, "topic": "a/#"}}, "+ and # are not allowed in mqtt field /topic/"),
        ({"mqtt": {**mqtt, "topic": ""}}, "empty mqtt field /topic/"),
        ({"mqtt": {**mqtt, "qos": 3}}, "mqtt qos field must be an integer in the 0 to 2 range"),
        ({"mqtt": {**mqtt, "user": "u"}}, "you must use user and passwd fields simultaneously"),
        ({"mqttCustom": {**mqtt, "json": 1}}, "json fields in httpCustom, mqttCustom or kafkaCustom must be object or array"),
        ({"mqtt": [1]}, "mqtt notification is not an object"),
    ]:
        r = requests.post(server.url + "/v2/subscriptions",
                          json={"subject": {"entities": [{"id": "E"}]}, "notification": notification})
        assert r.status_code == 400 and r.json() == {"error": "BadRequest", "description": description}, notification
    sid = subscribe(server, {"subject": {"entities": [{"id": "E"}]},
                             "notification": {"mqtt": {**mqtt, "user": "city", "passwd": "secret"}}})
    assert get_sub(server, sid)["notification"]["mqtt"] == {**mqtt, "qos": 0, "retain": False,
                                                            "user": "city", "passwd": "*****"}
