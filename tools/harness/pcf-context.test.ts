import { createPcfContext, PcfMemberNotMockedError } from './pcf-context';

it('lets a host add what tests do not answer: createRecord, requestRender, formatting', async () => {
  const rendered: string[] = [];
  const { context } = createPcfContext<Record<string, never>>({
    parameters: {},
    members: {
      webAPI: {
        createRecord: (entity) => Promise.resolve({ id: 'new-id', name: '', entityType: entity }),
      },
      factory: { requestRender: () => rendered.push('render') },
      formatting: { formatInteger: (value) => `#${value}` },
      userSettings: { getTimeZoneOffsetMinutes: () => 60 },
    },
  });
  await expect(context.webAPI.createRecord('contact', {})).resolves.toMatchObject({ id: 'new-id' });
  context.factory.requestRender();
  expect(rendered).toEqual(['render']);
  expect(context.formatting.formatInteger(3)).toBe('#3');
  expect(context.userSettings.getTimeZoneOffsetMinutes()).toBe(60);
  // What neither the test nor the host gave still names itself.
  expect(() => context.formatting.formatDateShort(new Date())).toThrow(PcfMemberNotMockedError);
  expect(() => context.factory.getPopupService()).toThrow(PcfMemberNotMockedError);
});
