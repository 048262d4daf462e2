"""OpenID Connect bearer tokens (--oidc-issuer): a stand-in identity provider on loopback serves
the discovery document and the JWKS, the tests sign tokens with PyJWT (RS256, ES256) and send
them to the real binary. Roles from the claim, every refusal (expired, another audience or
issuer, an unknown key, alg none), a JWKS rotated while the server runs, and a provider that is
down when the server starts."""
import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from dejima_server import DejimaServer

OPERATOR_KEY = "operator-key-for-the-oidc-tests"
ENTITIES = "/ngsi-ld/v1/entities"
TENANTS = "/dejima/v1/tenants"
REALM = "/realms/nagasaki"


class Key:
    def __init__(self, kind, kid):
        self.kid = kid
        self.alg = "RS256" if kind == "rsa" else "ES256"
        self.private = (rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "rsa"
                        else ec.generate_private_key(ec.SECP256R1()))
        algorithm = jwt.algorithms.RSAAlgorithm if kind == "rsa" else jwt.algorithms.ECAlgorithm
        self.jwk = dict(json.loads(algorithm.to_jwk(self.private.public_key())), kid=kid, use="sig", alg=self.alg)


class Provider:
    """The identity provider's two documents on a loopback port; `keys` and `up` may change."""

    def __init__(self):
        self.keys = []
        self.up = True
        self.jwks_gets = 0
        self.discovery_gets = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if not provider.up:
                    self.send_error(503)
                    return
                if self.path == REALM + "/.well-known/openid-configuration":
                    provider.discovery_gets += 1
                    body = {"issuer": provider.issuer, "jwks_uri": provider.issuer + "/protocol/openid-connect/certs"}
                elif self.path == REALM + "/protocol/openid-connect/certs":
                    provider.jwks_gets += 1
                    body = {"keys": [k.jwk for k in provider.keys]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.httpd.server_address[1]}{REALM}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def rsa_key():
    return Key("rsa", "rsa-2026-1")


@pytest.fixture(scope="module")
def ec_key():
    return Key("ec", "ec-2026-1")


@pytest.fixture
def idp(rsa_key, ec_key):
    p = Provider()
    p.keys = [rsa_key, ec_key]
    yield p
    p.stop()


@pytest.fixture
def start(tmp_path, idp):
    started = []

    def run(*args):
        s = DejimaServer(tmp_path / "data", "--bootstrap-operator-key", OPERATOR_KEY, "--oidc-issuer", idp.issuer,
                         *args, auth=True).start()
        started.append(s)
        for name in ("sasebo", "omura"):
            r = requests.post(s.url + TENANTS, json={"name": name, "kind": "city"}, headers={"X-API-Key": OPERATOR_KEY})
            assert r.status_code == 201, r.text
        return s

    yield run
    for s in started:
        s.stop()


def token(key, issuer, sub="alice", roles=None, audience="dejima", lifetime=300, claim="dejima_roles", **extra):
    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "sub": sub, "iat": now, "exp": now + lifetime,
              "jti": f"{sub}-{time.monotonic_ns()}", **extra}
    if roles is not None:
        claims[claim] = roles
    return jwt.encode(claims, key.private, algorithm=key.alg, headers={"kid": key.kid})


def bearer(t):
    return {"Authorization": "Bearer " + t}


def entity(eid):
    return {"id": eid, "type": "Shelter", "name": {"type": "Property", "value": "公民館"}}


def post(server, t, tenant, eid):
    return requests.post(server.url + ENTITIES, json=entity(eid), headers={**bearer(t), "NGSILD-Tenant": tenant})


def refused(r, words):
    assert r.status_code == 401, r.text
    assert words in r.json()["detail"], r.json()
    assert "Bearer" in r.headers.get("WWW-Authenticate", "")


def test_tokens_act_with_the_roles_of_their_claim(start, idp, rsa_key, ec_key):
    s = start()
    editor = token(rsa_key, idp.issuer, "alice", ["sasebo:editor", "omura:viewer", "somewhere:chief"],
                   audience=["account", "dejima"], name="Alice")
    me = requests.get(s.url + "/dejima/v1/me", headers=bearer(editor))
    assert me.status_code == 200, me.text
    assert me.json()["caller"] == "oidc:alice" and me.json()["operator"] is False
    assert me.json()["roles"] == {"sasebo": "editor", "omura": "viewer"}, "the claim's roles, unknown ones left out"
    assert post(s, editor, "sasebo", "urn:s:1").status_code == 201
    assert requests.get(s.url + ENTITIES + "/urn:s:1", headers={**bearer(editor), "NGSILD-Tenant": "sasebo"}).ok
    assert post(s, editor, "omura", "urn:o:1").status_code == 403
    assert requests.get(s.url + ENTITIES, params={"type": "Shelter"},
                        headers={**bearer(editor), "NGSILD-Tenant": "omura"}).status_code == 200
    assert post(s, editor, "default", "urn:d:1").status_code == 403
    assert requests.get(s.url + "/dejima/v1/users", headers=bearer(editor)).status_code == 403
    # The same token again (remembered) still works, and the ES256 operator may do everything.
    assert post(s, editor, "sasebo", "urn:s:2").status_code == 201
    operator = token(ec_key, idp.issuer, "platform-team", ["operator"])
    assert post(s, operator, "omura", "urn:o:2").status_code == 201
    assert requests.get(s.url + "/dejima/v1/users", headers=bearer(operator)).status_code == 200
    me = requests.get(s.url + "/dejima/v1/me", headers=bearer(operator)).json()
    assert me == {"caller": "oidc:platform-team", "operator": True, "roles": {}}
    # A token without roles identifies its subject and grants nothing more than the public types.
    nobody = token(ec_key, idp.issuer, "bob")
    assert requests.get(s.url + "/dejima/v1/me", headers=bearer(nobody)).json()["caller"] == "oidc:bob"
    assert post(s, nobody, "sasebo", "urn:s:3").status_code == 403
    assert idp.discovery_gets == 1 and idp.jwks_gets == 1


def test_refused_tokens_say_why(start, idp, rsa_key, ec_key):
    s = start()
    refused(post(s, token(rsa_key, idp.issuer, roles=["sasebo:editor"], lifetime=-3600), "sasebo", "urn:x:1"),
            "expired")
    refused(post(s, token(rsa_key, idp.issuer, roles=["sasebo:editor"], audience="account"), "sasebo", "urn:x:1"),
            "audience")
    refused(post(s, token(ec_key, "https://evil.example/realms/nagasaki", roles=["operator"]), "sasebo", "urn:x:1"),
            "issuer")
    refused(post(s, token(ec_key, idp.issuer, roles=["operator"], nbf=int(time.time()) + 3600), "sasebo", "urn:x:1"),
            "nbf")
    # Signed with another key that claims the provider's kid, or names a kid the provider lacks.
    impostor = Key("rsa", rsa_key.kid)
    refused(post(s, token(impostor, idp.issuer, roles=["operator"]), "sasebo", "urn:x:1"), "signature")
    stranger = Key("ec", "not-the-providers")
    refused(post(s, token(stranger, idp.issuer, roles=["operator"]), "sasebo", "urn:x:1"), "not-the-providers")
    # alg none: no signature at all.
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    now = int(time.time())
    unsigned = enc({"alg": "none", "typ": "JWT"}) + "." + enc(
        {"iss": idp.issuer, "aud": "dejima", "sub": "mallory", "exp": now + 300, "dejima_roles": ["operator"]}) + "."
    refused(post(s, unsigned, "sasebo", "urn:x:1"), "none")
    # HS256 keyed with the provider's public key.
    forged = jwt.encode({"iss": idp.issuer, "aud": "dejima", "sub": "mallory", "exp": now + 300,
                         "dejima_roles": ["operator"]}, "a-secret-of-the-attackers", algorithm="HS256",
                        headers={"kid": rsa_key.kid})
    refused(post(s, forged, "sasebo", "urn:x:1"), "HS256")
    refused(post(s, "not.a.token", "sasebo", "urn:x:1"), "token")
    assert requests.get(s.url + ENTITIES + "/urn:x:1", headers={"X-API-Key": OPERATOR_KEY,
                                                                 "NGSILD-Tenant": "sasebo"}).status_code == 404
    # The flood of unknown kids above fetched the JWKS once more at most.
    assert idp.jwks_gets <= 2


def test_keycloak_realm_roles_and_a_given_jwks_url(start, idp, rsa_key):
    s = start("--oidc-roles-claim", "realm_access.roles", "--oidc-audience", "dejima-api",
              "--oidc-jwks-url", idp.issuer + "/protocol/openid-connect/certs")
    t = token(rsa_key, idp.issuer, "kc-user", {"roles": ["offline_access", "uma_authorization", "sasebo:admin"]},
              audience="dejima-api", claim="realm_access")
    assert post(s, t, "sasebo", "urn:s:1").status_code == 201
    assert requests.get(f"{s.url}{TENANTS}/sasebo/users", headers=bearer(t)).status_code == 200
    assert post(s, t, "omura", "urn:o:1").status_code == 403
    assert idp.discovery_gets == 0


def wait_for(check, seconds):
    deadline = time.time() + seconds
    while True:
        r = check()
        if r.status_code != 401 or time.time() > deadline:
            return r
        time.sleep(0.5)


def test_a_rotated_jwks_is_fetched_for_a_new_kid(start, idp, rsa_key):
    s = start()
    old_token = token(rsa_key, idp.issuer, "alice", ["sasebo:editor"])
    assert post(s, old_token, "sasebo", "urn:s:1").status_code == 201
    # The provider rotates: the new key replaces the old one.
    new_key = Key("rsa", "rsa-2026-2")
    idp.keys = [new_key]
    new_token = token(new_key, idp.issuer, "alice", ["sasebo:editor"])
    started = time.time()
    r = wait_for(lambda: post(s, new_token, "sasebo", f"urn:s:{time.monotonic_ns()}"), 20)
    assert r.status_code == 201, r.text
    # At most one fetch per 10 s however many tokens with the unknown kid came in the meantime.
    assert idp.jwks_gets <= 2 + int((time.time() - started) / 10)
    # The old key is gone: a fresh token signed with it is refused, and so is the one seen before
    # (a withdrawn key empties the remembered tokens when the new JWKS arrives).
    refused(post(s, token(rsa_key, idp.issuer, "alice", ["sasebo:editor"]), "sasebo", "urn:s:2"), "rsa-2026-1")
    refused(post(s, old_token, "sasebo", "urn:s:3"), "rsa-2026-1")
    assert post(s, new_token, "sasebo", "urn:s:4").status_code == 201


def test_a_provider_down_at_start_does_not_stop_the_server(start, idp, ec_key):
    idp.up = False
    s = start()
    t = token(ec_key, idp.issuer, "alice", ["sasebo:editor"])
    r = post(s, t, "sasebo", "urn:s:1")
    refused(r, "could not be fetched")
    idp.up = True
    r = wait_for(lambda: post(s, t, "sasebo", "urn:s:1"), 20)
    assert r.status_code == 201, r.text
