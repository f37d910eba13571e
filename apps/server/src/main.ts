// Entry point: build everything from config, start, and shut down gracefully on SIGTERM/SIGINT.
import { ConfigError, loadConfig, type ServerConfig } from "./config";
import { createLogger } from "./logger";
import { routeConsoleToLogger } from "./console-bridge";
import { createTorghut } from "./app";

let config: ServerConfig;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}

const logger = createLogger(config.LOG_LEVEL);
routeConsoleToLogger(logger);
const torghut = await createTorghut(config, { logger });

/** After a forced stop, how long the rest of stop() may still run before the process exits anyway. */
const FORCED_EXIT_GRACE_MS = 3_000;

let shuttingDown = false;
let started: Promise<void> = Promise.resolve();
let forced = false;

/**
 * SIGTERM: stop intake, commit what the database takes, spool the rest, exit 0. The deadline
 * (SHUTDOWN_TIMEOUT_SECONDS) or a second signal forces the spool-and-exit path: the writer spools at
 * once, and whatever else still waits on a dead database gets FORCED_EXIT_GRACE_MS before we exit.
 */
function force(why: string): void {
  if (forced) return;
  forced = true;
  logger.warn({ why }, "shutdown forced: spooling unflushed ticks and exiting");
  torghut.forceStop();
  setTimeout(() => {
    logger.warn({ graceMs: FORCED_EXIT_GRACE_MS }, "shutdown: exiting with parts still closing");
    process.exit(0);
  }, FORCED_EXIT_GRACE_MS).unref();
}

async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return force(`second ${signal}`);
  shuttingDown = true;
  const deadlineMs = config.SHUTDOWN_TIMEOUT_SECONDS * 1000;
  logger.info({ signal, deadlineMs }, "shutting down: closing clients, flushing the tick writer");
  setTimeout(() => force("deadline"), deadlineMs).unref();
  try {
    await started;
    await torghut.stop();
    logger.info("shutdown complete");
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, "shutdown failed");
    process.exit(1);
  }
}

// Handlers first: a SIGTERM that arrives as start-up finishes must still shut down cleanly.
started = torghut.start();
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
await started;
