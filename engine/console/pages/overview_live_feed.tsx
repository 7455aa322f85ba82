/**
 * The overview's live feed: the dashboard plugin's WebSocket feed of domain
 * events, opened by static/live_feed.js with the console session (no API
 * token: engine/console/feed_session.ts). Without the script, or when the
 * plugin does not run, the section says what to do instead.
 */

/** The live feed section; `running` tells whether the dashboard plugin runs. */
export function LiveFeed(props: { running: boolean }) {
  if (!props.running) {
    return (
      <p>
        The dashboard plugin is not running in this engine, so there is no live feed. An admin
        enables it with <code>PUT /api/v1/plugins/dashboard</code> (see docs/plugins.md).
      </p>
    );
  }
  return (
    <section class="live-feed" data-feed="/plugins/dashboard/ws" aria-labelledby="live-feed-status">
      <p id="live-feed-status" role="status">
        The live feed needs JavaScript: with it, events appear here as they happen.
      </p>
      <dl class="live-metrics" hidden></dl>
      <ol class="live-events" aria-label="Latest events, newest first"></ol>
    </section>
  );
}
