import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { WEB_OIDC_URL } from "../support/env";
import { clearFaults, setFault } from "../support/helpers";

const PAGES: { name: string; url: string; ready: (page: Page) => Promise<void> }[] = [
  {
    name: "watchlist",
    url: "/",
    ready: (page) => expect(page.getByTestId("price-AAPL")).toHaveText(/^\d+\.\d{2}$/),
  },
  {
    name: "chart",
    url: "/torghut/visuals?symbol=AAPL&interval=1m&indicators=ema,rsi",
    ready: (page) => expect(page.getByTestId("chart-state")).toHaveAttribute("data-status", "ok"),
  },
  {
    name: "ops console",
    url: "/ops",
    ready: (page) => expect(page.getByTestId("router-state")).toBeVisible(),
  },
  {
    name: "sign-in",
    url: `${WEB_OIDC_URL}/sign-in`,
    ready: (page) => expect(page.locator("main")).toBeVisible(),
  },
];

/** axe's serious and critical violations on the page as it is now, attached to the test as JSON. */
async function seriousViolations(page: Page, testInfo: TestInfo, name: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  await testInfo.attach(`axe ${name}`, {
    body: JSON.stringify(bad, null, 2),
    contentType: "application/json",
  });
  return bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

test.describe("accessibility (axe-core): no serious or critical violation", () => {
  for (const scheme of ["dark", "light"] as const) {
    for (const { name, url, ready } of PAGES) {
      test(`${name}, ${scheme} theme`, async ({ page }, testInfo) => {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(url);
        await ready(page);
        expect(await seriousViolations(page, testInfo, name)).toEqual([]);
      });
    }
  }
});

// The failover story adds what a quiet market never shows: the DELAYED badge, the fallback banner and
// Yahoo rows. The badge once failed color-contrast in the light theme only, and only here.
test.describe("accessibility in failover (Alpaca down): no serious or critical violation", () => {
  test.afterEach(async () => {
    await clearFaults();
  });

  test("watchlist and chart with DELAYED badges, both themes", async ({ page }, testInfo) => {
    test.setTimeout(240_000);
    await page.goto("/");
    await expect(page.getByTestId("source-state")).toHaveAttribute("data-state", "PRIMARY_ACTIVE");
    await setFault({ target: "alpaca", fault: "down" });
    await expect(page.getByTestId("source-state")).toHaveAttribute("data-state", "FALLBACK_ACTIVE", {
      timeout: 30_000,
    });
    await expect(page.getByTestId("watch-row-AAPL")).toHaveAttribute("data-delayed", "true", {
      timeout: 20_000,
    });
    for (const scheme of ["dark", "light"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto("/");
      await expect(page.getByTestId("delayed-badge")).toBeVisible();
      await expect(page.getByTestId("watch-row-AAPL").getByTestId("row-delayed-badge")).toBeVisible({
        timeout: 20_000,
      });
      expect(await seriousViolations(page, testInfo, `watchlist in failover, ${scheme}`)).toEqual([]);
      await page.goto("/torghut/visuals?symbol=AAPL&interval=1m&indicators=ema,rsi");
      await expect(page.getByTestId("chart-state")).toHaveAttribute("data-status", "ok");
      // The forming candle and the legend in their DELAYED colours.
      await expect(page.getByTestId("price-chart")).toHaveAttribute("data-live-kind", "delayed", {
        timeout: 60_000,
      });
      await expect(page.getByTestId("chart-legend")).toHaveAttribute("data-kind", "delayed");
      expect(await seriousViolations(page, testInfo, `chart in failover, ${scheme}`)).toEqual([]);
    }
  });
});

test.describe("layouts from 1024 px wide", () => {
  for (const { name, url, ready } of PAGES.slice(0, 3)) {
    test(`${name}: nothing wider than the window at 1024 px`, async ({ page }) => {
      await page.setViewportSize({ width: 1024, height: 768 });
      await page.goto(url);
      await ready(page);
      // Wide tables scroll inside their own box; the page itself never scrolls sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    });
  }
});
