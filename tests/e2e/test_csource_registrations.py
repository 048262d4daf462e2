"""NGSI-LD context source registrations (/ngsi-ld/v1/csourceRegistrations) against the real
binary: the document kept as written and its names expanded and compacted by @context, the
validation of every member, discovery by entities, attributes, q/csf, geo and time, paging, PATCH
as a merge that is validated whole, the exclusive rule, a restart, tenants apart."""
import requests

BASE = "/ngsi-ld/v1/csourceRegistrations"
LD = {"Content-Type": "application/ld+json"}
CTX = {"Vehicle": "https://example.org/mobility#Vehicle", "speed": "https://example.org/mobility#speed",
       "Building": "https://example.org/city#Building", "floors": "https://example.org/city#floors",
       "tideLevel": "https://example.org/sea#tideLevel"}


def registration(rid, **extra):
    body = {"id": rid, "type": "ContextSourceRegistration",
            "information": [{"entities": [{"id": "urn:ngsi-ld:Vehicle:A456", "type": "Vehicle"}],
                             "propertyNames": ["speed"]},
                            {"entities": [{"idPattern": "^urn:ngsi-ld:Building:goto-.*", "type": "Building"}]}],
            "endpoint": "http://127.0.0.1:9/ngsi-ld", "@context": CTX}
    body.update(extra)
    return body


def create(server, body, headers=None, status=201):
    r = requests.post(server.url + BASE, json=body, headers={**LD, **(headers or {})})
    assert r.status_code == status, r.text
    return r


def ids(r):
    assert r.status_code == 200, r.text
    return sorted(x["id"] for x in r.json())


def test_created_retrieved_with_each_context_updated_and_deleted(server):
    r = create(server, registration("urn:ngsi-ld:ContextSourceRegistration:bus", mode="exclusive",
                                    operations=["retrieveOps", "updateAttrs"], tideLevel="high",
                                    contextSourceInfo=[{"key": "k", "value": "v"}],
                                    management={"timeout": 500, "cooldown": 1000}))
    assert r.headers["Location"] == BASE + "/urn:ngsi-ld:ContextSourceRegistration:bus"
    url = server.url + r.headers["Location"]
    # With the @context it was written with: exactly the document as written.
    got = requests.get(url, headers={"Accept": "application/ld+json"}, params={}).json()
    assert got["@context"] and "createdAt" not in got
    inline = requests.post(server.url + "/ngsi-ld/v1/jsonldContexts", json={"@context": CTX},
                           headers={"Content-Type": "application/json"})
    assert inline.status_code == 201, inline.text
    hosted = inline.headers["Location"]
    hosted = hosted if hosted.startswith("http") else server.url + hosted
    link = {"Link": f'<{hosted}>; rel="http://www.w3.org/ns/json-ld#context"'}
    mine = requests.get(url, headers=link).json()
    sent = registration("urn:ngsi-ld:ContextSourceRegistration:bus", mode="exclusive",
                        operations=["retrieveOps", "updateAttrs"], tideLevel="high",
                        contextSourceInfo=[{"key": "k", "value": "v"}], management={"timeout": 500, "cooldown": 1000})
    del sent["@context"]
    assert mine == sent
    # Without it, the names are the IRIs they stand for.
    plain = requests.get(url).json()
    assert plain["information"][0]["entities"][0]["type"] == CTX["Vehicle"]
    assert plain["information"][0]["propertyNames"] == [CTX["speed"]]
    assert plain[CTX["tideLevel"]] == "high" and "tideLevel" not in plain
    times = requests.get(url, params={"options": "sysAttrs"}).json()
    assert times["createdAt"] == times["modifiedAt"]

    patch = {"endpoint": "http://127.0.0.1:10/ngsi-ld", "expiresAt": "2090-01-01T00:00:00Z", "@context": CTX}
    r = requests.patch(url, json=patch, headers=LD)
    assert r.status_code == 204, r.text
    after = requests.get(url, params={"options": "sysAttrs"}, headers=link).json()
    assert after["endpoint"] == patch["endpoint"] and after["expiresAt"] == patch["expiresAt"]
    assert after["createdAt"] == times["createdAt"] and after["modifiedAt"] > times["modifiedAt"]
    assert after["information"] == sent["information"], "names survive a PATCH that does not touch them"
    r = requests.patch(url, json={"expiresAt": None}, headers={"Content-Type": "application/json"})
    assert r.status_code == 204 and "expiresAt" not in requests.get(url).json()
    for bad in ({"endpoint": None}, {"type": "Subscription"}, {"id": "urn:x:other"}, {},
                {"information": []}, {"expiresAt": "2001-01-01T00:00:00Z"}):
        r = requests.patch(url, json=bad, headers={"Content-Type": "application/json"})
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
    assert requests.get(url).json()["endpoint"] == patch["endpoint"], "a refused PATCH changes nothing"

    assert requests.delete(url).status_code == 204
    for method in (requests.get, requests.delete):
        r = method(url)
        assert r.status_code == 404 and r.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound"
    assert requests.patch(url, json={"endpoint": "http://a.example/"}).status_code == 404
    assert requests.get(server.url + BASE + "/not-a-uri").status_code == 400
    assert requests.delete(server.url + BASE + "/not-a-uri").status_code == 400


def test_every_member_is_validated(server):
    good = registration("urn:ngsi-ld:ContextSourceRegistration:v")
    create(server, good)
    r = create(server, good, status=409)
    assert r.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/AlreadyExists"
    generated = create(server, {k: v for k, v in good.items() if k != "id"}).headers["Location"]
    assert generated.startswith(BASE + "/urn:ngsi-ld:ContextSourceRegistration:")
    bad = [
        {"type": "Subscription"}, {"type": None}, {"id": "not a uri"}, {"information": []},
        {"information": "x"}, {"information": [{}]}, {"information": [{"entities": [{"id": "urn:x:1"}]}]},
        {"information": [{"entities": [{"type": "Vehicle", "idPattern": "(["}]}]},
        {"information": [{"entities": [{"type": "Vehicle", "id": "no uri"}]}]},
        {"information": [{"propertyNames": ["has space"]}]}, {"information": [{"propertyNames": []}]},
        {"endpoint": "no uri"}, {"endpoint": None}, {"expiresAt": "2001-01-01T00:00:00Z"},
        {"expiresAt": "tomorrow"}, {"mode": "sometimes"}, {"operations": ["fly"]}, {"operations": []},
        {"contextSourceInfo": [{"key": "k"}]}, {"management": {"timeout": -1}}, {"management": {"speed": 1}},
        {"observationInterval": {"endAt": "2020-01-01T00:00:00Z"}},
        {"observationInterval": {"startAt": "2021-01-01T00:00:00Z", "endAt": "2020-01-01T00:00:00Z"}},
        {"location": {"type": "Point", "coordinates": "here"}}, {"scope": 5}, {"registrationName": 5},
    ]
    for i, change in enumerate(bad):
        body = {**good, "id": f"urn:ngsi-ld:ContextSourceRegistration:bad{i}", **change}
        body = {k: v for k, v in body.items() if v is not None}
        r = create(server, body, status=400)
        assert r.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData", (change, r.text)
        assert requests.get(server.url + BASE + "/" + body.get("id", "urn:x")).status_code in (400, 404)
    # The media type rules of every NGSI-LD body.
    r = requests.post(server.url + BASE, json={k: v for k, v in good.items() if k != "@context"}, headers=LD)
    assert r.status_code == 400
    r = requests.post(server.url + BASE, json=good, headers={"Content-Type": "application/json"})
    assert r.status_code == 400


def test_discovery_by_entities_attributes_properties_geo_and_time(server):
    reg = "urn:ngsi-ld:ContextSourceRegistration:"
    create(server, registration(reg + "1", location={"type": "Point", "coordinates": [128.84, 32.69]},
                                operator="goto-city"))
    create(server, {"id": reg + "2", "type": "ContextSourceRegistration", "@context": CTX,
                    "information": [{"propertyNames": ["floors"]}], "endpoint": "http://127.0.0.1:9/",
                    "managementInterval": {"startAt": "2020-01-01T00:00:00Z", "endAt": "2021-01-01T00:00:00Z"},
                    "operator": "nagasaki-pref"})
    create(server, {"id": reg + "3", "type": "ContextSourceRegistration", "@context": CTX,
                    "information": [{"entities": [{"type": "Building"}], "propertyNames": ["floors"]}],
                    "observationInterval": {"startAt": "2019-01-01T00:00:00Z"},
                    "endpoint": "http://127.0.0.1:9/", "location": {"type": "Point", "coordinates": [129.87, 32.75]}})

    def find(**params):
        return ids(requests.get(server.url + BASE, params=params, headers={"Content-Type": "application/json"}))

    full = lambda *n: [reg + x for x in n]  # noqa: E731
    assert find(type=CTX["Vehicle"]) == full("1", "2"), "2 registers floors of any entity"
    assert find(type=CTX["Building"]) == full("1", "2", "3")
    assert find(type=CTX["Building"], idPattern="^urn:ngsi-ld:Building:goto-") == full("1", "2", "3")
    assert find(type=CTX["Vehicle"], id="urn:ngsi-ld:Vehicle:B1") == full("2")
    assert find(id="urn:ngsi-ld:Building:goto-7") == full("1", "2", "3")
    assert find(id="urn:ngsi-ld:Building:nagasaki-7") == full("2", "3")
    assert find(attrs=CTX["speed"]) == full("1")
    assert find(attrs=CTX["floors"], type=CTX["Vehicle"]) == full("2")
    assert find(attrs=CTX["speed"], type=CTX["Building"]) == full("1"), "1's second item: every attribute"
    assert find(q='operator=="goto-city"') == full("1")
    assert find(csf='operator=="nagasaki-pref"') == full("2")
    assert find(georel="near;maxDistance==5000", geometry="Point", coordinates="[129.87,32.75]") == full("3")
    assert find(georel="within", geometry="Polygon",
                coordinates="[[[128,32],[130,32],[130,33],[128,33],[128,32]]]") == full("1", "3")
    assert find(type=CTX["Building"], timerel="before", timeAt="2020-06-01T00:00:00Z") == full("3")
    assert find(type=CTX["Building"], timeproperty="createdAt", timerel="after",
                timeAt="2020-06-01T00:00:00Z") == full("2")
    assert find(type=CTX["Building"], timeproperty="modifiedAt", timerel="between",
                timeAt="2021-06-01T00:00:00Z", endTimeAt="2022-06-01T00:00:00Z") == []
    # Paging: limit, offset, the count and the Link to the next page.
    r = requests.get(server.url + BASE, params={"type": CTX["Building"], "limit": 2, "count": "true"})
    assert r.headers["NGSILD-Results-Count"] == "3" and len(r.json()) == 2 and 'rel="next"' in r.headers["Link"]
    r = requests.get(server.url + BASE, params={"type": CTX["Building"], "limit": 2, "offset": 2})
    assert ids(r) == full("3")
    for bad in ({}, {"id": "not-a-uri"}, {"q": "(broken"}, {"georel": "within"}, {"timerel": "before"},
                {"type": "Building", "timerel": "whenever", "timeAt": "2020-01-01T00:00:00Z"},
                {"type": "Building", "timerel": "between", "timeAt": "2020-01-01T00:00:00Z"},
                {"type": "Building", "timeproperty": "deletedAt"}, {"type": "Building", "limt": "5"}):
        r = requests.get(server.url + BASE, params=bad)
        assert r.status_code == 400, (bad, r.text)


def test_exclusive_registrations_do_not_overlap(server):
    reg = "urn:ngsi-ld:ContextSourceRegistration:"
    speed = [{"entities": [{"id": "urn:ngsi-ld:Vehicle:A1", "type": "Vehicle"}], "propertyNames": ["speed"]}]
    create(server, {"id": reg + "ex", "type": "ContextSourceRegistration", "information": speed, "mode": "exclusive",
                    "endpoint": "http://127.0.0.1:9/", "@context": CTX})
    for mode in ("exclusive", "inclusive", "redirect"):
        r = create(server, {"id": reg + mode + "2", "type": "ContextSourceRegistration", "information": speed,
                            "mode": mode, "endpoint": "http://127.0.0.1:10/", "@context": CTX}, status=409)
        assert "urn:ngsi-ld:ContextSourceRegistration:ex" in r.json()["detail"]
    create(server, {"id": reg + "aux", "type": "ContextSourceRegistration", "information": speed, "mode": "auxiliary",
                    "endpoint": "http://127.0.0.1:10/", "@context": CTX})
    other = [{"entities": [{"id": "urn:ngsi-ld:Vehicle:A1", "type": "Vehicle"}], "propertyNames": ["fuel"]}]
    create(server, {"id": reg + "fuel", "type": "ContextSourceRegistration", "information": other, "mode": "exclusive",
                    "endpoint": "http://127.0.0.1:10/", "@context": CTX})
    # Turning an inclusive one into an exclusive one over the same attribute is refused too.
    create(server, {"id": reg + "inc", "type": "ContextSourceRegistration", "endpoint": "http://127.0.0.1:11/",
                    "information": [{"entities": [{"id": "urn:ngsi-ld:Vehicle:B1", "type": "Vehicle"}],
                                     "propertyNames": ["fuel"]}], "@context": CTX})
    r = requests.patch(server.url + BASE + "/" + reg + "inc", json={"information": other, "@context": CTX},
                       headers=LD)
    assert r.status_code == 409, r.text


def test_kept_across_a_restart_and_tenants_apart(start_server, tmp_path):
    s = start_server()
    reg = "urn:ngsi-ld:ContextSourceRegistration:kept"
    create(s, registration(reg, expiresAt="2090-01-01T00:00:00Z"), headers={"NGSILD-Tenant": "goto"})
    link = requests.get(f"{s.url}{BASE}/{reg}", headers={"NGSILD-Tenant": "goto"}).json()
    assert requests.get(f"{s.url}{BASE}/{reg}").status_code == 404
    assert requests.get(f"{s.url}{BASE}/{reg}", headers={"NGSILD-Tenant": "iki"}).status_code in (404,)
    assert ids(requests.get(s.url + BASE, params={"type": CTX["Vehicle"]})) == []
    s.stop()
    s = start_server()
    assert requests.get(f"{s.url}{BASE}/{reg}", headers={"NGSILD-Tenant": "goto"}).json() == link
    r = requests.get(s.url + BASE, params={"type": CTX["Vehicle"]}, headers={"NGSILD-Tenant": "goto"})
    assert ids(r) == [reg]
