/** Element Plus tag types of the job statuses. */
export const STATUS_TYPES: Record<string, string> = {
  pending: 'info',
  running: 'primary',
  succeeded: 'success',
  failed: 'danger',
}
