/**
 * torch.nn as the package exports it: the layers of src/nn.ts and those kept in files of their own. The
 * latter import nn.ts (their classes extend Module, Linear, …), so nn.ts cannot re-export them: the import
 * cycle would evaluate them before nn.ts has defined the classes they extend.
 */
export * from './nn.ts';
export * from './nn-transformer.ts';
export * from './nn-extra.ts';
export * from './nn-losses.ts';
export * from './nn-3d.ts';
export * from './nn-more2.ts';
export * from './nn-more3.ts';
export * from './nn-more4.ts';
export * from './nn-more5.ts';
