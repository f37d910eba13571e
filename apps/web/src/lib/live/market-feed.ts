import {
  liveEnvelopeSchema,
  realtimeTokenResponseSchema,
  type LiveEnvelope as Publication,
} from "@torghut/contracts";
import { HubConnection } from "./hub-connection";

export type FeedState = "connecting" | "live" | "reconnecting" | "offline";
type PublicationListener = (publication: Publication) => void;

/**
 * A publication as it arrived: only `channel` is known to be a string. For listeners that keep the
 * latest value per key and validate only what they use (the watchlist takes 16,000 a second and
 * renders at most one per symbol and frame); they must validate before using anything else.
 */
export interface Arrival {
  readonly channel: string;
  readonly type?: unknown;
  readonly data?: unknown;
}
type ArrivalListener = (arrival: Arrival) => void;
/** Either kind of listener: `checked` ones get the envelope validated (once per message, if any listens). */
type Listener = { checked: PublicationListener } | { unchecked: ArrivalListener };

/** How long the page waits before trying again after the hub refused or vanished. */
const RETRY_AFTER_MS = 10_000;

/**
 * One SignalR connection to `/hubs/market-data` per page, shared by every component. Components
 * register the channels they want; the feed (re)subscribes them after every (re)connect. When the
 * hub cannot be reached the state is `offline` and the pages fall back to REST polling, saying so.
 */
export class MarketFeed {
  private connection: HubConnection | null = null;
  private state: FeedState = "connecting";
  private reason: string | null = null;
  private readonly channelRefs = new Map<string, number>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly stateListeners = new Set<() => void>();
  private token: { token: string; expiresAt: number; hubUrl: string } | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private started = false;

  snapshot(): { state: FeedState; reason: string | null } {
    return { state: this.state, reason: this.reason };
  }

  onState(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => void this.stateListeners.delete(listener);
  }

  /** Listens to `channel` (subscribing on the hub while anyone listens), envelopes validated. */
  listen(channel: string, listener: PublicationListener): () => void {
    return this.add(channel, { checked: listener });
  }

  /** Listens to `channel` without validation: the listener validates what it uses (see Arrival). */
  listenUnchecked(channel: string, listener: ArrivalListener): () => void {
    return this.add(channel, { unchecked: listener });
  }

  private add(channel: string, listener: Listener): () => void {
    let set = this.listeners.get(channel);
    if (set === undefined) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    const refs = (this.channelRefs.get(channel) ?? 0) + 1;
    this.channelRefs.set(channel, refs);
    if (refs === 1) this.invoke("Subscribe", [channel]);
    this.start();
    return () => {
      set.delete(listener);
      const left = (this.channelRefs.get(channel) ?? 1) - 1;
      if (left > 0) return void this.channelRefs.set(channel, left);
      this.channelRefs.delete(channel);
      this.listeners.delete(channel);
      this.invoke("Unsubscribe", [channel]);
    };
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    void this.connect();
  }

  private setState(state: FeedState, reason: string | null): void {
    if (this.state === state && this.reason === reason) return;
    this.state = state;
    this.reason = reason;
    this.stateListeners.forEach((l) => l());
  }

  private async fetchToken(): Promise<{ token: string; expiresAt: number; hubUrl: string }> {
    // Reuse until a minute before expiry; the hub checks `exp` on every (re)connect.
    if (this.token !== null && this.token.expiresAt - Date.now() > 60_000) return this.token;
    const response = await fetch("/api/realtime-token", { cache: "no-store" });
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const message = (body as { message?: string } | null)?.message ?? `HTTP ${response.status}`;
      throw new Error(message);
    }
    this.token = realtimeTokenResponseSchema.parse(body);
    return this.token;
  }

  private async connect(): Promise<void> {
    this.setState(this.state === "offline" ? "offline" : "connecting", this.reason);
    let hubUrl: string;
    try {
      hubUrl = (await this.fetchToken()).hubUrl;
    } catch (error) {
      return this.offline(`no live token: ${error instanceof Error ? error.message : String(error)}`);
    }
    const connection = new HubConnection(hubUrl, async () => (await this.fetchToken()).token, {
      publication: (message) => this.dispatch(message),
      reconnecting: () => this.setState("reconnecting", "live connection lost, reconnecting"),
      reconnected: () => {
        this.setState("live", null);
        this.resubscribe();
      },
      closed: (reason) => {
        this.connection = null;
        this.offline(reason);
      },
    });
    this.connection = connection;
    try {
      await connection.start();
    } catch (error) {
      this.connection = null;
      return this.offline(`live hub unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.setState("live", null);
    this.resubscribe();
  }

  private offline(reason: string): void {
    this.setState("offline", reason);
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, RETRY_AFTER_MS);
  }

  private resubscribe(): void {
    const channels = [...this.channelRefs.keys()];
    if (channels.length > 0) this.invoke("Subscribe", channels);
  }

  private invoke(method: "Subscribe" | "Unsubscribe", channels: string[]): void {
    const connection = this.connection;
    if (connection === null || !connection.connected) return;
    connection.invoke(method, [channels]).catch((error: unknown) => {
      this.reason = `${method} failed: ${error instanceof Error ? error.message : String(error)}`;
      this.stateListeners.forEach((l) => l());
    });
  }

  /**
   * Called for every message (up to 16,000 a second on a 500-symbol watchlist): no allocation beyond
   * the wildcard's name, and the envelope is validated only when a `checked` listener hears it.
   */
  private dispatch(message: unknown): void {
    if (typeof message !== "object" || message === null) return;
    const channel = (message as { channel?: unknown }).channel;
    if (typeof channel !== "string") return;
    const arrival = message as Arrival;
    const checked = this.deliver(this.listeners.get(channel), arrival, undefined);
    // `kind:*` subscribers hear every symbol of that kind.
    const colon = channel.indexOf(":");
    const wildcard = `${colon === -1 ? channel : channel.slice(0, colon)}:*`;
    if (wildcard !== channel) this.deliver(this.listeners.get(wildcard), arrival, checked);
  }

  /** `checked`: the envelope validated so far (undefined: not yet; null: invalid). Returns it. */
  private deliver(
    set: Set<Listener> | undefined,
    arrival: Arrival,
    checked: Publication | null | undefined,
  ): Publication | null | undefined {
    if (set === undefined) return checked;
    for (const listener of set) {
      if ("unchecked" in listener) {
        listener.unchecked(arrival);
        continue;
      }
      if (checked === undefined) {
        const parsed = liveEnvelopeSchema.safeParse(arrival);
        checked = parsed.success ? parsed.data : null;
      }
      if (checked !== null) listener.checked(checked);
    }
    return checked;
  }
}
