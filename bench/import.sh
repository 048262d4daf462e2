#!/usr/bin/env bash
# Connector import benchmark (issue: external data integration). Builds the release binary and
# times `dejima import` end to end (read, decode, parse, map, upsert in durable batches of 5,000)
# on a 100,000-row CSV in the 指定緊急避難場所一覧 layout (26 columns, UTF-8 with BOM, CRLF,
# lat/lon columns, hazard flags, one quoted multi-line field in ten), into an empty data
# directory, then again over the same data (every row unchanged), then as Shift_JIS (CP932), then
# with --no-history (no temporal history kept).
# Prints rows/s for each run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target dejima >/dev/null
rows=${BENCH_ROWS:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" "$rows" <<'PY'
import csv, io, random, sys
out, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
header = ["NO", "名称", "名称_カナ", "住所", "方書", "緯度", "経度", "標高", "電話番号", "内線番号", "市区町村コード",
          "都道府県名", "市区町村名", "災害種別_洪水", "災害種別_崖崩れ、土石流及び地滑り", "災害種別_高潮", "災害種別_地震",
          "災害種別_津波", "災害種別_大規模な火事", "災害種別_内水氾濫", "災害種別_火山現象", "指定避難所との重複",
          "想定収容人数", "対象となる町会・自治会", "URL", "備考"]
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\r\n")
w.writerow(header)
for i in range(1, n + 1):
    flags = [random.choice(["1", ""]) for _ in range(9)]
    note = "津波避難ビル\n屋上に避難" if i % 10 == 0 else ""
    w.writerow([i, f"避難場所{i}号公園", f"ヒナンバショ{i}ゴウコウエン", f"長崎県長崎市出島町{i % 999 + 1}-{i % 37 + 1}", "",
                f"{32.6 + random.random() * 0.3:.6f}", f"{129.7 + random.random() * 0.3:.6f}", f"{random.random() * 80:.1f}",
                "095-822-8888", "", "422011", "長崎県", "長崎市", *flags, random.randint(50, 2000), f"出島第{i % 50}自治会",
                "https://www.city.nagasaki.lg.jp/", note])
text = buf.getvalue()
open(f"{out}/shelters.csv", "wb").write(b"\xef\xbb\xbf" + text.encode("utf-8"))
open(f"{out}/shelters_sjis.csv", "wb").write(text.encode("cp932"))
PY
bytes=$(stat -c %s "$work/shelters.csv")
run() {  # label file data-dir [import options]
  local start end
  start=$(date +%s.%N)
  "${DEJIMA:-./build/release/dejima}" import "$2" --type EvacuationSpace --data-dir "$work/$3" "${@:4}" \
    >"$work/log.json" 2>/dev/null
  end=$(date +%s.%N)
  /usr/bin/python3 - "$1" "$start" "$end" "$work/log.json" <<'PY'
import json, sys
label, start, end, log = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), json.load(open(sys.argv[4]))
wall = end - start
print(f"{label:<34} {log['rows']:>7} rows  created {log['created']:>6} unchanged {log['unchanged']:>6} "
      f"rejected {log['rejected']}  run {log['durationMs'] / 1000:.2f} s  process {wall:.2f} s  "
      f"{log['rows'] / wall:,.0f} rows/s")
PY
}
echo "workload: $rows rows, $(numfmt --to=iec "$bytes") CSV (UTF-8 BOM), $(nproc) cores; durable (sync=full)"
run "import into an empty store" "$work/shelters.csv" data
run "re-import, every row unchanged" "$work/shelters.csv" data
run "import Shift_JIS into an empty store" "$work/shelters_sjis.csv" data2
run "import without history (--no-history)" "$work/shelters.csv" data3 --no-history
echo "data directories: with history $(du -sh "$work/data2" | cut -f1), without $(du -sh "$work/data3" | cut -f1)"
