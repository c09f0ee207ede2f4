import JSZip from 'jszip';
import { parseRoomingCsv, parseRoomingXlsx, RoomingFileError } from './read';

describe('reading a rooming list', () => {
  it('reads CSV with Spanish headers and semicolons as Excel saves it in Spain, rows numbered as in the sheet', () => {
    const rows = parseRoomingCsv(
      '\uFEFFHabitación;Tipo de habitación;Huésped;Llegada;Salida\r\n12;DBL;"Ruiz; Ana";01/06/2026;\r\n\r\n14;SGL;Luis;;\r\n',
    );
    expect(rows).toEqual([
      { row: 2, room: '12', roomType: 'DBL', guest: 'Ruiz; Ana', arrival: '01/06/2026', departure: '' },
      { row: 4, room: '14', roomType: 'SGL', guest: 'Luis', arrival: '', departure: '' },
    ]);
  });

  it('names the columns it needs when the header has none of them', () => {
    expect(() => parseRoomingCsv('Nombre,Apellido\nAna,Ruiz\n', 'list.csv')).toThrow(RoomingFileError);
    expect(() => parseRoomingCsv('Nombre,Apellido\nAna,Ruiz\n', 'list.csv')).toThrow(
      /list.csv cannot be read as a rooming list: the first row must name the columns Room, Room Type and Guest/,
    );
  });

  it('reads the first sheet of an .xlsx: shared and inline strings, and dates stored as day numbers', async () => {
    const zip = new JSZip();
    zip.file(
      'xl/sharedStrings.xml',
      '<sst><si><t>Room</t></si><si><t>Room Type</t></si><si><r><t>Gu</t></r><r><t>est</t></r></si><si><t>Arrival</t></si><si><t xml:space="preserve">Ana Ruiz </t></si></sst>',
    );
    zip.file(
      'xl/worksheets/sheet1.xml',
      '<worksheet><sheetData>' +
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>' +
        '<row r="3"><c r="A3"><v>12</v></c><c r="B3" t="inlineStr"><is><t>DBL</t></is></c><c r="C3" t="s"><v>4</v></c><c r="D3"><v>46174</v></c></row>' +
        '</sheetData></worksheet>',
    );
    const rows = await parseRoomingXlsx(await zip.generateAsync({ type: 'uint8array' }));
    expect(rows).toEqual([
      { row: 3, room: '12', roomType: 'DBL', guest: 'Ana Ruiz', arrival: '2026-06-01', departure: '' },
    ]);
    await expect(parseRoomingXlsx(new Uint8Array([1, 2, 3]), 'list.xlsx')).rejects.toThrow(
      /not an Excel workbook/,
    );
  });
});
