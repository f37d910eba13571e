import { expect, test, type Page } from "@playwright/test";
import { clearFaults, countCandlePixels, failOnPageErrors, setFault } from "../support/helpers";

const DELAYED_UP = "#f0a020";
const DELAYED_DOWN = "#a86a10";

async function chartReady(page: Page) {
  await expect(page.getByTestId("chart-state")).toHaveAttribute("data-status", "ok");
  await expect(page.getByTestId("chart-state")).not.toHaveAttribute("data-candles", "0");
}

test.describe("chart workstation", () => {
  test.afterEach(async () => {
    await clearFaults();
  });

  test("every choice is in the URL, and the URL reproduces the view", async ({ page }) => {
    const errors = failOnPageErrors(page);
    await page.goto("/torghut/visuals?symbol=MSFT&interval=5m&indicators=ema,rsi&compare=AAPL");
    await chartReady(page);
    await expect(page.getByTestId("interval-5m")).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByTestId("toggle-ema")).toBeChecked();
    await expect(page.getByTestId("toggle-rsi")).toBeChecked();
    await expect(page.getByTestId("toggle-macd")).not.toBeChecked();
    await expect(page.getByTestId("price-chart")).toHaveAttribute("data-compare", "AAPL");
    await expect(page.getByTestId("price-chart")).toHaveAttribute("data-scale", "percent");
    await expect(page.getByTestId("price-chart")).not.toHaveAttribute("data-compare-points", "0");

    await page.getByTestId("range-1M").click();
    await expect(page).toHaveURL(/[?&]range=1M(&|$)/);
    await expect(page).toHaveURL(/[?&]interval=15m(&|$)/);
    await page.getByTestId("toggle-macd").check();
    await expect(page).toHaveURL(/indicators=ema,macd,rsi/);
    await page.getByTestId("compare-clear").click();
    await expect(page).not.toHaveURL(/compare=/);
    await page.reload();
    await chartReady(page);
    await expect(page.getByTestId("range-1M")).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByTestId("interval-15m")).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByTestId("toggle-macd")).toBeChecked();
    await expect(page.getByTestId("price-chart")).toHaveAttribute("data-scale", "price");
    expect(errors).toEqual([]);
  });

  test("1Y of daily bars: the range preset switches to 1d and the chart shows them", async ({ page }) => {
    await page.goto("/torghut/visuals?symbol=AAPL&interval=1m");
    await chartReady(page);
    const daily = page.waitForResponse(
      (r) => r.url().includes("/api/torghut/ta/bars?symbol=AAPL&interval=1d") && r.ok(),
    );
    await page.getByTestId("range-1Y").click();
    await daily;
    await expect(page.getByTestId("interval-1d")).toHaveAttribute("aria-pressed", "true");
    await chartReady(page);
  });

  test("the legend follows the crosshair: OHLC, volume, source, exchange time", async ({ page }) => {
    await page.goto("/torghut/visuals?symbol=AAPL&interval=1m&indicators=ema");
    await chartReady(page);
    const legend = page.getByTestId("chart-legend");
    const box = (await page.getByTestId("price-chart").boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.3);
    await expect(legend).toHaveText(
      /ET O \d+\.\d{2} H \d+\.\d{2} L \d+\.\d{2} C \d+\.\d{2} [+−]\d+\.\d{2}% V /,
    );
    await expect(legend).toContainText("EMA");
    const first = await legend.getAttribute("data-time");
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
    await expect(legend).not.toHaveAttribute("data-time", first!);
  });

  test("scrolling back past the first bar loads older history", async ({ page }) => {
    await page.goto("/torghut/visuals?symbol=AAPL&interval=1m&days=0.05");
    await chartReady(page);
    const state = page.getByTestId("chart-state");
    const firstTime = Number(await state.getAttribute("data-first-time"));
    const box = (await page.getByTestId("price-chart").boundingBox())!;
    const older = page.waitForResponse((r) => r.url().includes("&to=") && r.ok());
    // Drag the chart to the right: older bars come into view.
    for (let i = 0; i < 3; i++) {
      await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.4);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.4, { steps: 8 });
      await page.mouse.up();
    }
    await older;
    await expect
      .poll(async () => Number(await state.getAttribute("data-first-time")))
      .toBeLessThan(firstTime);
  });

  test("keyboard only: Tab reaches the interval buttons and Enter switches the interval", async ({
    page,
  }) => {
    await page.goto("/torghut/visuals?symbol=AAPL&interval=1m");
    await chartReady(page);
    await page.getByTestId("symbol-input").focus();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))) === "interval-1h")
        break;
    }
    await expect(page.getByTestId("interval-1h")).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("interval-1h")).toHaveAttribute("aria-pressed", "true");
    await expect(page).toHaveURL(/interval=1h/);
  });

  test("a failover shows on the chart: Yahoo bars tinted amber and labelled DELAYED", async ({
    page,
  }, testInfo) => {
    test.setTimeout(180_000);
    await setFault({ target: "alpaca", fault: "down" });
    await page.goto("/");
    await expect(page.getByTestId("source-state")).toHaveAttribute("data-state", "FALLBACK_ACTIVE", {
      timeout: 30_000,
    });
    // Yahoo's minute bars are stored as they close: reload the chart until one is there.
    await expect
      .poll(
        async () => {
          await page.goto("/torghut/visuals?symbol=AAPL&interval=1m&days=0.1");
          await chartReady(page);
          return page.getByTestId("provenance-delayed").getAttribute("data-present");
        },
        { timeout: 150_000, intervals: [5_000] },
      )
      .toBe("true");
    const png = await page.getByTestId("price-chart").screenshot();
    await testInfo.attach("failover-chart", { body: png, contentType: "image/png" });
    const amber = await countCandlePixels(page, png, DELAYED_UP, DELAYED_DOWN);
    expect(amber.up + amber.down).toBeGreaterThan(0);
    // The legend on the newest bar names the source and says DELAYED.
    await expect(page.getByTestId("chart-legend")).toHaveAttribute("data-kind", "delayed");
    await expect(page.getByTestId("chart-legend")).toContainText("yahoo DELAYED");
  });
});
