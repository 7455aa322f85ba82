import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { customer } from "../../helpers/fixtures.ts";

const BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.2", "0.5", "1", "2.5", "5", "10"];

Deno.test("GET /metrics shows request latency by method, route pattern and status, in the Prometheus format", async () => {
  await withApi(async (api) => {
    const { id: _id, ...fields } = customer("sup_0000001");
    assertEquals((await api.call("PUT", "/api/v1/customers/sup_0000001", fields)).status, 201);
    assertEquals((await api.call("GET", "/api/v1/customers/sup_0000001")).status, 200);
    assertEquals((await api.call("GET", "/api/v1/customers/sup_0000001")).status, 200);
    assertEquals((await api.call("GET", "/api/v1/customers/nobody")).status, 404);
    assertEquals((await api.call("GET", "/api/v1/no-such-route/123")).status, 404);

    const response = await api.call("GET", "/metrics");
    assertEquals(response.status, 200);
    assertEquals(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const text: string = response.body;
    const route = 'method="GET",route="/api/v1/customers/{id}"';
    assert(text.includes(`cs_http_requests_total{${route},status="200"} 2\n`), text);
    assert(text.includes(`cs_http_requests_total{${route},status="404"} 1\n`), text);
    assert(
      text.includes(
        'cs_http_requests_total{method="PUT",route="/api/v1/customers/{id}",status="201"} 1\n',
      ),
    );
    assert(
      text.includes('cs_http_requests_total{method="GET",route="unmatched",status="404"} 1\n'),
    );
    assertMatch(text, /# TYPE cs_http_request_duration_seconds histogram\n/);
    const buckets = text.split("\n").filter((line) =>
      line.startsWith(`cs_http_request_duration_seconds_bucket{${route},status="200"`)
    );
    assertEquals(
      buckets.map((line) => /le="([^"]+)"/.exec(line)?.[1]),
      [...BUCKETS, "+Inf"],
    );
    assertEquals(buckets.at(-1)?.endsWith(" 2"), true);
    assertMatch(
      text,
      new RegExp(`cs_http_request_duration_seconds_count\\{${route},status="200"\\} 2\n`),
    );
    assertMatch(
      text,
      new RegExp(`cs_http_request_duration_seconds_sum\\{${route},status="200"\\} [0-9.e-]+\n`),
    );
    // Raw paths (and the ids in them) never become label values.
    assert(!text.includes("sup_0000001") && !text.includes("nobody"), "no ids in labels");
  });
});

Deno.test("GET /metrics needs a token with read:metrics, and counts the refusal too", async () => {
  await withApi(async (api) => {
    const anonymous = await api.call("GET", "/metrics", undefined, { authorization: "" });
    assertEquals(anonymous.status, 401);
    const analyst = await api.call("GET", "/metrics", undefined, {
      authorization: `Bearer ${api.tokens["success-analyst"]}`,
    });
    assertEquals(analyst.status, 200);
    assert(
      (analyst.body as string).includes(
        'cs_http_requests_total{method="GET",route="/metrics",status="401"} 1\n',
      ),
      analyst.body,
    );
  });
});

Deno.test("GET /metrics is in the OpenAPI document as text/plain", async () => {
  await withApi(async (api) => {
    const document = (await api.call("GET", "/api/v1/openapi.json")).body;
    const operation = document.paths["/metrics"].get;
    assertEquals(Object.keys(operation.responses["200"].content), ["text/plain"]);
    assertEquals(operation["x-permission"], "read:metrics");
  });
});
