import { parseDateOnly } from './dateonly';
import { checkPhase, nextPhase, type PhaseFacts, phaseFromFacts } from './phase';

const d = parseDateOnly;
const today = d('2026-06-20');
const none: PhaseFacts = {
  quoteSentOn: null,
  confirmedOn: null,
  depositReceivedOn: null,
  roomingListReceivedOn: null,
  proformaIssuedOn: null,
  transferred: false,
  departure: d('2026-06-13'),
  paymentReceivedOn: null,
  lostReason: null,
};
const sent = { ...none, quoteSentOn: d('2026-03-02') };
const confirmed = { ...sent, confirmedOn: d('2026-03-09') };
const deposit = { ...confirmed, depositReceivedOn: d('2026-03-14') };
const rooming = { ...deposit, roomingListReceivedOn: d('2026-05-20') };
const proforma = { ...rooming, proformaIssuedOn: d('2026-05-25') };
const transferred = { ...proforma, transferred: true };
const settled = { ...transferred, paymentReceivedOn: d('2026-06-15') };

describe('phaseFromFacts', () => {
  it('walks request → settled as each fact is recorded', () => {
    expect(
      [none, sent, confirmed, deposit, rooming, proforma, transferred, settled].map((f) =>
        phaseFromFacts(f, today),
      ),
    ).toEqual([
      'request',
      'quotationSent',
      'confirmed',
      'deposit',
      'roomingList',
      'proforma',
      'transferred',
      'settled',
    ]);
  });

  it('counts a paid instalment as the deposit, and takes the furthest fact when they come out of order', () => {
    expect(phaseFromFacts({ ...confirmed, instalments: [{ paidOn: d('2026-03-12') }] }, today)).toBe(
      'deposit',
    );
    expect(phaseFromFacts({ ...confirmed, instalments: [{ paidOn: null }] }, today)).toBe('confirmed');
    expect(phaseFromFacts({ ...confirmed, roomingListReceivedOn: d('2026-05-01') }, today)).toBe(
      'roomingList',
    );
  });

  it('settles only once the departure day has come, and a lost reason ends it anywhere', () => {
    expect(phaseFromFacts(settled, d('2026-06-12'))).toBe('transferred');
    expect(phaseFromFacts(settled, d('2026-06-13'))).toBe('settled');
    expect(phaseFromFacts({ ...confirmed, lostReason: 'Went to a cheaper hotel' }, today)).toBe('lost');
    expect(phaseFromFacts({ ...confirmed, lostReason: '  ' }, today)).toBe('confirmed');
  });

  it('keeps Cancelled, which only a person sets', () => {
    expect(nextPhase('cancelled', deposit, today)).toBe('cancelled');
    expect(nextPhase('quotationSent', deposit, today)).toBe('deposit');
  });
});

describe('checkPhase', () => {
  it('accepts the phase the facts give, and Cancelled at any time', () => {
    expect(checkPhase('deposit', deposit, today)).toBeNull();
    expect(checkPhase('cancelled', none, today)).toBeNull();
  });

  it('refuses a phase ahead of the facts, naming what to record, in English and Spanish', () => {
    expect(checkPhase('quotationSent', none, today)).toEqual({
      en: 'The phase cannot be set to Quotation sent: no sent date is recorded (Quote Sent On). Record it and the phase moves by itself.',
      es: 'No se puede poner la fase Cotización enviada: no consta la fecha de envío (Cotización enviada el). Regístrelo y la fase cambiará sola.',
    });
    expect(checkPhase('settled', transferred, d('2026-06-01'))?.en).toMatch(/Payment Received On/);
    expect(checkPhase('lost', deposit, today)?.en).toMatch(/no reason is recorded \(Lost Reason\)/);
  });

  it('refuses going back behind a recorded fact, naming the fact', () => {
    expect(checkPhase('quotationSent', confirmed, today)).toEqual({
      en: 'The phase cannot be set back to Quotation sent: the facts say Confirmed (confirmed on 9 March 2026). Clear that first if it was recorded by mistake.',
      es: 'No se puede volver a la fase Cotización enviada: los datos indican Confirmada (confirmada el 9 de marzo de 2026). Bórrelo primero si se registró por error.',
    });
    expect(checkPhase('request', sent, today)?.en).toMatch(
      /set back to Request: the facts say Quotation sent/,
    );
  });
});
