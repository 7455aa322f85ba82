/**
 * The template editor's preview: the message rendered for one customer, as
 * each channel shows it — an email as HTML (in a sandboxed frame: no
 * script runs, nothing reaches the console) and as text, a Slack post, an
 * in-app inbox item, a webhook's markdown. The page renders it on load and
 * the editor's script asks for it again as the template is typed.
 */
import { markdownHtml, slackHtml } from "../template_editor/markup.ts";
import type { TemplatePreview } from "../template_editor/preview.ts";

/** The preview, or why there is none. */
export function PreviewViews(props: { preview: TemplatePreview }) {
  const { preview } = props;
  const { message, customer } = preview;
  if (preview.issues.length > 0) {
    return (
      <p class="preview-note">
        The preview appears once the template has no errors (they are listed beside each part as you
        type, and when you save).
      </p>
    );
  }
  if (!message || !customer) return <p class="preview-note">{preview.problem}</p>;
  return (
    <div class="preview-views">
      <p class="preview-for">
        Rendered for <strong>{customer.name}</strong> (<code>{customer.id}</code>)
        {message.locale ? `, in the ${message.locale} variant` : ""}.
      </p>
      {preview.channel === "email"
        ? (
          <>
            <section class="channel-view" aria-labelledby="view-subject">
              <h3 id="view-subject">Subject</h3>
              <p class="email-subject" data-view="subject">{message.subject}</p>
            </section>
            {message.html === null
              ? null
              : (
                <section class="channel-view" aria-labelledby="view-html">
                  <h3 id="view-html">Email as HTML</h3>
                  <iframe
                    class="email-frame"
                    sandbox=""
                    srcdoc={message.html}
                    title={`The email as HTML, for ${customer.name}`}
                    data-view="html"
                  >
                  </iframe>
                </section>
              )}
            <section class="channel-view" aria-labelledby="view-text">
              <h3 id="view-text">Email as text</h3>
              <pre class="message-text" data-view="text">{message.text}</pre>
            </section>
          </>
        )
        : preview.channel === "slack"
        ? (
          <section class="channel-view" aria-labelledby="view-slack">
            <h3 id="view-slack">Slack</h3>
            <div class="slack-message" data-view="text">
              <p class="slack-sender">Customer success engine</p>
              <div dangerouslySetInnerHTML={{ __html: slackHtml(message.text) }} />
            </div>
          </section>
        )
        : preview.channel === "in-app"
        ? (
          <section class="channel-view" aria-labelledby="view-inbox">
            <h3 id="view-inbox">In-app inbox</h3>
            <article class="inbox-item" data-view="text" aria-label="Inbox message">
              <p class="inbox-meta">New message in the inbox</p>
              <div dangerouslySetInnerHTML={{ __html: markdownHtml(message.text) }} />
            </article>
          </section>
        )
        : (
          <section class="channel-view" aria-labelledby="view-webhook">
            <h3 id="view-webhook">Webhook (markdown)</h3>
            <pre class="message-text" data-view="text">{message.text}</pre>
          </section>
        )}
    </div>
  );
}
