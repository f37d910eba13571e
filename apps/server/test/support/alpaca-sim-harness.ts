import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningSimulator, type SimulatorOptions, startSimulator } from "@torghut/market-sim";
import type { Clock } from "../../src/clock";
import {
  fileCredentials,
  staticCredentials,
  type CredentialsProvider,
} from "../../src/sources/alpaca/credentials";
import { AlpacaStreamSource } from "../../src/sources/alpaca/stream-client";
import type { AlpacaStreamOptions } from "../../src/sources/alpaca/stream-options";

/** Test wiring: the simulator (the Alpaca fake) plus a stream client pointed at it. */
/**
 * Lets socket I/O run between ManualClock steps: the client's timers are on the manual clock, but
 * the simulator's frames arrive on real sockets. Not a wait for a condition (use eventually()).
 */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

export const SIM_KEY = { keyId: "sim-key", secretKey: "sim-secret" };

export async function startSim(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ symbols: ["AAPL", "MSFT", "TSLA"], tradesPerSecond: 200, ...options });
}

export function makeSource(
  sim: RunningSimulator,
  options: Partial<AlpacaStreamOptions> & { clock?: Clock; credentials?: CredentialsProvider } = {},
): AlpacaStreamSource {
  return new AlpacaStreamSource({
    streamUrl: sim.alpacaStreamUrl,
    feed: "iex",
    credentials: staticCredentials(SIM_KEY),
    symbols: ["AAPL", "MSFT", "TSLA"],
    reconnectBaseDelayMs: 20,
    reconnectMaxDelayMs: 200,
    connectionLimitDelayMs: 200,
    ...options,
  });
}

/** A credentials file in a temp dir that tests rewrite to rotate keys. */
export async function credentialsFile(initial: { keyId: string; secretKey: string }) {
  const dir = await mkdtemp(join(tmpdir(), "torghut-alpaca-"));
  const path = join(dir, "alpaca.json");
  const write = (value: { keyId: string; secretKey: string }) => writeFile(path, JSON.stringify(value));
  await write(initial);
  return {
    path,
    provider: fileCredentials(path),
    write,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
