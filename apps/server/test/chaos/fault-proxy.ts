import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * How the proxy treats connections, current and new:
 * - `pass`: bytes flow both ways.
 * - `blackhole`: nothing is forwarded either way and nothing is closed (a dead route: data and pongs vanish).
 * - `half-open`: the upstream side is gone (its server saw a close), the client's socket stays
 *   established with no FIN; what the client sends is swallowed.
 * - `reset`: every connection is reset (RST), and so is each new one.
 */
export type ProxyMode = "pass" | "blackhole" | "half-open" | "reset";

interface Pair {
  client: Socket;
  upstream: Socket | null;
}

/** A TCP fault injector on port 0 between a client and its upstream (faults from outside the code). */
export class FaultProxy {
  private readonly server: Server;
  private readonly pairs = new Set<Pair>();
  private mode: ProxyMode = "pass";
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
    return this.port;
  }

  /** Applies `mode` to every open connection now, and to new ones until changed. */
  set(mode: ProxyMode): void {
    const previous = this.mode;
    this.mode = mode;
    for (const pair of [...this.pairs]) {
      if (mode === "reset") this.reset(pair);
      else if (mode === "half-open") this.dropUpstream(pair);
      else if (mode === "blackhole") this.freeze(pair);
      else if (previous !== "pass") this.reset(pair); // a healed route: the stale connections die
    }
  }

  async close(): Promise<void> {
    for (const pair of [...this.pairs]) this.reset(pair);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on("error", () => undefined);
    if (this.mode === "reset") {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: null };
    this.pairs.add(pair);
    client.on("close", () => this.forget(pair));
    if (this.mode !== "pass") {
      client.on("data", () => undefined); // swallowed: the route is dead
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    pair.upstream = upstream;
    upstream.on("error", () => undefined);
    upstream.on("close", () => {
      if (this.mode === "pass") client.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private freeze(pair: Pair): void {
    pair.client.unpipe();
    pair.upstream?.unpipe();
    pair.client.removeAllListeners("data");
    pair.client.on("data", () => undefined);
    pair.upstream?.removeAllListeners("data");
    pair.upstream?.on("data", () => undefined);
  }

  private dropUpstream(pair: Pair): void {
    this.freeze(pair);
    pair.upstream?.destroy();
    pair.upstream = null;
  }

  private reset(pair: Pair): void {
    pair.upstream?.destroy();
    pair.client.resetAndDestroy();
    this.forget(pair);
  }

  private forget(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.upstream?.destroy();
  }
}
