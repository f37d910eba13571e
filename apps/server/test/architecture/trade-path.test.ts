import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startSimulator } from "@torghut/market-sim";
import { eventually } from "@torghut/testing";
import { createTorghut } from "../../src/app";
import { systemClock, type Clock } from "../../src/clock";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { simulatorEnv, TEST_SECRET } from "../support/live-server";
import { measuredPath, parseStatedPath, type TradePath } from "./trade-path";

const here = dirname(fileURLToPath(import.meta.url));
const serverSrc = join(here, "../../src");
const architectureDoc = join(here, "../../../../docs/architecture.md");

/**
 * The server's own clock (injected, as everywhere), which takes the stack once armed: the hub asks
 * it the time when a trade enters it, so the stack then holds the trade's whole synchronous path
 * from the socket's message handler to the hub's entry.
 */
function stackTakingClock(): { clock: Clock; arm: () => void; taken: () => string | null } {
  let armed = false;
  let stack: string | null = null;
  const now = (): number => {
    if (armed) {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 200;
      const here = new Error().stack ?? "";
      Error.stackTraceLimit = limit;
      // An Alpaca trade's (a loaded box may still fail over to Yahoo for a moment: not this path).
      const alpacaTrade = here.includes("/sources/alpaca/stream-client.ts") && here.includes("publishTrade");
      if (alpacaTrade && here.includes("/realtime/hub.ts")) {
        stack = here;
        armed = false;
      }
    }
    return Date.now();
  };
  return { clock: { ...systemClock, now }, arm: () => void (armed = true), taken: () => stack };
}

async function tradePathOfInlineServer(): Promise<TradePath> {
  const sim = await startSimulator({ port: 0, seed: 19, symbols: ["AAPL"], tradesPerSecond: 50 });
  const dataDir = mkdtempSync(join(tmpdir(), "torghut-path-"));
  const stacks = stackTakingClock();
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    DATA_DIR: dataDir,
    SYMBOLS: "AAPL",
    ...simulatorEnv(sim),
    WS_AUTH_SECRET: TEST_SECRET,
    SIMULATED_MARKET: "true",
    // The path of the primary is measured: no failover on a slow start of a loaded box.
    MESSAGE_TIMEOUT_SECONDS: "30",
  });
  const torghut = await createTorghut(config, { logger: createLogger("silent"), clock: stacks.clock });
  try {
    await torghut.start();
    assert.equal(torghut.ingestThread, null, "PGlite keeps ingest inline");
    stacks.arm();
    const stack = await eventually(() => stacks.taken(), "a trade reaches the hub");
    return measuredPath(stack, serverSrc);
  } finally {
    await torghut.stop();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test("a trade's path from the Alpaca socket to the hub's entry is the one docs/architecture.md states", async (t) => {
  const measured = await tradePathOfInlineServer();
  t.diagnostic(
    `measured: ${measured.files.length} files, ${measured.calls} calls: ${measured.files.join(" → ")}`,
  );
  assert.equal(measured.files[0], "sources/alpaca/stream-client.ts", "the path starts at the socket");
  assert.equal(measured.files.at(-1), "realtime/hub.ts", "and ends at the hub's entry");
  assert.deepEqual(measured, parseStatedPath(readFileSync(architectureDoc, "utf8")));
});
