import { hasConsent, standingExclusion, type ContactStanding } from './standing';

const clear: ContactStanding = { onExclusionList: false, consent: {}, belowZero: false };
const excludeBelowZero = { excludeBelowZero: true };

describe('consent', () => {
  it('reads each channel from its own opt-out, and bulk email from either email column', () => {
    expect(hasConsent('email', { donotbulkemail: true })).toBe(false);
    expect(hasConsent('email', { donotemail: true })).toBe(false);
    expect(hasConsent('email', { donotphone: true, donotpostalmail: true })).toBe(true);
    expect(hasConsent('phone', { donotphone: true })).toBe(false);
    expect(hasConsent('phone', { donotemail: true })).toBe(true);
    expect(hasConsent('mail', { donotpostalmail: true })).toBe(false);
  });
});

describe('standingExclusion', () => {
  it('lets a contact with no list, opt-out or Below-Zero tier through', () => {
    expect(standingExclusion(clear, 'email', excludeBelowZero)).toBeUndefined();
  });

  it('names a Robinson list first, whatever else holds, and for actions that use no channel too', () => {
    const all: ContactStanding = { onExclusionList: true, consent: { donotphone: true }, belowZero: true };
    expect(standingExclusion(all, 'phone', excludeBelowZero)).toBe('exclusion-list');
    expect(standingExclusion({ ...clear, onExclusionList: true }, null, excludeBelowZero)).toBe(
      'exclusion-list',
    );
  });

  it('checks consent for the channel used only', () => {
    const noCalls: ContactStanding = { ...clear, consent: { donotphone: true }, belowZero: true };
    expect(standingExclusion(noCalls, 'phone', excludeBelowZero)).toBe('no-consent');
    expect(standingExclusion(noCalls, 'email', excludeBelowZero)).toBe('below-zero');
    expect(standingExclusion({ ...noCalls, belowZero: false }, null, excludeBelowZero)).toBeUndefined();
  });

  it('excludes Below Zero only when the policy says so', () => {
    const belowZero: ContactStanding = { ...clear, belowZero: true };
    expect(standingExclusion(belowZero, 'mail', excludeBelowZero)).toBe('below-zero');
    expect(standingExclusion(belowZero, 'mail', { excludeBelowZero: false })).toBeUndefined();
  });
});
