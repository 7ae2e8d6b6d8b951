// Outline icons drawn as SVG paths, so they look the same whatever fonts the viewer has.
const PATHS = {
  dashboard: 'M4 5h7v7H4zM13 5h7v4h-7zM13 11h7v8h-7zM4 14h7v5H4z',
  cabinet: 'M5 3h14v18H5zM5 12h14M10 7.5h4M10 16.5h4',
  package: 'M3 7l9-4 9 4-9 4-9-4zM3 7v10l9 4 9-4V7M12 11v10',
  job: 'M4 12l16-8-6 16-3-7-7-1z',
  machine: 'M3 5h18v11H3zM8 20h8M12 16v4',
  group: 'M9 11a3 3 0 100-6 3 3 0 000 6zM3 19c0-3 3-5 6-5s6 2 6 5M16 5a3 3 0 010 6M18 14c2 .5 3 2.5 3 5',
  relay: 'M12 20v-6M12 14a2 2 0 100-4 2 2 0 000 4zM7.5 7.5a6.5 6.5 0 000 9M16.5 7.5a6.5 6.5 0 010 9M4.5 4.5a11 11 0 000 15M19.5 4.5a11 11 0 010 15',
  user: 'M12 12a4 4 0 100-8 4 4 0 000 8zM4 20c0-4 4-6 8-6s8 2 8 6',
  audit: 'M6 3h9l3 3v15H6zM9 9h6M9 13h6M9 17h4',
  catalog: 'M5 8h14l-1 13H6L5 8zM9 8V6a3 3 0 016 0v2',
  clock: 'M12 21a9 9 0 100-18 9 9 0 000 18zM12 7v5l3 2',
  history: 'M4 12a8 8 0 108-8 8 8 0 00-6 2.7M4 4v4h4M12 8v4l3 2',
  swap: 'M7 7h13l-3-3M17 17H4l3 3',
  key: 'M15 7a4 4 0 11-3.5 6H9v2H7v2H4v-3l5.5-5.5A4 4 0 0115 7zM16 8h.01',
  upload: 'M12 16V4M7 9l5-5 5 5M4 20h16',
  download: 'M12 4v12M7 11l5 5 5-5M4 20h16',
  calendar: 'M4 6h16v15H4zM4 10h16M8 3v4M16 3v4M8 14h3v3H8z',
  bell: 'M6 16V11a6 6 0 0112 0v5l2 2H4l2-2zM10 21h4',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, className = 'h-5 w-5' }: { name: IconName; className?: string }) {
  return (
    <svg aria-hidden viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.6} strokeLinecap="round" strokeLinejoin="round" className={className}>
      <path d={PATHS[name]} />
    </svg>
  );
}
