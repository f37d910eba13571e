import { expect, test } from "@playwright/test";
import { NO_DATA_SYMBOL, SYMBOLS_WITH_DATA } from "../support/env";
import { clearFaults, failOnPageErrors, setFault } from "../support/helpers";

test.describe("watchlist", () => {
  test.afterEach(async () => {
    await clearFaults();
  });

  test("shows every symbol's price and source, the simulated-market notice, and no data for an untraded symbol", async ({
    page,
  }) => {
    const errors = failOnPageErrors(page);
    await page.goto("/");
    await expect(page.getByTestId("simulated-notice")).toBeVisible();
    await expect(page.getByTestId("source-state")).toHaveAttribute("data-state", "PRIMARY_ACTIVE");
    for (const symbol of SYMBOLS_WITH_DATA) {
      await expect(page.getByTestId(`price-${symbol}`)).toHaveText(/^\d+\.\d{2}$/);
      await expect(page.getByTestId(`watch-row-${symbol}`)).toHaveAttribute("data-source", "alpaca");
      await expect(page.getByTestId(`watch-row-${symbol}`)).toHaveAttribute("data-delayed", "false");
    }
    await expect(page.getByTestId(`no-data-${NO_DATA_SYMBOL}`)).toHaveText("no data");
    await expect(page.getByTestId("delayed-badge")).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test("Alpaca down → DELAYED badge and FALLBACK state; recovery → badge gone", async ({
    page,
  }, testInfo) => {
    await page.goto("/");
    await expect(page.getByTestId("source-state")).toHaveAttribute("data-state", "PRIMARY_ACTIVE");
    await expect(page.getByTestId(`watch-row-AAPL`)).toHaveAttribute("data-delayed", "false");

    await setFault({ target: "alpaca", fault: "down" });
    await expect(page.getByTestId("source-state")).toHaveAttribute("data-state", "FALLBACK_ACTIVE", {
      timeout: 30_000,
    });
    await expect(page.getByTestId("fallback-banner")).toBeVisible();
    await expect(page.getByTestId("delayed-badge")).toBeVisible();
    // The rows' own provenance: Yahoo prices are marked DELAYED where the trader looks.
    await expect(page.getByTestId("watch-row-AAPL")).toHaveAttribute("data-delayed", "true", {
      timeout: 20_000,
    });
    await expect(page.getByTestId("watch-row-AAPL")).toHaveAttribute("data-source", "yahoo");
    await expect(page.getByTestId("watch-row-AAPL").getByTestId("row-delayed-badge")).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("fallback-delayed.png"), fullPage: true });

    await clearFaults();
    await expect(page.getByTestId("source-state")).toHaveAttribute("data-state", "PRIMARY_ACTIVE", {
      timeout: 30_000,
    });
    await expect(page.getByTestId("delayed-badge")).toHaveCount(0);
    await expect(page.getByTestId("fallback-banner")).toHaveCount(0);
    await expect(page.getByTestId("watch-row-AAPL")).toHaveAttribute("data-delayed", "false", {
      timeout: 20_000,
    });
    await expect(page.getByTestId("row-delayed-badge")).toHaveCount(0, { timeout: 20_000 });
    await page.screenshot({ path: testInfo.outputPath("recovered.png"), fullPage: true });
  });

  test("prices that stop moving dim and say how old the last tick is", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByTestId("watch-row-AAPL")).toHaveAttribute("data-stale", "false");
    // Both sources down: nothing new arrives, so the last price ages past the stale threshold (10 s).
    await setFault({ target: "alpaca", fault: "down" });
    await setFault({ target: "yahoo", fault: "down" });
    await expect(page.getByTestId("both-unavailable-banner")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("watch-row-AAPL")).toHaveAttribute("data-stale", "true", {
      timeout: 30_000,
    });
    await expect(page.getByTestId("stale-note-AAPL")).toHaveText(/^last tick \d+s ago$/);
  });
});
