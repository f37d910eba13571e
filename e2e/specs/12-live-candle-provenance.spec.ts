import { expect, test } from "@playwright/test";
import { clearFaults, failOnPageErrors, setFault } from "../support/helpers";

// The candle still forming is drawn as what its newest price is: when Alpaca fails and Yahoo's
// prices arrive, the live candle turns DELAYED (amber) on the open page, not only after a reload.
test.describe("the live candle's provenance", () => {
  test.afterEach(async () => {
    await clearFaults();
  });

  test("a failover tints the forming candle DELAYED without a reload, and recovery brings it back", async ({
    page,
  }) => {
    test.setTimeout(150_000);
    const errors = failOnPageErrors(page);
    await page.goto("/torghut/visuals?symbol=AAPL&interval=1m");
    await expect(page.getByTestId("chart-state")).toHaveAttribute("data-status", "ok");
    const chart = page.getByTestId("price-chart");
    await expect(chart).toHaveAttribute("data-live-kind", "live", { timeout: 30_000 });
    // A mark in this document: it would be gone if the page reloaded or navigated.
    await page.evaluate(() => ((window as { __sameDocument?: boolean }).__sameDocument = true));

    await setFault({ target: "alpaca", fault: "down" });
    await expect(chart).toHaveAttribute("data-live-kind", "delayed", { timeout: 60_000 });
    // The legend (crosshair off the chart) shows the forming candle and says where it came from.
    await expect(page.getByTestId("chart-legend")).toHaveAttribute("data-kind", "delayed");
    await expect(page.getByTestId("chart-legend")).toContainText("yahoo DELAYED");
    expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

    await clearFaults();
    await expect(chart).toHaveAttribute("data-live-kind", "live", { timeout: 60_000 });
    await expect(page.getByTestId("chart-legend")).toHaveAttribute("data-kind", "live");
    expect(errors).toEqual([]);
  });
});
