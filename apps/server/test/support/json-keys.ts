/**
 * Keys that appear more than once in the same object of a JSON text. `JSON.parse` keeps the last
 * one silently, which is exactly what hides a duplicate `component` from a test; some log
 * pipelines reject such lines instead. Throws on text that is not one JSON value.
 */
export function duplicateKeys(text: string): string[] {
  JSON.parse(text); // well-formed first: the scan below only tracks strings and nesting
  const duplicates: string[] = [];
  const objects: { keys: Set<string>; expectingKey: boolean }[] = [];
  const arrays: boolean[] = []; // nesting kinds, innermost last: true = object, false = array
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const end = endOfString(text, i);
      const top = objects.at(-1);
      if (arrays.at(-1) === true && top?.expectingKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) duplicates.push(key);
        top.keys.add(key);
        top.expectingKey = false;
      }
      i = end + 1;
      continue;
    }
    if (ch === "{") {
      objects.push({ keys: new Set(), expectingKey: true });
      arrays.push(true);
    } else if (ch === "[") arrays.push(false);
    else if (ch === "}") {
      objects.pop();
      arrays.pop();
    } else if (ch === "]") arrays.pop();
    else if (ch === "," && arrays.at(-1) === true) objects.at(-1)!.expectingKey = true;
    i += 1;
  }
  return duplicates;
}

/** Index of the quote that closes the string opening at `start`. */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === "\\") i += 2;
    else if (text[i] === '"') return i;
    else i += 1;
  }
  throw new Error("unterminated string");
}
