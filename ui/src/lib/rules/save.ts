// Saves a change the Rules screen asked a "why" for; resolves to the version in force after.
import { ipc } from '../ipc';
import type { Pending } from './format';

export function saveChange(pending: Pending, why: string): Promise<number> {
  switch (pending.kind) {
    case 'authority':
      return ipc.setAuthority(pending.change, why);
    case 'mapping':
      return ipc.mapField(pending.change, why);
    case 'status':
      return ipc.mapStatus(pending.change, why);
    case 'accept':
      return ipc.acceptSuggestions(why);
    case 'segment':
      return ipc.setSegment(pending.change, why);
  }
}
