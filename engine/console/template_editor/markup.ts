/**
 * How a rendered message looks where it arrives, as HTML for the preview:
 * Slack's mrkdwn (`*bold*`, `_italic_`, `<url|label>`) and the markdown of
 * in-app messages (`**bold**`, `[label](url)`, `## heading`, `- item`).
 * Only the few marks our templates use; everything is escaped first and
 * only http(s) links become links, so a customer's name cannot inject
 * markup into the console.
 */

/** `text` with `&`, `<`, `>`, `"` and `'` escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const URL_PATTERN = "https?://[^\\s|&]*(?:&#38;[^\\s|&]*)*";

/** Slack's mrkdwn as HTML. */
export function slackHtml(text: string): string {
  return escapeHtml(text)
    .replace(new RegExp(`&#60;(${URL_PATTERN})\\|([^&]*?)&#62;`, "g"), '<a href="$1">$2</a>')
    .replace(new RegExp(`&#60;(${URL_PATTERN})&#62;`, "g"), '<a href="$1">$1</a>')
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, "$1<strong>$2</strong>")
    .replace(/(^|[\s(])_([^_\n]+)_/g, "$1<em>$2</em>")
    .replace(/(^|[\s(])~([^~\n]+)~/g, "$1<del>$2</del>")
    .replace(/`([^`\n]+)`/g, "<code>$1</code>")
    .replace(/\n/g, "<br>");
}

/** Markdown as HTML: paragraphs, headings, list items, bold, italic and links. */
export function markdownHtml(text: string): string {
  return text.split(/\n{2,}/).filter((block) => block.trim() !== "").map((block) => {
    const lines = block.split("\n").map((line) => inline(escapeHtml(line)));
    const heading = /^#{1,6} (.*)$/.exec(lines[0] ?? "");
    if (heading && lines.length === 1) return `<p><strong>${heading[1]}</strong></p>`;
    if (lines.every((line) => /^\s*[-*] /.test(line))) {
      return `<ul>${
        lines.map((line) => `<li>${line.replace(/^\s*[-*] /, "")}</li>`).join("")
      }</ul>`;
    }
    return `<p>${lines.join("<br>")}</p>`;
  }).join("");
}

function inline(line: string): string {
  return line
    .replace(new RegExp(`\\[([^\\]]+)\\]\\((${URL_PATTERN})\\)`, "g"), '<a href="$2">$1</a>')
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[\s(])_([^_]+)_/g, "$1<em>$2</em>");
}
