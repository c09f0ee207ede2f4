import path from 'node:path';
import { contact, idr_interestprofile } from '../../../dataverse/generated';
import { loadMetadata } from '../../solution/loader';
import { PrivilegeDeniedError, RoleCatalog } from './security';

const catalog = new RoleCatalog(loadMetadata(path.resolve(__dirname, '../../../solution')));

describe('RoleCatalog', () => {
  it('names the privileges of views and users as the role editor does, not after the table', () => {
    expect(RoleCatalog.privilegeName('Read', 'savedquery')).toBe('prvReadQuery');
    expect(RoleCatalog.privilegeName('Read', 'systemuser')).toBe('prvReadUser');
    expect(RoleCatalog.privilegeName('Read', contact.logicalName)).toBe(`prvRead${contact.logicalName}`);
  });

  it('lets an Ideario Analyst read the views and users a model-driven app loads, and nothing it was not given', () => {
    const user = '00000000-0000-0000-0000-000000000001';
    for (const table of [
      'savedquery',
      'systemuser',
      'systemform',
      'appmodule',
      idr_interestprofile.logicalName,
    ])
      expect(() => catalog.check(user, ['Ideario Analyst'], 'Read', table)).not.toThrow();
    expect(() => catalog.check(user, ['Ideario Analyst'], 'Write', contact.logicalName)).toThrow(
      PrivilegeDeniedError,
    );
  });
});
