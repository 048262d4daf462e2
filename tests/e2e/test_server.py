"""HTTP-level behaviour: limits, keep-alive, idle timeout, remote @context fetching, concurrency."""
import concurrent.futures
import http.server
import json
import socket
import threading
import time

import requests

ENTITIES = "/ngsi-ld/v1/entities"
CTX = {"@context": {"ex": "https://example.jp/ns/", "Shelter": "ex:Shelter", "seats": "ex:seats"}}


def test_version_and_health(server):
    health = requests.get(server.url + "/health").json()
    assert health["status"] == "ok"
    assert set(health["derive"]) == {"records", "bytes", "seconds", "derived", "mostBytes"}
    assert requests.get(server.url + "/version").json()["name"] == "dejima"


def test_body_limit_gives_413_and_changes_nothing(start_server):
    s = start_server("--max-body-bytes", "2048")
    big = {"id": "urn:ngsi-ld:X:big", "type": "T", "blob": {"type": "Property", "value": "x" * 5000}}
    r = requests.post(s.url + ENTITIES, json=big)
    assert r.status_code == 413
    assert r.json()["status"] == 413
    assert requests.get(s.url + ENTITIES + "/urn:ngsi-ld:X:big").status_code == 404


def test_deeply_nested_bodies_are_400_not_a_crash(server):
    """RapidJSON recurses per nesting level: 200,000 '[' once overflowed the stack and killed the
    server. Bodies nested deeper than 512 levels are refused; 512 levels in a value are kept."""
    for body in ("[" * 200000, '{"a":' * 100000, '{"id":"urn:x:1","type":"T","v":{"type":"Property","value":' + "[" * 600 + "]" * 600 + "}}"):
        for path in (ENTITIES, "/ngsi-ld/v1/entityOperations/upsert", "/ngsi-ld/v1/subscriptions"):
            r = requests.post(server.url + path, data=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 400 and "nested deeper than 512 levels" in r.json()["detail"], (path, r.text[:300])
    deep = {"id": "urn:x:deep", "type": "T", "v": {"type": "Property", "value": json.loads("[" * 500 + "]" * 500)}}
    assert requests.post(server.url + ENTITIES, json=deep).status_code == 201
    got = requests.get(server.url + ENTITIES + "/urn:x:deep", params={"options": "keyValues"}).json()
    assert got["v"] == deep["v"]["value"]
    assert requests.get(server.url + "/health").json()["status"] == "ok"


def test_header_limit_gives_431(start_server):
    s = start_server("--max-header-bytes", "2048")
    r = requests.get(s.url + "/health", headers={"X-Big": "y" * 4000})
    assert r.status_code == 431


def test_keep_alive_serves_many_requests_on_one_connection(server):
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        f = sock.makefile("rb")
        for _ in range(3):
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert f.readline().startswith(b"HTTP/1.1 200")
            length = 0
            while (line := f.readline()) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            assert f.read(length).startswith(b'{"status":"ok"')


def test_idle_connections_are_closed(start_server):
    s = start_server("--idle-timeout", "1")
    with socket.create_connection(("127.0.0.1", s.port)) as sock:
        sock.settimeout(5)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # never finishes the header block
        start = time.time()
        data = sock.recv(100)
        assert data == b"" and time.time() - start < 4


def test_malformed_http_gets_400(server):
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"NOT AN HTTP REQUEST\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 400")


class ContextServer:
    """Serves one @context document on loopback and counts how often it was fetched."""

    def __init__(self):
        self.hits = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits += 1
                body = json.dumps(CTX).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/context.jsonld"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def link(url):
    return {"Link": f'<{url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'}


def test_remote_context_is_fetched_once_cached_and_kept(start_server, tmp_path):
    ctx = ContextServer()
    s = start_server()
    body = {"id": "urn:ngsi-ld:Shelter:1", "type": "Shelter", "seats": 120}
    assert requests.post(s.url + ENTITIES, json=body, headers=link(ctx.url)).status_code == 201
    r = requests.get(s.url + ENTITIES + "/urn:ngsi-ld:Shelter:1?options=keyValues", headers=link(ctx.url))
    assert r.json() == body
    assert ctx.hits == 1
    r = requests.get(s.url + ENTITIES + "/urn:ngsi-ld:Shelter:1?options=keyValues")
    assert r.json()["type"] == "https://example.jp/ns/Shelter"
    listed = requests.get(s.url + "/ngsi-ld/v1/jsonldContexts?kind=Cached&details=true").json()
    assert any(c["URL"] == ctx.url and c["kind"] == "Cached" for c in listed)
    ctx.close()
    s.stop()
    # The source is gone, but the cached copy was stored: a restarted broker still knows it.
    s = start_server()
    r = requests.get(s.url + ENTITIES + "/urn:ngsi-ld:Shelter:1?options=keyValues", headers=link(ctx.url))
    assert r.json() == body


def test_unreachable_context_is_503(server):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    body = {"id": "urn:ngsi-ld:Shelter:2", "type": "Shelter"}
    r = requests.post(server.url + ENTITIES, json=body, headers=link(f"http://127.0.0.1:{port}/ctx.jsonld"))
    assert r.status_code == 503
    assert r.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/LdContextNotAvailable"
    assert requests.get(server.url + ENTITIES + "/urn:ngsi-ld:Shelter:2").status_code == 404


def test_concurrency_mixed_operations_stay_consistent(server):
    """Many clients create, patch, read and delete the same entities at once."""
    ids = [f"urn:ngsi-ld:Counter:{i}" for i in range(20)]

    def client(n):
        session = requests.Session()
        for round_ in range(15):
            for eid in ids[n % 4::4]:
                session.post(server.url + ENTITIES, json={"id": eid, "type": "Counter", "n": 0})
                r = session.patch(f"{server.url}{ENTITIES}/{eid}/attrs/n", json={"value": round_})
                assert r.status_code in (204, 404)
                r = session.get(f"{server.url}{ENTITIES}/{eid}?options=keyValues")
                assert r.status_code in (200, 404)
                if r.status_code == 200:
                    assert r.json()["type"] == "Counter"
                if round_ % 5 == 4:
                    assert session.delete(f"{server.url}{ENTITIES}/{eid}").status_code in (204, 404)
        return True

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert all(pool.map(client, range(8)))
    # Every entity is either gone or complete.
    for eid in ids:
        r = requests.get(f"{server.url}{ENTITIES}/{eid}?options=keyValues")
        assert r.status_code in (200, 404)
        if r.status_code == 200:
            assert set(r.json()) == {"id", "type", "n"}
