// The script every console page loads, and optional: pages work without it. A form being
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
// A page that takes long to come (a slow database) says so after half a second, instead of
// the old page looking as if the click did nothing. The banner goes when the new page shows.
let slowNavigation;
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) {
    return;
  }
  const url = new URL(link.href, location.href);
  if (
    url.origin !== location.origin || link.target || url.hash && url.pathname === location.pathname
  ) {
    return;
  }
  clearTimeout(slowNavigation);
  slowNavigation = setTimeout(showLoading, 500);
});
// Any form, GET (filters) as well as POST.
document.addEventListener("submit", () => {
  clearTimeout(slowNavigation);
  slowNavigation = setTimeout(showLoading, 500);
});
globalThis.addEventListener("pageshow", () => {
  clearTimeout(slowNavigation);
  document.querySelector(".page-loading")?.remove();
});

function showLoading() {
  if (document.querySelector(".page-loading")) return;
  const banner = document.createElement("p");
  banner.className = "page-loading";
  banner.setAttribute("role", "status");
  banner.textContent = "Loading… the engine is taking a moment to answer.";
  document.body.append(banner);
}
