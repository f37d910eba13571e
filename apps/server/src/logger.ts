import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Structured logs. Anything that could carry a credential is redacted by path, as a second line of
 * defence: code must not log secrets in the first place.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
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
  });
}
