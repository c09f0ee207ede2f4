import { readStrings, type Strings } from '../shared/strings';

/** Keys of strings/ImpactRanking.*.resx the components use (the manifest's keys are read by the platform). */
export const IMPACT_RANKING_KEYS = [
  'Grid_Label',
  'Mode_Label',
  'Mode_Ranking',
  'Mode_HeatMap',
  'Concept_Label',
  'Search_Label',
  'Search_Placeholder',
  'SegmentOnly',
  'Export',
  'Col_Rank',
  'Col_Contact',
  'Col_Concept',
  'Col_Score',
  'Col_Trend',
  'Col_LastInteraction',
  'Col_Segment',
  'Col_PrimaryInterest',
  'Segment_In',
  'Segment_Out',
  'Yes',
  'No',
  'Loading',
  'LoadingMore',
  'Empty_Concept',
  'Empty_Filter',
  'Empty_All',
  'Empty_NoConcepts',
  'Error_Dataset',
  'Error_Concepts',
  'Count',
  'HeatMap_Caption',
  'HeatMap_Hidden',
  'OpenContact',
  'Trend_Label',
  'NoScore',
] as const;

export type ImpactRankingStrings = Strings<(typeof IMPACT_RANKING_KEYS)[number]>;

export function impactRankingStrings(getString: (key: string) => string): ImpactRankingStrings {
  return readStrings(IMPACT_RANKING_KEYS, getString);
}
