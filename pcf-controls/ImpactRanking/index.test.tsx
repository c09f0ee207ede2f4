/** @jest-environment jsdom */
import { join } from 'node:path';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { contact } from '../../dataverse/generated/contact';
import { idr_interestprofile } from '../../dataverse/generated/idr_interestprofile';
import { idr_marketingconcept } from '../../dataverse/generated/idr_marketingconcept';
import { createMockDataset, createPcfContext } from '../../tools/harness/pcf-context';
import { readResx } from '../shared/resx.testkit';
import { ImpactRanking } from './index';
import { CLOUD, conceptEntities, NOW, profileRecord, SECURITY } from './ranking.testkit';

describe('ImpactRanking lifecycle', () => {
  it('sorts by score, filters the dataset to the chosen concept and opens a contact through navigation', async () => {
    const dataset = createMockDataset({
      entityType: idr_interestprofile.logicalName,
      records: [
        profileRecord({
          contactId: 'b0000000-0000-0000-0000-000000000001',
          contactName: 'Ana',
          concept: CLOUD,
          accumulator: 2,
          landmark: NOW,
        }),
        profileRecord({
          contactId: 'b0000000-0000-0000-0000-000000000002',
          contactName: 'Bea',
          concept: CLOUD,
          accumulator: 6,
          landmark: NOW,
        }),
        profileRecord({
          contactId: 'b0000000-0000-0000-0000-000000000003',
          contactName: 'Carlos',
          concept: SECURITY,
          accumulator: 9,
          landmark: NOW,
        }),
      ],
    });
    const { context, webApiCalls, openedForms } = createPcfContext({
      parameters: { profiles: dataset },
      webApi: () => conceptEntities(CLOUD, SECURITY),
      strings: readResx(join(__dirname, 'strings/ImpactRanking.1033.resx')),
    });
    const control = new ImpactRanking();
    control.init(context);
    const view = render(control.updateView(context));
    dataset.onReload = () => view.rerender(control.updateView(context));

    const grid = await screen.findByRole('grid', { name: 'Impact ranking' });
    expect(
      within(grid)
        .getAllByRole('row', { name: /^Open / })
        .map((r) => r.getAttribute('aria-label')),
    ).toEqual(['Open Bea', 'Open Ana']);
    expect(webApiCalls).toEqual([
      expect.objectContaining({
        operation: 'retrieveMultipleRecords',
        entityType: idr_marketingconcept.logicalName,
      }),
    ]);
    fireEvent.click(within(grid).getByRole('row', { name: 'Open Bea' }));
    expect(openedForms).toEqual([
      { entityName: contact.logicalName, entityId: 'b0000000-0000-0000-0000-000000000002' },
    ]);
  });
});
