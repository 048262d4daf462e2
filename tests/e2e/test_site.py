"""The web app's side of the server: its files at / (any path the API does not own), gzip and
ETags, the boundaries layer and map settings, and the live change stream (server-sent events)
with the caller's read rights and resumption after a reconnect."""
import http.client
import json
import os
import queue
import threading
import time

import pytest
import requests

from dejima_server import DejimaServer

OPERATOR_KEY = "operator-key-for-the-site-tests"
OP = {"X-API-Key": OPERATOR_KEY}
SHARED = os.path.join(os.path.dirname(__file__), "../../../shared/data")
BOUNDARIES = os.path.join(SHARED, "boundaries/N03-21_42_210101.json")


@pytest.fixture
def web_root(tmp_path):
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>出島</title><script src=/assets/app-1a2b.js></script>")
    (root / "assets" / "app-1a2b.js").write_text("const a = 1;\n" * 500)
    return root


@pytest.fixture
def site(tmp_path, web_root):
    args = ["--bootstrap-operator-key", OPERATOR_KEY, "--web-root", str(web_root)]
    if os.path.exists(BOUNDARIES):
        args += ["--boundaries", BOUNDARIES]
    s = DejimaServer(tmp_path / "data", *args, auth=True).start()
    yield s
    s.stop()


class EventStream:
    """Reads a text/event-stream on a thread: each event as a dict of its fields."""

    def __init__(self, server, path, headers=None):
        host, port = server.url.split("//")[1].split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.conn.request("GET", path, headers=headers or {})
        self.response = self.conn.getresponse()
        self.events = queue.Queue()
        if self.response.status == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        event = {}
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if not line:
                    if event:
                        self.events.put(event)
                    event = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(": ")
                    event[name] = value
        except Exception:  # the connection was closed by the test
            pass

    def next(self, timeout=5):
        return self.events.get(timeout=timeout)

    def changes(self, n, timeout=5):
        out = []
        while len(out) < n:
            e = self.next(timeout)
            if e.get("event") == "change":
                out.append(e)
        return out

    def close(self):
        self.conn.close()


def put_public(server, tenant, types):
    r = requests.patch(f"{server.url}/dejima/v1/tenants/{tenant or 'default'}", json={"publicTypes": types},
                       headers=OP)
    assert r.status_code in (200, 204), r.text


def create(server, eid, etype, tenant=None):
    headers = {**OP, "Content-Type": "application/json", **({"NGSILD-Tenant": tenant} if tenant else {})}
    r = requests.post(server.url + "/ngsi-ld/v1/entities", json={"id": eid, "type": etype}, headers=headers)
    assert r.status_code == 201, r.text


def test_the_app_is_served_at_every_path_the_api_does_not_own(site):
    for path in ("/", "/warnings", "/sources?lang=en"):
        r = requests.get(site.url + path)
        assert r.status_code == 200, path
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "出島" in r.text
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["Cache-Control"] == "no-cache"
    js = requests.get(site.url + "/assets/app-1a2b.js")  # requests asks for gzip
    assert js.headers["Content-Encoding"] == "gzip"
    assert js.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert js.text == "const a = 1;\n" * 500
    raw = requests.get(site.url + "/assets/app-1a2b.js", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in raw.headers and len(raw.content) == 13 * 500
    again = requests.get(site.url + "/assets/app-1a2b.js", headers={"If-None-Match": js.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert "Content-Length" not in again.headers  # a 304 announces no length (it would be the 200's)
    plain_tag = raw.headers["ETag"]
    assert plain_tag != js.headers["ETag"]  # two representations, two tags
    assert requests.get(site.url + "/assets/app-1a2b.js",
                        headers={"If-None-Match": plain_tag, "Accept-Encoding": "identity"}).status_code == 304
    assert requests.get(site.url + "/assets/gone-0000.js").status_code == 404
    # The API keeps its own answers: nothing under these prefixes is the app.
    for path in ("/ngsi-ld/v1/nothing", "/dejima/v1/nothing", "/v2/entities", "/health"):
        r = requests.get(site.url + path)
        assert "text/html" not in r.headers.get("Content-Type", ""), path
    assert requests.get(site.url + "/ngsi-ld/v1/nothing").status_code == 404
    assert requests.post(site.url + "/warnings").status_code == 404


def test_without_a_built_app_the_root_says_why(tmp_path):
    s = DejimaServer(tmp_path / "data", "--web-root", str(tmp_path / "nowhere")).start()
    try:
        r = requests.get(s.url + "/")
        assert r.status_code == 404
        assert r.headers["Content-Type"] == "application/json"
        assert "not built" in r.json()["title"]
    finally:
        s.stop()


@pytest.mark.skipif(not os.path.exists(BOUNDARIES), reason="../shared/data is absent")
def test_the_boundaries_layer_and_the_map_settings(tmp_path, web_root):
    s = DejimaServer(tmp_path / "data", "--demo", "--demo-data", SHARED, "--web-root", str(web_root),
                     "--map-style", "https://maps.example.jp/style.json").start()
    try:
        r = requests.get(s.url + "/dejima/v1/map/boundaries")
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "application/geo+json"
        assert r.headers["Content-Encoding"] == "gzip"
        features = r.json()["features"]
        assert len(features) == 21
        shimabara = [f for f in features if f["properties"]["N03_007"] == "42203"][0]["properties"]
        assert shimabara["code"] == "422037" and shimabara["tenant"] == "shimabara"
        assert shimabara["nameJa"] == "島原市" and shimabara["nameEn"] == "Shimabara City"
        assert requests.get(s.url + "/dejima/v1/map/config").json() == {
            "style": "https://maps.example.jp/style.json", "boundaries": True}
        assert "connect-src 'self' https:" in requests.get(s.url + "/").headers["Content-Security-Policy"]
    finally:
        s.stop()


def test_no_boundaries_file_is_a_404_the_app_can_live_with(tmp_path, web_root):
    s = DejimaServer(tmp_path / "data", "--web-root", str(web_root)).start()
    try:
        r = requests.get(s.url + "/dejima/v1/map/boundaries")
        assert r.status_code == 404 and r.json()["title"] == "No boundaries layer"
        assert requests.get(s.url + "/dejima/v1/map/config").json() == {"style": None, "boundaries": False}
    finally:
        s.stop()


def test_live_events_follow_the_callers_read_rights(site):
    put_public(site, "", ["Shelter"])
    anonymous = EventStream(site, "/dejima/v1/events?tenant=default")  # the default tenant by its name
    operator = EventStream(site, "/dejima/v1/events", OP)
    only_secret = EventStream(site, "/dejima/v1/events?types=Secret", OP)
    assert anonymous.response.status == 200
    assert anonymous.response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
    assert anonymous.response.getheader("Cache-Control") == "no-store"
    assert anonymous.next()["retry"] == "2000"
    try:
        started = time.monotonic()
        create(site, "urn:ngsi-ld:Secret:1", "Secret")
        create(site, "urn:ngsi-ld:Shelter:1", "Shelter")
        e = anonymous.changes(1)[0]
        assert time.monotonic() - started < 1.0
        data = json.loads(e["data"])
        assert data.pop("modifiedAt").endswith("Z")
        assert data == {"tenant": "", "op": "create", "id": "urn:ngsi-ld:Shelter:1", "type": "Shelter"}
        assert [x["data"].split('"id":"')[1].split('"')[0] for x in operator.changes(2)] == [
            "urn:ngsi-ld:Secret:1", "urn:ngsi-ld:Shelter:1"]
        assert "urn:ngsi-ld:Secret:1" in only_secret.changes(1)[0]["data"]
        r = requests.delete(site.url + "/ngsi-ld/v1/entities/urn:ngsi-ld:Shelter:1", headers=OP)
        assert r.status_code == 204
        assert '"op":"delete"' in anonymous.changes(1)[0]["data"]
        with pytest.raises(queue.Empty):
            only_secret.changes(1, timeout=0.5)
    finally:
        for s in (anonymous, operator, only_secret):
            s.close()
    # Another tenant's stream: its own public types, and 401 without credentials where it has none.
    requests.post(site.url + "/dejima/v1/tenants", json={"name": "shimabara", "kind": "other"}, headers=OP)
    closed = EventStream(site, "/dejima/v1/events?tenant=shimabara")
    assert closed.response.status == 401
    closed.close()
    mine = EventStream(site, "/dejima/v1/events?tenant=shimabara", OP)
    try:
        create(site, "urn:ngsi-ld:Shelter:2", "Shelter")  # the default tenant: not this stream
        create(site, "urn:ngsi-ld:Shelter:3", "Shelter", tenant="shimabara")
        e = mine.changes(1)[0]
        assert '"tenant":"shimabara"' in e["data"] and "Shelter:3" in e["data"]
    finally:
        mine.close()


def test_a_reconnect_resumes_after_the_last_event_it_saw(site):
    first = EventStream(site, "/dejima/v1/events", OP)
    create(site, "urn:ngsi-ld:Bus:1", "Bus")
    seen = first.changes(1)[0]["id"]
    first.close()
    create(site, "urn:ngsi-ld:Bus:2", "Bus")
    create(site, "urn:ngsi-ld:Bus:3", "Bus")
    again = EventStream(site, "/dejima/v1/events", {**OP, "Last-Event-ID": seen})
    try:
        got = again.changes(2)
        assert ["Bus:2" in got[0]["data"], "Bus:3" in got[1]["data"]] == [True, True]
        with pytest.raises(queue.Empty):
            again.changes(1, timeout=0.5)
    finally:
        again.close()
    # An id from another server run (or none of ours): start over.
    stale = EventStream(site, "/dejima/v1/events?lastEventId=zzzz-5", OP)
    try:
        e = stale.next()
        while e.get("event") != "reset":
            e = stale.next()
        assert e["data"] == "{}"
    finally:
        stale.close()
