// `npm run bench -- fanout-overhead [--clients 5000] [--rounds 400]`
// The hub's own work per delivery, without sockets: the fan-out path (throttle, history, encode,
// direct write or enqueue + sliced flush, queue bookkeeping) into transports whose `send` only
// counts bytes, for the hub as shipped and with direct writes off (`hub-queued`), against a
// same-run baseline that hands one pre-built frame to the same clients in a bare loop (the
// in-process `floor`). CPU time per delivery counts work, which a loaded box changes little; the
// socket write system call that dominates the real fan-out (`npm run bench -- fanout`) is left out
// on purpose, to see whether the hub's bookkeeping is what separates it from the floor.
import { Hub } from "../apps/server/src/realtime/hub";
import type { Frame, Publication, WireFormat } from "../apps/server/src/realtime/publication";
import type { HubClient } from "../apps/server/src/realtime/transport";
import { benchTrade, fixed as f } from "./lib/fanout";

const format: WireFormat = {
  name: "json-buffer",
  encode: (publication: Publication) => Buffer.from(JSON.stringify(publication.data)),
};

/** A transport that takes frames and only counts them: the hub's side of the write, nothing else. */
class CountingClient implements HubClient {
  readonly transport = "counting";
  readonly format = format;
  readonly bufferedAmount = 0;
  bytes = 0;
  send(frame: Frame): void {
    this.bytes += frame.length;
  }
  sendBatch(frames: readonly Frame[]): void {
    for (const frame of frames) this.bytes += frame.length;
  }
  close(): void {}
  terminate(): void {}
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function cpuMicros(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

async function hubRound(hub: Hub, rounds: number, batch: number, fanouts: { done: number }): Promise<number> {
  const before = process.cpuUsage();
  let offset = 0;
  for (let round = 0; round < rounds; round++) {
    const target = fanouts.done + batch;
    for (let i = 0; i < batch; i++, offset++)
      hub.publish(`lines:S${offset % 10}`, benchTrade(`S${offset % 10}`, offset));
    while (fanouts.done < target) await turn();
  }
  return cpuMicros(before);
}

async function floorRound(clients: CountingClient[], rounds: number, batch: number): Promise<number> {
  const before = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    const frames = Array.from({ length: batch }, (_, i) =>
      Buffer.from(JSON.stringify(benchTrade(`S${i}`, round))),
    );
    for (const client of clients) {
      if (batch === 1) client.send(frames[0]!);
      else client.sendBatch(frames);
    }
    await turn();
  }
  return cpuMicros(before);
}

export default async function fanoutOverhead(argv: string[]): Promise<void> {
  const value = (name: string, fallback: number): number => {
    const at = argv.indexOf(`--${name}`);
    return at === -1 ? fallback : Number(argv[at + 1]);
  };
  const count = value("clients", 5000);
  const rounds = value("rounds", 400);
  const fanouts = { done: 0 };
  const clients = Array.from({ length: count }, () => new CountingClient());
  // The same clients on two hubs: direct writes on (the default) and off (every publication queued).
  const hubOf = (directWrites: boolean): Hub => {
    const hub = new Hub({ updatesPerSecond: 0, directWrites, onFanoutComplete: () => (fanouts.done += 1) });
    for (const client of clients) hub.connect(client, { sub: "bench", roles: [] }).subscribe("lines:*");
    return hub;
  };
  const hub = hubOf(true);
  const queued = hubOf(false);
  const load = (await import("node:fs"))
    .readFileSync("/proc/loadavg", "utf8")
    .split(" ")
    .slice(0, 3)
    .join(" ");
  console.log(`hub bookkeeping per delivery, ${count} clients, ${rounds} rounds, load average ${load}\n`);
  console.log(
    "| input | hub CPU µs / delivery | hub-queued CPU µs / delivery | floor CPU µs / delivery | hub / hub-queued | hub / floor |",
  );
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const batch of [1, 10]) {
    await hubRound(hub, Math.ceil(rounds / 10), batch, fanouts); // warm-up
    await hubRound(queued, Math.ceil(rounds / 10), batch, fanouts);
    await floorRound(clients, Math.ceil(rounds / 10), batch);
    const perDelivery = rounds * batch * count;
    const hubCpu = (await hubRound(hub, rounds, batch, fanouts)) / perDelivery;
    const queuedCpu = (await hubRound(queued, rounds, batch, fanouts)) / perDelivery;
    const floorCpu = (await floorRound(clients, rounds, batch)) / perDelivery;
    console.log(
      `| ${batch} per round | ${f(hubCpu, 3)} | ${f(queuedCpu, 3)} | ${f(floorCpu, 3)} | ${f(hubCpu / queuedCpu, 2)} | ${f(hubCpu / floorCpu, 2)} |`,
    );
  }
  await hub.shutdown(0);
  await queued.shutdown(0);
}
