// The ingest thread's entry (INGEST_THREAD=worker): the same buildIngest() as the inline placement,
// on its own event loop. It reports to the HTTP thread by message only (protocol.ts).
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { createBus } from "../bus";
import { systemClock } from "../clock";
import type { Storage } from "../compose/storage";
import { buildIngest } from "../ingest/build";
import { createLogger } from "../logger";
import { routeConsoleToLogger } from "../console-bridge";
import { registry } from "../metrics/registry";
import {
  callFailureOf,
  type FromIngestThread,
  type IngestCall,
  type IngestThreadData,
  type ToIngestThread,
} from "./protocol";
import { takeSnapshot } from "./snapshot";
import { registerIngestThreadMetrics } from "./thread-metrics";
import { ThreadPortBus } from "./thread-port-bus";

/** How often health state is pushed; router status changes are pushed at once besides. */
const SNAPSHOT_INTERVAL_MS = 100;

if (parentPort === null) throw new Error("ingest-thread/worker.ts runs only as a worker thread");
const port = parentPort;
const { config, replicaId } = workerData as IngestThreadData;
const clock = systemClock;
const logger = createLogger(config.LOG_LEVEL, { thread: "ingest" });
routeConsoleToLogger(logger);
const send = (message: FromIngestThread) => port.postMessage(message);

registerIngestThreadMetrics();
/** Set once storage is open: an uncaught error spools its unflushed ticks before the thread dies. */
let crashStorage: Storage | null = null;
process.on("uncaughtException", onUncaught);
process.on("unhandledRejection", onUncaught);
lowerOwnPriority(config.INGEST_THREAD_NICE);

try {
  // With BUS_URL the leader publishes on NATS like any replica; otherwise to this process's HTTP thread.
  const { storage, leadership, ingest, bus, side } = await buildIngest(config, {
    replicaId,
    bus: ({ leadership, side }) =>
      config.BUS_URL === undefined
        ? new ThreadPortBus({
            port: { postMessage: send },
            replicaId,
            clock,
            snapshot: () => takeSnapshot(side().views, leadership, clock),
          })
        : createBus(config, replicaId, logger, clock),
    knownLeader: () => null,
    logger,
    clock,
  });
  crashStorage = storage;
  const snapshot = () => takeSnapshot(side.views, leadership, clock);

  await bus.connect();
  await ingest.start();
  const pushing = setInterval(() => send({ type: "snapshot", snapshot: snapshot() }), SNAPSHOT_INTERVAL_MS);
  // The HTTP thread calls only once it has heard "ready".
  const answer = async (call: IngestCall) => {
    switch (call.method) {
      case "forceFallback":
      case "reconnectPrimary":
      case "releaseToAutomatic":
        return await side.actions[call.method](call.actor);
      case "metrics":
        return await registry.getMetricsAsJSON();
      case "throwUncaught":
        setImmediate(() => {
          throw new Error("chaos: uncaught error on the ingest thread");
        });
        return null;
      case "forceStop":
        storage.forceClose();
        return null;
      case "stop":
        clearInterval(pushing);
        await ingest.stop();
        await bus.close();
        await storage.close();
        return null;
    }
  };
  port.on("message", (message: ToIngestThread) => {
    const { id, call } = message;
    answer(call).then(
      (value) => {
        send({ type: "reply", id, ok: true, value, snapshot: snapshot() });
        if (call.method === "stop") port.close();
      },
      (error: unknown) => send({ type: "reply", id, ok: false, error: callFailureOf(error) }),
    );
  });

  leadership.onChange(() => send({ type: "snapshot", snapshot: snapshot() }));
  send({ type: "ready", snapshot: snapshot() });
} catch (error) {
  logger.error({ err: error }, "ingest thread failed to start");
  send({ type: "fatal", message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

/**
 * The thread is about to die with ticks in its writer's memory: put them in the spool (where the
 * next thread or start replays them), tell the HTTP thread what was saved and what was not, exit.
 */
function onUncaught(error: unknown): void {
  logger.fatal({ err: error }, "ingest thread: uncaught error; spooling unflushed ticks before exiting");
  let spooled = 0;
  let lost = 0;
  try {
    if (crashStorage) {
      const before = crashStorage.writer.stats();
      crashStorage.forceClose();
      const after = crashStorage.writer.stats();
      spooled = after.spooled - before.spooled;
      lost = after.lost - before.lost;
    }
  } finally {
    const message = error instanceof Error ? error.message : String(error);
    send({ type: "crashed", message, spooled, lost });
    process.exit(1);
  }
}

/**
 * On Linux a nice value belongs to a thread, and setpriority(2) on "process" 0 changes the calling
 * thread only: this one, not the HTTP thread. Elsewhere it may renice the whole process, so only
 * Linux gets it.
 */
function lowerOwnPriority(nice: number): void {
  if (nice === 0 || process.platform !== "linux") return;
  try {
    setPriority(nice);
  } catch (error) {
    logger.warn({ err: error, nice }, "could not lower the ingest thread's priority");
  }
}
