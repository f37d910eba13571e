import { expect, test, type Page } from "@playwright/test";
import { failOnPageErrors, hubConnections, hubProxy } from "../support/helpers";

// The page's live feed runs in a worker; the hub is taken away from outside, at its TCP proxy.
test.describe("live feed (SignalR /hubs/market-data)", () => {
  test.afterEach(() => hubProxy("restore"));

  test("connects with a server-minted token and moves the last candle", async ({ page }) => {
    const errors = failOnPageErrors(page);
    const token = page.waitForResponse((r) => r.url().endsWith("/api/realtime-token"));
    await page.goto("/torghut/visuals?symbol=MSFT");
    expect((await token).status()).toBe(200);
    await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
    await expect
      .poll(async () => Number(await page.getByTestId("live-updates").getAttribute("data-count")))
      .toBeGreaterThan(5);
    expect(errors).toEqual([]);
  });

  test("without the hub the page says so and keeps updating by polling", async ({ page }) => {
    const errors = failOnPageErrors(page);
    await hubProxy("refuse");
    await page.goto("/torghut/visuals?symbol=MSFT");
    await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "offline");
    await expect(page.getByTestId("live-state")).toContainText("POLLING");
    const pill = page.getByTestId("lag-pill");
    const first = Number(await pill.getAttribute("data-samples"));
    await expect.poll(async () => Number(await pill.getAttribute("data-samples"))).toBeGreaterThan(first + 1);
    await expect
      .poll(async () => Number(await page.getByTestId("live-updates").getAttribute("data-count")))
      .toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  test("a dropped hub connection reconnects on its own and resubscribes", async ({ page }) => {
    const errors = failOnPageErrors(page);
    await page.goto("/torghut/visuals?symbol=MSFT");
    await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
    const updates = async () => Number(await page.getByTestId("live-updates").getAttribute("data-count"));
    await expect.poll(updates).toBeGreaterThan(2);
    const before = await hubConnections();
    await hubProxy("drop");
    await expect.poll(hubConnections).toBe(before + 1);
    await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
    // Updates flow again only if the new connection subscribed to the chart's channels.
    const after = await updates();
    await expect.poll(updates).toBeGreaterThan(after + 2);
    expect(errors).toEqual([]);
  });
});

/**
 * MSFT's price shows more than three values within 5 s: live. Polling refreshes prices only every
 * 10 s while the feed is live, so this is the feed's doing.
 */
async function pricesMoveLive(page: Page): Promise<void> {
  const price = page.getByTestId("price-MSFT");
  const seen = new Set<string>();
  await expect
    .poll(
      async () => {
        seen.add((await price.textContent()) ?? "");
        return seen.size;
      },
      { timeout: 5_000, intervals: [200] },
    )
    .toBeGreaterThan(3);
}

/** The page is told it runs on `cores` cores: the feed gets a worker from 4 (feed-client.ts). */
const tellCores = (page: Page, cores: number) =>
  page.addInitScript(`Object.defineProperty(navigator, "hardwareConcurrency", { get: () => ${cores} })`);

/** Drops the hub's connections at its proxy; the page makes a new one and is live again. */
async function dropTheHub(page: Page): Promise<void> {
  const before = await hubConnections();
  await hubProxy("drop");
  await expect.poll(hubConnections).toBe(before + 1);
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
}

test.describe("the watchlist's live feed", () => {
  test.afterEach(() => hubProxy("restore"));

  test("in its worker (8 cores): after a dropped hub connection it reconnects and its prices move live again", async ({
    page,
  }) => {
    const errors = failOnPageErrors(page);
    await tellCores(page, 8);
    await page.goto("/");
    await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
    expect(page.workers().map((w) => w.url())).toEqual([expect.stringContaining("/_next/static/")]);
    await dropTheHub(page);
    await pricesMoveLive(page);
    expect(errors).toEqual([]);
  });

  test("a browser that cannot start the feed's worker gets the live feed on the page", async ({ page }) => {
    const errors = failOnPageErrors(page);
    await tellCores(page, 8);
    await page.addInitScript("delete globalThis.Worker");
    await page.goto("/");
    await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
    expect(page.workers()).toEqual([]);
    await pricesMoveLive(page);
    expect(errors).toEqual([]);
  });

  test("a worker script that does not load: the feed runs on the page, live", async ({ page }) => {
    const errors = failOnPageErrors(page);
    await tellCores(page, 8);
    // The worker's bootstrap script fails on the network, as a proxy or a CDN hiccup would make it.
    let refused = 0;
    await page.route(/turbopack-worker/, (route) => {
      refused++;
      return route.abort("failed");
    });
    await page.goto("/");
    await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
    expect(refused).toBeGreaterThan(0);
    await pricesMoveLive(page);
    expect(errors).toEqual([]);
  });

  test("on 2 cores the feed runs on the page, live", async ({ page }) => {
    const errors = failOnPageErrors(page);
    await tellCores(page, 2);
    await page.goto("/");
    await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
    expect(page.workers()).toEqual([]);
    await dropTheHub(page);
    await pricesMoveLive(page);
    expect(errors).toEqual([]);
  });
});
