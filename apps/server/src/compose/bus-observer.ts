import type { Trade } from "@torghut/contracts";
import type { MarketBus } from "../bus";
import type { Clock } from "../clock";
import type { BusView, LeaderView } from "../http/views";
import type { Leadership } from "../leader";

/**
 * What a replica learns from the bus for its own health answers: who leads (heartbeats carry the
 * leader's id), whether any leader data has arrived, and the latest trade per symbol for the TA
 * live price on replicas that do not run the pipeline.
 */
export class BusObserver {
  private leaderId: string | null = null;
  private leaderSince: number | null = null;
  private leaderSeenAt: number | null = null;
  private firstDataAt: number | null = null;
  private readonly lastTrades = new Map<string, Trade>();
  private readonly off: () => void;

  constructor(
    private readonly bus: MarketBus,
    private readonly leadership: Leadership,
    private readonly servesClients: boolean,
    private readonly clock: Clock,
  ) {
    this.off = bus.subscribe(({ message, from }) => {
      const now = this.clock.now();
      this.firstDataAt ??= now;
      // Only a leader publishes, so the sender of anything on the bus is the leader.
      if (from !== this.leaderId) {
        this.leaderId = from;
        this.leaderSince = null;
      }
      if (message.type === "leader") this.leaderSince = message.since;
      else if (message.type === "trade") this.lastTrades.set(message.trade.symbol, message.trade);
      this.leaderSeenAt = now;
    });
  }

  leader(): LeaderView {
    const self = this.leadership.isLeader;
    const since = self ? this.leadership.leaderSince : this.leaderSince;
    return {
      replicaId: self ? this.bus.replicaId : this.leaderId,
      isLeader: self,
      since: since === null ? null : new Date(since).toISOString(),
      lastSeenAt: this.leaderSeenAt === null ? null : new Date(this.leaderSeenAt).toISOString(),
    };
  }

  lastTrade(symbol: string): Trade | undefined {
    return this.lastTrades.get(symbol);
  }

  view(): BusView {
    const health = this.bus.health();
    return {
      kind: health.kind,
      connected: health.connected,
      published: health.published,
      received: health.received,
      dropped: health.dropped,
      reconnects: health.reconnects,
      lastReceivedAt: health.lastReceivedAt === null ? null : new Date(health.lastReceivedAt).toISOString(),
      lastError: health.lastError,
      receivedLeaderData: this.firstDataAt !== null,
      // In-process, a standby can only ever get data by leading: it is ready so that a rolling update
      // (new pod waits for readiness, old pod holds the lock) can proceed and hand leadership over.
      needsLeaderData: this.servesClients && !this.leadership.isLeader && health.kind === "nats",
    };
  }

  close(): void {
    this.off();
  }
}
