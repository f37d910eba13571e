import { startManual, StreamClient } from "./test/helpers";
const sim = await startManual({ tradesPerSecond: 3_000, correctionsPerMinute: 120 });
const client = await StreamClient.open(sim, "sip");
await client.authenticate();
await client.request({ action: "subscribe", trades: ["*"], quotes: ["AAPL"] });
for (let i = 0; i < 4; i++) {
  const t0 = Date.now();
  sim.control.advance(30_000);
  const c = sim.control.counters();
  console.log("advance ms", Date.now() - t0, c.framesSent, c.messagesSent, sim.control.now());
}
await sim.close();
