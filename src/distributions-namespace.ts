/**
 * torch.distributions as the package exports it: the distributions, constraints and KLs of
 * src/distributions.ts, and the transforms, TransformedDistribution, transformTo / bijectTo and the
 * distributions built on them of src/distributions-transforms.ts (also as `distributions.transforms`, as
 * PyTorch's torch.distributions.transforms). The latter imports distributions.ts (its classes extend
 * Distribution), so distributions.ts cannot re-export it: the import cycle would evaluate it before
 * distributions.ts has defined the classes it extends.
 */
export * from './distributions.ts';
export * from './distributions-transforms.ts';
export * as transforms from './distributions-transforms.ts';
export * from './distributions-more.ts';
export * from './distributions-more2.ts';
