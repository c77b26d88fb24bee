/** The built-in alerting's node_down rule: nodes whose heartbeat stopped (not those that left cleanly). */
import { RULE_DEFINITIONS, SUBJECTS_KEPT, type AlertCondition } from '../domain/alerts.ts';
import type { NodeView } from '../domain/cluster.ts';

export function nodeDownSource(nodes: () => Promise<NodeView[]>) {
  return {
    name: 'cluster',
    rules: ['node_down' as const],
    async collect(): Promise<AlertCondition[]> {
      const down = (await nodes()).filter((n) => n.state === 'dead' && !n.left);
      if (down.length === 0) return [];
      const ids = down.map((n) => n.id);
      return [{
        tenantId: null,
        rule: 'node_down',
        severity: RULE_DEFINITIONS.node_down.severity,
        subjects: ids.slice(0, SUBJECTS_KEPT),
        count: ids.length,
        summary: `${ids.length} node(s) stopped heartbeating: ${ids.slice(0, 10).join(', ')}; their sessions are adopted by the others.`,
      }];
    },
  };
}
