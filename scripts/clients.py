"""Reads every output file of Tumen run directories with the field's own tools and fails on
any error (run by scripts/clients, which makes the venv and the run directories).

    python3 scripts/clients.py RUN_DIR...

Per file:
- every CSV: polars.read_csv with default inference, pandas.read_csv, duckdb read_csv_auto;
- hxl.csv: libhxl's `hxlvalidate` (default core schema; errors fail), and its `#date` column
  must hold dates;
- every GeoJSON: shapely validity of every feature, geopandas read, written to a GeoPackage and
  to a shapefile (one geometry type per file);
- long.parquet: pyarrow (`date` must be a DATE, the file metadata must carry the run's
  essentials), pandas, polars and duckdb;
- out.csv: Flee 3.1's `plot_flee_output` and `extract-validation-results.py`; the six total
  columns must not be all zero where the camps have data;
- every JSON: json.load.
"""

import json
import math
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import flee.postprocessing
import geopandas
import pandas
import polars
import pyarrow.parquet
import shapely.geometry
import shapely.validation

FAILURES = []


def fail(path, what):
    FAILURES.append(f"{path}: {what}")
    print(f"FAIL {path}: {what}", flush=True)


def check(path, what, function):
    try:
        result = function()
    except Exception as error:  # noqa: BLE001 - any reader error is a failure
        fail(path, f"{what}: {type(error).__name__}: {error}")
        return None
    print(f"ok   {path}: {what}", flush=True)
    return result


def check_csv(path):
    check(path, "polars.read_csv (default inference)", lambda: polars.read_csv(path))
    check(path, "pandas.read_csv", lambda: pandas.read_csv(path))
    check(
        path,
        "duckdb read_csv_auto",
        lambda: duckdb.sql(f"select count(*) from read_csv_auto('{path}')").fetchall(),
    )


def check_hxl(path):
    result = subprocess.run(
        [str(Path(sys.executable).parent / "hxlvalidate"), str(path)],
        capture_output=True,
        text=True,
    )
    summary = [line for line in result.stdout.splitlines() if "error(s)" in line]
    errors = re.search(r"(\d+) error", summary[-1]) if summary else None
    if result.returncode != 0 or errors is None or int(errors.group(1)) != 0:
        fail(path, f"hxlvalidate: {summary or result.stdout[-2000:] + result.stderr[-2000:]}")
    else:
        print(f"ok   {path}: hxlvalidate: {summary[-1].strip()}", flush=True)
    import hxl

    def dates_are_dates():
        data = hxl.data(str(path), hxl.input.InputOptions(allow_local=True)).cache()
        values = [row.get("#date") for row in data]
        bad = [v for v in values if not re.fullmatch(r"\d{4}-\d\d-\d\d", v or "")]
        assert values and not bad, f"#date values that are not dates: {bad[:5]}"
        codes = data.get_value_set("#country+code")
        print(f"     #country+code values: {sorted(codes)}")

    check(path, "libhxl: #date holds dates", dates_are_dates)


def check_geojson(path, scratch):
    text = json.loads(path.read_text())

    def valid():
        bad = []
        for index, feature in enumerate(text["features"]):
            geometry = shapely.geometry.shape(feature["geometry"])
            if not geometry.is_valid:
                bad.append((index, shapely.validation.explain_validity(geometry)))
        assert not bad, f"invalid geometries: {bad[:5]}"
        return len(text["features"])

    count = check(path, "shapely validity of every feature", valid)
    frame = check(path, "geopandas.read_file", lambda: geopandas.read_file(path))
    if frame is None:
        return
    types = set(frame.geom_type)
    print(f"     {count} features, geometry types {sorted(types)}")
    stem = path.parent.name + "-" + path.stem
    check(
        path,
        "geopandas to_file GPKG",
        lambda: frame.to_file(scratch / f"{stem}.gpkg", driver="GPKG"),
    )
    check(
        path,
        "geopandas to_file ESRI Shapefile",
        lambda: frame.to_file(scratch / f"{stem}.shp"),
    )


def check_parquet(path):
    def arrow():
        table = pyarrow.parquet.read_table(path)
        date = table.schema.field("date").type
        assert date == pyarrow.date32(), f"`date` is {date}, not a DATE"
        metadata = {
            k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()
        }
        for key in ["tool", "version", "scenario", "seed", "engine", "days", "start_date"]:
            assert key in metadata, f"no `{key}` in the file metadata ({sorted(metadata)})"
        print(f"     metadata: { {k: metadata[k] for k in ['scenario', 'seed', 'engine', 'days', 'start_date']} }")
        return table.num_rows

    check(path, "pyarrow: DATE column and run metadata", arrow)
    check(path, "pandas.read_parquet", lambda: pandas.read_parquet(path))
    check(path, "polars.read_parquet", lambda: polars.read_parquet(path))
    check(
        path,
        "duckdb read_parquet",
        lambda: duckdb.sql(f"select min(date), max(date) from read_parquet('{path}')").fetchall(),
    )


def check_out_csv(path, scratch):
    flee_dir = Path(flee.postprocessing.__file__).parent
    frame = pandas.read_csv(path)
    tail = [
        "Total error",
        "refugees in camps (UNHCR)",
        "total refugees (simulation)",
        "raw UNHCR refugee count",
        "refugees in camps (simulation)",
    ]
    camps_data = [c for c in frame.columns if c.endswith(" data")]
    if frame[camps_data].to_numpy().sum() > 0 and (frame[tail].to_numpy() == 0).all():
        fail(path, "the total columns are 0 on every row although the camps have data")
    bad = [c for c in frame.columns if c.endswith(" sim") and " " in c[: -len(" sim")]]
    if bad:
        fail(path, f"camp names with spaces break Flee's plot_flee_output: {bad}")
    result = subprocess.run(
        [sys.executable, str(flee_dir / "extract-validation-results.py"), str(path.parent)],
        capture_output=True,
        text=True,
    )
    numbers = re.findall(r"Error \((normal|rescaled)\): (\S+)", result.stdout)
    values = {k: float(v) for k, v in numbers}
    if result.returncode != 0 or len(values) != 2 or not all(
        math.isfinite(v) and 0 <= v < 100 for v in values.values()
    ):
        fail(
            path,
            f"Flee's extract-validation-results.py: rc {result.returncode}, {values}, "
            f"{result.stderr[-1500:]}",
        )
    else:
        print(f"ok   {path}: Flee's extract-validation-results.py: {values}", flush=True)
    plots = scratch / f"plots-{path.parent.name}"
    plots.mkdir(exist_ok=True)
    script = (
        "import sys, matplotlib; matplotlib.use('Agg');"
        "from flee.postprocessing.plot_flee_output import plot_flee_output;"
        "plot_flee_output(sys.argv[1], sys.argv[2])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path.parent), str(plots)],
        capture_output=True,
        text=True,
    )
    made = sorted(p.name for p in plots.rglob("*.png"))
    if result.returncode != 0 or not made:
        fail(path, f"Flee's plot_flee_output: rc {result.returncode}: {result.stderr[-1500:]}")
    else:
        print(f"ok   {path}: Flee's plot_flee_output: {len(made)} PNGs", flush=True)


def main():
    dirs = [Path(d) for d in sys.argv[1:]]
    if not dirs:
        sys.exit("usage: clients.py RUN_DIR...")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for directory in dirs:
            files = sorted(p for p in directory.iterdir() if p.is_file())
            if not files:
                fail(directory, "no files")
            for path in files:
                if path.suffix == ".csv":
                    check_csv(path)
                if path.name == "hxl.csv":
                    check_hxl(path)
                if path.name == "out.csv":
                    check_out_csv(path, scratch)
                if path.suffix == ".geojson":
                    check_geojson(path, scratch)
                if path.suffix == ".parquet":
                    check_parquet(path)
                if path.suffix == ".json":
                    check(path, "json.load", lambda: json.loads(path.read_text()))
    if FAILURES:
        print(f"\n{len(FAILURES)} failure(s):", *FAILURES, sep="\n  ")
        sys.exit(1)
    print("\nevery output file read without error")


if __name__ == "__main__":
    main()
