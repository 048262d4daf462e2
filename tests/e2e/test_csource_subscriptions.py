"""Context source registration subscriptions (NGSI-LD 5.11, /ngsi-ld/v1/csourceSubscriptions): kept
apart from entity subscriptions, notified when a registration starts to match (newlyMatching),
changes (updated), stops matching or is deleted (noLongerMatching); a timeInterval one is told
every matching registration at once and every interval; entity writes never notify them; they
survive a restart with their delivery counters."""
import time

import requests

SUBS = "/ngsi-ld/v1/csourceSubscriptions"
REGS = "/ngsi-ld/v1/csourceRegistrations"
JSON = {"Content-Type": "application/json"}


def subscribe(server, receiver, path, **extra):
    body = {"type": "Subscription", "entities": [{"type": "Bus"}], "watchedAttributes": ["speed"],
            "notification": {"endpoint": {"uri": receiver.url + path}}, **extra}
    body = {k: v for k, v in body.items() if v is not None}
    r = requests.post(server.url + SUBS, json=body, headers=JSON)
    assert r.status_code == 201, r.text
    assert r.headers["Location"].startswith(SUBS + "/urn:")
    return r.headers["Location"]


def register(server, information, endpoint="http://127.0.0.1:9/source"):
    body = {"type": "ContextSourceRegistration", "information": information, "endpoint": endpoint}
    r = requests.post(server.url + REGS, json=body, headers=JSON)
    assert r.status_code == 201, r.text
    return r.headers["Location"]


def reasons(notes):
    return [(n[3]["triggerReason"], [d["id"] for d in n[3]["data"]]) for n in notes]


def test_registration_changes_are_notified_by_trigger_reason(start_server, tmp_path, receiver):
    s = start_server()
    sub = subscribe(s, receiver, "/n")
    sub_id = sub.rsplit("/", 1)[1]
    assert [x["id"] for x in requests.get(s.url + SUBS).json()] == [sub_id]
    assert requests.get(s.url + "/ngsi-ld/v1/subscriptions").json() == [], "kept apart from entity subscriptions"
    assert requests.get(f"{s.url}/ngsi-ld/v1/subscriptions/{sub_id}").status_code == 404
    # One id per tenant across both collections.
    r = requests.post(s.url + "/ngsi-ld/v1/subscriptions", headers=JSON,
                      json={"id": sub_id, "type": "Subscription", "entities": [{"type": "Bus"}],
                            "notification": {"endpoint": {"uri": receiver.url + "/e"}}})
    assert r.status_code == 409, r.text
    bus = register(s, [{"entities": [{"type": "Bus"}], "propertyNames": ["speed", "fuel"]}])
    bus_id = bus.rsplit("/", 1)[1]
    register(s, [{"entities": [{"type": "Car"}]}])  # another type: not notified
    register(s, [{"entities": [{"type": "Bus"}], "propertyNames": ["fuel"]}])  # not a watched attribute
    notes = receiver.wait("/n", 1)
    assert reasons(notes) == [("newlyMatching", [bus_id])]
    note = notes[0][3]
    assert note["type"] == "ContextSourceNotification" and note["subscriptionId"] == sub_id and note["id"].startswith("urn:")
    assert note["data"][0]["type"] == "ContextSourceRegistration"
    assert note["data"][0]["information"] == [{"entities": [{"type": "Bus"}], "propertyNames": ["speed", "fuel"]}]
    r = requests.patch(s.url + bus, json={"endpoint": "http://127.0.0.1:9/other"}, headers=JSON)
    assert r.status_code == 204, r.text
    r = requests.patch(s.url + bus, json={"information": [{"entities": [{"type": "Bus"}], "propertyNames": ["fuel"]}]},
                       headers=JSON)
    assert r.status_code == 204, r.text
    back = register(s, [{"entities": [{"type": "Bus"}]}])  # every attribute, speed too
    assert requests.delete(s.url + back).status_code == 204
    # An entity write concerns entity subscriptions only.
    requests.post(s.url + "/ngsi-ld/v1/entities", headers=JSON,
                  json={"id": "urn:ngsi-ld:Bus:1", "type": "Bus", "speed": {"type": "Property", "value": 1}})
    notes = receiver.wait("/n", 5)
    time.sleep(0.3)
    back_id = back.rsplit("/", 1)[1]
    assert reasons(receiver.wait("/n", 5)) == [
        ("newlyMatching", [bus_id]), ("updated", [bus_id]), ("noLongerMatching", [bus_id]),
        ("newlyMatching", [back_id]), ("noLongerMatching", [back_id])]
    assert receiver.wait("/n", 5)[2][3]["data"][0]["endpoint"] == "http://127.0.0.1:9/other"
    shown = requests.get(s.url + sub).json()
    assert shown["notification"]["timesSent"] == 5 and shown["status"] == "active"
    # Paused: nothing; kept across a restart with its counters.
    assert requests.patch(s.url + sub, json={"isActive": False}, headers=JSON).status_code == 204
    register(s, [{"entities": [{"type": "Bus"}]}])
    time.sleep(0.3)
    assert len(receiver.bodies("/n")) == 5
    s.stop()
    s = start_server()
    time.sleep(0.2)
    shown = requests.get(s.url + sub).json()
    assert shown["notification"]["timesSent"] == 5 and shown["isActive"] is False
    assert requests.patch(s.url + sub, json={"isActive": True}, headers=JSON).status_code == 204
    late = register(s, [{"entities": [{"type": "Bus"}], "propertyNames": ["speed"]}])
    assert reasons(receiver.wait("/n", 6))[-1] == ("newlyMatching", [late.rsplit("/", 1)[1]])
    assert requests.delete(s.url + sub).status_code == 204
    assert requests.get(s.url + sub).status_code == 404


def test_a_periodic_subscription_is_told_every_matching_registration(server, receiver):
    a = register(server, [{"entities": [{"type": "Bus"}]}])
    b = register(server, [{"entities": [{"id": "urn:ngsi-ld:Bus:7", "type": "Bus"}], "propertyNames": ["speed"]}])
    register(server, [{"entities": [{"type": "Car"}]}])
    subscribe(server, receiver, "/p", timeInterval=1, watchedAttributes=None)
    first = receiver.wait("/p", 1)[0][3]
    assert sorted(d["id"] for d in first["data"]) == sorted([a.rsplit("/", 1)[1], b.rsplit("/", 1)[1]])
    assert "triggerReason" not in first
    assert len(receiver.wait("/p", 2, timeout=3)) >= 2, "again after the interval"


def test_temporal_q_is_matched_against_the_observation_interval(server, receiver):
    sub = {"temporalQ": {"timerel": "after", "timeAt": "2020-06-01T00:00:00Z"}, "watchedAttributes": None}
    subscribe(server, receiver, "/t", **sub)
    body = {"type": "ContextSourceRegistration", "information": [{"entities": [{"type": "Bus"}]}],
            "endpoint": "http://127.0.0.1:9/source"}
    for start, end in (("2019-01-01T00:00:00Z", "2019-12-31T00:00:00Z"), ("2020-08-01T00:00:00Z", "2021-08-01T00:00:00Z")):
        r = requests.post(server.url + REGS, headers=JSON,
                          json={**body, "observationInterval": {"startAt": start, "endAt": end}})
        assert r.status_code == 201, r.text
    later = r.headers["Location"].rsplit("/", 1)[1]
    assert reasons(receiver.wait("/t", 1)) == [("newlyMatching", [later])]
    time.sleep(0.3)
    assert len(receiver.bodies("/t")) == 1, "the 2019 registration is outside the temporal query"
    for bad in ({"timerel": "sometime", "timeAt": "2020-06-01T00:00:00Z"}, {"timerel": "after"}, "after"):
        r = requests.post(server.url + SUBS, headers=JSON,
                          json={"type": "Subscription", "entities": [{"type": "Bus"}], "temporalQ": bad,
                                "notification": {"endpoint": {"uri": receiver.url + "/t"}}})
        assert r.status_code == 400 and r.json()["type"].endswith("BadRequestData"), r.text
