import { connect, Events, type NatsConnection, type Subscription } from "nats";
import { pino } from "pino";
import type { Clock, TimerHandle } from "../clock";
import { systemClock } from "../clock";
import type { Logger } from "../logger";
import type { BusHandler, BusHealth, BusPayloadHandler, MarketBus } from "./market-bus";
import { credentialsFileAuthenticator } from "./credentials-file";
import { BusConnectError } from "./market-bus";
import { decodeDelivery, encodeDelivery, type BusMessage, type BusMessageType } from "./messages";
import { busConnected, busDropped, busPublished, busReceived } from "./metrics";
import { BusSubscribers, payloadOf } from "./subscribers";

export interface NatsBusOptions {
  /** nats://host:port (comma-separated for a cluster). */
  url: string;
  /** Subject namespace: `{prefix}.md.{type}`. Separate deployments (or test runs) use separate prefixes. */
  subjectPrefix: string;
  replicaId: string;
  clock?: Clock;
  logger?: Logger;
  /** Pause between reconnect attempts (default 500 ms); attempts never stop. */
  reconnectTimeWaitMs?: number;
  /** BUS_CREDENTIALS_FILE: user and password, read again at every connect and reconnect. */
  credentialsFile?: string;
}

const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
/** How long close() lets drain() flush the last publications before it closes regardless. */
const DRAIN_TIMEOUT_MS = 5_000;

/**
 * MarketBus over core NATS: one plain subscription per replica (never a queue group, so every
 * replica gets every message), one JSON encoding per published message, order kept per publisher.
 * Core NATS is at-most-once: a replica that is disconnected misses what was sent meanwhile, and the
 * hub's recovery tells its clients so (`recovered: false`); ticks are stored by the leader anyway.
 */
export class NatsBus implements MarketBus {
  readonly kind = "nats" as const;
  readonly replicaId: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly subscribers = new BusSubscribers();
  private readonly counters = { published: 0, received: 0, dropped: 0, reconnects: 0 };
  private connection: NatsConnection | null = null;
  private subscription: Subscription | null = null;
  private connected = false;
  private lastReceivedAt: number | null = null;
  private lastError: string | null = null;

  constructor(private readonly options: NatsBusOptions) {
    if (!SUBJECT_TOKEN.test(options.subjectPrefix)) {
      throw new BusConnectError(`bus subject prefix must be dot-separated tokens of [A-Za-z0-9_-]`);
    }
    this.replicaId = options.replicaId;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? pino({ enabled: false });
  }

  get subjectRoot(): string {
    return `${this.options.subjectPrefix}.md`;
  }

  async connect(): Promise<void> {
    if (this.connection !== null) return;
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: this.options.url.split(",").map((s) => s.trim()),
        name: `torghut-${this.replicaId}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: this.options.reconnectTimeWaitMs ?? 500,
        pingInterval: 10_000,
        ...(this.options.credentialsFile === undefined
          ? {}
          : {
              authenticator: credentialsFileAuthenticator(this.options.credentialsFile),
              // During a rotation the server may refuse the old user before the file holds the
              // new one: keep trying (the default gives up after two refusals in a row).
              ignoreAuthErrorAbort: true,
            }),
      });
    } catch (error) {
      // Fail fast at start-up: the orchestrator restarts us; once up, reconnects never give up.
      throw new BusConnectError("cannot connect to the NATS market bus", { cause: error });
    }
    this.connection = nc;
    this.setConnected(true);
    this.subscription = nc.subscribe(`${this.subjectRoot}.>`, {
      callback: (error, msg) => {
        if (error !== null) {
          this.drop("subscription", error);
          return;
        }
        this.deliver(msg.data);
      },
    });
    // The SUB goes out asynchronously: one PING/PONG round trip makes sure the server has it, so
    // whatever is published after connect() resolves reaches this replica.
    await nc.flush();
    void this.watch(nc);
    this.logger.info({ subjects: `${this.subjectRoot}.>` }, "market bus: connected to NATS");
  }

  publish(message: BusMessage): void {
    const nc = this.connection;
    if (nc === null || nc.isClosed()) return;
    try {
      nc.publish(
        `${this.subjectRoot}.${message.type}`,
        encodeDelivery({ message, from: this.replicaId, sentAt: this.clock.now() }),
      );
      this.counters.published += 1;
      busPublished.inc({ type: message.type });
    } catch (error) {
      // While reconnecting the client buffers; past its buffer it throws. Never into the pipeline.
      this.drop("publish", error);
    }
  }

  subscribe(handler: BusHandler): () => void {
    return this.subscribers.add(handler);
  }

  on<K extends BusMessageType>(type: K, handler: BusPayloadHandler<K>): () => void {
    return this.subscribers.on(type, handler);
  }

  health(): BusHealth {
    return {
      kind: this.kind,
      connected: this.connected,
      ...this.counters,
      lastReceivedAt: this.lastReceivedAt,
      lastError: this.lastError,
    };
  }

  async close(): Promise<void> {
    const nc = this.connection;
    this.subscribers.clear();
    if (nc === null) return;
    this.subscription?.unsubscribe();
    this.subscription = null;
    // drain() flushes what we published before closing, so a leader's last ticks still go out. It
    // needs the server, though: while NATS is unreachable it would wait for it forever, and a
    // replica told to stop during a NATS outage must still stop. Then (or after a bounded wait) close.
    if (this.connected) {
      let timer: TimerHandle | null = null;
      const gaveUp = new Promise<void>((resolve) => {
        timer = this.clock.setTimeout(resolve, DRAIN_TIMEOUT_MS);
      });
      await Promise.race([nc.drain().catch(() => undefined), gaveUp]);
      if (timer !== null) this.clock.clearTimeout(timer);
    }
    if (!nc.isClosed()) await nc.close();
    this.connection = null;
    this.setConnected(false);
  }

  private deliver(bytes: Uint8Array): void {
    let delivery;
    try {
      delivery = decodeDelivery(bytes);
    } catch (error) {
      this.drop("decode", error);
      return;
    }
    this.counters.received += 1;
    this.lastReceivedAt = this.clock.now();
    busReceived.inc({ type: delivery.message.type });
    for (const handler of this.subscribers.all) this.call(handler, delivery);
    const typed = this.subscribers.of(delivery.message.type);
    if (typed.size === 0) return;
    const payload = payloadOf(delivery.message);
    for (const handler of typed) this.call(handler, payload);
  }

  private call<T>(handler: (arg: T) => void, arg: T): void {
    try {
      handler(arg);
    } catch (error) {
      this.drop("handler", error);
    }
  }

  private drop(reason: "decode" | "handler" | "publish" | "subscription", error: unknown): void {
    this.counters.dropped += 1;
    this.lastError = error instanceof Error ? error.message : String(error);
    busDropped.inc({ reason });
    this.logger.warn({ err: error, reason }, "market bus: message dropped");
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) {
        this.setConnected(false);
        // Health says why the bus is down, not only that it is (an auth refusal overwrites it below).
        this.lastError = `disconnected from NATS ${typeof status.data === "string" ? status.data : JSON.stringify(status.data)}`;
        this.logger.warn({ server: status.data }, "market bus: NATS disconnected, reconnecting");
      } else if (status.type === Events.Reconnect) {
        this.counters.reconnects += 1;
        this.setConnected(true);
        this.logger.info({ server: status.data }, "market bus: NATS reconnected");
      } else if (status.type === Events.Error) {
        this.lastError = typeof status.data === "string" ? status.data : JSON.stringify(status.data);
      }
    }
  }

  private setConnected(up: boolean): void {
    this.connected = up;
    busConnected.set({ kind: this.kind }, up ? 1 : 0);
  }
}
