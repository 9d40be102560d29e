import { describe, expect, it } from 'vitest';
import { loadServiceConfig } from './config';

describe('the History Server setting', () => {
  it('comes from SPARKPLANE_HISTORY_SERVER_URL, absent when unset or empty', () => {
    const env = { SPARKPLANE_HISTORY_SERVER_URL: 'https://spark-history.example.com' };
    expect(loadServiceConfig({}, env).historyServerUrl).toBe('https://spark-history.example.com');
    expect(loadServiceConfig({}, {}).historyServerUrl).toBeUndefined();
    expect(loadServiceConfig({}, { SPARKPLANE_HISTORY_SERVER_URL: '' }).historyServerUrl).toBeUndefined();
  });

  it('refuses a value that is not an http(s) URL, naming the setting, the value and what is expected', () => {
    for (const value of ['spark-history:18080', 'ftp://history.example.com']) {
      expect(() => loadServiceConfig({}, { SPARKPLANE_HISTORY_SERVER_URL: value }), value).toThrow(
        `historyServerUrl: ${JSON.stringify(value)} is not an http(s) URL such as "https://spark-history.example.com"`,
      );
    }
  });
});
