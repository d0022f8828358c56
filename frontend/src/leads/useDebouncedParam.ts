import { useEffect, useState } from "react";

/** A text filter typed freely and written to the URL once typing pauses. */
export function useDebouncedParam(name: string, params: URLSearchParams, write: (value: string) => void) {
  const fromUrl = params.get(name) ?? "";
  const [text, setText] = useState(fromUrl);
  useEffect(() => setText(fromUrl), [fromUrl]);
  useEffect(() => {
    if (text === fromUrl) return undefined;
    const timer = window.setTimeout(() => write(text), 300);
    return () => window.clearTimeout(timer);
    // Only new text restarts the pause; `write` is a fresh closure every render.
  }, [text]);
  return [text, setText] as const;
}
