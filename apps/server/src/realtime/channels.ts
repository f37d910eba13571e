import { symbolSchema } from "@torghut/contracts";

/**
 * Channel names are `kind:SYMBOL` for market data and the bare `status` channel for router state.
 * `kind:*` subscribes to one kind for every symbol (a dashboard's watch-list view).
 */
export const MARKET_CHANNEL_KINDS = ["lines", "order_book", "analytics"] as const;
export type MarketChannelKind = (typeof MARKET_CHANNEL_KINDS)[number];
export type ChannelKind = MarketChannelKind | "status";

export const STATUS_CHANNEL = "status";

export interface ParsedChannel {
  readonly name: string;
  readonly kind: ChannelKind;
  /** null for `status` and for wildcards. */
  readonly symbol: string | null;
  readonly wildcard: boolean;
}

const isMarketKind = (kind: string): kind is MarketChannelKind =>
  (MARKET_CHANNEL_KINDS as readonly string[]).includes(kind);

/** Returns null for anything that is not a channel we serve; never throws (input comes from clients). */
export function parseChannel(name: string): ParsedChannel | null {
  if (name === STATUS_CHANNEL) return { name, kind: "status", symbol: null, wildcard: false };
  const colon = name.indexOf(":");
  if (colon <= 0) return null;
  const kind = name.slice(0, colon);
  const symbol = name.slice(colon + 1);
  if (!isMarketKind(kind)) return null;
  if (symbol === "*") return { name, kind, symbol: null, wildcard: true };
  if (!symbolSchema.safeParse(symbol).success) return null;
  return { name, kind, symbol, wildcard: false };
}

export function marketChannel(kind: MarketChannelKind, symbol: string): string {
  return `${kind}:${symbol}`;
}

/** `lines:AAPL` → `lines:*`; null for `status` and wildcards themselves. */
export function wildcardOf(channel: ParsedChannel): string | null {
  return channel.wildcard || channel.kind === "status" ? null : `${channel.kind}:*`;
}

/**
 * The optional `channels` claim lists what a token may subscribe to: exact names, `kind:*`, or `*`.
 * No claim means every channel. A wildcard subscription needs the wildcard (or `*`) itself.
 */
export function channelAllowed(channel: ParsedChannel, permissions: readonly string[] | undefined): boolean {
  if (permissions === undefined) return true;
  if (permissions.includes("*") || permissions.includes(channel.name)) return true;
  return channel.kind !== "status" && permissions.includes(`${channel.kind}:*`);
}
