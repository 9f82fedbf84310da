/**
 * Field paths in YAML documents: `['stages', 2, 'when']` ⇄ `stages[2].when`, and the node a path
 * points at, so that every file format (timelines, strategies, later rule packs) reports problems
 * at file:line:column the same way.
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node } from 'yaml';

export type FieldPath = readonly (string | number)[];

/** `['accounts', 0, 'borrower', 'id']` → `accounts[0].borrower.id`; the empty path is `root`. */
export function pathToString(path: FieldPath, root: string): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out === '' ? root : out;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNodeWithRange(v: unknown): v is Node {
  return (isScalar(v) || isMap(v) || isSeq(v) || isAlias(v)) && Array.isArray(v.range);
}

export interface FoundNode {
  /** the node at the path, or its deepest existing ancestor */
  node: Node | null;
  /** the key node of the last map pair on the way (for "unknown key" problems) */
  key: Node | null;
  /** the whole path exists */
  exact: boolean;
}

/** The node a field path points at in a parsed YAML document. */
export function findNode(doc: Document | null, path: FieldPath): FoundNode {
  if (!doc) return { node: null, key: null, exact: false };
  let node: unknown = doc.contents;
  let best: Node | null = isNodeWithRange(node) ? node : null;
  let key: Node | null = null;
  let exact = true;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    key = null;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) {
        exact = false;
        break;
      }
      key = isNodeWithRange(pair.key) ? pair.key : null;
      next = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    } else {
      exact = false;
      break;
    }
    if (isNodeWithRange(next)) best = next;
    else if (key) best = key;
    else {
      exact = false;
      break;
    }
    node = next;
  }
  return { node: best, key, exact };
}
