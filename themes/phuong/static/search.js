/* bantin: search on the page /tim-kiem/?q=…, entirely in the browser.
 *
 * Reads the index bantin writes under tim-kiem/ (see docs/search.md): the manifest, then for
 * each word of the query one shard per block of articles, then one small file per result shown.
 * Plain JavaScript (ES2017 at most), no framework, no build step. Text is put on the page with
 * textContent only, never as HTML.
 *
 * The text rules below (fold, toneKey, words, bucket) must give exactly what src/search.rs and
 * src/vietnamese.rs give: tests/search_vectors.json holds shared test vectors, checked in Rust
 * (tests/search.rs) and in Chromium (tests/search_browser.rs).
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------- text rules

  var MARK = (function () {
    try {
      return new RegExp('\\p{M}', 'u');
    } catch (e) {
      // Browsers before 2018: the combining blocks (Vietnamese needs only U+0300–U+036F).
      return /[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/;
    }
  })();
  // Rust's char::is_whitespace (Unicode White_Space).
  var WHITE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
  var IGNORABLE = ['\u00ad', '\u200b', '\u2060', '\ufeff'];
  var ASCII = /^[\x00-\x7f]*$/;
  var TONES = { '\u0300': '`', '\u0301': "'", '\u0309': '?', '\u0303': '~', '\u0323': '.' };
  var MAX_TERM_CHARS = 40;
  var MAX_QUERY_TERMS = 10;

  function isDStroke(c) {
    return c === '\u0111' || c === '\u0110' || c === '\u00f0' || c === '\u00d0';
  }

  /** vietnamese::fold: lowercase, no diacritics, đ → d, whitespace runs → one space. */
  function fold(s) {
    var out = '';
    var pending = false;
    function push(c) {
      if (WHITE.test(c)) {
        pending = out.length > 0;
      } else {
        if (pending) {
          out += ' ';
          pending = false;
        }
        out += c;
      }
    }
    if (ASCII.test(s)) {
      for (var i = 0; i < s.length; i++) push(s.charAt(i).toLowerCase());
      return out;
    }
    for (var c of s.normalize('NFD')) {
      if (MARK.test(c) || IGNORABLE.indexOf(c) >= 0) continue;
      if (isDStroke(c)) {
        push('d');
        continue;
      }
      // One character at a time, like Rust's char::to_lowercase (no final-sigma rule).
      for (var l of c.toLowerCase()) {
        if (!MARK.test(l)) push(l);
      }
    }
    return ASCII.test(out) ? out : out.normalize('NFC');
  }

  /** vietnamese::tone_key: the word's exact spelling, wherever its tone mark sits. */
  function toneKey(word) {
    var base = '';
    var tones = '';
    for (var c of word.normalize('NFD')) {
      if (IGNORABLE.indexOf(c) >= 0) continue;
      for (var l of c.toLowerCase()) {
        if (Object.prototype.hasOwnProperty.call(TONES, l)) tones += TONES[l];
        else if (l === '\u00f0') base += '\u0111';
        else base += l;
      }
    }
    return base.normalize('NFC') + tones;
  }

  /** search::is_separator, on a code point. */
  function isSeparator(cp) {
    if (cp < 0x80) {
      return !((cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122));
    }
    return (
      cp <= 0xbf ||
      cp === 0xd7 ||
      cp === 0xf7 ||
      cp === 0x1680 ||
      (cp >= 0x2000 && cp <= 0x206f) ||
      (cp >= 0x20a0 && cp <= 0x20cf) ||
      (cp >= 0x2100 && cp <= 0x2bff) ||
      (cp >= 0x3000 && cp <= 0x303f) ||
      (cp >= 0xe000 && cp <= 0xf8ff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      cp === 0xfeff ||
      (cp >= 0xff00 && cp <= 0xff0f) ||
      (cp >= 0xff1a && cp <= 0xff20) ||
      (cp >= 0xff3b && cp <= 0xff40) ||
      (cp >= 0xff5b && cp <= 0xff65) ||
      (cp >= 0xfff0 && cp <= 0xffff) ||
      (cp >= 0x1f000 && cp <= 0x1faff)
    );
  }

  /** The words of a text as [start, end) offsets (UTF-16), in order. */
  function wordSpans(text) {
    var spans = [];
    var start = -1;
    var i = 0;
    while (i < text.length) {
      var cp = text.codePointAt(i);
      var len = cp > 0xffff ? 2 : 1;
      if (isSeparator(cp)) {
        if (start >= 0) spans.push([start, i]);
        start = -1;
      } else if (start < 0) {
        start = i;
      }
      i += len;
    }
    if (start >= 0) spans.push([start, text.length]);
    return spans;
  }

  /** search::words */
  function words(text) {
    return wordSpans(text).map(function (s) {
      return text.slice(s[0], s[1]);
    });
  }

  /** search::Term::of */
  function term(word) {
    var folded = fold(word);
    if (!folded || Array.from(folded).length > MAX_TERM_CHARS) return null;
    return { folded: folded, key: toneKey(word) };
  }

  /** search::query_terms: one term per folded word, the first spelling typed. */
  function queryTerms(query) {
    var seen = Object.create(null);
    var out = [];
    words(query).forEach(function (w) {
      var t = term(w);
      if (t && !seen[t.folded] && out.length < MAX_QUERY_TERMS) {
        seen[t.folded] = true;
        out.push(t);
      }
    });
    return out;
  }

  /** search::bucket: FNV-1a (32 bits) of the UTF-8 bytes, modulo the number of buckets. */
  function bucket(folded, buckets) {
    var h = 0x811c9dc5;
    function add(b) {
      h = Math.imul((h ^ b) >>> 0, 0x01000193) >>> 0;
    }
    for (var c of folded) {
      var cp = c.codePointAt(0);
      if (cp < 0x80) {
        add(cp);
      } else if (cp < 0x800) {
        add(0xc0 | (cp >> 6));
        add(0x80 | (cp & 63));
      } else if (cp < 0x10000) {
        add(0xe0 | (cp >> 12));
        add(0x80 | ((cp >> 6) & 63));
        add(0x80 | (cp & 63));
      } else {
        add(0xf0 | (cp >> 18));
        add(0x80 | ((cp >> 12) & 63));
        add(0x80 | ((cp >> 6) & 63));
        add(0x80 | (cp & 63));
      }
    }
    return h % buckets;
  }

  var WEEKDAYS = ['Chủ Nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'];

  /** The date_vi filter of the theme, on an ISO date. */
  function formatDate(iso, style) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
    if (!m) return iso || '';
    var y = +m[1];
    var mo = +m[2];
    var d = +m[3];
    var short = m[3] + '/' + m[2] + '/' + y;
    var weekday = WEEKDAYS[new Date(Date.UTC(y, mo - 1, d)).getUTCDay()];
    switch (style) {
      case 'full':
        return weekday + ', ' + short;
      case 'long':
        return 'ngày ' + d + ' tháng ' + mo + ' năm ' + y;
      case 'weekday':
        return weekday;
      case 'month_year':
        return 'Tháng ' + mo + '/' + y;
      default:
        return short;
    }
  }

  // ---------------------------------------------------------------- the index

  var loaded = Object.create(null);

  /** GET a JSON file once (XMLHttpRequest: works in every browser that runs this file). */
  function getJSON(url) {
    if (!loaded[url]) {
      loaded[url] = new Promise(function (resolve, reject) {
        var x = new XMLHttpRequest();
        x.open('GET', url);
        x.onload = function () {
          if (x.status >= 200 && x.status < 300) {
            try {
              resolve(JSON.parse(x.responseText));
            } catch (e) {
              reject(e);
            }
          } else {
            reject(new Error(url + ': ' + x.status));
          }
        };
        x.onerror = function () {
          reject(new Error(url));
        };
        x.send();
      });
    }
    return loaded[url];
  }

  function shardUrl(m, block, k) {
    return m.shard.replace('{block}', block).replace('{bucket}', k) + '?v=' + m.versions[block];
  }

  function docUrl(m, doc) {
    return m.doc.replace('{doc}', doc) + '?v=' + m.versions[Math.floor(doc / m.block)];
  }

  /** search::Reader::search: same ranking. Resolves to {terms, hits, complete}. */
  function search(m, query) {
    var terms = queryTerms(query);
    var jobs = [];
    terms.forEach(function (t, i) {
      var k = bucket(t.folded, m.buckets);
      for (var b = 0; b < m.versions.length; b++) {
        jobs.push({ term: i, block: b, url: shardUrl(m, b, k) });
      }
    });
    return Promise.all(
      jobs.map(function (j) {
        return getJSON(j.url);
      })
    ).then(function (shards) {
      var found = Object.create(null);
      jobs.forEach(function (j, n) {
        var t = terms[j.term];
        var spellings = Object.prototype.hasOwnProperty.call(shards[n], t.folded)
          ? shards[n][t.folded]
          : null;
        if (!spellings) return;
        Object.keys(spellings).forEach(function (key) {
          var exact = t.key !== t.folded && key === t.key;
          var doc = j.block * m.block;
          spellings[key].forEach(function (p) {
            doc += Math.floor(p / 4);
            var slot = found[doc] || (found[doc] = { doc: doc, bits: [], exact: [] });
            slot.bits[j.term] = (slot.bits[j.term] || 0) | p % 4;
            slot.exact[j.term] = slot.exact[j.term] || exact;
          });
        });
      });
      var hits = Object.keys(found).map(function (d) {
        var f = found[d];
        var hit = { doc: f.doc, matched: 0, exact: 0, weight: 0 };
        for (var i = 0; i < terms.length; i++) {
          var bits = f.bits[i] || 0;
          if (bits) hit.matched++;
          if (f.exact[i]) hit.exact++;
          hit.weight += (bits & 2 ? 4 : 0) + (bits & 1);
        }
        return hit;
      });
      hits.sort(function (a, b) {
        return b.matched - a.matched || b.exact - a.exact || b.weight - a.weight || b.doc - a.doc;
      });
      var complete = hits.length > 0 && hits[0].matched === terms.length;
      if (complete) {
        hits = hits.filter(function (h) {
          return h.matched === terms.length;
        });
      }
      return { terms: terms, hits: hits, complete: complete };
    });
  }

  // ---------------------------------------------------------------- showing results

  var PAGE = 10;
  var SNIPPET_WORDS = 32;

  /** Append `text[from, to)` to `el`, with the words whose folded form is in `folds` in <mark>. */
  function appendMarked(el, text, spans, folds, from, to) {
    var at = from;
    spans.forEach(function (s) {
      if (s[0] < from || s[1] > to || !folds[fold(text.slice(s[0], s[1]))]) return;
      if (s[0] > at) el.appendChild(document.createTextNode(text.slice(at, s[0])));
      var mark = document.createElement('mark');
      mark.textContent = text.slice(s[0], s[1]);
      el.appendChild(mark);
      at = s[1];
    });
    if (to > at) el.appendChild(document.createTextNode(text.slice(at, to)));
  }

  /** A few words of `text` around the place holding the most query words, marked. */
  function snippet(el, text, folds) {
    var spans = wordSpans(text);
    var hits = [];
    spans.forEach(function (s, i) {
      var f = fold(text.slice(s[0], s[1]));
      if (folds[f]) hits.push({ i: i, f: f });
    });
    var first = 0;
    var best = -1;
    hits.forEach(function (h) {
      var start = Math.max(0, h.i - 6);
      var distinct = Object.create(null);
      var count = 0;
      hits.forEach(function (o) {
        if (o.i >= start && o.i < start + SNIPPET_WORDS && !distinct[o.f]) {
          distinct[o.f] = true;
          count++;
        }
      });
      if (count > best) {
        best = count;
        first = start;
      }
    });
    var last = Math.min(spans.length, first + SNIPPET_WORDS);
    if (!spans.length) return;
    var from = first > 0 ? spans[first][0] : 0;
    var to = last < spans.length ? spans[last - 1][1] : text.length;
    if (first > 0) el.appendChild(document.createTextNode('… '));
    appendMarked(el, text, spans, folds, from, to);
    if (last < spans.length) el.appendChild(document.createTextNode(' …'));
  }

  function param(name) {
    var parts = window.location.search.replace(/^\?/, '').split('&');
    for (var i = 0; i < parts.length; i++) {
      var kv = parts[i].split('=');
      if (decode(kv[0]) === name) return decode(kv.slice(1).join('='));
    }
    return '';
  }

  function decode(s) {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch (e) {
      return s;
    }
  }

  function start() {
    var box = document.getElementById('ket-qua');
    if (!box || !box.getAttribute('data-index')) return;
    var statusEl = box.querySelector('.search-status');
    var list = box.querySelector('.search-list');
    var input = document.getElementById('tu-khoa');
    var dateStyle = box.getAttribute('data-date-format') || 'short';
    var query = param('q').trim();
    if (input) input.defaultValue = query;
    function status(text) {
      statusEl.textContent = text;
    }
    if (!query) {
      status('Nhập từ khóa vào ô trên rồi bấm «Tìm». Gõ có dấu hay không dấu đều được, ví dụ: «hội nghị» hoặc «hoi nghi».');
      return;
    }
    if (window.location.protocol === 'file:') {
      status('Trang đang được mở trực tiếp từ tệp trên máy nên không tìm kiếm được. Hãy xem trang qua máy chủ web (ví dụ: bantin serve).');
      return;
    }
    document.title = '«' + query + '» – ' + document.title;
    status('Đang tìm «' + query + '»…');
    var manifest;
    var results;
    var shown = 0;
    var folds = Object.create(null);
    var more = document.createElement('button');
    more.type = 'button';
    more.className = 'button search-more';
    more.textContent = 'Xem thêm kết quả';
    more.addEventListener('click', showMore);

    function item(hit) {
      var li = document.createElement('li');
      li.className = 'item';
      var body = document.createElement('div');
      body.className = 'item-body';
      li.appendChild(body);
      list.appendChild(li);
      return getJSON(docUrl(manifest, hit.doc)).then(function (doc) {
        var h = document.createElement('h2');
        h.className = 'item-title';
        var a = document.createElement('a');
        a.href = doc.u;
        appendMarked(a, doc.t, wordSpans(doc.t), folds, 0, doc.t.length);
        h.appendChild(a);
        body.appendChild(h);
        var meta = document.createElement('p');
        meta.className = 'meta';
        var time = document.createElement('time');
        time.setAttribute('datetime', doc.d);
        time.textContent = formatDate(doc.d, dateStyle);
        meta.appendChild(time);
        if (doc.b) {
          var badge = document.createElement('span');
          badge.className = 'badge badge-draft';
          badge.textContent = 'Bản nháp';
          meta.appendChild(document.createTextNode(' '));
          meta.appendChild(badge);
        }
        body.appendChild(meta);
        var p = document.createElement('p');
        p.className = 'summary snippet';
        snippet(p, doc.x || '', folds);
        body.appendChild(p);
      });
    }

    function showMore() {
      var page = results.hits.slice(shown, shown + PAGE);
      shown += page.length;
      if (more.parentNode) more.parentNode.removeChild(more);
      return Promise.all(page.map(item)).then(function () {
        if (shown < results.hits.length) box.appendChild(more);
        box.setAttribute('data-state', 'done');
      }, failed);
    }

    function failed() {
      box.setAttribute('data-state', 'error');
      status('Không tải được dữ liệu tìm kiếm. Vui lòng kiểm tra kết nối mạng rồi thử lại.');
    }

    getJSON(box.getAttribute('data-index'))
      .then(function (m) {
        manifest = m;
        return search(m, query);
      })
      .then(function (r) {
        results = r;
        r.terms.forEach(function (t) {
          folds[t.folded] = true;
        });
        var n = r.hits.length;
        if (!r.terms.length) {
          status('Từ khóa «' + query + '» không có chữ hay số nào để tìm.');
        } else if (!n) {
          status('Không tìm thấy bài viết nào có «' + query + '». Hãy thử từ khóa khác, ít từ hơn, hoặc kiểm tra chính tả.');
        } else if (r.complete) {
          status('Tìm thấy ' + n + ' bài viết có «' + query + '».');
        } else {
          status('Không có bài viết nào có đủ các từ «' + query + '». Dưới đây là ' + n + ' bài viết có một phần các từ đó.');
        }
        if (!n) {
          box.setAttribute('data-state', 'done');
          return null;
        }
        return showMore();
      })
      .catch(failed);
  }

  // For tests and for themes that build their own page.
  window.bantinSearch = {
    fold: fold,
    toneKey: toneKey,
    words: words,
    term: term,
    queryTerms: queryTerms,
    bucket: bucket,
    formatDate: formatDate,
    search: function (indexUrl, query) {
      return getJSON(indexUrl).then(function (m) {
        return search(m, query);
      });
    }
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
