// `mkctl cluster-info`: where the control plane answers, and the cluster services (those in kube-system
// labelled kubernetes.io/cluster-service=true, such as DNS) with their proxy URLs.

import { lookupKind, type ResourceType } from '../../api/scheme.js';
import type { CommandContext } from '../context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const client = await ctx.client();
  const server = client.rest.conn.server;
  await client.rest.json({ path: '/version', timeoutMs: 10000 }); // fails clearly when the server is not there
  const lines = [`Kubernetes control plane is running at ${server}`];
  const services = await client
    .resource(lookupKind('v1', 'Service') as ResourceType)
    .list({ namespace: 'kube-system', labelSelector: 'kubernetes.io/cluster-service=true' });
  for (const svc of services.items) {
    const name = svc.metadata.name ?? '';
    const title = svc.metadata.labels?.['kubernetes.io/name'] ?? name;
    const spec = (svc.spec ?? {}) as { ports?: { name?: string }[] };
    const port = spec.ports?.[0]?.name;
    lines.push(`${title} is running at ${server}/api/v1/namespaces/kube-system/services/${port ? `${name}:${port}` : name}/proxy`);
  }
  ctx.io.out(`${lines.join('\n')}\n\nTo see what the cluster serves, use 'mkctl api-resources'.\n`);
  return 0;
}
