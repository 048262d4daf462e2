"""Subscriptions and notifications over real HTTP: the dejima binary, a real receiver, a real
mosquitto broker (clauses 5.8, 5.11)."""
import json
import socket
import subprocess
import time

import requests

from mosquitto import mosquitto

V1 = "/ngsi-ld/v1"
JSON = {"Content-Type": "application/json"}


def subscribe(server, receiver, path, **members):
    sub = {"type": "Subscription", "entities": [{"type": "Bus"}],
           "notification": {"endpoint": {"uri": receiver.url + path}}}
    notification = members.pop("notification", {})
    sub["notification"].update(notification)
    sub.update(members)
    r = requests.post(server.url + V1 + "/subscriptions", json=sub)
    assert r.status_code == 201, r.text
    return r.headers["Location"].rsplit("/", 1)[1]


def create_bus(server, n, speed=10, **attrs):
    e = {"id": f"urn:ngsi-ld:Bus:{n}", "type": "Bus", "speed": {"type": "Property", "value": speed}}
    e.update(attrs)
    r = requests.post(server.url + V1 + "/entities", json=e)
    assert r.status_code == 201, r.text


def patch(server, n, attrs):
    r = requests.patch(server.url + V1 + f"/entities/urn:ngsi-ld:Bus:{n}/attrs", json=attrs)
    assert r.status_code == 204, r.text


def get_sub(server, sid):
    r = requests.get(server.url + V1 + "/subscriptions/" + sid)
    assert r.status_code == 200, r.text
    return r.json()


def test_crud_and_validation(server, receiver):
    sid = subscribe(server, receiver, "/a", id="urn:ngsi-ld:Subscription:one", subscriptionName="buses",
                    watchedAttributes=["speed"], q="speed>50")
    assert sid == "urn:ngsi-ld:Subscription:one"
    s = get_sub(server, sid)
    assert s["status"] == "active" and "isActive" not in s  # shown only when given
    assert "timesSent" not in s["notification"] and "timesFailed" not in s["notification"], "nothing sent yet"
    assert s["q"] == "speed>50" and s["subscriptionName"] == "buses"
    r = requests.post(server.url + V1 + "/subscriptions",
                      json={"id": sid, "type": "Subscription", "entities": [{"type": "Bus"}],
                            "notification": {"endpoint": {"uri": "http://127.0.0.1:9/x"}}})
    assert r.status_code == 409 and r.json()["type"].endswith("AlreadyExists")
    subscribe(server, receiver, "/b")
    r = requests.get(server.url + V1 + "/subscriptions?limit=1&count=true")
    assert r.status_code == 200 and r.headers["NGSILD-Results-Count"] == "2" and len(r.json()) == 1
    assert '</ngsi-ld/v1/subscriptions?count=true&limit=1&offset=1>;rel="next"' in r.headers["Link"]

    r = requests.patch(server.url + V1 + "/subscriptions/" + sid, json={"throttling": 5, "isActive": False})
    assert r.status_code == 204, r.text
    s = get_sub(server, sid)
    assert s["throttling"] == 5 and s["status"] == "paused" and s["isActive"] is False and s["q"] == "speed>50"
    assert requests.patch(server.url + V1 + "/subscriptions/" + sid, json={"timeInterval": 3}).status_code == 400

    bad = [
        {"type": "Subscription", "entities": [{"type": "Bus"}]},  # no notification
        {"type": "Subscription", "notification": {"endpoint": {"uri": "http://x/y"}}},  # nothing selected
        {"type": "Subscription", "entities": [{"id": "urn:a"}], "notification": {"endpoint": {"uri": "http://x/y"}}},
        {"type": "Subscription", "entities": [{"type": "Bus"}], "throttling": 2, "timeInterval": 4,
         "notification": {"endpoint": {"uri": "http://x/y"}}},
        {"type": "Subscription", "entities": [{"type": "Bus"}], "q": "speed>>", "notification": {"endpoint": {"uri": "http://x/y"}}},
        {"type": "Subscription", "entities": [{"type": "Bus"}],
         "geoQ": {"georel": "near;maxDistance==10", "geometry": "Point", "coordinates": [200, 1]},
         "notification": {"endpoint": {"uri": "http://x/y"}}},
        {"type": "Subscription", "entities": [{"type": "Bus"}], "notification": {"endpoint": {"uri": "ftp://x/y"}}},
        {"type": "Subscription", "entities": [{"type": "Bus"}], "notificationTrigger": ["entityExploded"],
         "notification": {"endpoint": {"uri": "http://x/y"}}},
        {"type": "Subscription", "entities": [{"type": "Bus"}], "expiresAt": "2001-01-01T00:00:00Z",
         "notification": {"endpoint": {"uri": "http://x/y"}}},
        {"type": "Subscription", "entities": [{"type": "Bus"}], "notification": {"format": "pretty", "endpoint": {"uri": "http://x/y"}}},
        {"type": "Entity", "entities": [{"type": "Bus"}], "notification": {"endpoint": {"uri": "http://x/y"}}},
    ]
    for body in bad:
        r = requests.post(server.url + V1 + "/subscriptions", json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.headers["Content-Type"].startswith("application/json") and r.json()["type"].endswith("BadRequestData")

    assert requests.delete(server.url + V1 + "/subscriptions/" + sid).status_code == 204
    r = requests.get(server.url + V1 + "/subscriptions/" + sid)
    assert r.status_code == 404 and r.json()["type"].endswith("ResourceNotFound")
    assert requests.delete(server.url + V1 + "/subscriptions/" + sid).status_code == 404


def test_triggers_filters_and_formats(server, receiver):
    subscribe(server, receiver, "/watch", watchedAttributes=["speed"])
    subscribe(server, receiver, "/fast", q="speed>50", notification={"format": "keyValues", "attributes": ["speed"]})
    subscribe(server, receiver, "/all", notificationTrigger=["entityCreated", "entityUpdated", "entityDeleted"],
              notification={"showChanges": True, "endpoint": {"uri": receiver.url + "/all",
                                                              "receiverInfo": [{"key": "X-Token", "value": "abc"}]}})
    create_bus(server, 1, speed=10, brand={"type": "Property", "value": "A"})
    [(_, _, headers, n, _)] = receiver.wait("/watch", 1)
    assert n["type"] == "Notification" and n["triggerReason"] == "attributeCreated"
    assert n["data"][0]["id"] == "urn:ngsi-ld:Bus:1" and n["data"][0]["speed"]["value"] == 10
    assert headers["Content-Type"] == "application/json" and "ngsi-ld-core-context" in headers["Link"]

    patch(server, 1, {"brand": {"type": "Property", "value": "B"}})  # not watched by /watch
    patch(server, 1, {"speed": {"type": "Property", "value": 70}})
    watch = receiver.wait("/watch", 2)
    assert watch[1][3]["triggerReason"] == "attributeUpdated" and watch[1][3]["data"][0]["speed"]["value"] == 70
    [(_, _, _, fast, _)] = receiver.wait("/fast", 1)
    assert fast["data"] == [{"id": "urn:ngsi-ld:Bus:1", "type": "Bus", "speed": 70}]

    patch(server, 1, {"brand": {"type": "Property", "value": "urn:ngsi-ld:null"}})  # deletes brand
    requests.delete(server.url + V1 + "/entities/urn:ngsi-ld:Bus:1").raise_for_status()
    everything = receiver.wait("/all", 5)
    assert [r[3]["triggerReason"] for r in everything] == ["entityCreated", "entityUpdated", "entityUpdated",
                                                           "entityUpdated", "entityDeleted"]
    assert everything[0][2]["X-Token"] == "abc"
    assert everything[2][3]["data"][0]["speed"] == {"type": "Property", "value": 70, "previousValue": 10}
    # a deleted attribute is NGSI-LD Null; a deleted entity shows deletedAt and (showChanges) its attributes as Null
    assert everything[3][3]["data"][0]["brand"] == {"type": "Property", "value": "urn:ngsi-ld:null", "previousValue": "B"}
    gone = everything[4][3]["data"][0]
    assert gone["id"] == "urn:ngsi-ld:Bus:1" and "deletedAt" in gone
    assert gone["speed"] == {"type": "Property", "value": "urn:ngsi-ld:null", "previousValue": 70} and "brand" not in gone
    time.sleep(0.3)
    assert len(receiver.bodies("/watch")) == 2 and len(receiver.bodies("/fast")) == 1
    assert get_sub(server, requests.get(server.url + V1 + "/subscriptions").json()[0]["id"])["notification"]["status"] == "ok"


def test_geoq_and_tenants(server, receiver):
    subscribe(server, receiver, "/near",
              geoQ={"georel": "near;maxDistance==1000", "geometry": "Point", "coordinates": [129.8737, 32.7503]})
    r = requests.post(server.url + V1 + "/subscriptions", headers={"NGSILD-Tenant": "sasebo"},
                      json={"type": "Subscription", "entities": [{"type": "Bus"}],
                            "notification": {"endpoint": {"uri": receiver.url + "/sasebo"}}})
    assert r.status_code == 201
    subscribe(server, receiver, "/bus2", entities=[{"id": "urn:ngsi-ld:Bus:2", "type": "Bus"}])
    subscribe(server, receiver, "/pattern", entities=[{"idPattern": ":Bus:[2-9]$", "type": "Bus"}])
    create_bus(server, 1, location={"type": "GeoProperty", "value": {"type": "Point", "coordinates": [129.8740, 32.7510]}})
    create_bus(server, 2, location={"type": "GeoProperty", "value": {"type": "Point", "coordinates": [129.7000, 33.1700]}})
    [(_, _, _, n, _)] = receiver.wait("/near", 1)
    assert n["data"][0]["id"] == "urn:ngsi-ld:Bus:1"
    r = requests.post(server.url + V1 + "/entities", headers={"NGSILD-Tenant": "sasebo"},
                      json={"id": "urn:ngsi-ld:Bus:9", "type": "Bus", "speed": {"type": "Property", "value": 1}})
    assert r.status_code == 201
    [(_, _, headers, n, _)] = receiver.wait("/sasebo", 1)
    assert n["data"][0]["id"] == "urn:ngsi-ld:Bus:9" and headers["NGSILD-Tenant"] == "sasebo"
    time.sleep(0.3)
    assert len(receiver.bodies("/near")) == 1 and len(receiver.bodies("/sasebo")) == 1
    for path in ("/bus2", "/pattern"):
        assert [n["data"][0]["id"] for n in receiver.bodies(path)] == ["urn:ngsi-ld:Bus:2"]


def test_throttling_interval_and_expiry(server, receiver):
    create_bus(server, 1)
    subscribe(server, receiver, "/throttled", throttling=30)
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
    expiring = subscribe(server, receiver, "/expiring", expiresAt=expires)
    subscribe(server, receiver, "/periodic", timeInterval=1)
    for v in (1, 2, 3):
        patch(server, 1, {"speed": {"type": "Property", "value": v}})
    receiver.wait("/throttled", 1)
    receiver.wait("/expiring", 3)
    periodic = receiver.wait("/periodic", 2, timeout=4)
    assert periodic[0][3]["data"][0]["id"] == "urn:ngsi-ld:Bus:1"
    assert 0.7 < periodic[1][0] - periodic[0][0] < 1.5
    time.sleep(max(0, time.mktime(time.strptime(expires, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone - time.time() + 0.3))
    patch(server, 1, {"speed": {"type": "Property", "value": 4}})
    time.sleep(0.5)
    assert len(receiver.bodies("/throttled")) == 1 and len(receiver.bodies("/expiring")) == 3
    assert get_sub(server, expiring)["status"] == "expired"


def test_dead_and_slow_endpoints_do_not_delay_others(start_server, receiver):
    server = start_server("--notify-attempts", "2")
    create_bus(server, 1)
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    r = requests.post(server.url + V1 + "/subscriptions",
                      json={"type": "Subscription", "entities": [{"type": "Bus"}],
                            "notification": {"endpoint": {"uri": f"http://127.0.0.1:{dead_port}/x"}}})
    dead = r.headers["Location"].rsplit("/", 1)[1]
    failing = subscribe(server, receiver, "/fail")
    subscribe(server, receiver, "/slow")
    subscribe(server, receiver, "/quick")
    start = time.time()
    patch(server, 1, {"speed": {"type": "Property", "value": 99}})
    receiver.wait("/quick", 1)
    assert time.time() - start < 1.0  # not behind the 2 s receiver or the dead port
    receiver.wait("/slow", 1, timeout=5)
    receiver.wait("/fail", 2)  # first try and one retry
    deadline = time.time() + 5
    while time.time() < deadline:
        s = get_sub(server, dead)["notification"]
        if s.get("timesFailed") == 1:
            break
        time.sleep(0.1)
    # sent (handed to the sender), then failed
    assert s["timesFailed"] == 1 and s["status"] == "failed" and "lastFailure" in s and s["timesSent"] == 1
    f = get_sub(server, failing)["notification"]
    assert f["timesFailed"] == 1 and f["status"] == "failed"


def test_subscriptions_survive_restart(start_server, receiver, tmp_path):
    server = start_server()
    sid = subscribe(server, receiver, "/kept", watchedAttributes=["speed"], q="speed>5",
                    notification={"format": "concise"}, expiresAt="2099-01-01T00:00:00Z")
    server.stop()
    server = start_server()
    s = get_sub(server, sid)
    assert s["q"] == "speed>5" and s["expiresAt"] == "2099-01-01T00:00:00Z" and s["status"] == "active"
    create_bus(server, 1, speed=9)
    [(_, _, _, n, _)] = receiver.wait("/kept", 1)
    assert n["data"][0]["speed"] == 9

    # The delivery state (timesSent, lastSuccess, ...) is kept too: at shutdown, and every 5 s.
    patch(server, 1, {"speed": {"type": "Property", "value": 12}})
    receiver.wait("/kept", 2)
    deadline = time.time() + 5
    def delivered(n):  # timesSent counts a notification as it leaves; lastSuccess follows its response
        return n.get("timesSent") == 2 and n.get("lastSuccess", "") >= n["lastNotification"]
    while time.time() < deadline and not delivered(get_sub(server, sid)["notification"]):
        time.sleep(0.05)
    before = get_sub(server, sid)["notification"]
    assert before["timesSent"] == 2 and before["status"] == "ok"
    server.stop()
    server = start_server()
    after = get_sub(server, sid)["notification"]
    for key in ("timesSent", "timesFailed", "lastNotification", "lastSuccess", "status"):
        assert after.get(key) == before.get(key), (key, before, after)
    patch(server, 1, {"speed": {"type": "Property", "value": 13}})
    receiver.wait("/kept", 3)
    time.sleep(5.5)  # the timer keeps it every 5 s: a kill -9 now loses nothing
    server.kill9()
    server = start_server()
    assert get_sub(server, sid)["notification"]["timesSent"] == 3


def test_mqtt_notifications(server, tmp_path):
    with mosquitto(tmp_path) as port:
        sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", "dejima/#", "-C", "2",
                                "-W", "10", "-q", "1"], stdout=subprocess.PIPE, text=True)
        time.sleep(0.5)
        for qos in ("0", "2"):
            r = requests.post(server.url + V1 + "/subscriptions",
                              json={"type": "Subscription", "entities": [{"type": "Bus"}],
                                    "notification": {"endpoint": {
                                        "uri": f"mqtt://127.0.0.1:{port}/dejima/qos{qos}",
                                        "notifierInfo": [{"key": "MQTT-QoS", "value": qos}],
                                        "receiverInfo": [{"key": "X-Token", "value": "t"}]}}})
            assert r.status_code == 201, r.text
        create_bus(server, 1, speed=33)
        out, _ = sub.communicate(timeout=15)
        messages = [json.loads(line) for line in out.splitlines()]
        assert len(messages) == 2
        for m in messages:
            assert m["metadata"]["Content-Type"] == "application/json" and m["metadata"]["X-Token"] == "t"
            assert m["body"]["type"] == "Notification" and m["body"]["data"][0]["speed"]["value"] == 33



def test_notifications_use_the_subscription_context(server, receiver):
    """A subscription made in application/ld+json with "@context": [url] notifies with that context:
    terms compacted by it, and its URL in the Link header."""
    r = requests.post(server.url + V1 + "/jsonldContexts",
                      json={"@context": {"Bus": "https://dm.example.jp/Bus", "pace": "https://dm.example.jp/speed"}})
    assert r.status_code == 201, r.text
    url = server.url + r.headers["Location"]
    sub = {"type": "Subscription", "entities": [{"type": "Bus"}],
           "notification": {"endpoint": {"uri": receiver.url + "/ctx"}}, "@context": [url]}
    r = requests.post(server.url + V1 + "/subscriptions", data=json.dumps(sub),
                      headers={"Content-Type": "application/ld+json"})
    assert r.status_code == 201, r.text
    e = {"id": "urn:ngsi-ld:Bus:ctx", "type": "Bus", "pace": {"type": "Property", "value": 40}, "@context": [url]}
    r = requests.post(server.url + V1 + "/entities", data=json.dumps(e), headers={"Content-Type": "application/ld+json"})
    assert r.status_code == 201, r.text
    [(_, _, headers, n, _)] = receiver.wait("/ctx", 1)
    assert n["data"][0]["pace"]["value"] == 40 and n["data"][0]["type"] == "Bus"
    assert headers["Link"].startswith("<" + url + ">")
    # endpoint.accept application/ld+json: no Link header, the @context in the body and each entity
    sub["notification"] = {"endpoint": {"uri": receiver.url + "/ld", "accept": "application/ld+json"}}
    r = requests.post(server.url + V1 + "/subscriptions", data=json.dumps(sub),
                      headers={"Content-Type": "application/ld+json"})
    assert r.status_code == 201, r.text
    r = requests.post(server.url + V1 + "/entities/urn:ngsi-ld:Bus:ctx/attrs", json={"note": {"type": "Property", "value": 1}})
    assert r.status_code == 204, r.text
    [(_, _, headers, n, _)] = receiver.wait("/ld", 1)
    assert "Link" not in headers and headers["Content-Type"] == "application/ld+json"
    assert n["@context"] == url and n["data"][0]["@context"] == url


def test_subscription_terms_follow_the_readers_context(server, receiver):
    """Type and attribute names are kept expanded: a reader sees them compacted with its own
    @context (full IRIs with the core context), and a PATCH made with another @context leaves the
    names it does not touch meaning what they meant."""
    r = requests.post(server.url + V1 + "/jsonldContexts",
                      json={"@context": {"Ferry": "https://dm.example.jp/Ferry", "pace": "https://dm.example.jp/speed"}})
    url = server.url + r.headers["Location"]
    link = {"Link": f'<{url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'}
    sub = {"type": "Subscription", "entities": [{"type": "Ferry"}], "watchedAttributes": ["pace"],
           "notification": {"attributes": ["pace"], "endpoint": {"uri": receiver.url + "/terms"}}}
    r = requests.post(server.url + V1 + "/subscriptions", json=sub, headers=link)
    assert r.status_code == 201, r.text
    sid = r.headers["Location"].rsplit("/", 1)[1]
    mine = requests.get(server.url + V1 + "/subscriptions/" + sid, headers=link).json()
    assert mine["entities"] == [{"type": "Ferry"}] and mine["watchedAttributes"] == ["pace"]
    assert mine["notification"]["attributes"] == ["pace"]
    core = get_sub(server, sid)
    assert core["entities"] == [{"type": "https://dm.example.jp/Ferry"}]
    assert core["watchedAttributes"] == ["https://dm.example.jp/speed"]
    ld = requests.get(server.url + V1 + "/subscriptions/" + sid, headers={**link, "Accept": "application/ld+json"})
    assert ld.json()["@context"] == url and ld.json()["watchedAttributes"] == ["pace"]
    # A PATCH with the core context: "pace" stays https://dm.example.jp/speed.
    r = requests.patch(server.url + V1 + "/subscriptions/" + sid, json={"throttling": 1})
    assert r.status_code == 204, r.text
    core = get_sub(server, sid)
    assert core["watchedAttributes"] == ["https://dm.example.jp/speed"] and core["throttling"] == 1
    assert core["notification"]["attributes"] == ["https://dm.example.jp/speed"]
    e = {"id": "urn:ngsi-ld:Ferry:1", "type": "Ferry", "pace": {"type": "Property", "value": 12}}
    assert requests.post(server.url + V1 + "/entities", json=e, headers=link).status_code == 201
    [(_, _, _, n, _)] = receiver.wait("/terms", 1)
    assert n["data"][0]["pace"]["value"] == 12
    # Names the PATCH writes expand with its own context.
    r = requests.patch(server.url + V1 + "/subscriptions/" + sid, json={"watchedAttributes": ["pace"]})
    assert r.status_code == 204, r.text
    assert get_sub(server, sid)["watchedAttributes"] == ["pace"]
    mine = requests.get(server.url + V1 + "/subscriptions/" + sid, headers=link).json()
    assert mine["watchedAttributes"] == ["ngsi-ld:default-context/pace"]  # pace means another IRI here


def test_notification_pick_and_omit(server, receiver):
    subscribe(server, receiver, "/pick", notification={"pick": ["id", "speed"], "format": "keyValues"})
    subscribe(server, receiver, "/omit", notification={"omit": ["type", "brand"], "format": "keyValues"})
    create_bus(server, 7, speed=33, brand={"type": "Property", "value": "A"})
    [(_, _, _, picked, _)] = receiver.wait("/pick", 1)
    assert picked["data"] == [{"id": "urn:ngsi-ld:Bus:7", "speed": 33}]
    [(_, _, _, omitted, _)] = receiver.wait("/omit", 1)
    assert omitted["data"] == [{"id": "urn:ngsi-ld:Bus:7", "speed": 33}]
    for notification in ({"pick": ["id"], "omit": ["type"]}, {"pick": ["id"], "attributes": ["speed"]},
                         {"omit": ["type"], "attributes": ["speed"]}, {"pick": []}):
        sub = {"type": "Subscription", "entities": [{"type": "Bus"}],
               "notification": {"endpoint": {"uri": receiver.url + "/x"}, **notification}}
        r = requests.post(server.url + V1 + "/subscriptions", json=sub)
        assert r.status_code == 400 and r.json()["type"].endswith("BadRequestData"), (notification, r.text)


def test_attribute_deleted_trigger(server, receiver):
    """attributeDeleted fires for one datasetId instance that goes, and for the watched attributes of
    a deleted entity, which the notification shows as NGSI-LD Null (with deletedAt under sysAttrs)."""
    subscribe(server, receiver, "/gone", watchedAttributes=["speed"], notificationTrigger=["attributeDeleted"],
              notification={"sysAttrs": True})
    create_bus(server, 8, speed=20, brand={"type": "Property", "value": "A"})
    r = requests.post(server.url + V1 + "/entities/urn:ngsi-ld:Bus:8/attrs",
                      json={"speed": {"type": "Property", "value": 21, "datasetId": "urn:ngsi-ld:Dataset:gps"}})
    assert r.status_code == 204, r.text
    r = requests.delete(server.url + V1 + "/entities/urn:ngsi-ld:Bus:8/attrs/speed",
                        params={"datasetId": "urn:ngsi-ld:Dataset:gps"})
    assert r.status_code == 204, r.text
    [(_, _, _, one, _)] = receiver.wait("/gone", 1)
    assert one["triggerReason"] == "attributeDeleted"
    gone = [i for i in one["data"][0]["speed"] if i.get("datasetId") == "urn:ngsi-ld:Dataset:gps"]
    assert gone[0]["value"] == "urn:ngsi-ld:null" and "deletedAt" in gone[0]
    requests.delete(server.url + V1 + "/entities/urn:ngsi-ld:Bus:8").raise_for_status()
    entity = receiver.wait("/gone", 2)[1][3]["data"][0]
    assert "deletedAt" in entity and entity["speed"]["value"] == "urn:ngsi-ld:null" and "brand" not in entity


def test_dataset_ids_in_notifications(server, receiver):
    """A subscription's datasetId keeps only those instances in its notifications ("@none": the
    default one); keyValues shows several instances as a dataset map (clause 4.5.4)."""
    subscribe(server, receiver, "/gps", datasetId=["urn:ngsi-ld:Dataset:gps"])
    subscribe(server, receiver, "/all", notification={"format": "keyValues"})
    two = [{"type": "Property", "value": 40}, {"type": "Property", "value": 41, "datasetId": "urn:ngsi-ld:Dataset:gps"}]
    create_bus(server, 9, speed=0, brand={"type": "Property", "value": "A"})
    r = requests.post(server.url + V1 + "/entities/urn:ngsi-ld:Bus:9/attrs", json={"speed": two})
    assert r.status_code == 204, r.text
    gps = receiver.wait("/gps", 2)[1][3]["data"][0]
    assert gps["speed"] == {"type": "Property", "value": 41, "datasetId": "urn:ngsi-ld:Dataset:gps"}
    assert "brand" not in gps  # only instances of the listed datasets
    everything = receiver.wait("/all", 2)[1][3]["data"][0]
    assert everything["speed"] == {"dataset": {"@none": 40, "urn:ngsi-ld:Dataset:gps": 41}}
    for bad in (["not a uri"], [], "urn:ngsi-ld:Dataset:gps"):
        sub = {"type": "Subscription", "entities": [{"type": "Bus"}], "datasetId": bad,
               "notification": {"endpoint": {"uri": receiver.url + "/x"}}}
        r = requests.post(server.url + V1 + "/subscriptions", json=sub)
        assert r.status_code == 400 and r.json()["type"].endswith("BadRequestData"), (bad, r.text)
