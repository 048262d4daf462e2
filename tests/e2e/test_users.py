"""Users, roles and sessions (--auth on): the operator's user from the bootstrap setting, a
tenant's administrators managing its users, what viewer, editor and admin may do, the web app's
cookie and the API's bearer token, logout, password changes, restarts, and `dejima admin`."""
import subprocess

import pytest
import requests

from dejima_server import BIN, DejimaServer

OPERATOR_KEY = "operator-key-for-the-user-tests"
OPERATOR_PASSWORD = "operator-password-1"
ENTITIES = "/ngsi-ld/v1/entities"
TENANTS = "/dejima/v1/tenants"
LOGIN = "/dejima/v1/login"


def op():
    return {"X-API-Key": OPERATOR_KEY}


@pytest.fixture
def secured(tmp_path):
    s = DejimaServer(tmp_path / "data", "--bootstrap-operator-key", OPERATOR_KEY,
                     "--bootstrap-operator-password", OPERATOR_PASSWORD, auth=True).start()
    yield s
    s.stop()


def register(server, name):
    r = requests.post(server.url + TENANTS, json={"name": name, "kind": "city"}, headers=op())
    assert r.status_code == 201, r.text


def add_user(server, tenant, name, role, headers=None, password=None, expect=201):
    r = requests.post(f"{server.url}{TENANTS}/{tenant}/users",
                      json={"name": name, "password": password or f"{name}-password-1", "role": role},
                      headers=headers or op())
    assert r.status_code == expect, r.text
    return r


def login(server, name, password=None):
    r = requests.post(server.url + LOGIN, json={"user": name, "password": password or f"{name}-password-1"})
    assert r.status_code == 200, r.text
    return r


def bearer(server, name, password=None):
    return {"Authorization": "Bearer " + login(server, name, password).json()["token"]}


def entity(eid, etype="Shelter"):
    return {"id": eid, "type": etype, "name": {"type": "Property", "value": "公民館"}}


def test_the_operators_user_signs_in_and_the_cookie_is_http_only_and_same_site(secured):
    r = login(secured, "operator", OPERATOR_PASSWORD)
    body = r.json()
    assert body["user"]["operator"] is True
    assert body["token"].startswith("djs_")
    assert "passwordHash" not in body["user"]
    cookie = r.headers["Set-Cookie"]
    for attribute in ("dejima_session=", "HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"):
        assert attribute in cookie, cookie
    assert r.headers["Cache-Control"] == "no-store"
    session = requests.Session()
    session.cookies.set("dejima_session", body["token"])
    me = session.get(secured.url + "/dejima/v1/me").json()
    assert me["caller"] == "user:operator" and me["operator"] is True and me["roles"] == {}
    register(secured, "mine")
    assert session.post(secured.url + ENTITIES, json=entity("urn:s:1"),
                        headers={"NGSILD-Tenant": "mine"}).status_code == 201
    # The cookie cannot be used from another site's page to change anything.
    evil = session.post(secured.url + ENTITIES, json=entity("urn:s:2"),
                        headers={"NGSILD-Tenant": "mine", "Origin": "https://evil.example"})
    assert evil.status_code == 403 and "Cross-site" in evil.json()["title"]
    same = session.post(secured.url + ENTITIES, json=entity("urn:s:3"),
                        headers={"NGSILD-Tenant": "mine", "Origin": secured.url})
    assert same.status_code == 201, same.text
    assert session.get(secured.url + ENTITIES + "/urn:s:1", headers={"NGSILD-Tenant": "mine",
                                                                     "Origin": "https://evil.example"}).status_code == 200


def test_viewer_editor_and_admin_do_what_their_roles_say_in_their_tenant_only(secured):
    register(secured, "mine")
    register(secured, "theirs")
    add_user(secured, "mine", "aki", "admin")
    admin = bearer(secured, "aki")
    add_user(secured, "mine", "eri", "editor", headers=admin)
    add_user(secured, "mine", "vic", "viewer", headers=admin)
    editor, viewer = bearer(secured, "eri"), bearer(secured, "vic")
    mine, theirs = {"NGSILD-Tenant": "mine"}, {"NGSILD-Tenant": "theirs"}

    assert requests.post(secured.url + ENTITIES, json=entity("urn:s:1"), headers={**mine, **editor}).status_code == 201
    assert requests.post(secured.url + ENTITIES, json=entity("urn:s:2"), headers={**mine, **viewer}).status_code == 403
    assert requests.get(secured.url + ENTITIES + "/urn:s:1", headers={**mine, **viewer}).status_code == 200
    assert requests.get(secured.url + "/ngsi-ld/v1/temporal/entities/urn:s:1",
                        headers={**mine, **viewer}).status_code == 200
    sub = {"type": "Subscription", "entities": [{"type": "Shelter"}],
           "notification": {"endpoint": {"uri": "http://127.0.0.1:9/n"}}}
    assert requests.post(secured.url + "/ngsi-ld/v1/subscriptions", json=sub,
                         headers={**mine, **editor}).status_code == 201
    assert requests.post(secured.url + "/ngsi-ld/v1/subscriptions", json=sub,
                         headers={**mine, **viewer}).status_code == 403
    # Only the admin manages the tenant's users and services.
    for who in (editor, viewer):
        assert requests.get(f"{secured.url}{TENANTS}/mine/users", headers=who).status_code == 403
        assert requests.get(f"{secured.url}{TENANTS}/mine/services", headers=who).status_code == 403
    listed = requests.get(f"{secured.url}{TENANTS}/mine/users", headers=admin).json()
    assert {u["name"]: u["roles"] for u in listed} == {"aki": {"mine": "admin"}, "eri": {"mine": "editor"},
                                                       "vic": {"mine": "viewer"}}
    # Nothing in another tenant, and nothing of the operator's.
    for who in (admin, editor, viewer):
        assert requests.post(secured.url + ENTITIES, json=entity("urn:s:9"),
                             headers={**theirs, **who}).status_code == 403
        assert requests.get(secured.url + ENTITIES, params={"type": "Shelter"},
                            headers={**theirs, **who}).status_code == 403
    assert requests.get(f"{secured.url}{TENANTS}/theirs/users", headers=admin).status_code == 403
    assert requests.get(secured.url + "/dejima/v1/users", headers=admin).status_code == 403
    assert requests.post(secured.url + TENANTS, json={"name": "x", "kind": "city"}, headers=admin).status_code == 403
    # A role changed by the admin takes effect on the next request, in the same session.
    r = requests.patch(f"{secured.url}{TENANTS}/mine/users/vic", json={"role": "editor"}, headers=admin)
    assert r.status_code == 200 and r.json()["roles"] == {"mine": "editor"}
    assert requests.post(secured.url + ENTITIES, json=entity("urn:s:3"), headers={**mine, **viewer}).status_code == 201


def test_an_admin_cannot_reach_beyond_the_tenant(secured):
    register(secured, "mine")
    register(secured, "theirs")
    add_user(secured, "mine", "aki", "admin")
    add_user(secured, "theirs", "tom", "editor")
    admin = bearer(secured, "aki")
    # No operators made by a tenant admin, no users taken over from another tenant.
    r = requests.post(f"{secured.url}{TENANTS}/mine/users",
                      json={"name": "mallory", "password": "mallory-password", "role": "viewer", "operator": True},
                      headers=admin)
    assert r.status_code == 403
    add_user(secured, "mine", "tom", "viewer", headers=admin, expect=409)
    assert requests.put(f"{secured.url}{TENANTS}/mine/users/tom", json={"role": "viewer"},
                        headers=admin).status_code == 404
    # The operator may give tom a role here too; then his password is the operator's to reset.
    r = requests.put(f"{secured.url}{TENANTS}/mine/users/tom", json={"role": "viewer"}, headers=op())
    assert r.status_code == 200 and r.json()["roles"] == {"mine": "viewer"}
    assert requests.patch(f"{secured.url}{TENANTS}/mine/users/tom", json={"password": "taken-over-1"},
                          headers=admin).status_code == 403
    everyone = requests.get(secured.url + "/dejima/v1/users", headers=op()).json()
    assert [u["roles"] for u in everyone if u["name"] == "tom"] == [{"mine": "viewer", "theirs": "editor"}]
    # Taking tom's role here leaves him in his tenant; taking the last removes him.
    assert requests.delete(f"{secured.url}{TENANTS}/mine/users/tom", headers=admin).status_code == 204
    assert requests.delete(f"{secured.url}{TENANTS}/mine/users/tom", headers=admin).status_code == 404
    login(secured, "tom")
    assert requests.delete(f"{secured.url}{TENANTS}/theirs/users/tom", headers=op()).status_code == 204
    assert requests.post(secured.url + LOGIN, json={"user": "tom", "password": "tom-password-1"}).status_code == 401


def test_bad_logins_say_nothing_about_which_part_was_wrong(secured):
    register(secured, "mine")
    add_user(secured, "mine", "aki", "admin")
    wrong = requests.post(secured.url + LOGIN, json={"user": "aki", "password": "not-the-password"})
    unknown = requests.post(secured.url + LOGIN, json={"user": "nobody", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert "WWW-Authenticate" not in wrong.headers or wrong.headers["WWW-Authenticate"]
    assert requests.post(secured.url + LOGIN, json={"user": "aki"}).status_code == 400
    assert requests.post(secured.url + LOGIN, data="user=aki").status_code == 415
    for token in ("djs_forged", "a.b.c", ""):
        r = requests.get(secured.url + ENTITIES + "/urn:x", headers={"Authorization": "Bearer " + token,
                                                                       "NGSILD-Tenant": "mine"})
        assert r.status_code == 401, token
        assert 'Bearer realm="dejima"' in r.headers["WWW-Authenticate"]
    # Weak passwords and bad names are refused when the user is made.
    for body in ({"name": "eve", "password": "short", "role": "viewer"},
                 {"name": "eve", "password": "aaaaaaaaaaaa", "role": "viewer"},
                 {"name": "Eve!", "password": "eve-password-1", "role": "viewer"},
                 {"name": "eve", "password": "eve-password-1", "role": "owner"},
                 {"name": "eve", "password": "eve-password-1"}):
        assert requests.post(f"{secured.url}{TENANTS}/mine/users", json=body, headers=op()).status_code == 400, body


def test_logout_and_a_new_password_end_sessions(secured):
    register(secured, "mine")
    add_user(secured, "mine", "aki", "editor")
    first, second = bearer(secured, "aki"), bearer(secured, "aki")
    mine = {"NGSILD-Tenant": "mine"}
    r = requests.post(secured.url + "/dejima/v1/logout", headers=first)
    assert r.status_code == 204 and "Max-Age=0" in r.headers["Set-Cookie"]
    assert requests.get(secured.url + ENTITIES + "/urn:x", headers={**mine, **first}).status_code == 401
    assert requests.get(secured.url + ENTITIES + "/urn:x", headers={**mine, **second}).status_code == 404
    # Changing one's own password needs the current one, and ends every session.
    assert requests.patch(secured.url + "/dejima/v1/me", json={"password": "aki-password-2"},
                          headers=second).status_code == 403
    assert requests.patch(secured.url + "/dejima/v1/me", json={"role": "admin"}, headers=second).status_code == 403
    r = requests.patch(secured.url + "/dejima/v1/me",
                       json={"password": "aki-password-2", "currentPassword": "aki-password-1",
                             "displayName": "秋山"}, headers=second)
    assert r.status_code == 204, r.text
    assert requests.get(secured.url + ENTITIES + "/urn:x", headers={**mine, **second}).status_code == 401
    me = requests.get(secured.url + "/dejima/v1/me", headers=bearer(secured, "aki", "aki-password-2")).json()
    assert me["user"]["displayName"] == "秋山"
    assert requests.get(secured.url + "/dejima/v1/me").status_code == 401


def test_sessions_and_users_survive_a_restart_and_dejima_admin_works_offline(start_server, tmp_path):
    s = start_server("--bootstrap-operator-key", OPERATOR_KEY, auth=True)
    register(s, "mine")
    add_user(s, "mine", "aki", "editor")
    token = bearer(s, "aki")
    s.stop()
    data = str(tmp_path / "data")
    run = lambda *args, stdin="": subprocess.run([BIN, "admin", *args, "--data-dir", data], input=stdin,
                                                 capture_output=True, text=True, timeout=60)
    r = run("user", "add", "kei", "--role", "mine=admin", "--display-name", "県 担当", stdin="kei-password-1\n")
    assert r.returncode == 0, r.stderr
    assert run("user", "add", "kei", "--role", "mine=admin", stdin="kei-password-1\n").returncode == 1
    assert run("user", "add", "bad", "--role", "mine=owner", stdin="bad-password-1\n").returncode == 2
    assert run("user", "add", "weak", "--role", "mine=viewer", stdin="short\n").returncode == 1
    listed = run("user", "list").stdout
    assert '"name":"kei"' in listed and '"mine":"admin"' in listed and "passwordHash" not in listed
    assert run("user", "passwd", "aki", stdin="aki-password-3\n").returncode == 0
    key = run("operator-key", "--replace")
    assert key.returncode == 0 and key.stdout.strip().startswith("dj_")
    s = start_server(auth=True)
    # aki's session ended with the new password; kei signs in; the old operator key is revoked.
    assert requests.get(s.url + "/dejima/v1/me", headers=token).status_code == 401
    assert requests.get(s.url + "/dejima/v1/me", headers=bearer(s, "aki", "aki-password-3")).status_code == 200
    kei = bearer(s, "kei")
    assert requests.get(f"{s.url}{TENANTS}/mine/users", headers=kei).status_code == 200
    assert requests.get(s.url + "/dejima/v1/users", headers=op()).status_code == 401
    assert requests.get(s.url + "/dejima/v1/users",
                        headers={"X-API-Key": key.stdout.strip()}).status_code == 200
    later = bearer(s, "kei")
    s.stop()
    s = start_server(auth=True)
    assert requests.get(s.url + "/dejima/v1/me", headers=later).json()["caller"] == "user:kei"
    # The running server holds the data directory: dejima admin says so instead of writing.
    r = run("user", "list")
    assert r.returncode == 1 and r.stderr


def test_repeated_failed_logins_are_held_back(secured):
    register(secured, "mine")
    add_user(secured, "mine", "aki", "editor")
    for _ in range(5):
        assert requests.post(secured.url + LOGIN, json={"user": "aki", "password": "guess-guess"}).status_code == 401
    r = requests.post(secured.url + LOGIN, json={"user": "aki", "password": "aki-password-1"})
    assert r.status_code == 429, r.text
    assert 800 < int(r.headers["Retry-After"]) <= 900
    log = requests.get(secured.url + "/dejima/v1/audit", headers=op()).json()
    assert [e["status"] for e in log if e["path"] == LOGIN][:2] == [429, 401]

