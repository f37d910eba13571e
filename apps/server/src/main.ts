// Entry point: build everything from config, start, and shut down gracefully on SIGTERM/SIGINT.
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./logger";
import { routeConsoleToLogger } from "./console-bridge";
import { createTorghut } from "./app";

let config;
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
await torghut.start();

let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info({ signal }, "shutting down: closing clients, flushing the tick writer");
  try {
    await torghut.stop();
    logger.info("shutdown complete");
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, "shutdown failed");
    process.exit(1);
  }
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
