/**
 * The in-app channel: each intervention stored in the customer's inbox,
 * which the product reads through the engine's API
 * (`GET /api/v1/customers/{id}/inbox`). Stored once per dedup key, so a
 * retried send is harmless.
 */
import { isEngineError } from "../../engine/errors.ts";
import {
  type Channel,
  DeliveryError,
  type EngineAccess,
  type OutgoingMessage,
} from "../../engine/plugins/mod.ts";

/** Makes the in-app channel over the engine's inbox. */
export function createInAppChannel(inbox: EngineAccess["inbox"]): Channel {
  return {
    id: "in-app",
    kind: "in-app",
    async send(message: OutgoingMessage) {
      try {
        const { id } = await inbox.deliver(message);
        return { status: "delivered", providerMessageId: String(id) };
      } catch (error) {
        if (isEngineError(error, "CUSTOMER_NOT_FOUND")) {
          throw new DeliveryError(`Cannot deliver to the inbox: ${error.message}`, {
            retriable: false,
            cause: error,
          });
        }
        // The database being away is the usual cause: it comes back.
        const reason = error instanceof Error ? error.message : String(error);
        throw new DeliveryError(`Cannot store the message in the inbox: ${reason}`, {
          retriable: true,
          cause: error,
        });
      }
    },
  };
}
