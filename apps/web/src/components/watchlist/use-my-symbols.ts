"use client";
import { userWatchlistSchema } from "@torghut/contracts";
import { useCallback, useEffect, useRef, useState } from "react";
import { getJson } from "@/lib/api";
import { CSRF_META } from "@/lib/ops-client";

const STORAGE_KEY = "torghut.watchlist.symbols.v1";

/** Where the list is kept: this browser, or the signed-in user's account (and this browser as a cache). */
export type ListHome = "browser" | "loading" | "account" | "account-error";

/**
 * The trader's own list. Signed in, it is kept on the server under their account (`/api/watchlist`),
 * so it follows them to any browser; a list made in this browser before their first save is carried
 * over. Otherwise (and as the cache that shows at once) it is kept in local storage. Until they
 * change it, the list is every symbol the server tracks (`defaults`).
 */
export function useMySymbols(
  defaults: readonly string[],
  savedOnServer: boolean,
): {
  symbols: readonly string[];
  home: ListHome;
  add: (symbol: string) => void;
  remove: (symbol: string) => void;
  reset: () => void;
} {
  const [own, setOwn] = useState<string[] | null>(null);
  const [home, setHome] = useState<ListHome>(savedOnServer ? "loading" : "browser");
  // Saves go out one at a time in the order made, so the last change is the one the server keeps.
  const saving = useRef<Promise<void>>(Promise.resolve());
  // A change made before the saved list arrived wins over it (and is saved): the trader's last word.
  const changedHere = useRef(false);

  const upload = useCallback((symbols: readonly string[]) => {
    saving.current = saving.current.then(async () => {
      try {
        await putList(symbols);
        setHome("account");
      } catch {
        setHome("account-error");
      }
    });
  }, []);

  useEffect(() => {
    const stored = readStored();
    setOwn(stored);
    if (!savedOnServer) return;
    let cancelled = false;
    getJson("/api/watchlist", userWatchlistSchema, { credentials: "same-origin" }).then(
      (saved) => {
        if (cancelled || changedHere.current) return;
        if (saved.symbols !== null) {
          setOwn(saved.symbols);
          writeStored(saved.symbols);
          setHome("account");
        } else if (stored !== null) upload(stored);
        else setHome("account");
      },
      () => {
        if (!cancelled) setHome("account-error");
      },
    );
    return () => {
      cancelled = true;
    };
  }, [savedOnServer, upload]);

  const save = useCallback(
    (next: string[] | null) => {
      changedHere.current = true;
      setOwn(next);
      writeStored(next);
      if (savedOnServer) upload(next ?? defaults);
    },
    [savedOnServer, upload, defaults],
  );
  const symbols = own ?? defaults;
  // Stable while the list is: the search box and the rows are memoised on them, and the page
  // renders again on every poll.
  const add = useCallback(
    (symbol: string) => {
      if (!symbols.includes(symbol)) save([...symbols, symbol]);
    },
    [symbols, save],
  );
  const remove = useCallback((symbol: string) => save(symbols.filter((s) => s !== symbol)), [symbols, save]);
  const reset = useCallback(() => save(null), [save]);
  return { symbols, home, add, remove, reset };
}

async function putList(symbols: readonly string[]): Promise<void> {
  const csrf = document.querySelector<HTMLMetaElement>(`meta[name="${CSRF_META}"]`)?.content ?? "";
  await getJson("/api/watchlist", userWatchlistSchema, {
    method: "PUT",
    headers: { "content-type": "application/json", "x-csrf-token": csrf },
    body: JSON.stringify({ symbols }),
    credentials: "same-origin",
  });
}

function writeStored(next: readonly string[] | null): void {
  try {
    if (next === null) localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Storage full or blocked (private mode): the list still works for this visit.
  }
}

function readStored(): string[] | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (raw === null) return null;
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) && parsed.every((s) => typeof s === "string") ? parsed : null;
  } catch {
    return null;
  }
}
