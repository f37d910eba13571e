import type { Trade } from "@torghut/contracts";
import { systemClock } from "../../apps/server/src/clock";
import { InProcessBus } from "../../apps/server/src/bus/in-process-bus";
import { publishMarketData } from "../../apps/server/src/compose/realtime";
import { IngestPipeline } from "../../apps/server/src/pipeline/ingest-pipeline";
import { Hub } from "../../apps/server/src/realtime/hub";
import { BarAggregator } from "../../apps/server/src/store/bar-aggregator";
import { createDb } from "@torghut/db";
import { FrameParser } from "../../apps/server/src/sources/alpaca/frame-parser";
import { TradeValidator } from "../../apps/server/src/validation/trade-validator";

const ROUNDS = 5;

/** Parses every frame into `pipeline` and returns ticks per CPU second of this process. */
function drive(frames: string[], ticks: number, pipeline: IngestPipeline): number {
  const parser = new FrameParser(
    {
      trade: (trade: Trade) => pipeline.handle({ type: "trade", trade }),
      quote: () => undefined,
      bar: () => undefined,
      control: () => undefined,
      notice: () => undefined,
    },
    { delayed: false },
  );
  // CPU time, not wall time: on a shared box the wall clock also counts the other processes' turns.
  const start = process.cpuUsage();
  for (const frame of frames) parser.parse(frame, Date.now());
  const used = process.cpuUsage(start);
  return ticks / ((used.user + used.system) / 1e6);
}

/**
 * The publishing half of the inline placement, in process and without a writer: parse → validate
 * → bus → hub (no clients connected), against the same pipeline publishing nowhere. Rounds
 * alternate and the best of each is kept, so a loaded box disturbs both alike; the ratio is the
 * figure to compare between runs.
 */
export async function measurePublishPath(frames: string[], ticks: number): Promise<string> {
  const writer = { enqueue: () => undefined };
  const bus = new InProcessBus({ replicaId: "bench" });
  const hub = new Hub({ clock: systemClock });
  const unpublish = publishMarketData(hub, bus, systemClock);
  let toHub = 0;
  let alone = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const published = new IngestPipeline({ validator: new TradeValidator(), writer, bus });
    const unpublished = new IngestPipeline({ validator: new TradeValidator(), writer });
    const a = drive(frames, ticks, published);
    const b = drive(frames, ticks, unpublished);
    // Round 0 warms the JIT up.
    if (round > 0) [toHub, alone] = [Math.max(toHub, a), Math.max(alone, b)];
  }
  // As the server runs it: the bar aggregator in the pipeline, each published trade carrying its
  // minute so far (a copy of the trade with the bar's figures), against the same publishing nowhere.
  const database = await createDb({ inMemory: true });
  let barsToHub = 0;
  let barsAlone = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const aggregators = [new BarAggregator(database), new BarAggregator(database)];
    const [published, unpublished] = aggregators.map(
      (aggregator, i) =>
        new IngestPipeline({
          validator: new TradeValidator(),
          writer,
          aggregator,
          ...(i === 0 ? { bus } : {}),
        }),
    );
    const a = drive(frames, ticks, published!);
    const b = drive(frames, ticks, unpublished!);
    if (round > 0) [barsToHub, barsAlone] = [Math.max(barsToHub, a), Math.max(barsAlone, b)];
    await Promise.all(aggregators.map((aggregator) => aggregator.close()));
  }
  await database.close();
  unpublish();
  await hub.shutdown(0);
  const ratio = toHub / alone;
  return (
    `baseline to the hub: parse→validate→bus→hub ${Math.round(toHub).toLocaleString()} ticks per CPU-s, ` +
    `parse→validate alone ${Math.round(alone).toLocaleString()} (ratio ${ratio.toFixed(3)}, best of ${ROUNDS} alternating rounds)\n` +
    `with the bar aggregator: parse→validate→aggregate→bus→hub ${Math.round(barsToHub).toLocaleString()} ticks per CPU-s, ` +
    `parse→validate→aggregate ${Math.round(barsAlone).toLocaleString()} (ratio ${(barsToHub / barsAlone).toFixed(3)})`
  );
}
