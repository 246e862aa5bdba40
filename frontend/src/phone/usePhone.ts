import { ref, watch, type Ref } from 'vue'
import { loadMobileMessages } from './messages'

/**
 * Phone layout (issue 18): below 768 px wide, lists are cards, the menu a
 * drawer, forms one column and dialogs full width. One media query shared by
 * every component; the desktop layout (768 px and up) is untouched.
 */
export const PHONE_QUERY = '(max-width: 767px)'

const phone = ref(false)
let query: MediaQueryList | null = null

// The phone strings load with the first phone-sized window (not with the desktop app shell).
watch(phone, (isPhone) => {
  if (isPhone) void loadMobileMessages()
})

/** True while the window is phone-sized (follows rotation and resizing). */
export function usePhone(): Ref<boolean> {
  if (!query && typeof window !== 'undefined' && typeof window.matchMedia === 'function') {
    query = window.matchMedia(PHONE_QUERY)
    phone.value = query.matches
    query.addEventListener?.('change', (event) => {
      phone.value = event.matches
    })
  }
  return phone
}

/** Tests: read the media query again (after stubbing `matchMedia`). */
export function resetPhoneQuery(): void {
  query = null
  phone.value = false
}
