"""Connectors declared through /dejima/v1/connectors and the --connectors file: validation,
runs on demand and on a schedule, run logs, unchanged sources skipped (file and HTTP with
If-Modified-Since), unreachable sources, persistence across restarts."""
import json
import os
import pathlib
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import requests

DATA = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data"
BASE = "/dejima/v1/connectors"
JSON = {"Content-Type": "application/json"}


def declare(s, doc, method="post", name=None):
    url = s.url + BASE + (f"/{name}" if name else "")
    return getattr(requests, method)(url, data=json.dumps(doc), headers=JSON)


def wait_run(s, name, count, timeout=60):
    """Waits until `count` runs have finished; returns the run logs, newest first."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        runs = requests.get(s.url + f"{BASE}/{name}/runs").json()
        done = [r for r in runs if r["status"] != "running"]
        if len(done) >= count:
            return done
        time.sleep(0.1)
    raise AssertionError(f"{name}: fewer than {count} runs: {runs}")


def count(s, type_, tenant=None):
    r = requests.get(s.url + "/ngsi-ld/v1/entities", params={"type": type_, "count": "true", "limit": 0},
                     headers={"NGSILD-Tenant": tenant} if tenant else {})
    return int(r.headers["NGSILD-Results-Count"]) if r.status_code == 200 else r.status_code


def test_declarations_are_validated(server):
    ok = {"name": "aed", "source": str(DATA / "opendata" / "saitama_aed.csv"), "format": "csv", "type": "AED"}
    for change, words in [({"type": None}, "type is required"), ({"schedule": "P1M"}, "schedule"),
                          ({"schedule": "soon"}, "schedule"), ({"colour": "red"}, "unknown member 'colour'"),
                          ({"tenant": "../x"}, "tenant"), ({"format": "xls"}, "format 'xls'"),
                          ({"name": "a b"}, "name must be"), ({"source": "ftp://x/y.csv"}, "ftp"),
                          ({"columns": {"区": "bad name!"}}, "bad name!"), ({"deleteMissing": "yes"}, "deleteMissing"),
                          ({"history": "no"}, "history must be true or false"), ({"origin": "config"}, "origin")]:
        doc = {k: v for k, v in {**ok, **change}.items() if v is not None}
        r = declare(server, doc)
        assert r.status_code == 400, (change, r.text)
        assert r.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
        assert words in r.json()["detail"], (change, r.json())
    assert requests.post(server.url + BASE, data="{", headers=JSON).status_code == 400
    assert requests.post(server.url + BASE, data=json.dumps(ok), headers={"Content-Type": "text/csv"}).status_code == 415
    assert declare(server, ok).status_code == 201
    r = declare(server, ok)
    assert r.status_code == 409 and r.json()["detail"] == "aed"
    assert declare(server, {**ok, "name": "other"}, "put", "aed").status_code == 400
    assert requests.get(server.url + BASE + "/nope").status_code == 404
    assert requests.post(server.url + BASE + "/nope/runs").status_code == 404
    assert requests.delete(server.url + BASE + "/nope").status_code == 404
    listed = requests.get(server.url + BASE).json()
    assert [c["name"] for c in listed] == ["aed"] and listed[0]["state"] == "idle" and listed[0]["lastRun"] is None
    assert requests.delete(server.url + BASE + "/aed").status_code == 204
    assert requests.get(server.url + BASE).json() == []


def test_runs_on_demand_skip_unchanged_sources_and_follow_changes(server, tmp_path):
    src = tmp_path / "aed.csv"
    src.write_bytes((DATA / "opendata" / "saitama_aed.csv").read_bytes())
    doc = {"name": "aed", "source": str(src), "format": "csv", "type": "AED", "tenant": "saitama"}
    assert declare(server, doc).status_code == 201
    assert count(server, "AED", "saitama") == 404  # nothing runs before it is asked (no schedule)
    r = requests.post(server.url + BASE + "/aed/runs")
    assert r.status_code == 202 and r.headers["Location"] == BASE + "/aed/runs"
    first = wait_run(server, "aed", 1)[0]
    assert first["status"] == "ok" and first["created"] == 392 and first["bytes"] == src.stat().st_size
    assert any("区" in n for n in first["notes"])
    assert count(server, "AED", "saitama") == 392

    requests.post(server.url + BASE + "/aed/runs")
    again = wait_run(server, "aed", 2)[0]
    assert again["status"] == "unchanged" and again["created"] == again["updated"] == 0

    # A changed declaration reads the source again: the mapped column updates every entity.
    assert declare(server, {**doc, "columns": {"区": "ward"}}, "put", "aed").status_code == 204
    requests.post(server.url + BASE + "/aed/runs")
    mapped = wait_run(server, "aed", 3)[0]
    assert (mapped["status"], mapped["updated"], mapped["unchanged"]) == ("ok", 392, 0)
    described = requests.get(server.url + BASE + "/aed").json()
    assert described["columns"] == {"区": "ward"} and described["lastRun"]["updated"] == 392
    assert "rejections" not in described["lastRun"]

    # A changed file is read again (a changed place of installation; the id is name and address).
    text = src.read_text(encoding="utf-8-sig").replace("あずま荘,１階ホール", "あずま荘,２階ホール")
    src.write_text(text, encoding="utf-8")
    os.utime(src, (time.time() + 5, time.time() + 5))
    requests.post(server.url + BASE + "/aed/runs")
    changed = wait_run(server, "aed", 4)[0]
    assert (changed["status"], changed["updated"], changed["unchanged"]) == ("ok", 1, 391)


def test_connectors_without_history(server, tmp_path):
    """"history": false keeps the connector's entities out of the temporal API (static reference
    data re-imported on a schedule); the default keeps them, and API writes to such an entity are
    recorded from then on."""
    src = tmp_path / "aed.csv"
    src.write_bytes((DATA / "opendata" / "saitama_aed.csv").read_bytes())
    base = {"source": str(src), "format": "csv", "tenant": "h"}
    assert declare(server, {**base, "name": "kept", "type": "AED"}).status_code == 201
    assert declare(server, {**base, "name": "static", "type": "StaticAED", "history": False}).status_code == 201
    assert requests.get(server.url + BASE + "/static").json()["history"] is False
    assert requests.get(server.url + BASE + "/kept").json()["history"] is True
    for name in ("kept", "static"):
        requests.post(server.url + BASE + f"/{name}/runs")
        assert wait_run(server, name, 1)[0]["created"] == 392
    tenant = {"NGSILD-Tenant": "h"}
    ids = {t: quote(requests.get(server.url + "/ngsi-ld/v1/entities", params={"type": t, "limit": 1},
                                 headers=tenant).json()[0]["id"], safe="") for t in ("AED", "StaticAED")}
    temporal = server.url + "/ngsi-ld/v1/temporal/entities/"
    kept = requests.get(temporal + ids["AED"], headers=tenant)
    assert kept.status_code == 200 and len(kept.json()) > 3, kept.text
    assert requests.get(temporal + ids["StaticAED"], headers=tenant).status_code == 404
    r = requests.get(server.url + "/ngsi-ld/v1/temporal/entities", params={"type": "StaticAED"}, headers=tenant)
    assert r.status_code == 200 and r.json() == []
    patch = {"note": {"type": "Property", "value": "moved"}}
    r = requests.post(server.url + f"/ngsi-ld/v1/entities/{ids['StaticAED']}/attrs", json=patch, headers=tenant)
    assert r.status_code == 204, r.text
    later = requests.get(temporal + ids["StaticAED"], headers=tenant)
    assert later.status_code == 200 and later.json()["note"][0]["value"] == "moved", later.text


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_http_source_with_if_modified_since_and_unreachable_source(server, tmp_path):
    (tmp_path / "shelters.geojson").write_bytes((DATA / "shelters" / "emergency" / "422037.json").read_bytes())
    old = time.time() - 3600
    os.utime(tmp_path / "shelters.geojson", (old, old))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/shelters.geojson"
        doc = {"name": "shimabara", "source": url, "format": "geojson", "type": "EvacuationShelter"}
        assert declare(server, doc).status_code == 201
        requests.post(server.url + BASE + "/shimabara/runs")
        first = wait_run(server, "shimabara", 1)[0]
        assert first["status"] == "ok" and first["created"] == 52
        requests.post(server.url + BASE + "/shimabara/runs")
        assert wait_run(server, "shimabara", 2)[0]["status"] == "unchanged"  # 304 Not Modified
    finally:
        httpd.shutdown()
        httpd.server_close()
    requests.post(server.url + BASE + "/shimabara/runs")  # the server is gone now
    failed = wait_run(server, "shimabara", 3)[0]
    assert failed["status"] == "failed" and "127.0.0.1" in failed["error"]
    assert count(server, "EvacuationShelter") == 52  # a failed fetch deletes nothing
    assert requests.get(server.url + "/health").status_code == 200


def test_schedule_config_file_and_restart(start_server, tmp_path):
    config = tmp_path / "connectors.json"
    config.write_text(json.dumps([
        {"name": "yanai", "source": str(DATA / "opendata" / "yanai_tourism_sjis.csv"), "format": "csv",
         "type": "TouristAttraction", "schedule": "PT1S"}]), encoding="utf-8")
    s = start_server("--connectors", str(config))
    runs = wait_run(s, "yanai", 3, timeout=30)  # on its own, once a second
    assert runs[-1]["status"] == "ok" and all(r["status"] == "unchanged" for r in runs[:-1])
    described = requests.get(s.url + BASE + "/yanai").json()
    assert described["origin"] == "config" and described["schedule"] == "PT1S" and "nextRunAt" in described
    assert count(s, "TouristAttraction") == 18
    s.stop()

    bad = tmp_path / "bad.json"
    bad.write_text('[{"name": "x"}]')
    try:
        start_server("--connectors", str(bad), data_dir=tmp_path / "other")
        raise AssertionError("started with an invalid connectors file")
    except RuntimeError as e:
        assert "invalid connector" in str(e)

    s = start_server()  # without the file: the declaration and its runs were kept
    described = requests.get(s.url + BASE + "/yanai").json()
    assert described["lastRun"]["status"] in ("ok", "unchanged")
    assert len(requests.get(s.url + BASE + "/yanai/runs").json()) >= 3


def test_amedas_latest_snapshot_over_http_into_history(server, tmp_path):
    """latest_time.txt names the snapshot; the station table is fetched from …/amedas/const/.
    The 20 Nagasaki stations (84…) become WeatherObserved entities whose readings, units and
    quality flags match the files, with observedAt in the history."""
    amedas = DATA / "jma" / "amedas"
    (tmp_path / "amedas" / "data" / "map").mkdir(parents=True)
    (tmp_path / "amedas" / "const").mkdir()
    (tmp_path / "amedas" / "data" / "latest_time.txt").write_text("2021-02-24T15:00:00+09:00\n")
    (tmp_path / "amedas" / "data" / "map" / "20210224150000.json").write_bytes((amedas / "20210224150000.json").read_bytes())
    (tmp_path / "amedas" / "const" / "amedastable.json").write_bytes((amedas / "amedastable.json").read_bytes())
    table = json.loads((amedas / "amedastable.json").read_text(encoding="utf-8"))
    snap = json.loads((amedas / "20210224150000.json").read_text(encoding="utf-8"))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/amedas/data/latest_time.txt"
        doc = {"name": "amedas", "source": url, "format": "amedas", "type": "WeatherObserved",
               "tenant": "nagasaki", "params": {"stations": "84"}}
        assert declare(server, doc).status_code == 201
        requests.post(server.url + BASE + "/amedas/runs")
        run = wait_run(server, "amedas", 1)[0]
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert run["status"] == "ok" and run["created"] == 20 and run["rejected"] == 0, run
    assert "credit: 出典：気象庁ホームページ" in run["notes"]
    h = {"NGSILD-Tenant": "nagasaki"}
    got = requests.get(server.url + "/ngsi-ld/v1/entities", headers=h,
                       params={"type": "WeatherObserved", "limit": 100}).json()
    stations = {k for k in snap if k.startswith("84")}
    assert {e["stationCode"]["value"] for e in got} == stations and len(stations) == 20
    for e in got:
        code = e["stationCode"]["value"]
        assert e["name"]["value"] == table[code]["kjName"]
        lat = table[code]["lat"][0] + table[code]["lat"][1] / 60
        assert abs(e["location"]["value"]["coordinates"][1] - lat) < 1e-6
        temp = snap[code].get("temp")
        if temp and temp[0] is not None:
            t = e["temperature"]
            assert (t["value"], t["unitCode"], t["qualityFlag"]["value"]) == (temp[0], "CEL", temp[1])
            assert t["observedAt"].startswith("2021-02-24T06:00:00")
        else:
            assert "temperature" not in e
    nagasaki = requests.get(server.url + "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:WeatherObserved:jma-amedas-84496",
                            headers=h, params={"attrs": "temperature", "options": "temporalValues"}).json()
    assert nagasaki["temperature"]["values"][0][0] == snap["84496"]["temp"][0]


JMA = "{http://xml.kishou.go.jp/jmaxml1/body/meteorology1/}"


def municipal_kinds(path):
    """Independently of the server: area code -> kinds in force, from the 市町村等 Warning."""
    import xml.etree.ElementTree as ET
    body = ET.parse(path).getroot().find("{http://xml.kishou.go.jp/jmaxml1/body/meteorology1/}Body")
    out = {}
    for w in body.findall(JMA + "Warning"):
        if w.get("type") != "気象警報・注意報（市町村等）":
            continue
        for item in w.findall(JMA + "Item"):
            code = item.find(JMA + "Area").find(JMA + "Code").text
            kinds = out.setdefault(code, set())
            for k in item.findall(JMA + "Kind"):
                name, status = k.find(JMA + "Name"), k.find(JMA + "Status").text
                if name is not None and status not in ("解除", "発表警報・注意報はなし"):
                    kinds.add(name.text)
    return out


def atom(entries):
    items = "".join(f'<entry><title>{t}</title><updated>{u}</updated><link type="application/xml" href="{h}"/></entry>'
                    for t, u, h in entries)
    return f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">{items}</feed>'


def test_jma_warning_feed_polled_over_http(server, tmp_path):
    """An Atom feed of the PULL service over HTTP: the listed VPWW54 telegram of the 山形 office
    becomes one WeatherWarning per municipality with the kinds in force (checked against the
    XML read here), an unchanged feed is skipped, and a later telegram that lifts a warning
    updates the entity, whose levels are both in the history."""
    telegram = DATA / "jma" / "live" / "20240725040511_0_VPWW54_060000.xml"
    (tmp_path / "jma").mkdir()
    (tmp_path / "jma" / telegram.name).write_bytes(telegram.read_bytes())
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    feed = tmp_path / "extra_l.xml"
    feed.write_text(atom([("気象警報・注意報（Ｈ２７）", "2024-07-25T04:05:11Z", f"{base}/jma/{telegram.name}"),
                          ("府県天気予報", "2024-07-25T04:00:00Z", f"{base}/jma/none_VPFD50_060000.xml")]), encoding="utf-8")
    os.utime(feed, (time.time() - 60, time.time() - 60))
    try:
        doc = {"name": "warnings", "source": f"{base}/extra_l.xml", "format": "jmaxml", "type": "WeatherWarning",
               "params": {"offices": "060000", "areas": "06"}}
        assert declare(server, doc).status_code == 201
        requests.post(server.url + BASE + "/warnings/runs")
        run = wait_run(server, "warnings", 1)[0]
        expected = municipal_kinds(telegram)
        assert run["status"] == "ok" and run["created"] == len(expected) == 35 and run["rejected"] == 0, run
        assert "1 of 2 feed entries are telegrams of types" in " ".join(run["notes"])
        got = requests.get(server.url + "/ngsi-ld/v1/entities",
                           params={"type": "WeatherWarning", "limit": 100, "options": "keyValues"}).json()
        assert {e["areaCode"]: {a["name"] for a in e["alerts"]} for e in got} == expected
        special = requests.get(server.url + "/ngsi-ld/v1/entities",
                               params={"type": "WeatherWarning", "q": "warningLevel==5", "attrs": "name",
                                       "options": "keyValues"}).json()
        assert {e["id"][-7:] for e in special} == {c for c, kinds in expected.items() if any("特別警報" in k for k in kinds)}
        assert {e["name"] for e in special} == {"酒田市", "遊佐町"}

        requests.post(server.url + BASE + "/warnings/runs")
        assert wait_run(server, "warnings", 2)[0]["status"] == "unchanged"

        (tmp_path / "jma" / "20240725060000_0_VPWW54_060000.xml").write_text(
            '<Report xmlns="http://xml.kishou.go.jp/jmaxml1/"><Control><Title>気象警報・注意報（Ｈ２７）</Title>'
            "<Status>通常</Status></Control><Head><ReportDateTime>2024-07-25T15:00:00+09:00</ReportDateTime>"
            "<InfoType>発表</InfoType><InfoKind>気象警報・注意報</InfoKind></Head><Body>"
            '<Warning type="気象警報・注意報（市町村等）"><Item><Kind><Name>雷注意報</Name><Status>継続</Status></Kind>'
            "<Area><Name>酒田市</Name><Code>0620400</Code></Area></Item></Warning></Body></Report>", encoding="utf-8")
        feed.write_text(atom([("気象警報・注意報（Ｈ２７）", "2024-07-25T06:00:00Z", f"{base}/jma/20240725060000_0_VPWW54_060000.xml"),
                              ("気象警報・注意報（Ｈ２７）", "2024-07-25T04:05:11Z", f"{base}/jma/{telegram.name}")]), encoding="utf-8")
        requests.post(server.url + BASE + "/warnings/runs")
        later = wait_run(server, "warnings", 3)[0]
        assert (later["status"], later["updated"], later["unchanged"]) == ("ok", 1, 34), later
    finally:
        httpd.shutdown()
        httpd.server_close()
    sakata = "urn:ngsi-ld:WeatherWarning:jma-VPWW54-0620400"
    now = requests.get(server.url + f"/ngsi-ld/v1/entities/{sakata}", params={"options": "keyValues"}).json()
    assert [a["name"] for a in now["alerts"]] == ["雷注意報"] and now["warningLevel"] == 2
    history = requests.get(server.url + f"/ngsi-ld/v1/temporal/entities/{sakata}",
                           params={"attrs": "warningLevel", "options": "temporalValues"}).json()
    assert sorted(v[0] for v in history["warningLevel"]["values"]) == [2, 5]


def test_demo_connectors_on_local_copies(start_server, tmp_path):
    """--demo --demo-data: the 21 municipalities' GSI shelters (both kinds), AMeDAS for Nagasaki
    and Shimabara's tourist sites, counted independently from the files."""
    s = start_server("--demo", "--demo-data", str(DATA))
    names = [c["name"] for c in requests.get(s.url + BASE).json()]
    assert len(names) == 44 and "demo-amedas-nagasaki" in names
    deadline = time.time() + 120
    while time.time() < deadline:
        listed = requests.get(s.url + BASE).json()
        if all(c["lastRun"] for c in listed):
            break
        time.sleep(0.2)
    assert all(c["lastRun"]["status"] == "ok" and c["origin"] == "demo" for c in listed), listed
    for kind, type_ in [("emergency", "EvacuationSpace"), ("evacuation", "EvacuationShelter")]:
        ids = {f["properties"]["共通ID"] for f in (json.loads(p.read_text(encoding="utf-8"))["features"]
               for p in (DATA / "shelters" / kind).glob("*.json")) for f in f}
        assert count(s, type_) == len(ids)
    assert count(s, "WeatherObserved") == 20
    assert count(s, "TouristAttraction") == 28
    s.stop()
    try:
        start_server("--demo", "--demo-data", str(tmp_path / "missing"), data_dir=tmp_path / "other")
        raise AssertionError("started with a missing --demo-data directory")
    except RuntimeError as e:
        assert "not a directory" in str(e)


def test_delete_missing_connectors_do_not_share_ids(server):
    a = {"name": "a", "source": "/x/a.csv", "format": "csv", "type": "AED", "deleteMissing": True}
    assert declare(server, a).status_code == 201
    r = declare(server, {**a, "name": "b", "deleteMissing": False})
    assert r.status_code == 400 and "connector 'a'" in r.json()["detail"] and "idPrefix" in r.json()["detail"]
    assert declare(server, {**a, "name": "b", "idPrefix": "urn:ngsi-ld:AED:b:"}).status_code == 400  # inside a's
    assert declare(server, {**a, "name": "c", "tenant": "other"}).status_code == 201
    assert declare(server, {**a, "name": "d", "type": "Toilet"}).status_code == 201
    assert declare(server, {**a, "idPrefix": "urn:ngsi-ld:AED:a:"}, "put", "a").status_code == 204
    assert declare(server, {**a, "name": "b", "idPrefix": "urn:ngsi-ld:AED:b:"}).status_code == 201


def test_gtfs_connectors_delete_within_their_own_feed(server, tmp_path):
    """Two GTFS feeds with deleteMissing in one tenant: a new release of one that drops a stop and
    a trip deletes those entities of that feed only; a third connector on a feed name already
    taken is refused."""
    import zipfile
    kasuya = DATA / "gtfs" / "403491_fureaibus_gtfs_20190401.zip"
    release = tmp_path / "kasuya.zip"
    release.write_bytes(kasuya.read_bytes())
    for name, f, feed in [("kasuya", release, "kasuya"), ("itoshima", DATA / "gtfs" / "402303tosengtfs.zip", "itoshima")]:
        doc = {"name": name, "source": str(f), "format": "gtfs", "type": "Gtfs", "deleteMissing": True,
               "params": {"feed": feed}}
        assert declare(server, doc).status_code == 201
        requests.post(server.url + BASE + f"/{name}/runs")
        assert wait_run(server, name, 1)[0]["status"] == "ok"
    r = declare(server, {"name": "again", "source": str(kasuya), "format": "gtfs", "type": "Gtfs", "params": {"feed": "kasuya"}})
    assert r.status_code == 400 and "its own params.feed" in r.json()["detail"]
    r = declare(server, {"name": "nofeed", "source": str(kasuya), "format": "gtfs", "type": "Gtfs"})
    assert r.status_code == 400 and "params.feed is required" in r.json()["detail"]
    before = {t: count(server, t) for t in ("GtfsStop", "GtfsTrip", "GtfsRoute")}

    with zipfile.ZipFile(kasuya) as src, zipfile.ZipFile(release, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "stops.txt":  # drop the last stop
                data = b"\r\n".join(data.rstrip(b"\r\n").split(b"\r\n")[:-1]) + b"\r\n"
            if item.filename == "trips.txt":  # and the last trip, whose stop_times then name a missing trip
                data = b"\r\n".join(data.rstrip(b"\r\n").split(b"\r\n")[:-1]) + b"\r\n"
            dst.writestr(item, data)
    requests.post(server.url + BASE + "/kasuya/runs")
    run = wait_run(server, "kasuya", 2)[0]
    assert run["status"] == "ok" and run["deleted"] == 2, run
    assert all(r["reason"].startswith("stop_times.txt") for r in run["rejections"])
    after = {t: count(server, t) for t in ("GtfsStop", "GtfsTrip", "GtfsRoute")}
    assert after == {"GtfsStop": before["GtfsStop"] - 1, "GtfsTrip": before["GtfsTrip"] - 1, "GtfsRoute": before["GtfsRoute"]}
    itoshima = requests.get(server.url + "/ngsi-ld/v1/entities", params={"type": "GtfsStop", "q": 'stopId=="1100"'}).json()
    assert len(itoshima) == 1 and ":itoshima:" in itoshima[0]["id"]


def next_local(hour, zone):
    """The next hour:00 in `zone` after now, as the API writes it (UTC)."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo
    now = datetime.now(ZoneInfo(zone))
    t = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if t <= now:
        t += timedelta(days=1)
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_cron_schedules_run_at_local_times(start_server, tmp_path):
    """A cron schedule runs once when declared, then at its times in --time-zone (default
    Asia/Tokyo); a bad cron expression or time zone is refused."""
    doc = {"name": "yanai", "source": str(DATA / "opendata" / "yanai_tourism_sjis.csv"), "format": "csv",
           "type": "TouristAttraction", "schedule": "0 6 * * *"}
    s = start_server()
    assert declare(s, doc).status_code == 201
    assert wait_run(s, "yanai", 1)[0]["status"] == "ok"
    described = requests.get(s.url + BASE + "/yanai").json()
    assert described["schedule"] == "0 6 * * *" and described["nextRunAt"] == next_local(6, "Asia/Tokyo"), described
    r = declare(s, {**doc, "name": "bad", "schedule": "0 6 31 2 *"})
    assert r.status_code == 400 and "names no day that exists" in r.json()["detail"]
    r = declare(s, {**doc, "name": "bad", "schedule": "every day"})
    assert r.status_code == 400 and "cron expression" in r.json()["detail"]
    s.stop()

    s = start_server("--time-zone", "UTC")  # the same declaration, kept, in another zone
    wait_run(s, "yanai", 2)
    assert requests.get(s.url + BASE + "/yanai").json()["nextRunAt"] == next_local(6, "UTC")
    s.stop()
    try:
        start_server("--time-zone", "Mars/Olympus_Mons", data_dir=tmp_path / "other")
        raise AssertionError("started with an unknown time zone")
    except RuntimeError as e:
        assert "time-zone" in str(e)


class SlowSource:
    """An HTTP source that sends a byte every 0.2 s of a 1 MB CSV: a run of it lasts minutes."""

    def __init__(self):
        self.closed = threading.Event()
        source = self

        class Handler(QuietHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(1 << 20))
                self.end_headers()
                try:
                    self.wfile.write("名称,緯度,経度\n".encode())
                    while not source.closed.wait(0.2):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                except OSError:  # the connector hung up
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/slow.csv"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.closed.set()
        self.httpd.shutdown()


def wait_running(s, name, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        runs = requests.get(s.url + f"{BASE}/{name}/runs").json()
        if runs and runs[0]["status"] == "running":
            return
        time.sleep(0.05)
    raise AssertionError(f"{name} did not start running")


def test_runs_in_progress_are_cancelled_by_shutdown_and_delete(start_server, tmp_path):
    slow = SlowSource()
    try:
        s = start_server()
        doc = {"name": "slow", "source": slow.url, "format": "csv", "type": "Place"}
        assert declare(s, doc).status_code == 201
        requests.post(s.url + BASE + "/slow/runs")
        wait_running(s, "slow")
        # Deleting the connector cancels its run: the worker is free for the next one at once.
        assert requests.delete(s.url + BASE + "/slow").status_code == 204
        quick = {"name": "aed", "source": str(DATA / "opendata" / "saitama_aed.csv"), "format": "csv", "type": "AED"}
        assert declare(s, quick).status_code == 201
        requests.post(s.url + BASE + "/aed/runs")
        assert wait_run(s, "aed", 1, timeout=15)[0]["status"] == "ok"

        # SIGTERM during a run: the server stops within seconds (not after the transfer's minutes)
        # and the run log says it was cancelled.
        assert declare(s, doc).status_code == 201
        requests.post(s.url + BASE + "/slow/runs")
        wait_running(s, "slow")
        started = time.time()
        s.stop()
        assert time.time() - started < 10
        s = start_server()
        last = requests.get(s.url + BASE + "/slow/runs").json()[0]
        assert last["status"] == "failed" and "cancelled" in last["error"], last
    finally:
        slow.close()
