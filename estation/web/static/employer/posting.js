// Occupation codes suggested while the title is typed. Without JavaScript the form still works:
// the server lists suggestions on 预览 and on any re-shown form.
(function () {
  "use strict";
  var title = document.getElementById("title");
  var box = document.getElementById("occupation-options");
  if (!title || !box) return;
  var timer = null;
  var last = title.value.trim();

  function option(code, text, checked) {
    var label = document.createElement("label");
    label.className = "choice";
    var input = document.createElement("input");
    input.type = "radio"; input.name = "occupation_code"; input.value = code; input.checked = checked;
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + text));
    return label;
  }

  function render(items) {
    var checked = box.querySelector("input:checked");
    var chosen = (checked || {}).value || "";
    var chosenName = checked ? checked.parentNode.textContent.trim() : "";
    var keep = chosen && !items.some(function (s) { return s.code === chosen; });
    box.textContent = "";
    items.forEach(function (s) {
      var extra = s.matched !== s.name ? "（匹配“" + s.matched + "”）" : "";
      box.appendChild(option(s.code, s.name + extra, s.code === chosen));
    });
    if (keep) box.appendChild(option(chosen, chosenName, true));
    box.appendChild(option("", items.length ? "暂不选择" : "没有找到相近的职业，暂不选择", !chosen));
  }

  function lookup() {
    var value = title.value.trim();
    if (value === last) return;
    last = value;
    if (value.length < 2) return;
    fetch("/api/v1/occupations/suggest?title=" + encodeURIComponent(value), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(render)
      .catch(function () { /* suggestions are a help, never a blocker */ });
  }

  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 300);
  });
})();
