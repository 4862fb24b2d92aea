/**
 * Programmatic use (the `ai-agent` CLI is built on the same calls): load and validate a configuration, run the
 * agent, or run one simulated call without a PBX.
 */
export { loadConfig, type LoadedConfig } from './config/loadConfig.js';
export { ConfigError } from './config/ConfigError.js';
export { configSchema, type AppConfig } from './config/schema.js';
export { startAgent, type RunningAgent, type StartAgentOptions } from './call/startAgent.js';
export type { CallObserver } from './call/CallObserver.js';
export { simulateCall, type SimulationOptions, type SimulationReport } from './sim/simulateCall.js';
export { createLogger } from './util/logger.js';
export type { VoiceProvider, ProviderEvents } from './providers/VoiceProvider.js';
export type { ToolDefinition } from './tools/ToolDefinition.js';
