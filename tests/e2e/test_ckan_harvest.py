"""CKAN harvesting over real HTTP: a fake CKAN site serves the recorded demo.ckan.org Action API
responses from ../shared/data/ckan (package_search paged by start/rows, package_list,
package_show), and the two CSV resources those responses list are served with two
municipalities' real イベント一覧 CSVs, so the harvest gives one entity type."""
import csv
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import requests

from test_connectors import BASE, DATA, count, declare, wait_run

CKAN = DATA / "ckan"
EVENTS = DATA / "opendata" / "events"
DOWNLOADS = {  # the recorded resources' paths -> the files served for them
    "validated_100_species.csv": EVENTS / "o1-402036_g1-000304.csv",
    "20161231_rase.csv": EVENTS / "o1-412015_g1-000304.csv",
}


def rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


class FakeCkan:
    def __init__(self, default_rows=10):
        self.default_rows = default_rows  # package_search's page size when the request names none
        self.requests = []  # paths asked for, with their queries
        self.hidden = set()  # package names package_search leaves out
        self.gone = set()  # download file names answered with 404
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.requests.append(self.path)
                status, body = fake.answer(urlparse(self.path))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def load(self, name):
        """A recorded response with its resource URLs moved to this server."""
        return json.loads((CKAN / name).read_text().replace("https://demo.ckan.org", self.url))

    def answer(self, url):
        query = parse_qs(url.query)
        action = url.path.rsplit("/", 1)[-1]
        if action == "package_search":
            doc = self.load("packages.json")
            results = [p for p in doc["result"]["results"] if p["name"] not in self.hidden]
            start, rows_ = int(query.get("start", ["0"])[0]), int(query.get("rows", [self.default_rows])[0])
            doc["result"].update(count=len(results), results=results[start:start + rows_])
            return 200, json.dumps(doc).encode()
        if action == "package_list":
            return 200, (CKAN / "package_list.json").read_bytes()
        if action == "package_show":
            wanted = query.get("id", [""])[0]
            for f in CKAN.glob("*-*-*.json"):
                doc = self.load(f.name)
                if wanted in (doc["result"]["id"], doc["result"]["name"]):
                    return 200, json.dumps(doc).encode()
            return 404, json.dumps({"success": False, "error": {"message": "Not found", "__type": "Not Found Error"}}).encode()
        name = url.path.rsplit("/", 1)[-1]
        if name in DOWNLOADS and name not in self.gone:
            return 200, DOWNLOADS[name].read_bytes()
        return 404, b"not found"

    def close(self):
        self.httpd.shutdown()


def run(server, name, n):
    assert requests.post(server.url + f"{BASE}/{name}/runs").status_code == 202
    return wait_run(server, name, n)[0]


def test_package_search_is_paged_and_its_csv_resources_imported(server):
    ckan = FakeCkan()
    try:
        kurume, saga = rows(DOWNLOADS["validated_100_species.csv"]), rows(DOWNLOADS["20161231_rase.csv"])
        doc = {"name": "events", "format": "ckan", "type": "Event", "deleteMissing": True,
               "source": ckan.url + "/api/3/action/package_search?q=*:*&rows=2"}
        assert declare(server, doc).status_code == 201
        first = run(server, "events", 1)
        assert first["status"] == "ok" and first["rejected"] == 0, first
        assert first["created"] == len(kurume) + len(saga)
        assert count(server, "Event") == len(kurume) + len(saga)
        searches = [r for r in ckan.requests if "package_search" in r]
        assert len(searches) == 2 and "start=2" in searches[1]  # 3 packages, 2 per page
        assert not any(r.endswith(".pdf") for r in ckan.requests)  # a PDF resource is not fetched
        assert any("resources not harvested (not csv or geojson): PDF 1" in n for n in first["notes"])
        assert any(n.startswith("credit: SDB") and "Creative Commons Attribution" in n for n in first["notes"])
        one = saga[0]
        found = requests.get(server.url + "/ngsi-ld/v1/entities",
                             params={"type": "Event", "q": f'name=="{one["名称"]}"', "format": "keyValues"}).json()
        assert len(found) == 1 and found[0]["startDate"].startswith(one["開始日"]), found

        # A resource that is gone: its rows are kept, nothing is deleted, the run says why.
        ckan.gone.add("20161231_rase.csv")
        partial = run(server, "events", 2)
        assert (partial["status"], partial["rejected"], partial["deleted"]) == ("ok", 1, 0), partial
        assert "20161231_RASE.csv" in partial["rejections"][0]["reason"]
        assert any("no entity deleted" in n for n in partial["notes"])
        assert count(server, "Event") == len(kurume) + len(saga)

        # A package that leaves the catalog: its entities are deleted.
        ckan.gone.clear()
        ckan.hidden.add("2016-regione-asia-est-oceania-classi-di-eta")
        shrunk = run(server, "events", 3)
        assert (shrunk["status"], shrunk["deleted"]) == ("ok", len(saga)), shrunk
        assert count(server, "Event") == len(kurume)
    finally:
        ckan.close()


def test_package_search_without_rows_asks_for_large_pages(server):
    ckan = FakeCkan(default_rows=1)  # a site whose default page holds one package
    try:
        doc = {"name": "big-pages", "format": "ckan", "type": "Event", "source": ckan.url + "/api/3/action/package_search?q=*:*"}
        assert declare(server, doc).status_code == 201
        assert run(server, "big-pages", 1)["status"] == "ok"
        searches = [r for r in ckan.requests if "package_search" in r]
        assert len(searches) == 2 and "rows=1000" in searches[1] and "start=1" in searches[1], searches
        total = len(rows(DOWNLOADS["validated_100_species.csv"])) + len(rows(DOWNLOADS["20161231_rase.csv"]))
        assert count(server, "Event") == total
    finally:
        ckan.close()


def test_package_list_reads_each_package_with_package_show(server):
    ckan = FakeCkan()
    try:
        doc = {"name": "listed", "format": "ckan", "type": "Event", "tenant": "ckan",
               "source": ckan.url + "/api/3/action/package_list"}
        assert declare(server, doc).status_code == 201
        done = run(server, "listed", 1)
        assert done["status"] == "ok" and done["rejected"] == 0, done
        shows = sorted(r for r in ckan.requests if "package_show" in r)
        assert len(shows) == 3 and all("?id=" in s for s in shows)
        total = len(rows(DOWNLOADS["validated_100_species.csv"])) + len(rows(DOWNLOADS["20161231_rase.csv"]))
        assert count(server, "Event", "ckan") == total

        r = declare(server, {**doc, "name": "bad", "params": {"resourceFormats": "pdf"}})
        assert r.status_code == 400 and "'pdf' is not csv or geojson" in r.json()["detail"]
        # A source that is not a CKAN API response fails the run with a clear reason.
        csv_url = ckan.url + "/dataset/x/download/validated_100_species.csv"
        assert declare(server, {**doc, "name": "notapi", "source": csv_url}).status_code == 201
        failed = run(server, "notapi", 1)
        assert failed["status"] == "failed" and failed["error"].startswith("Not a CKAN response: " + csv_url), failed
    finally:
        ckan.close()
