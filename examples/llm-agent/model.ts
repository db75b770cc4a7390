// The example's model: a scripted stand-in for a provider, served by an
// OpenAI-compatible fake server on 127.0.0.1. Like a model, it decides each
// answer from what the conversation says so far — the results troupe gave
// back for its last tool call — so the run is the same every time.
import type { FakeRequest, FakeTurn } from '../../test/helpers/fake-openai.js';

/** The next answer, from the last tool result in the conversation. */
export function nextTurn(request: FakeRequest): FakeTurn {
  const results = request.body.messages
    .filter((message) => message.role === 'tool')
    .map((message) => String(message.content));
  const last = results.at(-1);
  if (last === undefined) {
    return {
      text: 'First I run the tests to see what fails.',
      calls: [{ name: 'run_command', input: { command: 'node test.js' } }],
    };
  }
  if (/^exit 1/.test(last)) {
    return {
      text: 'The conversion is wrong: let me read it.',
      calls: [{ name: 'read_file', input: { path: 'src/celsius.js' } }],
    };
  }
  if (last.includes('* 9) / 5')) {
    return {
      text: 'It multiplies by 9/5; Celsius from Fahrenheit is (f - 32) × 5/9.',
      calls: [
        {
          name: 'edit_file',
          input: {
            path: 'src/celsius.js',
            edits: [
              { oldText: '* 9) / 5', newText: '* 5) / 9' },
              { oldText: ' (it does not yet)', newText: '' },
            ],
          },
        },
      ],
    };
  }
  if (last.startsWith('edited')) {
    return { text: 'Run the tests again.', calls: [{ name: 'run_command', input: { command: 'node test.js' } }] };
  }
  if (/^exit 0/.test(last)) return { text: 'Fixed: toCelsius now computes (f - 32) × 5/9, and the test passes.' };
  return { status: 500, message: `the example model did not expect: ${last.slice(0, 200)}` };
}
