import { expect, test } from "@playwright/test";
import { countCandlePixels, failOnPageErrors } from "../support/helpers";
import { LAG_THRESHOLD_MS, NO_DATA_SYMBOL, SERVER_URL, WEB_VISUALS_OFF_URL } from "../support/env";

// Seed 001, "Torghut TA visuals validation", steps 1-6, in order.
const UP = "#00c878";
const DOWN = "#e6283c";

test.describe("TA visuals validation (seed 001)", () => {
  test("1. with the visuals flag on, /torghut/visuals loads", async ({ page }) => {
    const errors = failOnPageErrors(page);
    await page.goto("/torghut/visuals");
    await expect(page.getByRole("heading", { name: "TA visuals" })).toBeVisible();
    await expect(page.getByTestId("visuals-disabled")).toHaveCount(0);
    await expect(page.getByTestId("price-chart")).toBeVisible();
    await expect(page.getByRole("navigation").getByRole("link", { name: "Visuals" })).toBeVisible();
    expect(errors).toEqual([]);
  });

  test("1b. with the visuals flag off, /torghut/visuals says so and loads no chart and no data", async ({
    page,
  }) => {
    const errors = failOnPageErrors(page);
    const calls: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname.startsWith("/api/")) calls.push(r.url());
    });
    page.on("websocket", (ws) => calls.push(ws.url()));
    // Same build as the other server, started with NEXT_PUBLIC_TORGHUT_VISUALS_ENABLED=false.
    await page.goto(`${WEB_VISUALS_OFF_URL}/torghut/visuals?symbol=AAPL`);
    await expect(page.getByRole("heading", { name: "TA visuals" })).toBeVisible();
    await expect(page.getByTestId("visuals-disabled")).toContainText("The TA visuals are turned off");
    await expect(page.getByTestId("price-chart")).toHaveCount(0);
    await expect(page.getByTestId("symbol-picker")).toHaveCount(0);
    await expect(page.getByRole("navigation").getByRole("link", { name: "Visuals" })).toHaveCount(0);
    await page.waitForLoadState("networkidle");
    expect(calls).toEqual([]);
    // The rest of the app is unaffected.
    await page.getByTestId("visuals-disabled").getByRole("link", { name: "watchlist" }).click();
    await expect(page.getByRole("heading", { name: "Watchlist" })).toBeVisible();
    await expect(page.getByTestId("watchlist")).toBeVisible();
    expect(errors).toEqual([]);
  });

  test("2. candlesticks render from /api/torghut/ta/bars for a symbol with data", async ({
    page,
  }, testInfo) => {
    const errors = failOnPageErrors(page);
    const browserBarRequests: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/api/torghut/ta/bars")) browserBarRequests.push(r.url());
    });
    await page.goto("/torghut/visuals?symbol=AAPL&interval=1m");
    await expect(page.getByTestId("chart-state")).toHaveAttribute("data-status", "ok");
    const candles = Number(await page.getByTestId("chart-state").getAttribute("data-candles"));
    const api = (await (await fetch(`${SERVER_URL}/api/torghut/ta/bars?symbol=AAPL&interval=1m`)).json()) as {
      bars: unknown[];
    };
    expect(candles).toBeGreaterThan(20);
    // Both reads end at "now": a minute may have rolled over between the page's and this one.
    expect(Math.abs(candles - api.bars.length)).toBeLessThanOrEqual(1);
    // The first chart's bars came with the page (fetched by its server component), not by a second request.
    expect(browserBarRequests).toEqual([]);
    const chart = page.getByTestId("price-chart");
    // Pixels, not the DOM: both candle colours must be painted on the canvas.
    await expect
      .poll(async () => {
        const counts = await countCandlePixels(page, await chart.screenshot(), UP, DOWN);
        return Math.min(counts.up, counts.down);
      })
      .toBeGreaterThan(200);
    const shot = await chart.screenshot({ path: testInfo.outputPath("candles.png") });
    const counts = await countCandlePixels(page, shot, UP, DOWN);
    await testInfo.attach("candle-pixels", { body: JSON.stringify(counts), contentType: "application/json" });
    expect(counts.up + counts.down).toBeLessThan(counts.total / 2);
    expect(errors).toEqual([]);
  });

  test("3. each indicator toggle populates from /api/torghut/ta/signals", async ({ page }, testInfo) => {
    const errors = failOnPageErrors(page);
    await page.goto("/torghut/visuals?symbol=AAPL&interval=1m");
    await expect(page.getByTestId("chart-state")).toHaveAttribute("data-status", "ok");
    const chart = page.getByTestId("price-chart");
    const before = (await chart.boundingBox())!;
    const canvases = () => page.locator("[data-testid=price-chart] canvas").count();
    // Candles and volume: two panes before any indicator.
    await expect.poll(canvases).toBeGreaterThan(0);
    const canvasesBefore = await canvases();
    for (const key of ["ema", "bollinger", "vwap", "macd", "rsi"]) {
      const signals = page.waitForResponse(
        (r) => r.url().includes("/api/torghut/ta/signals") && r.url().includes(`indicators=${key}`),
      );
      await page.getByTestId(`toggle-${key}`).check();
      const response = await signals;
      expect(response.status()).toBe(200);
      const body = (await response.json()) as { indicators: { kind: string; points: unknown[] }[] };
      expect(body.indicators[0]?.kind).toBe(key);
      const points = body.indicators[0]!.points.length;
      expect(points).toBeGreaterThan(0);
      await expect(page.getByTestId(`indicator-status-${key}`)).toHaveAttribute(
        "data-points",
        String(points),
      );
    }
    // MACD and RSI add their own panes below the volume pane: more canvases than before.
    await expect.poll(canvases).toBeGreaterThan(canvasesBefore);
    expect((await chart.boundingBox())!.height).toBeGreaterThanOrEqual(before.height - 1);
    await chart.screenshot({ path: testInfo.outputPath("indicators.png") });
    // Turning one off removes its lines and leaves no error behind.
    await page.getByTestId("toggle-macd").uncheck();
    await expect(page.getByTestId("indicator-status-macd")).toHaveCount(0);
    await expect(page.getByTestId("error-banner")).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test("4. the lag pill updates from /api/torghut/ta/latest and stays under the threshold", async ({
    page,
  }) => {
    const errors = failOnPageErrors(page);
    await page.goto("/torghut/visuals?symbol=AAPL");
    const pill = page.getByTestId("lag-pill");
    await expect(pill).toHaveAttribute("data-state", "ok");
    const first = Number(await pill.getAttribute("data-samples"));
    const seen = new Set<string>();
    await expect
      .poll(async () => {
        const lag = await pill.getAttribute("data-lag-ms");
        seen.add(lag ?? "");
        expect(Number(lag)).toBeLessThan(LAG_THRESHOLD_MS);
        expect(await pill.getAttribute("data-state")).toBe("ok");
        return Number(await pill.getAttribute("data-samples"));
      })
      .toBeGreaterThanOrEqual(first + 3);
    // The figure moves with the market, it is not a constant.
    expect(seen.size).toBeGreaterThan(1);
    await expect(pill).toHaveText(/lag \d+/);
    // The last candle keeps moving too (live updates through the monotonic bar builder).
    await expect
      .poll(async () => Number(await page.getByTestId("live-updates").getAttribute("data-count")))
      .toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  test("5. a symbol with no data shows the no-data message", async ({ page }) => {
    await page.goto(`/torghut/visuals?symbol=${NO_DATA_SYMBOL}`);
    await expect(page.getByTestId("no-data")).toBeVisible();
    await expect(page.getByTestId("no-data")).toContainText(`No data for ${NO_DATA_SYMBOL}`);
    await expect(page.getByTestId("error-banner")).toHaveCount(0);
    await expect(page.getByTestId("lag-pill")).toHaveAttribute("data-state", "none");
  });

  test("6a. an unknown symbol shows the error banner", async ({ page }) => {
    await page.goto("/torghut/visuals?symbol=AAPL");
    await expect(page.getByTestId("chart-state")).toHaveAttribute("data-status", "ok");
    await page.getByTestId("symbol-input").fill("NOPEX");
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page.getByTestId("error-banner")).toBeVisible();
    await expect(page.getByTestId("error-banner")).toContainText("Unknown symbol NOPEX");
    await expect(page.getByTestId("no-data")).toHaveCount(0);
  });

  test("6b. a malformed symbol shows the error banner", async ({ page }) => {
    await page.goto("/torghut/visuals?symbol=BAD%24SYM");
    await expect(page.getByTestId("error-banner")).toContainText("symbol must be");
  });

  test("6c. a failing API shows the error banner", async ({ page }) => {
    await page.goto("/torghut/visuals?symbol=AAPL");
    await expect(page.getByTestId("chart-state")).toHaveAttribute("data-status", "ok");
    // Later charts are fetched by the browser: fail the next one.
    await page.route("**/api/torghut/ta/bars**", (route) =>
      route.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify({ error: "unavailable", message: "TA store down" }),
      }),
    );
    await page.getByTestId("interval-5m").click();
    await expect(page.getByTestId("error-banner")).toContainText("Bars: TA store down");
    await expect(page).toHaveURL(/interval=5m/);
  });

  test("6d. a symbol change fetches its bars in the browser and the chart follows", async ({ page }) => {
    const errors = failOnPageErrors(page);
    await page.goto("/torghut/visuals?symbol=AAPL");
    await expect(page.getByTestId("chart-state")).toHaveAttribute("data-status", "ok");
    const bars = page.waitForResponse((r) => r.url().includes("/api/torghut/ta/bars?symbol=MSFT") && r.ok());
    await page.getByTestId("symbol-picker").selectOption("MSFT");
    const body = (await (await bars).json()) as { bars: unknown[] };
    await expect(page.getByTestId("chart-state")).toHaveAttribute("data-candles", String(body.bars.length));
    await expect(page).toHaveURL(/symbol=MSFT/);
    await expect(page.getByTestId("error-banner")).toHaveCount(0);
    expect(errors).toEqual([]);
  });
});
