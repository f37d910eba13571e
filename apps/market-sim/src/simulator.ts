/**
 * startSimulator: wires the market model, clock, faults, Alpaca stream + REST and Yahoo endpoints
 * into one server. In real-time mode a 10 ms timer advances the clock; with `manualClock` only
 * `control.advance(ms)` (or POST /control/advance) moves time.
 */
import type { AddressInfo } from "node:net";
import type { RunningSimulator, SimulatorControl, SimulatorOptions } from "./api";
import { AlpacaRest } from "./alpaca/rest";
import type { KeyPlan } from "./alpaca/connection";
import { SessionRegistry } from "./alpaca/sessions";
import { TradeLedger } from "./alpaca/trade-ledger";
import { AlpacaStream, FEEDS } from "./alpaca/stream";
import { AlpacaTrading } from "./alpaca/trading";
import { Timeline } from "./clock";
import { handleControl } from "./control";
import { Counters } from "./counters";
import { Engine, SLOT_MS } from "./engine";
import { FaultBook } from "./faults";
import { BarHistory } from "./market/history";
import { MarketModel } from "./market/model";
import { dailyHistory, minuteHistory } from "./market/prehistory";
import { buildProfiles } from "./market/symbols";
import { createSimServer } from "./server";
import { YahooChart } from "./yahoo/chart";
import { YahooQuote } from "./yahoo/quote";
import { DEFAULT_SYMBOLS } from "@torghut/contracts";

/** How far ahead `setMarketOpen(false)` announces the close on the clock (next_close). */
export const DEFAULT_CLOSE_ANNOUNCE_MS = 2_000;
export const DEFAULT_KEY = { keyId: "sim-key", secretKey: "sim-secret", feeds: [...FEEDS] } as const;

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = options.seed ?? 42;
  const startMs = options.startTime ?? Date.now();
  const profiles = buildProfiles(seed, options.symbols ?? DEFAULT_SYMBOLS.map((s) => s.symbol));
  const historyMinutes = options.historyMinutes ?? 1_440;
  const history = new BarHistory(Math.max(historyMinutes, options.maxHistoryMinutes ?? 10_080));
  const startMinute = Math.floor(startMs / 60_000) * 60_000;
  for (const profile of profiles) {
    const minutes = minuteHistory(seed, profile, startMinute, historyMinutes);
    const firstOpen = minutes[0]?.o ?? profile.startPrice;
    history.seed(
      profile.symbol,
      minutes,
      dailyHistory(seed, profile, minutes[0]?.t ?? startMs, firstOpen, options.historyDays ?? 400),
    );
  }

  const model = new MarketModel({
    seed,
    profiles,
    tradesPerSecond: options.tradesPerSecond ?? 60,
    correctionsPerMinute: options.correctionsPerMinute ?? 1,
    history,
    startMs,
  });
  const timeline = new Timeline();
  let engine: Engine | null = null;
  const now = (): number => engine?.now() ?? startMs;
  const faults = new FaultBook(timeline, now);
  let sessions: SessionRegistry | null = null;
  const counters = new Counters(() => sessions?.count() ?? 0);
  sessions = new SessionRegistry(timeline, now, options.staleSessionMs ?? 90_000, () =>
    counters.sessionsChanged(),
  );
  const keys = new Map<string, KeyPlan>(
    (options.keys ?? [DEFAULT_KEY]).map((k) => [
      k.keyId,
      { secret: k.secretKey, feeds: new Set(k.feeds ?? FEEDS) },
    ]),
  );
  const ledger = options.recordTrades === true ? new TradeLedger() : null;
  const stream = new AlpacaStream(
    { timeline, now, sessions, counters, faults, keys, authTimeoutMs: options.authTimeoutMs ?? 10_000 },
    {
      seed,
      slowClientBytes: options.slowClientBytes ?? 16 * 1024 * 1024,
      slowClientGraceMs: options.slowClientGraceMs ?? 2_000,
      ledger,
    },
  );
  engine = new Engine(model, timeline, startMs, (events) => stream.publish(events));

  faults.onChange((spec, phase) => {
    if (spec.target !== "alpaca" || spec.fault !== "halt" || !spec.symbol) return;
    model.setHalted(spec.symbol, phase === "start");
    const status = model.status(spec.symbol, phase === "start", now());
    if (status) stream.publish([status]);
  });
  if (options.marketOpen === false) model.setMarketOpen(false);
  faults.onChange((spec, phase) => {
    if (spec.target !== "alpaca" || spec.fault !== "spike" || !spec.symbol) return;
    model.setShock(spec.symbol, phase === "start" ? 1 + (spec.percent ?? 0) / 100 : 1);
    const status = model.status(spec.symbol, phase === "start", now());
    if (status) stream.publish([status]);
  });

  const manual = options.manualClock === true;
  const control: SimulatorControl = {
    setFault: (spec) => void faults.set(spec),
    clearFaults: (target) => faults.clear(target),
    faults: () => faults.activeFaults().map((f) => f.spec),
    counters: () => counters.snapshot(),
    advance: (ms) => {
      if (!manual) throw new Error("advance() needs manualClock: true");
      engine.advanceTo(engine.now() + ms);
    },
    now,
    setTradesPerSecond: (rate) => model.setTradesPerSecond(rate),
    setMarketOpen: (open, announceMs = DEFAULT_CLOSE_ANNOUNCE_MS) => {
      if (!open && announceMs > 0) model.scheduleClose(now() + announceMs);
      else model.setMarketOpen(open);
    },
    isMarketOpen: () => model.isMarketOpen(),
    deliveredTrades: (untilMs) => {
      if (ledger === null) throw new Error("deliveredTrades() needs recordTrades: true");
      return ledger.keys(untilMs);
    },
  };

  const rest = new AlpacaRest({
    model,
    history,
    faults,
    counters,
    keys,
    now,
    rateLimitPerMinute: options.restRateLimitPerMinute ?? 10_000,
  });
  const trading = new AlpacaTrading({
    faults,
    counters,
    keys,
    now,
    isOpen: () => model.isMarketOpen(),
    announcedClose: () => model.announcedClose(),
  });
  const chart = new YahooChart({ model, history, faults, counters, now });
  const quote = new YahooQuote({ model, history, faults, counters, now, seed });
  const server = createSimServer({
    routes: [
      async (req, res, url) => {
        if (!url.pathname.startsWith("/control/")) return false;
        await handleControl(req, res, url, control, faults);
        return true;
      },
      (req, res, url) => rest.handle(req, res, url),
      (req, res, url) => trading.handle(req, res, url),
      (req, res, url) => chart.handle(req, res, url),
      (req, res, url) => quote.handle(req, res, url),
    ],
    upgrade: (req, socket, head) => stream.handleUpgrade(req, socket, head),
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const realStart = Date.now();
  const ticker = manual
    ? null
    : setInterval(() => engine.advanceTo(startMs + (Date.now() - realStart), true), SLOT_MS);

  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  return {
    url,
    alpacaStreamUrl: `ws://${host}:${address.port}`,
    alpacaDataUrl: url,
    alpacaTradingUrl: url,
    yahooBaseUrl: url,
    control,
    close: async () => {
      if (ticker) clearInterval(ticker);
      stream.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
