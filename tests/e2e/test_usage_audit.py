"""The usage history (/dejima/v1/usage), the audit log (/dejima/v1/audit) and the usage method
of the cost shares (利用按分), against the real server: counts checked against what the test
sent and received, kept across a restart, and seen by whom they concern only."""
from fractions import Fraction

import requests

from test_access import independent_shares

OPERATOR_KEY = "operator-key-for-the-usage-tests"
ENTITIES = "/ngsi-ld/v1/entities"
TENANTS = "/dejima/v1/tenants"


def op(extra=None):
    return {"X-API-Key": OPERATOR_KEY, **(extra or {})}


def register(server, name, **fields):
    r = requests.post(server.url + TENANTS, json={"name": name, "kind": "city", **fields}, headers=op())
    assert r.status_code == 201, r.text


def service_key(server, tenant, operations):
    r = requests.post(f"{server.url}{TENANTS}/{tenant}/services",
                      json={"name": "app", "scopes": [{"operations": operations}]}, headers=op())
    assert r.status_code == 201, r.text
    return r.json()["keyId"], {"X-API-Key": r.json()["apiKey"]}


def test_usage_counts_what_each_key_did_per_family_and_survives_a_restart(start_server):
    s = start_server("--bootstrap-operator-key", OPERATOR_KEY, auth=True)
    register(s, "mine")
    register(s, "theirs")
    key_id, k = service_key(s, "mine", ["read", "temporal", "admin"])
    _, theirs = service_key(s, "theirs", ["admin"])
    mine = {"NGSILD-Tenant": "mine"}
    sent = []
    for _ in range(3):
        sent.append(requests.get(s.url + ENTITIES, params={"type": "Bus"}, headers={**mine, **k}))
    sent.append(requests.get(s.url + ENTITIES + "/urn:x:none", headers={**mine, **k}))
    for _ in range(2):
        sent.append(requests.get(s.url + "/ngsi-ld/v1/temporal/entities/urn:x:none", headers={**mine, **k}))
    assert [r.status_code for r in sent] == [200, 200, 200, 404, 404, 404]
    ngsi_bytes = sum(len(r.content) for r in sent[:4])
    r = requests.get(s.url + "/dejima/v1/usage", params={"tenant": "mine", "key": key_id, "groupBy": "key,family"},
                     headers=op())
    assert r.status_code == 200, r.text
    rows = {row["family"]: row for row in r.json()}
    assert rows["ngsi-ld"]["requests"] == 4 and rows["ngsi-ld"]["errors"] == 1
    assert rows["ngsi-ld"]["bytesOut"] == ngsi_bytes
    assert rows["ngsi-ld"]["key"] == key_id and "day" not in rows["ngsi-ld"]
    assert rows["temporal"]["requests"] == 2 and rows["temporal"]["errors"] == 2
    assert 0 < rows["ngsi-ld"]["p50Ms"] <= rows["ngsi-ld"]["p99Ms"] < 10000
    # A tenant's admin sees its own tenant only; nobody else sees anything.
    assert requests.get(s.url + "/dejima/v1/usage", params={"tenant": "mine"}, headers=k).status_code == 200
    assert requests.get(s.url + "/dejima/v1/usage", params={"tenant": "mine"}, headers=theirs).status_code == 403
    assert requests.get(s.url + "/dejima/v1/usage", params={"tenant": "mine"}).status_code == 401
    assert requests.get(s.url + "/dejima/v1/usage", params={"groupBy": "colour"}, headers=op()).status_code == 400
    assert requests.get(s.url + "/dejima/v1/usage", params={"from": "2026-13-01"}, headers=op()).status_code == 400
    # As CSV, for Excel.
    csv = requests.get(s.url + "/dejima/v1/usage", params={"tenant": "mine", "groupBy": "tenant,family",
                                                           "format": "csv"}, headers=op())
    text = csv.content.decode("utf-8")
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert text.startswith("\ufefftenant,family,requests,errors,bytesOut,p50Ms,p99Ms\r\n")
    assert "\r\nmine,temporal,2,2," in text
    s.stop()
    s = start_server(auth=True)
    r = requests.get(s.url + "/dejima/v1/usage", params={"tenant": "mine", "key": key_id, "groupBy": "family"},
                     headers=op())
    assert {row["family"]: row["requests"] for row in r.json()} == {"ngsi-ld": 4, "temporal": 2, "management": 1}, \
        "the key's own look at the usage counts too"


def test_the_audit_log_keeps_who_did_what_from_where(start_server):
    s = start_server("--bootstrap-operator-key", OPERATOR_KEY, auth=True)
    register(s, "mine")
    register(s, "theirs")
    _, admin = service_key(s, "mine", ["admin"])
    r = requests.post(f"{s.url}{TENANTS}/mine/users", json={"name": "aki", "password": "aki-password-1",
                                                            "role": "editor"}, headers=admin)
    assert r.status_code == 201
    assert requests.post(s.url + "/dejima/v1/login", json={"user": "aki", "password": "wrong-password"}).status_code \
        == 401
    assert requests.get(s.url + ENTITIES, params={"type": "Bus"},
                        headers={"X-API-Key": "dj_stolen", "NGSILD-Tenant": "mine"}).status_code == 401
    assert requests.post(f"{s.url}{TENANTS}/theirs/users", json={"name": "eve", "password": "eve-password-1",
                                                                 "role": "admin"}, headers=admin).status_code == 403
    entries = requests.get(s.url + "/dejima/v1/audit", headers=op())
    assert entries.status_code == 200, entries.text
    log = entries.json()
    assert log == sorted(log, key=lambda e: e["at"], reverse=True), "newest first"
    made = next(e for e in log if e["route"] == "/dejima/v1/tenants/{tenant}/users" and e["method"] == "POST"
                and e["status"] == 201)
    assert made["tenant"] == "mine" and made["address"] == "127.0.0.1" and made["outcome"] == "done"
    assert made["actor"] not in ("anonymous", "operator")
    login = next(e for e in log if e["path"] == "/dejima/v1/login")
    assert login["actor"] == "user:aki" and login["status"] == 401 and login["outcome"] == "refused"
    assert any(e["status"] == 401 and e["path"] == ENTITIES and e["tenant"] == "mine" for e in log)
    assert any(e["status"] == 403 and e["tenant"] == "theirs" for e in log)
    registered = [e for e in log if e["route"] == TENANTS and e["method"] == "POST"]
    assert [e["actor"] for e in registered] == ["operator", "operator"]
    # The tenant's admin reads its tenant's entries only.
    own = requests.get(s.url + "/dejima/v1/audit", params={"tenant": "mine"}, headers=admin).json()
    assert own and all(e["tenant"] == "mine" for e in own)
    assert requests.get(s.url + "/dejima/v1/audit", params={"tenant": "theirs"}, headers=admin).status_code == 403
    assert len(requests.get(s.url + "/dejima/v1/audit", params={"limit": "2"}, headers=op()).json()) == 2
    assert requests.get(s.url + "/dejima/v1/audit", params={"limit": "0"}, headers=op()).status_code == 400
    # Reads are not actions.
    assert not any(e["method"] == "GET" and e["status"] == 200 for e in log)
    s.stop()
    s = start_server(auth=True)
    after = requests.get(s.url + "/dejima/v1/audit", params={"limit": "10000"}, headers=op()).json()
    assert len(after) >= len(log), "kept across a restart"


def test_cost_shares_blend_population_with_measured_usage(start_server):
    s = start_server("--bootstrap-operator-key", OPERATOR_KEY, "--cost-usage-weight", "40",
                     "--cost-api-development", "1000", "--cost-maintenance", "100", auth=True)
    register(s, "pref", kind="prefecture", code="420000", population=1300000)
    register(s, "a", code="422011", population=400000)
    register(s, "b", code="422029", population=240000)
    register(s, "c", kind="town", code="423076", population=40000)
    for tenant, n in (("a", 5), ("b", 15)):
        for _ in range(n):
            assert requests.get(s.url + ENTITIES, params={"type": "Bus"},
                                headers=op({"NGSILD-Tenant": tenant})).status_code == 200
    body = requests.get(s.url + "/dejima/v1/cost-shares", params={"year": "2026"}).json()
    assert body["usageWeight"] == 0.4
    members = body["members"]
    counted = {m["tenant"]: m["requests"] for m in members}
    assert counted["a"] == 5 and counted["b"] == 15 and counted["c"] == 0
    expected = independent_shares(members, 100, 1000, Fraction(2, 5), counted)
    for m in members:
        assert (round(m["maintenance"] * 10), round(m["apiDevelopment"] * 10)) == tuple(expected[m["code"]]), m
    assert round(sum(m["apiDevelopment"] for m in members) * 10) == 10000
    by_population = independent_shares(members, 100, 1000)
    assert expected["422029"][1] > by_population["422029"][1], "b made more requests than its population share"
