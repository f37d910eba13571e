import { expect, test, type Page } from "@playwright/test";
import { SYMBOLS_WITH_DATA } from "../support/env";
import { clearFaults, failOnPageErrors, setFault } from "../support/helpers";

/** The number a cell shows ("−1.23%" → -1.23), the typographic minus included. */
const numberIn = (text: string): number => Number(text.replace("−", "-").replace(/[%,\s]/g, ""));

/** Price and change of one row read in the same frame, so a tick in between cannot split them. */
async function rowFigures(page: Page, symbol: string) {
  return page.getByTestId(`watch-row-${symbol}`).evaluate((row, s) => {
    const text = (id: string) => row.querySelector(`[data-testid="${id}-${s}"]`)?.textContent ?? "";
    return { price: text("price"), change: text("change"), percent: text("change-pct") };
  }, symbol);
}

test.describe("watchlist for traders", () => {
  test.afterEach(async () => {
    await clearFaults();
  });

  test("every row: change against the previous close, bid/ask/spread, volume, day range, sparkline, freshness", async ({
    page,
    request,
  }) => {
    const errors = failOnPageErrors(page);
    await page.goto("/");
    const { summaries } = (await (
      await request.get(`/api/torghut/ta/session?symbols=${SYMBOLS_WITH_DATA.join(",")}`)
    ).json()) as { summaries: { symbol: string; previousClose: number | null }[] };
    for (const symbol of SYMBOLS_WITH_DATA) {
      const previousClose = summaries.find((s) => s.symbol === symbol)?.previousClose;
      expect(previousClose, `${symbol} has a previous close`).toEqual(expect.any(Number));
      await expect(page.getByTestId(`change-pct-${symbol}`)).toHaveText(/^[+−]?\d+\.\d{2}%$/);
      const shown = await rowFigures(page, symbol);
      const price = numberIn(shown.price);
      expect(numberIn(shown.change)).toBeCloseTo(price - previousClose!, 2);
      expect(numberIn(shown.percent)).toBeCloseTo(((price - previousClose!) / previousClose!) * 100, 2);
      await expect(page.getByTestId(`bid-${symbol}`)).toHaveText(/^\d+\.\d{2} ×\d+/, { timeout: 20_000 });
      await expect(page.getByTestId(`ask-${symbol}`)).toHaveText(/^\d+\.\d{2} ×\d+/);
      await expect(page.getByTestId(`spread-${symbol}`)).toHaveText(/^\d+\.\d{2}$/);
      await expect(page.getByTestId(`volume-${symbol}`)).toHaveText(/^[\d,.]+[KMB]?$/);
      await expect(page.getByTestId(`range-${symbol}`)).toHaveText(/^\d+\.\d{2} – \d+\.\d{2}$/);
      await expect(page.getByTestId(`spark-${symbol}`).locator("svg polyline")).toHaveCount(1);
      // Freshness is always shown while prices are live: "0.4 s", "12 s".
      await expect(page.getByTestId(`fresh-${symbol}`)).toHaveText(/^\d+(\.\d)? s$/);
    }
    expect(errors).toEqual([]);
  });

  test("the day's volume runs live: the minutes not stored yet count, not only the stored ones", async ({
    page,
    request,
  }) => {
    const errors = failOnPageErrors(page);
    await page.goto("/");
    const symbol = SYMBOLS_WITH_DATA[0]!;
    const cell = page.getByTestId(`volume-${symbol}`);
    // The stored figures run through the last minute written; the row adds what the ticks' minute
    // bars say traded since (the forming minute always has trades on the simulator).
    await expect
      .poll(
        async () => {
          const answer = (await (await request.get(`/api/torghut/ta/session?symbols=${symbol}`)).json()) as {
            summaries: { volume: number | null }[];
          };
          const stored = answer.summaries[0]?.volume ?? null;
          const shown = numberIn((await cell.getAttribute("title"))?.replace(" shares", "") ?? "");
          return stored !== null && shown > stored;
        },
        { timeout: 20_000, message: "the row's volume is ahead of the stored minutes'" },
      )
      .toBe(true);
    expect(errors).toEqual([]);
  });

  test("on Yahoo the change is still measured against the previous close", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByTestId("change-pct-AAPL")).toHaveText(/%$/);
    await setFault({ target: "alpaca", fault: "down" });
    await expect(page.getByTestId("watch-row-AAPL")).toHaveAttribute("data-source", "yahoo", {
      timeout: 30_000,
    });
    await expect(page.getByTestId("watch-row-AAPL").getByTestId("row-delayed-badge")).toBeVisible();
    await expect(page.getByTestId("change-pct-AAPL")).toHaveText(/^[+−]?\d+\.\d{2}%$/);
    await expect(page.getByTestId("change-AAPL")).toHaveAttribute("title", /^vs previous close \d+\.\d{2}/);
  });

  test("sorting by change % orders the rows, biggest first, then the other way", async ({ page }) => {
    await page.goto("/");
    for (const s of SYMBOLS_WITH_DATA) await expect(page.getByTestId(`change-pct-${s}`)).toHaveText(/%$/);
    const column = async () =>
      (await page.locator('[data-testid^="change-pct-"]').allTextContents())
        .filter((t) => t.endsWith("%"))
        .map(numberIn);
    await page.getByTestId("sort-percent").click();
    await expect(page.locator("th", { has: page.getByTestId("sort-percent") })).toHaveAttribute(
      "aria-sort",
      "descending",
    );
    // Rows re-sort as prices move: the order holds within one read.
    await expect
      .poll(async () => {
        const values = await column();
        return values.every((v, i) => i === 0 || values[i - 1]! >= v);
      })
      .toBe(true);
    await page.getByTestId("sort-percent").click();
    await expect
      .poll(async () => {
        const values = await column();
        return values.every((v, i) => i === 0 || values[i - 1]! <= v);
      })
      .toBe(true);
  });

  test("the search box adds and the × removes symbols; the list survives a reload", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByTestId("watch-row-MSFT")).toBeVisible();
    await page.getByRole("button", { name: "Remove MSFT from the watchlist" }).click();
    await expect(page.getByTestId("watch-row-MSFT")).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId("watch-row-AAPL")).toBeVisible();
    await expect(page.getByTestId("watch-row-MSFT")).toHaveCount(0);

    await page.getByTestId("symbol-search").fill("QQQQ");
    await page.getByTestId("symbol-search").press("Enter");
    await expect(page.getByTestId("symbol-search-status")).toHaveText("QQQQ is not a symbol Torghut tracks");
    await page.getByTestId("symbol-search").fill("msft");
    await page.getByTestId("symbol-search").press("Enter");
    await expect(page.getByTestId("watch-row-MSFT")).toBeVisible();
    await expect(page.getByTestId("price-MSFT")).toHaveText(/^\d+\.\d{2}$/);
  });

  test("keyboard only: Tab to the rows, ↓ and Enter open that symbol's chart; a click does too", async ({
    page,
  }) => {
    await page.goto("/");
    await expect(page.getByTestId("watch-row-AAPL")).toBeVisible();
    await page.getByTestId("watch-scroll").focus();
    await expect(page.getByTestId("watch-selection")).toHaveText(/^\w+ selected$/);
    const firstRow = (await page.getByTestId("watch-selection").textContent())!.split(" ")[0]!;
    await page.keyboard.press("ArrowDown");
    await expect(page.getByTestId("watch-selection")).not.toHaveText(`${firstRow} selected`);
    const second = (await page.getByTestId("watch-selection").textContent())!.split(" ")[0]!;
    await expect(page.getByTestId(`watch-row-${second}`)).toHaveAttribute("aria-selected", "true");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`/torghut/visuals\\?symbol=${second}$`));

    await page.goto("/");
    await page.getByTestId("watch-row-TSLA").click();
    await expect(page).toHaveURL(/\/torghut\/visuals\?symbol=TSLA$/);
  });

  test("a price move flashes its cell, unless the system asks for reduced motion", async ({ page }) => {
    await page.goto("/");
    const row = page.getByTestId("watch-row-AAPL");
    await expect(row.locator(".flash")).toHaveCount(1, { timeout: 20_000 });
    // Read in one step inside the page: the flashing span is replaced on every move. The fade is
    // the layer behind the price (::before), animated by its opacity.
    const animation = () =>
      row.evaluate((r) => {
        const span = r.querySelector(".flash");
        return span === null ? null : getComputedStyle(span, "::before").animationName;
      });
    expect(await animation()).toBe("flash-fade");
    await page.emulateMedia({ reducedMotion: "reduce" });
    await expect.poll(animation).toBe("none");
  });
});
