/**
 * One socket's subscription set and the subscribe/unsubscribe rules: every message adds to or
 * removes from the set, "*" means every symbol, a request that would exceed the plan's symbol
 * limit (30 on IEX) is refused as a whole and leaves the set unchanged.
 */
import type { Channel } from "./messages";
import { CHANNELS } from "./messages";

const SYMBOL = /^[A-Z][A-Z0-9.-]{0,10}$/;

export type ParsedRequest = { ok: true; lists: Map<Channel, string[]> } | { ok: false };

/** Parses the channel lists of a subscribe/unsubscribe message; any malformed list is 400. */
export function parseChannelLists(message: Record<string, unknown>): ParsedRequest {
  const lists = new Map<Channel, string[]>();
  for (const channel of CHANNELS) {
    const value = message[channel];
    if (value === undefined) continue;
    if (!Array.isArray(value)) return { ok: false };
    const symbols: string[] = [];
    for (const item of value) {
      if (typeof item !== "string" || (item !== "*" && !SYMBOL.test(item))) return { ok: false };
      symbols.push(item);
    }
    lists.set(channel, symbols);
  }
  return lists.size === 0 ? { ok: false } : { ok: true, lists };
}

export class SubscriptionSet {
  private readonly channels = new Map<Channel, Set<string>>(CHANNELS.map((c) => [c, new Set<string>()]));

  view(): ReadonlyMap<Channel, ReadonlySet<string>> {
    return this.channels;
  }

  isEmpty(): boolean {
    for (const set of this.channels.values()) if (set.size > 0) return false;
    return true;
  }

  wants(channel: Channel, symbol: string): boolean {
    const set = this.channels.get(channel);
    return set !== undefined && set.size > 0 && (set.has(symbol) || set.has("*"));
  }

  /** Adds the lists unless that would exceed `limit` distinct symbols; returns false if refused. */
  subscribe(lists: Map<Channel, string[]>, limit: number): boolean {
    const next = new Map<Channel, Set<string>>();
    for (const [channel, set] of this.channels)
      next.set(channel, new Set([...set, ...(lists.get(channel) ?? [])]));
    if (Number.isFinite(limit) && symbolCount(next) > limit) return false;
    for (const [channel, set] of next) this.channels.set(channel, set);
    return true;
  }

  unsubscribe(lists: Map<Channel, string[]>): void {
    for (const [channel, symbols] of lists) {
      const set = this.channels.get(channel);
      for (const symbol of symbols) set?.delete(symbol);
    }
  }
}

/** Distinct symbols across channels; a wildcard on trades or quotes is unlimited by nature. */
function symbolCount(channels: Map<Channel, Set<string>>): number {
  if (channels.get("trades")?.has("*") || channels.get("quotes")?.has("*")) return Number.POSITIVE_INFINITY;
  const all = new Set<string>();
  for (const set of channels.values()) for (const symbol of set) if (symbol !== "*") all.add(symbol);
  return all.size;
}
