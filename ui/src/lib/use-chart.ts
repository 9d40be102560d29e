/** Chart.js on a canvas owned by React: made on mount, remade when its config changes, destroyed on unmount. */
import type { Chart, ChartConfiguration, ChartType } from 'chart.js';
import { type RefObject, useEffect, useRef } from 'react';

/**
 * Chart.js, loaded on first use: a page's chunk does not import it, so the page mounts and sends
 * its data requests while the chart library loads, instead of after.
 */
let chartJs: Promise<typeof Chart> | undefined;
function loadChartJs(): Promise<typeof Chart> {
  chartJs ??= import('chart.js').then((m) => {
    m.Chart.register(
      m.BarController,
      m.BarElement,
      m.CategoryScale,
      m.Filler,
      m.Legend,
      m.LinearScale,
      m.LineController,
      m.LineElement,
      m.PointElement,
      m.Tooltip,
    );
    return m.Chart;
  });
  return chartJs;
}

/** Colours that read on both the light and the dark background (checked for contrast). */
export const SERIES_COLORS = ['#2f6fdf', '#d9622b', '#2e9d5b', '#a855c7', '#c9a100', '#d4426e', '#1b9fb0', '#7a7f87'];

function themeColors(): { text: string; grid: string } {
  const style = getComputedStyle(document.documentElement);
  return {
    text: style.getPropertyValue('--text-muted').trim() || '#555',
    grid: style.getPropertyValue('--grid').trim() || '#ddd',
  };
}

export function useChart<T extends ChartType>(
  config: ChartConfiguration<T> | undefined,
): {
  canvas: RefObject<HTMLCanvasElement | null>;
  chart: RefObject<Chart<T> | undefined>;
} {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<T>>(undefined);
  useEffect(() => {
    const target = canvas.current;
    if (!config || !target) return;
    let gone = false;
    void loadChartJs().then((Chart) => {
      // unmounted, or the config changed, while the library loaded
      if (gone) return;
      const { text, grid } = themeColors();
      Chart.defaults.color = text;
      Chart.defaults.borderColor = grid;
      Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
      chart.current = new Chart(target, config);
    });
    return () => {
      gone = true;
      chart.current?.destroy();
      chart.current = undefined;
    };
  }, [config]);
  return { canvas, chart };
}
