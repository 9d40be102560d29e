import { describe, expect, it } from 'vitest';
import { connectTlsOf, loadServiceConfig } from './config';

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

describe('the sc:// endpoint setting', () => {
  const files = {
    SPARKPLANE_CONNECT_TLS_CERT_FILE: '/etc/sparkplane/tls.crt',
    SPARKPLANE_CONNECT_TLS_KEY_FILE: '/etc/sparkplane/tls.key',
  };

  it('is off unless configured, and on with a port, a certificate and a key', () => {
    expect(loadServiceConfig({}, {}).connect).toBeUndefined();
    expect(loadServiceConfig({}, { SPARKPLANE_CONNECT_PORT: '15002', ...files }).connect).toEqual({
      port: 15002,
      tlsCertFile: '/etc/sparkplane/tls.crt',
      tlsKeyFile: '/etc/sparkplane/tls.key',
    });
  });

  it('names what is missing or wrong', () => {
    expect(() => loadServiceConfig({}, { SPARKPLANE_CONNECT_PORT: '15002' })).toThrow(
      /connect\.tlsCertFile: is required/,
    );
    expect(() => loadServiceConfig({}, files)).toThrow(/connect\.port: is required/);
    expect(() => loadServiceConfig({}, { SPARKPLANE_CONNECT_PORT: 'grpc', ...files })).toThrow(
      /connect\.port: "grpc" is not a number/,
    );
    expect(() => loadServiceConfig({}, { SPARKPLANE_CONNECT_PORT: '70000', ...files })).toThrow(
      /connect\.port: 70000 is too big: expected <= 65535/,
    );
  });

  it('reads the certificate and key, naming the variable of a file it cannot read', () => {
    const connect = loadServiceConfig({}, { SPARKPLANE_CONNECT_PORT: '0', ...files }).connect!;
    expect(() => connectTlsOf(connect)).toThrow(
      /SPARKPLANE_CONNECT_TLS_CERT_FILE=\/etc\/sparkplane\/tls.crt cannot be read: ENOENT/,
    );
  });
});
