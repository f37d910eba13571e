import Link from "next/link";
import type { ReactNode } from "react";

/**
 * No prefetching: every page is dynamic, so a prefetch gets little more than the layout, and the
 * three of them would run on the servers just when the page being opened needs them most.
 * Without the visuals (NEXT_PUBLIC_TORGHUT_VISUALS_ENABLED=false) there is no link to them.
 */
export function Nav({ visualsEnabled, children }: { visualsEnabled: boolean; children?: ReactNode }) {
  return (
    <header className="nav">
      <span className="brand">Torghut</span>
      <nav>
        <Link href="/" prefetch={false}>
          Watchlist
        </Link>
        {visualsEnabled ? (
          <Link href="/torghut/visuals" prefetch={false}>
            Visuals
          </Link>
        ) : null}
        <Link href="/ops" prefetch={false}>
          Ops
        </Link>
      </nav>
      {children}
    </header>
  );
}
