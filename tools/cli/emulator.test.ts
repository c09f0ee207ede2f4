import { silentLogger } from '../../dataverse/logger';
import { EmulatorOptionError, emulatorOptions, type EmulatorCommandOptions } from './emulator';

const defaults: EmulatorCommandOptions = {
  port: '0',
  host: '127.0.0.1',
  db: ':memory:',
  demo: false,
  solution: 'solution',
};

describe('ideario emulator options', () => {
  it('passes --time-zone to the emulator as the zone of users without their own', () => {
    expect(emulatorOptions({ ...defaults, timeZone: 'Europe/Madrid' }, silentLogger).timeZone).toBe(
      'Europe/Madrid',
    );
    expect(emulatorOptions(defaults, silentLogger).timeZone).toBeUndefined();
  });

  it('refuses a time zone that is not an IANA name, saying what to use', () => {
    expect(() => emulatorOptions({ ...defaults, timeZone: 'Central European' }, silentLogger)).toThrow(
      EmulatorOptionError,
    );
    expect(() => emulatorOptions({ ...defaults, timeZone: 'Central European' }, silentLogger)).toThrow(
      /'Central European' is not an IANA time zone name; use one such as 'Europe\/Madrid'/,
    );
  });

  it("passes --currency to the emulator as the organization's base currency, refusing what is not ISO 4217", () => {
    expect(emulatorOptions({ ...defaults, currency: 'usd' }, silentLogger).baseCurrency).toBe('USD');
    expect(() => emulatorOptions({ ...defaults, currency: 'Euro' }, silentLogger)).toThrow(
      EmulatorOptionError,
    );
    expect(() => emulatorOptions({ ...defaults, currency: 'Euro' }, silentLogger)).toThrow(
      /'Euro' is not an ISO 4217 currency code/,
    );
  });

  it('refuses a port out of range', () => {
    expect(() => emulatorOptions({ ...defaults, port: '70000' }, silentLogger)).toThrow(
      /--port must be a whole number from 0 to 65535/,
    );
  });
});
