// Child process of bench/fanout.ts: holds N raw WebSocket clients and reports what they received.
import type { Socket } from "node:net";
import { openRawClient, type Protocol, type RawClientStats } from "./fanout-raw-client";
import { reply } from "./lib/fanout";

type Command =
  | { cmd: "connect"; port: number; protocol: Protocol; count: number; token: string }
  | { cmd: "reset" }
  | { cmd: "report" }
  | { cmd: "close" };

const stats: RawClientStats = { received: 0, latencies: new Float64Array(4_000_000), latencyCount: 0 };
let sockets: Socket[] = [];

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function connectAll(port: number, protocol: Protocol, count: number, token: string): Promise<void> {
  // A few hundred handshakes in flight at a time: the listen backlog is finite.
  const batch = 200;
  for (let first = 0; first < count; first += batch) {
    const size = Math.min(batch, count - first);
    await new Promise<void>((resolve, reject) => {
      let ready = 0;
      for (let i = 0; i < size; i++) {
        sockets.push(
          openRawClient(
            port,
            protocol,
            stats,
            token,
            () => {
              if (++ready === size) resolve();
            },
            reject,
          ),
        );
      }
    });
  }
}

process.on("message", (message: Command) => {
  switch (message.cmd) {
    case "connect":
      connectAll(message.port, message.protocol, message.count, message.token).then(
        () => reply({ cmd: "connected", count: sockets.length }),
        (error: Error) => reply({ cmd: "failed", error: error.message, connected: sockets.length }),
      );
      return;
    case "reset":
      stats.received = 0;
      stats.latencyCount = 0;
      reply({ cmd: "reset" });
      return;
    case "report": {
      const sorted = stats.latencies.slice(0, stats.latencyCount).sort();
      reply({
        cmd: "report",
        received: stats.received,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        samples: sorted.length,
      });
      return;
    }
    case "close":
      for (const socket of sockets) socket.destroy();
      sockets = [];
      reply({ cmd: "closed" });
      setImmediate(() => process.exit(0));
      return;
  }
});
reply({ cmd: "up" });
