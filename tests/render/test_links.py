"""Links from the manifest can only lead where a report may link: http(s), mailto, doi, the site itself.

pandoc decodes HTML character references in link targets and browsers ignore
tabs, newlines and leading control characters before a scheme, so the scheme
is checked on the URL as a browser will read it; the manifest refuses what is
not http(s) with the YAML path of the field.
"""

import pypandoc
import pytest

from analysis.errors import ConfigError, RenderError
from analysis.readers import parse_manifest
from publish.render.filters import safe_url, url

#: Ways of writing "javascript:" that a naive scheme check lets through.
SCRIPT_URLS = (
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    " \x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
)


@pytest.mark.parametrize("target", SCRIPT_URLS)
def test_script_urls_are_refused_as_a_browser_would_read_them(target):
    with pytest.raises(RenderError, match=r"sources\[0\]\.licence_url: expected an http, https, mailto or doi URL"):
        url(target, where="sources[0].licence_url")


@pytest.mark.parametrize(
    "target, expected",
    [
        ("https://example.org/a b?x=1&y=2", "https://example.org/a b?x=1&y=2"),
        ("downloads/results.json", "downloads/results.json"),
        ("mailto:someone@example.org", "mailto:someone@example.org"),
        ("https://example.org/&amp;x", "https://example.org/&x"),
    ],
)
def test_allowed_links_reach_the_page_as_written(target, expected):
    assert safe_url(target) == expected
    # What pandoc makes of the markdown link is the URL itself (percent-encoded), no entity decoded twice.
    html = pypandoc.convert_text(f"[x]({url(target)})", "html", format="markdown")
    href = html.split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert href == url(target).replace("&amp;", "&")


def _manifest(**source) -> dict:
    dataset = {"column": 0, "name": "ages", "label": "Ages", "colour": "#0072B2"}
    return {"sources": [{"id": "src", "file": "ages.dat", "datasets": [dataset], **source}]}


@pytest.mark.parametrize("field", ["licence_url", "url"])
@pytest.mark.parametrize("target", ["javascript&colon;alert(1)", "&#106;avascript:alert(1)", "javascript:alert(1)"])
def test_the_manifest_refuses_script_urls_with_the_yaml_path(field, target):
    extra = {"sha256": "0" * 64} if field == "url" else {}
    with pytest.raises(ConfigError, match=rf"sources\[0\]\.{field}: expected an http\(s\) URL, got"):
        parse_manifest(_manifest(**{field: target}, **extra), where="datasets.yml")


def test_the_manifest_refuses_a_doi_that_is_not_one():
    manifest = _manifest()
    manifest["sources"][0]["datasets"][0]["doi"] = "javascript:alert(1)"
    with pytest.raises(ConfigError, match=r"sources\[0\]\.datasets\[0\]\.doi: expected a DOI"):
        parse_manifest(manifest, where="datasets.yml")
