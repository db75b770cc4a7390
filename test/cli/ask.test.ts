import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askOnTerminal, isYes } from '../../src/cli/ask.js';

describe('a [y/N] answer', () => {
  it.each([
    ['y', true],
    ['Y', true],
    [' yes\n', true],
    ['YES', true],
    ['', false],
    ['n', false],
    ['no', false],
    ['yep', false],
    ['sure', false],
  ])('%j is yes: %s', (answer, yes) => {
    expect(isYes(answer)).toBe(yes);
  });
});

// a terminal the user types into: keys in on input, what troupe shows out on output
function fakeTerminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  return { input, output, shown: () => shown };
}

describe('a question asked on the terminal', () => {
  it('shows the question on its output and answers the line typed', async () => {
    const terminal = fakeTerminal();
    const answer = askOnTerminal(new AbortController().signal, terminal)('Roll back demo/x? [y/N] ');
    terminal.input.write('yes\r');
    expect(await answer).toBe('yes');
    expect(terminal.shown()).toContain('Roll back demo/x? [y/N] ');
  });

  it.each([
    ['Ctrl-C', '\u0003'],
    ['Ctrl-D', '\u0004'],
  ])('answers nothing (no) on %s', async (_name, key) => {
    const terminal = fakeTerminal();
    const answer = askOnTerminal(new AbortController().signal, terminal)('Cancel? [y/N] ');
    terminal.input.write(key);
    expect(await answer).toBe('');
  });

  it('moves past the prompt on Ctrl-C, so what comes next starts on a line of its own', async () => {
    const terminal = fakeTerminal();
    const answer = askOnTerminal(new AbortController().signal, terminal)('Cancel? [y/N] ');
    terminal.input.write('\u0003');
    await answer;
    expect(terminal.shown()).toMatch(/Cancel\? \[y\/N\] [^]*\n$/);
  });

  it('answers nothing when the command is interrupted, and stops reading the terminal', async () => {
    const terminal = fakeTerminal();
    const controller = new AbortController();
    const answer = askOnTerminal(controller.signal, terminal)('Cancel? [y/N] ');
    controller.abort();
    expect(await answer).toBe('');
    expect(terminal.input.listenerCount('keypress')).toBe(0);
  });

  it('asks again on the same terminal: each question gets its own answer', async () => {
    const terminal = fakeTerminal();
    const ask = askOnTerminal(new AbortController().signal, terminal);
    const first = ask('First? ');
    terminal.input.write('n\r');
    expect(await first).toBe('n');
    const second = ask('Second? ');
    terminal.input.write('y\r');
    expect(await second).toBe('y');
  });
});
