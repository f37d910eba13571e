import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { startSimulator, type RunningSimulator } from "@torghut/market-sim";
import { eventually } from "@torghut/testing";
import { pino } from "pino";
import { systemClock } from "../../clock";
import { registry } from "../../metrics/registry";
import type { SourceEvent } from "../source";
import { YahooClient } from "./client";
import { YahooMalformedResponseError, YahooResponseTooLargeError, YahooTimeoutError } from "./errors";
import { YahooSource, type YahooSourceOptions } from "./poller";

const SYMBOLS = ["AAPL", "MSFT", "NVDA"];
const logger = pino({ level: "silent" });

async function gauge(name: string): Promise<number | undefined> {
  return (await registry.getSingleMetric(name)?.get())?.values[0]?.value;
}

describe("Yahoo: a deadline on every request, bounded bodies, a watchdog on the loop (issue #14)", () => {
  let sim: RunningSimulator;
  before(async () => (sim = await startSimulator({ port: 0, seed: 5, symbols: SYMBOLS })));
  after(() => sim.close());

  function source(extra: Partial<YahooSourceOptions> = {}, requestTimeoutMs = 300) {
    const client = new YahooClient({ baseUrl: sim.yahooBaseUrl, logger, requestTimeoutMs });
    const yahoo = new YahooSource({
      client,
      clock: systemClock,
      logger,
      symbols: SYMBOLS,
      pollIntervalMs: 100,
      startActive: false,
      requestTimeoutMs,
      ...extra,
    });
    const events: SourceEvent[] = [];
    yahoo.onEvent((e) => events.push(e));
    return { client, yahoo, events };
  }

  test("a request that never answers fails at the deadline with a clear error", async () => {
    const { client } = source();
    sim.control.setFault({ target: "yahoo", fault: "hang" });
    try {
      await assert.rejects(client.latestPrice("AAPL"), (error: unknown) => {
        assert.ok(error instanceof YahooTimeoutError);
        assert.match(error.message, /did not answer within 0\.3 s \(YAHOO_REQUEST_TIMEOUT_SECONDS\)/);
        return true;
      });
    } finally {
      sim.control.clearFaults("yahoo");
    }
  });

  test("a hung Yahoo makes the active fallback unhealthy with a clear lastError; polling goes on", async () => {
    const { yahoo, events } = source();
    sim.control.setFault({ target: "yahoo", fault: "hang" });
    try {
      yahoo.activate();
      await eventually(
        () => events.filter((e) => e.type === "failure").length >= 2,
        "two failed cycles",
        10_000,
      );
      assert.equal(yahoo.health().healthy, false);
      assert.match(yahoo.health().lastError ?? "", /did not answer within/);
      sim.control.clearFaults("yahoo");
      await eventually(() => yahoo.health().healthy, "healthy again without a restart", 10_000);
      assert.ok(events.some((e) => e.type === "trade"));
    } finally {
      sim.control.clearFaults("yahoo");
      await yahoo.stop();
    }
  });

  test("an HTML page where JSON belongs is a named error, not a price", async () => {
    const { client } = source();
    sim.control.setFault({ target: "yahoo", fault: "html" });
    try {
      await assert.rejects(client.latestPrice("AAPL"), (error: unknown) => {
        assert.ok(error instanceof YahooMalformedResponseError);
        assert.match(error.message, /HTML page instead of JSON .* check YAHOO_BASE_URL/);
        return true;
      });
    } finally {
      sim.control.clearFaults("yahoo");
    }
  });

  test("a body over the limit is refused, not buffered", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`{"pad":"${"x".repeat(200_000)}"}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const client = new YahooClient({ baseUrl: `http://127.0.0.1:${port}`, logger, maxResponseBytes: 64_000 });
    try {
      await assert.rejects(client.latestPrice("AAPL"), YahooResponseTooLargeError);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("a poll cycle past its deadline is abandoned, counted and restarted", async () => {
    // A request deadline longer than the cycle's: only the loop's watchdog can end the cycle.
    const { yahoo, events } = source({ cycleDeadlineMs: 300 }, 60_000);
    sim.control.setFault({ target: "yahoo", fault: "hang" });
    try {
      yahoo.activate();
      const failure = await eventually(
        () => events.find((e) => e.type === "failure"),
        "abandoned cycle reported",
        10_000,
      );
      assert.match(failure.reason, /poll cycle did not finish within 0\.3s; abandoned and restarted/);
      const abandoned = (await registry.getSingleMetric("yahoo_poll_cycles_abandoned_total")?.get())
        ?.values[0];
      assert.ok((abandoned?.value ?? 0) >= 1);
      sim.control.clearFaults("yahoo");
      // Requests still hung in the old cycle do not block the new ones.
      await eventually(() => yahoo.health().healthy, "a later cycle succeeds", 10_000);
    } finally {
      sim.control.clearFaults("yahoo");
      await yahoo.stop();
    }
  });

  test("standby: probed while dormant, so health says whether the fallback would work", async () => {
    const { yahoo, events } = source({ standbyProbeIntervalMs: 100 });
    try {
      await yahoo.start();
      await eventually(() => yahoo.health().healthy, "probed healthy without being activated", 10_000);
      assert.ok(yahoo.health().lastSuccessAt !== null);
      assert.equal(events.filter((e) => e.type === "trade").length, 0, "a probe feeds nothing");
      assert.equal(await gauge("yahoo_fallback_healthy"), 1);
      sim.control.setFault({ target: "yahoo", fault: "down" });
      await eventually(() => !yahoo.health().healthy, "standby failure seen", 10_000);
      assert.match(yahoo.health().lastError ?? "", /^standby probe: Yahoo unavailable .*HTTP 503/);
      assert.ok(
        events.some((e) => e.type === "failure"),
        "the router hears the fallback is down",
      );
      assert.equal(await gauge("yahoo_fallback_healthy"), 0);
      sim.control.clearFaults("yahoo");
      await eventually(() => yahoo.health().healthy, "standby healthy again", 10_000);
    } finally {
      sim.control.clearFaults("yahoo");
      await yahoo.stop();
    }
  });
});
