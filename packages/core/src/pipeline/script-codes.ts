import {
  BatchNotFoundError,
  FileNotFoundError,
  InvalidStateError,
  LeaseLostError,
  PipelineScriptError,
  TaskNotFoundError,
  ValidationError,
} from './errors.js';

/** Failure codes the Lua scripts return as the first element of their reply (includes/context.lua). */
export enum ScriptCode {
  TaskNotFound = -1,
  FileNotFound = -2,
  BatchNotFound = -3,
  LeaseLost = -4,
  InvalidState = -5,
  BatchMismatch = -6,
  ParentNotCompleted = -7,
}

export function leaseLost(taskId: string, status: string): LeaseLostError {
  return new LeaseLostError(`The lease on task ${taskId} was lost (the task is ${status})`, {
    context: { taskId, status },
  });
}

export function taskNotFound(taskId: string): TaskNotFoundError {
  return new TaskNotFoundError(`No task ${taskId}`, { context: { taskId } });
}

const text = (value: unknown): string =>
  Buffer.isBuffer(value) ? value.toString('utf8') : String(value ?? '');

/**
 * Returns the reply of a script that succeeded (first element >= 0), or throws the error its
 * failure code stands for. `fieldOf(index)` names a spec of a bulk call (`tasks[3]`).
 */
export function checkReply(
  script: string,
  reply: unknown,
  fieldOf: (index: number) => string = () => 'task',
): unknown[] {
  if (!Array.isArray(reply) || typeof reply[0] !== 'number') {
    throw new PipelineScriptError(`Script ${script} answered an unexpected reply`, {
      context: { script, reply: JSON.stringify(reply)?.slice(0, 200) ?? '' },
    });
  }
  const code = reply[0] as number;
  if (code >= 0) return reply;
  const subject = text(reply[1]);
  const index = reply[2] === undefined ? undefined : Number(text(reply[2]));
  const where = index === undefined ? undefined : `${fieldOf(index)}.${text(reply[3])}`;
  switch (code) {
    case ScriptCode.TaskNotFound:
      throw new TaskNotFoundError(
        where === undefined ? `No task ${subject}` : `${where} refers to ${subject}, which matches no task`,
        { context: where === undefined ? { taskId: subject } : { taskId: subject, field: where } },
      );
    case ScriptCode.FileNotFound:
      throw new FileNotFoundError(`No file ${subject}`, {
        context: where === undefined ? { fileId: subject } : { fileId: subject, field: where },
      });
    case ScriptCode.BatchNotFound:
      throw new BatchNotFoundError(`No batch ${subject}`, {
        context: where === undefined ? { batchId: subject } : { batchId: subject, field: where },
      });
    case ScriptCode.LeaseLost:
      throw leaseLost(subject, text(reply[2]));
    case ScriptCode.InvalidState:
      throw new InvalidStateError(`Task ${subject} is ${text(reply[2])}`, {
        context: { taskId: subject, status: text(reply[2]), expected: 'failed or cancelled' },
      });
    case ScriptCode.ParentNotCompleted:
      throw new InvalidStateError(
        `Task ${subject} cannot be retried: its parent ${text(reply[2])} failed or was cancelled (retry that one)`,
        {
          context: {
            taskId: subject,
            status: 'failed',
            expected: 'parents not failed',
            parentId: text(reply[2]),
          },
        },
      );
    case ScriptCode.BatchMismatch:
      throw new ValidationError(
        `${fieldOf(index ?? 0)}.batchId`,
        `does not match the batch ${text(reply[3])} of file ${subject}`,
      );
    default:
      throw new PipelineScriptError(`Script ${script} failed with unknown code ${code}`, {
        context: { script, reply: JSON.stringify(reply.map(text)).slice(0, 200) },
      });
  }
}
