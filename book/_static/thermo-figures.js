/* Wide figures on narrow screens (issue 20; thermo-book.css, "figures").
   A figure drawn with its panels side by side (at least twice as wide as tall) would be
   shrunk to a strip a few dozen pixels tall on a phone.  Mark it `thermo-wide` and give the
   stylesheet its drawn width (--thermo-nw) so that, below 768 px, it keeps a legible width
   and scrolls sideways inside its own box; the page itself never scrolls sideways.
   Measured by tests/test_reading.py::test_wide_figures_scroll_in_their_box_at_400_px_not_the_page. */
(function () {
  "use strict";
  function mark(img) {
    if (!img.naturalWidth || !img.naturalHeight) return;
    img.style.setProperty("--thermo-nw", img.naturalWidth + "px");
    if (img.naturalWidth >= 2 * img.naturalHeight) {
      img.classList.add("thermo-wide");
      var box = img.closest("figure") || img.parentElement;
      if (box) box.classList.add("thermo-wide-box");
    }
  }
  function init() {
    document.querySelectorAll(".bd-content img").forEach(function (img) {
      if (img.complete) mark(img);
      else img.addEventListener("load", function () { mark(img); }, { once: true });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
