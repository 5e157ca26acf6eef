import { CORE_SCHEMA, EVENT_ID, getScalarValue, SCALAR_STYLE } from 'js-yaml';
import type { Event } from 'js-yaml';
import type { DocPath } from '../snapshot.ts';
import { skip, startOf } from './event-walk.ts';

type Content = Exclude<Event, { type: typeof EVENT_ID.DOCUMENT | typeof EVENT_ID.POP }>;

/**
 * The offset where the value at `path` is introduced, in the deciding parser's events: the
 * key of a map entry (so a finding about `bytes: 8` points at `bytes`), the item of a list,
 * the document's first node for the empty path. A path that leaves the document stops at its
 * nearest existing ancestor. Same answers as the yaml-package locator it replaced (locate.ts).
 */
export function locateInEvents(events: readonly Event[], text: string, path: DocPath): number {
  let i = 1;
  const first = events[1];
  if (first === undefined || first.type === EVENT_ID.POP || first.type === EVENT_ID.DOCUMENT)
    return 0;
  let offset = Math.max(0, startOf(first));
  for (const segment of path) {
    const node = events[i] as Content;
    if (node.type === EVENT_ID.MAPPING) {
      const want = String(segment);
      let j = i + 1;
      let found = -1;
      while (events[j]!.type !== EVENT_ID.POP) {
        const key = events[j] as Content;
        if (key.type === EVENT_ID.SCALAR && keyText(text, key) === want) {
          found = j;
          break;
        }
        j = skip(events, skip(events, j));
      }
      if (found === -1) break;
      offset = Math.max(0, startOf(events[found] as Content));
      i = found + 1;
    } else if (node.type === EVENT_ID.SEQUENCE && typeof segment === 'number') {
      let j = i + 1;
      for (let k = 0; k < segment && events[j]!.type !== EVENT_ID.POP; k++) j = skip(events, j);
      const item = events[j]!;
      if (item.type === EVENT_ID.POP) break;
      const at = startOf(item as Content);
      if (at === -1) break; // an empty item has no place of its own
      offset = at;
      i = j;
    } else break;
  }
  return offset;
}

function keyText(text: string, ev: Extract<Content, { type: typeof EVENT_ID.SCALAR }>): string {
  const source = getScalarValue(text, ev);
  if (ev.style !== SCALAR_STYLE.PLAIN || ev.tagStart !== -1) return source;
  return String(CORE_SCHEMA.resolveImplicitScalarTag(source).value);
}
