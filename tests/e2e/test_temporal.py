"""The temporal API (history) against the real binary: recording by every write, provision,
retrieval in the three representations, time windows, lastN, aggregation, pagination with
Content-Range, queries, deletion, restart, retention, and a real AMeDAS snapshot."""
import json
import math
import os
import statistics
import time
from datetime import datetime, timedelta, timezone

import requests

JSON = {"Content-Type": "application/json"}
SHARED = os.path.join(os.path.dirname(__file__), "../../../shared/data")


def iso(dt):
    """As Dejima writes the time of a value: whole seconds without a fraction."""
    ms = dt.microsecond // 1000
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (f".{ms:03d}Z" if ms else "Z")


T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def at(minutes):
    return iso(T0 + timedelta(minutes=minutes))


def post_temporal(s, entity, status=None):
    r = requests.post(s.url + "/ngsi-ld/v1/temporal/entities", json=entity, headers=JSON)
    if status is not None:
        assert r.status_code == status, r.text
    return r


def series(entity_id, values, minutes_apart=10, attr="temperature", typ="WeatherObserved"):
    return {"id": entity_id, "type": typ,
            attr: [{"type": "Property", "value": v, "observedAt": at(i * minutes_apart)} for i, v in enumerate(values)]}


def temporal(s, path="", **params):
    return requests.get(s.url + "/ngsi-ld/v1/temporal/entities" + path, params=params)


def test_every_write_is_recorded(server):
    base = server.url + "/ngsi-ld/v1/entities"
    eid = "urn:ngsi-ld:Vehicle:rec"
    r = requests.post(base, json={"id": eid, "type": "Vehicle", "brand": "A",
                                  "speed": {"type": "Property", "value": 10, "observedAt": at(0)}}, headers=JSON)
    assert r.status_code == 201
    for i in range(1, 4):
        r = requests.patch(f"{base}/{eid}/attrs", headers=JSON,
                           json={"speed": {"type": "Property", "value": 10 + i, "observedAt": at(i)}})
        assert r.status_code == 204
    assert requests.post(f"{base}/{eid}/attrs", headers=JSON,
                         json={"location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [129.87, 32.75]}}}
                         ).status_code == 204
    assert requests.delete(f"{base}/{eid}/attrs/brand").status_code == 204
    r = temporal(server, "/" + eid)
    assert r.status_code == 200, r.text
    e = r.json()
    assert [i["value"] for i in e["speed"]] == [10, 11, 12, 13]
    assert [i["observedAt"] for i in e["speed"]] == [at(i) for i in range(4)]
    assert all(i["instanceId"].startswith("urn:ngsi-ld:Instance:") for i in e["speed"])
    assert len({i["instanceId"] for i in e["speed"]}) == 4
    # The deletion of brand is an instance of its own.
    assert e["brand"][0]["value"] == "A"
    assert e["brand"][1]["value"] == "urn:ngsi-ld:null" and "deletedAt" in e["brand"][1]
    assert e["location"][0]["value"]["type"] == "Point"  # one instance is an array of one
    # A batch upsert records too, and deleting the entity marks its history.
    r = requests.post(server.url + "/ngsi-ld/v1/entityOperations/upsert", headers=JSON,
                      json=[{"id": eid, "type": "Vehicle", "speed": {"type": "Property", "value": 99, "observedAt": at(9)}}],
                      params={"options": "update"})
    assert r.status_code == 204, r.text
    assert requests.delete(f"{base}/{eid}").status_code == 204
    e = temporal(server, "/" + eid, attrs="speed", options="temporalValues,sysAttrs").json()
    assert e["speed"]["values"][-1] == [99, at(9)]
    assert "deletedAt" in e and "createdAt" in e and "modifiedAt" in e


def test_provision_and_instance_lifecycle(server):
    eid = "urn:ngsi-ld:WeatherObserved:p1"
    post_temporal(server, series(eid, [1, 2, 3]), 201)
    post_temporal(server, series(eid, [4]), 204)  # an existing entity gains instances
    e = temporal(server, "/" + eid).json()
    assert sorted(i["value"] for i in e["temperature"]) == [1, 2, 3, 4]
    # The current state is untouched by the temporal API.
    assert requests.get(server.url + "/ngsi-ld/v1/entities/" + eid).status_code == 404

    r = requests.post(server.url + f"/ngsi-ld/v1/temporal/entities/{eid}/attrs", headers=JSON,
                      json={"humidity": [{"type": "Property", "value": 60, "observedAt": at(0)},
                                         {"type": "Property", "value": 61, "observedAt": at(10)}]})
    assert r.status_code == 204, r.text
    assert requests.post(server.url + "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:x:none/attrs", headers=JSON,
                         json={"humidity": 1}).status_code == 404

    e = temporal(server, "/" + eid, attrs="temperature").json()
    first = e["temperature"][0]["instanceId"]
    url = server.url + f"/ngsi-ld/v1/temporal/entities/{eid}/attrs/temperature/{first}"
    r = requests.patch(url, headers=JSON, json={"temperature": {"type": "Property", "value": 100, "observedAt": at(0)}})
    assert r.status_code == 204, r.text
    e = temporal(server, "/" + eid, attrs="temperature").json()
    assert e["temperature"][0] == {"type": "Property", "value": 100, "observedAt": at(0),
                                   "instanceId": first}
    # the body may also be the instance itself
    r = requests.patch(url, headers=JSON, json={"type": "Property", "value": 101, "observedAt": at(0)})
    assert r.status_code == 204, r.text
    assert temporal(server, "/" + eid, attrs="temperature").json()["temperature"][0]["value"] == 101
    assert requests.patch(url.replace(first, "not-a-uri"), headers=JSON, json={"type": "Property", "value": 1,
                                                                              "observedAt": at(0)}).status_code == 400
    assert requests.delete(url.replace("/temperature/", "/bad(name/")).status_code == 400
    assert requests.delete(url).status_code == 204
    assert requests.delete(url).status_code == 404
    assert requests.patch(url.replace(first, "urn:ngsi-ld:Instance:abc"), headers=JSON,
                          json={"temperature": 1}).status_code == 404
    e = temporal(server, "/" + eid, attrs="temperature").json()
    assert [i["value"] for i in e["temperature"]] == [4, 2, 3]  # the 4 was added at the first time too

    assert requests.delete(server.url + f"/ngsi-ld/v1/temporal/entities/{eid}/attrs/humidity").status_code == 204
    assert "humidity" not in temporal(server, "/" + eid).json()
    assert requests.delete(server.url + f"/ngsi-ld/v1/temporal/entities/{eid}/attrs/humidity").status_code == 404
    assert requests.delete(server.url + f"/ngsi-ld/v1/temporal/entities/{eid}").status_code == 204
    assert temporal(server, "/" + eid).status_code == 404
    assert requests.delete(server.url + f"/ngsi-ld/v1/temporal/entities/{eid}").status_code == 404


def test_invalid_requests_are_precise_400s(server):
    eid = "urn:ngsi-ld:WeatherObserved:bad"
    post_temporal(server, series(eid, [1]), 201)
    bad = [
        {"timerel": "during", "timeAt": at(0)},
        {"timerel": "before"},
        {"timerel": "after", "timeAt": "yesterday"},
        {"timerel": "between", "timeAt": at(10)},
        {"timerel": "between", "timeAt": at(10), "endTimeAt": at(5)},
        {"timeAt": at(0)},
        {"timeproperty": "deletedAtX"},
        {"lastN": "0"},
        {"lastN": "-3"},
        {"options": "aggregatedValues"},
        {"options": "aggregatedValues", "aggrMethods": "avg,median"},
        {"options": "aggregatedValues", "aggrMethods": "avg", "aggrPeriodDuration": "1 hour"},
        {"options": "aggregatedValues", "aggrMethods": "avg", "aggrPeriodDuration": "PT1.5M2H"},
        {"aggrMethods": "avg"},
    ]
    for params in bad:
        r = temporal(server, "/" + eid, **params)
        assert r.status_code == 400, (params, r.text)
        assert r.json()["type"].endswith("BadRequestData"), r.text
    # a representation that cannot be given, or a parameter the temporal API does not take
    invalid = [
        {"options": "temporalValues,aggregatedValues", "aggrMethods": "avg"},
        {"options": "temporalValues,fancy"},
        {"format": "fancy"},
        {"pick": "temperature"},
    ]
    for params in invalid:
        r = temporal(server, "/" + eid, **params)
        assert r.status_code == 400 and r.json()["type"].endswith("InvalidRequest"), (params, r.text)
    # format takes precedence over options
    assert "values" in temporal(server, "/" + eid, format="temporalValues", options="aggregatedValues",
                                aggrMethods="sum").json()["temperature"]
    assert temporal(server, "/not a uri").status_code == 400
    assert temporal(server, "", timerel="after", timeAt=at(0)).status_code == 400  # no type/attrs/q
    assert post_temporal(server, {"id": "urn:x", "temperature": [1]}).status_code == 400  # no type
    assert post_temporal(server, {"id": "urn:x", "type": "T", "temperature": [{"value": None}]}).status_code == 400


def test_time_windows_timeproperty_and_last_n(server):
    eid = "urn:ngsi-ld:WeatherObserved:w"
    post_temporal(server, series(eid, list(range(10))), 201)  # at 0, 10, ..., 90 minutes
    vals = lambda **p: [v for v, _ in temporal(server, "/" + eid, options="temporalValues", **p).json()
                        .get("temperature", {}).get("values", [])]
    assert vals() == list(range(10))
    assert vals(timerel="before", timeAt=at(30)) == [0, 1, 2]
    assert vals(timerel="after", timeAt=at(70)) == [8, 9]
    assert vals(timerel="between", timeAt=at(20), endTimeAt=at(50)) == [2, 3, 4]
    assert vals(timerel="between", timeAt=at(200), endTimeAt=at(300)) == []
    assert vals(lastN="3") == [7, 8, 9]
    assert vals(lastN="2", timerel="before", timeAt=at(50)) == [3, 4]
    # timeproperty=modifiedAt: every instance was recorded just now, not in 2026-01-01.
    assert vals(timeproperty="modifiedAt", timerel="before", timeAt=at(100)) == []
    assert len(vals(timeproperty="modifiedAt", timerel="after", timeAt=at(100))) == 10
    # Simplified pairs carry the chosen time property.
    pairs = temporal(server, "/" + eid, options="temporalValues", timeproperty="createdAt").json()["temperature"]["values"]
    assert all(p[1] > "2026-06" for p in pairs)


def aggregate(values):
    nums = [v for v in values]
    return {"totalCount": len(values), "distinctCount": len(set(values)), "sum": sum(nums),
            "avg": sum(nums) / len(nums), "min": min(nums), "max": max(nums),
            "stddev": statistics.stdev(nums) if len(nums) > 1 else 0.0, "sumsq": sum(x * x for x in nums)}


METHODS = "totalCount,distinctCount,sum,avg,min,max,stddev,sumsq"


def check_periods(got, expected_by_start):
    for method, rows in got.items():
        if method == "type":
            continue
        assert len(rows) == len(expected_by_start), (method, rows)
        for value, start, end in rows:
            exp = expected_by_start[start][method]
            assert math.isclose(value, exp, rel_tol=1e-9, abs_tol=1e-9), (method, start, value, exp)


def test_aggregation_matches_an_independent_computation(server):
    eid = "urn:ngsi-ld:WeatherObserved:agg"
    values = [round(10 + 5 * math.sin(i / 7) + (i % 3), 2) for i in range(144)]  # a day, every 10 minutes
    post_temporal(server, series(eid, values), 201)
    r = temporal(server, "/" + eid, options="aggregatedValues", aggrMethods=METHODS, aggrPeriodDuration="PT1H",
                 timerel="between", timeAt=at(0), endTimeAt=at(24 * 60))
    assert r.status_code == 200, r.text
    got = r.json()["temperature"]
    assert got["type"] == "Property"
    expected = {at(h * 60): aggregate(values[h * 6:(h + 1) * 6]) for h in range(24)}
    check_periods(got, expected)
    assert got["avg"][0][2] == at(60)  # a period ends where the next starts

    # A window ending inside an hour: the last period holds only the instances before its end.
    got = temporal(server, "/" + eid, options="aggregatedValues", aggrMethods=METHODS, aggrPeriodDuration="PT2H",
                   timerel="between", timeAt=at(0), endTimeAt=at(23 * 60 + 30)).json()["temperature"]
    check_periods(got, {at(h * 120): aggregate(values[h * 12:min((h + 1) * 12, 141)]) for h in range(12)})

    # Replacing and deleting instances changes the aggregates of their hours.
    ids = [i["instanceId"] for i in temporal(server, "/" + eid).json()["temperature"]]
    url = server.url + f"/ngsi-ld/v1/temporal/entities/{eid}/attrs/temperature/"
    assert requests.delete(url + ids[7]).status_code == 204
    assert requests.patch(url + ids[20], headers=JSON, json={"temperature": {
        "type": "Property", "value": 99.5, "observedAt": at(200)}}).status_code == 204
    values[20] = 99.5
    kept = [(i * 10, v) for i, v in enumerate(values) if i != 7]
    got = temporal(server, "/" + eid, options="aggregatedValues", aggrMethods=METHODS, aggrPeriodDuration="PT1H",
                   timerel="between", timeAt=at(0), endTimeAt=at(24 * 60)).json()["temperature"]
    check_periods(got, {at(h * 60): aggregate([v for m, v in kept if h * 60 <= m < (h + 1) * 60]) for h in range(24)})

    # No period: the whole window is one.
    got = temporal(server, "/" + eid, options="aggregatedValues", aggrMethods="avg,max,totalCount").json()["temperature"]
    assert got["totalCount"][0][0] == 143
    assert math.isclose(got["avg"][0][0], sum(v for _, v in kept) / 143)
    assert got["max"][0][0] == 99.5

    # Calendar months: P1M periods over instances in January, February and March.
    mid = "urn:ngsi-ld:WeatherObserved:months"
    days = [0, 15, 30, 31, 45, 58, 59, 80]  # Jan 1, Jan 16, Jan 31, Feb 1, Feb 15, Feb 28, Mar 1, Mar 22
    post_temporal(server, {"id": mid, "type": "WeatherObserved", "temperature": [
        {"type": "Property", "value": d, "observedAt": iso(T0 + timedelta(days=d))} for d in days]}, 201)
    got = temporal(server, "/" + mid, options="aggregatedValues", aggrMethods="sum,totalCount",
                   aggrPeriodDuration="P1M", timerel="after", timeAt="2025-12-31T23:59:59Z").json()["temperature"]
    assert [row[0] for row in got["totalCount"]] == [3, 3, 2]
    assert [row[0] for row in got["sum"]] == [45, 134, 139]


def test_content_range_pagination(start_server):
    s = start_server("--temporal-max-instances", "5")
    eid = "urn:ngsi-ld:WeatherObserved:page"
    post_temporal(s, series(eid, list(range(12)), minutes_apart=1), 201)
    r = temporal(s, "/" + eid, options="temporalValues", timerel="after", timeAt="2025-12-31T00:00:00Z")
    assert r.status_code == 206, r.text
    assert [v for v, _ in r.json()["temperature"]["values"]] == [0, 1, 2, 3, 4]
    assert r.headers["Content-Range"] == f"date-time 2025-12-31T00:00:00.001Z-{at(4)}/*"
    # The next page starts after the end of this one.
    r = temporal(s, "/" + eid, options="temporalValues", timerel="after", timeAt=at(4))
    assert r.status_code == 206 and [v for v, _ in r.json()["temperature"]["values"]] == [5, 6, 7, 8, 9]
    r = temporal(s, "/" + eid, options="temporalValues", timerel="after", timeAt=at(9))
    assert r.status_code == 200 and [v for v, _ in r.json()["temperature"]["values"]] == [10, 11]
    # lastN beyond the limit: the newest five, and the range says lastN.
    r = temporal(s, "/" + eid, options="temporalValues", lastN="8")
    assert r.status_code == 206
    assert [v for v, _ in r.json()["temperature"]["values"]] == [7, 8, 9, 10, 11]
    assert r.headers["Content-Range"] == f"date-time {at(7)}-{at(11)}/8"
    r = temporal(s, "/" + eid, options="temporalValues", lastN="3")
    assert r.status_code == 200 and "Content-Range" not in r.headers


def test_queries_select_entities(server):
    for i in range(5):
        post_temporal(server, series(f"urn:ngsi-ld:WeatherObserved:q{i}", [i * 10, i * 10 + 1]), 201)
    post_temporal(server, series("urn:ngsi-ld:Vehicle:q", [1], attr="speed", typ="Vehicle"), 201)
    r = temporal(server, type="WeatherObserved", options="temporalValues", count="true", limit="2")
    assert r.status_code == 200, r.text
    assert r.headers["NGSILD-Results-Count"] == "5"
    assert [e["id"] for e in r.json()] == ["urn:ngsi-ld:WeatherObserved:q0", "urn:ngsi-ld:WeatherObserved:q1"]
    r = temporal(server, type="WeatherObserved", options="temporalValues", offset="4")
    assert [e["id"] for e in r.json()] == ["urn:ngsi-ld:WeatherObserved:q4"]
    # q looks at the newest instance of each attribute.
    r = temporal(server, type="WeatherObserved", q="temperature>25", options="temporalValues")
    assert [e["id"] for e in r.json()] == ["urn:ngsi-ld:WeatherObserved:q3", "urn:ngsi-ld:WeatherObserved:q4"]
    r = temporal(server, attrs="speed")
    assert [e["id"] for e in r.json()] == ["urn:ngsi-ld:Vehicle:q"]
    r = requests.post(server.url + "/ngsi-ld/v1/temporal/entityOperations/query", headers=JSON, json={
        "type": "Query", "entities": [{"type": "WeatherObserved", "idPattern": ".*q[12]$"}],
        "temporalQ": {"timerel": "before", "timeAt": at(5), "lastN": 1}}, params={"options": "temporalValues"})
    assert r.status_code == 200, r.text
    assert [(e["id"], e["temperature"]["values"][0][0]) for e in r.json()] == [
        ("urn:ngsi-ld:WeatherObserved:q1", 10), ("urn:ngsi-ld:WeatherObserved:q2", 20)]
    r = requests.post(server.url + "/ngsi-ld/v1/temporal/entityOperations/query", headers=JSON, json={
        "type": "Query", "entities": [{"type": "WeatherObserved"}], "temporalQ": {"timerel": "sometime"}})
    assert r.status_code == 400


def test_history_survives_restart(start_server, tmp_path):
    s = start_server(data_dir=tmp_path / "d")
    post_temporal(s, series("urn:ngsi-ld:WeatherObserved:r", [1, 2, 3]), 201)
    requests.post(s.url + "/ngsi-ld/v1/entities", headers=JSON, json={"id": "urn:ngsi-ld:V:r", "type": "V", "speed": 5})
    s.stop()
    s = start_server(data_dir=tmp_path / "d")
    e = temporal(s, "/urn:ngsi-ld:WeatherObserved:r").json()
    assert [i["value"] for i in e["temperature"]] == [1, 2, 3]
    before = {i["instanceId"] for i in e["temperature"]}
    post_temporal(s, series("urn:ngsi-ld:WeatherObserved:r", [4]), 204)
    after = {i["instanceId"] for i in temporal(s, "/urn:ngsi-ld:WeatherObserved:r").json()["temperature"]}
    assert before < after and len(after) == 4  # instance numbers continue, never reused
    assert temporal(s, "/urn:ngsi-ld:V:r").json()["speed"][0]["value"] == 5


def test_retention_applies_in_the_background(start_server):
    s = start_server("--history-max-count", "100,small=3", "--history-retention-interval", "1")
    eid = "urn:ngsi-ld:WeatherObserved:ret"
    small = {"NGSILD-Tenant": "small", **JSON}
    r = requests.post(s.url + "/ngsi-ld/v1/temporal/entities", headers=small, json=series(eid, list(range(10))))
    assert r.status_code == 201
    post_temporal(s, series(eid, list(range(10))), 201)
    deadline = time.time() + 10
    while time.time() < deadline:
        e = requests.get(s.url + "/ngsi-ld/v1/temporal/entities/" + eid, headers={"NGSILD-Tenant": "small"}).json()
        if len(e["temperature"]) == 3:
            break
        time.sleep(0.2)
    assert [i["value"] for i in e["temperature"]] == [7, 8, 9]
    assert len(temporal(s, "/" + eid).json()["temperature"]) == 10  # the default tenant keeps 100


def test_amedas_snapshot_for_nagasaki(server):
    """The AMeDAS snapshot of 2021-02-24 15:00 JST for the 20 Nagasaki stations (84xxx), each
    element as an instance with its quality flag; aggregates checked against the file."""
    table = json.load(open(os.path.join(SHARED, "jma/amedas/amedastable.json"), encoding="utf-8"))
    snap = json.load(open(os.path.join(SHARED, "jma/amedas/20210224150000.json"), encoding="utf-8"))
    observed = "2021-02-24T06:00:00Z"
    elements = {"temp": "temperature", "precipitation1h": "precipitation", "wind": "windSpeed", "humidity": "relativeHumidity"}
    stations = sorted(k for k in table if k.startswith("84") and k in snap)
    assert len(stations) == 20
    expected = {}
    for code in stations:
        ent = {"id": f"urn:ngsi-ld:WeatherObserved:jma-amedas-{code}", "type": "WeatherObserved",
               "name": {"type": "Property", "value": table[code]["kjName"], "observedAt": observed}}
        for src, attr in elements.items():
            v = snap[code].get(src)
            if not v or v[0] is None:
                continue
            ent[attr] = [{"type": "Property", "value": v[0], "observedAt": observed,
                          "qualityFlag": {"type": "Property", "value": v[1]}}]
            expected.setdefault(attr, {})[ent["id"]] = v[0]
        post_temporal(server, ent, 201)
    r = temporal(server, type="WeatherObserved", options="aggregatedValues", aggrMethods="max,min,totalCount",
                 timerel="between", timeAt="2021-02-24T00:00:00Z", endTimeAt="2021-02-25T00:00:00Z", limit="100")
    assert r.status_code == 200, r.text
    got = {e["id"]: e for e in r.json()}
    assert len(got) == 20
    for attr, per_station in expected.items():
        for eid, v in per_station.items():
            a = got[eid][attr]
            assert a["max"][0][0] == v and a["min"][0][0] == v and a["totalCount"][0][0] == 1
    # The warmest station of the prefecture, from the file and from the history.
    warmest = max(expected["temperature"], key=expected["temperature"].get)
    by_history = max(got, key=lambda i: got[i]["temperature"]["max"][0][0] if "temperature" in got[i] else -99)
    assert by_history == warmest
    # Quality flags are kept on the instances.
    [one] = temporal(server, "/" + warmest, attrs="temperature").json()["temperature"]
    assert one["qualityFlag"]["value"] == snap[warmest.rsplit("-", 1)[1]]["temp"][1]
