import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";

export type { Logger };

/** Where lines go (stdout by default) and a hook on every child logger (tests check their keys). */
export interface LoggerOutput {
  destination?: DestinationStream;
  onChild?: LoggerOptions["onChild"];
}

/**
 * Structured logs. Anything that could carry a credential is redacted by path, as a second line of
 * defence: code must not log secrets in the first place.
 */
export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  output: LoggerOutput = {},
): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: "torghut", ...base },
    redact: {
      paths: [
        "secret",
        "secretKey",
        "token",
        "authorization",
        "*.secret",
        "*.secretKey",
        "*.token",
        "*.authorization",
        "req.headers.authorization",
        'req.headers["apca-api-secret-key"]',
        "config.ALPACA_SECRET_KEY",
        "config.WS_AUTH_SECRET",
      ],
      censor: "[redacted]",
    },
    ...(output.onChild ? { onChild: output.onChild } : {}),
  };
  return output.destination ? pino(options, output.destination) : pino(options);
}
