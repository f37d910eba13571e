import { expect, test, type WebSocketRoute } from "@playwright/test";
import { failOnPageErrors } from "../support/helpers";

test.describe("live feed (SignalR /hubs/market-data)", () => {
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
    await page.routeWebSocket(/\/hubs\/market-data/, (ws) =>
      ws.close({ code: 1011, reason: "blocked by test" }),
    );
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
    // Every hub socket passes through to the real server, so the test can cut one from outside.
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/hubs\/market-data/, (ws) => {
      ws.connectToServer();
      sockets.push(ws);
    });
    await page.goto("/torghut/visuals?symbol=MSFT");
    await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
    const updates = async () => Number(await page.getByTestId("live-updates").getAttribute("data-count"));
    await expect.poll(updates).toBeGreaterThan(2);
    await sockets[0]!.close({ code: 4000, reason: "cut by test" });
    await expect.poll(() => sockets.length).toBe(2);
    await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
    // Updates flow again only if the new connection subscribed to the chart's channels.
    const after = await updates();
    await expect.poll(updates).toBeGreaterThan(after + 2);
    expect(errors).toEqual([]);
  });
});
