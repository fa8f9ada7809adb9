// A filter box for long checkbox lists (e.g. related requirements): typing narrows the list,
// ticked boxes always stay visible. Without this script the whole list is shown and works.
(function () {
  "use strict";
  for (const picker of document.querySelectorAll("fieldset.picker")) {
    const tools = picker.querySelector(".picker-tools");
    const filter = picker.querySelector(".picker-filter");
    const count = picker.querySelector(".picker-count");
    const labels = Array.from(picker.querySelectorAll(".picker-list label"));
    if (!tools || !filter) continue;

    function update() {
      const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      let ticked = 0;
      for (const label of labels) {
        const box = label.querySelector("input");
        const text = label.textContent.toLowerCase();
        const match = box.checked || words.every((word) => text.includes(word));
        label.hidden = !match;
        if (match) shown += 1;
        if (box.checked) ticked += 1;
      }
      count.textContent = `${ticked} ticked · ${shown} of ${labels.length} shown`;
    }

    tools.hidden = false;
    filter.addEventListener("input", update);
    picker.addEventListener("change", update);
    filter.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();  // filtering, not submitting
    });
    update();
  }
})();
