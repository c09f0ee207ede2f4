/**
 * The activitypointer rows behind activities. On Dataverse every email, phone call, task… is also an
 * `activitypointer` row with the same id ("ActivityPointer (Activity) table/entity reference"), which
 * is why an email attachment binds its activity as
 * `"objectid_activitypointer@odata.bind": "/activitypointers(<activityid>)"` ("Attachment
 * (ActivityMimeAttachment) table/entity reference",
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/activitymimeattachment).
 * Here a pointer row is written beside each activity created, inside the same transaction, and goes
 * with it on delete (its attachments follow the activity through the activitypointer cascade).
 */
import type { Engine } from './engine';
import type { OperationEvent } from './pipeline';

const POINTER = 'activitypointer';

export function registerActivityPointers(engine: Engine): void {
  const pointers = engine.metadata.byLogicalName(POINTER);
  if (!pointers) return;
  const isActivity = (event: OperationEvent): boolean =>
    event.entityName !== POINTER && engine.metadata.byLogicalName(event.entityName)?.isActivity === true;
  engine.pipeline.subscribe({
    async afterOperation(event) {
      if (event.mode !== 0 || !isActivity(event)) return;
      if (event.message === 'Create') {
        const subject = event.postImage?.attributes.subject;
        await engine.createSystemRecord(
          pointers.entitySetName,
          {
            activitytypecode: event.entityName,
            subject: typeof subject === 'string' ? subject : null,
          },
          { id: event.id },
        );
      } else if (event.message === 'Delete') {
        await engine.delete(pointers.entitySetName, event.id).catch(() => undefined);
      }
    },
  });
}
