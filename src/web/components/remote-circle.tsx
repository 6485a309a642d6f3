// A circle of another instance of the federation (SPEC §12.2), named by its qualified id: a link to
// it in that instance's own app where this instance knows the peer (FEDERATION_PEERS, from
// GET /api/v1/federation/peers), its short id and instance otherwise.
import { parseQualifiedCircleId } from '../../core/formats/ids';
import { api } from '../lib/api';
import { shortId } from '../lib/format';
import { useLoad, useT } from '../lib/state';

let peers: Promise<Map<string, string>> | undefined;

/** The peers' base URLs by instance name: asked once a page load (again after a failure). */
function peerUrls(): Promise<Map<string, string>> {
  peers ??= api.peers().then(
    ({ items }) => new Map(items.map((p) => [p.name, p.url.replace(/\/+$/, '')])),
    () => {
      peers = undefined;
      return new Map<string, string>();
    },
  );
  return peers;
}

/** Whether a circle reference names a circle of another instance. */
export const isRemote = (ref: string): boolean => parseQualifiedCircleId(ref) !== null;

/** "under circle … on …" (her circle's parent) or "circle … on …" (a child), linked when the peer is known. */
export function RemoteCircle({ circle, as }: { circle: string; as: 'parent' | 'child' }) {
  const t = useT();
  const [urls] = useLoad(peerUrls, []);
  const q = parseQualifiedCircleId(circle);
  if (!q) return null;
  const label = t(as === 'parent' ? 'tree.remoteParent' : 'tree.remoteChild', { circle: shortId(q.circle), instance: q.instance });
  const base = urls.state === 'ready' ? urls.value.get(q.instance) : undefined;
  return base ? (
    <a href={`${base}/circles/${encodeURIComponent(q.circle)}`} rel="external" title={circle}>
      {label}
    </a>
  ) : (
    <span title={circle}>{label}</span>
  );
}
