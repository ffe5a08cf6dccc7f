// Inline SVG icons (no icon font or CDN).

type P = { size?: number };
const svg = (size: number, body: preact.ComponentChildren) => (
  <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"
    stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">{body}</svg>
);

export const IconSend = ({ size = 22 }: P) => svg(size, <><path d="M22 2 11 13" /><path d="M22 2 15 22l-4-9-9-4 20-7z" /></>);
export const IconEdit = ({ size = 20 }: P) => svg(size, <><path d="M12 20h9" /><path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4Z" /></>);
export const IconBack = ({ size = 22 }: P) => svg(size, <path d="M15 18l-6-6 6-6" />);
export const IconSearch = ({ size = 18 }: P) => svg(size, <><circle cx="11" cy="11" r="7" /><path d="m20 20-3.5-3.5" /></>);
export const IconInfo = ({ size = 20 }: P) => svg(size, <><circle cx="12" cy="12" r="10" /><path d="M12 16v-4M12 8h.01" /></>);
export const IconClose = ({ size = 20 }: P) => svg(size, <path d="M18 6 6 18M6 6l12 12" />);
export const IconDown = ({ size = 22 }: P) => svg(size, <path d="m6 9 6 6 6-6" />);
export const IconLogout = ({ size = 18 }: P) => svg(size, <><path d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4" /><path d="m16 17 5-5-5-5M21 12H9" /></>);
export const IconUsers = ({ size = 18 }: P) => svg(size, <><path d="M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2" /><circle cx="9" cy="7" r="4" /><path d="M23 21v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8" /></>);
export const IconUser = ({ size = 18 }: P) => svg(size, <><path d="M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2" /><circle cx="12" cy="7" r="4" /></>);
export const IconClock = ({ size = 14 }: P) => svg(size, <><circle cx="12" cy="12" r="9" /><path d="M12 7v5l3 2" /></>);
export const IconAlert = ({ size = 14 }: P) => svg(size, <><circle cx="12" cy="12" r="10" /><path d="M12 8v4M12 16h.01" /></>);
export const IconMore = ({ size = 18 }: P) => svg(size, <><circle cx="5" cy="12" r="1" /><circle cx="12" cy="12" r="1" /><circle cx="19" cy="12" r="1" /></>);
export const IconTrash = ({ size = 16 }: P) => svg(size, <><path d="M3 6h18" /><path d="M8 6V4h8v2" /><path d="M19 6l-1 14H6L5 6" /></>);
export const IconCheck = ({ size = 16 }: P) => svg(size, <path d="M4 12.5 9 17.5 20 6.5" />);
export const IconChecks = ({ size = 16 }: P) => (
  <svg width={size + 4} height={size} viewBox="0 0 28 24" fill="none" stroke="currentColor" stroke-width="2"
    stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
    <path d="M2 12.5 7 17.5 18 6.5" /><path d="m13 16.5 1 1L25 6.5" />
  </svg>
);
export const Logo = ({ size = 40 }: P) => (
  <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true">
    <rect width="64" height="64" rx="16" fill="var(--accent)" />
    <path d="M18 20h28a6 6 0 0 1 6 6v12a6 6 0 0 1-6 6H30l-9 7v-7h-3a6 6 0 0 1-6-6V26a6 6 0 0 1 6-6z" fill="#fff" />
  </svg>
);
