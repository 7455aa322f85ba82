// The rule builder's script, loaded only by its page. Without it the JSON view is the
// editor and every action still works (the server validates everything again). With it:
// the visual editor is in front; adding, removing and regrouping conditions happens in the
// page; the form's one `definition` field is kept in step with the visual editor; and what
// is typed is checked by the engine's own validation (POST /console/rules/validate, after a
// pause in typing), each error shown beside the field its JSON path names.
(() => {
  const form = document.getElementById("rule-form");
  if (!form) return;
  const data = JSON.parse(form.dataset.builder);
  const textarea = form.elements.namedItem("definition");
  const viewField = form.elements.namedItem("view");
  const actionField = form.querySelector("input[type=hidden][name=action]");
  const visual = form.querySelector(".visual-view");
  const jsonView = form.querySelector(".json-view");
  const switcher = form.querySelector(".view-switch");
  const live = document.getElementById("rb-live");
  const tree = document.getElementById("rule-tree");
  const applyButton = form.querySelector("button[value=apply]");
  const editable = document.getElementById("rb-new-condition") !== null;
  // Whether the JSON text was edited since the visual editor last wrote it. A page that opens
  // on the JSON view (its text was not JSON, say) has a visual editor that does not show it.
  let jsonEdited = viewField.value === "json";

  // ---- Views ----
  function show(view) {
    viewField.value = view;
    visual.hidden = view !== "visual";
    jsonView.hidden = view !== "json";
    for (const button of switcher.querySelectorAll("button")) {
      button.setAttribute("aria-pressed", String(button.dataset.view === view));
    }
  }
  switcher.hidden = false;
  show(viewField.value === "json" ? "json" : "visual");
  switcher.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-view]");
    if (!button || button.dataset.view === viewField.value) return;
    if (button.dataset.view === "json") {
      if (editable) sync(false);
      jsonEdited = false;
      show("json");
    } else if (jsonEdited && applyButton) {
      // The server reads the JSON and draws the visual editor from it (or points at the mistake).
      form.requestSubmit(applyButton);
    } else {
      show("visual");
    }
  });

  // ---- Reading the visual editor back into a definition ----
  const field = (path) => visual.querySelector(`[data-field-path="${CSS.escape(path)}"]`);
  const extras = (element) => element.dataset.extras ? JSON.parse(element.dataset.extras) : {};
  // A number when the text is one; otherwise the text, for validation to name.
  function numberOr(text) {
    const trimmed = text.trim();
    if (trimmed === "") return undefined;
    return Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
  }
  function readValue(input, fact) {
    const text = input.value;
    switch (input.dataset.kind) {
      case "number":
        return numberOr(text) ?? "";
      case "list":
        return text.split(",").map((item) => item.trim()).filter((item) => item !== "")
          .map((item) => fact?.type === "number" ? numberOr(item) : item);
      case "boolean":
        return text === "true" ? true : text === "false" ? false : text;
      case "json":
        try {
          return JSON.parse(text);
        } catch {
          return text;
        }
      default:
        return text;
    }
  }
  function readComparison(element) {
    const factName = element.querySelector("select.fact").value;
    return {
      fact: factName,
      operator: element.querySelector("select.operator").value,
      value: readValue(element.querySelector(".value"), data.facts[factName]),
      ...extras(element),
    };
  }
  function readGroup(fieldset) {
    const kind = fieldset.querySelector(":scope > .field > .group-kind").value;
    const items = [...fieldset.querySelector(":scope > ol.items").children].map((li) => {
      const node = li.firstElementChild;
      return node.matches("fieldset.group") ? readGroup(node) : readComparison(node);
    });
    if (kind === "not") {
      return { not: items.length === 1 ? items[0] : { any: items }, ...extras(fieldset) };
    }
    return { [kind]: items, ...extras(fieldset) };
  }
  function readEvent() {
    const type = field("event.type").value.trim();
    if (type !== "intervention") {
      try {
        return { type, params: JSON.parse(field("event.params").value || "{}") };
      } catch {
        return { type, params: field("event.params").value };
      }
    }
    const params = {
      template: field("event.params.template").value,
      channel: field("event.params.channel").value,
    };
    for (const name of ["priority", "cooldownDays", "holdout"]) {
      const value = numberOr(field(`event.params.${name}`).value);
      if (value !== undefined) params[name] = value;
    }
    return { type, params };
  }
  function readDefinition() {
    const definition = {
      conditions: readGroup(tree.querySelector(":scope > fieldset.group")),
      event: readEvent(),
    };
    const priority = numberOr(field("priority").value);
    if (priority !== undefined) definition.priority = priority;
    return definition;
  }
  // Writes the definition into the form's field and, unless told not to, has it checked.
  function sync(check = true) {
    textarea.value = JSON.stringify(readDefinition(), null, 2);
    if (check) schedule();
  }

  // ---- Paths and ids after the tree changed shape ----
  function idOf(path) {
    return "rb-" + path.replace(/[^A-Za-z0-9]+/g, "-").replace(/-$/, "");
  }
  function describe(input) {
    const id = input.id;
    const ids = [`${id}-hint`, `${id}-error`].filter((x) => document.getElementById(x));
    if (ids.length > 0) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }
  function setPath(input, path) {
    const box = input.closest(".field");
    const hint = box.querySelector(".hint");
    box.querySelector(".error")?.remove();
    box.classList.remove("invalid");
    input.removeAttribute("aria-invalid");
    input.dataset.fieldPath = path;
    input.id = idOf(path);
    box.querySelector("label").htmlFor = input.id;
    if (hint) hint.id = `${input.id}-hint`;
    describe(input);
  }
  function renumber(fieldset, path) {
    fieldset.dataset.path = path;
    const kindSelect = fieldset.querySelector(":scope > .field > .group-kind");
    setPath(kindSelect, path);
    const kind = kindSelect.value;
    const items = [...fieldset.querySelector(":scope > ol.items").children];
    items.forEach((li, i) => {
      const childPath = kind !== "not"
        ? `${path}.${kind}[${i}]`
        : items.length === 1
        ? `${path}.not`
        : `${path}.not.any[${i}]`;
      const node = li.firstElementChild;
      if (node.matches("fieldset.group")) return renumber(node, childPath);
      node.dataset.path = childPath;
      for (const input of node.querySelectorAll("[data-field-path]")) {
        setPath(input, `${childPath}.${input.dataset.fieldPath.split(".").pop()}`);
      }
    });
  }
  const renumberAll = () => renumber(tree.querySelector(":scope > fieldset.group"), "conditions");

  // ---- A comparison's operator and value follow its fact ----
  function factHelp(fact, name) {
    if (!fact) return name === "" ? "Choose a fact" : `"${name}" is not a fact of the catalog`;
    return `${fact.description}${fact.unit ? ` (${fact.unit})` : ""}; ${fact.type}`;
  }
  // The same choice as the server's valueKind (rule_builder/model.ts).
  function kindOf(fact, operator, input) {
    if (input.dataset.kind === "json" && input.value.trim().startsWith("{")) return "json";
    if (operator === "in" || operator === "notIn") return "list";
    if (fact?.type === "boolean") return "boolean";
    if (fact?.values?.length > 0) return "choice";
    if (fact?.type === "number") return "number";
    return "text";
  }
  function setHint(input, text) {
    const box = input.closest(".field");
    let hint = box.querySelector(".hint");
    if (!text) {
      hint?.remove();
    } else {
      if (!hint) {
        hint = document.createElement("p");
        hint.className = "hint";
        hint.id = `${input.id}-hint`;
        input.after(hint);
      }
      hint.textContent = text;
    }
    describe(input);
  }
  function updateValue(comparison) {
    const fact = data.facts[comparison.querySelector("select.fact").value];
    const operator = comparison.querySelector("select.operator").value;
    const old = comparison.querySelector(".value");
    const kind = kindOf(fact, operator, old);
    if (kind === old.dataset.kind && kind !== "choice") return;
    let input;
    if (kind === "boolean" || kind === "choice") {
      const choices = kind === "boolean" ? ["true", "false"] : fact.values;
      input = document.createElement("select");
      input.append(...choices.map((choice) => new Option(choice, choice)));
      if (choices.includes(old.value)) input.value = old.value;
    } else {
      input = document.createElement("input");
      input.type = "text";
      if (kind === "number") input.inputMode = "decimal";
      input.value = old.dataset.kind === "list" && kind !== "list"
        ? old.value.split(",")[0].trim()
        : old.value;
    }
    input.className = "value";
    input.dataset.kind = kind;
    input.dataset.fieldPath = old.dataset.fieldPath;
    input.id = old.id;
    old.replaceWith(input);
    setHint(input, kind === "list" ? "Separate values with commas" : "");
  }
  function factChanged(select) {
    const comparison = select.closest(".comparison");
    const fact = data.facts[select.value];
    setHint(select, factHelp(fact, select.value));
    const operatorSelect = comparison.querySelector("select.operator");
    const offered = fact ? data.operators[fact.type] : data.all;
    const current = operatorSelect.value;
    operatorSelect.replaceChildren(...offered.map((op) => new Option(data.labels[op] ?? op, op)));
    operatorSelect.value = offered.includes(current) ? current : offered[0];
    updateValue(comparison);
  }

  // ---- Editing ----
  function eventTypeChanged() {
    const intervention = field("event.type").value.trim() === "intervention";
    visual.querySelector(".intervention").hidden = !intervention;
    visual.querySelector(".event-params").hidden = intervention;
  }
  if (editable) {
    visual.addEventListener("change", (event) => {
      const target = event.target;
      if (target.matches("select.fact")) factChanged(target);
      else if (target.matches("select.operator")) updateValue(target.closest(".comparison"));
      else if (target.matches(".group-kind")) renumberAll();
      else if (target.dataset.fieldPath === "event.type") eventTypeChanged();
      sync();
    });
    visual.addEventListener("input", () => sync());
    visual.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-act]");
      if (!button) return;
      const act = button.dataset.act;
      if (act === "remove") {
        const item = button.closest("li.item");
        const next = item.closest("fieldset.group").querySelector("button[data-act=add-condition]");
        item.remove();
        next.focus();
      } else {
        const template = document.getElementById(
          act === "add-group" ? "rb-new-group" : "rb-new-condition",
        );
        const list = button.closest("fieldset.group").querySelector(":scope > ol.items");
        list.append(template.content.cloneNode(true));
        list.lastElementChild.querySelector("select").focus();
      }
      renumberAll();
      sync();
    });
    textarea.addEventListener("input", () => {
      jsonEdited = true;
      schedule();
    });
  }
  form.addEventListener("submit", (event) => {
    if (editable && viewField.value === "visual") sync(false);
    // console.js disables the first button while a form is sent, and a disabled button's
    // value is not sent: the action rides in a hidden field instead.
    if (event.submitter?.value) actionField.value = event.submitter.value;
  });

  // ---- Validation as you type ----
  let timer;
  let asked = 0;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(validate, 400);
  }
  async function validate() {
    const mine = ++asked;
    const body = new URLSearchParams({
      _csrf: form.elements.namedItem("_csrf").value,
      _page: form.elements.namedItem("_page").value,
      definition: textarea.value,
    });
    let answer;
    try {
      const response = await fetch("/console/rules/validate", { method: "POST", body });
      if (!(response.headers.get("content-type") ?? "").includes("json")) {
        live.textContent = response.status === 401
          ? "Your session has ended: save the form to sign in again (what you typed is kept)."
          : "The rule could not be checked just now; saving checks it again.";
        return;
      }
      answer = await response.json();
    } catch {
      live.textContent = "The rule could not be checked just now; saving checks it again.";
      return;
    }
    if (mine !== asked) return;
    showParseError(answer.parseError);
    showIssues(answer.parseError ? [] : answer.issues);
  }
  function showParseError(problem) {
    const error = document.getElementById("f-definition-error");
    error.hidden = !problem;
    error.textContent = problem ? problem.message : "";
    textarea.closest(".field").classList.toggle("invalid", Boolean(problem));
    if (problem) textarea.setAttribute("aria-invalid", "true");
    else textarea.removeAttribute("aria-invalid");
    if (problem) live.textContent = problem.message;
  }
  const parentOf = (path) => path.replace(/(\[\d+\]|\.?[^.[\]]+)$/, "");
  // The visible input an error's path names, or the nearest one above it.
  function inputFor(path) {
    for (let p = path; p !== ""; p = parentOf(p)) {
      const quoted = CSS.escape(p);
      const found = [
        ...visual.querySelectorAll(`[data-field-path="${quoted}"]`),
        ...visual.querySelectorAll(`[data-path="${quoted}"] [data-field-path]`),
      ].find((input) => !input.closest("[hidden]"));
      if (found) return found;
    }
    return null;
  }
  function showIssues(issues) {
    // What the last submit found is out of date once the rule is checked again.
    document.getElementById("rule-summary")?.remove();
    for (const error of visual.querySelectorAll(".error")) error.remove();
    for (const input of visual.querySelectorAll("[aria-invalid]")) {
      input.removeAttribute("aria-invalid");
      input.closest(".field").classList.remove("invalid");
      describe(input);
    }
    const elsewhere = [];
    for (const issue of issues) {
      const input = inputFor(issue.path);
      if (!input) {
        elsewhere.push(`${issue.path}: ${issue.message}`);
        continue;
      }
      if (document.getElementById(`${input.id}-error`)) continue;
      const error = document.createElement("p");
      error.className = "error";
      error.id = `${input.id}-error`;
      error.textContent = issue.message;
      input.closest(".field").append(error);
      input.closest(".field").classList.add("invalid");
      input.setAttribute("aria-invalid", "true");
      describe(input);
    }
    live.textContent = issues.length === 0
      ? "No problems: the rule is valid."
      : `${issues.length} problem${issues.length === 1 ? "" : "s"} to correct` +
        (viewField.value === "json"
          ? `: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`
          : `, each shown beside its field. ${elsewhere.join("; ")}`);
  }
})();
