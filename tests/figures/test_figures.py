"""Tests of publish.figures: every expected figure, readable, deterministic and described."""

from dataclasses import replace
import re
import struct
import xml.etree.ElementTree as ET

import matplotlib
from matplotlib.patches import StepPatch
import numpy as np
import pytest
from scipy import stats
from statsmodels.distributions.empirical_distribution import ECDF

from analysis.config import AnalysisConfig
from analysis.dataset import Dataset
from analysis.errors import RenderError
from analysis.formatting import gyr
from analysis.statistics import empirical_cdf
from analysis.pipeline import analyse
from publish.figures.style import FIGURE_WIDTH_IN, PNG_DPI
from publish.figures import draw_figures
from publish.figures.dataset import step_figure
from publish.figures.across import comparison_ecdf_figure

SVG = "{http://www.w3.org/2000/svg}"
PER_DATASET = ("step7", "step9", "bandwidths", "synthetic")
SHARED = (
    "overview",
    "bandwidth-cv",
    "bandwidth-lecture",
    "generative-heldout",
    "comparison-kde",
    "comparison-ecdf",
)


@pytest.fixture(scope="module")
def datasets():
    """Three data sets: two paired (same file, same stars) and one from another file."""
    rng = np.random.default_rng(20240611)
    older = np.round(rng.gamma(6.0, 1.6, size=60), 2)
    younger = np.round(np.clip(older - 1.5 + rng.normal(0.0, 1.0, size=60), 0.05, None), 2)
    field = np.round(np.clip(rng.normal(5.0, 2.0, size=40), 0.05, None), 2)
    datasets = [
        Dataset(
            "older", "Older sample", "#0072B2", tuple(older), tuple(range(60)), 0, "pairs.csv", pair_group="p"
        ),
        Dataset(
            "younger",
            "Younger sample",
            "#D55E00",
            tuple(younger),
            tuple(range(60)),
            0,
            "pairs.csv",
            pair_group="p",
        ),
        Dataset("field", "Field stars", "#009E73", tuple(field), tuple(range(40)), 0, "field.csv"),
    ]
    return {d.name: d for d in datasets}


@pytest.fixture(scope="module")
def result(datasets):
    return analyse(list(datasets.values()), AnalysisConfig(replicates=20))


@pytest.fixture(scope="module")
def drawn(result, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("site")
    rc_before = dict(matplotlib.rcParams)
    figures = draw_figures(result, out_dir)
    return figures, out_dir, rc_before


def test_every_expected_figure_is_written(result, drawn):
    figures, out_dir, _ = drawn
    expected = set(SHARED) | {
        f"{name}-{kind}" for name in ("older", "younger", "field") for kind in PER_DATASET
    }
    expected.add("pair-older-younger")
    assert set(figures) == expected
    for figure_id, figure in figures.items():
        assert figure.id == figure_id
        assert (figure.svg, figure.png) == (f"figures/{figure_id}.svg", f"figures/{figure_id}.png")
        assert (out_dir / figure.svg).stat().st_size > 1000
        assert (out_dir / figure.png).stat().st_size > 1000
    assert sorted(p.name for p in (out_dir / "figures").iterdir()) == sorted(
        f"{i}.{ext}" for i in expected for ext in ("svg", "png")
    )


def test_pair_figures_only_for_paired_comparisons(result, drawn):
    figures, _, _ = drawn
    assert len(result.comparisons) == 3
    assert sum(c.paired is not None for c in result.comparisons) == 1
    for c in result.comparisons:
        assert (f"pair-{c.a}-{c.b}" in figures) == (c.paired is not None)


def test_svgs_are_xml_with_drawn_data_and_no_nan(result, drawn):
    figures, out_dir, _ = drawn
    colours = {d.name: d.colour.lower() for d in result.datasets}
    for figure_id, figure in figures.items():
        text = (out_dir / figure.svg).read_text(encoding="utf-8")
        root = ET.fromstring(text)
        assert len(root.findall(f".//{SVG}path")) >= 10, figure_id
        assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE), figure_id
        assert "<dc:date>" not in text, figure_id
        owner = next((name for name in colours if figure_id.startswith(f"{name}-")), None)
        if owner is not None:
            # A data set's own figures are drawn in its colour and in no other data set's.
            assert colours[owner] in text, figure_id
            assert not any(c in text for n, c in colours.items() if n != owner), figure_id
    for figure_id in SHARED:
        text = (out_dir / figures[figure_id].svg).read_text(encoding="utf-8")
        assert all(c in text for c in colours.values()), figure_id


def test_pngs_are_7_inches_at_200_dpi(drawn):
    figures, out_dir, _ = drawn
    for figure in figures.values():
        header = (out_dir / figure.png).read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", header[16:24])
        assert width == round(FIGURE_WIDTH_IN * PNG_DPI), figure.id
        assert 300 < height < 3000, figure.id


def test_alt_text_and_captions_name_the_data_sets_and_key_numbers(result, drawn):
    figures, _, _ = drawn
    labels = [d.label for d in result.datasets]
    for figure in figures.values():
        assert len(figure.alt) > 40 and len(figure.caption) > 40, figure.id
    for d in result.datasets:
        for kind in PER_DATASET:
            assert d.label in figures[f"{d.name}-{kind}"].alt
        assert f"{d.gaussian.mu:.2f} Gyr" in figures["overview"].alt
        assert f"{d.gaussian.mu:.2f} Gyr" in figures[f"{d.name}-step7"].alt
    for figure_id in SHARED:
        assert all(label in figures[figure_id].alt for label in labels), figure_id
    pair = next(c.paired for c in result.comparisons if c.paired is not None)
    alt = figures["pair-older-younger"].alt
    assert "Older sample" in alt and "Younger sample" in alt
    assert f"{pair.n_pairs} stars" in alt and f"{pair.mean_difference:+.2f} Gyr" in alt


def test_heldout_caption_lists_every_off_scale_score(result, drawn):
    figures, _, _ = drawn
    # Independent restatement of the clipping rule: 3 nats per star below the lowest best score.
    floor = min(max(s.mean_log_likelihood for s in d.held_out) for d in result.datasets) - 3.0
    off_scale = [(d.label, s) for d in result.datasets for s in d.held_out if s.mean_log_likelihood < floor]
    caption = figures["generative-heldout"].caption
    assert any(s.bandwidth == 0.01 for _, s in off_scale), "h = 0.01 Gyr should score far below the others"
    for label, s in off_scale:
        name = "Gaussian" if s.bandwidth is None else f"h = {gyr(s.bandwidth)} Gyr"
        assert f"{label} {name}: {s.mean_log_likelihood:.1f}" in caption
    assert caption.count(": -") == len(off_scale)


def test_drawing_leaves_callers_rc_params_alone(drawn):
    _, _, rc_before = drawn
    assert dict(matplotlib.rcParams) == rc_before


def test_second_run_is_byte_identical_and_rewrites_nothing(result, drawn):
    figures, out_dir, _ = drawn
    files = sorted((out_dir / "figures").iterdir())
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    again = draw_figures(result, out_dir)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted((out_dir / "figures").iterdir())}
    assert again == figures
    assert after.keys() == before.keys()
    for name, (data, mtime) in before.items():
        assert after[name][0] == data, name
        assert after[name][1] == mtime, name


def test_clashing_figure_ids_are_an_error(result, tmp_path):
    # "pair-x" + "-synthetic" equals the pair figure of data sets "x" and "synthetic".
    renamed = dict(zip(("older", "younger", "field"), ("x", "synthetic", "pair-x"), strict=True))
    clashing = replace(
        result,
        datasets=tuple(replace(d, name=renamed[d.name]) for d in result.datasets),
        comparisons=tuple(replace(c, a=renamed[c.a], b=renamed[c.b]) for c in result.comparisons),
    )
    with pytest.raises(RenderError, match="pair-x-synthetic"):
        draw_figures(clashing, tmp_path)
    assert not (tmp_path / "figures").exists()


def _lines_in(ax, colour):
    return [line for line in ax.lines if line.get_color() == colour]


def test_step_figures_draw_the_lectures_10_bin_histogram_and_curves(result, datasets):
    for d in result.datasets:
        ages = np.asarray(datasets[d.name].ages)
        counts, edges = np.histogram(ages)  # the lecture's plt.hist(ages): 10 equal bins
        # Fails if the figure fell back to the "auto" histogram of the other figures.
        assert len(d.histogram.counts) != 10, "fixture should make 'auto' bins differ from the lecture's"
        mu, sigma = stats.norm.fit(ages)
        for with_scipy in (False, True):
            fig, alt, caption = step_figure(d, with_scipy=with_scipy)
            ax = fig.axes[0]
            (bars,) = [p for p in ax.patches if isinstance(p, StepPatch)]
            heights, bar_edges, _ = bars.get_data()
            np.testing.assert_array_equal(heights, counts)
            np.testing.assert_allclose(bar_edges, edges, rtol=0, atol=1e-12)
            (gaussian,) = [line for line in ax.lines if line.get_label() == "norm.pdf(edges) × n"]
            x, y = gaussian.get_data()
            np.testing.assert_allclose(x, edges, rtol=0, atol=1e-12)
            np.testing.assert_allclose(y, stats.norm.pdf(edges, mu, sigma) * ages.size, rtol=1e-9)
            kde_lines = _lines_in(ax, d.colour)
            assert len(kde_lines) == int(with_scipy)
            if with_scipy:
                x, y = kde_lines[0].get_data()
                np.testing.assert_allclose(y, stats.gaussian_kde(ages)(x) * ages.size, rtol=1e-6)
            width = (edges[-1] - edges[0]) / 10
            assert f"bins {gyr(width)} Gyr wide, highest bar {counts.max()} stars" in alt
            assert f"these are {gyr(width)} Gyr" in caption
            assert ("gaussian_kde" in caption) == with_scipy


def _ecdf_lines(result, fig):
    ax = fig.axes[0]
    lines = {}
    for d in result.datasets:
        (line,) = _lines_in(ax, d.colour)
        assert line.get_drawstyle() == "steps-post", d.name
        lines[d.name] = line.get_data()
    return lines


def test_ecdf_figure_draws_each_empirical_cdf_as_steps(result, datasets):
    fig, _, caption = comparison_ecdf_figure(result)
    lines = _ecdf_lines(result, fig)
    low = min(min(d.ages) for d in datasets.values())
    high = max(max(d.ages) for d in datasets.values())
    for name, (x, y) in lines.items():
        ages = np.asarray(datasets[name].ages)
        distinct = np.unique(ages)
        # The step line runs from 0 at the youngest star of any data set to 1 at the oldest.
        np.testing.assert_array_equal(x, np.concatenate(([low], distinct, [high])))
        expected = np.concatenate(([0.0], ECDF(ages)(distinct), [1.0]))
        np.testing.assert_allclose(y, expected, rtol=0, atol=1e-12)
    assert "summarised" not in caption


def test_ecdf_figure_says_which_ecdf_is_summarised(result, datasets):
    field = np.asarray(datasets["field"].ages)
    short = empirical_cdf(field, max_points=25)
    assert not short.exact
    summarised = replace(
        result,
        datasets=tuple(replace(d, ecdf=short) if d.name == "field" else d for d in result.datasets),
    )
    fig, _, caption = comparison_ecdf_figure(summarised)
    x, y = _ecdf_lines(summarised, fig)["field"]
    np.testing.assert_array_equal(x[1:-1], short.x)
    np.testing.assert_array_equal(y[1:-1], short.fraction)
    assert "Field stars is summarised by its ages at 25 evenly spaced fractions" in caption
    assert "Older sample is summarised" not in caption


def test_a_catalogs_stored_synthetic_ages_are_scaled_to_its_size():
    """A catalog keeps the first k of its n synthetic ages; the drawn line must stand for all n."""
    from dataclasses import replace

    from analysis.results import SyntheticSample
    from publish.figures.dataset import synthetic_counts

    ages = np.random.default_rng(77).normal(8.0, 2.0, 500)
    edges = np.linspace(0.0, 16.0, 9)
    full = SyntheticSample(
        kind="grid", bandwidth=1.0, ages=tuple(ages), n_total=500, replicates=1,
        envelope_low=(0.0,) * 8, envelope_median=(0.0,) * 8, envelope_high=(0.0,) * 8,
        fraction_below_zero=0.0, fraction_above_universe=0.0,
    )
    np.testing.assert_array_equal(synthetic_counts(full, edges), np.histogram(ages, edges)[0])
    kept = replace(full, ages=tuple(ages[:100]))
    np.testing.assert_allclose(synthetic_counts(kept, edges), 5.0 * np.histogram(ages[:100], edges)[0])
    assert synthetic_counts(kept, edges).sum() == pytest.approx(np.histogram(ages[:100], edges)[0].sum() * 5)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Two stars of one file, three of another: every figure copes with what each lacks."""
    two = Dataset("two", "Two stars", "#0072B2", (3.1, 9.4), (0, 1), 0, "two.csv")
    three = Dataset("three", "Three stars", "#D55E00", (1.0, 2.0, 3.5), (0, 1, 2), 0, "three.csv")
    result = analyse([two, three], AnalysisConfig(replicates=20, bootstrap_resamples=200))
    out_dir = tmp_path_factory.mktemp("small")
    return result, draw_figures(result, out_dir), out_dir


def _drawn_panels(fig) -> list:
    """The axes of a figure that show data (a cell holding only a note has its axis turned off)."""
    return [ax for ax in fig.axes if ax.axison]


def test_small_data_sets_get_every_figure_their_data_allow(small):
    result, figures, _ = small
    two, three = result.datasets
    assert two.bandwidths.cv is None and two.held_out == () and three.bandwidths.isj is None
    # Two stars cannot be cross-validated, three can: the shared figures are drawn for the three.
    assert set(figures) == set(SHARED) | {f"{n}-{k}" for n in ("two", "three") for k in PER_DATASET}
    cv_reason = two.bandwidth_choices[3].unavailable
    assert cv_reason.startswith("not available for n = 2: cross-validation needs at least 3 ages")
    for figure_id in ("overview", "bandwidth-lecture", "comparison-kde"):
        assert "Two stars has no CV " in figures[figure_id].caption and cv_reason in figures[figure_id].caption
    assert f"Two stars has no curve ({cv_reason})" in figures["bandwidth-cv"].caption
    assert "Two stars has no held-out scores (not available for n = 2: " in figures["generative-heldout"].caption
    isj_reason = three.bandwidth_choices[2].unavailable
    for kind in ("bandwidths", "synthetic"):
        assert f"Three stars has no ISJ panel ({isj_reason})" in figures[f"three-{kind}"].caption
        assert "Two stars has no ISJ panel" in figures[f"two-{kind}"].caption
        assert "Two stars has no CV panel" in figures[f"two-{kind}"].caption


def test_small_data_figures_have_no_empty_panel(small):
    result, _, _ = small
    two, three = result.datasets
    from publish.figures.dataset import bandwidths_figure, synthetic_figure
    from publish.figures.across import bandwidth_lecture_figure, overview_figure

    for d in (two, three):
        for draw in (bandwidths_figure, synthetic_figure):
            fig, _, _ = draw(d)
            panels = _drawn_panels(fig)
            assert len(panels) == len(d.kde_curves), d.name  # one panel per available model, no more
            assert all(ax.lines or ax.patches for ax in panels)
    fig, _, _ = overview_figure(result)
    top, bottom = fig.axes
    # Both rows have bars, Gaussian and the KDE at the one common bandwidth (the three stars' CV choice),
    # although two stars have no CV bandwidth of their own.
    def labelled(ax):
        return [line.get_label() for line in ax.lines if not line.get_label().startswith("_")]

    assert labelled(top) == ["Gaussian fit", "KDE"] and labelled(bottom) == ["Gaussian fit", "KDE"]
    assert result.common_bandwidth == three.bandwidths.cv
    assert top.get_title(loc="left") == "Two stars (n = 2)"
    assert fig.legends[0].get_texts()[-1].get_text() == "KDE"
    fig, _, _ = bandwidth_lecture_figure(result)
    notes = [ax for ax in fig.axes if not ax.axison]
    assert len(notes) == 1 and notes[0].texts[0].get_text() == "No CV bandwidth:\nsee the caption"
    assert all(ax.lines for ax in _drawn_panels(fig))


def test_a_figure_no_data_set_can_fill_is_left_out_with_the_reason(tmp_path):
    two = Dataset("two", "Two stars", "#0072B2", (3.1, 9.4), (0, 1), 0, "two.csv")
    result = analyse([two], AnalysisConfig(replicates=20))
    from publish.figures import figure_plan

    plan = figure_plan(result)
    assert set(plan.omitted) == {"bandwidth-cv", "generative-heldout", "comparison-kde"}
    reason = result.datasets[0].cv_curve_unavailable
    assert plan.omitted["bandwidth-cv"] == (
        f"This figure is not drawn: no data set has a cross-validation curve (Two stars: {reason})."
    )
    figures = draw_figures(result, tmp_path)
    assert set(figures) == set(plan.ids) and not set(plan.omitted) & set(figures)
    assert not list((tmp_path / "figures").glob("bandwidth-cv.*"))


def test_a_cv_curve_without_a_maximum_is_drawn_without_its_star(tmp_path):
    ties = Dataset("ties", "Tied", "#0072B2", (1.0, 1.0, 2.0, 2.0, 3.0, 3.0), tuple(range(6)), 0, "ties.csv")
    result = analyse([ties], AnalysisConfig(replicates=20))
    (d,) = result.datasets
    assert d.cv_curve.best_bandwidth is None
    from publish.figures.scores import bandwidth_cv_figure

    fig, alt, caption = bandwidth_cv_figure(result)
    ax = fig.axes[0]
    assert not [line for line in ax.lines if line.get_marker() == "*"]
    curve = [line for line in ax.lines if line.get_label() == "Tied"]
    np.testing.assert_allclose(curve[0].get_xdata(), d.cv_curve.bandwidths)
    assert f"Tied's curve has no star ({d.cv_curve.unavailable})." in caption
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "CV choice" not in labels and "ISJ" not in labels and "Scott" in labels
    assert "no CV" in alt and "no ISJ" in alt


def test_every_histogram_of_a_data_set_has_its_bins_but_the_lectures_steps(result):
    """One histogram per data set: the report's bins in every figure, the lecture's 10 only in its steps, labelled."""
    from publish.figures.across import bandwidth_lecture_figure, overview_figure
    from publish.figures.dataset import LECTURE_BARS, bandwidths_figure, synthetic_figure

    def bars(fig):
        """The edges of every filled histogram drawn, with its legend label."""
        return [
            (p.get_label(), tuple(p.get_data().edges))
            for ax in fig.axes for p in ax.patches if isinstance(p, StepPatch) and p.get_fill()
        ]  # fmt: skip

    overview = bars(overview_figure(result)[0])
    assert [edges for _, edges in overview] == [d.histogram.edges for d in result.datasets]
    lecture_grid = bars(bandwidth_lecture_figure(result)[0])
    for d in result.datasets:
        assert sum(edges == d.histogram.edges for _, edges in lecture_grid) == len(result.bandwidth_grid) + 1
        for draw in (bandwidths_figure, synthetic_figure):
            fig, _, caption = draw(d)
            assert {edges for _, edges in bars(fig)} == {d.histogram.edges}, draw.__name__
            width = (d.histogram.edges[-1] - d.histogram.edges[0]) / len(d.histogram.counts)
            assert f"{len(d.histogram.counts)} bins of {gyr(width)} Gyr" in caption
        for with_scipy in (False, True):
            fig, _, caption = step_figure(d, with_scipy=with_scipy)
            assert bars(fig) == [(LECTURE_BARS, d.gaussian.lecture_edges)]
            legend = [t.get_text() for t in fig.legends[0].get_texts()]
            assert "lecture's 10 bins" in LECTURE_BARS and LECTURE_BARS in legend
            assert f"every other histogram of {d.label} in this report has {len(d.histogram.counts)} bins" in caption


@pytest.fixture(scope="module")
def measured():
    """Ages with known Gaussian sigmas beside ages without any: only the first has an error-convolved KDE."""
    rng = np.random.default_rng(77)
    sigma = np.round(rng.uniform(0.3, 1.2, 70), 3)
    ages = np.round(np.clip(rng.normal(8.0, 1.6, 70) + sigma * rng.standard_normal(70), 0.1, None), 3)
    with_errors = Dataset(
        "measured", "Measured $x$ ages", "#0072B2", tuple(ages), tuple(range(70)), 0, "m.csv", errors_gyr=sigma
    )
    plain = Dataset("plain", "Plain ages", "#D55E00", tuple(ages), tuple(range(70)), 0, "p.csv")
    result = analyse([with_errors, plain], AnalysisConfig(replicates=20))
    return result, ages, sigma


def test_the_errors_figure_draws_the_closed_form_error_convolved_density_and_the_cv_kde(measured):
    from publish.figures.dataset import errors_figure
    from publish.figures.style import figure_style

    result, ages, sigma = measured
    d = result.datasets[0]
    e = d.errors
    with figure_style():
        fig, alt, caption = errors_figure(d)
    (ax,) = fig.axes
    per_bin = d.n * (d.histogram.edges[1] - d.histogram.edges[0])
    lines = {line.get_label(): line for line in ax.lines if not line.get_label().startswith("_")}
    errors_label = f"Error-convolved KDE, CV: h = {gyr(e.bandwidth)} Gyr, kernel widths √(h² + σᵢ²)"
    cv_label = f"KDE, CV: h = {gyr(d.bandwidths.cv)} Gyr"
    assert set(lines) == {errors_label, cv_label}
    # The closed form, written independently of the pipeline: mean_i N(x; a_i, h^2 + sigma_i^2), at the curve's own x.
    x = lines[errors_label].get_xdata()
    closed = stats.norm.pdf(x[:, None], ages[None, :], np.sqrt(e.bandwidth**2 + sigma**2)[None, :]).mean(axis=1)
    np.testing.assert_allclose(lines[errors_label].get_ydata() / per_bin, closed, rtol=1e-9, atol=1e-300)
    x = lines[cv_label].get_xdata()
    ordinary = stats.norm.pdf(x[:, None], ages[None, :], d.bandwidths.cv).mean(axis=1)
    np.testing.assert_allclose(lines[cv_label].get_ydata() / per_bin, ordinary, rtol=1e-9, atol=1e-300)
    # The histogram is the data set's one histogram, and the band the error-convolved model's replicates in its bins.
    patches = {p.get_label(): p.get_data() for p in ax.patches if isinstance(p, StepPatch)}
    assert tuple(patches["Histogram"].edges) == d.histogram.edges
    np.testing.assert_array_equal(patches["Histogram"].values, d.histogram.counts)
    band = patches["Its synthetic samples: 5–95 %"]
    np.testing.assert_array_equal(band.values, e.synthetic.envelope_high)
    np.testing.assert_array_equal(band.baseline, e.synthetic.envelope_low)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "Histogram", cv_label, errors_label, "Its synthetic samples: 5–95 %"
    ]  # fmt: skip
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Age (Gyr)", "Stars per bin")
    assert "Measured $x$ ages" in caption and "variance h² + σᵢ²" in caption and "leave-one-out CV" in caption
    assert f"h = {gyr(e.bandwidth)} Gyr" in alt and f"{gyr(d.bandwidths.cv)} Gyr" in alt


def test_only_a_data_set_with_uncertainties_gets_the_errors_figure(measured, tmp_path):
    from publish.figures import dataset_figures, figure_plan

    result, _, _ = measured
    with_errors, plain = result.datasets
    assert plain.errors is None and with_errors.errors is not None
    assert dataset_figures(plain) == PER_DATASET and dataset_figures(with_errors) == (*PER_DATASET, "errors")
    ids = figure_plan(result).ids
    assert "measured-errors" in ids and not [i for i in ids if i.endswith("-errors") and i != "measured-errors"]
    figures = draw_figures(result, tmp_path)
    assert set(figures) == set(ids)
    drawn = sorted(p.name for p in (tmp_path / "figures").glob("*-errors.*"))
    assert drawn == ["measured-errors.png", "measured-errors.svg"]
    svg = (tmp_path / figures["measured-errors"].svg).read_text(encoding="utf-8")
    assert "Error-convolved KDE" in svg and "Stars per bin" in svg and "Age (Gyr)" in svg
