/* Print buttons (<button data-print hidden>): shown and working only with this script, since the
   Content-Security-Policy refuses inline onclick handlers. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
