// The console's only script, and optional: pages work without it. A form being
// sent shows it (its button is disabled and says so), so a slow database reads
// as "working", not as a button that did nothing, and a second click sends nothing twice.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
  const button = form.querySelector("button[type=submit]");
  if (!button) return;
  form.setAttribute("aria-busy", "true");
  button.disabled = true;
  button.dataset.label = button.textContent;
  button.textContent = "Working…";
});
// Back/forward cache: a page shown again must not keep its buttons disabled.
globalThis.addEventListener("pageshow", () => {
  for (const button of document.querySelectorAll("button[data-label]")) {
    button.disabled = false;
    button.textContent = button.dataset.label;
  }
});
