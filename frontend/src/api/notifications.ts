/** The current user's notifications: the list, the unread count, marking read. */
import { client, unwrap } from './client'

export async function unreadCount(): Promise<number> {
  return (await unwrap(client.GET('/api/v1/notifications/unread-count/'))).unread
}

export function listNotifications(page: number, onlyUnread: boolean) {
  return unwrap(
    client.GET('/api/v1/notifications/', {
      params: { query: { page, page_size: 20, ...(onlyUnread ? { read_at__isnull: true } : {}) } },
    }),
  )
}

export async function markRead(ids?: number[]): Promise<void> {
  await unwrap(client.POST('/api/v1/notifications/mark-read/', { body: ids ? { ids } : {} }))
}
