import assert from "node:assert/strict";
import { executionAsyncId } from "node:async_hooks";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startSimulator } from "@torghut/market-sim";
import { eventually } from "@torghut/testing";
import { createTorghut } from "../../src/app";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { signToken } from "../../src/realtime/auth";
import { simulatorEnv, TEST_SECRET } from "../support/live-server";
import { TestClient } from "../support/realtime";
import { branchOf, parseStatedPath, pathOf, serverFrames, toHubEntry, type TradePath } from "./trade-path";
import { deepStack, TurnOrigins } from "./turn-origins";

const here = dirname(fileURLToPath(import.meta.url));
const serverSrc = join(here, "../../src");
const architectureDoc = join(here, "../../../../docs/architecture.md");

/** The stacks of one trade's way out: where its write's turn was scheduled, the write, the frame's encoding. */
interface TradeStacks {
  scheduledBy: string;
  write: string;
  encode: string | null;
}

/** An Alpaca trade handed to the hub (a loaded box may still fail over to Yahoo for a moment: not this path). */
const isAlpacaTrade = (stack: string): boolean =>
  stack.includes("/sources/alpaca/stream-client.ts") && stack.includes("publishTrade");

/**
 * Takes, once armed, the stacks of the first trade written to a client the usual way: the lone
 * publication of its burst, scheduled from the Alpaca socket's message turn (not held back by the
 * throttle's timer) and written at the burst's end (a microtask). What is wrapped is Node's
 * (`net.Socket#write`, `JSON.stringify`, which the envelope's encoding calls), never the server's
 * code: each wrapper takes a stack and calls through.
 */
function tradeStackTaker(): { arm: () => void; taken: () => TradeStacks | null; disarm: () => void } {
  const origins = new TurnOrigins(isAlpacaTrade);
  const encodes = new Map<number, string>();
  // Inherited from stream.Writable: the wrapper is an own property of net.Socket's prototype while armed.
  const write = Reflect.get(Socket.prototype, "write") as (this: Socket, ...args: unknown[]) => boolean;
  const stringify = JSON.stringify;
  let taken: TradeStacks | null = null;
  function tracedWrite(this: Socket, ...args: unknown[]): boolean {
    const origin = taken === null ? origins.current() : null;
    if (origin?.type === "Microtask") {
      const stack = deepStack();
      if (stack.includes("/realtime/transports/socket-client.ts")) {
        taken = { scheduledBy: origin.stack, write: stack, encode: encodes.get(executionAsyncId()) ?? null };
      }
    }
    return write.apply(this, args);
  }
  function tracedStringify(...args: unknown[]): string {
    if (taken === null && origins.current() !== null) {
      const stack = deepStack();
      if (stack.includes("/realtime/transports/envelope.ts")) encodes.set(executionAsyncId(), stack);
    }
    return Reflect.apply(stringify, JSON, args) as string;
  }
  const disarm = (): void => {
    delete (Socket.prototype as { write?: unknown }).write;
    JSON.stringify = stringify;
    origins.disable();
  };
  return {
    arm: () => {
      origins.enable();
      Object.defineProperty(Socket.prototype, "write", {
        value: tracedWrite,
        configurable: true,
        writable: true,
      });
      JSON.stringify = tracedStringify as typeof stringify;
    },
    taken: () => taken,
    disarm,
  };
}

interface MeasuredPaths {
  toHub: TradePath;
  toWrite: TradePath;
  frame: TradePath;
  calls: string[];
}

async function tradePathsOfInlineServer(): Promise<MeasuredPaths> {
  const sim = await startSimulator({ port: 0, seed: 19, symbols: ["AAPL"], tradesPerSecond: 10 });
  const dataDir = mkdtempSync(join(tmpdir(), "torghut-path-"));
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
  const torghut = await createTorghut(config, { logger: createLogger("silent") });
  const stacks = tradeStackTaker();
  let client: TestClient | null = null;
  try {
    await torghut.start();
    assert.equal(torghut.ingestThread, null, "PGlite keeps ingest inline");
    const token = await signToken({ secret: TEST_SECRET, sub: "path", ttl: "10m" });
    client = await TestClient.connect(`${torghut.url().replace("http", "ws")}/ws`, { token });
    await client.subscribe(["lines:AAPL"]);
    stacks.arm();
    const taken = await eventually(() => stacks.taken(), "a trade is written to the client", 20_000);
    stacks.disarm();
    const toWrite = [...serverFrames(taken.scheduledBy, serverSrc), ...serverFrames(taken.write, serverSrc)];
    assert.ok(taken.encode !== null, "the frame was encoded on the write's turn");
    return {
      toHub: toHubEntry(toWrite),
      toWrite: pathOf(toWrite),
      calls: toWrite.map((f) => `${f.file.split("/").at(-1)}:${f.fn}`),
      frame: branchOf(serverFrames(taken.encode, serverSrc), serverFrames(taken.write, serverSrc)),
    };
  } finally {
    stacks.disarm();
    client?.close();
    await torghut.stop();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const describe = (path: TradePath): string =>
  `${path.files.length} files, ${path.calls} calls: ${path.files.join(" → ")}`;

test("a trade's path from the Alpaca socket to the hub and to the client's socket is the one docs/architecture.md states", async (t) => {
  const measured = await tradePathsOfInlineServer();
  t.diagnostic(`to the hub's entry: ${describe(measured.toHub)}`);
  t.diagnostic(`to the socket write: ${describe(measured.toWrite)}`);
  t.diagnostic(`the frame's encoding: ${describe(measured.frame)}`);
  t.diagnostic(`calls: ${measured.calls.join(" → ")}`);
  assert.equal(measured.toWrite.files[0], "sources/alpaca/stream-client.ts", "the path starts at the socket");
  assert.equal(measured.toHub.files.at(-1), "realtime/hub.ts", "the first half ends at the hub's entry");
  assert.equal(
    measured.toWrite.files.at(-1),
    "realtime/transports/socket-client.ts",
    "the whole path ends at the client's socket write",
  );
  const doc = readFileSync(architectureDoc, "utf8");
  assert.deepEqual(measured.toHub, parseStatedPath(doc, "Socket to the hub's entry"));
  assert.deepEqual(measured.toWrite, parseStatedPath(doc, "Socket to the client's socket write"));
  assert.deepEqual(measured.frame, parseStatedPath(doc, "The frame's encoding"));
});
