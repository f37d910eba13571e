// Child process of the watchlist's isolated mode (bench/ui-watchlist-isolated.ts): our real hub and
// its SignalR transport (the frames, throttle, queues and batching the API server uses) on 127.0.0.1,
// fed by a cheap in-process publisher instead of the simulator, the Alpaca client and ingest, so
// the page under test gets the goal rate without the whole stack competing for the two cores.
// It also serves `/floor`: a bare page that opens the same hub connection and only parses the frames;
// and `/replay`: a page that replays the watchlist's main-thread CPU while a worker takes the feed.
// The transport runs twice on the hub: records of one flush joined into one WebSocket message (the
// default) and one message per record (`maxMessageBytes: 0`, the transport before issue #18's change).
import { minuteStart, type LiveTrade, type Quote, type Trade } from "@torghut/contracts";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { HUB_AUDIENCE, signToken, TokenVerifier } from "../apps/server/src/realtime/auth";
import { Hub } from "../apps/server/src/realtime/hub";
import { attachSignalrTransport } from "../apps/server/src/realtime/transports/signalr";
import { MinuteBar } from "../apps/server/src/store/minute-bar";
import { FLOOR_PAGE } from "./lib/ui-floor-page";
import { REPLAY_PAGE } from "./lib/ui-replay-page";

export interface FeedConfig {
  secret: string;
  symbols: string[];
  tradesPerSymbol: number;
  quotesPerSymbol: number;
  /** The hub's per-client queue (WS_CLIENT_BUFFER), in messages; bytes scale with it (4 KB a message). */
  clientBuffer: number;
  /**
   * The hub's path (the page's) sends one WebSocket message per record, as the transport did before
   * it joined each flush's records (`maxMessageBytes: 0`); the other mode is served on `otherHubPath`.
   */
  onePerRecord: boolean;
  otherHubPath: string;
}

export interface FeedStats {
  cmd: "stats";
  at: number;
  offered: { trades: number; quotes: number };
  hub: { published: number; throttled: number; deliveries: number; conflated: number; slowClosed: number };
  /** This process's CPU time (user + system), ms. */
  cpuMs: number;
}

const config = JSON.parse(process.argv[2]!) as FeedConfig;
const hub = new Hub({
  servedSymbols: config.symbols,
  updatesPerSecond: 20,
  clientBuffer: config.clientBuffer,
  clientBufferBytes: Math.max(1024 * 1024, config.clientBuffer * 4096),
});
const authenticate = new TokenVerifier({ secrets: [config.secret] }).forAudience(HUB_AUDIENCE);
const server = createServer((req, res) => {
  const page = { "/floor": FLOOR_PAGE, "/replay": REPLAY_PAGE }[(req.url ?? "").split("?", 1)[0]!];
  if (page !== undefined) {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(page);
    return;
  }
  res.writeHead(404).end();
});
// Both modes of the real transport on one hub, so the floors compare them in the same run.
const transports = [config.onePerRecord, !config.onePerRecord].map((perRecord, i) =>
  attachSignalrTransport(server, hub, {
    authenticate,
    maxConnectionsPerIp: 0,
    path: i === 0 ? "/hubs/market-data" : config.otherHubPath,
    ...(perRecord ? { maxMessageBytes: 0 } : {}),
  }),
);

/** A random walk per symbol, so prices move (and rows flash) as they would on a live market. */
const prices = new Map(config.symbols.map((s, i) => [s, 20 + ((i * 37) % 400)]));
let tradeId = 0;

/** Each symbol's minute so far, built by the server's own bar: the ticks carry it as ingest's do. */
const minutes = new Map<string, MinuteBar>();

function trade(symbol: string, now: number, eventTime: string): LiveTrade {
  const price = Math.max(1, prices.get(symbol)! * (1 + (Math.random() - 0.5) * 0.002));
  prices.set(symbol, price);
  const record: Trade = {
    kind: "trade",
    symbol,
    eventTime,
    receivedAt: now,
    source: "alpaca",
    delayed: false,
    price: Math.round(price * 100) / 100,
    size: 1 + Math.floor(Math.random() * 300),
    tradeId: String(++tradeId),
    exchange: "V",
    conditions: ["@"],
    tape: "C",
    suspicious: false,
  };
  const minute = minuteStart(now);
  const eventNs = (now - minute) * 1e6;
  let bar = minutes.get(symbol);
  if (bar === undefined || bar.minute !== minute) {
    bar = new MinuteBar(symbol, minute, record, eventNs);
    minutes.set(symbol, bar);
  } else bar.add(record, eventNs);
  return { ...record, minuteBar: bar.soFar() };
}

function quote(symbol: string, now: number, eventTime: string): Quote {
  const mid = prices.get(symbol)!;
  return {
    kind: "quote",
    symbol,
    eventTime,
    receivedAt: now,
    source: "alpaca",
    delayed: false,
    bidPrice: Math.round(mid * 0.9995 * 100) / 100,
    bidSize: 1 + Math.floor(Math.random() * 9),
    askPrice: Math.round(mid * 1.0005 * 100) / 100,
    askSize: 1 + Math.floor(Math.random() * 9),
    bidExchange: "V",
    askExchange: "V",
    conditions: ["R"],
    tape: "C",
  };
}

/**
 * Paced by elapsed time, not by timer count: each turn publishes what is due since the start, round
 * robin over the symbols, so the rate holds when timers run late (the batch is then larger, as an
 * upstream frame carrying several trades would be).
 */
const started = Date.now();
/**
 * Trades are offered at twice the rate asked: the hub's throttle emits at most `tradesPerSymbol`
 * (20) a second per channel and, offered exactly that, its timer jitter coalesced a third of them
 * away. Offered more, a newest trade is always waiting (as on a busy market) and each channel
 * carries its cap. Quotes (12/s, under the cap) pass as offered.
 */
const TRADE_OFFER_FACTOR = 2;
const offered = { trades: 0, quotes: 0 };
const symbolCount = config.symbols.length;
const pump = setInterval(() => {
  const now = Date.now();
  const eventTime = new Date(now).toISOString();
  const seconds = (now - started) / 1000;
  const dueTrades = Math.floor(seconds * config.tradesPerSymbol * TRADE_OFFER_FACTOR * symbolCount);
  while (offered.trades < dueTrades)
    hub.publishTrade(trade(config.symbols[offered.trades++ % symbolCount]!, now, eventTime));
  const dueQuotes = Math.floor(seconds * config.quotesPerSymbol * symbolCount);
  while (offered.quotes < dueQuotes)
    hub.publishQuote(quote(config.symbols[offered.quotes++ % symbolCount]!, now, eventTime));
}, 5);
const status = setInterval(
  () =>
    hub.publishStatus({
      state: "PRIMARY_ACTIVE",
      activeSource: "alpaca",
      delayed: false,
      reason: null,
      changedAt: started,
    }),
  5_000,
);

function stats(): FeedStats {
  const s = hub.stats();
  const cpu = process.cpuUsage();
  return {
    cmd: "stats",
    at: Date.now(),
    offered: { ...offered },
    hub: {
      published: s.published,
      throttled: s.throttled,
      deliveries: s.deliveries,
      conflated: s.conflatedMessages,
      slowClosed: s.slowClientsClosed,
    },
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.on("message", (message: { cmd: string }) => {
  if (message.cmd === "stats") process.send!(stats());
  else if (message.cmd === "close") {
    clearInterval(pump);
    clearInterval(status);
    void hub
      .shutdown(1_000)
      .then(() => Promise.all(transports.map((t) => t.close())))
      .then(() => server.close(() => process.exit(0)));
  }
});

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  // The floor page's own token (the web app signs the watchlist's, with the same secret).
  void signToken({ secret: config.secret, sub: "bench-floor", ttl: "2h" }).then((floorToken) =>
    process.send!({ cmd: "listening", port, floorToken }),
  );
});
