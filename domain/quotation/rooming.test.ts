import { dateOnly, formatDateOnly } from './dateonly';
import { type BlockForRooming, checkRoomingList, parseRoomingDate, type RoomingRow } from './rooming';

const stay = { arrival: dateOnly(2027, 5, 1), departure: dateOnly(2027, 5, 3) };
const blocks: BlockForRooming[] = [1, 2].flatMap((day) => [
  {
    blockId: `dbl-${day}`,
    roomTypeId: 'dbl',
    roomTypeCode: 'DBL',
    roomTypeName: 'Double',
    night: dateOnly(2027, 5, day),
    rooms: 2,
    capacity: 2,
  },
  {
    blockId: `sgl-${day}`,
    roomTypeId: 'sgl',
    roomTypeCode: 'SGL',
    roomTypeName: 'Single',
    night: dateOnly(2027, 5, day),
    rooms: 1,
    capacity: 1,
  },
]);
let line = 1;
const row = (room: string, roomType: string, guest: string, arrival = '', departure = ''): RoomingRow => ({
  row: ++line,
  room,
  roomType,
  guest,
  arrival,
  departure,
});

describe('rooming list', () => {
  beforeEach(() => {
    line = 1;
  });

  it('places each guest once per night of the stay in a blocked room', () => {
    const result = checkRoomingList(
      [
        row('1', 'DBL', 'Ana Ruiz'),
        row('1', 'double', 'Luis Gil'),
        row('2', 'SGL', 'Eva Sanz', '02/05/2027', '2027-05-03'),
      ],
      blocks,
      stay,
    );
    expect(result.rejected).toEqual([]);
    expect(result.placedRows).toBe(3);
    expect(result.placed.map((p) => `${p.guest}@${p.room}:${formatDateOnly(p.night)}:${p.blockId}`)).toEqual([
      'Ana Ruiz@1:2027-05-01:dbl-1',
      'Ana Ruiz@1:2027-05-02:dbl-2',
      'Luis Gil@1:2027-05-01:dbl-1',
      'Luis Gil@1:2027-05-02:dbl-2',
      'Eva Sanz@2:2027-05-02:sgl-2',
    ]);
  });

  it('reports each bad row with its row number and the reason in English and Spanish', () => {
    const result = checkRoomingList(
      [
        row('1', 'DBL', 'Ana Ruiz'),
        row('1', 'DBL', 'Luis Gil'),
        row('1', 'DBL', 'Third Guest'),
        row('2', 'SUITE', 'Eva Sanz'),
        row('3', 'DBL', ''),
        row('4', 'DBL', 'Late Guest', '2027-05-02', '2027-05-04'),
        row('5', 'DBL', 'Pablo Ortiz'),
        row('6', 'DBL', 'One Too Many'),
        row('7', 'SGL', 'Ana Ruiz'),
        row('8', 'SGL', 'Bad Date', '31/02/2027'),
      ],
      blocks,
      stay,
    );
    expect(result.placedRows).toBe(3);
    expect(result.rejected.map((r) => [r.row, r.reason.en])).toEqual([
      [4, 'room 1 already has 2 guest(s) on the night of 1 May 2027 (a DBL takes 2)'],
      [5, 'room type "SUITE" is not blocked on this quotation (blocked: DBL, SGL)'],
      [6, 'no guest name'],
      [7, 'no DBL rooms are blocked on the night of 3 May 2027'],
      [9, 'all 2 DBL room(s) blocked on the night of 1 May 2027 are already filled'],
      [10, 'Ana Ruiz is already in room 1 on the night of 1 May 2027'],
      [11, 'arrival "31/02/2027" or departure "" is not a date (YYYY-MM-DD or DD/MM/YYYY)'],
    ]);
    expect(result.rejected[0].reason.es).toBe(
      'la habitación 1 ya tiene 2 huésped(es) la noche del 1 de mayo de 2027 (una DBL admite 2)',
    );
  });

  it('reads the dates agencies write', () => {
    expect(parseRoomingDate('7/5/2027')).toEqual(dateOnly(2027, 5, 7));
    expect(parseRoomingDate('2027-05-07')).toEqual(dateOnly(2027, 5, 7));
    expect(parseRoomingDate('2027/05/07')).toBeNull();
  });
});
