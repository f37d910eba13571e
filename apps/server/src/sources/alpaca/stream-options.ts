import type { Logger } from "../../logger";
import { type Clock, systemClock } from "../../clock";
import type { CredentialsProvider } from "./credentials";
import type { ChannelChoice } from "./subscriptions";

export type AlpacaFeed = "iex" | "sip" | "delayed_sip" | "test";

export interface AlpacaStreamOptions {
  /** Stream base (wss://stream.data.alpaca.markets or the simulator's ws://host:port); `/v2/<feed>` is appended. */
  streamUrl: string;
  feed: AlpacaFeed;
  credentials: CredentialsProvider;
  symbols: readonly string[];
  channels?: Partial<ChannelChoice>;
  clock?: Clock;
  logger?: Logger;
  /** Subscribed but no data for this long → failure + reconnect. 0 disables (real feeds outside hours). */
  messageTimeoutMs?: number;
  reconnectBaseDelayMs?: number;
  reconnectMaxDelayMs?: number;
  /** Minimum wait after 406 / HTTP 429: a dropped session lingers ~90 s and still counts (reference §1.5). */
  connectionLimitDelayMs?: number;
  /** A session up this long resets the backoff. */
  stableSessionMs?: number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** connect → subscribed must finish within this (Alpaca's auth window is 10 s). */
  handshakeTimeoutMs?: number;
  /** While stopped on a configuration error, how often to look for changed credentials. */
  credentialsPollMs?: number;
  /** How long a clean close may take before the socket is destroyed. */
  closeTimeoutMs?: number;
  compression?: boolean;
  /** Largest upstream frame accepted (ws maxPayload; its default is 100 MiB). Over it: counted, reconnect. */
  maxFrameBytes?: number;
  /** True while silence is expected (the market is closed): the data watchdog then waits. */
  silenceExpected?: () => boolean;
  random?: () => number;
}

export type StreamSettings = Required<
  Omit<AlpacaStreamOptions, "channels" | "logger" | "random" | "symbols" | "silenceExpected">
>;

/** Fills the defaults in one place; the values match the reference (§1.8) and the config defaults. */
export function resolveStreamSettings(options: AlpacaStreamOptions): StreamSettings {
  return {
    streamUrl: options.streamUrl,
    feed: options.feed,
    credentials: options.credentials,
    clock: options.clock ?? systemClock,
    messageTimeoutMs: options.messageTimeoutMs ?? 30_000,
    reconnectBaseDelayMs: options.reconnectBaseDelayMs ?? 1_000,
    reconnectMaxDelayMs: options.reconnectMaxDelayMs ?? 60_000,
    connectionLimitDelayMs: options.connectionLimitDelayMs ?? 90_000,
    stableSessionMs: options.stableSessionMs ?? 30_000,
    pingIntervalMs: options.pingIntervalMs ?? 10_000,
    pongTimeoutMs: options.pongTimeoutMs ?? 5_000,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 20_000,
    credentialsPollMs: options.credentialsPollMs ?? 5_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 5_000,
    compression: options.compression ?? false,
    // Alpaca batches up to a few thousand messages per frame (~1 MB); 16 MiB leaves room, not 100.
    maxFrameBytes: options.maxFrameBytes ?? 16 * 1024 * 1024,
  };
}
