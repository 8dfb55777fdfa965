/* Kiosk enhancements. The pages work without this file; it adds read-aloud, the inactivity
   warning and timeout, the on-screen keyboard, and a thorough 结束 (finish). No pop-ups anywhere. */
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle") || "0", 10);
  var warning = parseInt(body.getAttribute("data-warning") || "0", 10);
  var signedIn = body.getAttribute("data-signed-in") === "yes";

  // A page restored from the back/forward cache may hold the last person's screen: load it afresh.
  window.addEventListener("pageshow", function (e) { if (e.persisted) { location.reload(); } });

  // The attract screen is where every session ends. The browser keeps the last person's history
  // entries (no page may delete them), so back from here stays here: their search words live in URLs.
  if (body.classList.contains("attract") && window.history && history.pushState) {
    history.replaceState({ attract: true }, "", location.href);
    history.pushState({ attract: true }, "", location.href);
    window.addEventListener("popstate", function () { history.pushState({ attract: true }, "", location.href); });
  }

  // The attract screen's notices: one at a time, in turn; the whole list stays without the script.
  var board = document.querySelector(".attract-notices[data-rotate]");
  if (board && board.children.length > 1) {
    var items = board.children, shown = 0;
    var count = document.querySelector(".attract-count");
    board.classList.add("rotating");
    items[0].classList.add("current");
    if (count) { count.hidden = false; }
    setInterval(function () {
      items[shown].classList.remove("current");
      shown = (shown + 1) % items.length;
      items[shown].classList.add("current");
    }, parseInt(board.getAttribute("data-rotate"), 10) * 1000);
  }
  // A terminal idles on this screen for hours: load it afresh now and then for the notices of the day.
  if (body.classList.contains("attract")) { setTimeout(function () { location.reload(); }, 30 * 60 * 1000); }

  function csrf() {
    var f = document.querySelector("[data-finish] input[name=csrf_token]");
    return f ? f.value : "";
  }

  /* --- 结束: server session, cookies, storage, form fields, then replace history with the attract screen */
  var ending = false;
  function finish() {
    if (ending) { return; }
    ending = true;
    try { if (window.speechSynthesis) { window.speechSynthesis.cancel(); } } catch (e) { /* none */ }
    Array.prototype.forEach.call(document.forms, function (f) { f.reset(); });
    Array.prototype.forEach.call(document.querySelectorAll("input:not([type=hidden]), textarea"), function (el) {
      if (el.type === "checkbox" || el.type === "radio") { el.checked = false; } else { el.value = ""; }
    });
    try { sessionStorage.clear(); localStorage.clear(); } catch (e) { /* storage may be off */ }
    var data = new FormData();
    data.append("csrf_token", csrf());
    var done = function () { location.replace("/kiosk"); };
    if (window.fetch) {
      fetch("/kiosk/finish", { method: "POST", body: data, credentials: "same-origin", cache: "no-store",
        redirect: "manual" }).then(done, done);
    } else { done(); }
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-finish]"), function (form) {
    form.addEventListener("submit", function (e) { e.preventDefault(); finish(); });
  });

  /* --- inactivity: an in-page banner at (idle - warning) s, one tap to continue, finish at idle s */
  var banner = document.getElementById("idle-banner");
  var count = document.getElementById("idle-count");
  var last = Date.now();
  var lastPing = Date.now();
  function ping() {
    lastPing = Date.now();
    if (!window.fetch) { return; }
    fetch("/kiosk/ping", { credentials: "same-origin", cache: "no-store" }).then(function (r) { return r.json(); })
      .then(function (j) { if (signedIn && !j.signed_in) { finish(); } }, function () { /* offline: keep going */ });
  }
  function activity() {
    last = Date.now();
    if (banner && !banner.hidden) { banner.hidden = true; }
    // The server keeps its own idle clock for the session; keep it in step while the screen is used.
    if (signedIn && Date.now() - lastPing > 15000) { ping(); }
  }
  if (idle > 0) {
    ["pointerdown", "keydown", "touchstart", "input", "wheel"].forEach(function (type) {
      document.addEventListener(type, function (e) {
        if (banner && banner.contains(e.target)) { return; }
        activity();
      }, { passive: true, capture: true });
    });
    var cont = document.getElementById("idle-continue");
    if (cont) {
      cont.addEventListener("click", function () { last = Date.now(); banner.hidden = true; ping(); });
    }
    setInterval(function () {
      var idleFor = (Date.now() - last) / 1000;
      var left = Math.ceil(idle - idleFor);
      if (left <= 0) { finish(); return; }
      if (banner && left <= warning) {
        if (banner.hidden) { banner.hidden = false; }
        count.textContent = String(left);
      }
    }, 250);
  }

  /* --- read aloud with the browser's own zh-CN voice */
  var reader = document.getElementById("read-aloud");
  if (reader && "speechSynthesis" in window) {
    reader.hidden = false;
    reader.addEventListener("click", function () {
      var synth = window.speechSynthesis;
      if (synth.speaking) { synth.cancel(); reader.setAttribute("aria-pressed", "false"); return; }
      var main = document.getElementById("main");
      var u = new SpeechSynthesisUtterance((main ? main.innerText : document.body.innerText).slice(0, 4000));
      u.lang = "zh-CN";
      u.rate = 0.85;
      u.onend = function () { reader.setAttribute("aria-pressed", "false"); };
      reader.setAttribute("aria-pressed", "true");
      synth.speak(u);
    });
  }

  /* --- on-screen keyboard for the ID number and PIN; can be switched off when the screen has its own */
  var osk = document.getElementById("osk");
  var toggle = document.getElementById("osk-toggle");
  var fields = document.querySelectorAll("[data-osk]");
  if (osk && fields.length) {
    var target = fields[0];
    var on = sessionStorage.getItem("kiosk-osk") !== "off";
    var keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0", "⌫"];
    var idNumber = document.querySelector("[data-osk=id]");
    keys.forEach(function (k) {
      if (k === "X" && !idNumber) {  /* PINs alone: no X key, its place left empty so the digits stay put */
        var gap = document.createElement("span");
        gap.setAttribute("aria-hidden", "true");
        osk.appendChild(gap);
        return;
      }
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = k;
      b.setAttribute("aria-label", k === "⌫" ? "删除一位" : k);
      if (k === "X") { b.className = "key-x"; }
      b.addEventListener("click", function () {
        if (k === "⌫") { target.value = target.value.slice(0, -1); }
        else if (k === "X" && target.getAttribute("data-osk") !== "id") { return; }
        else if (target.value.length < (target.maxLength > 0 ? target.maxLength : 32)) { target.value += k; }
        var next = fields[Array.prototype.indexOf.call(fields, target) + 1];
        if (next && target.maxLength > 0 && target.value.length >= target.maxLength) { target = next; }
        target.focus();
      });
      osk.appendChild(b);
    });
    var clear = document.createElement("button");
    clear.type = "button"; clear.className = "wide"; clear.textContent = "清空";
    clear.addEventListener("click", function () { target.value = ""; target.focus(); });
    osk.appendChild(clear);
    Array.prototype.forEach.call(fields, function (f) {
      f.addEventListener("focus", function () { target = f; });
    });
    function apply() {
      osk.hidden = !on;
      Array.prototype.forEach.call(fields, function (f) { f.setAttribute("inputmode", on ? "none" : "numeric"); });
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      toggle.querySelector("span").textContent = on ? "关闭屏幕键盘" : "打开屏幕键盘";
    }
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      on = !on;
      try { sessionStorage.setItem("kiosk-osk", on ? "on" : "off"); } catch (e) { /* none */ }
      apply();
    });
    apply();
  }
})();
