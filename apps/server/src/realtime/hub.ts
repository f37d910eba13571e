import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type {
  Bar1m,
  IndicatorUpdate,
  PublicationType,
  Quote,
  StatusMessage,
  Trade,
} from "@torghut/contracts";
import { pino } from "pino";
import type { Clock } from "../clock";
import { systemClock } from "../clock";
import type { Logger } from "../logger";
import type { ParsedChannel } from "./channels";
import { channelAllowed, marketChannel, parseChannel, STATUS_CHANNEL, wildcardOf } from "./channels";
import type { SessionHost, SessionLimits } from "./client-session";
import { HubSession } from "./client-session";
import { FanoutScheduler } from "./fanout-scheduler";
import { startFanoutTrace } from "./fanout-trace";
import { EncodedFrames } from "./encoded-frames";
import { ChannelHistory } from "./history";
import { realtimeMetrics } from "./metrics";
import { DEFAULT_TYPE, type Publication } from "./publication";
import type { SubscribeOutcome } from "./subscriptions";
import { SubscriptionIndex } from "./subscriptions";
import { LatestValueThrottle } from "./throttle";
import type { HubClient, Principal } from "./transport";
import { CloseCode } from "./transport";
import { HubClosedError, type HubOptions, type HubStats } from "./hub-options";

export type { HubOptions, HubStats } from "./hub-options";
export { HubClosedError } from "./hub-options";

interface PendingUpdate {
  channel: ParsedChannel;
  type: PublicationType;
  data: unknown;
  /** performance.now() at `publish`, when traced (0 otherwise: reading the clock is not free). */
  offeredAt: number;
}

const liveHubs = new Set<Hub>();

/** Parsed channel names kept when no served-symbol list bounds them; past it, names are parsed each time. */
const MAX_REMEMBERED_CHANNELS = 10_000;

/**
 * Channels, subscriptions and fan-out, independent of any transport. A publication is encoded at
 * most once per wire format and handed to every subscriber without waiting for any of them: the
 * FanoutScheduler writes it at once to clients with nothing queued, or puts it on their bounded
 * queues, flushed once per event-loop turn so that whatever is due to one client (a batch of trades
 * from one upstream frame, several channels) leaves in a single write. The per-write system call,
 * not the encoding, is what a broadcast spends its time on.
 */
export class Hub implements SessionHost {
  readonly clock: Clock;
  readonly epoch = randomBytes(6).toString("hex");
  private readonly logger: Logger;
  private readonly limits: SessionLimits;
  private readonly historySize: number;
  private readonly maxSubscriptions: number;
  private readonly sessions = new Set<HubSession>();
  private readonly index = new SubscriptionIndex<HubSession>();
  private readonly histories = new Map<string, ChannelHistory>();
  private readonly parsed = new Map<string, ParsedChannel>();
  private readonly servedSymbols: ReadonlySet<string> | null;
  private readonly throttle: LatestValueThrottle<PendingUpdate>;
  private readonly scheduler: FanoutScheduler;
  private closing = false;
  private drained: (() => void) | null = null;
  private readonly counters = { published: 0, deliveries: 0, conflated: 0, slowClosed: 0 };
  /** Whether publications are traced: reading the clock per publication is not free. */
  private readonly traced: boolean;

  constructor(options: HubOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? pino({ level: "silent" });
    this.limits = {
      maxQueuedMessages: options.clientBuffer ?? 256,
      maxQueuedBytes: options.clientBufferBytes ?? 1024 * 1024,
      transportHighWaterBytes: options.transportHighWaterBytes ?? 64 * 1024,
      maxConflationsBehind: options.maxConflationsBehind ?? 4,
      maxBehindMs: options.maxBehindMs ?? 30_000,
    };
    this.historySize = options.historySize ?? 128;
    this.maxSubscriptions = options.maxSubscriptionsPerClient ?? 512;
    this.traced = options.onFanoutTrace !== undefined;
    this.scheduler = new FanoutScheduler({
      sliceSize: options.fanoutSliceSize ?? 2000,
      directWrites: options.directWrites ?? true,
      onDelivered: (count) => this.onDelivered(count),
      onFanoutComplete: options.onFanoutComplete,
      onFanoutTrace: options.onFanoutTrace,
    });
    this.servedSymbols = options.servedSymbols === undefined ? null : new Set(options.servedSymbols);
    const perSecond = options.updatesPerSecond ?? 20;
    const interval = perSecond > 0 ? 1000 / perSecond : 0;
    // `emit` is a bound arrow: the throttle calls it straight, with no relay closure on the hot path.
    this.throttle = new LatestValueThrottle(this.clock, interval, this.emit);
    liveHubs.add(this);
  }

  get shuttingDown(): boolean {
    return this.closing;
  }

  publishTrade(trade: Trade): boolean {
    return this.publish(marketChannel("lines", trade.symbol), trade);
  }

  publishQuote(quote: Quote): boolean {
    return this.publish(marketChannel("order_book", quote.symbol), quote);
  }

  publishBar(bar: Bar1m): boolean {
    return this.publish(marketChannel("analytics", bar.symbol), bar, "bar");
  }

  publishIndicator(update: IndicatorUpdate): boolean {
    return this.publish(marketChannel("analytics", update.symbol), update, "indicator");
  }

  publishStatus(status: StatusMessage): boolean {
    return this.publish(STATUS_CHANNEL, status);
  }

  /** Returns false for an unknown or wildcard channel, or during shutdown. Never blocks. */
  publish(channel: string, data: unknown, type?: PublicationType): boolean {
    const parsed = this.parse(channel);
    if (parsed === null || parsed.wildcard || this.closing) return false;
    const kind = type ?? DEFAULT_TYPE[parsed.kind];
    const offeredAt = this.traced ? performance.now() : 0;
    this.throttle.offer(`${channel}#${kind}`, { channel: parsed, type: kind, data, offeredAt });
    return true;
  }

  connect(client: HubClient, principal: Principal): HubSession {
    if (this.closing) throw new HubClosedError("the realtime hub is shutting down");
    const session = new HubSession(this, client, principal, this.limits);
    this.sessions.add(session);
    realtimeMetrics.connections.inc({ transport: client.transport });
    return session;
  }

  subscribe(
    session: HubSession,
    channel: string,
    recover?: { offset: number; epoch: string },
  ): SubscribeOutcome {
    const parsed = this.parse(channel);
    if (parsed === null)
      return { ok: false, channel, code: "bad_channel", message: `unknown channel ${channel}` };
    // What the session already owes goes ahead of the ack and the replay.
    this.scheduler.settle();
    if (!channelAllowed(parsed, session.principal.channels)) {
      return { ok: false, channel, code: "forbidden", message: `token does not allow ${channel}` };
    }
    if (!session.subscriptions.has(channel) && session.subscriptions.size >= this.maxSubscriptions) {
      return {
        ok: false,
        channel,
        code: "too_many_subscriptions",
        message: `at most ${this.maxSubscriptions}`,
      };
    }
    this.index.add(channel, session);
    if (parsed.wildcard) {
      const replay: Publication[] = [];
      for (const history of this.histories.values()) {
        if (history.channel.startsWith(`${parsed.kind}:`)) replay.push(...history.latest());
      }
      return { ok: true, channel, epoch: this.epoch, offset: 0, replay };
    }
    const history = this.histories.get(channel);
    const offset = history?.offset ?? 0;
    if (recover === undefined)
      return { ok: true, channel, epoch: this.epoch, offset, replay: history?.latest() ?? [] };
    const result =
      history?.recover(recover) ??
      (recover.epoch === this.epoch && recover.offset === 0
        ? { recovered: true as const, missed: [] }
        : { recovered: false as const });
    return result.recovered
      ? { ok: true, channel, epoch: this.epoch, offset, recovered: true, replay: result.missed }
      : { ok: true, channel, epoch: this.epoch, offset, recovered: false, replay: history?.latest() ?? [] };
  }

  unsubscribe(session: HubSession, channel: string): boolean {
    this.scheduler.settle();
    return this.index.remove(channel, session);
  }

  detach(session: HubSession): void {
    if (!this.sessions.delete(session)) return;
    this.index.removeAll(session);
    realtimeMetrics.connections.dec({ transport: session.client.transport });
    if (this.sessions.size === 0) this.drained?.();
  }

  onDelivered(count: number): void {
    if (count === 0) return;
    this.counters.deliveries += count;
    realtimeMetrics.deliveries.inc(count);
  }

  onConflated(_session: HubSession, dropped: number): void {
    this.counters.conflated += dropped;
    realtimeMetrics.conflated.inc(dropped);
  }

  onSlowClient(session: HubSession, why: string): void {
    if (session.closed) return;
    this.counters.slowClosed += 1;
    realtimeMetrics.slowClientsClosed.inc();
    this.logger.warn(
      { client: session.id, sub: session.principal.sub, transport: session.client.transport, why },
      "[ws-realtime] closing slow client: policy violation",
    );
    session.close(CloseCode.POLICY_VIOLATION, "policy violation", { discardBacklog: true });
    this.index.removeAll(session);
  }

  stats(): HubStats {
    const byTransport: Record<string, number> = {};
    let queued = 0;
    for (const session of this.sessions) {
      byTransport[session.client.transport] = (byTransport[session.client.transport] ?? 0) + 1;
      queued += session.queuedMessages;
    }
    return {
      ActiveHubs: liveHubs.size,
      TotalConnections: this.sessions.size,
      connectionsByTransport: byTransport,
      channels: this.index.channelCount,
      subscriptions: this.index.size,
      published: this.counters.published,
      throttled: this.throttle.supersededCount,
      deliveries: this.counters.deliveries,
      conflatedMessages: this.counters.conflated,
      slowClientsClosed: this.counters.slowClosed,
      queuedMessages: queued,
      pendingFanouts: this.scheduler.pendingCount,
      epoch: this.epoch,
      shuttingDown: this.closing,
    };
  }

  /**
   * Stop publishing, close every client with 1001 and wait for them to go; whoever is still
   * connected after `timeoutMs` is terminated. Transports refuse new connections from here on.
   */
  async shutdown(timeoutMs: number): Promise<{ closed: number; terminated: number }> {
    this.closing = true;
    this.throttle.dispose();
    this.scheduler.clear();
    const closed = this.sessions.size;
    for (const session of this.sessions) session.close(CloseCode.GOING_AWAY, "server shutdown");
    let terminated = 0;
    if (this.sessions.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = this.clock.setTimeout(() => resolve(), timeoutMs);
        this.drained = () => {
          this.clock.clearTimeout(timer);
          resolve();
        };
      });
      for (const session of [...this.sessions]) {
        terminated += 1;
        session.client.terminate();
        session.detached();
      }
    }
    liveHubs.delete(this);
    return { closed, terminated };
  }

  /** Remembers only names we serve: client-supplied names must not grow this map. */
  private parse(channel: string): ParsedChannel | null {
    const known = this.parsed.get(channel);
    if (known !== undefined) return known;
    const parsed = parseChannel(channel);
    if (parsed === null) return null;
    if (this.servedSymbols !== null) {
      if (parsed.symbol !== null && !this.servedSymbols.has(parsed.symbol)) return null;
    } else if (this.parsed.size >= MAX_REMEMBERED_CHANNELS) return parsed;
    this.parsed.set(channel, parsed);
    return parsed;
  }

  /** A session has frames due: write them at the end of this turn (once, however many arrive). */
  scheduleFlush(session: HubSession): void {
    this.scheduler.due(session);
  }

  private readonly emit = (conflationKey: string, update: PendingUpdate): void => {
    if (this.closing) return;
    const startedAt = performance.now();
    const channel = update.channel;
    let history = this.histories.get(channel.name);
    if (history === undefined) {
      history = new ChannelHistory(channel.name, this.epoch, this.historySize);
      this.histories.set(channel.name, history);
    }
    const publication = history.append(update.type, conflationKey, update.data, this.clock.now());
    this.counters.published += 1;
    realtimeMetrics.published.inc();
    const recipients = this.recipientsOf(channel);
    if (recipients.length === 0) return;
    const trace = this.traced
      ? startFanoutTrace(update.offeredAt, startedAt, publication, recipients[0]!.format)
      : null;
    this.scheduler.publish({ encoded: new EncodedFrames(publication), recipients, startedAt, trace });
  };

  /** The channel's subscribers and its wildcard's, each once. */
  private recipientsOf(channel: ParsedChannel): HubSession[] {
    const exact = this.index.subscribers(channel.name);
    const wildcard = wildcardOf(channel);
    const all = wildcard === null ? undefined : this.index.subscribers(wildcard);
    if (exact === undefined) return all === undefined ? [] : [...all];
    const recipients: HubSession[] = [];
    for (const session of exact) if (all === undefined || !all.has(session)) recipients.push(session);
    if (all !== undefined) for (const session of all) recipients.push(session);
    return recipients;
  }
}
