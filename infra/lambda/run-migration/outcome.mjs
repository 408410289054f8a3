/**
 * Why a stopped migrate task counts as failed, or undefined when its container exited 0.
 * @param {{ taskArn?: string, stoppedReason?: string, containers?: { name?: string, exitCode?: number, reason?: string }[] }} task
 * @param {string} containerName
 * @returns {string | undefined}
 */
export function migrationFailure(task, containerName) {
  const container = task.containers?.find((candidate) => candidate.name === containerName);
  if (container?.exitCode === 0) return undefined;
  const exit = container?.exitCode === undefined ? 'no exit code' : `exit code ${container.exitCode}`;
  const detail = [task.stoppedReason, container?.reason].filter(Boolean).join('; ');
  return `migrate task ${task.taskArn ?? '(unknown)'} failed: ${exit}${detail ? ` (${detail})` : ''}`;
}

/**
 * Whether the stack is rolling back. CloudFormation then "updates" the trigger back to the previous
 * release, whose `migrate` would refuse the newer schema and wedge the rollback; the schema stays
 * (the previous release runs on it: migrations keep it compatible), so nothing is run.
 * @param {string | undefined} stackStatus
 * @returns {boolean}
 */
export function isRollingBack(stackStatus) {
  return stackStatus !== undefined && stackStatus.includes('ROLLBACK_IN_PROGRESS');
}
