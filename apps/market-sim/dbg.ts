import { startManual, StreamClient } from "./test/helpers";
const sim = await startManual({ tradesPerSecond: 3_000, correctionsPerMinute: 120 });
const client = await StreamClient.open(sim, "sip");
await client.authenticate();
await client.request({ action: "subscribe", trades: ["*"], quotes: ["AAPL"], bars: ["*"], updatedBars: ["*"], dailyBars: ["AAPL"], statuses: ["*"] });
sim.control.advance(60_000 - (sim.control.now() % 60_000));
client.messages.length = 0;
sim.control.advance(125_000);
for (let i = 0; i < 10; i++) {
  await new Promise((r) => setTimeout(r, 500));
  const counts: Record<string, number> = {};
  for (const m of client.messages) counts[m.T] = (counts[m.T] ?? 0) + 1;
  console.log(JSON.stringify(counts), client.closeCode, sim.control.counters().errorsSent);
}
await sim.close();
