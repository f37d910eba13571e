// Child process of bench/fanout-replicas.ts: one realtime replica (ROLE=realtime in miniature):
// NATS bus → publishMarketData → Hub → /ws, exactly the production path of a scaled replica.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { NatsBus } from "../apps/server/src/bus";
import { systemClock } from "../apps/server/src/clock";
import { publishMarketData } from "../apps/server/src/compose/realtime";
import { HUB_AUDIENCE, signToken, TokenVerifier } from "../apps/server/src/realtime/auth";
import { Hub } from "../apps/server/src/realtime/hub";
import { attachWsTransport } from "../apps/server/src/realtime/transports/ws";
import { reply } from "./lib/fanout";

const [natsUrl, subjectPrefix, replicaId] = process.argv.slice(2) as [string, string, string];
const secret = "bench-secret-0123456789abcdef0123456789";
const authenticate = new TokenVerifier({ secrets: [secret] }).forAudience(HUB_AUDIENCE);

const server = createServer((_req, res) => res.writeHead(404).end());
const hub = new Hub();
attachWsTransport(server, hub, {
  authenticate,
  connectRatePerIp: 0,
  // Every benchmark client comes from 127.0.0.1.
  maxConnectionsPerIp: 0,
  maxConnections: 20_000,
  heartbeatIntervalMs: 0,
});
const bus = new NatsBus({ url: natsUrl, subjectPrefix, replicaId });
let cpuBefore = process.cpuUsage();
let startedAt = performance.now();

process.on("message", (command: { cmd: "cpu-start" | "cpu" | "close" }) => {
  if (command.cmd === "cpu-start") {
    cpuBefore = process.cpuUsage();
    startedAt = performance.now();
    reply({ cmd: "cpu-started" });
  } else if (command.cmd === "cpu") {
    const cpu = process.cpuUsage(cpuBefore);
    reply({ cmd: "cpu", percent: ((cpu.user + cpu.system) / 1000 / (performance.now() - startedAt)) * 100 });
  } else {
    server.closeAllConnections();
    server.close();
    void bus.close().finally(() => process.exit(0));
  }
});

void bus.connect().then(() => {
  publishMarketData(hub, bus, systemClock);
  server.listen(0, "127.0.0.1", () => announce());
});

function announce(): void {
  void signToken({ secret, sub: "bench", ttl: "2h" }).then((token) =>
    reply({ cmd: "listening", port: (server.address() as AddressInfo).port, token }),
  );
}
