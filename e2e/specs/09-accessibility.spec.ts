import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { WEB_OIDC_URL } from "../support/env";

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

test.describe("accessibility (axe-core): no serious or critical violation", () => {
  for (const scheme of ["dark", "light"] as const) {
    for (const { name, url, ready } of PAGES) {
      test(`${name}, ${scheme} theme`, async ({ page }, testInfo) => {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(url);
        await ready(page);
        const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa"]).analyze();
        const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        await testInfo.attach("axe", { body: JSON.stringify(bad, null, 2), contentType: "application/json" });
        expect(
          bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
        ).toEqual([]);
      });
    }
  }
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
