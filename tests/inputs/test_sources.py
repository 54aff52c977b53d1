"""Tests of publish/sources.py: finding, downloading, verifying and loading files.

The download path runs for real against an HTTP server on 127.0.0.1 serving
a copy of the real file; nothing here reaches the internet.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
import functools
import hashlib
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
import logging
from pathlib import Path
import re
import socket
import threading

import numpy as np
import pytest

from analysis.errors import ConfigError, DataError
from analysis.readers.manifest import DatasetSpec, SourceSpec
from analysis.inputs import find_source_file, load_datasets, load_manifest, load_sources

MANIFEST = Path(__file__).resolve().parents[2] / "data" / "datasets.yml"
REAL_SHA256 = "f150cadef67543fcab4668036ac960223eb74b2965b18d517b3dbe6733d0fa63"
SMALL = b"#a b\n1.5 2\n3 4.5\n"


def _spec(file: str = "ages.dat", *, sha256: str | None = None, url: str | None = None) -> SourceSpec:
    return SourceSpec(
        id="ages",
        file=file,
        url=url,
        sha256=sha256,
        licence="",
        licence_url="",
        citation="",
        paired=True,
        datasets=(
            DatasetSpec(column="a", name="a", label="A", colour="#0072B2"),
            DatasetSpec(column="b", name="b", label="B", colour="#D55E00"),
        ),
    )


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def _no_proxy_for_localhost(monkeypatch):
    # requests honours proxy variables; the local server must be reached directly.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@contextmanager
def _serve(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``folder`` on 127.0.0.1 (any free port); yield its URL and the GET paths requested."""
    requests_seen: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            requests_seen.append(self.path)
            super().do_GET()

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests_seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# --- load_manifest ------------------------------------------------------------


def test_yaml_syntax_error_names_file_line_and_column(tmp_path):
    path = tmp_path / "datasets.yml"
    path.write_text("sources:\n  - id: a\n    file: [x, y\n    url: z\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(path))}:4:\d+: invalid YAML: "):
        load_manifest(path)


def test_manifest_validation_error_names_the_yaml_path(tmp_path):
    path = tmp_path / "datasets.yml"
    text = MANIFEST.read_text(encoding="utf-8").replace('colour: "#D55E00"', "colour: orange")
    path.write_text(text, encoding="utf-8")
    message = f"{path}: sources[0].datasets[1].colour: expected a hex colour like '#0072B2', got 'orange'"
    with pytest.raises(ConfigError, match="^" + re.escape(message) + "$"):
        load_manifest(path)


def test_missing_manifest(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot read the data manifest"):
        load_manifest(tmp_path / "nope.yml")


# --- find_source_file: local copies ---------------------------------------------


def test_search_order_explicit_then_manifest_dir_then_env(tmp_path, caplog):
    folders = {name: tmp_path / name for name in ("given", "data", "env")}
    for name, folder in folders.items():
        folder.mkdir()
        (folder / "ages.dat").write_text(name)
    env = {"KDE_REPORT_DATA_DIR": str(folders["env"])}
    spec = _spec()
    explicit = folders["given"] / "ages.dat"
    assert find_source_file(spec, manifest_dir=folders["data"], explicit=explicit, env=env) == explicit
    with caplog.at_level(logging.INFO, logger="analysis.inputs"):
        assert find_source_file(spec, manifest_dir=folders["data"], env=env) == folders["data"] / "ages.dat"
    assert f"found in {folders['data']}" in caplog.text
    (folders["data"] / "ages.dat").unlink()
    assert find_source_file(spec, manifest_dir=folders["data"], env=env) == folders["env"] / "ages.dat"


def test_not_found_without_url_says_where_it_looked(tmp_path):
    env = {"KDE_REPORT_DATA_DIR": str(tmp_path / "env")}
    with pytest.raises(DataError, match=rf"^ages\.dat: not found in {re.escape(str(tmp_path / 'data'))}, "
                                        rf"{re.escape(env['KDE_REPORT_DATA_DIR'])}, and source 'ages' gives no URL"):
        find_source_file(_spec(), manifest_dir=tmp_path / "data", env=env)
    with pytest.raises(DataError, match=r"missing\.dat: no such file$"):
        find_source_file(_spec(), manifest_dir=tmp_path, explicit=tmp_path / "missing.dat", env={})


def test_local_file_with_the_wrong_hash_is_refused_naming_both_hashes(tmp_path):
    (tmp_path / "ages.dat").write_bytes(SMALL)
    spec = _spec(sha256=_sha(b"something else"))
    message = (
        rf"^{re.escape(str(tmp_path / 'ages.dat'))}: SHA-256 mismatch for source 'ages': "
        rf"expected {spec.sha256}, found {_sha(SMALL)}; "
    )
    with pytest.raises(DataError, match=message):
        find_source_file(spec, manifest_dir=tmp_path, env={})
    assert find_source_file(replace(spec, sha256=_sha(SMALL)), manifest_dir=tmp_path, env={}) == tmp_path / "ages.dat"


# --- find_source_file: the download path, against a local server ----------------


def _download_setup(tmp_path: Path, real_data_dir: Path, served: bytes) -> tuple[Path, Path, dict[str, str]]:
    """A served folder holding ``served`` as stellar_ages.dat, an empty data/ and a cache dir."""
    (tmp_path / "served").mkdir()
    (tmp_path / "served" / "stellar_ages.dat").write_bytes(served)
    (tmp_path / "data").mkdir()
    cache = tmp_path / "cache"
    # No KDE_REPORT_DATA_DIR: the file can only come from the server.
    return tmp_path / "data", cache, {"KDE_REPORT_CACHE_DIR": str(cache)}


def test_download_is_fetched_verified_and_cached(tmp_path, real_data_dir):
    real = (real_data_dir / "stellar_ages.dat").read_bytes()
    data_dir, cache, env = _download_setup(tmp_path, real_data_dir, real)
    with _serve(tmp_path / "served") as (url, seen):
        spec = replace(load_manifest(MANIFEST).sources[0], url=f"{url}/stellar_ages.dat")
        assert spec.sha256 == REAL_SHA256 == _sha(real)
        first = find_source_file(spec, manifest_dir=data_dir, env=env)
        assert seen == ["/stellar_ages.dat"]
        assert first == cache / "stellar_ages.dat" and first.read_bytes() == real
        second = find_source_file(spec, manifest_dir=data_dir, env=env)
        assert second == first and seen == ["/stellar_ages.dat"]  # served from the cache
        first.write_bytes(real + b"1.0 2.0\n")  # a cached copy damaged later is fetched anew
        assert find_source_file(spec, manifest_dir=data_dir, env=env).read_bytes() == real
        assert seen == ["/stellar_ages.dat"] * 2
    assert _files(tmp_path / "data") == []


def test_corrupted_download_is_refused_and_leaves_nothing_cached(tmp_path, real_data_dir):
    real = (real_data_dir / "stellar_ages.dat").read_bytes()
    corrupted = real.replace(b"9.31", b"9.32", 1)
    data_dir, cache, env = _download_setup(tmp_path, real_data_dir, corrupted)
    with _serve(tmp_path / "served") as (url, seen):
        spec = replace(load_manifest(MANIFEST).sources[0], url=f"{url}/stellar_ages.dat")
        message = rf"wrong SHA-256: expected {REAL_SHA256}, found {_sha(corrupted)}; the download was deleted"
        with pytest.raises(DataError, match=message):
            find_source_file(spec, manifest_dir=data_dir, env=env)
        assert seen == ["/stellar_ages.dat"]
    assert _files(cache) == []


def test_network_failure_names_the_places_and_the_url(tmp_path):
    with socket.socket() as probe:  # a port with nothing listening: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/ages.dat"
    spec = _spec(sha256=_sha(SMALL), url=url)
    env = {"KDE_REPORT_CACHE_DIR": str(tmp_path / "cache")}
    message = rf"^ages\.dat: not found in {re.escape(str(tmp_path))}, and downloading it from {re.escape(url)} failed"
    with pytest.raises(DataError, match=message):
        find_source_file(spec, manifest_dir=tmp_path, env=env)


def test_missing_remote_file_is_a_data_error(tmp_path):
    (tmp_path / "served").mkdir()
    with _serve(tmp_path / "served") as (url, _):
        spec = _spec(sha256=_sha(SMALL), url=f"{url}/ages.dat")
        with pytest.raises(DataError, match=r"downloading it from .*/ages\.dat failed: 404"):
            find_source_file(spec, manifest_dir=tmp_path, env={"KDE_REPORT_CACHE_DIR": str(tmp_path / "cache")})


# --- load_datasets / load_sources ------------------------------------------------


def test_real_manifest_and_file_through_the_data_dir(real_data_dir, tmp_path):
    env = {"KDE_REPORT_DATA_DIR": str(real_data_dir), "KDE_REPORT_CACHE_DIR": str(tmp_path / "cache")}
    (source,) = load_sources(MANIFEST, env=env)
    assert source.sha256 == REAL_SHA256
    joyce, bensby = source.datasets
    reference = np.loadtxt(real_data_dir / "stellar_ages.dat")
    assert (joyce.name, bensby.name) == ("joyce", "bensby")
    assert len(joyce.ages_gyr) == len(bensby.ages_gyr) == 91
    assert joyce.ages.mean() == pytest.approx(10.8341, abs=1e-4)
    assert bensby.ages.mean() == pytest.approx(8.1703, abs=1e-4)
    np.testing.assert_array_equal(np.column_stack([joyce.ages, bensby.ages]), reference)
    assert joyce.pair_group == bensby.pair_group == "kde-exercise"
    assert joyce.source == "stellar_ages.dat"  # the report never shows this machine's paths
    assert _files(tmp_path) == []  # found locally: nothing downloaded
    assert load_datasets(MANIFEST, env=env) == source.datasets


def test_data_file_known_to_the_manifest_uses_its_spec_and_hash(real_data_dir, tmp_path):
    copy = tmp_path / "stellar_ages.dat"
    copy.write_bytes((real_data_dir / "stellar_ages.dat").read_bytes())
    assert [d.label for d in load_datasets(MANIFEST, data_file=copy, env={})] == [
        "Joyce et al. (2023)",
        "Bensby et al. (2017)",
    ]
    copy.write_bytes(copy.read_bytes() + b"5.0 6.0\n")
    with pytest.raises(DataError, match=rf"SHA-256 mismatch for source 'kde-exercise': expected {REAL_SHA256}, found "):
        load_datasets(MANIFEST, data_file=copy, env={})


def test_data_file_unknown_to_the_manifest_gets_one_data_set_per_column(tmp_path):
    path = tmp_path / "my_ages.csv"
    path.write_bytes(b"Age A,Age B\n1.5,2\n3,\n17.5,4.5\n")
    a, b = load_datasets(MANIFEST, data_file=path, env={})
    assert (a.name, a.label, a.ages_gyr.tolist(), a.source) == ("age-a", "Age A", [1.5, 3.0, 17.5], "my_ages.csv")
    assert (b.name, b.ages_gyr.tolist(), b.rows.tolist(), b.n_missing) == ("age-b", [2.0, 4.5], [0, 2], 1)
    assert a.pair_group == b.pair_group == "my_ages-csv"


def test_errors_in_a_data_file_name_its_path(tmp_path):
    path = tmp_path / "bad.dat"
    path.write_bytes(b"a b\n1 2\n3 -4\n")
    message = rf"^{re.escape(str(path))}:3: column 'b': expected a positive number of Gyr, got '-4'$"
    with pytest.raises(DataError, match=message):
        load_datasets(MANIFEST, data_file=path, env={})
    with pytest.raises(DataError, match=r"nothing\.dat: no such file$"):
        load_datasets(MANIFEST, data_file=tmp_path / "nothing.dat", env={})


# --- formats and --column --------------------------------------------------------


def test_column_option_chooses_data_sets_of_an_unlisted_text_file(tmp_path):
    path = tmp_path / "three.csv"
    path.write_bytes(b"Age A,Age B,Age C\n1.5,2,7\n3,,8\n17.5,4.5,9\n")
    c, a = load_datasets(MANIFEST, data_file=path, columns=["Age C", "0"], env={})
    assert (c.name, c.label, c.ages_gyr.tolist()) == ("age-c", "Age C", [7.0, 8.0, 9.0])
    assert (a.name, a.ages_gyr.tolist()) == ("age-a", [1.5, 3.0, 17.5])
    with pytest.raises(
        DataError, match=r"three\.csv: column 'Age D' is not in the file; columns found: 0 = column 'Age A'"
    ):
        load_datasets(MANIFEST, data_file=path, columns=["Age D"], env={})
    headerless = tmp_path / "plain.dat"
    headerless.write_bytes(b"1 2 3\n4 5 6\n")
    (third,) = load_datasets(MANIFEST, data_file=headerless, columns=["2"], env={})
    assert (third.name, third.label, third.ages_gyr.tolist()) == ("col3", "Column 3", [3.0, 6.0])


def test_a_long_header_gives_a_bounded_name_and_keeps_its_label(tmp_path):
    path = tmp_path / "long.csv"
    header = "Age (Gyr) from isochrone fitting " + "x" * 270
    path.write_bytes(f"{header},b\n1.5,2\n3,4\n".encode())
    long, _ = load_datasets(MANIFEST, data_file=path, env={})
    assert long.label == header
    assert re.fullmatch(r"age-gyr-from-isochrone-f-[0-9a-f]{7}", long.name), long.name


def test_a_file_of_more_than_20_columns_needs_its_columns_chosen(tmp_path):
    def table(n: int) -> Path:
        path = tmp_path / f"wide{n}.csv"
        path.write_text(",".join(f"c{i}" for i in range(n)) + "\n" + "\n".join(",".join([str(r + 1.5)] * n) for r in range(3)))
        return path

    assert len(load_datasets(MANIFEST, data_file=table(20), env={})) == 20
    message = (
        rf"^{re.escape(str(table(21)))}: its 21 columns would each become a data set \(210 comparisons\); expected at "
        r"most 20 unless chosen: choose the columns of ages with --column NAME \(repeatable\)$"
    )
    with pytest.raises(DataError, match=message):
        load_datasets(MANIFEST, data_file=table(21), env={})
    assert [d.name for d in load_datasets(MANIFEST, data_file=table(21), columns=["c20", "c3"], env={})] == ["c20", "c3"]


def test_column_option_needs_a_data_file_and_distinct_columns(tmp_path):
    with pytest.raises(ConfigError, match=r"^--column 'a': expected it with --data FILE"):
        load_datasets(MANIFEST, columns=["a"], env={})
    with pytest.raises(ConfigError, match=r"^--column 'a' is given twice"):
        load_datasets(MANIFEST, data_file=tmp_path / "x.csv", columns=["a", "b", "a"], env={})


def test_column_option_on_a_manifest_file_keeps_those_data_sets(real_data_dir, tmp_path):
    copy = tmp_path / "stellar_ages.dat"
    copy.write_bytes((real_data_dir / "stellar_ages.dat").read_bytes())
    (bensby,) = load_datasets(MANIFEST, data_file=copy, columns=["1"], env={})
    assert (bensby.name, len(bensby.ages_gyr)) == ("bensby", 91)
    with pytest.raises(
        ConfigError, match=r"^--column 'age': source 'kde-exercise' \(stellar_ages\.dat\) reads columns 0, 1"
    ):
        load_datasets(MANIFEST, data_file=copy, columns=["age"], env={})


def test_unlisted_parquet_file_reads_its_columns_in_gyr(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "gaia.parquet"
    myr = pa.field("age_myr", pa.float64(), metadata={"unit": "Myr"})
    pq.write_table(
        pa.table([[1500.0, None, 9000.0], [1.0, 2.0, 3.0]], schema=pa.schema([myr, ("age", pa.float64())])), path
    )
    young, old = load_datasets(MANIFEST, data_file=path, env={})
    assert (young.name, young.rows.tolist(), young.n_missing) == ("age_myr", [0, 2], 1)
    np.testing.assert_allclose(young.ages_gyr, [1.5, 9.0], rtol=1e-15)
    assert (old.label, old.ages_gyr.tolist(), old.source) == ("age", [1.0, 2.0, 3.0], "gaia.parquet")
    (only,) = load_datasets(MANIFEST, data_file=path, columns=["age"], env={})
    assert only.ages_gyr.tolist() == [1.0, 2.0, 3.0]


def test_manifest_format_key_and_column_name_read_a_fits_file(tmp_path):
    from astropy.table import Table

    Table({"id": [1, 2, 3], "age": [4.0, 5.0, 6.5]}).write(tmp_path / "cat.bin", format="fits")
    manifest = tmp_path / "datasets.yml"
    manifest.write_text(
        "sources:\n  - id: cat\n    file: cat.bin\n    format: fits\n    datasets:\n"
        "      - {column: age, name: age, label: Age, colour: '#0072B2'}\n",
        encoding="utf-8",
    )
    (loaded,) = load_sources(manifest, env={})
    (age,) = loaded.datasets
    assert (age.ages_gyr.tolist(), age.rows.tolist(), age.source) == ([4.0, 5.0, 6.5], [0, 1, 2], "cat.bin")
    assert loaded.spec.datasets[0].column == "age"  # the manifest's spec, as written


def test_a_binary_file_of_no_known_format_is_still_named_binary(tmp_path):
    path = tmp_path / "ages.xlsx"
    path.write_bytes(b"PK\x03\x04\x00\x00 spreadsheet")
    with pytest.raises(DataError, match=r"ages\.xlsx:1: contains a NUL byte, so it looks like a binary file"):
        load_datasets(MANIFEST, data_file=path, env={})


def test_error_column_option_reads_each_chosen_columns_uncertainties(tmp_path):
    path = tmp_path / "measured.csv"
    path.write_bytes(b"age,err,age2,err2\n1.5,0.2,2,0.3\n3,,8,0.1\n17.5,0.4,,0.5\n")
    b, a = load_datasets(MANIFEST, data_file=path, columns=["age2", "0"], error_columns=["err2", "3"], env={})
    assert (b.ages_gyr.tolist(), b.errors_gyr.tolist()) == ([2.0, 8.0], [0.3, 0.1])
    assert (a.ages_gyr.tolist(), a.errors_gyr.tolist()) == ([1.5, 3.0, 17.5], [0.3, 0.1, 0.5])
    assert not b.errors_gyr.flags.writeable
    with pytest.raises(DataError, match=r"measured\.csv:3: column 'err' \(uncertainties of data set 'age'\): 1 of the 3 .* the first on line 3;"):
        load_datasets(MANIFEST, data_file=path, columns=["age"], error_columns=["err"], env={})
    with pytest.raises(ConfigError, match=r"^--error-column 'err': expected one per --column, in the same order"):
        load_datasets(MANIFEST, data_file=path, columns=["age", "age2"], error_columns=["err"], env={})
    # Without --column the ages are the other columns, one per --error-column.
    with pytest.raises(
        ConfigError,
        match=r"^--error-column 'err': expected one per column of ages; without --column those are the file's other "
        r"columns \(age, age2, err2\): 3 for 1 --error-column; name the ages with --column NAME",
    ):
        load_datasets(MANIFEST, data_file=path, error_columns=["err"], env={})
    pair = tmp_path / "pair.csv"
    pair.write_bytes(b"age_err,age\n0.1,4\n0.2,5\n0.3,6\n")
    (alone,) = load_datasets(MANIFEST, data_file=pair, error_columns=["age_err"], env={})
    assert (alone.name, alone.ages_gyr.tolist(), alone.errors_gyr.tolist()) == ("age", [4.0, 5.0, 6.0], [0.1, 0.2, 0.3])
    (plain,) = load_datasets(MANIFEST, data_file=path, columns=["age2"], env={})
    assert plain.errors_gyr is None


def test_error_column_option_on_a_manifest_file_is_refused(real_data_dir, tmp_path):
    copy = tmp_path / "stellar_ages.dat"
    copy.write_bytes((real_data_dir / "stellar_ages.dat").read_bytes())
    with pytest.raises(ConfigError, match=r"stellar_ages\.dat is a manifest source; declare its uncertainties"):
        load_datasets(MANIFEST, data_file=copy, columns=["1"], error_columns=["0"], env={})


def test_uncertainty_columns_of_catalogs_in_gyr_from_the_option_and_the_manifest(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    import yaml

    path = tmp_path / "gaia.parquet"
    fields = [pa.field("age", pa.float64()), pa.field("lo_myr", pa.float64(), metadata={"unit": "Myr"}),
              pa.field("hi", pa.float64()), pa.field("other", pa.float64())]  # fmt: skip
    columns = [[1.0, None, 3.0, 4.0], [100.0, 7.0, 300.0, 50.0], [0.2, 0.1, 0.4, 0.1], [9.0, 8.0, 7.0, 6.0]]
    pq.write_table(pa.table(columns, schema=pa.schema(fields)), path)
    (one,) = load_datasets(MANIFEST, data_file=path, columns=["age"], error_columns=["lo_myr"], env={})
    np.testing.assert_allclose(one.errors_gyr, [0.1, 0.3, 0.05], rtol=1e-15)
    manifest = tmp_path / "datasets.yml"
    manifest.write_text(yaml.safe_dump({"sources": [{"id": "gaia", "file": "gaia.parquet", "datasets": [
        {"column": "other", "name": "other", "label": "Other", "colour": "#0072B2"},
        {"column": "age", "name": "age", "label": "Age", "colour": "#D55E00", "error_columns": ["lo_myr", "hi"]},
    ]}]}))  # fmt: skip
    other, age = load_datasets(manifest, env={})
    assert other.errors_gyr is None and other.ages_gyr.tolist() == [9.0, 8.0, 7.0, 6.0]
    np.testing.assert_allclose(age.errors_gyr, [[0.1, 0.2], [0.3, 0.4], [0.05, 0.1]], rtol=1e-15)
