// Who carries whose weight (Cytoscape.js, canvas-rendered, so a few thousand members stay usable).
// For a proposal: each member's effective delegation as the server resolves it (the same core
// code as the tally), voters sized by the weight they carry, cycles and lost chains in red.
// Without one: the circle-scoped delegations in force. A graph of more than AUTO_DRAW members is
// drawn when she asks: laying out and painting thousands of nodes keeps the page busy for seconds
// (npm run bench:web), and the summary under it says what it holds at once.
import { useEffect, useRef, useState } from 'preact/hooks';
import type cytoscape from 'cytoscape';
import { api, type CircleDelegations } from '../lib/api';
import { shortId } from '../lib/format';
import { useLoad, useT } from '../lib/state';
import { Show, useNames } from './ui';

/** Above this many members a graph is drawn on request only. */
const AUTO_DRAW = 1_500;

export function DelegationGraph({ circle, proposal, version }: { circle: string; proposal?: string; version?: number }) {
  const t = useT();
  const [loaded, reload] = useLoad(() => api.delegations(circle, proposal), [circle, proposal, version]);
  const [asked, setAsked] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const data = loaded.state === 'ready' ? loaded.value : null;
  const size = data ? graphSize(data) : 0;
  const draw = size <= AUTO_DRAW || asked;
  // Names for a graph small enough to label; larger ones are read by hovering nothing but shape.
  const labelled = data ? [...new Set(data.delegations.flatMap((d) => [d.member, d.delegate]).concat((data.proposal?.weights ?? []).map((w) => w.member)))] : [];
  const names = useNames(labelled.length <= 300 ? labelled : []);
  useEffect(() => {
    if (!data || !box.current || !draw) return;
    let cy: cytoscape.Core | null = null;
    let current = true;
    // Cytoscape is loaded with the first graph, not with the app.
    void import('cytoscape').then(({ default: cytoscapeLib }) => {
      if (!current || !box.current) return;
      const inCycle = new Set((data.proposal?.cycles ?? []).flat());
      const weight = new Map((data.proposal?.weights ?? []).map((w) => [w.member, w.weight]));
      const edges = data.proposal ? data.proposal.effective.map((e) => ({ from: e.member, to: e.delegate })) : data.delegations.filter((d) => d.scope.kind === 'circle').map((d) => ({ from: d.member, to: d.delegate }));
      const ids = new Set<string>([...edges.flatMap((e) => [e.from, e.to]), ...weight.keys()]);
      const big = ids.size > 300;
      cy = cytoscapeLib({
        container: box.current,
        elements: [
          ...[...ids].map((id) => ({ data: { id, label: big ? '' : (names.get(id) ?? shortId(id, 6)), w: weight.get(id) ?? 0, cycle: inCycle.has(id) ? 1 : 0 } })),
          ...edges.map((e, i) => ({ data: { id: `e${i}`, source: e.from, target: e.to, cycle: inCycle.has(e.from) && inCycle.has(e.to) ? 1 : 0 } })),
        ],
        style: [
          { selector: 'node', style: { label: 'data(label)', 'font-size': 9, width: 'mapData(w, 0, 20, 10, 40)', height: 'mapData(w, 0, 20, 10, 40)', 'background-color': '#1b5e7f' } },
          { selector: 'node[cycle = 1]', style: { 'background-color': '#b3261e' } },
          { selector: 'edge', style: { width: 1, 'curve-style': big ? 'haystack' : 'bezier', 'target-arrow-shape': big ? 'none' : 'triangle', 'line-color': '#888', 'target-arrow-color': '#888' } },
          { selector: 'edge[cycle = 1]', style: { 'line-color': '#b3261e', 'target-arrow-color': '#b3261e', width: 2 } },
        ],
        layout: big ? { name: 'concentric', concentric: (n: cytoscape.NodeSingular) => n.data('w'), levelWidth: () => 2, animate: false } : { name: 'breadthfirst', directed: true, animate: false },
        wheelSensitivity: 0.3,
        // a big graph: cheaper painting while she pans and zooms
        ...(big ? { textureOnViewport: true, hideEdgesOnViewport: true, pixelRatio: 1 } : {}),
      });
    });
    return () => {
      current = false;
      cy?.destroy();
    };
  }, [data, names, draw]);
  return (
    <Show loaded={loaded} retry={reload}>
      {(d) => (
        <figure class="graph">
          {draw ? (
            <div ref={box} class="graph-box" role="img" aria-label={t('delegation.graph')} />
          ) : (
            <button type="button" onClick={() => setAsked(true)}>
              {t('delegation.graphDraw', { count: size })}
            </button>
          )}
          <figcaption>
            {proposal ? t('delegation.graphFor') : t('delegation.graphCircle')}:{' '}
            {t('delegation.graphSummary', {
              members: d.proposal?.E ?? new Set(d.delegations.flatMap((x) => [x.member, x.delegate])).size,
              edges: d.proposal ? d.proposal.effective.length : d.delegations.filter((x) => x.scope.kind === 'circle').length,
              cycles: d.proposal?.cycles.length ?? 0,
              lost: d.proposal?.lost ?? 0,
            })}
          </figcaption>
        </figure>
      )}
    </Show>
  );
}

/** How many members the graph would draw. */
function graphSize(d: CircleDelegations): number {
  if (d.proposal) return new Set([...d.proposal.effective.flatMap((e) => [e.member, e.delegate]), ...d.proposal.weights.map((w) => w.member)]).size;
  return new Set(d.delegations.filter((x) => x.scope.kind === 'circle').flatMap((x) => [x.member, x.delegate])).size;
}
