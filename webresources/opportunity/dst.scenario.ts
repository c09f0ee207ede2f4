/**
 * Stays across the daylight-saving changes of the zone this process runs in (see dst.test.ts,
 * which runs it under TZ=Europe/Madrid through runInTimeZone).
 */
import { opportunity } from '../../dataverse/generated';
import { openQuotation } from './testkit';

const c = opportunity.columns;

export async function staysAcrossClockChanges() {
  // The zone must really change its clocks on these dates, or the scenario proves nothing.
  const offsets = ['2026-03-28', '2026-03-30', '2026-10-24', '2026-10-26'].map((day) => {
    const [y, m, d] = day.split('-').map(Number);
    return new Date(y, m - 1, d).getTimezoneOffset();
  });

  const spring = await openQuotation({ today: '2026-03-01' });
  await spring.change(c.idr_arrivaldate, '2026-03-28');
  await spring.change(c.idr_departuredate, '2026-03-30');
  const springNights = spring.value(c.idr_nights);
  await spring.change(c.idr_nights, 3);

  const autumn = await openQuotation({ today: '2026-10-01' });
  await autumn.change(c.idr_arrivaldate, '2026-10-24');
  await autumn.change(c.idr_nights, 2);
  const autumnDeparture = autumn.dateValue(c.idr_departuredate);
  await autumn.change(c.idr_adults, 10);
  await autumn.change(c.idr_priceperpersonnight, 50);
  await autumn.change(c.idr_departuredate, '2026-10-27');

  return {
    offsets,
    spring: { nights: springNights, departureAfterThreeNights: spring.dateValue(c.idr_departuredate) },
    autumn: {
      departure: autumnDeparture,
      nightsToThe27th: autumn.value(c.idr_nights),
      total: autumn.value(c.idr_total),
      notifications:
        autumn.fieldNotifications(c.idr_nights).length +
        autumn.fieldNotifications(c.idr_departuredate).length,
    },
  };
}
