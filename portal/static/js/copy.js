// Copy buttons: <button data-copy="ID" hidden> copies the text of the field with that id.
// Without this script the button stays hidden and the field can be selected and copied by hand.
(function () {
  "use strict";

  async function copy(field) {
    field.focus();
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      return true;
    } catch (error) {
      try {
        return document.execCommand("copy");
      } catch (fallbackError) {
        return false;
      }
    }
  }

  for (const button of document.querySelectorAll("button[data-copy]")) {
    const field = document.getElementById(button.dataset.copy);
    if (!field) continue;
    const status = document.getElementById(`${button.dataset.copy}-status`);
    field.addEventListener("focus", () => field.select());
    button.hidden = false;
    button.addEventListener("click", async () => {
      const copied = await copy(field);
      if (status) {
        status.textContent = copied
          ? "Copied."
          : "The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.";
      }
    });
  }
})();
