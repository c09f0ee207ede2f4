import { describeRoomingImport, errorsCsv } from './rooming';

const result = {
  rows: 3,
  placedRows: 2,
  entries: 4,
  removed: 0,
  rejected: [
    {
      row: 4,
      guest: '=HYPERLINK("x")',
      reason: { en: 'no guest name', es: 'falta el nombre del huésped' },
    },
  ],
  receivedOn: '2026-04-20',
};

describe('rooming import output', () => {
  it('speaks the staff language', () => {
    expect(describeRoomingImport(result, 'es')).toEqual([
      '2 de 3 filas colocadas (4 huésped-noches), 1 con errores.',
      'Fila 4 (=HYPERLINK("x")): falta el nombre del huésped',
      'Rooming list recibida el 2026-04-20: la cotización pasa a la fase Rooming list.',
    ]);
  });

  it('writes the errors file in both languages, never as a formula a spreadsheet would run', () => {
    expect(errorsCsv(result)).toBe(
      'row,guest,reason,motivo\n4,"\'=HYPERLINK(""x"")",no guest name,falta el nombre del huésped\n',
    );
  });
});
