import { readStrings, type Strings } from '../shared/strings';

/** Keys of strings/QuotationTimeline.*.resx the components use. */
export const QUOTATION_TIMELINE_KEYS = [
  'Steps_Label',
  'Phase_request',
  'Phase_quotationSent',
  'Phase_confirmed',
  'Phase_deposit',
  'Phase_roomingList',
  'Phase_proforma',
  'Phase_transferred',
  'Phase_settled',
  'Phase_lost',
  'Phase_cancelled',
  'Step_Current',
  'Closed',
  'FollowUps_Title',
  'FollowUps_None',
  'Next_Due',
  'Overdue_Count',
  'Status_done',
  'Status_overdue',
  'Status_due',
  'Status_upcoming',
  'Status_lapsed',
  'Action_quotationEmail',
  'Action_confirmationChaser',
  'Action_optionExpiry',
  'Action_depositReminder',
  'Action_depositOverdue',
  'Action_roomingListRequest',
  'Action_roomingListCall',
  'Action_handoff',
  'Action_settlement',
  'Action_depositCall',
  'Action_cutoffReview',
  'Loading',
  'Error',
  'History_Title',
  'History_Change',
  'History_By',
  'History_Server',
  'History_None',
  'History_Error',
] as const;

export type QuotationTimelineStrings = Strings<(typeof QUOTATION_TIMELINE_KEYS)[number]>;

export function quotationTimelineStrings(getString: (key: string) => string): QuotationTimelineStrings {
  return readStrings(QUOTATION_TIMELINE_KEYS, getString);
}
