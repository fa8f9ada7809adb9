// Suggest similar requirements while a partner types a title, so they vote instead of duplicating.
(function () {
  "use strict";
  const box = document.getElementById("similar");
  const title = document.getElementById("title");
  if (!box || !title) return;
  const list = box.querySelector("ul");
  let timer = null;
  let last = "";

  function show(items) {
    list.replaceChildren();
    for (const item of items) {
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      const meta = document.createElement("small");
      meta.textContent = ` — ${item.votes} votes from ${item.organisations} organisations · ${item.status}`;
      li.append(link, meta);
      list.append(li);
    }
    box.hidden = items.length === 0;
  }

  async function lookup() {
    const text = title.value.trim();
    if (text === last) return;
    last = text;
    if (text.length < 4) { show([]); return; }
    try {
      const response = await fetch(`${box.dataset.url}?q=${encodeURIComponent(text)}`, {
        headers: { Accept: "application/json" },
      });
      if (response.ok && title.value.trim() === text) show(await response.json());
    } catch (error) {
      // Suggestions are a convenience; posting still works without them.
    }
  }

  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 250);
  });
})();
