// The overview's live feed (engine/console/pages/overview_live_feed.tsx): the
// dashboard plugin's WebSocket, opened with the console session, its events
// shown newest first in words and its metrics kept current. A lost connection
// is retried with backoff and says so, so a quiet list never looks live when
// it is not.
const section = document.querySelector("[data-feed]");
if (section) connectFeed(section);

function connectFeed(section) {
  const status = section.querySelector("#live-feed-status");
  const events = section.querySelector(".live-events");
  const metrics = section.querySelector(".live-metrics");
  const url = new URL(section.dataset.feed, location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  const shown = 20;
  let received = 0;
  let wait = 1000;

  const open = () => {
    status.textContent = "Connecting to the live feed…";
    const socket = new WebSocket(url);
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "hello") {
        wait = 1000;
        status.textContent = `Live since ${clock(data.serverTime)} UTC: events appear here as ` +
          "they happen.";
        showMetrics(metrics, data.metrics);
      } else if (data.type === "event") {
        received++;
        status.textContent = `Live: ${received} event(s) since this page opened, the latest at ` +
          `${clock(data.event.occurredAt)} UTC.`;
        events.prepend(eventItem(data.event));
        while (events.children.length > shown) events.lastElementChild.remove();
      } else if (data.type === "delta") {
        for (const change of data.changes) setMetric(metrics, change.metric, change.value);
      }
    });
    socket.addEventListener("close", (event) => {
      const why = event.code === 1006
        ? "the connection was lost"
        : event.reason || `code ${event.code}`;
      status.textContent = `The live feed is disconnected (${why}); connecting again in ` +
        `${Math.round(wait / 1000)} s.`;
      setTimeout(open, wait);
      wait = Math.min(wait * 2, 30_000);
    });
  };
  open();
}

const metricLabels = {
  atRiskCustomers: "At-risk customers",
  averageHealth: "Average health",
  likelyToChurn: "Likely to churn",
  customersAdded: "Customers added",
  milestonesAchieved: "Milestones achieved",
  rulesFired: "Rules fired",
  interventionsPlanned: "Interventions planned",
  interventionsSent: "Interventions sent",
  interventionsFailed: "Interventions failed",
};

function showMetrics(list, values) {
  list.replaceChildren();
  for (const [name, label] of Object.entries(metricLabels)) {
    const term = document.createElement("dt");
    term.textContent = label;
    const value = document.createElement("dd");
    value.dataset.metric = name;
    const pair = document.createElement("div");
    pair.append(term, value);
    list.append(pair);
    setMetric(list, name, values[name]);
  }
  list.hidden = false;
}

function setMetric(list, name, value) {
  const cell = list.querySelector(`[data-metric="${name}"]`);
  if (!cell) return;
  cell.textContent = value === null || value === undefined
    ? "—"
    : Number.isInteger(value)
    ? String(value)
    : value.toFixed(1);
}

// What happened, in words; the customer links to their page.
function eventItem(event) {
  const item = document.createElement("li");
  const time = document.createElement("time");
  time.dateTime = event.occurredAt;
  time.textContent = clock(event.occurredAt);
  item.append(time, " ");
  if (event.customerId) {
    const link = document.createElement("a");
    link.href = `/console/customers/${encodeURIComponent(event.customerId)}`;
    link.textContent = event.customerId;
    item.append(link, ": ");
  }
  item.append(describe(event.type, event.payload ?? {}));
  return item;
}

function describe(type, p) {
  switch (type) {
    case "health.changed":
      return p.previousScore === null || p.previousScore === undefined
        ? `health scored ${round(p.score)}`
        : `health ${round(p.previousScore)} → ${round(p.score)}`;
    case "churn.predicted":
      return `churn probability ${Math.round(p.probability * 100)}%`;
    case "rule.fired":
      return `rule ${p.ruleId} fired` +
        (p.intervention ? ` (${p.intervention.templateId} by ${p.intervention.channel})` : "");
    case "milestone.achieved":
      return `milestone ${p.milestone} achieved`;
    case "intervention.planned":
      return `intervention planned (${p.templateId ?? p.ruleId ?? "rule"})`;
    case "intervention.sent":
      return `intervention sent by ${p.channel ?? "its channel"}`;
    case "intervention.failed":
      return `intervention failed${p.error ? `: ${p.error}` : ""}`;
    case "customer.updated":
      return p.created ? "customer added" : "customer updated";
    default:
      return type;
  }
}

const round = (value) => typeof value === "number" ? Math.round(value) : "?";
const clock = (iso) => String(iso).slice(11, 16);
