/**
 * Reading a rule typed as JSON: the value, or where the text stops being
 * JSON (line and column), so the JSON view can point at the mistake. V8's
 * own messages name a position for some mistakes and not for others
 * (`Unexpected token 'x'` has none), so a small scanner finds the place;
 * JSON.parse still does the parsing.
 */

/** The parsed value, or the first mistake with its line and column (from 1). */
export type JsonText =
  | { ok: true; value: unknown }
  | { ok: false; message: string; line: number; column: number };

/** Parses `text` as JSON, locating the first mistake. */
export function parseJsonText(text: string): JsonText {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    const { offset, expected } = firstMistake(text);
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    const found = offset >= text.length ? "the end of the text" : `"${text[offset]}"`;
    return {
      ok: false,
      message: `Not valid JSON at line ${line}, column ${column}: expected ${expected}, found ` +
        found,
      line,
      column,
    };
  }
}

/** Where a strict JSON reader first fails on `text`, and what it expected there. */
function firstMistake(text: string): { offset: number; expected: string } {
  let at = 0;
  class Stop {
    constructor(readonly expected: string) {}
  }
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[at] !== char) throw new Stop(`"${word}"`);
      at++;
    }
  };
  const string = () => {
    if (text[at] !== '"') throw new Stop("a string in double quotes");
    at++;
    while (at < text.length && text[at] !== '"') {
      if (text[at]! < " ") throw new Stop('a closing "');
      if (text[at] === "\\") {
        at++;
        if (text[at] === "u") {
          at++;
          for (let i = 0; i < 4; i++, at++) {
            if (!/[0-9a-fA-F]/.test(text[at] ?? "")) throw new Stop("four hex digits");
          }
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[at] ?? "x")) throw new Stop("an escape such as \\n");
      }
      at++;
    }
    if (text[at] !== '"') throw new Stop('a closing "');
    at++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match) throw new Stop("a value");
    at += match[0].length;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === "{") {
      at++;
      space();
      if (text[at] === "}") return void at++;
      for (;;) {
        space();
        string();
        space();
        if (text[at] !== ":") throw new Stop('":"');
        at++;
        value();
        space();
        if (text[at] === ",") at++;
        else if (text[at] === "}") return void at++;
        else throw new Stop('"," or "}"');
      }
    }
    if (char === "[") {
      at++;
      space();
      if (text[at] === "]") return void at++;
      for (;;) {
        value();
        space();
        if (text[at] === ",") at++;
        else if (text[at] === "]") return void at++;
        else throw new Stop('"," or "]"');
      }
    }
    if (char === '"') return string();
    if (char === "t") return literal("true");
    if (char === "f") return literal("false");
    if (char === "n") return literal("null");
    number();
  };
  try {
    value();
    space();
    return { offset: at, expected: "nothing more" };
  } catch (error) {
    if (error instanceof Stop) return { offset: at, expected: error.expected };
    throw error;
  }
}
