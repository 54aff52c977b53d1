"""Compare the site and ``python -m analysis --json`` with outputs recorded from an earlier commit.

A refactoring must not change what readers get. Record the reference outputs at
the starting commit (see ``--help``), then run this script at the new one:

    python benchmarks/compare_outputs.py --reference /path/to/reference

It builds the site with both engines into a temporary folder and runs
``python -m analysis`` twice (the default data, and the 91-star file's
Bensby column with seed 7), then compares every file byte for byte. The PDF's
title page and the build key name the commit a site was built from, so the
build uses ``SOURCE_DATE_EPOCH`` = the reference commit's date (the date it
showed) and a PDF that differs is compared again as text with what the commit
decides blanked out (its hash, "with uncommitted changes", and whether the
date is the commit's or ``SOURCE_DATE_EPOCH``): only that may differ there. Exit status 0 when nothing
else differs.

Recording the reference (at the starting commit)::

    python build.py --engine pandoc --out REF/site-pandoc --force
    python build.py --engine quarto --out REF/site-quarto --force
    python -m analysis --json REF/analysis.json
    python -m analysis data/stellar_ages.dat --column 1 --seed 7 --json REF/analysis-bensby.json
"""

import argparse
import filecmp
import os
import re
from pathlib import Path
import subprocess
import sys
import tempfile

ROOT = Path(__file__).resolve().parent.parent
#: What ``python -m analysis`` is run with: (reference file name, arguments).
ANALYSES = (
    ("analysis.json", ()),
    ("analysis-bensby.json", ("data/stellar_ages.dat", "--column", "1", "--seed", "7")),
)


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout.strip()


def _differing(left: Path, right: Path, relative: str = "") -> list[str]:
    """Files (relative paths) that differ, or are in one folder only."""
    compared = filecmp.dircmp(left / relative, right / relative)
    found = [f"{relative}{name} (only in the reference)" for name in compared.left_only]
    found += [f"{relative}{name} (only in the new build)" for name in compared.right_only]
    for name in compared.common_files:
        if (left / relative / name).read_bytes() != (right / relative / name).read_bytes():
            found.append(f"{relative}{name}")
    for name in compared.common_dirs:
        found += _differing(left, right, f"{relative}{name}/")
    return sorted(found)


def _pdf_text(path: Path, commits: list[str]) -> tuple[int, str]:
    """The PDF's page count and its text, whitespace collapsed, with what the commit decides blanked out:
    the hash, whether the checkout had uncommitted changes and where the date came from (title page)."""
    import pypdf

    pages = [page.extract_text() for page in pypdf.PdfReader(path).pages]
    text = " ".join(" ".join(pages).split())
    for commit in commits:
        text = text.replace(commit, "<commit>").replace(commit[:7], "<commit>")
    text = re.sub(r"<commit>( with uncommitted changes)? on (.*?) \((the date of commit <commit>|SOURCE_DATE_EPOCH)\)",
                  r"<commit> on \2 (<date source>)", text)
    return len(pages), text


def _explain(name: str, reference: Path, new: Path, commits: list[str]) -> tuple[bool, str]:
    """Whether a differing file differs only in what the commit decides, and how."""
    if name == ".build-key":
        return True, "the build key hashes the commit and the code"
    if name == "report.pdf":
        before, after = _pdf_text(reference / name, commits), _pdf_text(new / name, commits)
        if before == after:
            return True, (
                f"{after[0]} pages, the same text once the title page's commit (its hash, uncommitted changes, "
                "the date's source) is blanked out"
            )
        return False, "the PDF's text differs beyond the commit's hash"
    return False, "differs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, required=True, help="folder of the recorded outputs")
    parser.add_argument(
        "--base", help="the commit the reference was built from (default: where this branch left main)"
    )
    parser.add_argument("--engines", default="pandoc,quarto", help="engines to build with (default pandoc,quarto)")
    args = parser.parse_args(argv)
    base = _git("rev-parse", args.base) if args.base else _git("merge-base", "HEAD", "main")
    commits = [base, _git("rev-parse", "HEAD")]
    env = {**os.environ, "SOURCE_DATE_EPOCH": _git("log", "-1", "--format=%ct", base), "MPLBACKEND": "Agg"}
    failures = 0
    with tempfile.TemporaryDirectory(prefix="compare-outputs-") as scratch:
        work = Path(scratch)
        for file_name, options in ANALYSES:
            out = work / file_name
            subprocess.run(
                [sys.executable, "-m", "analysis", *options, "--json", str(out)],
                cwd=ROOT, env=env, check=True, capture_output=True,
            )  # fmt: skip
            same = out.read_bytes() == (args.reference / file_name).read_bytes()
            failures += not same
            print(f"python -m analysis {' '.join(options)} --json: {'identical' if same else 'DIFFERS'} ({file_name})")
        for engine in args.engines.split(","):
            site = work / f"site-{engine}"
            subprocess.run(
                [sys.executable, "build.py", "--engine", engine, "--out", str(site), "--force", "--quiet"],
                cwd=ROOT, env=env, check=True,
            )  # fmt: skip
            reference = args.reference / f"site-{engine}"
            files = sum(1 for p in site.rglob("*") if p.is_file())
            differing = _differing(reference, site)
            print(f"site ({engine}): {files - len(differing)} of {files} files identical")
            for name in differing:
                expected, why = _explain(name, reference, site, commits) if (reference / name).is_file() else (False, "")
                failures += not expected
                print(f"  {name}: {'expected' if expected else 'UNEXPECTED'}: {why or 'missing'}")
    print("only the commit's hash differs" if not failures else f"{failures} unexpected differences")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
