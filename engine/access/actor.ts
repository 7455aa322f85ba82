/** Who a request acts as: a token, a local command, or the engine itself. */
import type { Role } from "./roles.ts";

/** The actor of a request or change. */
export interface Actor {
  /** How it is written in audit entries: `token:12 (ci-bot)`, `local:command`, `system`. */
  id: string;
  role: Role;
  /** The token id, for per-token rate limiting and last use; null for local actors. */
  tokenId: number | null;
}

/** The actor of a token. */
export function tokenActor(token: { id: number; name: string; role: Role }): Actor {
  return { id: `token:${token.id} (${token.name})`, role: token.role, tokenId: token.id };
}

/** The engine acting on its own (schedules, start-up). */
export const systemActor: Actor = { id: "system", role: "admin", tokenId: null };

/** The actor of a console user: `user:3 (ana@example.com)`. */
export function userActor(user: { id: number; email: string; role: Role }): Actor {
  return { id: `user:${user.id} (${user.email})`, role: user.role, tokenId: null };
}
