/* qbank quiz player — plays a qbank quiz (format v1) in one offline page.
 *
 * `qbank export html` inlines this file, player.css and the quiz data into player.html.
 * Edit these files to restyle or change the player; keep the grading rules in step with
 * src/qbank/grade.py (the tests check that both give the same scores).
 *
 * Safety: author text only ever reaches the page through `textContent` (plain text) or
 * as the exporter's pre-escaped, sanitised `html` fields (qbank's markdown renderer with raw
 * HTML off). Nothing here builds markup from author strings.
 */
(function () {
  "use strict";

  var root = document.getElementById("qb-app");
  var dataNode = document.getElementById("qbank-data");
  if (!root || !dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var quiz = data.quiz;
  var settings = data.settings || {};
  var feedbackMode = settings.feedback === "end" ? "end" : "immediate";

  /* ------------------------------------------------------------ translation */
  /* data.i18n holds this page's language's text for each English message (written by
     `qbank export html` from qbank's gettext catalogs); plural messages map CLDR plural
     categories to texts, picked with Intl.PluralRules. Placeholders are {name}. */

  var i18n = data.i18n || {};
  var lang = document.documentElement.lang || "en";
  var pluralRules = null;
  try {
    pluralRules = new Intl.PluralRules(lang);
  } catch (e) {
    pluralRules = new Intl.PluralRules("en");
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : m;
    });
  }

  function gettext(message, values) {
    var t = i18n[message];
    return fill(typeof t === "string" && t ? t : message, values);
  }

  function ngettext(singular, plural, n, values) {
    var forms = i18n[singular];
    var t = null;
    if (forms && typeof forms === "object") {
      /* a category the catalog has no sample for (e.g. Polish fractions): its last form */
      var keys = Object.keys(forms);
      t = forms[pluralRules.select(n)] || forms.other || (keys.length ? forms[keys[keys.length - 1]] : null);
    }
    var vals = Object.assign({ n: formatNumber(n) }, values || {});
    return fill(t || (n === 1 ? singular : plural), vals);
  }

  /* Numbers as the page's language writes them (a decimal comma where that is the norm). */
  var decimalComma = !!settings.decimalComma;
  function formatNumber(n) {
    var text = String(Math.round(n * 100) / 100);
    return decimalComma ? text.replace(".", ",") : text;
  }

  /* ---------------------------------------------------------------- grading */
  /* Mirrors src/qbank/grade.py: see its module docstring for the rules. */

  var WS = /[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/g;
  var NUMBER = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]{1,4}))?$/;

  function normalise(value, caseSensitive) {
    var text = String(value).normalize("NFC").replace(WS, " ").replace(/^ +| +$/g, "");
    return caseSensitive ? text : text.toLowerCase();
  }

  function textMatches(response, accepted, caseSensitive) {
    if (response === null || response === undefined) return false;
    var got = normalise(response, caseSensitive);
    if (!got) return false;
    for (var i = 0; i < accepted.length; i++) {
      if (got === normalise(accepted[i], caseSensitive)) return true;
    }
    return false;
  }

  /* An exact decimal as [BigInt mantissa, exponent]; null when the text is not a number. */
  function decimal(text) {
    var m = NUMBER.exec(text);
    if (!m) return null;
    var parts = m[2].split(".");
    var fraction = parts[1] || "";
    var mantissa = BigInt((parts[0] || "") + fraction || "0");
    if (m[1] === "-") mantissa = -mantissa;
    return [mantissa, parseInt(m[3] || "0", 10) - fraction.length];
  }

  function compareDecimal(a, b) {
    var e = Math.min(a[1], b[1]);
    var x = a[0] * BigInt(10) ** BigInt(a[1] - e);
    var y = b[0] * BigInt(10) ** BigInt(b[1] - e);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  function numericResponse(response, unit) {
    if (response === null || response === undefined) return null;
    var text = normalise(response, true);
    /* "5,05" where the language writes a decimal comma (one comma, no point); the key and
       tolerance stay exact decimals with a point */
    if (decimalComma && /^[+-]?[0-9]*,[0-9]+(\s|$)/.test(text) && text.indexOf(".") < 0) {
      text = text.replace(",", ".");
    }
    if (unit) {
      var u = normalise(unit, true);
      if (u && text.toLowerCase().endsWith(u.toLowerCase())) {
        text = text.slice(0, text.length - u.length).replace(/ +$/, "");
      }
    }
    return decimal(text);
  }

  function sameSet(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (b.indexOf(a[i]) < 0) return false;
    return true;
  }

  /* Score one question: {graded, correct, earned, possible, parts}. */
  function grade(q, response) {
    var key = q.answer || {};
    var points = q.points;
    function allOrNothing(ok, parts) {
      return { graded: true, correct: ok, earned: ok ? points : 0, possible: points, parts: parts || [] };
    }
    switch (q.type) {
      case "single":
        return allOrNothing(typeof response === "string" && key.options.indexOf(response) >= 0);
      case "multi": {
        var chosen = (response || []).filter(function (v, i, all) { return all.indexOf(v) === i; });
        var ok = sameSet(chosen, key.options);
        if (!q.partial || ok) return allOrNothing(ok);
        var hits = chosen.filter(function (v) { return key.options.indexOf(v) >= 0; }).length;
        var misses = chosen.length - hits;
        var earned = (points * Math.max(0, hits - misses)) / Math.max(1, key.options.length);
        return { graded: true, correct: false, earned: earned, possible: points, parts: [] };
      }
      case "truefalse":
        return allOrNothing(typeof response === "boolean" && response === key.value);
      case "cloze": {
        var given = response || [];
        var parts = key.blanks.map(function (blank, i) {
          return textMatches(i < given.length ? given[i] : null, blank.answers, q.case_sensitive);
        });
        return allOrNothing(parts.length > 0 && parts.every(Boolean), parts);
      }
      case "short":
        return allOrNothing(
          textMatches(typeof response === "string" ? response : null, key.answers, q.case_sensitive)
        );
      case "numeric": {
        var value = numericResponse(typeof response === "string" ? response : null, q.unit);
        if (value === null || key.min === null || key.max === null) return allOrNothing(false);
        return allOrNothing(
          compareDecimal(decimal(key.min), value) <= 0 && compareDecimal(value, decimal(key.max)) <= 0
        );
      }
      case "order": {
        var order = response || [];
        var okParts = key.order.map(function (id, i) { return order[i] === id; });
        return allOrNothing(order.length === key.order.length && okParts.every(Boolean), okParts);
      }
      case "match": {
        var chosenPairs = response || {};
        var pairParts = key.pairs.map(function (p) { return chosenPairs[p.left] === p.right; });
        return allOrNothing(pairParts.every(Boolean), pairParts);
      }
      default: /* essay: never auto-graded */
        return { graded: false, correct: false, earned: 0, possible: points, parts: [] };
    }
  }

  /* ------------------------------------------------------------- DOM helpers */

  var uid = 0;
  function nextId(prefix) {
    uid += 1;
    return "qb-" + prefix + "-" + uid;
  }

  /* Create an element; `text` always goes in as text, never as markup. */
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === "className") node.className = value;
        else node.setAttribute(name, value === true ? "" : String(value));
      });
    }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* Each image is stored once in quiz.files and referenced as `#qbank-file:<id>`; the
     reference becomes a data: URI before the HTML is parsed (so nothing is ever fetched). */
  var files = quiz.files || {};
  function withFiles(rich) {
    return rich.replace(/src="#qbank-file:(f[0-9a-f]{16})"/g, function (match, id) {
      var f = Object.prototype.hasOwnProperty.call(files, id) ? files[id] : null;
      return f ? 'src="data:' + f.type + ";base64," + f.data + '"' : 'src=""';
    });
  }

  /* The exporter's sanitised HTML (never a raw author string). */
  function safeHtml(tag, attrs, rich) {
    var node = el(tag, attrs);
    /* author text runs in its own direction (Hebrew in an English quiz, English in an
       Arabic one); the page's direction only lays out the furniture */
    node.setAttribute("dir", "auto");
    node.innerHTML = withFiles(rich);
    return node;
  }

  function formatPoints(n) {
    return formatNumber(n);
  }

  /* ------------------------------------------------------------ word limits */
  /* AYS behaviour: words are runs of non-space; typing past the limit cuts the text back to
     the first N words; the counter never goes below 0 and shows an error style at 0. The cut
     keeps one space after the last word, so letters typed at the limit keep disappearing
     instead of growing the last word. */

  function wordLimiter(input, max, counter) {
    function update() {
      var words = input.value.match(/\S+/g) || [];
      if (words.length > max) {
        var re = /\S+/g;
        var end = 0;
        for (var i = 0; i < max; i++) {
          re.exec(input.value);
          end = re.lastIndex;
        }
        var gap = /^\s/.test(input.value.slice(end)) ? 1 : 0;
        input.value = input.value.slice(0, end + gap);
        words = words.slice(0, max);
      }
      var left = Math.max(0, max - words.length);
      counter.textContent = ngettext("{n} word left", "{n} words left", left);
      counter.classList.toggle("qb-words-none", left === 0);
      input.classList.toggle("qb-input-full", left === 0);
    }
    input.addEventListener("input", update);
    update();
    return update;
  }

  /* ------------------------------------------------------------------ state */

  var state;

  function questions() {
    return quiz.forms[state.form].questions;
  }

  function reset(formIndex) {
    state = { form: formIndex, index: 0, responses: {}, checked: {}, finished: false };
  }

  /* ---------------------------------------------------------------- widgets */
  /* Each builder renders the answer area and returns a function reading the response. */

  function choiceWidget(q, box, response, locked) {
    var multi = q.type === "multi";
    var fs = el("fieldset", { className: "qb-choices", "aria-describedby": box.stemId });
    fs.appendChild(
      el("legend", { className: "qb-legend" }, multi ? gettext("Choose all that apply.") : gettext("Choose one answer."))
    );
    var name = nextId("choice");
    var inputs = [];
    q.options.forEach(function (opt) {
      var id = nextId("opt");
      var label = el("label", { className: "qb-option", for: id, "data-option": opt.id });
      var input = el("input", {
        type: multi ? "checkbox" : "radio",
        name: name,
        id: id,
        value: opt.id,
        disabled: locked,
      });
      if (multi ? (response || []).indexOf(opt.id) >= 0 : response === opt.id) input.checked = true;
      label.appendChild(input);
      label.appendChild(safeHtml("span", { className: "qb-option-text" }, opt.html));
      fs.appendChild(label);
      inputs.push(input);
    });
    box.area.appendChild(fs);
    return function () {
      var picked = inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
      return multi ? picked : picked.length ? picked[0] : null;
    };
  }

  function trueFalseWidget(q, box, response, locked) {
    var fs = el("fieldset", { className: "qb-choices", "aria-describedby": box.stemId });
    fs.appendChild(el("legend", { className: "qb-legend" }, gettext("True or false?")));
    var name = nextId("tf");
    var inputs = [true, false].map(function (value) {
      var id = nextId("opt");
      var label = el("label", { className: "qb-option", for: id, "data-option": String(value) });
      var input = el("input", { type: "radio", name: name, id: id, value: String(value), disabled: locked });
      if (response === value) input.checked = true;
      label.appendChild(input);
      label.appendChild(el("span", { className: "qb-option-text" }, value ? gettext("True") : gettext("False")));
      fs.appendChild(label);
      return input;
    });
    box.area.appendChild(fs);
    return function () {
      if (inputs[0].checked) return true;
      if (inputs[1].checked) return false;
      return null;
    };
  }

  function counterFor(input, max, container, label) {
    if (!max) return;
    var counter = el("p", { className: "qb-words", id: nextId("words"), "aria-live": "polite" });
    if (label) counter.setAttribute("data-label", label);
    container.appendChild(counter);
    input.setAttribute("aria-describedby", counter.id);
    wordLimiter(input, max, counter);
  }

  function clozeWidget(q, box, response, locked) {
    /* The stem was rendered with <span class="qbank-blank"> placeholders: swap in inputs. */
    var blanks = Array.prototype.slice.call(box.stem.querySelectorAll(".qbank-blank"));
    var counters = el("div", { className: "qb-counters" });
    var inputs = blanks.map(function (span, i) {
      var several = blanks.length > 1;
      var input = el("input", {
        type: "text",
        className: "qb-blank-input",
        id: nextId("blank"),
        "data-blank": i,
        autocomplete: "off",
        autocapitalize: "off",
        spellcheck: "false",
        "aria-label": several
          ? gettext("Blank {i} of {n}", { i: i + 1, n: blanks.length })
          : gettext("Answer for the blank"),
        disabled: locked,
      });
      input.value = (response || [])[i] || "";
      span.replaceWith(input);
      return input;
    });
    inputs.forEach(function (input, i) {
      counterFor(input, q.max_words, counters, inputs.length > 1 ? gettext("Blank {i}", { i: i + 1 }) : null);
    });
    if (counters.childNodes.length) box.area.appendChild(counters);
    return function () {
      return inputs.map(function (i) { return i.value; });
    };
  }

  function textWidget(q, box, response, locked, numeric) {
    var id = nextId("answer");
    var row = el("div", { className: "qb-text-row" });
    row.appendChild(el("label", { className: "qb-label", for: id }, gettext("Your answer")));
    var field = el("div", { className: "qb-field" });
    var input = el("input", {
      type: "text",
      id: id,
      className: "qb-text-input",
      autocomplete: "off",
      autocapitalize: "off",
      spellcheck: "false",
      inputmode: numeric ? "decimal" : null,
      disabled: locked,
    });
    input.value = response || "";
    field.appendChild(input);
    if (numeric && q.unit) field.appendChild(el("span", { className: "qb-unit" }, q.unit));
    row.appendChild(field);
    box.area.appendChild(row);
    if (!numeric) counterFor(input, q.max_words, box.area, null);
    return function () { return input.value; };
  }

  function orderWidget(q, box, response, locked) {
    var byId = {};
    q.items.forEach(function (item) { byId[item.id] = item; });
    var order = (response && response.length ? response : q.items.map(function (i) { return i.id; })).slice();
    var status = el("p", { className: "qb-sr-only", "aria-live": "polite" });
    var fs = el("fieldset", { className: "qb-order", "aria-describedby": box.stemId });
    fs.appendChild(el("legend", { className: "qb-legend" }, gettext("Put the items in order (first at the top).")));
    var list = el("ol", { className: "qb-order-list" });
    fs.appendChild(list);
    box.area.appendChild(fs);
    box.area.appendChild(status);

    function draw(focusId, focusDir) {
      list.textContent = "";
      order.forEach(function (id, pos) {
        var item = byId[id];
        var li = el("li", { className: "qb-order-item", "data-item": id });
        li.appendChild(safeHtml("span", { className: "qb-order-text" }, item.html));
        var controls = el("span", { className: "qb-order-controls" });
        [["up", "\u2191", gettext("Move up")], ["down", "\u2193", gettext("Move down")]].forEach(function (spec) {
          var button = el("button", {
            type: "button",
            className: "qb-move",
            "data-dir": spec[0],
            "aria-label": spec[2] + ": " + item.text,
            disabled: locked || (spec[0] === "up" ? pos === 0 : pos === order.length - 1),
          }, spec[1]);
          button.addEventListener("click", function () {
            var to = spec[0] === "up" ? pos - 1 : pos + 1;
            order.splice(pos, 1);
            order.splice(to, 0, id);
            draw(id, spec[0]);
            status.textContent = gettext("{item}: position {i} of {n}", {
              item: item.text,
              i: to + 1,
              n: order.length,
            });
          });
          controls.appendChild(button);
        });
        li.appendChild(controls);
        list.appendChild(li);
      });
      if (focusId) {
        var moved = list.querySelector('[data-item="' + CSS.escape(focusId) + '"]');
        var button = moved && moved.querySelector('[data-dir="' + focusDir + '"]:not([disabled])');
        (button || (moved && moved.querySelector(".qb-move:not([disabled])")) || list).focus();
      }
    }
    draw(null, null);
    return function () { return order.slice(); };
  }

  function matchWidget(q, box, response, locked) {
    var fs = el("fieldset", { className: "qb-match", "aria-describedby": box.stemId });
    fs.appendChild(el("legend", { className: "qb-legend" }, gettext("Choose the match for each item.")));
    var selects = {};
    q.left.forEach(function (left) {
      var id = nextId("match");
      var row = el("div", { className: "qb-match-row" });
      var label = el("label", { className: "qb-match-left", for: id });
      label.appendChild(safeHtml("span", null, left.html));
      row.appendChild(label);
      var select = el("select", { id: id, "data-left": left.id, disabled: locked });
      select.appendChild(el("option", { value: "" }, gettext("Choose\u2026")));
      q.right.forEach(function (right) {
        select.appendChild(el("option", { value: right.id }, right.text));
      });
      select.value = (response || {})[left.id] || "";
      row.appendChild(select);
      fs.appendChild(row);
      selects[left.id] = select;
    });
    box.area.appendChild(fs);
    return function () {
      var out = {};
      Object.keys(selects).forEach(function (k) { if (selects[k].value) out[k] = selects[k].value; });
      return out;
    };
  }

  function essayWidget(q, box, response, locked) {
    var id = nextId("essay");
    box.area.appendChild(el("label", { className: "qb-label", for: id }, gettext("Your answer")));
    var area = el("textarea", { id: id, rows: Math.min(Math.max(q.lines || 6, 3), 12), disabled: locked });
    area.value = response || "";
    box.area.appendChild(area);
    counterFor(area, q.max_words, box.area, null);
    box.area.appendChild(el("p", { className: "qb-note" }, gettext("This answer is not scored automatically.")));
    return function () { return area.value; };
  }

  var WIDGETS = {
    single: choiceWidget,
    multi: choiceWidget,
    truefalse: trueFalseWidget,
    cloze: clozeWidget,
    short: function (q, b, r, l) { return textWidget(q, b, r, l, false); },
    numeric: function (q, b, r, l) { return textWidget(q, b, r, l, true); },
    order: orderWidget,
    match: matchWidget,
    essay: essayWidget,
  };

  /* --------------------------------------------------------------- feedback */

  function answerText(q) {
    var key = q.answer || {};
    switch (q.type) {
      case "single":
      case "multi":
        return q.options
          .filter(function (o) { return key.options.indexOf(o.id) >= 0; })
          .map(function (o) { return o.text; })
          .join("; ");
      case "truefalse":
        return key.value ? gettext("True") : gettext("False");
      case "cloze":
        return key.blanks.map(function (b) { return b.answers.join(" / "); }).join("; ");
      case "short":
        return key.answers.join(" / ");
      case "numeric": {
        var text = key.value;
        if (key.min !== key.max && key.min !== null) text += " " + gettext("({min} to {max})", { min: key.min, max: key.max });
        return q.unit ? text + " " + q.unit : text;
      }
      case "order": {
        var items = {};
        q.items.forEach(function (i) { items[i.id] = i.text; });
        return key.order.map(function (id) { return items[id]; }).join(" \u2192 ");
      }
      case "match": {
        var lefts = {};
        var rights = {};
        q.left.forEach(function (i) { lefts[i.id] = i.text; });
        q.right.forEach(function (i) { rights[i.id] = i.text; });
        return key.pairs.map(function (p) { return lefts[p.left] + " \u2192 " + rights[p.right]; }).join("; ");
      }
      default:
        return "";
    }
  }

  function isEmpty(response) {
    if (response === null || response === undefined) return true;
    if (typeof response === "string") return !response.trim();
    if (Array.isArray(response)) return response.every(isEmpty);
    if (typeof response === "object") return Object.keys(response).length === 0;
    return false;
  }

  /* The learner's response as plain text, for the review. */
  function responseText(q, response) {
    if (isEmpty(response)) return gettext("(no answer)");
    function textOf(list, id) {
      for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i].text;
      return id;
    }
    switch (q.type) {
      case "single":
        return textOf(q.options, response);
      case "multi":
        return response.map(function (id) { return textOf(q.options, id); }).join("; ");
      case "truefalse":
        return response ? gettext("True") : gettext("False");
      case "cloze":
        return response.map(function (v) { return v.trim() || "\u2014"; }).join("; ");
      case "order":
        return response.map(function (id) { return textOf(q.items, id); }).join(" \u2192 ");
      case "match":
        return q.left
          .filter(function (l) { return response[l.id]; })
          .map(function (l) { return l.text + " \u2192 " + textOf(q.right, response[l.id]); })
          .join("; ");
      default:
        return String(response);
    }
  }

  /* Feedback for one question: verdict, the learner's answer (in the review), option
     feedback, the right answer, the explanation. */
  function feedbackBlock(q, response, result, review) {
    var box = el("div", { className: "qb-feedback-body" });
    var verdict;
    if (!result.graded) verdict = ["qb-verdict-note", gettext("Not scored automatically.")];
    else if (result.correct) verdict = ["qb-verdict-right", gettext("Correct!")];
    else if (isEmpty(response)) verdict = ["qb-verdict-wrong", gettext("Not answered.")];
    else if (result.earned > 0) {
      verdict = ["qb-verdict-part", ngettext(
        "Partly correct: {earned} of {n} point.", "Partly correct: {earned} of {n} points.",
        result.possible, { earned: formatPoints(result.earned) })];
    } else verdict = ["qb-verdict-wrong", gettext("Not quite.")];
    box.classList.add(verdict[0].replace("verdict", "feedback"));
    box.appendChild(el("p", { className: "qb-verdict " + verdict[0] }, verdict[1]));
    if (review && !isEmpty(response)) {
      var yours = el("p", { className: "qb-your-answer" });
      yours.appendChild(el("strong", null, gettext("Your answer:") + " "));
      yours.appendChild(document.createTextNode(responseText(q, response)));
      box.appendChild(yours);
    }
    if (q.options) {
      var picked = q.type === "multi" ? response || [] : response ? [response] : [];
      q.options.forEach(function (opt) {
        if (picked.indexOf(opt.id) >= 0 && opt.feedback) {
          var fb = el("div", { className: "qb-option-feedback" });
          fb.appendChild(el("p", { className: "qb-option-feedback-title" }, opt.text));
          fb.appendChild(safeHtml("div", null, opt.feedback.html));
          box.appendChild(fb);
        }
      });
    }
    if (result.graded && !result.correct) {
      var p = el("p", { className: "qb-correct-answer" });
      p.appendChild(el("strong", null, gettext("Answer:") + " "));
      p.appendChild(document.createTextNode(answerText(q)));
      box.appendChild(p);
    }
    if (q.answer && q.answer.rubric) {
      box.appendChild(el("p", { className: "qb-explanation-title" }, gettext("Rubric")));
      box.appendChild(safeHtml("div", { className: "qb-explanation" }, q.answer.rubric.html));
    }
    if (q.explanation) {
      box.appendChild(el("p", { className: "qb-explanation-title" }, gettext("Explanation")));
      box.appendChild(safeHtml("div", { className: "qb-explanation" }, q.explanation.html));
    }
    return box;
  }

  /* After a check: mark the right options and the picked ones that are wrong; mark each
     cloze blank right or wrong. */
  function markOptions(q, area, stem, result) {
    var key = q.answer || {};
    Array.prototype.forEach.call(stem.querySelectorAll(".qb-blank-input"), function (input, i) {
      input.classList.toggle("qb-blank-right", !!result.parts[i]);
      input.classList.toggle("qb-blank-wrong", !result.parts[i]);
    });
    Array.prototype.forEach.call(area.querySelectorAll(".qb-option"), function (label) {
      var id = label.getAttribute("data-option");
      var right = q.type === "truefalse" ? id === String(key.value) : (key.options || []).indexOf(id) >= 0;
      var picked = label.querySelector("input").checked;
      label.classList.toggle("qb-option-key", right);
      label.classList.toggle("qb-option-miss", picked && !right);
    });
  }

  /* ------------------------------------------------------------------ views */

  function focusHeading(node) {
    node.setAttribute("tabindex", "-1");
    node.focus();
  }

  function setReady() {
    document.body.setAttribute("data-ready", "1");
  }

  function showFormChoice() {
    root.textContent = "";
    var section = el("section", { className: "qb-card qb-start" });
    var heading = el("h2", { className: "qb-heading" }, gettext("Choose your version of the quiz"));
    section.appendChild(heading);
    section.appendChild(el("p", null, gettext("Your teacher will tell you which form to take.")));
    var buttons = el("div", { className: "qb-nav qb-forms" });
    quiz.forms.forEach(function (form, i) {
      var b = el("button", { type: "button", className: "qb-button qb-primary" }, gettext("Form {form}", { form: form.form }));
      b.addEventListener("click", function () {
        reset(i);
        showQuestion();
      });
      buttons.appendChild(b);
    });
    section.appendChild(buttons);
    root.appendChild(section);
    focusHeading(heading);
    setReady();
  }

  var readResponse = null;

  function saveResponse() {
    if (readResponse) state.responses[questions()[state.index].id] = readResponse();
  }

  function showQuestion() {
    var list = questions();
    var q = list[state.index];
    var total = list.length;
    var locked = !!state.checked[q.id];
    root.textContent = "";

    var top = el("div", { className: "qb-top" });
    var counter = el("p", { className: "qb-counter" });
    counter.appendChild(el("span", { className: "qb-sr-only" }, gettext("Question") + " "));
    counter.appendChild(el("bdi", null, state.index + 1 + " / " + total));
    top.appendChild(counter);
    top.appendChild(el("progress", {
      className: "qb-progress",
      max: total,
      value: state.index + 1,
      "aria-label": gettext("Progress"),
    }));
    root.appendChild(top);

    var card = el("section", { className: "qb-card", "data-name": q.id, "data-type": q.type });
    var heading = el("h2", { className: "qb-heading" }, gettext("Question {n}", { n: state.index + 1 }));
    if (q.points !== 1) heading.appendChild(el("span", { className: "qb-points" }, ngettext("{n} point", "{n} points", q.points)));
    card.appendChild(heading);
    var stemId = nextId("stem");
    var stem = safeHtml("div", { className: "qb-stem", id: stemId }, q.html);
    card.appendChild(stem);
    var area = el("div", { className: "qb-answer" });
    card.appendChild(area);
    var feedback = el("div", { className: "qb-feedback", role: "status", "aria-live": "polite" });
    card.appendChild(feedback);
    root.appendChild(card);

    var box = { stem: stem, stemId: stemId, area: area };
    readResponse = WIDGETS[q.type](q, box, state.responses[q.id], locked);
    if (locked) {
      var result = grade(q, state.responses[q.id]);
      feedback.appendChild(feedbackBlock(q, state.responses[q.id], result));
      markOptions(q, area, stem, result);
    }

    var nav = el("div", { className: "qb-nav" });
    var back = el("button", { type: "button", className: "qb-button", disabled: state.index === 0 }, gettext("Back"));
    back.addEventListener("click", function () {
      saveResponse();
      state.index -= 1;
      showQuestion();
    });
    nav.appendChild(back);
    if (feedbackMode === "immediate") {
      var check = el("button", { type: "button", className: "qb-button", disabled: locked }, gettext("Check"));
      check.addEventListener("click", function () {
        /* lock the answer and fill the live region that already exists, so it is announced */
        saveResponse();
        state.checked[q.id] = true;
        Array.prototype.forEach.call(area.querySelectorAll("input, select, textarea, button"), function (c) {
          c.disabled = true;
        });
        Array.prototype.forEach.call(stem.querySelectorAll("input"), function (c) { c.disabled = true; });
        check.disabled = true;
        var response = state.responses[q.id];
        var result = grade(q, response);
        feedback.appendChild(feedbackBlock(q, response, result));
        markOptions(q, area, stem, result);
        next.focus();
      });
      nav.appendChild(check);
    }
    var last = state.index === total - 1;
    var next = el("button", { type: "button", className: "qb-button qb-primary" }, last ? gettext("Finish") : gettext("Next"));
    next.addEventListener("click", function () {
      saveResponse();
      if (last) {
        showResults();
      } else {
        state.index += 1;
        showQuestion();
      }
    });
    nav.appendChild(next);
    root.appendChild(nav);
    if (!locked) focusHeading(heading);
    setReady();
  }

  function showResults() {
    readResponse = null;
    state.finished = true;
    var list = questions();
    var earned = 0;
    var possible = 0;
    var right = 0;
    var graded = 0;
    var details = list.map(function (q) {
      var response = state.responses[q.id];
      var result = grade(q, response === undefined ? null : response);
      if (result.graded) {
        earned += result.earned;
        possible += result.possible;
        graded += 1;
        if (result.correct) right += 1;
      }
      return { q: q, response: response, result: result };
    });
    var percent = possible ? Math.round((100 * earned) / possible) : 0;
    window.qbankResult = {
      form: quiz.forms[state.form].form,
      earned: earned,
      possible: possible,
      percent: percent,
      correct: right,
      graded: graded,
      questions: details.map(function (d) {
        return {
          id: d.q.id,
          type: d.q.type,
          graded: d.result.graded,
          correct: d.result.correct,
          earned: d.result.earned,
          possible: d.result.possible,
          response: d.response === undefined ? null : d.response,
        };
      }),
    };

    root.textContent = "";
    var card = el("section", { className: "qb-card qb-results", "aria-labelledby": "qb-score" });
    var heading = el("h2", { className: "qb-heading qb-score", id: "qb-score" }, gettext("Your score is {percent}%", { percent: percent }));
    card.appendChild(heading);
    card.appendChild(el("p", { className: "qb-score-detail" },
      ngettext("{earned} of {n} point", "{earned} of {n} points", possible, { earned: formatPoints(earned) }) +
      " \u00b7 " + ngettext("{right} of {n} question right", "{right} of {n} questions right", graded, { right: right })));
    var meter = el("progress", { className: "qb-progress qb-score-bar", max: 100, value: percent, "aria-label": gettext("Score") });
    card.appendChild(meter);
    var ungraded = list.length - graded;
    if (ungraded) card.appendChild(el("p", { className: "qb-note" }, ngettext("{n} answer is not scored automatically.", "{n} answers are not scored automatically.", ungraded)));

    var review = el("ol", { className: "qb-review" });
    details.forEach(function (d) {
      var state_ = !d.result.graded ? "note" : d.result.correct ? "right" : d.result.earned > 0 ? "part" : "wrong";
      var li = el("li", { className: "qb-review-item qb-review-" + state_, "data-name": d.q.id });
      li.appendChild(safeHtml("div", { className: "qb-review-stem" }, d.q.html));
      li.appendChild(feedbackBlock(d.q, d.response, d.result, true));
      review.appendChild(li);
    });
    card.appendChild(el("h3", { className: "qb-review-title" }, gettext("Review")));
    card.appendChild(review);

    var nav = el("div", { className: "qb-nav" });
    var restart = el("button", { type: "button", className: "qb-button qb-primary" }, gettext("Restart"));
    restart.addEventListener("click", start);
    nav.appendChild(restart);
    card.appendChild(nav);
    root.appendChild(card);
    focusHeading(heading);
    setReady();
  }

  function start() {
    window.qbankResult = null;
    if (quiz.forms.length > 1) {
      reset(0);
      showFormChoice();
    } else {
      reset(0);
      showQuestion();
    }
  }

  /* exposed for tests and for pages embedding the player */
  window.qbankGrade = grade;
  start();
})();
