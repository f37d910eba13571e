// Child process of bench/fanout.ts: one broadcast server (our hub + /ws, a naive `ws` broadcast,
// or plain socket.io) on 127.0.0.1, driven over IPC so its CPU and memory are its own.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import { Server as SocketIoServer } from "socket.io";
import { WebSocketServer } from "ws";
import { HUB_AUDIENCE, signToken, TokenVerifier } from "../apps/server/src/realtime/auth";
import { fanoutStages } from "../apps/server/src/realtime/fanout-trace";
import { Hub } from "../apps/server/src/realtime/hub";
import { attachSignalrTransport } from "../apps/server/src/realtime/transports/signalr";
import { attachSocketIoTransport } from "../apps/server/src/realtime/transports/socketio";
import { attachWsTransport } from "../apps/server/src/realtime/transports/ws";
import { textFrame } from "../apps/server/src/realtime/transports/ws-protocol";
import type { Protocol } from "./fanout-raw-client";
import { startProfile } from "./lib/cpu-profile";
import { benchTrade, reply } from "./lib/fanout";

type Command =
  | { cmd: "mem" }
  | {
      cmd: "run";
      /** relay: a worker of fanout-cluster-server.ts, publishing what its primary sends until `stop`. */
      mode: "rate" | "saturate" | "relay";
      publishesPerSecond: number;
      seconds: number;
      symbols: number;
      /** Saturate mode: publications per round, as one upstream frame carries trades for several symbols. */
      batch: number;
      /** Take a CPU profile of this phase and reply with its top self-time functions. */
      profile?: boolean;
    }
  | { cmd: "publish"; trade: ReturnType<typeof benchTrade> }
  | { cmd: "stop" }
  | { cmd: "close" };

/** hub-queued: our hub over /ws with direct writes off (bench/fanout.ts compares both in one run). */
const protocol = process.argv[2] as Protocol | "hub-queued";
const secret = "bench-secret-0123456789abcdef0123456789";
const authenticate = new TokenVerifier({ secrets: [secret] }).forAudience(HUB_AUDIENCE);
const inServer: number[] = [];
/** The hub's per-stage durations (ms) of each publication in this run. */
const stages = new Map<string, number[]>();
let onFanoutDone: (() => void) | null = null;

const server = createServer((_req, res) => res.writeHead(404).end());
let publish: (symbol: string, offset: number) => void;
/** The hub's entry point for a trade built elsewhere (a cluster primary); hub servers only. */
let publishTrade: ((trade: ReturnType<typeof benchTrade>) => void) | null = null;
let stopRelay: (() => void) | null = null;

const ourHub = protocol.startsWith("hub");
if (ourHub) {
  const hub = new Hub({
    directWrites: protocol !== "hub-queued",
    onFanoutComplete: (ms) => {
      inServer.push(ms);
      onFanoutDone?.();
    },
    onFanoutTrace: (trace) => {
      for (const [stage, ms] of Object.entries(fanoutStages(trace))) {
        let values = stages.get(stage);
        if (values === undefined) stages.set(stage, (values = []));
        values.push(ms);
      }
    },
  });
  const limits = { authenticate, connectRatePerIp: 0, maxConnectionsPerIp: 0, maxConnections: 20_000 };
  // One transport per run, so each row measures one framing of the same hub.
  if (protocol === "hub" || protocol === "hub-queued")
    attachWsTransport(server, hub, { ...limits, heartbeatIntervalMs: 0 });
  else if (protocol === "hub-signalr")
    attachSignalrTransport(server, hub, { ...limits, keepAliveIntervalMs: 0 });
  else attachSocketIoTransport(server, hub, { ...limits, allowPolling: false });
  publishTrade = (trade) => void hub.publish(`lines:${trade.symbol}`, trade);
  publish = (symbol, offset) => publishTrade!(benchTrade(symbol, offset));
} else if (protocol === "naive") {
  const wss = new WebSocketServer({ server, path: "/naive", perMessageDeflate: false });
  publish = (symbol, offset) => {
    const started = performance.now();
    const data = benchTrade(symbol, offset);
    // The pattern we replace: serialise per client, inside the loop.
    for (const client of wss.clients) client.send(JSON.stringify(tickMessage(symbol, offset, data)));
    inServer.push(performance.now() - started);
  };
} else if (protocol === "floor") {
  // Not a server anyone would ship: one pre-built frame, written to every socket, no queues, no
  // checks. What a broadcast costs here before any server logic: the per-socket system call.
  const wss = new WebSocketServer({ server, path: "/naive", perMessageDeflate: false });
  publish = (symbol, offset) => {
    const started = performance.now();
    const frame = textFrame(
      Buffer.from(JSON.stringify(tickMessage(symbol, offset, benchTrade(symbol, offset)))),
    );
    for (const client of wss.clients) (client as unknown as { _socket: Socket })._socket.write(frame);
    inServer.push(performance.now() - started);
  };
} else {
  const io = new SocketIoServer(server, {
    transports: ["websocket"],
    serveClient: false,
    perMessageDeflate: false,
  });
  publish = (symbol, offset) => {
    const started = performance.now();
    io.emit("tick", tickMessage(symbol, offset, benchTrade(symbol, offset)));
    inServer.push(performance.now() - started);
  };
}

/** The /ws tick message the baselines send, built the way each of them would. */
function tickMessage(symbol: string, offset: number, data: ReturnType<typeof benchTrade>) {
  return { type: "tick", channel: `lines:${symbol}`, offset, epoch: "e", publishedAt: Date.now(), data };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function run(command: Extract<Command, { cmd: "run" }>): Promise<void> {
  inServer.length = 0;
  stages.clear();
  const stopProfile = command.profile === true ? await startProfile() : null;
  const symbols = Array.from({ length: command.symbols }, (_, i) => `S${i}`);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const end = started + command.seconds * 1000;
  let published = 0;
  let peakRss = 0;
  if (command.mode === "relay") {
    await new Promise<void>((resolve) => (stopRelay = resolve));
  } else if (command.mode === "rate") {
    // Catch up on due publications every 5 ms instead of trusting timer precision.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = performance.now();
        const due = Math.floor(((now - started) / 1000) * command.publishesPerSecond);
        while (published < due) publish(symbols[published % symbols.length]!, published++);
        if (now >= end) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
  } else {
    // Closed loop: the next round once the previous one reached every client (or was written). A
    // round is `batch` publications on distinct symbols, as one upstream frame carries trades for
    // several symbols at once.
    const batch = Math.max(1, command.batch);
    while (performance.now() < end) {
      let remaining = ourHub ? batch : 0;
      const done =
        remaining === 0
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              onFanoutDone = () => {
                remaining -= 1;
                if (remaining === 0) resolve();
              };
            });
      for (let i = 0; i < batch; i++) publish(symbols[published % symbols.length]!, published++);
      await done;
      await new Promise((resolve) => setImmediate(resolve));
      if (published % 50 < batch) {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (peakRss > 1.5 * 1024 ** 3) break; // unbounded buffers (the baselines) would take the box down
      }
    }
    onFanoutDone = null;
  }
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const profile = stopProfile === null ? undefined : await stopProfile();
  reply({
    cmd: "ran",
    published,
    seconds: wall / 1000,
    inServerP50: percentile(inServer, 50),
    inServerP99: percentile(inServer, 99),
    cpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    rss: process.memoryUsage().rss,
    stages: Object.fromEntries(
      [...stages].map(([stage, values]) => [
        stage,
        { p50: percentile(values, 50), p99: percentile(values, 99) },
      ]),
    ),
    profile,
  });
}

process.on("message", (command: Command) => {
  if (command.cmd === "mem") {
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    reply({ cmd: "mem", rss: memory.rss, heapUsed: memory.heapUsed });
  } else if (command.cmd === "run") {
    void run(command);
  } else if (command.cmd === "publish") {
    publishTrade?.(command.trade);
  } else if (command.cmd === "stop") {
    stopRelay?.();
  } else {
    server.closeAllConnections();
    server.close();
    setImmediate(() => process.exit(0));
  }
});

server.listen(0, "127.0.0.1", () => {
  void signToken({ secret, sub: "bench", ttl: "2h" }).then((token) =>
    reply({ cmd: "listening", port: (server.address() as AddressInfo).port, token }),
  );
});
