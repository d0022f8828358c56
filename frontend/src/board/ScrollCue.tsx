// The board scrolls sideways when its columns do not fit: a shadow and an arrow button at each
// edge that has more columns behind it say so, and the button scrolls there.
import { useCallback, useEffect, useState, type RefObject } from "react";

interface Edges {
  left: boolean;
  right: boolean;
}

/** Which edges of `ref` have more behind them; `layout` changes when the content's width may
 * have (columns collapsed or added). */
export function useScrollEdges(ref: RefObject<HTMLElement | null>, layout: string): Edges {
  const [edges, setEdges] = useState<Edges>({ left: false, right: false });
  const measure = useCallback(() => {
    const node = ref.current;
    if (!node) return;
    const left = node.scrollLeft > 2;
    const right = node.scrollLeft + node.clientWidth < node.scrollWidth - 2;
    setEdges((current) => (current.left === left && current.right === right ? current : { left, right }));
  }, [ref]);
  useEffect(() => {
    const node = ref.current;
    if (!node) return;
    measure();
    node.addEventListener("scroll", measure, { passive: true });
    window.addEventListener("resize", measure);
    const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(measure);
    observer?.observe(node);
    return () => {
      node.removeEventListener("scroll", measure);
      window.removeEventListener("resize", measure);
      observer?.disconnect();
    };
  }, [measure, ref, layout]);
  return edges;
}

export function ScrollCue({ target, edges }: { target: RefObject<HTMLElement | null>; edges: Edges }) {
  const scroll = (direction: 1 | -1) =>
    target.current?.scrollBy({ left: direction * Math.round(target.current.clientWidth * 0.6), behavior: "smooth" });
  return (
    <>
      {edges.left ? (
        <button
          type="button"
          className="scroll-cue scroll-cue-left"
          aria-label="Scroll the board left"
          data-testid="scroll-cue-left"
          onClick={() => scroll(-1)}
        >
          <span className="scroll-cue-knob">‹</span>
        </button>
      ) : null}
      {edges.right ? (
        <button
          type="button"
          className="scroll-cue scroll-cue-right"
          aria-label="More stages to the right"
          title="More stages to the right"
          data-testid="scroll-cue-right"
          onClick={() => scroll(1)}
        >
          <span className="scroll-cue-knob">›</span>
        </button>
      ) : null}
    </>
  );
}
