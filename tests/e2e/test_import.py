"""`dejima import` on the real published files in ../shared/data: the CLI writes into a data
directory, then the server started on it answers queries. Expected values are read from the
files here with Python's own csv/json modules, independently of Dejima's parsers."""
import csv
import io
import json
import pathlib
import subprocess

import requests

from dejima_server import BIN, DejimaServer

DATA = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data"


def dejima_import(data_dir, source, *args):
    p = subprocess.run([BIN, "import", str(source), "--data-dir", str(data_dir), *args],
                       capture_output=True, text=True, timeout=300)
    assert "Sanitizer" not in p.stderr and "runtime error" not in p.stderr, p.stderr
    log = json.loads(p.stdout) if p.stdout.strip() else None
    return p.returncode, log, p.stderr


def entities(server, type_, **params):
    out, offset = [], 0
    while True:
        r = requests.get(server.url + "/ngsi-ld/v1/entities",
                         params={"type": type_, "limit": 1000, "offset": offset, **params})
        assert r.status_code == 200, r.text
        out += r.json()
        if len(r.json()) < 1000:
            return {e["id"]: e for e in out}
        offset += 1000


def test_gsi_shelters_of_the_21_municipalities(tmp_path):
    expected = {}
    for f in sorted((DATA / "shelters" / "emergency").glob("*.json")):
        rc, log, err = dejima_import(tmp_path, f, "--type", "EvacuationShelter")
        assert rc == 0 and log["status"] == "ok", err
        features = json.loads(f.read_text(encoding="utf-8"))["features"]
        assert log["created"] == len(features) and log["rejected"] == 0
        for feat in features:
            expected[f"urn:ngsi-ld:EvacuationShelter:{feat['properties']['共通ID']}"] = feat
    s = DejimaServer(tmp_path).start()
    try:
        got = entities(s, "EvacuationShelter", options="keyValues")
        assert set(got) == set(expected)
        for id_, feat in list(expected.items())[::50]:
            assert got[id_]["name"] == feat["properties"]["施設・場所名"]
            assert got[id_]["location"] == feat["geometry"]
            assert got[id_]["typeOfDisasterFlood"] == (feat["properties"]["洪水"] == "1")
    finally:
        s.stop()


def test_csv_encodings_layouts_and_credit_lines(tmp_path):
    rc, log, _ = dejima_import(tmp_path, DATA / "opendata" / "yanai_tourism_sjis.csv", "--type", "TouristAttraction")
    assert rc == 0 and log["created"] == 18 and "encoding: CP932" in log["notes"]
    rows = list(csv.reader(io.StringIO((DATA / "opendata" / "yanai_tourism_sjis.csv").read_bytes().decode("cp932"))))
    header, records = rows[1], rows[2:]
    rc, log, _ = dejima_import(tmp_path, DATA / "opendata" / "shimabara_tourism.csv", "--type", "TouristAttraction")
    assert rc == 0 and log["created"] == 28 and log["rejected"] == 0
    shimabara = list(csv.DictReader(io.StringIO(
        (DATA / "opendata" / "shimabara_tourism.csv").read_text(encoding="utf-8-sig"), newline="")))
    rc, log, _ = dejima_import(tmp_path, DATA / "opendata" / "takamatsu_0060.csv", "--type", "PublicFacility",
                               "--tenant", "kagawa")
    assert rc == 0 and log["created"] == 193 and log["rejected"] == 0
    assert "credit: 高松市" in log["notes"]

    s = DejimaServer(tmp_path).start()
    try:
        tourism = entities(s, "TouristAttraction", options="keyValues")
        assert len(tourism) == 46
        code, no, name = header.index("市区町村コード"), header.index("NO"), header.index("名称")
        for rec in records:
            e = tourism[f"urn:ngsi-ld:TouristAttraction:{rec[code]}-{rec[no]}"]
            assert e["name"] == rec[name]
        multiline = [r for r in shimabara if "\n" in r["アクセス方法"]]
        assert multiline
        by_name = {e["name"]: e for e in tourism.values()}
        for rec in multiline:  # NO is empty in this file: the id is code, name and address
            e = by_name[rec["名称"]]
            assert e["id"].startswith("urn:ngsi-ld:TouristAttraction:422037-")
            assert e["accessMethod"] == rec["アクセス方法"].strip()
        kagawa = requests.get(s.url + "/ngsi-ld/v1/entities", params={"type": "PublicFacility", "count": "true", "limit": 0},
                              headers={"NGSILD-Tenant": "kagawa"})
        assert kagawa.headers["NGSILD-Results-Count"] == "193"
        near = requests.get(s.url + "/ngsi-ld/v1/entities", headers={"NGSILD-Tenant": "kagawa"}, params={
            "type": "PublicFacility", "georel": "near;maxDistance==1000", "geometry": "Point",
            "coordinates": "[134.0465,34.3401]", "limit": 1000})
        assert near.status_code == 200 and 0 < len(near.json()) < 193
    finally:
        s.stop()


def test_reruns_are_idempotent_and_follow_the_source(tmp_path):
    data = tmp_path / "data"
    src = tmp_path / "aed.csv"
    original = (DATA / "opendata" / "saitama_aed.csv").read_bytes()
    src.write_bytes(original)
    args = ["--type", "AED", "--column", "区=ward", "--delete-missing"]
    rc, log, _ = dejima_import(data, src, *args)
    assert rc == 0 and log["created"] == 392 and log["deleted"] == 0
    rc, log, _ = dejima_import(data, src, *args)
    assert (log["created"], log["updated"], log["unchanged"], log["deleted"]) == (0, 0, 392, 0)

    lines = original.decode("utf-8-sig").split("\r\n")
    header, rows = lines[0], [l for l in lines[1:] if l]
    gone = next(csv.reader([rows[0]]))
    changed = next(csv.reader([rows[1]]))
    broken = next(csv.reader([rows[2]]))
    out = [header, rows[1].replace(changed[1], changed[1] + "（移設）", 1),
           rows[2].replace(broken[4], "north", 1), *rows[3:]]
    src.write_text("\r\n".join(out) + "\r\n", encoding="utf-8")
    rc, log, _ = dejima_import(data, src, *args)
    assert rc == 0 and log["status"] == "ok"
    assert (log["created"], log["updated"], log["unchanged"], log["deleted"], log["rejected"]) == (0, 1, 389, 1, 1)
    rejection = log["rejections"][0]
    assert rejection["line"] == 3 and "not a number" in rejection["reason"] and "north" in rejection["row"]

    s = DejimaServer(data).start()
    try:
        got = entities(s, "AED", options="keyValues")
        assert len(got) == 391  # the broken row's entity is kept as it was
        assert rejection["id"] in got and got[rejection["id"]]["location"]["coordinates"][1] == float(broken[4])
        assert not any(e["name"] == gone[0] and e["fullAddress"] == gone[3] for e in got.values())
        assert any(e.get("installationLocation") == changed[1] + "（移設）" and e["ward"] == changed[2] for e in got.values())

        rc, log, err = dejima_import(data, src, *args)  # the server holds the data directory
        assert rc == 1 and log is None and "in use" in err
    finally:
        s.stop()


def test_bad_invocations_say_what_is_wrong(tmp_path):
    rc, _, err = dejima_import(tmp_path, DATA / "opendata" / "saitama_aed.csv")
    assert rc == 2 and "--type is required" in err
    rc, log, _ = dejima_import(tmp_path, tmp_path / "missing.csv", "--type", "AED")
    assert rc == 1 and log["status"] == "failed" and "missing.csv" in log["error"]
    rc, log, err = dejima_import(tmp_path, DATA / "opendata" / "saitama_aed.csv", "--type", "AED", "--format", "xls")
    assert rc == 2 and log is None and "format 'xls' is not one of csv, geojson" in err
    (tmp_path / "bad.geojson").write_text('{"type":"Point","coordinates":[1,2]}')
    rc, log, _ = dejima_import(tmp_path, tmp_path / "bad.geojson", "--type", "Place")
    assert rc == 1 and "FeatureCollection" in log["error"]
    rc, _, err = dejima_import(tmp_path, DATA / "opendata" / "saitama_aed.csv", "--type", "AED", "--port", "x")
    assert rc == 2 and "--port" in err


def gtfs_zip(path, tables):
    import zipfile
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, rows in tables.items():
            z.writestr(name, "\ufeff" + "\r\n".join(rows) + "\r\n")


def test_gtfs_feeds_real_and_broken(tmp_path):
    """The three real GTFS-JP ferry/bus feeds: one entity per agency, stop, route and trip
    (counted here from the zips with Python's csv), linked by Relationships; then a feed of our
    own with v3/v4 translations and one error of each kind, reported per file and line."""
    import zipfile
    expected = {}
    for f, feed in [("403491_fureaibus_gtfs_20190401.zip", "kasuya"), ("402303tosengtfs.zip", "itoshima"),
                    ("401005_shieitosengtfs.zip", "kitakyushu")]:
        rc, log, err = dejima_import(tmp_path / "d", DATA / "gtfs" / f, "--type", "Gtfs", "--param", f"feed={feed}")
        assert rc == 0 and log["status"] == "ok" and log["rejected"] == 0, (err, log)
        with zipfile.ZipFile(DATA / "gtfs" / f) as z:
            for table, type_, key in [("agency.txt", "GtfsAgency", "agency_id"), ("stops.txt", "GtfsStop", "stop_id"),
                                      ("routes.txt", "GtfsRoute", "route_id"), ("trips.txt", "GtfsTrip", "trip_id")]:
                rows = list(csv.DictReader(io.StringIO(z.read(table).decode("utf-8-sig"))))
                expected.setdefault(type_, set()).update((feed, r[key]) for r in rows)
    s = DejimaServer(tmp_path / "d").start()
    try:
        for type_, keys in expected.items():
            got = entities(s, type_, options="keyValues")
            assert len(got) == len(keys), type_
        routes = entities(s, "GtfsRoute", options="keyValues")
        agencies = entities(s, "GtfsAgency")
        assert all(r["operatedBy"] in agencies for r in routes.values())
        trips = entities(s, "GtfsTrip", options="keyValues")
        assert all(t["hasRoute"] in routes for t in trips.values())
        # Ferry routes (route_type 4) of Kitakyushu and Itoshima, found by a query.
        ferries = requests.get(s.url + "/ngsi-ld/v1/entities", params={"type": "GtfsRoute", "q": "routeType==4", "limit": 100}).json()
        assert {f["id"].split(":")[3] for f in ferries} == {"kitakyushu", "itoshima"}
    finally:
        s.stop()

    broken = tmp_path / "broken.zip"
    gtfs_zip(broken, {
        "agency.txt": ["agency_id,agency_name,agency_url,agency_timezone", "A,長崎バス,https://example.org,Asia/Tokyo"],
        "stops.txt": ["stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station",
                      "S1,長崎駅前,32.7521,129.8697,0,", "S2,大波止,north,129.87,0,", "S1,重複,32.75,129.86,0,",
                      "S3,浦上,32.7700,129.8640,0,ST9"],
        "routes.txt": ["route_id,agency_id,route_short_name,route_long_name,route_type",
                       "R1,A,1,長崎駅前～浦上,3", "R2,B,2,不明,3", "R3,A,3,種別なし,bus"],
        "trips.txt": ["route_id,service_id,trip_id,trip_headsign", "R1,平日,T1,浦上", "R9,平日,T2,どこか"],
        "stop_times.txt": ["trip_id,arrival_time,departure_time,stop_id,stop_sequence",
                           "T1,08:00:00,08:00:00,S1,1", "T1,08:10:00,08:10:00,S3,2", "T2,08:00:00,08:00:00,S1,1",
                           "T1,08:20:00,08:20:00,S7,3"],
        "translations.txt": ["table_name,field_name,language,translation,record_id,record_sub_id,field_value",
                             "stops,stop_name,ja-Hrkt,ながさきえきまえ,S1,,", "stops,stop_name,en,Nagasaki Station,,,長崎駅前"],
    })
    rc, log, err = dejima_import(tmp_path / "b", broken, "--type", "Gtfs", "--param", "feed=nagasaki-bus")
    assert rc == 0 and log["status"] == "ok", err
    reasons = {(r["line"], r["reason"].split(":")[0]): r["reason"] for r in log["rejections"]}
    assert set(reasons) == {(3, "stops.txt"), (4, "stops.txt"), (3, "routes.txt"), (4, "routes.txt"), (3, "trips.txt"),
                            (4, "stop_times.txt"), (5, "stop_times.txt")}, log["rejections"]
    assert "stop_lat/stop_lon are not a position" in reasons[(3, "stops.txt")]
    assert "is given twice" in reasons[(4, "stops.txt")]
    assert "agency_id 'B' is not in agency.txt" in reasons[(3, "routes.txt")]
    assert "route_type 'bus' is not a number" in reasons[(4, "routes.txt")]
    assert "route_id 'R9'" in reasons[(3, "trips.txt")]
    assert "trip_id 'T2'" in reasons[(4, "stop_times.txt")] and "stop_id 'S7'" in reasons[(5, "stop_times.txt")]
    notes = " ".join(log["notes"])
    assert "GTFS requires calendar.txt or calendar_dates.txt" in notes and "fare_attributes.txt" in notes
    assert "1 stops name a parent_station that is not a station" in notes
    assert log["created"] == 1 + 2 + 1 + 1
    s = DejimaServer(tmp_path / "b").start()
    try:
        stop = requests.get(s.url + "/ngsi-ld/v1/entities/urn:ngsi-ld:GtfsStop:nagasaki-bus:S1",
                            params={"options": "keyValues"}).json()
        assert (stop["name"], stop["nameKana"], stop["nameEnglish"]) == ("長崎駅前", "ながさきえきまえ", "Nagasaki Station")
    finally:
        s.stop()

    rc, _, err = dejima_import(tmp_path / "b", broken, "--type", "Gtfs")
    assert rc == 2 and "params.feed is required" in err
    (tmp_path / "not.zip").write_text("agency_id\n")
    rc, log, _ = dejima_import(tmp_path / "b", tmp_path / "not.zip", "--type", "Gtfs", "--param", "feed=x")
    assert rc == 1 and "not a zip file" in log["error"]
