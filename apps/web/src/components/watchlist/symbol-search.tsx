"use client";
import { memo, useMemo, useState, type FormEvent } from "react";

/**
 * Adds a symbol the server tracks to the trader's list. Only tracked symbols have prices, so an
 * unknown one is refused with the reason, never added as an empty row.
 */
export const SymbolSearch = memo(function SymbolSearch({
  known,
  mine,
  onAdd,
  onReset,
}: {
  known: readonly { symbol: string; name: string }[];
  mine: readonly string[];
  onAdd: (symbol: string) => void;
  onReset: () => void;
}) {
  const [text, setText] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  // Once per change of either list, not on every render of the page (500 × 500 comparisons).
  const choices = useMemo(() => {
    const listed = new Set(mine);
    return known.filter((k) => !listed.has(k.symbol));
  }, [known, mine]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const query = text.trim().toUpperCase();
    if (query === "") return;
    const match =
      known.find((k) => k.symbol === query) ??
      known.find((k) => k.name.toUpperCase().includes(query) && !mine.includes(k.symbol));
    if (match === undefined) {
      setMessage(`${query} is not a symbol Torghut tracks`);
      return;
    }
    if (mine.includes(match.symbol)) {
      setMessage(`${match.symbol} is already on the list`);
      return;
    }
    onAdd(match.symbol);
    setMessage(`${match.symbol} added`);
    setText("");
  }

  return (
    <form className="symbol-search" onSubmit={submit} role="search">
      <label htmlFor="symbol-search-input" className="visually-hidden">
        Add a symbol
      </label>
      <input
        id="symbol-search-input"
        data-testid="symbol-search"
        list="symbol-choices"
        placeholder="Add symbol…"
        autoComplete="off"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <datalist id="symbol-choices">
        {choices.map((k) => (
          <option key={k.symbol} value={k.symbol}>
            {k.name}
          </option>
        ))}
      </datalist>
      <button type="submit" data-testid="symbol-add">
        Add
      </button>
      <button type="button" className="link-button" onClick={onReset} data-testid="watch-reset">
        Reset list
      </button>
      <span className="muted" role="status" data-testid="symbol-search-status">
        {message ?? ""}
      </span>
    </form>
  );
});
