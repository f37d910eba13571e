"use client";
import { useCallback, useEffect, useState } from "react";

const STORAGE_KEY = "torghut.watchlist.symbols.v1";

/**
 * The trader's own list, kept in this browser (local storage) until per-user lists exist on the
 * server. Until they change it, the list is every symbol the server tracks (`defaults`).
 */
export function useMySymbols(defaults: readonly string[]): {
  symbols: readonly string[];
  add: (symbol: string) => void;
  remove: (symbol: string) => void;
  reset: () => void;
} {
  const [own, setOwn] = useState<string[] | null>(null);
  useEffect(() => {
    setOwn(readStored());
  }, []);
  const save = useCallback((next: string[] | null) => {
    setOwn(next);
    try {
      if (next === null) localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    } catch {
      // Storage full or blocked (private mode): the list still works for this visit.
    }
  }, []);
  const symbols = own ?? defaults;
  return {
    symbols,
    add: (symbol) => {
      if (!symbols.includes(symbol)) save([...symbols, symbol]);
    },
    remove: (symbol) => save(symbols.filter((s) => s !== symbol)),
    reset: () => save(null),
  };
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
