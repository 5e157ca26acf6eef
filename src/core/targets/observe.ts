/**
 * Reads what can be observed of a key's targets through the ports: each secret scope's list
 * once (plus the selected repositories of targeted organization secrets with visibility
 * `selected`), each repository's deploy keys once, each file once.
 */
import { scopeId, type TargetPorts } from '../ports/targets.ts';
import type { DesiredState } from './desired.ts';
import { type Observation, selectedKey } from './plan.ts';

export async function observeTargets(
  desired: DesiredState,
  ports: TargetPorts,
): Promise<Observation> {
  const secrets = new Map<string, Awaited<ReturnType<TargetPorts['secrets']['listSecrets']>>>();
  const selected = new Map<string, string[]>();
  const deployKeys = new Map<
    string,
    Awaited<ReturnType<TargetPorts['deployKeys']['listDeployKeys']>>
  >();
  const files = new Map<string, Awaited<ReturnType<TargetPorts['files']['readFile']>>>();
  for (const d of desired.targets) {
    switch (d.kind) {
      case 'github-secret': {
        const id = scopeId(d.scope);
        let list = secrets.get(id);
        if (list === undefined) {
          list = await ports.secrets.listSecrets(d.scope);
          secrets.set(id, list);
        }
        if (d.org?.visibility === 'selected')
          for (const slot of d.slots) {
            const seen = list.find((s) => s.name.toUpperCase() === slot.name.toUpperCase());
            const k = selectedKey(d.scope, slot.name);
            if (seen?.visibility === 'selected' && !selected.has(k))
              selected.set(k, await ports.secrets.selectedRepositories(d.scope, slot.name));
          }
        break;
      }
      case 'github-deploy-key': {
        const repo = d.repository.toLowerCase();
        if (!deployKeys.has(repo))
          deployKeys.set(repo, await ports.deployKeys.listDeployKeys(d.repository));
        break;
      }
      case 'file':
        if (!files.has(d.path)) files.set(d.path, await ports.files.readFile(d.path));
        break;
    }
  }
  return { secrets, selected, deployKeys, files };
}
