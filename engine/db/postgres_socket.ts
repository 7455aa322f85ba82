/**
 * The engine's connections to PostgreSQL, with Nagle's algorithm off
 * (TCP_NODELAY), as libpq sets it. postgres.js leaves it on, and a COPY ends
 * with two writes, the rows and then the small CopyDone message: the kernel
 * held that message back until the server acknowledged the rows, which
 * Linux delays by up to 40 ms. Every COPY then cost 40 ms more than its work
 * (bench/README.md, "Churn prediction").
 */
import net from "node:net";

/** The connection options postgres.js hands its `socket` function. */
export interface SocketTarget {
  host: string[];
  port: number[];
  /** A Unix-domain socket, when the host is a directory. */
  path?: string | false;
}

/** Opens a connected socket to the first of `target`'s hosts, or fails after `timeoutSeconds`. */
export function connectSocket(target: SocketTarget, timeoutSeconds: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = target.path
      ? net.connect(target.path)
      : net.connect(target.port[0] ?? 5432, target.host[0] ?? "localhost");
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error("connection timed out"), { code: "CONNECT_TIMEOUT" }));
    }, timeoutSeconds * 1000);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", failed);
      if (!target.path) socket.setNoDelay(true);
      resolve(socket);
    });
    const failed = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once("error", failed);
  });
}
