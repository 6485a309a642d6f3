// The tally as a bar chart (Chart.js): Y, N, A, O, lost and absent against E, with the regime's
// threshold drawn as a line. A text summary beside it serves screen readers.
import { useEffect, useRef } from 'preact/hooks';
import type { Chart } from 'chart.js';
import type { Provisional } from '../lib/api';
import { thresholdOf } from '../lib/format';
import type { Params, ProposalKind, RegimeName } from '../../core/formats/vocabulary';
import { useT } from '../lib/state';

// Loaded on the first chart, not with the app: most pages draw none.
let chartJs: Promise<typeof Chart> | null = null;
function loadChart(): Promise<typeof Chart> {
  chartJs ??= import('chart.js').then((m) => {
    m.Chart.register(m.BarController, m.BarElement, m.CategoryScale, m.LinearScale, m.LineController, m.LineElement, m.PointElement, m.Tooltip, m.Legend);
    return m.Chart;
  });
  return chartJs;
}

const KEYS = ['Y', 'N', 'A', 'O', 'lost', 'absent'] as const;
const COLOURS = ['#1b7f3b', '#b3261e', '#6b6b6b', '#b35c00', '#6a1b9a', '#9e9e9e'];

export function TallyChart({ totals, kind, regime, params }: { totals: Provisional; kind: ProposalKind; regime: RegimeName; params: Params }) {
  const t = useT();
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const threshold = thresholdOf(kind, regime, params, totals.E, totals.Y, totals.N);
  const labels = KEYS.map((k) => t(`totals.${k}`));
  const values = KEYS.map((k) => totals[k]);
  useEffect(() => {
    let current = true;
    const data = {
      labels,
      datasets: [
        { type: 'bar' as const, label: t('totals.E') + ` = ${totals.E}`, data: values, backgroundColor: COLOURS },
        ...(threshold.measure === 'none'
          ? []
          : [{ type: 'line' as const, label: `${t('totals.threshold')} (${threshold.measure}) = ${round(threshold.value)}`, data: labels.map(() => threshold.value), borderColor: '#000', borderDash: [6, 4], pointRadius: 0 }]),
      ],
    };
    void loadChart().then((ChartClass) => {
      if (!current || !canvas.current) return;
      if (chart.current) {
        chart.current.data = data as never;
        chart.current.update();
      } else {
        chart.current = new ChartClass(canvas.current, {
          data: data as never,
          options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, suggestedMax: totals.E, ticks: { precision: 0 } } } },
        });
      }
    });
    return () => {
      current = false;
    };
  });
  useEffect(() => () => chart.current?.destroy(), []);
  const summary = `${KEYS.map((k, i) => `${labels[i]} ${totals[k]}`).join(', ')}; ${t('totals.E')} ${totals.E}` + (threshold.measure === 'none' ? '' : `; ${t('totals.threshold')} ${threshold.measure} ≥ ${round(threshold.value)}`);
  return (
    <figure class="tally">
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={t('proposal.chartLabel', { summary })} />
      </div>
      <figcaption data-testid="tally-summary">{summary}</figcaption>
    </figure>
  );
}

const round = (n: number) => Math.round(n * 100) / 100;
