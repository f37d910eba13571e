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
import { startFanoutTrace, type FanoutTrace } from "./fanout-trace";
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

/** A publication whose subscribers are not all flushed yet: done once the flush passes `mark`. */
interface PendingFanout {
  mark: number;
  startedAt: number;
  recipients: number;
  /** Only when traced. */
  trace: FanoutTrace | null;
}

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
 * most once per wire format and put on every subscriber's bounded queue; the hub never waits for a
 * client. Queues are flushed once per event-loop turn, so whatever is due to one client by then
 * (a batch of trades from one upstream frame, several channels) leaves in a single write: the
 * per-write system call, not the encoding, is what a broadcast spends its time on. A flush over
 * more clients than one slice continues on the next turn.
 */
export class Hub implements SessionHost {
  readonly clock: Clock;
  readonly epoch = randomBytes(6).toString("hex");
  private readonly logger: Logger;
  private readonly limits: SessionLimits;
  private readonly historySize: number;
  private readonly maxSubscriptions: number;
  private readonly sliceSize: number;
  private readonly sessions = new Set<HubSession>();
  private readonly index = new SubscriptionIndex<HubSession>();
  private readonly histories = new Map<string, ChannelHistory>();
  private readonly parsed = new Map<string, ParsedChannel>();
  private readonly servedSymbols: ReadonlySet<string> | null;
  private readonly throttle: LatestValueThrottle<PendingUpdate>;
  /** Sessions with frames to write, in the order they became due; `flushHead` is the next one. */
  private flushList: HubSession[] = [];
  private flushHead = 0;
  /** Sessions ever put on / taken off the flush list: positions that survive compaction. */
  private flushEnqueued = 0;
  private flushDone = 0;
  private flushScheduled = false;
  private readonly fanouts: PendingFanout[] = [];
  private closing = false;
  private drained: (() => void) | null = null;
  private readonly counters = { published: 0, deliveries: 0, conflated: 0, slowClosed: 0 };
  private readonly onFanoutComplete: ((durationMs: number, recipients: number) => void) | undefined;
  private readonly onFanoutTrace: ((trace: FanoutTrace) => void) | undefined;

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
    this.sliceSize = options.fanoutSliceSize ?? 2000;
    this.onFanoutComplete = options.onFanoutComplete;
    this.onFanoutTrace = options.onFanoutTrace;
    this.servedSymbols = options.servedSymbols === undefined ? null : new Set(options.servedSymbols);
    const perSecond = options.updatesPerSecond ?? 20;
    const interval = perSecond > 0 ? 1000 / perSecond : 0;
    this.throttle = new LatestValueThrottle(this.clock, interval, (key, update) => this.emit(key, update));
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
    const offeredAt = this.onFanoutTrace === undefined ? 0 : performance.now();
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
    return this.index.remove(channel, session);
  }

  detach(session: HubSession): void {
    if (!this.sessions.delete(session)) return;
    this.index.removeAll(session);
    realtimeMetrics.connections.dec({ transport: session.client.transport });
    if (this.sessions.size === 0) this.drained?.();
  }

  onDelivered(count: number): void {
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
      pendingFanouts: this.fanouts.length,
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
    this.flushList = [];
    this.flushHead = 0;
    this.fanouts.length = 0;
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
    this.flushList.push(session);
    this.flushEnqueued += 1;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  private emit(conflationKey: string, update: PendingUpdate): void {
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
    const exact = this.index.subscribers(channel.name);
    const wildcard = wildcardOf(channel);
    const all = wildcard === null ? undefined : this.index.subscribers(wildcard);
    const trace =
      this.onFanoutTrace === undefined
        ? null
        : startFanoutTrace(
            update.offeredAt,
            startedAt,
            publication,
            (exact ?? all)?.values().next().value?.format,
          );
    let recipients = 0;
    // Putting a frame on a queue is a few array operations; the writes happen in `flush`, sliced.
    const encoded = new EncodedFrames(publication);
    if (exact !== undefined) {
      for (const session of exact) {
        if (all === undefined || !all.has(session)) recipients += this.offer(session, encoded);
      }
    }
    if (all !== undefined) for (const session of all) recipients += this.offer(session, encoded);
    if (recipients === 0) return;
    if (trace !== null) {
      trace.enqueuedAt = performance.now();
      trace.recipients = recipients;
    }
    this.fanouts.push({ mark: this.flushEnqueued, startedAt, recipients, trace });
  }

  private offer(session: HubSession, encoded: EncodedFrames): number {
    if (session.closed) return 0;
    encoded.select(session.format);
    session.enqueue(encoded.publication.conflationKey, encoded.frame!, encoded.bytes);
    return 1;
  }

  /** Writes each due session's queue in one go, at most one slice of sessions per turn. */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const end = Math.min(this.flushList.length, this.flushHead + this.sliceSize);
    if (this.onFanoutTrace !== undefined) this.traceFlushStart();
    for (let i = this.flushHead; i < end; i++) this.flushList[i]!.flushDue();
    this.flushDone += end - this.flushHead;
    this.flushHead = end;
    if (this.flushHead === this.flushList.length) {
      this.flushList = [];
      this.flushHead = 0;
    }
    while (this.fanouts.length > 0 && this.fanouts[0]!.mark <= this.flushDone) {
      const fanout = this.fanouts.shift()!;
      const elapsedMs = performance.now() - fanout.startedAt;
      realtimeMetrics.fanoutSeconds.observe(elapsedMs / 1000);
      this.onFanoutComplete?.(elapsedMs, fanout.recipients);
      if (fanout.trace !== null) {
        fanout.trace.completedAt = fanout.startedAt + elapsedMs;
        this.onFanoutTrace?.(fanout.trace);
      }
    }
    if (this.flushHead < this.flushList.length && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  };

  /** The flush is about to write: fan-outs not yet started start now. */
  private traceFlushStart(): void {
    const now = performance.now();
    for (let i = this.fanouts.length - 1; i >= 0; i--) {
      const trace = this.fanouts[i]!.trace;
      if (trace === null || trace.flushStartedAt !== 0) break;
      trace.flushStartedAt = now;
    }
  }
}
