import { DEFAULT_SYMBOLS, symbolSchema } from "@torghut/contracts";
import { z } from "zod";
import { checkTrustedProxies } from "./security/client-address";
import { resolveStreamEndpoint } from "./sources/alpaca/stream-url";

/**
 * The only reader of process.env in the server. Every setting is validated at start-up and a bad
 * value fails with a message that names the variable (never its value: it may be a secret).
 */
const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .default(fallback ? "true" : "false")
    .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const seconds = (fallback: number) => z.coerce.number().min(0).max(86_400).default(fallback);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));
const csv = z
  .string()
  .optional()
  .transform((v) =>
    v === undefined || v.trim() === ""
      ? []
      : v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
  );

/**
 * Strings that have stood in for WS_AUTH_SECRET in examples: whoever reads the repo knows them, so
 * a server signing with one would let anyone mint an admin token. Compared case-insensitively.
 */
export const PLACEHOLDER_SECRETS = [
  "change-me-in-production-please-32b",
  "change_me_32_random_bytes",
  "change-me-to-32-random-bytes",
  "changeme",
  "secret",
  "dev-secret",
];
const MIN_SECRET_BYTES = 32;

/** Why `value` cannot be an HS256 secret (under 32 bytes, a known placeholder); never quotes it. */
export function authSecretProblem(value: string): string | undefined {
  if (Buffer.byteLength(value, "utf8") < MIN_SECRET_BYTES) {
    return `must be at least ${MIN_SECRET_BYTES} bytes (e.g. openssl rand -hex 32)`;
  }
  if (PLACEHOLDER_SECRETS.includes(value.toLowerCase()) || /change[-_ ]?me/i.test(value)) {
    return "is a published placeholder: generate a random secret";
  }
  return undefined;
}

const authSecret = optionalString.superRefine((value, ctx) => {
  const problem = value === undefined ? undefined : authSecretProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: int(5002, 0, 65_535),
  HOST: z.string().default("0.0.0.0"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ROLE: z.enum(["all", "ingest", "realtime"]).default("all"),
  /**
   * Where ingest (Alpaca stream, validation, bars, tick writer) runs. "worker": its own thread, so
   * health and ops answers never wait behind a burst of ticks; needs PostgreSQL (one PGlite
   * instance cannot be shared between threads). "inline": the HTTP event loop. "auto": worker with
   * DATABASE_URL, inline with PGlite.
   */
  INGEST_THREAD: z.enum(["auto", "worker", "inline"]).default("auto"),
  /**
   * Linux nice value of the ingest thread (0-19; higher yields more): when both compete for a core,
   * health and ops answers go first. Ingest keeps its throughput while there is CPU to spare.
   */
  INGEST_THREAD_NICE: int(5, 0, 19),
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: "must be a postgres:// or postgresql:// URL",
  }),
  DATA_DIR: z.string().default("./data"),
  DATABASE_POOL_MAX: int(20, 1, 500),
  /**
   * Deadlines on every PostgreSQL connection, so a frozen server or a dead connection is noticed in
   * seconds and the batch retried on a fresh connection. Statement: the server cancels (57014).
   * Query: the client gives up on a server that answers nothing; keep it above the statement one.
   */
  DATABASE_STATEMENT_TIMEOUT_MS: int(10_000, 100, 3_600_000),
  DATABASE_QUERY_TIMEOUT_MS: int(12_000, 100, 3_600_000),
  DATABASE_CONNECT_TIMEOUT_MS: int(5_000, 100, 600_000),
  /** How often readiness asks the database `SELECT 1`, and how long an answer may take. */
  DATABASE_PROBE_INTERVAL_MS: int(2_000, 100, 600_000),
  DATABASE_PROBE_TIMEOUT_MS: int(3_000, 100, 600_000),
  /** TCP keepalive after this much idle: a dead host or a dropped NAT entry breaks the socket. */
  DATABASE_KEEPALIVE_IDLE_MS: int(10_000, 1_000, 3_600_000),
  /**
   * Retention (store/maintenance, run by the ingest leader): whole day partitions of ticks older than
   * this many New York days are dropped. Archive one first with docs/runbooks.md if it must be kept.
   */
  TICK_RETENTION_DAYS: int(30, 1, 36_500),
  /** Bars (1m and the rollups) older than this many days are deleted; unset keeps them for ever. */
  BAR_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  /** Day partitions of ticks kept created ahead of today. */
  TICK_PARTITIONS_AHEAD_DAYS: int(3, 1, 60),
  /** How often the leader makes partitions ahead and applies retention. */
  STORAGE_MAINTENANCE_INTERVAL_MS: int(600_000, 1_000, 86_400_000),
  /** How long partition DDL may wait for the writer's lock before giving up until the next round. */
  STORAGE_DDL_LOCK_TIMEOUT_MS: int(500, 10, 60_000),
  /** Set: the ops console's charts read Prometheus (query_range) instead of the in-memory history. */
  PROMETHEUS_URL: optionalString.pipe(z.url().optional()),
  BUS_URL: optionalString.refine((v) => v === undefined || /^nats:\/\//.test(v), {
    message: "must be a nats:// URL",
  }),
  /**
   * NATS user and password as JSON `{"user", "password"}`, read at every connect and reconnect, so
   * that rotating them needs no restart (docs/runbooks.md). Unset: credentials in BUS_URL, or none.
   */
  BUS_CREDENTIALS_FILE: optionalString,
  /** Subject namespace on the bus: replicas of one deployment share it; separate deployments must not. */
  BUS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/)
    .default("torghut"),
  /** How often a standby tries to take an expired Alpaca leadership lease (PostgreSQL only). */
  LEADER_RETRY_MS: int(5000, 50, 600_000),
  /** How often the leader renews its lease. A failed renewal does not step it down by itself. */
  LEADER_PROBE_MS: int(2000, 50, 600_000),
  /**
   * The leadership lease (docs/scaling.md). A leader that cannot reach the database keeps the feed
   * for up to this long minus the margin after its last renewal; a crashed leader's successor waits
   * up to this long. So it is the longest database outage traders never notice.
   */
  LEADER_LEASE_SECONDS: seconds(60),
  /** The leader steps down this long before its lease could expire for the others (clock rate, close time). */
  LEADER_LEASE_MARGIN_SECONDS: seconds(2),
  SYMBOLS: csv.pipe(z.array(symbolSchema).max(500)),

  ALPACA_KEY_ID: optionalString,
  ALPACA_SECRET_KEY: optionalString,
  ALPACA_CREDENTIALS_FILE: optionalString,
  /** Unset: the feed in ALPACA_STREAM_URL's path, else iex. */
  ALPACA_FEED: z.enum(["iex", "sip", "delayed_sip", "test"]).optional(),
  ALPACA_STREAM_URL: optionalString.pipe(z.url().optional()),
  ALPACA_DATA_URL: optionalString.pipe(z.url().optional()),
  ENABLE_ALPACA_STREAMING: bool(true),
  MESSAGE_TIMEOUT_SECONDS: seconds(30),
  MAX_CONSECUTIVE_FAILURES: int(3, 1, 1000),
  RECONNECT_BASE_DELAY_MS: int(1000, 1, 600_000),
  RECONNECT_MAX_DELAY_MS: int(60_000, 1, 3_600_000),
  /** Wait after a 406 (connection limit): a session dropped uncleanly lingers ~90 s at Alpaca. */
  ALPACA_CONNECTION_LIMIT_DELAY_MS: int(90_000, 1, 3_600_000),
  ALPACA_REST_REQUESTS_PER_MINUTE: int(180, 1, 10_000),
  /**
   * Alpaca's trading API, read for the market clock and calendar only (same keys). Paper keys need
   * the paper host (the default); live keys https://api.alpaca.markets.
   */
  ALPACA_TRADING_URL: optionalString.pipe(z.url().optional()),
  /**
   * How often the market clock is read again (it is also read at each open and close). At least
   * 0.5 s: 120 reads a minute of the 200 Alpaca allows an account (compose/market-session.ts).
   */
  MARKET_CLOCK_REFRESH_SECONDS: z.coerce.number().min(0.5).max(3600).default(60),
  /** A symbol silent for this many of its own usual gaps between trades, while others trade, is stale. */
  SYMBOL_STALE_FACTOR: z.coerce.number().min(1).max(10_000).default(20),
  /** …and silent for at least this long. */
  SYMBOL_STALE_MIN_SECONDS: z.coerce.number().positive().max(86_400).default(30),
  /** Deadline for one Alpaca REST request (bars, latest, clock, calendar), headers and body. */
  ALPACA_REST_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(10),
  /** Minutes of 1m bars fetched from Alpaca REST at start so charts open on history (0 = off). */
  STARTUP_BACKFILL_MINUTES: int(390, 0, 7 * 24 * 60),

  YAHOO_BASE_URL: optionalString.pipe(z.url().optional()),
  YAHOO_POLL_INTERVAL_SECONDS: seconds(60),
  /** Deadline for one Yahoo request (chart, quote, crumb), headers and body. */
  YAHOO_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(10),
  /** While Alpaca is active, one Yahoo request this often tells whether the fallback would work (0 = off). */
  YAHOO_STANDBY_PROBE_SECONDS: seconds(60),
  FALLBACK_ACTIVATION_DELAY_SECONDS: seconds(10),
  PRIMARY_RECOVERY_GRACE_PERIOD_SECONDS: seconds(10),

  VALIDATION_FUTURE_TOLERANCE_SECONDS: seconds(300),
  CIRCUIT_BREAKER_PERCENT: z.coerce.number().positive().max(100).default(20),
  CROSS_SOURCE_MAX_DELTA_PERCENT: z.coerce.number().positive().max(100).default(5),

  WRITER_FLUSH_INTERVAL_MS: int(50, 1, 10_000),
  WRITER_BATCH_ROWS: int(5000, 1, 100_000),
  WRITER_BUFFER_MAX_TICKS: int(1_000_000, 1000, 50_000_000),
  /**
   * PostgreSQL only. false (default): the tick writer's transactions commit without waiting for the
   * WAL flush (`SET LOCAL synchronous_commit = off`, its own transactions only). A PostgreSQL or OS
   * crash can then lose the last ~3 × wal_writer_delay (≤ ~600 ms at the default 200 ms) of ticks
   * already counted as committed; never corruption, never a torn batch (a batch is one transaction).
   * Default false because the writer already holds unacknowledged ticks in memory (up to
   * WRITER_BUFFER_MAX_TICKS) that a crash of this process loses, nothing upstream waits on the
   * commit, and the flush wait costs ~40 % of the writer's rate on a 2-core box (bench/store.ts:
   * 203k vs 336k rows/s). true: every committed tick is durable.
   */
  WRITER_SYNCHRONOUS_COMMIT: bool(false),
  /**
   * Local spool (spool/): ticks the database cannot take go to checksummed segment files here and
   * are replayed when it commits again, and at the next start. Default: `<DATA_DIR>/spool`.
   */
  SPOOL_DIR: z.string().min(1).optional(),
  /** Disk the spool may use; past it ticks wait in memory (then buffer_full). 0 turns the spool off. */
  SPOOL_MAX_BYTES: int(4 * 1024 ** 3, 0, Number.MAX_SAFE_INTEGER),
  /** How long commits may fail before queued ticks go to the spool instead of waiting in memory. */
  SPOOL_AFTER_MS: int(5_000, 0, 600_000),
  /** "interval": fsync every SPOOL_FSYNC_INTERVAL_MS; "segment": only when a segment is closed. */
  SPOOL_FSYNC: z.enum(["interval", "segment"]).default("interval"),
  SPOOL_FSYNC_INTERVAL_MS: int(1_000, 10, 60_000),
  /**
   * SIGTERM: stop intake, commit what the database takes, spool the rest and exit 0 within this
   * long. A second SIGTERM (or the deadline) spools at once. Keep it under the orchestrator's grace
   * period (Kubernetes terminationGracePeriodSeconds: 30).
   */
  SHUTDOWN_TIMEOUT_SECONDS: seconds(20),

  /** HS256 secret for hub and ops tokens (≥ 32 bytes, no placeholder). Unset: a random one per run. */
  WS_AUTH_SECRET: authSecret,
  /** The secret before the last rotation: tokens it signed verify until they expire (no mass logout). */
  WS_AUTH_SECRET_PREVIOUS: authSecret,
  /**
   * Instead of the two above: a file of secrets, one per line, the first signing and every one
   * verifying; re-read when it changes, so a rotation is a rewrite of the file (a Kubernetes Secret
   * volume does it in place) with no restart.
   */
  WS_AUTH_SECRET_FILE: optionalString,
  /** `iss` of every token we sign and accept (the web app uses the same value). */
  WS_TOKEN_ISSUER: z.string().trim().min(1).max(128).default("torghut"),
  /** Longest token lifetime (`exp - iat`) accepted; a longer token is refused. */
  MAX_TOKEN_TTL_SECONDS: int(86_400, 60, 30 * 86_400),
  /**
   * Proxies (addresses, CIDRs, or `loopback` / `linklocal` / `uniquelocal`) whose X-Forwarded-For
   * names the client: rate limits, connection caps and the ops audit then see the real client. Empty:
   * the TCP peer, and X-Forwarded-For is ignored.
   */
  TRUSTED_PROXIES: csv,
  /** Open realtime connections per client address, over /ws, SignalR and Socket.IO together; 0: no cap. */
  WS_MAX_CONNECTIONS_PER_IP: int(100, 0, 100_000),
  /** Realtime connection attempts per client address per 10 s; 0: no limit. */
  WS_CONNECT_RATE_PER_IP: int(30, 0, 100_000),
  /** Ops POSTs per client address per minute, counted before the token is even read. */
  OPS_RATE_PER_IP_PER_MINUTE: int(30, 1, 10_000),
  /** TA signals requests per client address per minute (indicator math runs on the HTTP thread); 0: no limit. */
  TA_SIGNALS_PER_MINUTE_PER_IP: int(120, 0, 100_000),
  /** An ops action that has not finished by then answers 504 and is audited as a timeout. */
  OPS_ACTION_TIMEOUT_MS: int(10_000, 100, 600_000),
  WS_ALLOWED_ORIGINS: csv,
  WS_CLIENT_BUFFER: int(256, 1, 100_000),
  /** Per channel and message type; 0 delivers every update (no latest-value throttle). */
  WS_UPDATES_PER_SECOND: int(20, 0, 10_000),
  WS_SHUTDOWN_TIMEOUT_SECONDS: seconds(10),
  ADMIN_TOKEN_SUBJECTS: csv,

  /** Set by `npm start` when it runs the built-in market simulator (no Alpaca keys). */
  SIMULATED_MARKET: bool(false),
});

export type Env = z.infer<typeof envSchema>;

export interface ServerConfig extends Omit<Env, "ALPACA_FEED"> {
  /** Resolved: ALPACA_FEED, else the feed in ALPACA_STREAM_URL, else iex. */
  ALPACA_FEED: NonNullable<Env["ALPACA_FEED"]>;
  symbols: readonly string[];
  /** INGEST_THREAD resolved: ingest runs on a worker thread (never for ROLE=realtime, which has none). */
  ingestOnWorker: boolean;
  alpacaStreamUrl: string;
  alpacaDataUrl: string;
  alpacaTradingUrl: string;
  yahooBaseUrl: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly retryable = false;
}

const ALPACA_STREAM_DEFAULT = "wss://stream.data.alpaca.markets";
const ALPACA_DATA_DEFAULT = "https://data.alpaca.markets";
const ALPACA_TRADING_DEFAULT = "https://paper-api.alpaca.markets";
const YAHOO_DEFAULT = "https://query1.finance.yahoo.com";

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  }
  const values = parsed.data;
  if ((values.ALPACA_KEY_ID === undefined) !== (values.ALPACA_SECRET_KEY === undefined)) {
    throw new ConfigError("Invalid configuration: ALPACA_KEY_ID and ALPACA_SECRET_KEY must be set together");
  }
  if (
    values.WS_AUTH_SECRET_FILE !== undefined &&
    (values.WS_AUTH_SECRET !== undefined || values.WS_AUTH_SECRET_PREVIOUS !== undefined)
  ) {
    throw new ConfigError(
      "Invalid configuration: set WS_AUTH_SECRET_FILE or WS_AUTH_SECRET(_PREVIOUS), not both",
    );
  }
  if (values.WS_AUTH_SECRET_PREVIOUS !== undefined && values.WS_AUTH_SECRET === undefined) {
    throw new ConfigError(
      "Invalid configuration: WS_AUTH_SECRET_PREVIOUS needs WS_AUTH_SECRET (the new secret)",
    );
  }
  try {
    checkTrustedProxies(values.TRUSTED_PROXIES);
  } catch (error) {
    throw new ConfigError(`Invalid configuration: TRUSTED_PROXIES: ${(error as Error).message}`);
  }
  if (values.ROLE !== "all" && values.BUS_URL === undefined) {
    throw new ConfigError(
      `Invalid configuration: ROLE=${values.ROLE} needs BUS_URL (a nats:// URL) to reach the other replicas`,
    );
  }
  if (values.INGEST_THREAD === "worker" && values.DATABASE_URL === undefined) {
    throw new ConfigError(
      "Invalid configuration: INGEST_THREAD=worker needs DATABASE_URL (PGlite cannot be shared between threads)",
    );
  }
  if (
    (values.LEADER_LEASE_SECONDS - values.LEADER_LEASE_MARGIN_SECONDS) * 1000 <
    2 * values.LEADER_PROBE_MS
  ) {
    throw new ConfigError(
      "Invalid configuration: LEADER_LEASE_SECONDS minus LEADER_LEASE_MARGIN_SECONDS must allow two renewals (LEADER_PROBE_MS)",
    );
  }
  if (values.DATABASE_QUERY_TIMEOUT_MS <= values.DATABASE_STATEMENT_TIMEOUT_MS) {
    throw new ConfigError(
      "Invalid configuration: DATABASE_QUERY_TIMEOUT_MS must exceed DATABASE_STATEMENT_TIMEOUT_MS (a live server cancels first)",
    );
  }
  const stream = resolveStreamEndpoint(values.ALPACA_STREAM_URL ?? ALPACA_STREAM_DEFAULT, values.ALPACA_FEED);
  if (!stream.ok) throw new ConfigError(`Invalid configuration: ${stream.problem}`);
  return {
    ...values,
    ALPACA_FEED: stream.feed,
    ingestOnWorker:
      values.ROLE !== "realtime" && values.DATABASE_URL !== undefined && values.INGEST_THREAD !== "inline",
    symbols: values.SYMBOLS.length > 0 ? [...new Set(values.SYMBOLS)] : DEFAULT_SYMBOLS.map((s) => s.symbol),
    alpacaStreamUrl: stream.baseUrl,
    alpacaDataUrl: values.ALPACA_DATA_URL ?? ALPACA_DATA_DEFAULT,
    alpacaTradingUrl: values.ALPACA_TRADING_URL ?? ALPACA_TRADING_DEFAULT,
    yahooBaseUrl: values.YAHOO_BASE_URL ?? YAHOO_DEFAULT,
  };
}
