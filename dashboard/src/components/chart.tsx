/** A time-series chart with uPlot (≈ 45 kB, canvas, no inline styles in the page's markup). */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  /** null: no sample there (uPlot leaves a gap). */
  values: Array<number | null>;
  color: string;
}

export function TimeChart({ title, times, series, height = 220 }: { title: string; times: number[]; series: Series[]; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const plot = new uPlot(
      {
        title,
        width: Math.max(280, element.clientWidth),
        height,
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2 }))],
        axes: [{}, { size: 50 }],
      },
      [times.map((t) => t / 1000), ...series.map((s) => s.values)],
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [title, times, series, height]);
  const summary = series.map((s) => `${s.label}: ${s.values.reduce<number>((a, b) => a + (b ?? 0), 0)}`).join(', ');
  return <figure class="chart"><div ref={box} /><figcaption class="visually-hidden">{title}. Totals: {summary}</figcaption></figure>;
}
