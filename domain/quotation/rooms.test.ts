import { dateOnly } from './dateonly';
import { InvalidAmountError } from './errors';
import { settledStay } from './enforce';
import {
  checkNearFull,
  checkRoomBlock,
  isNightOfStay,
  nearFullText,
  nightsOutsideStay,
  hotelOccupancy,
  occupancyPlan,
  overbookingText,
  roomBlocksTotal,
  stayNightsOf,
} from './rooms';

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

  it("sums each hotel night over its room types, against all the hotel's rooms", () => {
    const night1 = dateOnly(2027, 5, 1);
    const night2 = dateOnly(2027, 5, 2);
    const inventory = [
      { roomTypeId: 'dbl', hotelId: 'sol', name: 'Sol · Double', rooms: 40 },
      { roomTypeId: 'sgl', hotelId: 'sol', name: 'Sol · Single', rooms: 10 },
      { roomTypeId: 'ste', hotelId: 'sol', name: 'Sol · Suite', rooms: 50 },
      { roomTypeId: 'mar', hotelId: 'mar', name: 'Mar · Double', rooms: 20 },
    ];
    const cells = occupancyPlan(inventory, [
      { roomTypeId: 'dbl', night: night1, rooms: 38 },
      { roomTypeId: 'sgl', night: night1, rooms: 10 },
      { roomTypeId: 'dbl', night: night2, rooms: 4 },
      { roomTypeId: 'mar', night: night2, rooms: 19 },
    ]);
    const names = new Map([
      ['sol', 'Hotel Sol'],
      ['mar', 'Hotel Mar'],
    ]);
    expect(
      hotelOccupancy(inventory, cells, names).map((h) => [
        h.name,
        h.night.day,
        h.blocked,
        h.inventory,
        h.percent,
        h.nearFull,
      ]),
    ).toEqual([
      ['Hotel Mar', 2, 19, 20, 95, true],
      // Its doubles are 95 % full, yet the hotel is half empty: the suites are free.
      ['Hotel Sol', 1, 48, 100, 48, false],
      ['Hotel Sol', 2, 4, 100, 4, false],
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

  it('counts the nights from the arrival to the night before the departure as the stay', () => {
    const stay = stayNightsOf({ arrival: dateOnly(2027, 5, 1), departure: dateOnly(2027, 5, 3) })!;
    expect(isNightOfStay(dateOnly(2027, 4, 30), stay)).toBe(false);
    expect(isNightOfStay(dateOnly(2027, 5, 1), stay)).toBe(true);
    expect(isNightOfStay(dateOnly(2027, 5, 2), stay)).toBe(true);
    expect(isNightOfStay(dateOnly(2027, 5, 3), stay)).toBe(false);
    expect(
      nightsOutsideStay([dateOnly(2027, 5, 3), dateOnly(2027, 4, 30), dateOnly(2027, 5, 3)], stay),
    ).toEqual([dateOnly(2027, 4, 30), dateOnly(2027, 5, 3)]);
    expect(stayNightsOf({ arrival: dateOnly(2027, 5, 1), departure: null })).toBeNull();
  });

  it('settles the stay as enforcement will: a new arrival alone keeps the nights', () => {
    const stored = { arrival: dateOnly(2027, 5, 4), nights: 2, departure: dateOnly(2027, 5, 3) };
    expect(settledStay(stored, ['arrival']).departure).toEqual(dateOnly(2027, 5, 6));
    const later = { arrival: dateOnly(2027, 5, 1), nights: 2, departure: dateOnly(2027, 5, 5) };
    expect(settledStay(later, ['departure'])).toEqual({ ...later, nights: 4 });
  });

  it('warns from 90 % of the inventory, but not past it (that is a refusal)', () => {
    const type = { name: 'Sol · Double', rooms: 40 };
    const night = dateOnly(2027, 5, 2);
    expect(checkNearFull({ type, night, requested: 5, blockedByOthers: 30 })).toBeNull();
    const near = checkNearFull({ type, night, requested: 6, blockedByOthers: 30 });
    expect(near).toMatchObject({ blocked: 36, percent: 90 });
    expect(checkNearFull({ type, night, requested: 11, blockedByOthers: 30 })).toBeNull();
    expect(checkNearFull({ type, night, requested: 6, blockedByOthers: 30 }, 95)).toBeNull();
    const text = nearFullText(near!);
    expect(text.en).toBe(
      'Sol · Double on the night of 2 May 2027 will be 90% full with this block: 36 of 40 rooms blocked, 4 left.',
    );
    expect(text.es).toContain('la noche del 2 de mayo de 2027 quedará al 90\u00a0% con este bloqueo');
  });
});
