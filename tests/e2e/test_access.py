"""Access control (--auth on, the default): the tenant registry, the operator's key, services and
their API keys with scopes, public types, and the one decision point that every route goes
through — walked route by route from the server's own route list."""
import os
import re
import shutil
import stat
import time

import pytest
import requests

from dejima_server import DejimaServer

OPERATOR_KEY = "operator-key-for-the-access-tests"
ENTITIES = "/ngsi-ld/v1/entities"
TENANTS = "/dejima/v1/tenants"
JSON = {"Content-Type": "application/json"}
CENSUS = os.path.join(os.path.dirname(__file__), "../../../shared/data/population/major_results_2020.csv")


def op(extra=None):
    return {"X-API-Key": OPERATOR_KEY, **(extra or {})}


def entity(eid, etype, **attrs):
    body = {"id": eid, "type": etype}
    for k, v in attrs.items():
        body[k] = {"type": "Property", "value": v}
    return body


@pytest.fixture
def secured(tmp_path):
    s = DejimaServer(tmp_path / "data", "--bootstrap-operator-key", OPERATOR_KEY, auth=True).start()
    yield s
    s.stop()


def register(server, name, public_types=()):
    r = requests.post(server.url + TENANTS, json={"name": name, "nameJa": name, "kind": "city",
                                                  "publicTypes": list(public_types)}, headers=op())
    assert r.status_code == 201, r.text
    return r.json()


def service(server, tenant, scopes, headers=None, **extra):
    r = requests.post(f"{server.url}{TENANTS}/{tenant}/services",
                      json={"name": "app", "owner": "市 情報政策課", "scopes": scopes, **extra},
                      headers=headers or op())
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["Location"].endswith("/services/" + body["service"]["id"])
    return body


def key(k):
    return {"X-API-Key": k}


def create(server, tenant, body, headers):
    return requests.post(server.url + ENTITIES, json=body, headers={**headers, "NGSILD-Tenant": tenant})


def test_anonymous_callers_get_401_with_a_challenge_and_operators_everything(secured):
    r = requests.get(secured.url + ENTITIES, params={"type": "Bus"})
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("ApiKey")
    assert r.json()["type"] == "urn:dejima:errors:Unauthorized"
    assert r.json()["status"] == 401
    assert requests.post(secured.url + ENTITIES, json=entity("urn:b:1", "Bus"), headers=JSON).status_code == 401
    for bad in ({"X-API-Key": "not-a-key"}, {"Authorization": "ApiKey nope"}, {"Authorization": "Basic eDp5"},
                {"X-API-Key": ""}):
        r = requests.get(secured.url + ENTITIES, params={"type": "Bus"}, headers=bad)
        assert r.status_code == 401, bad
    assert requests.post(secured.url + ENTITIES, json=entity("urn:b:1", "Bus"), headers=op()).status_code == 201
    r = requests.get(secured.url + ENTITIES + "/urn:b:1", headers={"Authorization": "ApiKey " + OPERATOR_KEY})
    assert r.status_code == 200
    # Open routes stay open.
    assert requests.get(secured.url + "/health").status_code == 200
    assert requests.get(secured.url + "/version").status_code == 200
    assert requests.get(secured.url + TENANTS).status_code == 200


def test_writing_to_an_unregistered_tenant_is_refused_then_allowed_once_registered(secured):
    r = create(secured, "unknown", entity("urn:b:1", "Bus"), op())
    assert r.status_code == 404
    assert r.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant"
    register(secured, "unknown")
    assert create(secured, "unknown", entity("urn:b:1", "Bus"), op()).status_code == 201
    # The default tenant is always registered; "default" names it.
    assert requests.post(secured.url + ENTITIES, json=entity("urn:c:1", "Car"), headers=op()).status_code == 201
    r = requests.get(secured.url + ENTITIES + "/urn:c:1", headers=op({"NGSILD-Tenant": "default"}))
    assert r.status_code == 200
    assert requests.get(secured.url + TENANTS + "/default").json()["name"] == "default"


def test_public_types_are_readable_by_anyone_and_nothing_else_is(secured):
    register(secured, "nagasaki", public_types=["EvacuationShelter"])
    t = {"NGSILD-Tenant": "nagasaki"}
    assert create(secured, "nagasaki", entity("urn:s:1", "EvacuationShelter", name="出島小学校"), op()).status_code == 201
    assert create(secured, "nagasaki", entity("urn:p:1", "Patient", name="秘密"), op()).status_code == 201
    r = requests.get(secured.url + ENTITIES, params={"type": "EvacuationShelter"}, headers=t)
    assert r.status_code == 200 and [e["id"] for e in r.json()] == ["urn:s:1"]
    r = requests.get(secured.url + ENTITIES, params={"type": "Patient"}, headers=t)
    assert r.status_code == 200 and r.json() == [], "a query sees only the readable types"
    r = requests.get(secured.url + ENTITIES, params={"q": "name==\"秘密\""}, headers=t)
    assert r.json() == []
    r = requests.post(secured.url + "/ngsi-ld/v1/entityOperations/query",
                      json={"type": "Query", "entities": [{"type": "Patient"}]}, headers={**t, **JSON})
    assert r.status_code == 200 and r.json() == []
    assert requests.get(secured.url + ENTITIES + "/urn:p:1", headers=t).status_code == 404
    assert requests.get(secured.url + ENTITIES + "/urn:s:1", headers=t).status_code == 200
    types = requests.get(secured.url + "/ngsi-ld/v1/types", headers=t).json()["typeList"]
    assert types == ["EvacuationShelter"]
    assert requests.get(secured.url + "/ngsi-ld/v1/types/Patient", headers=t).status_code == 404
    assert requests.get(secured.url + "/ngsi-ld/v1/attributes", headers=t).status_code == 403
    # History: the same rule.
    assert requests.get(secured.url + "/ngsi-ld/v1/temporal/entities/urn:p:1", headers=t).status_code == 404
    assert requests.get(secured.url + "/ngsi-ld/v1/temporal/entities/urn:s:1", headers=t).status_code == 200
    r = requests.get(secured.url + "/ngsi-ld/v1/temporal/entities", params={"q": "name==\"秘密\""}, headers=t)
    assert r.status_code == 200 and r.json() == []
    # Writes always need a key; so do subscriptions.
    assert create(secured, "nagasaki", entity("urn:s:2", "EvacuationShelter"), {}).status_code == 401
    r = requests.post(secured.url + "/ngsi-ld/v1/subscriptions", headers={**t, **JSON},
                      json={"type": "Subscription", "entities": [{"type": "EvacuationShelter"}],
                            "notification": {"endpoint": {"uri": "http://127.0.0.1:9/"}}})
    assert r.status_code == 401
    # A tenant without public types reads nothing anonymously.
    assert requests.get(secured.url + ENTITIES, params={"type": "Patient"}).status_code == 401


def test_a_subscription_carries_its_owners_read_scope(secured):
    register(secured, "mine")
    k = key(service(secured, "mine", [{"types": ["Shelter"], "operations": ["read"]},
                                      {"operations": ["subscribe"]}])["apiKey"])
    subs = secured.url + "/ngsi-ld/v1/subscriptions"
    mine = {"NGSILD-Tenant": "mine", **k}

    def sub(sid, **members):
        return {"id": sid, "type": "Subscription",
                "notification": {"endpoint": {"uri": "http://127.0.0.1:9/n"}}, **members}

    assert requests.post(subs, json=sub("urn:s:1", entities=[{"type": "Shelter"}]), headers=mine).status_code == 201
    for refused in (sub("urn:s:2", entities=[{"type": "Bus"}]), sub("urn:s:3", entities=[{"type": "Shelter,Bus"}]),
                    sub("urn:s:4", watchedAttributes=["name"]), sub("urn:s:5", entities=[{"type": "Shelter|Bus"}])):
        r = requests.post(subs, json=refused, headers=mine)
        assert r.status_code == 403, (refused, r.text)
    r = requests.patch(subs + "/urn:s:1", json={"entities": [{"type": "Bus"}]}, headers=mine)
    assert r.status_code == 403
    # A key that reads every type subscribes to anything.
    everything = key(service(secured, "mine", [{"operations": ["read", "subscribe"]}])["apiKey"])
    assert requests.post(subs, json=sub("urn:s:6", watchedAttributes=["name"]),
                         headers={"NGSILD-Tenant": "mine", **everything}).status_code == 201


def test_a_tenant_admin_manages_its_own_tenants_connectors_from_the_web_only(secured):
    register(secured, "mine")
    register(secured, "theirs")
    admin = {"NGSILD-Tenant": "mine", **key(service(secured, "mine", [{"operations": ["admin"]}])["apiKey"])}
    base = secured.url + "/dejima/v1/connectors"

    def doc(name, **extra):
        return {"name": name, "source": "http://127.0.0.1:9/aed.csv", "format": "csv", "type": "AED",
                "tenant": "mine", **extra}

    assert requests.post(base, json=doc("mine-aed"), headers=admin).status_code == 201
    assert requests.post(base, json=doc("their-aed", tenant="theirs"), headers=admin).status_code == 403
    r = requests.post(base, json=doc("passwd", source="/etc/passwd"), headers=admin)
    assert r.status_code == 403 and "operator" in r.json()["detail"]
    assert requests.post(base, json=doc("passwd", source="file:///etc/passwd"), headers=admin).status_code == 403
    # The operator's connector of another tenant is invisible to this admin.
    assert requests.post(base, json=doc("op-aed", tenant="theirs", source="/etc/hostname"),
                         headers=op()).status_code == 201
    assert [c["name"] for c in requests.get(base, headers=admin).json()] == ["mine-aed"]
    assert {c["name"] for c in requests.get(base, headers=op()).json()} == {"mine-aed", "op-aed"}
    for method, path in (("GET", "/op-aed"), ("DELETE", "/op-aed"), ("GET", "/op-aed/runs"), ("POST", "/op-aed/runs")):
        assert requests.request(method, base + path, headers=admin).status_code == 404, (method, path)
    assert requests.put(base + "/op-aed", json=doc("op-aed"), headers=admin).status_code == 404
    assert requests.get(base + "/mine-aed", headers=admin).status_code == 200
    assert requests.delete(base + "/mine-aed", headers=admin).status_code == 204
    # Another tenant's admin, or a reader, manage nothing here.
    reader = {"NGSILD-Tenant": "mine", **key(service(secured, "mine", [{"operations": ["read"]}])["apiKey"])}
    assert requests.get(base, headers=reader).status_code == 403


def test_a_linked_entity_the_caller_may_not_read_is_left_out(secured):
    register(secured, "links", public_types=["Shelter"])
    rel = {"type": "Shelter", "id": "urn:s:1", "managedBy": {"type": "Relationship", "object": "urn:o:1"}}
    assert create(secured, "links", rel, op()).status_code == 201
    assert create(secured, "links", entity("urn:o:1", "Officer", phone="090"), op()).status_code == 201
    t = {"NGSILD-Tenant": "links"}
    r = requests.get(secured.url + ENTITIES, params={"type": "Shelter", "join": "flat"}, headers=t)
    assert [e["id"] for e in r.json()] == ["urn:s:1"]
    r = requests.get(secured.url + ENTITIES, params={"type": "Shelter", "join": "flat"}, headers={**t, **op()})
    assert sorted(e["id"] for e in r.json()) == ["urn:o:1", "urn:s:1"]
    r = requests.get(secured.url + ENTITIES + "/urn:s:1", params={"join": "inline"}, headers=t)
    assert "entity" not in r.json()["managedBy"]


def test_a_services_keys_do_what_their_scopes_say_in_their_own_tenant_only(secured):
    register(secured, "sasebo")
    register(secured, "isahaya")
    reader = service(secured, "sasebo", [{"types": ["Bus"], "operations": ["read"]}])
    writer = service(secured, "sasebo", [{"operations": ["read", "write", "temporal"]}])
    assert reader["apiKey"].startswith("dj_") and reader["apiKey"] != writer["apiKey"]
    assert "hash" not in str(reader["service"])
    w = key(writer["apiKey"])
    assert create(secured, "sasebo", entity("urn:b:1", "Bus", speed=1), w).status_code == 201
    assert create(secured, "sasebo", entity("urn:c:1", "Car", speed=2), w).status_code == 201
    r_key = key(reader["apiKey"])
    t = {"NGSILD-Tenant": "sasebo"}
    r = requests.get(secured.url + ENTITIES, params={"q": "speed>0"}, headers={**t, **r_key})
    assert [e["id"] for e in r.json()] == ["urn:b:1"]
    assert requests.get(secured.url + ENTITIES + "/urn:c:1", headers={**t, **r_key}).status_code == 404
    r = create(secured, "sasebo", entity("urn:b:2", "Bus"), r_key)
    assert r.status_code == 403 and r.json()["type"] == "urn:dejima:errors:Forbidden"
    assert requests.get(secured.url + "/ngsi-ld/v1/temporal/entities/urn:b:1",
                        headers={**t, **r_key}).status_code == 403, "temporal is its own operation"
    assert requests.get(secured.url + "/ngsi-ld/v1/temporal/entities/urn:b:1", headers={**t, **w}).status_code == 200
    # Another tenant: nothing (it has no public types).
    assert create(secured, "isahaya", entity("urn:b:9", "Bus"), w).status_code == 403
    assert requests.get(secured.url + ENTITIES, params={"type": "Bus"},
                        headers={"NGSILD-Tenant": "isahaya", **w}).status_code == 403
    # Keys manage nothing without the admin operation.
    assert requests.get(f"{secured.url}{TENANTS}/sasebo/services", headers=w).status_code == 403
    # Scopes that restrict types are for reading only.
    r = requests.post(f"{secured.url}{TENANTS}/sasebo/services", headers=op(),
                      json={"name": "x", "scopes": [{"types": ["Bus"], "operations": ["write"]}]})
    assert r.status_code == 400
    r = requests.post(f"{secured.url}{TENANTS}/sasebo/services", headers=op(),
                      json={"name": "x", "scopes": [{"operations": ["delete-everything"]}]})
    assert r.status_code == 400
    for rate in ({"perSecond": 1e80}, {"perSecond": 1e-300}, {"perSecond": -1}, {"perSecond": 1, "burst": -1}):
        r = requests.post(f"{secured.url}{TENANTS}/sasebo/services", headers=op(),
                          json={"name": "x", "scopes": [{"operations": ["read"]}], "rateLimit": rate})
        assert r.status_code == 400, rate


def test_revocation_expiry_and_rotation(secured):
    register(secured, "omura")
    t = {"NGSILD-Tenant": "omura"}
    s = service(secured, "omura", [{"operations": ["read"]}])
    sid, first = s["service"]["id"], s["apiKey"]
    get = lambda k: requests.get(secured.url + ENTITIES, params={"type": "Bus"}, headers={**t, **key(k)}).status_code
    assert get(first) == 200
    keys = f"{secured.url}{TENANTS}/omura/services/{sid}/keys"
    # Rotation: the new key works at once, the old one for the overlap.
    r = requests.post(keys, json={"replaces": s["keyId"], "overlapSeconds": 2}, headers=op())
    assert r.status_code == 201, r.text
    second = r.json()["apiKey"]
    assert get(second) == 200 and get(first) == 200
    time.sleep(2.5)
    assert get(first) == 401 and get(second) == 200
    # Revocation is immediate.
    assert requests.delete(f"{keys}/{r.json()['keyId']}", headers=op()).status_code == 204
    assert get(second) == 401
    listed = requests.get(f"{secured.url}{TENANTS}/omura/services/{sid}", headers=op()).json()["keys"]
    assert len(listed) == 2 and all("expiresAt" in k or "revokedAt" in k for k in listed)
    # A key with an expiry.
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
    r = requests.post(keys, json={"expiresAt": soon}, headers=op())
    assert r.status_code == 201
    third = r.json()["apiKey"]
    assert get(third) == 200
    time.sleep(3)
    assert get(third) == 401
    assert requests.post(keys, json={"expiresAt": "2001-01-01T00:00:00Z"}, headers=op()).status_code == 400
    # Deleting the service revokes its keys.
    fourth = requests.post(keys, headers=op()).json()["apiKey"]
    assert get(fourth) == 200
    assert requests.delete(f"{secured.url}{TENANTS}/omura/services/{sid}", headers=op()).status_code == 204
    assert get(fourth) == 401


def test_a_tenant_admin_key_manages_its_own_tenant_only(secured):
    register(secured, "hirado")
    register(secured, "iki")
    admin = key(service(secured, "hirado", [{"operations": ["admin"]}])["apiKey"])
    made = service(secured, "hirado", [{"operations": ["read"]}], headers=admin)
    assert made["service"]["tenant"] == "hirado"
    assert requests.get(f"{secured.url}{TENANTS}/hirado/services", headers=admin).status_code == 200
    assert requests.get(f"{secured.url}{TENANTS}/iki/services", headers=admin).status_code == 403
    r = requests.patch(f"{secured.url}{TENANTS}/hirado", json={"publicTypes": ["Shelter"], "nameEn": "Hirado"},
                       headers=admin)
    assert r.status_code == 204, r.text
    assert requests.get(f"{secured.url}{TENANTS}/hirado").json()["publicTypes"] == ["Shelter"]
    r = requests.patch(f"{secured.url}{TENANTS}/hirado", json={"population": 1}, headers=admin)
    assert r.status_code == 403, "what cost shares rest on is the operator's"
    assert requests.patch(f"{secured.url}{TENANTS}/iki", json={"nameEn": "x"}, headers=admin).status_code == 403
    assert requests.post(secured.url + TENANTS, json={"name": "new"}, headers=admin).status_code == 403
    assert requests.get(secured.url + "/dejima/v1/routes", headers=admin).status_code == 403
    # Not a data key: admin does not include writing.
    assert create(secured, "hirado", entity("urn:b:1", "Bus"), admin).status_code == 403


def test_the_registry_validates_what_it_keeps(secured):
    bad = [{"name": "a b"}, {"name": "default"}, {"name": "x", "kind": "county"},
           {"name": "x", "code": "422010"}, {"name": "x", "population": -1}, {"name": "x", "publicTypes": "Bus"},
           {"name": "x", "unknown": 1}, {}]
    for body in bad:
        r = requests.post(secured.url + TENANTS, json=body, headers=op())
        assert r.status_code == 400, body
        assert r.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
    r = requests.post(secured.url + TENANTS, data="{", headers=op(JSON))
    assert r.status_code == 400
    r = requests.post(secured.url + TENANTS, data="{}", headers=op({"Content-Type": "text/plain"}))
    assert r.status_code == 415
    ok = {"name": "sasebo", "nameJa": "佐世保市", "code": "422029", "kind": "city", "population": 243223}
    assert requests.post(secured.url + TENANTS, json=ok, headers=op()).status_code == 201
    assert requests.post(secured.url + TENANTS, json=ok, headers=op()).status_code == 409
    r = requests.put(secured.url + TENANTS + "/tsushima", json={"nameJa": "対馬市", "kind": "city"}, headers=op())
    assert r.status_code == 201
    assert requests.get(secured.url + TENANTS + "/tsushima").json()["nameJa"] == "対馬市"
    assert requests.get(secured.url + TENANTS + "/nowhere").status_code == 404


def test_the_registry_keys_and_their_rights_survive_a_restart(start_server, tmp_path):
    s = start_server("--bootstrap-operator-key", OPERATOR_KEY, auth=True)
    register(s, "goto")
    k = service(s, "goto", [{"operations": ["read", "write"]}])["apiKey"]
    assert create(s, "goto", entity("urn:b:1", "Bus"), key(k)).status_code == 201
    s.stop()
    s = start_server(auth=True)  # the bootstrap key was taken at the first start
    assert create(s, "goto", entity("urn:b:2", "Bus"), key(k)).status_code == 201
    assert requests.get(s.url + TENANTS + "/goto").status_code == 200
    assert requests.get(s.url + "/dejima/v1/routes", headers=op()).status_code == 200


def test_a_generated_operator_key_is_shown_once_and_kept_in_a_private_file(tmp_path):
    s = DejimaServer(tmp_path / "data", auth=True).start()
    try:
        path = tmp_path / "data" / "operator-key"
        text = path.read_text().strip()
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert text.startswith("dj_") and len(text) >= 40
        assert requests.get(s.url + "/dejima/v1/routes", headers=key(text)).status_code == 200
    finally:
        stderr_tail = s.stop()
    assert stderr_tail == 0


def test_auth_off_admits_everyone(server):
    # The API tests run with --auth off: the tenant list still answers, writes go anywhere.
    assert requests.post(server.url + ENTITIES, json=entity("urn:b:1", "Bus"),
                         headers={"NGSILD-Tenant": "anywhere"}).status_code == 201


@pytest.mark.skipif(not os.path.exists(CENSUS), reason="needs ../shared/data/population")
def test_the_demo_registry_is_nagasaki_and_its_21_municipalities(tmp_path):
    demo = tmp_path / "demo"
    (demo / "population").mkdir(parents=True)
    shutil.copy(CENSUS, demo / "population")
    s = DejimaServer(tmp_path / "data", "--demo", "--demo-data", str(demo), "--bootstrap-operator-key", OPERATOR_KEY,
                     auth=True).start()
    try:
        tenants = requests.get(s.url + TENANTS).json()
    finally:
        s.stop()
    assert len(tenants) == 22
    by_name = {t["name"]: t for t in tenants}
    pref = by_name["default"]
    assert (pref["nameJa"], pref["code"], pref["kind"], pref["population"]) == ("長崎県", "420000", "prefecture", 1312317)
    assert "EvacuationShelter" in pref["publicTypes"]
    municipalities = [t for t in tenants if t["kind"] != "prefecture"]
    assert sum(t["population"] for t in municipalities) == 1312317
    assert sorted({t["kind"] for t in municipalities}) == ["city", "town"]
    assert len([t for t in municipalities if t["kind"] == "city"]) == 13
    assert by_name["sasebo"]["nameJa"] == "佐世保市" and by_name["sasebo"]["code"] == "422029"
    for t in municipalities:  # the check digit, computed here independently
        d = [int(c) for c in t["code"]]
        assert d[5] == (11 - sum(x * w for x, w in zip(d[:5], (6, 5, 4, 3, 2))) % 11) % 10, t
        assert re.fullmatch(r"[a-z]+", t["name"])


# Sample values for the captures of each route pattern.
CAPTURES = {"{id}": "urn:ngsi-ld:Bus:1", "{attrId}": "speed", "{instanceId}": "urn:ngsi-ld:Instance:1",
            "{type}": "Bus", "{name}": "demo", "{service}": "0000", "{keyId}": "0000"}


def fill(path, tenant):
    parts = []
    for seg in path.split("/"):
        if seg == "{tenant}":
            parts.append(tenant)
        else:
            parts.append(CAPTURES.get(seg, seg))
    return "/".join(parts)


def test_every_route_refuses_whom_it_must(secured):
    """Every registered route, from the server's own list: an anonymous caller, a caller of
    another tenant and a read-only key are refused wherever the route's permission says so."""
    register(secured, "mine")
    register(secured, "theirs")
    routes = requests.get(secured.url + "/dejima/v1/routes", headers=op()).json()
    assert len(routes) >= 50
    needs = {"open", "identified", "read", "temporal", "write", "subscribe", "tenant-admin", "operator"}
    assert {r["need"] for r in routes} <= needs
    theirs = key(service(secured, "theirs", [{"operations": ["read", "write", "temporal", "subscribe", "admin"]}])
                 ["apiKey"])
    reader = key(service(secured, "mine", [{"operations": ["read"]}])["apiKey"])
    r = requests.post(f"{secured.url}{TENANTS}/mine/users",
                      json={"name": "vic", "password": "vic-password-1", "role": "viewer"}, headers=op())
    assert r.status_code == 201, r.text
    token = requests.post(secured.url + "/dejima/v1/login", json={"user": "vic", "password": "vic-password-1"})
    viewer = {"Authorization": "Bearer " + token.json()["token"]}
    checked = 0
    for route in routes:
        url = secured.url + fill(route["path"], "mine") + ("?tenant=mine" if route["tenant"] == "query" else "")
        method = route["method"]
        need = route["need"]
        tenant = {"NGSILD-Tenant": "mine"} if route["tenant"] == "header" else {}
        body = {"data": "{}", "headers": {"Content-Type": "application/json"}} if method in ("POST", "PUT", "PATCH") \
            else {"headers": {}}

        def call(creds):  # streamed: the live events route answers a stream that does not end
            with requests.request(method, url, data=body.get("data"), stream=True,
                                  headers={**body["headers"], **tenant, **creds}) as r:
                return r.status_code

        where = f"{method} {route['path']} ({need})"
        if route["path"] == "/dejima/v1/logout":
            continue  # would end the viewer's session; open, and tested with the users
        anonymous, other, read_only, viewing = call({}), call(theirs), call(reader), call(viewer)
        if need == "open":
            assert anonymous not in (401, 403), where
            continue
        assert anonymous == 401, where
        if need == "identified":
            assert viewing not in (401, 403), where
            continue
        assert other == 403, where
        if need == "read":
            assert read_only not in (401, 403), where
            assert viewing not in (401, 403), where
        elif need == "temporal":
            assert read_only == 403, where
            assert viewing not in (401, 403), where
        else:
            assert read_only == 403, where
            assert viewing == 403, where
        checked += 1
    assert checked >= 45


def test_a_rate_limit_answers_429_with_retry_after_then_recovers(secured):
    register(secured, "saikai")
    k = key(service(secured, "saikai", [{"operations": ["read"]}], rateLimit={"perSecond": 2, "burst": 3})["apiKey"])
    get = lambda: requests.get(secured.url + ENTITIES, params={"type": "Bus"}, headers={"NGSILD-Tenant": "saikai", **k})
    statuses = [get().status_code for _ in range(6)]
    assert statuses[:3] == [200, 200, 200], statuses
    assert 429 in statuses[3:]
    r = get()
    assert r.status_code == 429
    assert r.json()["type"] == "urn:dejima:errors:TooManyRequests"
    assert 1 <= int(r.headers["Retry-After"]) <= 2
    time.sleep(int(r.headers["Retry-After"]))
    assert get().status_code == 200, "tokens come back at perSecond"
    # Another key is not held back by this one.
    other = key(service(secured, "saikai", [{"operations": ["read"]}])["apiKey"])
    assert requests.get(secured.url + ENTITIES, params={"type": "Bus"},
                        headers={"NGSILD-Tenant": "saikai", **other}).status_code == 200


def test_a_daily_quota_holds_across_a_restart(start_server):
    s = start_server("--bootstrap-operator-key", OPERATOR_KEY, auth=True)
    register(s, "unzen")
    k = key(service(s, "unzen", [{"operations": ["read"]}], dailyQuota=5)["apiKey"])
    get = lambda srv: requests.get(srv.url + ENTITIES, params={"type": "Bus"}, headers={"NGSILD-Tenant": "unzen", **k})
    assert [get(s).status_code for _ in range(3)] == [200, 200, 200]
    s.stop()
    s = start_server(auth=True)
    assert [get(s).status_code for _ in range(2)] == [200, 200]
    r = get(s)
    assert r.status_code == 429, "3 before the restart + 2 after = the quota of 5"
    assert 0 < int(r.headers["Retry-After"]) <= 86400, "until local midnight"


def independent_shares(members, maintenance, api, weight=0, requests=None):
    """The agreed rules, computed here with exact fractions (amounts in 0.1 千円); `weight` of the
    cities' and towns' API cost split by `requests` (tenant → count) instead of population."""
    from fractions import Fraction
    from math import floor
    weight = Fraction(weight)
    requests = requests or {}
    groups = {"prefecture": [], "city": [], "town": []}
    for m in members:
        groups["town" if m["kind"] in ("town", "village") else m["kind"]].append(m)
    part = {"prefecture": Fraction(1, 2), "city": Fraction(1, 2) * Fraction(9, 10), "town": Fraction(1, 2) * Fraction(1, 10)}
    exact = {}
    for g, ms in groups.items():
        pop = sum(m["population"] for m in ms)
        used = sum(requests.get(m["tenant"], 0) for m in ms)
        for m in ms:
            per_head = Fraction(m["population"], pop) if g != "prefecture" else Fraction(1)
            per_use = Fraction(requests.get(m["tenant"], 0), used) if used else per_head
            if g != "prefecture":
                per_head = (1 - weight) * per_head + weight * per_use
            exact[m["code"]] = (maintenance * 10 * part[g] / len(ms), api * 10 * part[g] * per_head)
    out = {}
    for col, total in ((0, maintenance * 10), (1, api * 10)):
        codes = sorted(exact)
        floors = {c: floor(exact[c][col]) for c in codes}
        left = total - sum(floors.values())
        for c in sorted(codes, key=lambda c: -(exact[c][col] - floors[c]))[:left]:  # stable: code order on ties
            floors[c] += 1
        for c in codes:
            out.setdefault(c, [0, 0])[col] = floors[c]
    return out


@pytest.mark.skipif(not os.path.exists(CENSUS), reason="needs ../shared/data/population")
def test_cost_shares_follow_the_agreed_rules_with_the_2020_census(tmp_path):
    demo = tmp_path / "demo"
    (demo / "population").mkdir(parents=True)
    shutil.copy(CENSUS, demo / "population")
    s = DejimaServer(tmp_path / "data", "--demo", "--demo-data", str(demo), "--cost-maintenance", "12345",
                     "--cost-api-development", "6789", auth=True).start()
    try:
        r = requests.get(s.url + "/dejima/v1/cost-shares", params={"year": "2026"})
        csv = requests.get(s.url + "/dejima/v1/cost-shares", params={"format": "csv"})
        bad = requests.get(s.url + "/dejima/v1/cost-shares", params={"year": "26"})
    finally:
        s.stop()
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["year"] == 2026 and body["totals"] == {"maintenance": 12345.0, "apiDevelopment": 6789.0}
    members = body["members"]
    assert len(members) == 22
    assert members[0]["code"] == "420000" and members[0]["kind"] == "prefecture" and members[0]["tenant"] == "default"
    expected = independent_shares(members, 12345, 6789)
    for m in members:
        want = expected[m["code"]]
        assert (round(m["maintenance"] * 10), round(m["apiDevelopment"] * 10)) == tuple(want), m
        assert round(m["total"] * 10) == sum(want)
    assert round(sum(m["maintenance"] for m in members) * 10) == 123450
    assert round(sum(m["apiDevelopment"] for m in members) * 10) == 67890
    assert members[0]["maintenance"] == 6172.5, "県:市町 = 1:1"
    cities = [m for m in members if m["kind"] == "city"]
    assert max(m["maintenance"] for m in cities) - min(m["maintenance"] for m in cities) <= 0.1, "均等割"
    nagasaki = next(m for m in members if m["tenant"] == "nagasaki")
    assert nagasaki["apiDevelopment"] == max(m["apiDevelopment"] for m in members[1:]), "人口割: the largest city"
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8")
    assert text.startswith("\ufefftenant,name,code,kind,population,maintenance,apiDevelopment,total\r\n")
    assert text.rstrip("\r\n").endswith(",合計,,,,12345.0,6789.0,19134.0")
    assert "default,長崎県,420000,prefecture,1312317,6172.5," in text
    assert bad.status_code == 400


def test_cost_shares_say_why_they_cannot_be_split(secured):
    r = requests.get(secured.url + "/dejima/v1/cost-shares")
    assert r.status_code == 422
    assert "prefecture" in r.json()["detail"]
