"""Tests of analysis/manifest.py and of the committed data/datasets.yml."""

import copy
import doctest
from pathlib import Path
import re

import pytest
import yaml

import analysis.readers.manifest
from analysis.errors import ConfigError
from analysis.readers.manifest import OKABE_ITO, DatasetSpec, manifest_for_file, parse_manifest

MANIFEST = Path(__file__).resolve().parents[2] / "data" / "datasets.yml"
WHERE = "data/datasets.yml"


def _valid() -> dict:
    return {
        "sources": [
            {
                "id": "pairs",
                "file": "ages.dat",
                "url": "https://example.org/ages.dat",
                "sha256": "AB" * 32,
                "datasets": [
                    {"column": 0, "name": "joyce", "label": "Joyce", "colour": "#0072B2"},
                    {"column": "Bensby_age", "name": "bensby", "label": "Bensby", "colour": "#D55E00"},
                ],
            }
        ]
    }


def test_minimal_manifest_gets_defaults():
    (source,) = parse_manifest(_valid(), where=WHERE).sources
    assert (source.id, source.file, source.paired) == ("pairs", "ages.dat", True)
    assert (source.licence, source.licence_url, source.citation) == ("", "", "")
    assert source.sha256 == "ab" * 32  # normalised to lower case, as hashlib prints it
    assert source.datasets[1] == DatasetSpec(column="Bensby_age", name="bensby", label="Bensby", colour="#D55E00")
    assert source.datasets[1].units == "Gyr"


def test_committed_manifest_pins_the_real_file():
    (source,) = parse_manifest(yaml.safe_load(MANIFEST.read_text(encoding="utf-8")), where=WHERE).sources
    commit = "03f94c2a8fb06f6c25b78937f30b651a83fdc242"
    assert source.file == "stellar_ages.dat"
    assert source.url == f"https://raw.githubusercontent.com/mjoyceGR/KDE_exercise/{commit}/stellar_ages.dat"
    assert source.sha256 == "f150cadef67543fcab4668036ac960223eb74b2965b18d517b3dbe6733d0fa63"
    assert commit in source.licence_url and source.licence_url.endswith("/LICENSE")
    assert "MIT" in source.licence and "M. Joyce" in source.licence
    assert source.paired is True
    joyce, bensby = source.datasets
    assert (joyce.column, joyce.name, joyce.label, joyce.colour) == (0, "joyce", "Joyce et al. (2023)", "#0072B2")
    assert (joyce.citation, joyce.doi) == ("Joyce et al. 2023, ApJ 946, 31", "10.3847/1538-4357/acb692")
    assert joyce.method == "MIST/MESA isochrones"
    assert (bensby.column, bensby.name, bensby.label, bensby.colour) == (1, "bensby", "Bensby et al. (2017)", "#D55E00")
    assert (bensby.citation, bensby.doi) == ("Bensby et al. 2017, A&A 605, A89", "10.1051/0004-6361/201730560")
    assert bensby.method == "isochrone ages of microlensed dwarfs and subgiants"


def _edit(path: tuple, value=None, *, delete: bool = False) -> dict:
    """A valid manifest with the value at ``path`` (keys and indices) replaced or deleted."""
    mapping = copy.deepcopy(_valid())
    target = mapping
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return mapping


BAD = [
    (
        ("sources", 0, "datasets", 1, "colour"),
        "blue",
        "sources[0].datasets[1].colour: expected a hex colour like '#0072B2', got 'blue'",
    ),
    (
        ("sources", 0, "datasets", 0, "color"),
        "#000000",
        "sources[0].datasets[0].color: unknown key; allowed: column, name, label, colour, units, citation, doi, method",
    ),
    (("sources", 0, "mirror"), "x", "sources[0].mirror: unknown key; allowed: id, file, datasets, url, sha256"),
    (("extra",), 1, "extra: unknown key; allowed: sources"),
    (
        ("sources", 0, "datasets", 0, "name"),
        "Joyce",
        "sources[0].datasets[0].name: expected a name of at most 40 characters matching [a-z0-9][a-z0-9_-]*, got 'Joyce'",
    ),
    (("sources", 0, "id"), "-pairs", "sources[0].id: expected a name of at most 40 characters matching [a-z0-9][a-z0-9_-]*, got '-pairs'"),
    (("sources", 0, "sha256"), "ab" * 31, f"sources[0].sha256: expected 64 hex digits, got '{'ab' * 31}'"),
    (("sources", 0, "sha256"), "zz" * 32, "sources[0].sha256: expected 64 hex digits, got 'zzzz"),
    (("sources", 0, "datasets", 0, "units"), "Myr", "sources[0].datasets[0].units: expected 'Gyr'"),
    (("sources", 0, "paired"), "yes", "sources[0].paired: expected true or false, got 'yes'"),
    (("sources", 0, "format"), "xlsx", "sources[0].format: expected one of text, parquet, fits, ecsv, got 'xlsx'"),
    (("sources", 0, "datasets", 0, "column"), -1, "sources[0].datasets[0].column: expected a 0-based column index"),
    (("sources", 0, "datasets", 0, "column"), True, "sources[0].datasets[0].column: expected a 0-based column index"),
    (
        ("sources", 0, "datasets", 1, "column"),
        0,
        "sources[0].datasets[1].column: column 0 is already read by data set 'joyce'",
    ),
    (
        ("sources", 0, "file"),
        "../ages.dat",
        "sources[0].file: expected a file name without folders or control characters, got '../ages.dat'",
    ),
    (("sources", 0, "file"), "/etc/passwd", "sources[0].file: expected a file name without folders or control"),
    (("sources", 0, "file"), "..", "sources[0].file: expected a file name without folders or control"),
    (("sources", 0, "file"), "ages\x00.dat", "sources[0].file: expected a file name without folders or control"),
    (("sources", 0, "file"), "ages\n.dat", "sources[0].file: expected a file name without folders or control"),
    (("sources", 0, "datasets", 0, "name"), "a" * 41, "sources[0].datasets[0].name: expected a name of at most 40"),
    (("sources", 0, "id"), "b" * 41, "sources[0].id: expected a name of at most 40"),
    (("sources", 0, "url"), "ftp://x/y", "sources[0].url: expected an http(s) URL, got 'ftp://x/y'"),
    (("sources", 0, "datasets"), [], "sources[0].datasets: expected a non-empty list of data sets, got []"),
    (("sources", 0, "datasets", 0, "label"), " ", "sources[0].datasets[0].label: expected a non-empty label, got ' '"),
    (("sources", 0, "citation"), 2023, "sources[0].citation: expected text, got 2023"),
    (("sources",), {}, "sources: expected a non-empty list of sources, got {}"),
    (("sources", 0, "datasets", 0, "error_column"), -2, "sources[0].datasets[0].error_column: expected a 0-based column index"),
    (("sources", 0, "datasets", 0, "error_columns"), ["lo"], "sources[0].datasets[0].error_columns: expected [lower, upper], two columns, got ['lo']"),
    (("sources", 0, "datasets", 0, "error_columns"), ["lo", True], "sources[0].datasets[0].error_columns[1]: expected a 0-based column index"),
    (("sources", 0, "datasets", 0, "error_column"), 0, "sources[0].datasets[0]: the uncertainty columns [0] repeat a column; expected columns other than the ages' (0), each once"),
    (("sources", 0, "datasets", 0, "role"), "test", "sources[0].datasets[0].role: expected one of training, benchmark, got 'test'"),
]


@pytest.mark.parametrize(("path", "value", "message"), BAD, ids=[m.split(":")[0] + "=" + repr(v) for _, v, m in BAD])
def test_invalid_values_name_their_yaml_path(path, value, message):
    with pytest.raises(ConfigError, match="^" + re.escape(f"{WHERE}: {message}")):
        parse_manifest(_edit(path, value), where=WHERE)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (("sources", 0, "datasets", 1, "name"), "sources[0].datasets[1]: missing required key 'name'"),
        (("sources", 0, "file"), "sources[0]: missing required key 'file'"),
        (("sources", 0, "sha256"), "sources[0]: 'url' needs 'sha256' (the pinned hash of the file), got none"),
    ],
)
def test_missing_keys_are_named(path, message):
    with pytest.raises(ConfigError, match="^" + re.escape(f"{WHERE}: {message}") + "$"):
        parse_manifest(_edit(path, delete=True), where=WHERE)


def test_names_ids_and_files_must_be_unique_across_sources():
    second = copy.deepcopy(_valid()["sources"][0])
    second.update(id="other", file="other.dat")
    second["datasets"] = second["datasets"][:1]
    mapping = _valid()
    mapping["sources"].append(second)
    expected = "sources[1].datasets[0].name: 'joyce' is already a data set name"
    with pytest.raises(ConfigError, match="^" + re.escape(f"{WHERE}: {expected}")):
        parse_manifest(mapping, where=WHERE)
    second["datasets"][0]["name"] = "joyce2"
    for key in ("id", "file"):
        clash = copy.deepcopy(mapping)
        clash["sources"][1][key] = mapping["sources"][0][key]
        with pytest.raises(ConfigError, match="^" + re.escape(f"{WHERE}: sources[1].{key}: ")):
            parse_manifest(clash, where=WHERE)
    assert [s.id for s in parse_manifest(mapping, where=WHERE).sources] == ["pairs", "other"]


def test_not_a_mapping():
    with pytest.raises(ConfigError, match=r"^m\.yml: expected a mapping, got None$"):
        parse_manifest(None, where="m.yml")
    with pytest.raises(ConfigError, match=r"^m\.yml: missing required key 'sources'$"):
        parse_manifest({}, where="m.yml")


def test_manifest_for_file_slugs_header_names():
    (source,) = manifest_for_file("My Ages.csv", ("Joyce age (Gyr)", "Joyce_age_Gyr", "joyce age gyr", "?")).sources
    assert source.id == "my-ages-csv"
    assert (source.file, source.url, source.sha256, source.paired) == ("My Ages.csv", None, None, True)
    assert [d.name for d in source.datasets] == ["joyce-age-gyr", "joyce_age_gyr", "joyce-age-gyr-2", "col4"]
    assert [d.label for d in source.datasets] == ["Joyce age (Gyr)", "Joyce_age_Gyr", "joyce age gyr", "?"]
    assert [d.column for d in source.datasets] == [0, 1, 2, 3]
    names = re.compile(r"[a-z0-9][a-z0-9_-]*")
    assert all(names.fullmatch(d.name) for d in source.datasets)


def test_names_made_from_long_headers_are_bounded_and_keep_the_header_as_label():
    long_a, long_b = "Age " + "a" * 296, "Age " + "a" * 295 + "b"  # 300 characters, alike but for the last one
    (source,) = manifest_for_file("f" * 250 + ".csv", (long_a, long_b, long_a.upper())).sources
    names = [d.name for d in source.datasets]
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", name) for name in [*names, source.id]), names
    assert len(set(names)) == 3 and all(name.startswith("age-aaaa") for name in names)
    assert [d.label for d in source.datasets] == [long_a, long_b, long_a.upper()]
    again = manifest_for_file("x.csv", (long_a,)).sources[0].datasets[0].name
    assert again == names[0]  # the same header always gets the same name
    # and derived names are ones the manifest itself accepts
    datasets = [{"column": i, "name": n, "label": "L", "colour": "#000000"} for i, n in enumerate(names)]
    parse_manifest({"sources": [{"id": source.id, "file": "x", "datasets": datasets}]}, where=WHERE)


def test_manifest_format_key_is_kept():
    assert parse_manifest(_edit(("sources", 0, "format"), "parquet"), where=WHERE).sources[0].format == "parquet"
    assert parse_manifest(_valid(), where=WHERE).sources[0].format is None


def test_manifest_for_file_with_chosen_columns_keeps_their_numbers():
    (source,) = manifest_for_file("x.dat", (), n_columns=4, columns=[3, 1]).sources
    assert [(d.column, d.name, d.label) for d in source.datasets] == [(3, "col4", "Column 4"), (1, "col2", "Column 2")]
    assert [d.colour for d in source.datasets] == list(OKABE_ITO[1:3])


def test_manifest_for_file_without_header_and_its_colours():
    (source,) = manifest_for_file("x.dat", (), n_columns=9).sources
    assert [d.name for d in source.datasets] == [f"col{i}" for i in range(1, 10)]
    assert source.datasets[0].label == "Column 1"
    colours = [d.colour for d in source.datasets]
    # Okabe-Ito order without black, repeating after its 7 colours.
    assert colours[:7] == ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]
    assert colours[7:] == colours[:2] and "#000000" not in colours and OKABE_ITO[0] == "#000000"


def test_docstring_examples():
    assert doctest.testmod(analysis.readers.manifest, raise_on_error=True).attempted >= 1


def test_role_defaults_to_training_and_benchmark_is_kept():
    (source,) = parse_manifest(_valid(), where=WHERE).sources
    assert {d.role for d in source.datasets} == {"training"}
    (source,) = parse_manifest(_edit(("sources", 0, "datasets", 1, "role"), "benchmark"), where=WHERE).sources
    assert [d.role for d in source.datasets] == ["training", "benchmark"]


def test_uncertainty_columns_are_one_sigma_or_lower_and_upper():
    (source,) = parse_manifest(_valid(), where=WHERE).sources
    assert {d.errors for d in source.datasets} == {()}
    one = _edit(("sources", 0, "datasets", 1, "error_column"), "sigma")
    assert parse_manifest(one, where=WHERE).sources[0].datasets[1].errors == ("sigma",)
    two = _edit(("sources", 0, "datasets", 1, "error_columns"), [3, "hi"])
    assert parse_manifest(two, where=WHERE).sources[0].datasets[1].errors == (3, "hi")
    two["sources"][0]["datasets"][1]["error_column"] = 4
    with pytest.raises(ConfigError, match=r"datasets\[1\]: expected 'error_column' or 'error_columns', not both"):
        parse_manifest(two, where=WHERE)
