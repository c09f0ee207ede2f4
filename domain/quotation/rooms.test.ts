import { dateOnly } from './dateonly';
import { InvalidAmountError } from './errors';
import { checkRoomBlock, occupancyPlan, overbookingText, roomBlocksTotal } from './rooms';

describe('room blocks', () => {
  it('totals rooms × rate per night exactly, in minor units', () => {
    expect(roomBlocksTotal([])).toBeNull();
    expect(
      roomBlocksTotal([
        { rooms: 10, rate: 89.9 },
        { rooms: 10, rate: 89.9 },
        { rooms: 3, rate: 0.1 },
        { rooms: 2, rate: null },
      ]),
    ).toBe(1798.3);
    expect(() => roomBlocksTotal([{ rooms: -1, rate: 10 }])).toThrow(InvalidAmountError);
  });

  it('plans occupancy per room type and night and marks a night close to full', () => {
    const night1 = dateOnly(2027, 5, 1);
    const night2 = dateOnly(2027, 5, 2);
    const plan = occupancyPlan(
      [
        { roomTypeId: 'dbl', hotelId: 'h', name: 'Sol · Double', rooms: 40 },
        { roomTypeId: 'sgl', hotelId: 'h', name: 'Sol · Single', rooms: 10 },
      ],
      [
        { roomTypeId: 'dbl', night: night2, rooms: 30 },
        { roomTypeId: 'dbl', night: night2, rooms: 7 },
        { roomTypeId: 'dbl', night: night1, rooms: 12 },
        { roomTypeId: 'sgl', night: night1, rooms: 11 },
      ],
    );
    expect(
      plan.map((c) => [c.name, c.night.day, c.blocked, c.free, c.percent, c.nearFull, c.overbooked]),
    ).toEqual([
      ['Sol · Double', 1, 12, 28, 30, false, false],
      ['Sol · Double', 2, 37, 3, 92.5, true, false],
      ['Sol · Single', 1, 11, -1, 110, true, true],
    ]);
  });

  it('refuses a block past the inventory with the free rooms in English and Spanish', () => {
    const type = { name: 'Sol · Double', rooms: 40 };
    const night = dateOnly(2027, 5, 2);
    expect(checkRoomBlock({ type, night, requested: 3, blockedByOthers: 37 })).toBeNull();
    const over = checkRoomBlock({ type, night, requested: 5, blockedByOthers: 37 });
    expect(over).not.toBeNull();
    const text = overbookingText(over!);
    expect(text.en).toContain('Sol · Double on the night of 2 May 2027 would be overbooked');
    expect(text.en).toContain('3 free');
    expect(text.es).toContain('la noche del 2 de mayo de 2027 quedaría sobrevendido');
  });
});
