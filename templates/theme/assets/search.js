// The search page: a query box over Pagefind's JavaScript API.
// The index holds every Han character as a word of its own (generator/search.py);
// the query is cut the same way, and a result is kept only when its text holds
// each Chinese term as written. Results are built as DOM nodes, never as HTML.
(function () {
  "use strict";
  var root = document.getElementById("search-ui");
  if (!root) return;
  var labels = root.dataset;
  var hasUnspaced = new RegExp("[" + labels.unspaced + "]", "u");
  var dashes = new RegExp("([" + labels.dashes + "])", "gu");
  var PAGE = 10;

  // The query cut as the index is (generator/search.py): every Han character a word of its own.
  var unspacedOrMark = new RegExp("([" + labels.unspaced + labels.punctuation + "])", "gu");
  function segment(text) {
    return text.replace(unspacedOrMark, " $1 ").replace(dashes, " $1 ").replace(/\s+/g, " ").trim();
  }
  // The indexed text as it was written, near enough: Pagefind keeps the cuts as spaces, so the
  // spaces between two Chinese characters or punctuation marks and around a dash go.
  var between = new RegExp("(?<=[" + labels.unspaced + "]) (?=[^\\p{L}\\p{N}\\s]|[" + labels.unspaced + "])" +
    "|(?<=[^\\p{L}\\p{N}\\s]) (?=[" + labels.unspaced + "])| (?=[" + labels.punctuation + "])|(?<=[" + labels.punctuation + "]) ", "gu");
  var aroundDash = new RegExp(" ?([" + labels.dashes + "]) ?", "gu");
  // Pagefind also joins a page's blocks with ". ", which after Chinese reads as a stray full stop.
  var blockStop = new RegExp("(?<=[" + labels.unspaced + labels.punctuation + "])\\. ", "gu");
  function unsegment(text) {
    return text.replace(blockStop, " ").replace(between, "").replace(aroundDash, "$1");
  }
  // For matching: no spaces next to a Han character ("2024 年" is "2024年"), case folded.
  var nextToHan = new RegExp("\\s*([" + labels.unspaced + "])\\s*", "gu");
  var anyDash = new RegExp("[" + labels.dashes + "]", "gu");
  var isDash = new RegExp("^[" + labels.dashes + "]$", "u");
  function squash(text) {
    return text.replace(anyDash, "\u2013").replace(nextToHan, "$1").toLowerCase();
  }
  // A query's words: words apart are apart ("俄羅斯 中國"), but "2024 年" is one word; quotes a
  // reader puts around a phrase go, as the page's text has none.
  var hanLatin = new RegExp("(?<=[" + labels.unspaced + "])\\s+(?=[^\\s" + labels.unspaced + "])|(?<=[^\\s" + labels.unspaced + "])\\s+(?=[" + labels.unspaced + "])", "gu");
  var quotes = /["“”'‘’「」『』]/g;
  function words(query) {
    return query.replace(quotes, " ").trim().replace(hanLatin, "").split(/\s+/).filter(Boolean);
  }
  // A word with Chinese in it must be in the page as written; a Latin word must begin a word of the
  // page with its first letters (Pagefind also matches other forms and near spellings, and too freely: "zzzz").
  function terms(query) {
    var found = [];
    words(query).forEach(function (term) {
      if (hasUnspaced.test(term)) { found.push({ han: true, text: squash(term) }); return; }
      term.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean).forEach(function (word) {
        found.push({ han: false, text: word.slice(0, Math.max(3, word.length - 3)) });
      });
    });
    return found;
  }
  function holdsAll(text, wanted) {
    var squashed = squash(text);
    var pageWords = " " + text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ");
    return wanted.every(function (term) {
      return term.han ? squashed.indexOf(term.text) !== -1 : pageWords.indexOf(" " + term.text) !== -1;
    });
  }

  var bundle = new URL(labels.bundle, document.baseURI);
  var siteRoot = new URL("../", bundle);
  var pagefind = null;
  function load() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind.js", bundle).href).then(function (module) {
        return module.options({ excerptLength: 30 }).then(function () { return module; });
      });
    }
    return pagefind;
  }

  // Every page that holds the query, best first, as {url, title, text}; pages are read
  // from the index only as far as `limit` kept results (all of them with no limit).
  function find(query, limit) {
    var segmented = segment(query);
    if (!segmented) return Promise.resolve({ results: [], more: false });
    var wanted = terms(query);
    return load().then(function (module) { return module.search(segmented); }).then(function (search) {
      var kept = [];
      var candidates = search.results;
      var position = 0;
      function next() {
        if (position >= candidates.length || (limit && kept.length >= limit)) {
          return { results: ranked(kept, query), more: position < candidates.length };
        }
        var batch = candidates.slice(position, position + PAGE);
        position += batch.length;
        return Promise.all(batch.map(function (result) { return result.data(); })).then(function (pages) {
          pages.forEach(function (data) {
            if (holdsAll(data.content, wanted)) {
              var address = new URL(data.url, location.origin);
              if (address.origin !== siteRoot.origin || !address.pathname.startsWith(siteRoot.pathname)) return;
              kept.push({ url: address.href,
                          title: (data.meta && data.meta.title) || data.url,
                          subject: (data.meta && data.meta.subject) || "",
                          text: unsegment(data.content) });
            }
          });
          return next();
        });
      }
      return next();
    });
  }
  // Pages whose subject (a dyad page's actors) names every word of the query come first, then pages
  // whose title does; otherwise Pagefind's order stands.
  function ranked(results, query) {
    var wanted = words(query).map(squash);
    function names(text) {
      var squashed = squash(text);
      return wanted.every(function (word) { return squashed.indexOf(word) !== -1; });
    }
    function rank(result) { return names(result.subject) ? 0 : names(result.title) ? 1 : 2; }
    return results.map(function (result, order) { return [rank(result), order, result]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
      .map(function (entry) { return entry[2]; });
  }
  // For tests and for readers' scripts: every page found for a query, best first.
  window.briefingSearch = function (query) {
    return find(query, 0).then(function (found) {
      return found.results.map(function (result) { return new URL(result.url).pathname; });
    });
  };

  // A word as it may stand in the text: any spacing between its characters, any dash for a dash.
  function pattern(term) {
    return new RegExp(Array.from(term).map(function (character) {
      return isDash.test(character) ? "[" + labels.dashes + "]"
        : character.replace(/[.*+?^${}()|[\]\\\/-]/g, "\\$&");
    }).join("\\s*"), "iu");
  }
  // The sentence (or clause) that holds the first match, cut at a word or character boundary.
  function excerpt(text, query) {
    var at = -1;
    var length = 0;
    words(query).forEach(function (word) {
      var found = pattern(word).exec(text);
      if (found && (at === -1 || found.index < at)) { at = found.index; length = found[0].length; }
    });
    var limit = Number(labels.excerptLength);
    if (at === -1) return { before: text.slice(0, limit), match: "", after: "", cut: text.length > limit };
    var start = Math.max(0, text.lastIndexOf("\n", at) + 1);
    var stops = /[。！？；.!?;]\s?/g;
    stops.lastIndex = start;
    var stop;
    while ((stop = stops.exec(text)) && stop.index + stop[0].length <= at - limit / 2) start = stop.index + stop[0].length;
    var end = Math.min(text.length, start + limit);
    if (end < at + length) { start = at - Math.floor(limit / 3); end = Math.min(text.length, start + limit); }
    var sentenceEnd = text.slice(at + length, end + limit / 2).search(/[。！？.!?]/);
    if (sentenceEnd !== -1 && at + length + sentenceEnd + 1 <= start + limit * 1.5) end = at + length + sentenceEnd + 1;
    // Never end inside a Latin word.
    while (end < text.length && /\w/.test(text[end]) && /\w/.test(text[end - 1]) && end > at + length) end -= 1;
    while (start > 0 && /\w/.test(text[start]) && /\w/.test(text[start - 1]) && start < at) start += 1;
    return { lead: start > 0, before: text.slice(start, at), match: text.slice(at, at + length),
             after: text.slice(at + length, end), cut: end < text.length };
  }

  // The box is made here, not in the page: no published page holds a form control of its own.
  var box = root.querySelector(".search-form");
  var label = document.createElement("label");
  label.htmlFor = "search-input";
  label.textContent = box.dataset.label;
  var input = document.createElement("input");
  input.id = "search-input";
  input.type = "search";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.setAttribute("enterkeyhint", "search");
  box.appendChild(label);
  box.appendChild(input);
  var status = root.querySelector(".search-status");
  var list = root.querySelector(".search-results");
  var more = root.querySelector(".search-more");
  var current = null;
  var shown = 0;

  function render(found, query) {
    found.results.slice(shown).forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.url;
      link.textContent = result.title;
      var heading = document.createElement("p");
      heading.className = "search-result-title";
      heading.appendChild(link);
      var cut = excerpt(result.text, query);
      var text = document.createElement("p");
      text.className = "search-result-excerpt";
      text.appendChild(document.createTextNode((cut.lead ? labels.ellipsis : "") + cut.before));
      if (cut.match) {
        var mark = document.createElement("mark");
        mark.textContent = cut.match;
        text.appendChild(mark);
      }
      text.appendChild(document.createTextNode(cut.after + (cut.cut ? labels.ellipsis : "")));
      item.appendChild(heading);
      item.appendChild(text);
      list.appendChild(item);
    });
    shown = found.results.length;
    status.textContent = found.results.length === 0
      ? labels.none.replace("{query}", function () { return query; })
      : (found.more ? labels.some : labels.count).replace("{count}", String(found.results.length));
    more.hidden = !found.more;
  }

  function run(query, limit) {
    var request = {};
    current = request;
    if (limit === PAGE) { list.textContent = ""; shown = 0; }
    if (!query.trim()) { status.textContent = ""; more.hidden = true; return; }
    status.textContent = labels.loading;
    find(query, limit).then(function (found) {
      if (current !== request) return;  // a newer query is on its way
      render(found, query.trim());
    }, function () {
      if (current === request) status.textContent = labels.hint;
    });
  }

  if (location.protocol === "file:") {
    var hint = document.getElementById("search-hint");
    if (hint) hint.hidden = false;
    root.hidden = true;
    return;
  }
  root.hidden = false;
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = new URL(location.href);
      if (input.value) url.searchParams.set("q", input.value); else url.searchParams.delete("q");
      history.replaceState(null, "", url);
      run(input.value, PAGE);
    }, 150);
  });
  more.addEventListener("click", function () { run(input.value, shown + PAGE); });
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) { input.value = initial; run(initial, PAGE); }
})();
