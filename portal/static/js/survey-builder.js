// The survey builder: show the choices box only for the question kinds that have choices.
// Without this script the box is always shown; the server ignores it for other kinds.
(function () {
  "use strict";
  for (const form of document.querySelectorAll("form")) {
    const kind = form.querySelector("select[name=kind]");
    const box = form.querySelector(".choices-field");
    if (!kind || !box) continue;
    const kinds = (box.dataset.forKinds || "").split(" ");
    const update = () => { box.hidden = !kinds.includes(kind.value); };
    kind.addEventListener("change", update);
    update();
  }
})();
