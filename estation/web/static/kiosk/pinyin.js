/* The job search form at the kiosk: a filter applies the moment it is tapped, and an on-screen pinyin
   keyboard fills the text box. Without this file the form still works: tick, then 搜索 or a category.
   The keyboard's words come with the page (#pinyin-words: [word, pinyin, initials] rows); nothing is
   fetched from elsewhere. Typing "baojie" or just "bj" offers 保洁; tapping a word puts it in the box. */
(function () {
  "use strict";
  var form = document.getElementById("job-search");
  if (!form) { return; }
  var go = document.getElementById("search-go");
  var box = document.getElementById("q");

  function send() {
    if (form.requestSubmit) { form.requestSubmit(go); } else { go.click(); }
  }

  /* --- filters apply on tap, keeping the words and the category (the 搜索 button carries it) */
  Array.prototype.forEach.call(form.querySelectorAll(".filters input[type=checkbox]"), function (tick) {
    tick.addEventListener("change", send);
  });

  /* --- the pinyin keyboard */
  var panel = document.getElementById("pinyin");
  var toggle = document.getElementById("pinyin-toggle");
  var data = document.getElementById("pinyin-words");
  if (!panel || !toggle || !data) { return; }
  var words = JSON.parse(data.textContent || "[]");
  var typed = "";
  var MAX_WORDS = 8;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    return e;
  }
  function key(label, cls, name, act) {
    var b = el("button", cls, label);
    b.type = "button";
    if (name) { b.setAttribute("aria-label", name); }
    b.addEventListener("click", function () { act(); box.focus(); });
    return b;
  }

  // The words whose pinyin or initials start with what was typed: whole pinyin first, then short words.
  function candidates() {
    if (!typed) { return []; }
    var found = [];
    words.forEach(function (row) {
      var score = row[1] === typed ? 0 : row[1].indexOf(typed) === 0 ? 1 : row[2] === typed ? 1 :
        row[2].indexOf(typed) === 0 ? 2 : -1;
      if (score >= 0) { found.push({ word: row[0], score: score }); }
    });
    found.sort(function (a, b) { return a.score - b.score || a.word.length - b.word.length; });
    return found.slice(0, MAX_WORDS).map(function (f) { return f.word; });
  }

  var shown = el("p", "pinyin-typed");
  var list = el("div", "pinyin-words");
  list.setAttribute("role", "group");
  list.setAttribute("aria-label", "可选的词");
  function render() {
    list.textContent = "";
    var found = candidates();
    if (!typed) {
      shown.textContent = "按拼音字母打字，再点下面的词。如：保洁打 baojie 或 bj";
    } else if (!found.length) {
      shown.textContent = "拼音“" + typed + "”没有常用的词，请按删除重新打";
    } else {
      shown.textContent = "拼音：" + typed;
    }
    found.forEach(function (w) {
      list.appendChild(key(w, "pinyin-word", null, function () {
        var room = (box.maxLength > 0 ? box.maxLength : 40) - box.value.length;
        box.value += w.slice(0, Math.max(0, room));
        typed = "";
        render();
      }));
    });
  }

  var rows = el("div", "pinyin-keys");
  ["qwertyuiop", "asdfghjkl", "zxcvbnm"].forEach(function (letters) {
    var row = el("div", "pinyin-row");
    letters.split("").forEach(function (c) {
      row.appendChild(key(c, "pinyin-key", null, function () {
        if (typed.length < 24) { typed += c; }
        render();
      }));
    });
    rows.appendChild(row);
  });
  var tools = el("div", "pinyin-row pinyin-tools");
  tools.appendChild(key("删除", "pinyin-key pinyin-wide", "删除一个字母或一个字", function () {
    if (typed) { typed = typed.slice(0, -1); } else { box.value = box.value.slice(0, -1); }
    render();
  }));
  tools.appendChild(key("清空", "pinyin-key pinyin-wide", "清空输入框", function () {
    typed = ""; box.value = ""; render();
  }));
  tools.appendChild(key("搜索", "pinyin-key pinyin-wide pinyin-go", "按输入的词搜索", send));
  rows.appendChild(tools);
  panel.appendChild(shown);
  panel.appendChild(list);
  panel.appendChild(rows);

  function open(on) {
    panel.hidden = !on;
    toggle.setAttribute("aria-expanded", on ? "true" : "false");
    toggle.querySelector("span").textContent = on ? "收起拼音键盘" : "用拼音打字";
    // With the keyboard open, the screen's own keyboard stays away.
    if (on) { box.setAttribute("inputmode", "none"); } else { box.removeAttribute("inputmode"); }
    if (on) { render(); box.focus(); }
  }
  toggle.hidden = false;
  toggle.addEventListener("click", function () { open(panel.hidden); });
})();
