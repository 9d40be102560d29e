/** Chart.js on a canvas owned by React: made on mount, remade when its config changes, destroyed on unmount. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartType,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { type RefObject, useEffect, useRef } from 'react';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

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
    if (!config || !canvas.current) return;
    const { text, grid } = themeColors();
    Chart.defaults.color = text;
    Chart.defaults.borderColor = grid;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    chart.current = new Chart(canvas.current, config);
    return () => {
      chart.current?.destroy();
      chart.current = undefined;
    };
  }, [config]);
  return { canvas, chart };
}
