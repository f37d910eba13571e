import { expect, test, type Page } from "@playwright/test";
import { WEB_OIDC_URL, WEB_URL } from "../support/env";

// The watchlist follows the signed-in trader: kept on the server under their account (GET/PUT
// /api/watchlist → the API's /api/me/watchlist, keyed by the token's subject), not in one browser.

async function signIn(page: Page, login: "alice" | "bob"): Promise<void> {
  await page.goto(`${WEB_OIDC_URL}/`);
  await expect(page).toHaveURL(/\/sign-in\?returnTo=/);
  await page.getByTestId("sign-in-link").click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any-password");
  await page.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(`${WEB_OIDC_URL}/`);
}

/** Runs `change` and waits for the server to answer the save it makes. */
async function saved(page: Page, change: () => Promise<void>): Promise<void> {
  const put = page.waitForResponse(
    (r) => r.url().endsWith("/api/watchlist") && r.request().method() === "PUT",
  );
  await change();
  expect((await put).status()).toBe(200);
  await expect(page.getByTestId("watchlist-home")).toHaveAttribute("data-home", "account");
}

test.describe("the watchlist kept per signed-in user", () => {
  test("a trader's changes are there in a fresh browser after signing in again", async ({ browser }) => {
    const first = await browser.newContext();
    const page = await first.newPage();
    await signIn(page, "bob");
    await expect(page.getByTestId("watchlist-home")).toHaveAttribute("data-home", "account");
    await expect(page.getByTestId("watchlist-home")).toHaveText("List saved to your account");
    // From a known start (every tracked symbol), whatever an earlier attempt left.
    await saved(page, () => page.getByTestId("watch-reset").click());
    await expect(page.getByTestId("watch-row-NVDA")).toBeVisible();
    await saved(page, () => page.getByRole("button", { name: "Remove NVDA from the watchlist" }).click());
    await saved(page, () => page.getByRole("button", { name: "Remove MSFT from the watchlist" }).click());
    await saved(page, async () => {
      await page.getByTestId("symbol-search").fill("msft");
      await page.getByTestId("symbol-search").press("Enter");
    });
    await expect(page.getByTestId("watch-row-MSFT")).toBeVisible();
    await expect(page.getByTestId("watch-row-NVDA")).toHaveCount(0);
    await first.close();

    // Nothing carried over: a new context has no cookies and no local storage.
    const second = await browser.newContext();
    const again = await second.newPage();
    await signIn(again, "bob");
    await expect(again.getByTestId("watchlist-home")).toHaveAttribute("data-home", "account");
    await expect(again.getByTestId("watch-row-MSFT")).toBeVisible();
    await expect(again.getByTestId("watch-row-AAPL")).toBeVisible();
    await expect(again.getByTestId("watch-row-NVDA")).toHaveCount(0);
    // This browser now caches the account's list (shown at once on the next visit).
    const cached = await again.evaluate(() => localStorage.getItem("torghut.watchlist.symbols.v1"));
    expect(JSON.parse(cached ?? "[]")).toContain("MSFT");
    expect(JSON.parse(cached ?? "[]")).not.toContain("NVDA");
    await second.close();

    // Another user's list is their own.
    const other = await browser.newContext();
    const alice = await other.newPage();
    await signIn(alice, "alice");
    await expect(alice.getByTestId("watchlist-home")).toHaveAttribute("data-home", "account");
    await expect(alice.getByTestId("watch-row-NVDA")).toBeVisible();
    await other.close();
  });

  test("a change made while the saved list is still loading wins over it, and is saved", async ({
    browser,
  }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, "alice");
    await expect(page.getByTestId("watchlist-home")).toHaveAttribute("data-home", "account");
    await saved(page, () => page.getByTestId("watch-reset").click());
    // The next visit's read of the saved list is answered by the API at once, but reaches the page
    // only after the trader has made a change: the page then holds an older list than its own.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/watchlist", async (route) => {
      if (route.request().method() !== "GET") return route.continue();
      const response = await route.fetch();
      await held;
      await route.fulfill({ response });
    });
    await page.reload();
    await expect(page.getByTestId("watchlist-home")).toHaveAttribute("data-home", "loading");
    const put = page.waitForResponse(
      (r) => r.url().endsWith("/api/watchlist") && r.request().method() === "PUT",
    );
    await page.getByRole("button", { name: "Remove TSLA from the watchlist" }).click();
    await expect(page.getByTestId("watch-row-TSLA")).toHaveCount(0);
    expect((await put).status()).toBe(200);
    const got = page.waitForResponse(
      (r) => r.url().endsWith("/api/watchlist") && r.request().method() === "GET",
    );
    release();
    await got;
    // Two animation frames: the answer has been parsed and React has drawn whatever it caused.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(
      await page.getByTestId("watch-row-TSLA").count(),
      "the older saved list did not bring TSLA back",
    ).toBe(0);
    const cached = await page.evaluate(() => localStorage.getItem("torghut.watchlist.symbols.v1"));
    expect(JSON.parse(cached ?? "[]")).not.toContain("TSLA");
    await page.unroute("**/api/watchlist");
    await page.reload();
    await expect(page.getByTestId("watchlist-home")).toHaveAttribute("data-home", "account");
    await expect(page.getByTestId("watch-row-AAPL")).toBeVisible();
    await expect(page.getByTestId("watch-row-TSLA")).toHaveCount(0);
    await context.close();
  });

  test("not signed in as a person (the development operator): the list stays in this browser", async ({
    page,
  }) => {
    const calls: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/api/watchlist")) calls.push(r.url());
    });
    await page.goto(`${WEB_URL}/`);
    await expect(page.getByTestId("watch-row-AAPL")).toBeVisible();
    await expect(page.getByTestId("watchlist-home")).toHaveAttribute("data-home", "browser");
    await expect(page.getByTestId("watchlist-home")).toHaveText("List kept in this browser");
    expect(calls).toEqual([]);
  });

  test("the API refuses a save without the page's CSRF token, and a bad list with a clear 400", async ({
    browser,
  }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, "bob");
    const noCsrf = await page.request.put(`${WEB_OIDC_URL}/api/watchlist`, {
      data: { symbols: ["AAPL"] },
      headers: { origin: WEB_OIDC_URL },
    });
    expect(noCsrf.status()).toBe(403);
    const csrf = await page.locator('meta[name="torghut-csrf"]').getAttribute("content");
    const bad = await page.request.put(`${WEB_OIDC_URL}/api/watchlist`, {
      data: { symbols: ["AAPL", "not a symbol"] },
      headers: { origin: WEB_OIDC_URL, "x-csrf-token": csrf ?? "" },
    });
    expect(bad.status()).toBe(400);
    expect((await bad.json()).message).toMatch(/symbols\.1: symbol must be/);
    await context.close();
  });
});
