// Wide tables and charts scroll sideways inside their box on small screens. A box that does scroll
// joins the Tab order as a named region, so keyboard users can scroll it too; one that fits does not.
// Until it is scrolled to its end, its right edge fades out (portal.css), a hint that there is more.
(function () {
  "use strict";
  const boxes = document.querySelectorAll(".table-wrap, .chart-scroll");

  function nameOf(box) {
    const caption = box.querySelector("caption, svg[aria-label]");
    const text = caption ? caption.getAttribute("aria-label") || caption.textContent : "";
    return (text.trim() || "Table") + " (scrolls sideways)";
  }

  function atEnd(box) {
    box.classList.toggle("at-end", box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
  }

  function mark() {
    for (const box of boxes) {
      atEnd(box);
      if (box.scrollWidth > box.clientWidth) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", nameOf(box));
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }

  if (!boxes.length) return;
  mark();
  for (const box of boxes) box.addEventListener("scroll", () => atEnd(box), { passive: true });
  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(mark, 150);
  });
})();
