import * as React from 'react';
import { tokens } from '@fluentui/react-components';
import { formatNumber, formatText } from '../../shared/format';
import { heatLevel, type HeatMap as HeatMapData } from '../ranking';
import { type ImpactRankingStrings } from '../strings';

// Shades from none to the brand's strongest; the number stays in the cell so colour is never the only cue.
const SHADES = [
  { background: 'transparent', color: tokens.colorNeutralForeground1 },
  { background: tokens.colorBrandBackground2, color: tokens.colorNeutralForeground1 },
  { background: tokens.colorBrandBackground2Hover, color: tokens.colorNeutralForeground1 },
  { background: tokens.colorBrandBackground, color: tokens.colorNeutralForegroundOnBrand },
  { background: tokens.colorBrandBackgroundPressed, color: tokens.colorNeutralForegroundOnBrand },
] as const;

export interface HeatMapProps {
  readonly map: HeatMapData;
  readonly strings: ImpactRankingStrings;
  readonly locale: string;
  readonly onOpenContact: (contactId: string) => void;
}

/** Contacts × concepts, each cell the score today; a contact's name opens the contact. */
export function HeatMap({ map, strings: s, locale, onOpenContact }: HeatMapProps): React.ReactElement {
  return (
    <div style={{ overflow: 'auto' }}>
      <table style={{ borderCollapse: 'collapse', fontSize: tokens.fontSizeBase200 }}>
        <caption style={{ textAlign: 'start', padding: tokens.spacingVerticalS }}>
          {s.HeatMap_Caption}
        </caption>
        <thead>
          <tr>
            <th scope="col" style={{ textAlign: 'start' }}>
              {s.Col_Contact}
            </th>
            {map.concepts.map((concept) => (
              <th key={concept.id} scope="col" style={{ padding: tokens.spacingHorizontalS }}>
                {concept.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {map.contacts.map((contact, row) => (
            <tr key={contact.id}>
              <th scope="row" style={{ textAlign: 'start', fontWeight: tokens.fontWeightRegular }}>
                <button
                  type="button"
                  onClick={() => onOpenContact(contact.id)}
                  aria-label={formatText(s.OpenContact, contact.name)}
                  style={{
                    background: 'none',
                    border: 'none',
                    color: tokens.colorBrandForegroundLink,
                    cursor: 'pointer',
                    padding: 0,
                  }}
                >
                  {contact.name}
                </button>
              </th>
              {map.cells[row].map((score, column) => {
                const shade = SHADES[heatLevel(score, map.max)];
                return (
                  <td
                    key={map.concepts[column].id}
                    data-level={heatLevel(score, map.max)}
                    style={{ ...shade, textAlign: 'end', padding: tokens.spacingHorizontalS, minWidth: 56 }}
                  >
                    {score === null ? '' : formatNumber(score, locale)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {map.hiddenContacts > 0 && (
        <p>{formatText(s.HeatMap_Hidden, map.contacts.length, map.hiddenContacts)}</p>
      )}
    </div>
  );
}
