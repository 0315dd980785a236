/** torch.utils: `data` (Dataset, TensorDataset, Subset, randomSplit, DataLoader). */
export * as data from './data.ts';
