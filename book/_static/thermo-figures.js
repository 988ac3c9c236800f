/* Wide figures on narrow screens (issue 20; thermo-book.css, "figures").
   A figure drawn with its panels side by side (at least twice as wide as tall) would be
   shrunk to a strip a few dozen pixels tall on a phone.  Mark it `thermo-wide` and give the
   stylesheet its drawn width (--thermo-nw) so that, below 768 px, it keeps a legible width
   and scrolls sideways inside its own box; the page itself never scrolls sideways.
   Measured by tests/test_reading.py::test_wide_figures_scroll_in_their_box_at_400_px_not_the_page.
   Any such box, and a reference table that scrolls, gets a tab stop (axe, tests/test_site.py). */
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
  /* A box that scrolls sideways (a wide figure here, a reference table's wrapper from
     thermo_helpers.report) must be reachable from the keyboard (WCAG 2.1.1; axe's
     scrollable-region-focusable): it gets a tab stop and a name only while it scrolls. */
  function focusable() {
    document.querySelectorAll(".bd-content .thermo-wide-box, .bd-content .thermo-reference")
      .forEach(function (box) {
        if (box.scrollWidth > box.clientWidth + 1) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          if (!box.hasAttribute("aria-label"))
            box.setAttribute("aria-label", box.classList.contains("thermo-reference")
              ? "reference table, scrolls sideways" : "wide figure, scrolls sideways");
        } else if (box.getAttribute("tabindex") === "0") {
          box.removeAttribute("tabindex");
          box.removeAttribute("role");
        }
      });
  }
  function init() {
    document.querySelectorAll(".bd-content img").forEach(function (img) {
      if (img.complete) mark(img);
      else img.addEventListener("load", function () { mark(img); focusable(); }, { once: true });
    });
    focusable();
    window.addEventListener("resize", focusable);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
