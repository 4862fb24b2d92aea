import { toolsSchema, type ToolsConfig } from '../../src/config/schema.js';

/** A FreePBX-like tools section, parsed through the real schema so defaults are the shipped ones. */
export function makeToolsConfig(overrides: Record<string, unknown> = {}): ToolsConfig {
  return toolsSchema.parse({
    transfer: {
      mode: 'blind',
      destinations: {
        sales: { type: 'extension', target: '6000', description: 'Sales team' },
        support: { type: 'queue', target: '400', description: 'Technical support queue' },
        billing: { type: 'ringgroup', target: '600', description: 'Billing and accounts support' },
        reception: { type: 'extension', target: '100', description: 'Front desk reception', context: 'custom-reception' },
      },
      ...((overrides.transfer as object | undefined) ?? {}),
    },
    leave_voicemail: { mailbox: '1001', ...((overrides.leave_voicemail as object | undefined) ?? {}) },
    ...Object.fromEntries(Object.entries(overrides).filter(([k]) => k !== 'transfer' && k !== 'leave_voicemail')),
  });
}
