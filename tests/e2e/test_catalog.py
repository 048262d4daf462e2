"""The data catalog: a dataset per entity type with data, its metadata, its files (CSV in the
standard column layout, UTF-8 with a BOM or Shift_JIS, GeoJSON, NGSI-LD) streamed with ETags, and
the CKAN Action API — every action's answer compared with the shapes of a real CKAN site's
(../shared/data/ckan), errors in CKAN's envelope, nothing private leaking to those who may not
read it, and a second Dejima harvesting the first through its own `ckan` connector."""
import csv
import io
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
import requests

from dejima_server import DejimaServer
from test_access import OPERATOR_KEY, key, op, register, service
from test_connectors import DATA, count, declare, wait_run

TOURISM = DATA / "opendata" / "shimabara_tourism.csv"
RECORDED = DATA / "ckan"
API = "/api/3/action/"


def action(s, name, headers=None, **params):
    return requests.get(s.url + API + name, params=params, headers=headers or {})


def ok(r):
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is True and body["help"].endswith("help_show?name=" + r.url.split(API)[1].split("?")[0])
    return body["result"]


def recorded(name):
    return json.loads((RECORDED / name).read_text())["result"]


def same_shape(ours, theirs, where, skip=()):
    """Every member a real CKAN site answers with is in ours, with a value of the same kind."""
    kinds = lambda v: "null" if v is None else type(v).__name__
    for k, v in theirs.items():
        if k in skip:
            continue
        assert k in ours, f"{where}: no {k}"
        if v is not None and ours[k] is not None:
            assert kinds(ours[k]) == kinds(v) or {kinds(ours[k]), kinds(v)} <= {"int", "float"}, (where, k, ours[k], v)


def import_tourism(s):
    r = declare(s, {"name": "shimabara", "source": str(TOURISM), "format": "csv", "type": "TouristAttraction",
                    "schedule": "P1D"})
    assert r.status_code == 201, r.text
    assert requests.post(s.url + "/dejima/v1/connectors/shimabara/runs").status_code in (201, 202)
    run = wait_run(s, "shimabara", 1)[0]
    assert run["status"] == "ok", run
    return run


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    s = DejimaServer(tmp_path_factory.mktemp("catalog") / "data").start()
    import_tourism(s)
    yield s
    s.stop()


def test_a_type_with_data_is_a_dataset_whose_metadata_is_kept(catalog, tmp_path):
    s = catalog
    n = count(s, "TouristAttraction")
    assert n > 20
    listed = requests.get(s.url + "/dejima/v1/datasets").json()
    (d,) = [x for x in listed if x["type"] == "TouristAttraction"]
    assert d["name"] == "default-tourist-attraction" and d["entities"] == n and d["tenant"] == "default"
    assert d["sources"][0]["connector"] == "shimabara" and d["sources"][0]["frequency"] == "daily"
    assert d["sources"][0]["url"] == "", "a file on the server is not shown"
    assert str(TOURISM) not in requests.get(s.url + API + "package_show?id=" + d["name"]).text
    assert d["frequency"] == "daily" and d["license"]["id"] == "cc-by-4.0"
    assert [x["format"] for x in d["distributions"]] == ["CSV", "GeoJSON", "JSON-LD", "CSV"]
    # untitled: the type's catalog name (自治体標準オープンデータセット) and the publisher
    who_ja, who_en = d["publisher"].get("nameJa") or "default", d["publisher"].get("nameEn") or "default"
    assert d["title"] == f"観光施設一覧（{who_ja}）" and d["titleEn"] == f"Tourist attractions ({who_en})"
    url = s.url + "/dejima/v1/datasets/default/TouristAttraction"
    patch = {"titleJa": "島原市 観光施設", "titleEn": "Shimabara tourist attractions", "descriptionJa": "島原市の観光施設一覧",
             "keywords": ["観光", "島原"], "themes": ["観光"], "license": "cc-by-2.1-jp"}
    r = requests.patch(url, json=patch)
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "島原市 観光施設" and r.json()["metadata"]["keywords"] == ["観光", "島原"]
    for bad in ({"license": "mine"}, {"keywords": "観光"}, {"frequency": "often"}, {"sourceUrl": "ftp://x"},
                {"colour": "blue"}, {"titleJa": 3}):
        r = requests.patch(url, json=bad)
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["title"] == "Invalid dataset metadata"
    assert requests.patch(url, data="{", headers={"Content-Type": "application/json"}).status_code == 400
    assert requests.patch(url, data="{}", headers={"Content-Type": "text/plain"}).status_code == 415
    assert requests.get(s.url + "/dejima/v1/datasets/default/Nothing").status_code == 404
    assert requests.get(url).json()["metadata"]["license"] == "cc-by-2.1-jp", "nothing of a refused PATCH is kept"


def test_every_ckan_action_answers_as_ckan_does(catalog):
    s = catalog
    requests.patch(s.url + "/dejima/v1/datasets/default/TouristAttraction",
                   json={"titleJa": "島原市 観光施設", "keywords": ["観光", "島原"], "themes": ["観光"]})
    names = ok(action(s, "package_list"))
    assert names == ["default-tourist-attraction"]
    pkg = ok(action(s, "package_show", id=names[0]))
    theirs = recorded("17be64bb-da74-4195-9bb8-565c39846af2.json")
    same_shape(pkg, theirs, "package", skip=("revision_id", "creator_user_id"))
    same_shape(pkg["resources"][0], theirs["resources"][0], "resource", skip=("revision_id",))
    same_shape(pkg["organization"], theirs["organization"], "organization", skip=("revision_id",))
    same_shape(pkg["tags"][0], theirs["tags"][0], "tag")
    assert pkg["title"] == "島原市 観光施設" and [t["name"] for t in pkg["tags"]] == ["観光", "島原"]
    assert pkg["private"] is False and pkg["isopen"] is True and pkg["num_resources"] == 4
    assert {r["format"] for r in pkg["resources"]} == {"CSV", "GeoJSON", "JSON-LD"}

    found = ok(action(s, "package_search", q="観光", **{"facet.field": '["tags","organization","res_format"]'}))
    same_shape(found, recorded("packages.json"), "package_search")
    assert found["count"] == 1 and found["results"][0]["name"] == names[0]
    assert found["facets"]["tags"] == {"観光": 1, "島原": 1}
    assert found["search_facets"]["res_format"]["items"][0]["count"] == 1
    # as CKAN: an organization's facet item shows its title, a licence's its title
    who = pkg["organization"]["title"]
    assert found["search_facets"]["organization"]["items"] == [{"name": "default", "display_name": who, "count": 1}]
    licences = ok(action(s, "package_search", **{"facet.field": '["license_id"]'}))["search_facets"]["license_id"]
    assert licences["items"] == [{"name": pkg["license_id"], "display_name": pkg["license_title"], "count": 1}]
    assert ok(action(s, "package_search", q="nothing-like-this"))["count"] == 0
    assert ok(action(s, "package_search", fq="tags:観光 res_format:CSV"))["count"] == 1
    assert ok(action(s, "package_search", fq="-tags:観光"))["count"] == 0
    assert ok(action(s, "package_search", fq='organization:"default"', sort="name asc", rows=1, start=0))["count"] == 1
    assert ok(action(s, "package_search", rows=0))["results"] == []
    assert ok(action(s, "package_search", rows=100000))["count"] == 1, "rows is capped at 1000, as CKAN does"
    # what ckanext-harvest's CKAN harvester asks: every package by id, or those changed since its last run
    assert ok(action(s, "package_search", sort="id asc", rows=1000))["count"] == 1
    assert ok(action(s, "package_search", fq="metadata_modified:[2000-01-01T00:00:00.000000Z TO *]"))["count"] == 1
    assert ok(action(s, "package_search", fq="metadata_modified:[2999-01-01T00:00:00Z TO *]"))["count"] == 0
    assert ok(action(s, "package_search", fq="metadata_created:[* TO 2999-01-01T00:00:00Z]"))["count"] == 1
    post = requests.post(s.url + API + "package_search", json={"q": "島原", "rows": 5})
    assert post.status_code == 200 and post.json()["result"]["count"] == 1

    orgs = ok(action(s, "organization_list", all_fields="true"))
    assert orgs[0]["name"] == "default" and orgs[0]["package_count"] == 1
    org = ok(action(s, "organization_show", id="default", include_datasets="true"))
    assert [p["name"] for p in org["packages"]] == names
    assert ok(action(s, "group_list")) == ["観光"]
    assert ok(action(s, "tag_list")) == ["島原", "観光"] or ok(action(s, "tag_list")) == sorted(["観光", "島原"])
    res = ok(action(s, "resource_show", id=pkg["resources"][0]["id"]))
    assert res == pkg["resources"][0]
    licences = ok(action(s, "license_list"))
    same_shape(licences[0], json.loads((RECORDED / "json-list-of-licenses.json").read_text())[0], "licence")
    assert {"cc-by-4.0", "cc-by-2.1-jp"} <= {x["id"] for x in licences}
    status = ok(action(s, "status_show"))
    assert status["site_url"] == s.url and status["locale_default"] == "ja"


def test_datastore_search_reads_the_table_the_csv_holds(catalog):
    s = catalog
    rid = "default-tourist-attraction-csv"
    csv_rows = list(csv.DictReader(io.StringIO(
        requests.get(s.url + "/dejima/v1/datasets/default/TouristAttraction/data.csv").content.decode("utf-8-sig"),
        newline="")))
    first = ok(action(s, "datastore_search", resource_id=rid, limit=5))
    assert first["total"] == len(csv_rows) and len(first["records"]) == 5
    assert [f["id"] for f in first["fields"]] == ["_id"] + list(csv_rows[0].keys())
    assert {f["id"]: f["type"] for f in first["fields"]}["緯度"] == "numeric"
    assert [r["_id"] for r in first["records"]] == [1, 2, 3, 4, 5]
    assert first["records"][0]["名称"] == csv_rows[0]["名称"]
    assert first["_links"]["next"].endswith("&offset=5")
    page = ok(action(s, "datastore_search", resource_id=rid, limit=5, offset=5))
    assert [r["_id"] for r in page["records"]] == [6, 7, 8, 9, 10]
    castle = ok(action(s, "datastore_search", resource_id=rid, filters=json.dumps({"名称": "島原城"})))
    assert castle["total"] == 1 and castle["records"][0]["緯度"] == pytest.approx(32.78926)
    texts = ok(action(s, "datastore_search", resource_id=rid, q="島原城", fields="名称,緯度"))
    assert texts["total"] >= 1 and all(set(r) == {"名称", "緯度"} for r in texts["records"])
    assert all("島原城" in "".join(str(v) for v in row.values()) for row in csv_rows if row["名称"] == "島原城")
    by_lat = ok(action(s, "datastore_search", resource_id=rid, sort="緯度 desc", limit=32000))
    lats = [r["緯度"] for r in by_lat["records"] if r["緯度"] is not None]
    assert lats == sorted(lats, reverse=True) and len(by_lat["records"]) == len(csv_rows)
    post = requests.post(s.url + API + "datastore_search", json={"resource_id": rid, "filters": {"名称": ["島原城"]}})
    assert post.json()["result"]["total"] == 1
    for params, field in (({"fields": "colour"}, "fields"), ({"sort": "colour asc"}, "sort"),
                          ({"filters": "[1]"}, "filters"), ({"filters": json.dumps({"colour": 1})}, "filters"),
                          ({"limit": "32001"}, "limit"), ({}, "resource_id")):
        r = action(s, "datastore_search", **({"resource_id": rid} if field != "resource_id" else {}), **params)
        assert r.status_code == 409 and field in r.json()["error"], (params, r.text)
    for rid_ in ("default-tourist-attraction-geojson", "nothing-csv"):
        assert action(s, "datastore_search", resource_id=rid_).status_code == 404


def test_bad_requests_get_ckans_error_envelope(catalog):
    s = catalog
    r = action(s, "package_delete")
    assert r.status_code == 400 and r.json() == "Bad request - Action name not known: package_delete"
    cases = [
        ("package_show", {"id": "no-such-dataset"}, 404, "Not Found Error"),
        ("package_show", {}, 409, "Validation Error"),
        ("resource_show", {"id": "default-tourist-attraction-xlsx"}, 404, "Not Found Error"),
        ("organization_show", {"id": "nobody"}, 404, "Not Found Error"),
        ("package_search", {"rows": "ten"}, 409, "Validation Error"),
        ("package_search", {"fq": "colour:blue"}, 409, "Search Query Error"),
        ("package_search", {"fq": 'tags:"open'}, 409, "Search Query Error"),
        ("package_search", {"q": "a OR b"}, 409, "Search Query Error"),
        ("package_search", {"fq": "metadata_modified:[NOW-1DAY TO *]"}, 409, "Search Query Error"),
        ("package_search", {"fq": "tags:[a TO b]"}, 409, "Search Query Error"),
        ("package_search", {"sort": "colour asc"}, 409, "Search Query Error"),
        ("package_search", {"sort": "name upward"}, 409, "Search Query Error"),
        ("package_search", {"facet.field": "[1]"}, 409, "Validation Error"),
    ]
    for name, params, status, kind in cases:
        r = action(s, name, **params)
        assert r.status_code == status, (name, params, r.text)
        body = r.json()
        assert body["success"] is False and body["error"]["__type"] == kind, (name, params, body)
    r = requests.post(s.url + API + "package_search", data="[1,", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["success"] is False


def test_downloads_stream_the_live_data_in_every_format(catalog):
    s = catalog
    base = s.url + "/dejima/v1/datasets/default/TouristAttraction/"
    entities = requests.get(s.url + "/ngsi-ld/v1/entities", params={"type": "TouristAttraction", "limit": 1000}).json()
    r = requests.get(base + "data.csv")
    assert r.status_code == 200 and r.headers["Transfer-Encoding"] == "chunked"
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8" and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    assert len(rows) == len(entities)
    header = list(rows[0].keys())
    assert header[0] == "全国地方公共団体コード" and "名称" in header and "緯度" in header and "経度" in header
    by_name = {e["name"]["value"]: e for e in entities}
    castle = next(row for row in rows if row["名称"] == "島原城")
    assert float(castle["緯度"]) == pytest.approx(32.78926) and castle["全国地方公共団体コード"] == "422037"
    assert by_name["島原城"]["location"]["value"]["coordinates"] == [float(castle["経度"]), float(castle["緯度"])]
    sjis = requests.get(base + "data.csv", params={"encoding": "shift_jis"})
    assert sjis.headers["Content-Type"] == "text/csv; charset=Shift_JIS"
    assert sjis.content.decode("cp932") == r.content.decode("utf-8-sig")
    assert requests.get(base + "data.csv", params={"encoding": "latin1"}).status_code == 400
    assert requests.get(base + "data.xlsx").status_code == 404

    geo = requests.get(base + "data.geojson")
    assert geo.headers["Content-Type"] == "application/geo+json"
    features = geo.json()["features"]
    assert len(features) == len(entities) and all(f["type"] == "Feature" for f in features)
    castle_feature = next(f for f in features if f["properties"]["name"] == "島原城")
    assert castle_feature["geometry"] == by_name["島原城"]["location"]["value"]
    ld = requests.get(base + "data.jsonld").json()
    assert sorted(e["id"] for e in ld) == sorted(e["id"] for e in entities)

    etag = r.headers["ETag"]
    assert requests.get(base + "data.csv", headers={"If-None-Match": etag}).status_code == 304
    eid = quote(entities[0]["id"], safe="")
    assert requests.patch(f"{s.url}/ngsi-ld/v1/entities/{eid}/attrs",
                          json={"name": {"type": "Property", "value": "改名"}}).status_code == 204
    again = requests.get(base + "data.csv", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag and "改名" in again.content.decode("utf-8-sig")
    requests.patch(f"{s.url}/ngsi-ld/v1/entities/{eid}/attrs", json={"name": entities[0]["name"]})


def test_a_large_type_downloads_page_by_page(server):
    batch = [{"id": f"urn:ngsi-ld:Sensor:{i:05d}", "type": "Sensor", "temperature": {"type": "Property", "value": i / 4},
              "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [129.8 + i / 1e5, 32.7]}}}
             for i in range(2500)]
    assert requests.post(server.url + "/ngsi-ld/v1/entityOperations/upsert", json=batch).status_code == 201
    r = requests.get(server.url + "/dejima/v1/datasets/default/Sensor/data.csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    assert [float(x["temperature"]) for x in rows] == [i / 4 for i in range(2500)]
    features = requests.get(server.url + "/dejima/v1/datasets/default/Sensor/data.geojson").json()["features"]
    assert [f["id"] for f in features] == [b["id"] for b in batch]


def test_the_history_downloads_for_a_time_range(server):
    base = server.url + "/dejima/v1/datasets/default/Gauge/history.csv"
    now = datetime.now(timezone.utc).replace(microsecond=0)
    at = [now - timedelta(hours=10 - h) for h in range(6)]  # six observations an hour apart, the last 5 h ago
    iso = [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in at]
    for g in range(3):
        eid = f"urn:ngsi-ld:Gauge:g{g}"
        r = requests.post(server.url + "/ngsi-ld/v1/entities", json={
            "id": eid, "type": "Gauge", "level": {"type": "Property", "value": g * 10, "observedAt": iso[0]}})
        assert r.status_code == 201, r.text
        for h in range(1, 6):
            r = requests.patch(f"{server.url}/ngsi-ld/v1/entities/{eid}/attrs",
                               json={"level": {"type": "Property", "value": g * 10 + h, "observedAt": iso[h]}})
            assert r.status_code == 204, r.text
    r = requests.get(base, params={"from": iso[1], "to": iso[4]})
    assert r.status_code == 200 and r.headers["Transfer-Encoding"] == "chunked"
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    assert list(rows[0].keys()) == ["entityId", "attribute", "datasetId", "observedAt", "recordedAt", "value"]
    got = [(x["entityId"], x["attribute"], x["observedAt"][:19], x["value"]) for x in rows]
    assert got == [(f"urn:ngsi-ld:Gauge:g{g}", "level", iso[h][:19], str(g * 10 + h)) for g in range(3) for h in (1, 2, 3)]
    # the temporal API says the same of the window
    t = requests.get(server.url + "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Gauge:g1", params={
        "timerel": "between", "timeAt": iso[1], "endTimeAt": iso[4], "options": "temporalValues"}).json()
    assert [v for v, _ in t["level"]["values"]] == [11, 12, 13]
    # the default window is the last 7 days: every observation
    assert len(list(csv.DictReader(io.StringIO(requests.get(base).content.decode("utf-8-sig"))))) == 18
    sjis = requests.get(base, params={"from": iso[1], "to": iso[4], "encoding": "shift_jis"})
    assert sjis.content.decode("cp932") == r.content.decode("utf-8-sig")
    for bad in ({"from": "yesterday"}, {"from": iso[4], "to": iso[1]}, {"encoding": "latin1"}):
        e = requests.get(base, params=bad)
        assert e.status_code == 400 and e.headers["Content-Type"] == "application/json", (bad, e.text)
    # a window with nothing in it: the header alone
    empty = requests.get(base, params={"from": "2000-01-01T00:00:00Z", "to": "2000-01-02T00:00:00Z"})
    assert empty.content.decode("utf-8-sig") == "entityId,attribute,datasetId,observedAt,recordedAt,value\r\n"
    # the temporal coverage: the first recording of a Gauge to the type's last change
    span = requests.get(server.url + "/dejima/v1/datasets/default/Gauge").json()["temporal"]
    started = (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
    assert started <= span["start"][:19] <= span["end"][:19]
    pkg = ok(action(server, "package_show", id="default-gauge"))
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    assert extras["temporal_start"] == span["start"] and extras["temporal_end"] == span["end"]
    history_resource = pkg["resources"][3]
    assert history_resource["url"].endswith("/Gauge/history.csv") and history_resource["format"] == "CSV"
    assert history_resource["resource_type"] == "api" and history_resource["datastore_active"] is False


def test_a_second_dejima_harvests_the_first_through_its_ckan_connector(catalog, start_server, tmp_path):
    a = catalog
    b = start_server(data_dir=tmp_path / "b")
    source = a.url + API + "package_search?fq=entity_type:TouristAttraction"
    r = declare(b, {"name": "from-a", "source": source, "format": "ckan", "type": "TouristAttraction",
                    "params": {"resourceFormats": "csv"}})
    assert r.status_code == 201, r.text
    assert requests.post(b.url + "/dejima/v1/connectors/from-a/runs").status_code in (201, 202)
    run = wait_run(b, "from-a", 1)[0]
    assert run["status"] == "ok" and run["rejected"] == 0, run
    assert any("credit: " in n and "cc-by" not in n for n in run["notes"]) or run["notes"], run["notes"]
    mine = requests.get(a.url + "/ngsi-ld/v1/entities", params={"type": "TouristAttraction", "limit": 1000}).json()
    theirs = requests.get(b.url + "/ngsi-ld/v1/entities", params={"type": "TouristAttraction", "limit": 1000}).json()
    assert len(theirs) == len(mine)
    assert {e["id"] for e in theirs} == {e["id"] for e in mine}
    key_of = lambda e: (e["name"]["value"], tuple(e["location"]["value"]["coordinates"]) if "location" in e else None)
    assert sorted(map(key_of, theirs)) == sorted(map(key_of, mine))
    (harvested,) = requests.get(b.url + "/dejima/v1/datasets").json()
    assert harvested["sources"][0]["url"] == a.url + API + "package_search", "no query (it may hold a key)"


def test_nothing_private_leaks_through_the_catalog(tmp_path):
    s = DejimaServer(tmp_path / "data", "--bootstrap-operator-key", OPERATOR_KEY, auth=True).start()
    try:
        register(s, "unzen", public_types=["Shelter"])
        register(s, "isahaya")
        for tenant, etype in (("unzen", "Shelter"), ("unzen", "Budget"), ("isahaya", "Shelter")):
            r = requests.post(s.url + "/ngsi-ld/v1/entities", json={"id": f"urn:x:{tenant}:{etype}", "type": etype,
                              "name": {"type": "Property", "value": "秘密" if etype == "Budget" else "公開"}},
                              headers=op({"NGSILD-Tenant": tenant}))
            assert r.status_code == 201, r.text
        r = requests.patch(s.url + "/dejima/v1/datasets/unzen/Budget", json={"keywords": ["予算"]}, headers=op())
        assert r.status_code == 200, r.text
        assert ok(action(s, "package_list")) == ["unzen-shelter"]
        found = ok(action(s, "package_search", include_private="true",
                          **{"facet.field": '["tags","organization"]'}))
        assert [p["name"] for p in found["results"]] == ["unzen-shelter"]
        assert found["facets"]["organization"] == {"unzen": 1} and found["facets"]["tags"] == {}
        assert ok(action(s, "tag_list")) == [] and [o for o in ok(action(s, "organization_list"))] == ["unzen"]
        for name in ("unzen-budget", "isahaya-shelter"):
            assert action(s, "package_show", id=name).status_code == 404
            assert action(s, "resource_show", id=name + "-csv").status_code == 404
        assert [d["name"] for d in requests.get(s.url + "/dejima/v1/datasets").json()] == ["unzen-shelter"]
        # a type the caller may not read is not there for it (as GET /entities/{id} answers)
        assert requests.get(s.url + "/dejima/v1/datasets/unzen/Budget/data.csv").status_code == 404
        assert requests.get(s.url + "/dejima/v1/datasets/unzen/Shelter/data.csv").status_code == 200
        assert requests.patch(s.url + "/dejima/v1/datasets/unzen/Shelter", json={}).status_code == 401

        reader = key(service(s, "unzen", [{"operations": ["read"]}])["apiKey"])
        assert ok(action(s, "package_list", headers=reader)) == ["unzen-shelter"], "package_list: public only"
        names = [p["name"] for p in ok(action(s, "package_search", headers=reader, include_private="true"))["results"]]
        assert sorted(names) == ["unzen-budget", "unzen-shelter"]
        budget = ok(action(s, "package_show", headers=reader, id="unzen-budget"))
        assert budget["private"] is True and budget["isopen"] is False
        private = requests.get(s.url + "/dejima/v1/datasets/unzen/Budget/data.csv", headers=reader)
        assert private.status_code == 200 and private.headers["Cache-Control"] == "private"
        assert "X-API-Key" in private.headers["Vary"]
        assert "Cache-Control" not in requests.get(s.url + "/dejima/v1/datasets/unzen/Shelter/data.csv").headers
        assert requests.get(s.url + "/dejima/v1/datasets/isahaya/Shelter/data.csv", headers=reader).status_code == 403
        # the history needs the temporal API's right for the type: public types for anybody
        history = s.url + "/dejima/v1/datasets/unzen/{}/history.csv"
        assert requests.get(history.format("Shelter")).status_code == 200
        assert requests.get(history.format("Budget")).status_code == 404
        assert requests.get(history.format("Budget"), headers=reader).status_code == 403
        historian = key(service(s, "unzen", [{"operations": ["read", "temporal"]}])["apiKey"])
        budget_history = requests.get(history.format("Budget"), headers=historian)
        assert budget_history.status_code == 200 and "秘密" in budget_history.content.decode("utf-8-sig")
        assert requests.patch(s.url + "/dejima/v1/datasets/unzen/Shelter", json={}, headers=reader).status_code == 403
    finally:
        s.stop()


def test_the_dcat_catalog_parses_back_the_same_in_json_ld_and_turtle(server):
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.compare import isomorphic
    from rdflib.namespace import RDF
    dcat, dct, hydra = (Namespace("http://www.w3.org/ns/dcat#"), Namespace("http://purl.org/dc/terms/"),
                        Namespace("http://www.w3.org/ns/hydra/core#"))
    s = server
    batch = [{"id": f"urn:ngsi-ld:{t}:{i}", "type": t, "n": {"type": "Property", "value": i}}
             for i in range(3) for t in ("FireHydrant", "TouristAttraction")]
    assert requests.post(s.url + "/ngsi-ld/v1/entityOperations/upsert", json=batch).status_code in (201, 204)
    assert requests.patch(s.url + "/dejima/v1/datasets/default/TouristAttraction",
                          json={"titleJa": "島原市 観光施設", "keywords": ["観光", "島原"]}).status_code == 200
    ld = requests.get(s.url + "/catalog", headers={"Accept": "application/ld+json"})
    ttl = requests.get(s.url + "/catalog", headers={"Accept": "text/turtle"})
    assert ld.headers["Content-Type"] == "application/ld+json"
    assert ttl.headers["Content-Type"].startswith("text/turtle")
    a = Graph().parse(data=ld.text, format="json-ld")
    b = Graph().parse(data=ttl.text, format="turtle")
    assert len(a) > 50 and isomorphic(a, b), "the same triples in both"
    cat = URIRef(s.url + "/catalog")
    assert (cat, RDF.type, dcat.Catalog) in a
    datasets = list(a.objects(cat, dcat.dataset))
    assert len(datasets) == 2
    for ds in datasets:  # DCAT-AP 3.0's mandatory and recommended properties
        for p in (dct.title, dct.description, dct.publisher, dcat.distribution, dcat.landingPage,
                  dct.accrualPeriodicity, dct.modified, dct.identifier, dcat.contactPoint):
            assert a.value(ds, p) is not None, (ds, p)
        for dist in a.objects(ds, dcat.distribution):
            assert a.value(dist, dcat.accessURL) and a.value(dist, dcat.downloadURL) and a.value(dist, dcat.mediaType)
            assert a.value(dist, dct.license) is not None
    tourism = next(ds for ds in datasets if str(a.value(ds, dct.identifier)) == "default-tourist-attraction")
    assert Literal("島原市 観光施設", lang="ja") in set(a.objects(tourism, dct.title))
    assert {str(k) for k in a.objects(tourism, dcat.keyword)} == {"観光", "島原"}
    download = next(str(d) for d in a.objects(tourism, dcat.distribution) if str(d).endswith(".csv"))
    assert requests.get(download).status_code == 200, "the download URL works"

    page1 = Graph().parse(data=requests.get(s.url + "/catalog", params={"pageSize": 1}).text, format="json-ld")
    view = page1.value(cat, hydra.view)
    assert int(page1.value(view, hydra.totalItems)) == 2 and len(list(page1.objects(cat, dcat.dataset))) == 1
    nxt = str(page1.value(view, hydra.next))
    page2 = Graph().parse(data=requests.get(nxt).text, format="json-ld")
    assert page2.value(page2.value(cat, hydra.view), hydra.next) is None
    assert set(page1.objects(cat, dcat.dataset)) | set(page2.objects(cat, dcat.dataset)) == set(datasets)
    assert requests.get(s.url + "/catalog", params={"format": "ttl"}).headers["Content-Type"].startswith("text/turtle")
    assert requests.get(s.url + "/catalog", headers={"Accept": "text/html"}).status_code == 406
    assert requests.get(s.url + "/catalog", params={"pageSize": 0}).status_code == 400
    assert requests.get(s.url + "/catalog", params={"page": "x"}).status_code == 400
