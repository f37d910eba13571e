import { expect, test } from "@playwright/test";
import { clearFaults, setFault } from "../support/helpers";

test.describe("ops console", () => {
  test.afterEach(async () => {
    await clearFaults();
  });

  test("small live charts fill from the server's history: message rate, feed lag, writer lag, clients", async ({
    page,
  }) => {
    await page.goto("/ops");
    for (const field of ["messageRate", "feedLagMs", "clients"]) {
      // One sample every 5 s: two make a line.
      await expect
        .poll(async () => Number(await page.getByTestId(`mini-${field}`).getAttribute("data-points")), {
          timeout: 30_000,
        })
        .toBeGreaterThanOrEqual(2);
      await expect(page.getByTestId(`mini-${field}`).locator("svg polyline")).toHaveCount(1);
    }
    await expect(page.getByTestId("mini-messageRate-latest")).toHaveText(/^\d+\.\d$/);
    await expect(page.getByTestId("mini-clients-latest")).toHaveText(/^\d+$/);
  });

  test("an action asks first, naming its consequence; Cancel does nothing; the timeline and audit log show what ran", async ({
    page,
  }) => {
    await page.goto("/ops");
    await expect(page.getByTestId("router-state")).toHaveAttribute("data-state", "PRIMARY_ACTIVE");
    await page.getByTestId("ops-failover").click();
    await expect(page.getByTestId("ops-consequence")).toContainText("Yahoo, DELAYED");
    await page.getByTestId("ops-cancel").click();
    await expect(page.getByTestId("ops-confirm-dialog")).toHaveCount(0);
    await expect(page.getByTestId("ops-result")).toHaveCount(0);
    await expect(page.getByTestId("router-state")).toHaveAttribute("data-state", "PRIMARY_ACTIVE");

    await page.getByTestId("ops-failover").click();
    await page.getByTestId("ops-confirm").click();
    await expect(page.getByTestId("ops-result")).toHaveAttribute("data-ok", "true");
    await expect(
      page.getByTestId("state-bands").locator('[data-state="FALLBACK_ACTIVE"]').last(),
    ).toHaveAttribute("title", /Yahoo fallback from .* ET .*by dev-operator/);
    await page.getByTestId("audit-actor").fill("dev-operator");
    await expect(page.getByTestId("audit-row").first()).toHaveAttribute("data-actor", "dev-operator");
    await expect(page.locator('[data-testid="audit-row"]:not([data-actor="dev-operator"])')).toHaveCount(0);
    await page.getByTestId("audit-text").fill("no such words anywhere");
    await expect(page.getByTestId("audit-empty")).toBeVisible();

    await page.getByTestId("ops-automatic").click();
    await expect(page.getByTestId("ops-consequence")).toContainText("router chooses the source again");
    await page.getByTestId("ops-confirm").click();
    await expect(page.getByTestId("ops-result")).toContainText("Back to automatic: done");
  });

  test("validation failures are counted by reason", async ({ page }) => {
    await setFault({ target: "alpaca", fault: "future-timestamps", seconds: 600 });
    await page.goto("/ops");
    await expect(page.getByTestId("rejection-reason").first()).toBeVisible({ timeout: 40_000 });
    const reasons = await page.getByTestId("rejection-reason").evaluateAll((items) =>
      items.map((i) => ({
        reason: i.getAttribute("data-reason"),
        count: Number(i.getAttribute("data-count")),
      })),
    );
    expect(reasons.some((r) => /future/i.test(r.reason ?? "") && r.count > 0)).toBe(true);
  });
});
