import { expect, test } from "@playwright/test";
import { clearFaults, setFault, setMarketOpen } from "../support/helpers";

test.describe("market hours and per-symbol staleness", () => {
  test.afterEach(async () => {
    await setMarketOpen(true);
    await clearFaults();
  });

  test("market closed: 'market closed — last price at … ET', no stale rows and no failover on the silence", async ({
    page,
  }, testInfo) => {
    await page.goto("/");
    await expect(page.getByTestId("source-state")).toHaveAttribute("data-presentation", "live");
    await setMarketOpen(false);
    const banner = page.getByTestId("market-closed-banner");
    await expect(banner).toHaveText(/^Market closed — last price at \d{2}:\d{2}:\d{2} ET$/, {
      timeout: 20_000,
    });
    await expect(page.getByTestId("market-closed-badge")).toBeVisible();
    // Sampled for well past MESSAGE_TIMEOUT_SECONDS (2) + FALLBACK_ACTIVATION_DELAY_SECONDS (1):
    // every look must find the primary still active and the market-closed banner up.
    const closedAt = Date.now();
    const violations: string[] = [];
    await expect
      .poll(
        async () => {
          const state = await page.getByTestId("source-state").getAttribute("data-state");
          if (state !== "PRIMARY_ACTIVE") violations.push(`state ${state}`);
          if (!(await banner.isVisible())) violations.push("banner gone");
          return Date.now() - closedAt;
        },
        { timeout: 20_000, intervals: [500] },
      )
      .toBeGreaterThan(6_000);
    expect(violations).toEqual([]);
    await expect(page.getByTestId("fallback-banner")).toHaveCount(0);
    await expect(page.getByTestId("watch-row-AAPL")).toHaveAttribute("data-stale", "false");
    await expect(page.getByTestId("row-stale-badge-AAPL")).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath("market-closed.png"), fullPage: true });

    await setMarketOpen(true);
    await expect(banner).toHaveCount(0, { timeout: 20_000 });
    await expect(page.getByTestId("source-state")).toHaveAttribute("data-presentation", "live", {
      timeout: 20_000,
    });
  });

  test("a halted symbol gets its own STALE mark while the others stay live", async ({ page }, testInfo) => {
    await page.goto("/");
    await expect(page.getByTestId("price-TSLA")).toHaveText(/^\d+\.\d{2}$/);
    await setFault({ target: "alpaca", fault: "halt", symbol: "TSLA" });
    await expect(page.getByTestId("row-stale-badge-TSLA")).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId("watch-row-TSLA")).toHaveAttribute("data-stale", "true");
    await expect(page.getByTestId("row-stale-badge-AAPL")).toHaveCount(0);
    await expect(page.getByTestId("source-state")).toHaveAttribute("data-state", "PRIMARY_ACTIVE");
    await page.screenshot({ path: testInfo.outputPath("halted-stale.png"), fullPage: true });
    await clearFaults();
    await expect(page.getByTestId("row-stale-badge-TSLA")).toHaveCount(0, { timeout: 20_000 });
  });
});
