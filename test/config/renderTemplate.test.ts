import { describe, expect, it } from 'vitest';
import { renderTemplate, templateVars } from '../../src/config/renderTemplate.js';

describe('renderTemplate', () => {
  it('replaces known placeholders and leaves unknown ones and JSON exactly as written', () => {
    const text = 'Hi {caller_name}, {unknown} stays; so does {"a": 1} and { spaced }. {caller_name}!';
    expect(renderTemplate(text, { caller_name: 'Ann' })).toBe('Hi Ann, {unknown} stays; so does {"a": 1} and { spaced }. Ann!');
  });

  it('treats an undefined value as unknown and an empty string as a value', () => {
    expect(renderTemplate('[{a}][{b}]', { a: undefined, b: '' })).toBe('[{a}][]');
  });

  it('does not read inherited properties as variables', () => {
    expect(renderTemplate('{constructor} {toString}', {})).toBe('{constructor} {toString}');
  });
});

describe('templateVars', () => {
  const now = new Date('2025-11-21T14:05:09Z');

  it('provides every documented variable, dates in the given time zone', () => {
    const vars = templateVars({ callId: '1700.1', callerName: 'Ann', callerNumber: '+15551234', contextName: 'sales', companyName: 'Acme', now, timeZone: 'America/New_York' });
    expect(vars).toEqual({
      caller_name: 'Ann',
      caller_number: '+15551234',
      company_name: 'Acme',
      call_id: '1700.1',
      context_name: 'sales',
      current_date: '2025-11-21',
      current_time: '09:05',
      today: 'Friday, November 21, 2025',
    });
    const rendered = renderTemplate('{company_name} {context_name} {current_date} {current_time} {today} {call_id}', vars);
    expect(rendered).toBe('Acme sales 2025-11-21 09:05 Friday, November 21, 2025 1700.1');
  });

  it('crosses midnight by time zone', () => {
    expect(templateVars({ callId: 'x', contextName: 'c', now: new Date('2025-11-21T23:30:00Z'), timeZone: 'Europe/Berlin' })).toMatchObject({
      current_date: '2025-11-22',
      current_time: '00:30',
    });
  });

  it('renders an unknown caller as empty rather than reading a placeholder aloud', () => {
    const vars = templateVars({ callId: 'x', contextName: 'c', now });
    expect(renderTemplate('Hello {caller_name}.', vars)).toBe('Hello .');
  });

  it('adds extra variables; they fill empty built-ins but never replace set ones', () => {
    const vars = templateVars({ callId: 'x', contextName: 'c', callerNumber: '+1', now, extra: { customer: 'Bob', caller_name: 'Bob B', call_id: 'forged', skip: undefined } });
    expect(vars.customer).toBe('Bob');
    expect(vars.caller_name).toBe('Bob B');
    expect(vars.call_id).toBe('x');
    expect('skip' in vars).toBe(false);
  });
});
