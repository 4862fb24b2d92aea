// Run as a child process by CallRecordWriter.test.ts: records half a call, then dies by SIGKILL (no cleanup runs).
import { CallRecordWriter } from '../../src/records/CallRecordWriter.js';

const [dir = '', callId = ''] = process.argv.slice(2);
const writer = new CallRecordWriter({ dir, callId, startedAtMs: Date.parse('2025-03-04T10:00:00Z') });
writer.append({ type: 'start', atMs: Date.parse('2025-03-04T10:00:00Z'), callId, caller: { number: '+15551230000', name: 'Alice' }, context: 'sales', provider: 'openai_realtime', profile: 'telephony_ulaw' });
writer.append({ type: 'answer', atMs: Date.parse('2025-03-04T10:00:01Z') });
writer.append({ type: 'transcript', atMs: Date.parse('2025-03-04T10:00:02Z'), role: 'assistant', text: 'Hello, how can I help?' });
writer.append({ type: 'transcript', atMs: Date.parse('2025-03-04T10:00:05Z'), role: 'user', text: 'I need a quote.' });
process.kill(process.pid, 'SIGKILL');
