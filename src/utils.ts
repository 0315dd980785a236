/** torch.utils: `data` (Dataset, TensorDataset, Subset, ConcatDataset, IterableDataset, randomSplit, the samplers, DataLoader). */
export * as data from './data.ts';
