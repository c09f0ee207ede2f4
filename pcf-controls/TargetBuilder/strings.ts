import { readStrings, type Strings } from '../shared/strings';

/** Keys of strings/TargetBuilder.*.resx the components use (the manifest's keys are read by the platform). */
export const TARGET_BUILDER_KEYS = [
  'Builder_Label',
  'Concepts_Label',
  'Concept_Row',
  'MinScore_Row',
  'Concept_Choose',
  'AddConcept',
  'RemoveConcept',
  'Tiers_Label',
  'Tier_mostValuable',
  'Tier_mostGrowable',
  'Tier_maintain',
  'Tier_belowZero',
  'PrimaryInterests_Label',
  'Segments_Label',
  'Picker_Placeholder',
  'Picker_NoMatch',
  'Picker_Chosen',
  'Picker_Remove',
  'LastInteraction_Label',
  'NotContacted_Label',
  'Count',
  'Count_One',
  'Count_OverLimit',
  'Counting',
  'Loading',
  'Error_Count',
  'Error_Concepts',
  'Invalid_Concept',
  'Invalid_MinScore',
  'Invalid_Days',
  'Invalid_NotSaved',
  'NoConditions',
  'Unreadable',
  'StoredQuery',
  'ReplaceUnreadable',
  'ListTypes_Note',
] as const;

export type TargetBuilderStrings = Strings<(typeof TARGET_BUILDER_KEYS)[number]>;

export function targetBuilderStrings(getString: (key: string) => string): TargetBuilderStrings {
  return readStrings(TARGET_BUILDER_KEYS, getString);
}
