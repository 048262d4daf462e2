"""Untrusted input at the edges: bodies, paths and parameters that are not UTF-8 are 400 (they
used to be stored and served back as invalid JSON), and every URL a client makes Dejima call —
a remote @context, a notification endpoint, a connector source — goes through the egress
policy (--egress-deny / --egress-allow; link-local and cloud metadata addresses denied by
default), refused with a ProblemDetails that names the policy."""
import time

import requests

from receiver import Receiver

ENTITIES = "/ngsi-ld/v1/entities"
SUBSCRIPTIONS = "/ngsi-ld/v1/subscriptions"
CONNECTORS = "/dejima/v1/connectors"
JSON = {"Content-Type": "application/json"}


def link(url):
    return {"Link": f'<{url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'}


def subscription(uri, sid="urn:ngsi-ld:Subscription:egress"):
    return {"id": sid, "type": "Subscription", "entities": [{"type": "Sensor"}],
            "notification": {"endpoint": {"uri": uri}}}


def test_bodies_paths_and_parameters_that_are_not_utf8_are_400(server):
    bad = b'{"id":"urn:ngsi-ld:Sensor:1","type":"Sensor","name":{"type":"Property","value":"\xff\xfe"}}'
    r = requests.post(server.url + ENTITIES, data=bad, headers=JSON)
    assert r.status_code == 400, r.text
    assert r.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/InvalidRequest"
    assert "encoding" in r.json()["detail"].lower()
    assert requests.get(server.url + ENTITIES + "/urn:ngsi-ld:Sensor:1").status_code == 404
    # A truncated multi-byte sequence at the end of a string.
    r = requests.post(server.url + ENTITIES, data='{"id":"urn:ngsi-ld:Sensor:2","type":"出'.encode()[:-1] + b'"}',
                      headers=JSON)
    assert r.status_code == 400
    good = '{"id":"urn:ngsi-ld:Sensor:3","type":"Sensor","name":{"type":"Property","value":"出島"}}'.encode()
    assert requests.post(server.url + ENTITIES, data=good, headers=JSON).status_code == 201
    r = requests.get(server.url + ENTITIES + "/urn:ngsi-ld:Sensor:%FF")
    assert r.status_code == 400 and "UTF-8" in r.json()["detail"]
    r = requests.get(server.url + ENTITIES + "?type=Sensor&q=name==%22%C3%28%22")
    assert r.status_code == 400 and "UTF-8" in r.json()["detail"]
    r = requests.get(server.url + ENTITIES + "?type=Sensor&q=name==%22%E5%87%BA%E5%B3%B6%22")
    assert r.status_code == 200 and [e["id"] for e in r.json()] == ["urn:ngsi-ld:Sensor:3"]


def test_link_local_destinations_are_refused_by_default(server):
    for uri in ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]:8080/n", "mqtt://169.254.1.1:1883/t",
                "http://100.100.100.200/"]:
        r = requests.post(server.url + SUBSCRIPTIONS, json=subscription(uri))
        assert r.status_code == 400, (uri, r.text)
        assert r.json()["title"] == "Refused by the egress policy"
        assert "egress-deny" in r.json()["detail"]
    assert requests.get(server.url + SUBSCRIPTIONS).json() == []
    r = requests.post(server.url + ENTITIES, json={"id": "urn:ngsi-ld:Sensor:9", "type": "Sensor"},
                      headers=link("http://169.254.169.254/ctx.jsonld"))
    assert r.status_code == 503
    assert r.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/LdContextNotAvailable"
    assert "egress" in r.json()["detail"]
    r = requests.post(server.url + CONNECTORS, json={"name": "meta", "source": "http://169.254.169.254/x.csv",
                                                    "format": "csv", "type": "Place"})
    assert r.status_code == 400 and "egress" in r.json()["detail"]


def test_a_denied_network_refuses_names_that_resolve_into_it(start_server):
    receiver = Receiver().start()
    try:
        s = start_server("--egress-deny", "127.0.0.0/8,::1", "--notify-attempts", "1")
        literal = receiver.url + "/n"
        r = requests.post(s.url + SUBSCRIPTIONS, json=subscription(literal))
        assert r.status_code == 400 and "127.0.0.0/8" in r.json()["detail"]
        # A name passes the check at creation; the address it connects to is refused.
        named = literal.replace("127.0.0.1", "localhost")
        assert requests.post(s.url + SUBSCRIPTIONS, json=subscription(named)).status_code == 201
        assert requests.post(s.url + ENTITIES, json={"id": "urn:ngsi-ld:Sensor:1", "type": "Sensor",
                                                     "t": {"type": "Property", "value": 1}}).status_code == 201
        notification = {}
        for _ in range(100):
            notification = requests.get(s.url + SUBSCRIPTIONS + "/urn:ngsi-ld:Subscription:egress").json()["notification"]
            if notification.get("timesFailed"):
                break
            time.sleep(0.05)
        assert notification["timesFailed"] == 1 and notification["status"] == "failed", notification
        assert receiver.received == []
    finally:
        receiver.stop()


def test_an_allow_list_admits_only_its_networks(start_server):
    receiver = Receiver().start()
    try:
        s = start_server("--egress-allow", "127.0.0.0/8")
        ok = receiver.url + "/n"
        assert requests.post(s.url + SUBSCRIPTIONS, json=subscription(ok)).status_code == 201
        r = requests.post(s.url + SUBSCRIPTIONS, json=subscription("http://192.0.2.1/n", "urn:ngsi-ld:Subscription:x"))
        assert r.status_code == 400 and "egress-allow" in r.json()["detail"]
        assert requests.post(s.url + ENTITIES, json={"id": "urn:ngsi-ld:Sensor:1", "type": "Sensor",
                                                     "t": {"type": "Property", "value": 1}}).status_code == 201
        with receiver.cond:
            receiver.cond.wait_for(lambda: receiver.received, timeout=10)
        assert len(receiver.received) == 1
    finally:
        receiver.stop()


def test_a_bad_egress_setting_stops_the_start(tmp_path):
    import subprocess
    from dejima_server import BIN
    r = subprocess.run([BIN, "serve", "--port", "0", "--data-dir", str(tmp_path), "--egress-deny", "10.0.0.0/40"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "egress-deny" in r.stderr
