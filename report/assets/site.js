/*
 * The pandoc engine's page frame: what Quarto's own scripts give its pages.
 *
 * - On a phone the navigation folds behind a "Menu" button (aria-expanded says
 *   whether it is open). Without JavaScript the button stays hidden and every
 *   link shows, so nothing depends on this script.
 * - Site search: the words of every section of every page, in search-index.js
 *   (window.SITE_SEARCH_INDEX, written by publish/engines.py), searched as the
 *   reader types. A classic script, not a module and not a fetch, so it also
 *   works from file://. Results are written with textContent, never as HTML.
 */
(function () {
  "use strict";

  var PHONE = window.matchMedia("(max-width: 600px)");
  var MAX_RESULTS = 8;
  var SNIPPET_CHARS = 90;

  function foldNavigation() {
    var nav = document.querySelector(".site-header .navbar");
    var button = document.getElementById("nav-toggle");
    if (!nav || !button) {
      return;
    }
    button.hidden = false;
    nav.classList.add("js-foldable");
    function show(open) {
      nav.classList.toggle("nav-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    PHONE.addEventListener("change", function () {
      show(false);
    });
    show(false);
  }

  // Lower case without accents, so "Sheather" finds "sheather" and "Lilliefors" finds "lilliefors".
  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function score(entry, terms) {
    var title = plain(entry.page + " " + entry.section);
    var body = plain(entry.text);
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var inTitle = title.indexOf(terms[i]) >= 0;
      var inBody = body.indexOf(terms[i]) >= 0;
      if (!inTitle && !inBody) {
        return 0;
      }
      total += (inTitle ? 5 : 0) + (inBody ? 1 : 0);
    }
    return total;
  }

  function snippet(text, term) {
    var at = plain(text).indexOf(term);
    var start = Math.max(0, at - SNIPPET_CHARS / 3);
    var cut = text.slice(start, start + SNIPPET_CHARS);
    return (start > 0 ? "…" : "") + cut + (start + SNIPPET_CHARS < text.length ? "…" : "");
  }

  function search() {
    var input = document.getElementById("site-search-input");
    var list = document.getElementById("site-search-results");
    var status = document.getElementById("site-search-status");
    var index = window.SITE_SEARCH_INDEX;
    if (!input || !list || !status || !Array.isArray(index)) {
      return;
    }
    input.closest("form").hidden = false;
    input.closest("form").addEventListener("submit", function (event) {
      event.preventDefault();
      var first = list.querySelector("a");
      if (first) {
        window.location.href = first.getAttribute("href");
      }
    });
    input.addEventListener("input", function () {
      var terms = plain(input.value).split(/\s+/).filter(function (t) { return t.length > 1; });
      list.textContent = "";
      if (!terms.length) {
        status.textContent = "";
        list.hidden = true;
        return;
      }
      var hits = index
        .map(function (entry) { return { entry: entry, score: score(entry, terms) }; })
        .filter(function (hit) { return hit.score > 0; })
        .sort(function (a, b) { return b.score - a.score; })
        .slice(0, MAX_RESULTS);
      hits.forEach(function (hit) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = hit.entry.href;
        var where = document.createElement("strong");
        where.textContent = hit.entry.page + (hit.entry.section ? " › " + hit.entry.section : "");
        var text = document.createElement("span");
        text.textContent = snippet(hit.entry.text, terms[0]);
        link.appendChild(where);
        link.appendChild(text);
        item.appendChild(link);
        list.appendChild(item);
      });
      list.hidden = hits.length === 0;
      status.textContent = hits.length ? hits.length + " sections found" : "Nothing found";
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        input.value = "";
        input.dispatchEvent(new Event("input"));
      }
    });
  }

  foldNavigation();
  search();
})();
