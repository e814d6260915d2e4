/* Archive search over the Pagefind index built by generator/search.py.
 *
 * The index holds folded text (one script, see generator.search) cut into Han bigrams, so a
 * query is folded with the build's fold table and cut the same way before Pagefind sees it.
 * Results are shown in the script of this page, from the record file of each result
 * (pagefind/<shard>/r/<id>.json: title, URL, tags and text in both scripts), which is kept
 * out of Pagefind's own metadata because Pagefind would index it all as words.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-search]");
  if (!root || !window.Promise || !("noModule" in document.createElement("script"))) return;

  var HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{3134f}";
  // the same split as search_tokens() in generator/search.py
  var TOKEN = new RegExp("([" + HAN + "]+)|((?:(?![" + HAN + "])[\\p{L}\\p{N}])+)", "gu");
  var PAGE = 10;
  var EXCERPT = 90;
  var TIE_LIMIT = 50;

  var base = root.getAttribute("data-base") || "/";
  var script = root.getAttribute("data-script") || "hant";
  var form = root.querySelector("form");
  var input = root.querySelector("input[type=search]");
  var tagSelect = root.querySelector("select[name=tag]");
  var yearSelect = root.querySelector("select[name=year]");
  // only where the archive has companies.yml
  var companySelect = root.querySelector("select[name=company]");
  var panel = root.querySelector(".search-panel");
  var status = root.querySelector(".search-status");
  var list = root.querySelector(".search-results");
  var more = root.querySelector(".search-more");

  var engine = null;   // Promise of {pf, data}
  var serial = 0;      // number of the latest search; older answers are dropped
  var timer = 0;
  var current = null;  // {results, shown, needles}

  root.hidden = false;
  panel.hidden = true;
  more.textContent = root.getAttribute("data-text-more");

  /* ------------------------------------------------------------------ folding */

  function codePoints(s) { return Array.from(s); }

  /* Fold like Converter.fold: NFKC, lower case, then phrases (longest first) and characters.
   * Returns the pieces per code point of the input so matches map back to the original. */
  function foldPieces(text, data) {
    var cps = codePoints(text);
    var pieces = new Array(cps.length);
    var longest = data.longest;
    for (var i = 0; i < cps.length;) {
      var done = false;
      for (var n = Math.min(longest, cps.length - i); n >= 2 && !done; n--) {
        var folded = data.phrases[cps.slice(i, i + n).join("")];
        if (folded !== undefined) {
          var out = codePoints(folded);
          for (var k = 0; k < n; k++) {
            // a phrase of another length folds as a whole onto its first character
            pieces[i + k] = out.length === n ? out[k] : (k === 0 ? folded : "");
          }
          i += n;
          done = true;
        }
      }
      if (!done) {
        var c = cps[i].normalize("NFKC").toLowerCase();
        pieces[i] = data.chars[cps[i]] !== undefined ? data.chars[cps[i]] : (data.chars[c] !== undefined ? data.chars[c] : c);
        i += 1;
      }
    }
    return {cps: cps, pieces: pieces};
  }

  function fold(text, data) { return foldPieces(text, data).pieces.join(""); }

  /* Han runs as overlapping bigrams (a lone character as itself), other words whole. */
  function tokens(folded) {
    var out = [];
    folded.replace(TOKEN, function (run, han) {
      if (han && codePoints(han).length > 1) {
        var cps = codePoints(han);
        for (var i = 0; i < cps.length - 1; i++) out.push(cps[i] + cps[i + 1]);
      } else {
        out.push(run);
      }
      return run;
    });
    return out;
  }

  /* What to highlight: each folded word of the query, with its bigrams as a fallback
   * for texts where the whole word does not occur (Pagefind matched the bigrams). */
  function needles(folded) {
    var out = [];
    folded.replace(TOKEN, function (run, han) {
      out.push({word: run, parts: han ? tokens(han).filter(function (t) { return t !== run; }) : []});
      return run;
    });
    return out;
  }

  /* ------------------------------------------------------------------ Pagefind */

  function load() {
    if (engine) return engine;
    engine = fetch(base + "pagefind/newsarchive-search.json").then(function (r) {
      if (!r.ok) throw new Error("search data " + r.status);
      return r.json();
    }).then(function (d) {
      var data = {chars: {}, phrases: {}, tags: d.tags, companies: d.companies || {}, longest: 0};
      d.shards.forEach(function (shard) {
        Object.assign(data.chars, shard.chars);
        Object.assign(data.phrases, shard.phrases);
      });
      data.longest = Object.keys(data.phrases).reduce(function (m, p) { return Math.max(m, codePoints(p).length); }, 0);
      return openShards(d.shards.map(function (shard) { return shard.name; })).then(function (pf) {
        if (pf) fillFilters(pf, data);  // an archive without articles has no index
        return {pf: pf, data: data};
      });
    });
    engine.catch(function () { engine = null; });
    return engine;
  }

  /* Pagefind over every shard: the first is the primary index, the others are merged in. */
  function openShards(names) {
    if (!names.length) return Promise.resolve(null);
    return import(base + "pagefind/" + names[0] + "/pagefind.js").then(function (pf) {
      // Pagefind segments queries by <html lang> (Intl.Segmenter for zh); ours arrive
      // already cut into tokens, so it must initialise under an undetermined language.
      var html = document.documentElement;
      var lang = html.getAttribute("lang");
      html.setAttribute("lang", "und");
      try { pf.init(); } finally { html.setAttribute("lang", lang); }
      return Promise.all(names.slice(1).map(function (name) {
        return pf.mergeIndex(base + "pagefind/" + name + "/", {language: "und"});
      })).then(function () { return pf; });
    });
  }

  function fillFilters(pf, data) {
    return pf.filters().then(function (f) {
      var tags = Object.keys(f.tag || {}).sort(function (a, b) {
        return (f.tag[b] - f.tag[a]) || (a < b ? -1 : a > b ? 1 : 0);
      });
      tags.forEach(function (key) {
        var names = data.tags[key] || {};
        addOption(tagSelect, key, (names[script] || key) + " (" + f.tag[key] + ")");
      });
      if (companySelect) {
        var companies = data.companies || {};
        Object.keys(f.company || {}).sort(function (a, b) {
          return (f.company[b] - f.company[a]) || (a < b ? -1 : a > b ? 1 : 0);
        }).forEach(function (id) {
          var names = companies[id] || {};
          addOption(companySelect, id, (names[script] || id) + " (" + f.company[id] + ")");
        });
      }
      Object.keys(f.year || {}).sort().reverse().forEach(function (y) {
        addOption(yearSelect, y, y + " (" + f.year[y] + ")");
      });
    });
  }

  function addOption(select, value, label) {
    if (select.querySelector('option[value="' + value.replace(/["\\]/g, "") + '"]')) return;
    var option = document.createElement("option");
    option.value = value;
    option.textContent = label;
    select.appendChild(option);
  }

  /* The next page of results from `from`: relevance first, equal scores newest first. A page
   * grows to take in every result tied with its last one, so no tie is split across pages.
   * Without terms Pagefind lists by date, but merges shards by their own positions: each
   * page is put in date order (exact with one shard, near enough with hashed shards). */
  function rank(results, from, withTerms) {
    var end = Math.min(results.length, from + PAGE);
    if (withTerms && end > from) {
      var cutoff = results[end - 1].score;
      while (end < results.length && end - from < TIE_LIMIT && results[end].score === cutoff) end++;
    }
    return Promise.all(results.slice(from, end).map(function (r) {
      return r.data().then(function (d) {
        return record(d.meta.r).then(function (view) { return {score: r.score, data: d, view: view}; });
      });
    })).then(function (items) {
      return items.sort(function (a, b) {
        var score = withTerms ? b.score - a.score : 0;
        return score || cmp(b.data.meta.date, a.data.meta.date) || cmp(a.data.url, b.data.url);
      });
    });
  }

  /* The record file named by a result's meta `r` ("<shard>/<id>"): gzip'd JSON, unless the
   * server already undid the gzip (some send .gz files with Content-Encoding). */
  function record(ref) {
    var at = (ref || "").lastIndexOf("/");
    var url = base + "pagefind/" + ref.slice(0, at) + "/r/" + ref.slice(at + 1) + ".json.gz";
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error("search record " + r.status);
      return r.arrayBuffer();
    }).then(function (buf) {
      var bytes = new Uint8Array(buf);
      if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return JSON.parse(new TextDecoder().decode(bytes));
      return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).json();
    });
  }

  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  function search() {
    var query = input.value.trim();
    var filters = {};
    if (tagSelect.value) filters.tag = [tagSelect.value];
    if (yearSelect.value) filters.year = [yearSelect.value];
    var company = companySelect ? companySelect.value : "";
    if (company) filters.company = [company];
    var id = ++serial;
    if (!query && !tagSelect.value && !yearSelect.value && !company) { clearResults(); return; }
    list.setAttribute("aria-busy", "true");
    load().then(function (e) {
      var folded = fold(query, e.data);
      var terms = tokens(folded).join(" ");
      if (!e.pf || (query && !terms)) return {results: []};
      var options = terms ? {filters: filters} : {filters: filters, sort: {date: "desc"}};
      return e.pf.search(terms || null, options).then(function (found) {
        current = {results: found.results, shown: 0, needles: needles(folded), terms: !!terms, data: e.data};
        return found;
      });
    }).then(function (found) {
      if (id !== serial) return;
      if (!found.results.length) {
        current = null;
        showStatus(root.getAttribute("data-text-none"));
        list.innerHTML = "";
        more.hidden = true;
        list.setAttribute("aria-busy", "false");
        return;
      }
      list.innerHTML = "";
      return showMore(id);
    }).catch(function (err) {
      if (id !== serial) return;
      showStatus(root.getAttribute("data-text-error"));
      list.setAttribute("aria-busy", "false");
      if (window.console) console.error(err);
    });
  }

  function showMore(id) {
    var state = current;
    return rank(state.results, state.shown, state.terms).then(function (items) {
      if (id !== serial || state !== current) return;
      items.forEach(function (item) { list.appendChild(renderItem(item.view, state)); });
      state.shown += items.length;
      showStatus(root.getAttribute("data-text-count").replace("{n}", state.results.length));
      more.hidden = state.shown >= state.results.length;
      list.setAttribute("aria-busy", "false");
    });
  }

  function showStatus(text) {
    panel.hidden = false;
    status.textContent = text;
  }

  function clearResults() {
    serial++;
    current = null;
    list.innerHTML = "";
    status.textContent = "";
    more.hidden = true;
    panel.hidden = true;
    list.setAttribute("aria-busy", "false");
  }

  /* ------------------------------------------------------------------ rendering */

  function renderItem(view, state) {
    var m = view[script];
    var li = document.createElement("li");
    li.className = "search-result";
    var a = document.createElement("a");
    a.className = "search-result-title";
    a.href = base + m.url;
    a.innerHTML = highlight(m.title, state, 0);
    li.appendChild(a);
    var info = document.createElement("p");
    info.className = "search-result-info";
    var time = document.createElement("time");
    time.dateTime = view.date;
    time.textContent = view.date_text;
    info.appendChild(time);
    (m.tags || []).forEach(function (tag) {
      var t = document.createElement("a");
      t.className = "search-result-tag";
      t.href = base + tag[1];
      t.textContent = tag[0];
      info.appendChild(document.createTextNode(" "));
      info.appendChild(t);
    });
    li.appendChild(info);
    var p = document.createElement("p");
    p.className = "search-result-excerpt";
    p.innerHTML = highlight(m.text || "", state, EXCERPT);
    li.appendChild(p);
    return li;
  }

  /* HTML of `text` with the search's needles marked; with `width`, a window around the first mark. */
  function highlight(text, state, width) {
    var f = foldPieces(text.replace(/\s+/g, " "), state.data);
    var owner = [];    // folded code unit -> original code point index
    var folded = "";
    f.pieces.forEach(function (piece, i) {
      for (var k = 0; k < piece.length; k++) owner.push(i);
      folded += piece;
    });
    var marked = new Array(f.cps.length);
    var first = -1;
    function mark(needle) {
      var found = false;
      for (var at = folded.indexOf(needle); at !== -1; at = folded.indexOf(needle, at + needle.length)) {
        var start = owner[at], end = owner[at + needle.length - 1];
        for (var i = start; i <= end; i++) marked[i] = true;
        if (first === -1 || start < first) first = start;
        found = true;
      }
      return found;
    }
    state.needles.forEach(function (needle) {
      if (!mark(needle.word)) needle.parts.forEach(mark);
    });
    var from = 0, to = f.cps.length;
    if (width) {
      from = Math.max(0, (first === -1 ? 0 : first) - Math.floor(width / 4));
      to = Math.min(f.cps.length, from + width);
    }
    var html = from > 0 ? "…" : "";
    var open = false;
    for (var i = from; i < to; i++) {
      if (marked[i] && !open) { html += "<mark>"; open = true; }
      if (!marked[i] && open) { html += "</mark>"; open = false; }
      html += escapeHtml(f.cps[i]);
    }
    if (open) html += "</mark>";
    return html + (to < f.cps.length ? "…" : "");
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  /* ------------------------------------------------------------------ events */

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(search, 120);
  }

  function resultLinks() { return Array.prototype.slice.call(list.querySelectorAll(".search-result-title")); }

  function reset() {
    input.value = "";
    tagSelect.value = "";
    yearSelect.value = "";
    if (companySelect) companySelect.value = "";
    clearResults();
    input.focus();
  }

  // fetch the index and the fold table as soon as the reader comes near the box
  root.addEventListener("focusin", function () { load().catch(function () {}); });
  input.addEventListener("input", schedule);
  tagSelect.addEventListener("change", search);
  yearSelect.addEventListener("change", search);
  if (companySelect) companySelect.addEventListener("change", search);
  form.addEventListener("submit", function (ev) { ev.preventDefault(); clearTimeout(timer); search(); });
  more.addEventListener("click", function () { if (current) showMore(serial); });
  root.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      ev.preventDefault();
      reset();
      return;
    }
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
    var links = resultLinks();
    var at = links.indexOf(document.activeElement);
    if (ev.target === input && ev.key === "ArrowDown" && links.length) {
      ev.preventDefault();
      links[0].focus();
    } else if (at !== -1) {
      ev.preventDefault();
      var next = at + (ev.key === "ArrowDown" ? 1 : -1);
      if (next < 0) input.focus(); else if (next < links.length) links[next].focus();
    }
  });

  // expose the folding for tests and for readers' bookmarklets; nothing else is global
  window.newsarchiveSearch = {
    fold: function (s) { return load().then(function (e) { return fold(s, e.data); }); },
    tokens: tokens
  };
})();
