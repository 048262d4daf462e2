// 警戒レベル colours (after JMA's scheme) with a text colour chosen for WCAG AA contrast (≥ 4.5:1).
export const WARNING_COLORS: Record<number, { bg: string; fg: string }> = {
  0: { bg: '#e0e0e0', fg: '#000000' },
  1: { bg: '#ffffff', fg: '#000000' },
  2: { bg: '#f2e700', fg: '#000000' },
  3: { bg: '#ff2800', fg: '#000000' },
  4: { bg: '#aa00aa', fg: '#ffffff' },
  5: { bg: '#0c000c', fg: '#ffffff' },
};

// Point colours per entity type.
export const TYPE_COLORS: Record<string, string> = {
  EvacuationSpace: '#1565c0',
  EvacuationShelter: '#2e7d32',
  TouristAttraction: '#c2185b',
  WeatherObserved: '#e65100',
  GtfsStop: '#455a64',
};
