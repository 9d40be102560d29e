import { describe, expect, it } from 'vitest';
import { commandOf } from './main';

describe('commandOf', () => {
  it('is the first word that is neither a global option nor its value', () => {
    expect(commandOf(['apps', 'list'])).toBe('apps');
    expect(commandOf(['--url', 'http://x', '--token', 't', '-o', 'yaml', 'jobs', 'get', 'a'])).toBe('jobs');
    expect(commandOf(['--json', '--url=http://x', 'clusters'])).toBe('clusters');
    expect(commandOf(['help', 'apps'])).toBe('apps');
  });

  it('is undefined without a command (the help, the version)', () => {
    expect(commandOf([])).toBeUndefined();
    expect(commandOf(['--version'])).toBeUndefined();
    expect(commandOf(['--url', 'apps'])).toBeUndefined();
  });
});
