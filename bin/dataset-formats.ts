// The public data sets `riskstream import` reads: named in its help, which must not load the importers.
export const DATASET_FORMATS = ['paysim', 'sparkov', 'ieee-cis', 'amlworld'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];
