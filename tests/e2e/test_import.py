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
    rc, log, _ = dejima_import(tmp_path, DATA / "opendata" / "saitama_aed.csv", "--type", "AED", "--format", "xls")
    assert rc == 1 and "unknown format 'xls'" in log["error"]
    (tmp_path / "bad.geojson").write_text('{"type":"Point","coordinates":[1,2]}')
    rc, log, _ = dejima_import(tmp_path, tmp_path / "bad.geojson", "--type", "Place")
    assert rc == 1 and "FeatureCollection" in log["error"]
    rc, _, err = dejima_import(tmp_path, DATA / "opendata" / "saitama_aed.csv", "--type", "AED", "--port", "x")
    assert rc == 2 and "--port" in err
