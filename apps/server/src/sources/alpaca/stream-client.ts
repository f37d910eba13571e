import type { Bar1m, Quote, Trade } from "@torghut/contracts";
import pino from "pino";
import type { Logger } from "../../logger";
import WebSocket from "ws";
import type { MarketDataSource, SourceEvent, SourceHealth, SourceListener } from "../source";
import { SourceListeners } from "../source-listeners";
import { ExponentialBackoff } from "./backoff";
import type { AlpacaCredentials } from "./credentials";
import { ConfigurationHold } from "./configuration-hold";
import { AlpacaConfigurationError } from "./errors";
import { reactToStreamError } from "./error-reactions";
import { type FrameSink, FrameParser, frameText } from "./frame-parser";
import {
  type ControlMessage,
  type ErrorMessage,
  authRequest,
  subscribeRequest,
  subscribedSymbols,
} from "./messages";
import * as metrics from "./metrics";
import { Liveness } from "./liveness";
import { SessionTimers } from "./session-timers";
import { type AlpacaStreamOptions, type StreamSettings, resolveStreamSettings } from "./stream-options";
import { DesiredSubscriptions } from "./subscriptions";
import { type SessionEnd, type StreamTarget, transportFailure, upgradeRefusal } from "./upgrade-refusal";

/**
 * The Alpaca market-data stream behind the MarketDataSource port: one socket at a time (a new one is
 * opened only after the old one closed), resubscribes the whole desired set after every
 * `authenticated`, reconnects forever with backoff, and stops only for configuration errors — which a
 * changed credentials file or `reconnect()` clears.
 */
export class AlpacaStreamSource implements MarketDataSource, FrameSink {
  readonly name = "alpaca" as const;
  private readonly settings: StreamSettings;
  private readonly log: Logger;
  private readonly url: string;
  private readonly desired: DesiredSubscriptions;
  private readonly parser: FrameParser;
  private readonly backoff: ExponentialBackoff;
  private readonly timers: SessionTimers;
  private readonly liveness: Liveness;
  private readonly listeners: SourceListeners;
  private readonly lag = metrics.wsLagMs.labels("alpaca");
  private running = false;
  private socket: WebSocket | null = null;
  private generation = 0;
  private connecting = false;
  private connects = 0;
  private up = false;
  private authenticated = false;
  private held: string[] = [];
  private sessionFailure: { reason: string; floorMs: number } | null = null;
  private readonly hold: ConfigurationHold;
  private lastError: string | null = null;
  private consecutiveFailures = 0;
  private lastSuccessAt: number | null = null;
  private reconnectAttempts = 0;
  private connectNowAfterClose = false;
  private sessionCredentials: AlpacaCredentials | null = null;
  private readonly silenceExpected: () => boolean;

  constructor(options: AlpacaStreamOptions) {
    this.settings = resolveStreamSettings(options);
    this.log = options.logger ?? pino({ enabled: false });
    this.listeners = new SourceListeners(this.log, "alpaca");
    this.url = `${options.streamUrl.replace(/\/+$/, "")}/v2/${options.feed}`;
    this.desired = new DesiredSubscriptions(options.symbols, {
      trades: options.channels?.trades ?? true,
      quotes: options.channels?.quotes ?? true,
      bars: options.channels?.bars ?? true,
    });
    // Frames for symbols we did not ask for never reach storage or metric labels.
    this.parser = new FrameParser(this, {
      delayed: options.feed === "delayed_sip",
      wants: (symbol) => this.desired.has(symbol),
    });
    this.backoff = new ExponentialBackoff({
      baseDelayMs: this.settings.reconnectBaseDelayMs,
      maxDelayMs: this.settings.reconnectMaxDelayMs,
      ...(options.random ? { random: options.random } : {}),
    });
    this.timers = new SessionTimers(this.settings.clock);
    this.liveness = new Liveness(this.settings.clock, this.timers, this.settings, (reason, destroy) =>
      this.abandon(reason, destroy),
    );
    this.silenceExpected = options.silenceExpected ?? (() => false);
    this.hold = new ConfigurationHold(this.timers, this.settings, this.log, (why) => {
      if (why === "credentials") this.backoff.reset();
      if (this.socket === null) void this.connect();
    });
  }

  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    void this.connect();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timers.clearAll();
    const socket = this.socket;
    if (socket === null) return;
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      this.closeSocket(socket, false);
    });
  }

  reconnect(): void {
    if (!this.running) return;
    this.log.info("reconnect requested");
    this.hold.clear();
    this.backoff.reset();
    this.timers.clear("reconnect");
    if (this.socket !== null) {
      this.connectNowAfterClose = true;
      this.sessionFailure ??= { reason: "reconnect requested", floorMs: 0 };
      this.closeSocket(this.socket, false);
    } else {
      void this.connect();
    }
  }

  setSymbols(symbols: readonly string[]): void {
    const { removed } = this.desired.replace(symbols);
    if (!this.authenticated || this.socket === null) return;
    if (removed) this.send(subscribeRequest("unsubscribe", removed));
    // Everything desired but not held, so symbols refused earlier (405) are asked for again.
    const missing = this.desired.refused(this.held);
    if (missing.length > 0) this.send(subscribeRequest("subscribe", this.desired.subset(missing)));
  }

  onEvent(listener: SourceListener): () => void {
    return this.listeners.add(listener);
  }

  health(): SourceHealth {
    return {
      healthy: this.up,
      connected: this.socket !== null && this.socket.readyState === WebSocket.OPEN,
      authenticated: this.authenticated,
      lastError: this.lastError,
      consecutiveFailures: this.consecutiveFailures,
      subscribedSymbols: [...this.held],
      lastMessageAt: this.liveness.lastData,
      lastSuccessAt: this.lastSuccessAt,
      messagesReceived: this.parser.counters.data,
      reconnectAttempts: this.reconnectAttempts,
      configurationError: this.hold.active,
    };
  }

  /** Parser counters (frames, unknown types, malformed elements) for tests and diagnostics. */
  frameCounters(): Readonly<FrameParser["counters"]> {
    return this.parser.counters;
  }

  /** Symbols the server refused (405) or left out of its subscription reply. */
  refusedSymbols(): string[] {
    return this.authenticated ? this.desired.refused(this.held) : [];
  }

  // ---- FrameSink: called by the parser on the hot path -------------------------------------------

  // Trades and quotes go to the listeners directly: one call fewer on the hottest path.
  trade(trade: Trade): void {
    this.lag.observe(trade.receivedAt - Date.parse(trade.eventTime));
    this.listeners.emit({ type: "trade", trade });
  }

  quote(quote: Quote): void {
    this.listeners.emit({ type: "quote", quote });
  }

  bar(bar: Bar1m): void {
    this.emit({ type: "bar", bar });
  }

  notice(message: string, symbol: string, halted?: boolean): void {
    this.emit({ type: "notice", message, symbols: [symbol], ...(halted === undefined ? {} : { halted }) });
  }

  control(message: ControlMessage): void {
    if (message.T === "success") {
      if (message.msg === "connected") this.authenticate();
      else if (message.msg === "authenticated") this.onAuthenticated();
    } else if (message.T === "subscription") {
      this.held = subscribedSymbols(message);
      this.reportRefused();
      if (!this.up) this.markUp();
    } else {
      this.onErrorMessage(message);
    }
  }

  // ---- session lifecycle ----------------------------------------------------------------------------

  private async connect(): Promise<void> {
    if (!this.running || this.socket !== null || this.connecting || this.hold.active) return;
    this.connecting = true;
    this.connects += 1;
    if (this.connects > 1) {
      this.reconnectAttempts += 1;
      metrics.alpacaReconnects.inc();
    }
    try {
      // Read at every connect (not at start-up) so a rotated key file is used without a restart.
      this.hold.fingerprint = await this.settings.credentials.fingerprint();
      this.sessionCredentials = await this.settings.credentials.load();
    } catch (error) {
      this.connecting = false;
      if (!this.running) return;
      const configError =
        error instanceof AlpacaConfigurationError
          ? error
          : new AlpacaConfigurationError("cannot load Alpaca credentials", null, { cause: error });
      this.enterConfigurationError(configError);
      return;
    }
    this.connecting = false;
    if (!this.running || this.socket !== null) return;
    this.open();
  }

  private open(): void {
    const generation = ++this.generation;
    const socket = new WebSocket(this.url, {
      perMessageDeflate: this.settings.compression,
      maxPayload: this.settings.maxFrameBytes,
    });
    this.socket = socket;
    this.log.info({ url: this.url, attempt: this.connects }, "connecting to Alpaca stream");
    const current = () => generation === this.generation;
    this.timers.set("handshake", this.settings.handshakeTimeoutMs, () =>
      this.abandon("handshake timeout", true),
    );
    socket.on("open", () => {
      if (!current()) return;
      this.liveness.startPinging(socket);
    });
    socket.on("message", (data: WebSocket.RawData) => {
      if (!current()) return;
      const receivedAt = this.settings.clock.now();
      const text = frameText(data);
      if (this.parser.parse(text, receivedAt) > 0) {
        this.liveness.dataReceived(receivedAt);
        metrics.alpacaMessages.inc();
      }
    });
    socket.on("pong", () => {
      if (current()) this.liveness.pongReceived();
    });
    socket.on("unexpected-response", (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      metrics.alpacaStreamErrors.inc({ code: `http_${status}` });
      this.endSession(upgradeRefusal(status, this.target(), this.settings.connectionLimitDelayMs));
      socket.terminate();
    });
    socket.on("error", (error: Error & { code?: unknown }) => {
      const end = transportFailure(error, this.target());
      if (end.kind === "retry" && end.oversized) {
        metrics.alpacaOversizedFrames.inc();
        this.log.warn({ maxFrameBytes: this.settings.maxFrameBytes }, end.reason);
      }
      if (this.sessionFailure === null) this.endSession(end);
    });
    socket.on("close", (code) => this.onClose(generation, code));
  }

  private authenticate(): void {
    const credentials = this.sessionCredentials;
    if (credentials !== null) this.send(authRequest(credentials.keyId, credentials.secretKey));
  }

  private onAuthenticated(): void {
    this.authenticated = true;
    this.log.info("Alpaca authentication successful");
    if (this.desired.all.length === 0) this.markUp();
    else this.send(subscribeRequest("subscribe", this.desired.full()));
  }

  private markUp(): void {
    this.up = true;
    this.timers.clear("handshake");
    this.consecutiveFailures = 0;
    this.lastSuccessAt = this.settings.clock.now();
    metrics.alpacaConnected.set(1);
    this.timers.set("stable", this.settings.stableSessionMs, () => this.backoff.reset());
    // Outside market hours a subscribed stream is quiet by nature: the data watchdog waits.
    this.liveness.watch(() => this.held.length > 0 && !this.silenceExpected());
    this.log.info({ symbols: this.held.length }, "Alpaca stream subscribed");
    this.emit({ type: "up" });
  }

  private onErrorMessage(message: ErrorMessage): void {
    reactToStreamError(message, {
      log: this.log,
      connectionLimitDelayMs: this.settings.connectionLimitDelayMs,
      feed: this.settings.feed,
      setLastError: (text) => (this.lastError = text),
      enterConfigurationError: (error) => this.enterConfigurationError(error),
      abandon: (reason, floorMs) => this.abandon(reason, false, floorMs),
      symbolLimit: () => {
        this.reportRefused();
        if (!this.up) this.markUp();
      },
    });
  }

  private reportRefused(): void {
    const refused = this.desired.refused(this.held);
    metrics.alpacaRefusedSymbols.set(refused.length);
    if (refused.length === 0) return;
    this.log.warn({ refused }, "Alpaca refused symbols");
    this.emit({
      type: "notice",
      message: `Alpaca refused ${refused.length} symbol(s): symbol limit`,
      symbols: refused,
    });
  }

  private enterConfigurationError(error: AlpacaConfigurationError, retryAfterMs?: number): void {
    this.lastError = error.message;
    this.consecutiveFailures += 1;
    this.hold.enter(error, retryAfterMs);
    this.emit({ type: "failure", reason: error.message, retryable: false });
    if (this.socket !== null) this.closeSocket(this.socket, false);
  }

  /** Ends the session: `failure` is reported when the socket has closed. */
  private abandon(reason: string, destroy: boolean, floorMs = 0): void {
    const socket = this.socket;
    if (socket === null) return;
    this.sessionFailure = { reason, floorMs };
    this.closeSocket(socket, destroy);
  }

  private closeSocket(socket: WebSocket, destroy: boolean): void {
    if (destroy || socket.readyState === WebSocket.CONNECTING) {
      socket.terminate();
      return;
    }
    // A clean close lets the server reap the session now instead of counting it for ~90 s.
    socket.close(1000);
    this.timers.set("close", this.settings.closeTimeoutMs, () => socket.terminate());
  }

  private onClose(generation: number, code: number): void {
    if (generation !== this.generation) return;
    this.socket = null;
    this.timers.clearSession();
    const wasUp = this.up;
    this.up = false;
    this.authenticated = false;
    this.held = [];
    metrics.alpacaConnected.set(0);
    const failure = this.sessionFailure ?? { reason: `connection closed (code ${code})`, floorMs: 0 };
    this.sessionFailure = null;
    if (!this.running || this.hold.active) return;
    this.consecutiveFailures += 1;
    this.lastError = failure.reason;
    this.log.warn(
      { reason: failure.reason, wasUp, failures: this.consecutiveFailures },
      "Alpaca session lost",
    );
    this.emit({ type: "failure", reason: failure.reason, retryable: true });
    if (this.connectNowAfterClose) {
      this.connectNowAfterClose = false;
      void this.connect();
      return;
    }
    const delay = Math.max(this.backoff.next(), failure.floorMs);
    this.timers.set("reconnect", delay, () => void this.connect());
  }

  private target(): StreamTarget {
    return { url: this.url, feed: this.settings.feed, maxFrameBytes: this.settings.maxFrameBytes };
  }

  private endSession(end: SessionEnd): void {
    if (end.kind === "retry") this.sessionFailure = { reason: end.reason, floorMs: end.floorMs };
    // A wrong URL or host, or refused keys: say so now, and look again only at the slowest pace.
    else this.enterConfigurationError(end.error, this.settings.reconnectMaxDelayMs);
  }

  private send(text: string): void {
    if (this.socket !== null && this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
  }

  private emit(event: SourceEvent): void {
    this.listeners.emit(event);
  }
}
