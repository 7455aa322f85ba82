// The template editor's script (only the template editor loads it). Without it the editor is
// plain textareas and the preview shows what was saved; with it:
// - each part's textarea lies over a copy of its text with handlebars highlighted and line
//   numbers in a gutter, redrawn as you type (no editor library: the console loads nothing
//   from elsewhere and has no build step);
// - the variables beside the editor insert themselves at the cursor;
// - what is typed is checked and rendered by the engine for the chosen customer, a moment
//   after you stop typing (POST /console/template-preview with the session's CSRF token in a
//   header): problems appear beside their part with their line marked, the preview updates.
const form = document.getElementById("template-form");
const picker = document.getElementById("preview-picker");
const views = document.getElementById("preview-views");
const csrf = form?.querySelector("input[name=_csrf]")?.value ?? "";
const editors = [...document.querySelectorAll("textarea[data-code-editor]")];
const DELAY_MS = 400;

// {{!-- comments --}}, {{! comments }}, {{{raw}}}, then any {{mustache}}.
const MUSTACHE = /\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}|\{\{\{[\s\S]*?\}\}\}|\{\{[\s\S]*?\}\}/g;

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function tokenClass(token) {
  if (token.startsWith("{{!")) return "hb-comment";
  if (token.startsWith("{{{")) return "hb-raw";
  if (/^\{\{~?\s*([#/^]|else\b)/.test(token)) return "hb-block";
  return "hb-var";
}

// The text as lines of highlighted HTML, one <span class="ln"> per line (marked: has a problem).
function highlighted(text, marked) {
  const lines = [[]];
  const push = (piece, cls) => {
    piece.split("\n").forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part === "") return;
      const html = escapeHtml(part);
      lines[lines.length - 1].push(cls ? `<span class="${cls}">${html}</span>` : html);
    });
  };
  let at = 0;
  for (const match of text.matchAll(MUSTACHE)) {
    push(text.slice(at, match.index), "");
    push(match[0], tokenClass(match[0]));
    at = match.index + match[0].length;
  }
  push(text.slice(at), "");
  return lines.map((parts, i) =>
    `<span class="${marked.has(i + 1) ? "ln marked" : "ln"}">${parts.join("") || "\u200b"}</span>`
  ).join("");
}

function markedLines(textarea) {
  return new Set(JSON.parse(textarea.dataset.marked ?? "[]"));
}

function redraw(textarea) {
  const code = textarea.parentElement.querySelector(".code-view code");
  if (code) code.innerHTML = highlighted(textarea.value, markedLines(textarea));
}

for (const textarea of editors) {
  const marked = [...textarea.parentElement.querySelectorAll(".ln")]
    .map((line, i) => (line.classList.contains("marked") ? i + 1 : 0)).filter(Boolean);
  textarea.dataset.marked = JSON.stringify(marked);
  textarea.parentElement.classList.add("live");
  redraw(textarea);
  textarea.addEventListener("input", () => redraw(textarea));
}

// Variables go where the cursor was last: in a part's editor or the subject.
let target = editors.find((t) => t.name === "text") ?? editors[0] ?? null;
form?.addEventListener("focusin", (event) => {
  const field = event.target;
  if (field.matches?.("textarea[data-code-editor], input[name$=subject]")) target = field;
});
document.addEventListener("click", (event) => {
  const button = event.target.closest?.("button[data-insert]");
  if (!button || !target || target.readOnly) return;
  const start = target.selectionStart ?? target.value.length;
  target.setRangeText(button.dataset.insert, start, target.selectionEnd ?? start, "end");
  target.focus();
  target.dispatchEvent(new Event("input", { bubbles: true }));
});

// Live problems: each part's list and gutter; problems of other fields in the form's own list.
function showIssues(issues) {
  for (const list of form.querySelectorAll("[data-issues-for]")) {
    const field = list.dataset.issuesFor;
    const own = issues.filter((issue) =>
      field === "*"
        ? !form.querySelector(`[data-issues-for="${CSS.escape(issue.field)}"]`)
        : issue.field === field
    );
    // A problem in a folded locale variant unfolds it.
    if (own.length > 0) list.closest("details")?.setAttribute("open", "");
    list.replaceChildren(...own.map((issue) => {
      const item = document.createElement("li");
      item.className = "error";
      item.textContent = field === "*" ? `${issue.field}: ${issue.message}` : issue.message;
      return item;
    }));
    const input = field === "*" ? null : form.querySelector(`[name="${CSS.escape(field)}"]`);
    if (!input) continue;
    if (own.length > 0) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    input.closest(".field")?.classList.toggle("invalid", own.length > 0);
    if (input.matches("textarea[data-code-editor]")) {
      input.dataset.marked = JSON.stringify(own.map((issue) => issue.line).filter(Boolean));
      redraw(input);
    }
  }
}

// A new template's channel decides its parts: an email's subject and HTML part only for email.
const channelChoice = form?.querySelector("select[name=channel]");
channelChoice?.addEventListener("change", () => {
  for (const part of form.querySelectorAll("[data-email-only]")) {
    part.hidden = channelChoice.value !== "email";
  }
});

// Screen readers hear when the problems change, not the whole preview after every pause.
const status = document.getElementById("preview-status");
function announce(issues) {
  const text = issues.length === 0
    ? "No problems: the preview shows the template as typed."
    : `${issues.length} problem${issues.length === 1 ? "" : "s"}: ${issues[0].message}`;
  if (status && status.textContent !== text) status.textContent = text;
}

let timer = 0;
let sent = 0;
async function refreshPreview() {
  if (!form?.dataset.preview || !views) return;
  const body = new URLSearchParams(new FormData(form));
  body.set("template", form.dataset.template ?? "new");
  if (picker) { for (const [name, value] of new FormData(picker)) body.set(name, value); }
  const number = ++sent;
  views.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(form.dataset.preview, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf },
      body,
    });
    if (number !== sent) return;
    if (!response.ok) {
      views.textContent = response.status === 401 || response.status === 403
        ? "Your session ended or changed: reload the page to see the preview again."
        : "The preview could not be made just now; it tries again as you type.";
      return;
    }
    const answer = await response.json();
    showIssues(answer.issues);
    views.innerHTML = answer.html;
    announce(answer.issues);
  } catch {
    if (number === sent) views.textContent = "The console cannot be reached right now.";
  } finally {
    if (number === sent) views.setAttribute("aria-busy", "false");
  }
}

function later() {
  clearTimeout(timer);
  timer = setTimeout(refreshPreview, DELAY_MS);
}

form?.addEventListener("input", later);
form?.addEventListener("change", later);
picker?.addEventListener("change", later);
picker?.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  refreshPreview();
});

// Customers to pick from, as the picker is typed in.
const customerField = picker?.querySelector("input[name=customer]");
const suggestions = document.getElementById("preview-customers");
let lookup = 0;
async function suggestCustomers() {
  const query = customerField.value;
  const number = ++lookup;
  const response = await fetch(`/console/template-customers?q=${encodeURIComponent(query)}`);
  if (!response.ok || number !== lookup) return;
  const { customers } = await response.json();
  suggestions.replaceChildren(...customers.map((customer) => {
    const option = document.createElement("option");
    option.value = customer.id;
    option.label = customer.name;
    return option;
  }));
}
let suggestTimer = 0;
customerField?.addEventListener("input", () => {
  clearTimeout(suggestTimer);
  suggestTimer = setTimeout(suggestCustomers, 250);
  later();
});
if (customerField && suggestions) suggestCustomers();
