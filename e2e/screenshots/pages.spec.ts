import { expect, test, type Page } from "@playwright/test";
import { resolve } from "node:path";
import { clearFaults, setFault } from "../support/helpers";

const OUT = resolve(import.meta.dirname, "../../docs/screenshots");
const CHART = "/torghut/visuals?symbol=AAPL&interval=1m&days=0.15&indicators=ema,rsi";

async function shoot(page: Page, name: string) {
  // Let flashes and first paints settle: the picture shows the steady page.
  await page.waitForTimeout(1_500);
  await page.screenshot({ path: `${OUT}/${name}.png` });
}

test("every page in both themes, then in failover", async ({ page }) => {
  for (const scheme of ["dark", "light"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/");
    await expect(page.getByTestId("price-AAPL")).toHaveText(/^\d+\.\d{2}$/);
    await expect(page.getByTestId("bid-AAPL")).not.toHaveText("—", { timeout: 20_000 });
    await shoot(page, `watchlist-${scheme}`);
    await page.goto(CHART);
    await expect(page.getByTestId("chart-state")).toHaveAttribute("data-status", "ok");
    await shoot(page, `chart-${scheme}`);
    await page.goto("/ops");
    await expect(page.getByTestId("mini-messageRate")).not.toHaveAttribute("data-points", /^[01]$/, {
      timeout: 30_000,
    });
    await shoot(page, `ops-${scheme}`);
  }

  await page.emulateMedia({ colorScheme: "dark" });
  await setFault({ target: "alpaca", fault: "down" });
  try {
    await page.goto("/");
    await expect(page.getByTestId("watch-row-AAPL")).toHaveAttribute("data-source", "yahoo", {
      timeout: 60_000,
    });
    await shoot(page, "failover-watchlist");
    await page.goto("/ops");
    await expect(page.getByTestId("router-state")).toHaveAttribute("data-state", "FALLBACK_ACTIVE");
    await shoot(page, "failover-ops");
    // Yahoo's minute bars are stored as each minute closes.
    await expect
      .poll(
        async () => {
          await page.goto(CHART);
          await expect(page.getByTestId("chart-state")).toHaveAttribute("data-status", "ok");
          return page.getByTestId("provenance-delayed").getAttribute("data-present");
        },
        { timeout: 180_000, intervals: [10_000] },
      )
      .toBe("true");
    await shoot(page, "failover-chart");
  } finally {
    await clearFaults();
  }
});
