/**
 * Who calls a plugin's route. The engine checks the caller's token before a
 * request reaches a plugin, and hands the plugin the caller's id and role,
 * never the token: in the X-Actor-Id and X-Actor-Role headers (set only by
 * the engine; a client's own are replaced), and, for a WebSocket upgrade that
 * must arrive as the server received it, beside the request.
 */

/** The caller of a plugin route. */
export interface RequestActor {
  id: string;
  role: string;
}

const upgrades = new WeakMap<Request, RequestActor>();

/** Records the caller of a request that reaches the plugin unchanged (a WebSocket upgrade). */
export function setRequestActor(request: Request, actor: RequestActor): void {
  upgrades.set(request, actor);
}

/** The caller the engine checked, or null (a request that did not come through the engine). */
export function requestActor(request: Request): RequestActor | null {
  const recorded = upgrades.get(request);
  if (recorded) return recorded;
  const id = request.headers.get("x-actor-id");
  const role = request.headers.get("x-actor-role");
  return id && role ? { id, role } : null;
}
