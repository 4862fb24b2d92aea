// The simulator is a product feature now (`ai-agent simulate` runs calls against it); tests keep importing it here.
export * from '../../src/sim/AriSimulator.js';
