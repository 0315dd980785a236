/**
 * torch.nn.utils.parametrizations.orthogonal (PyTorch 1.13's): module[name] parametrized as an orthogonal
 * matrix (or batch of them; a wide matrix has orthonormal rows), by the matrix exponential or the Cayley
 * map of a skew-symmetric matrix, or a product of Householder reflections (the default for non-square
 * weights). With useTrivialization (the default) the parametrization keeps a `base` buffer, the current
 * orthogonal matrix, and the trained original starts at −I: base·map(original), as PyTorch's, so the
 * module's weight is unchanged by registering when it was orthogonal already (else it becomes the Q of
 * its QR decomposition, R's diagonal made positive). Re-exported by src/nn-utils.ts.
 *
 * As nn-utils2.ts: nn.ts loads this file before defining Module, so the parametrization's class is made
 * on first use.
 */
import { Tensor, cat, eye, matmul, randn, zeros, sum, valuesNow, type TensorOptions } from './tensor.ts';
import { noGrad } from './autograd/graph.ts';
import { Module } from './nn.ts';
import { registerParametrization } from './nn-utils2.ts';
import { matrixExp } from './ops-api.ts';
import * as linalg from './linalg.ts';
import { finfo } from './dtype.ts';

export type OrthogonalMap = 'matrix_exp' | 'cayley' | 'householder';
type Orth = Module & { rightInverse(q: Tensor): Tensor; base?: Tensor };
let orthClass: (new (weight: Tensor, map: OrthogonalMap, useTrivialization: boolean) => Orth) | null = null;

const mT = (x: Tensor) => x.transpose(-2, -1);
const optsOf = (t: Tensor): TensorOptions => ({ dtype: t.dtype, device: t.device === 'gpu' ? 'gpu' : 'cpu' });
/** An identity of x's trailing n × n shape, batched as x. */
function eyeLike(x: Tensor, n: number): Tensor {
  const I = eye(n, optsOf(x));
  return x.ndim > 2 ? I.expand([...x.shape.slice(0, -2), n, n]) : I;
}
/** The diagonal of each trailing n × k matrix of x (k ≤ n), as [.., k]. */
const diagOf = (x: Tensor) => sum(x.mul(eye(x.shape[x.ndim - 2], x.shape[x.ndim - 1], optsOf(x))), -2);
/** PyTorch's _make_orthogonal: the Q of A's QR decomposition, with R's diagonal made positive. */
function makeOrthogonal(A: Tensor): Tensor {
  const { Q, R } = linalg.qr(A, 'reduced');
  return Q.mul(diagOf(R).sign().unsqueeze(-2));
}
/** PyTorch's _is_orthogonal: QᵀQ = I within 10·n·eps. */
function isOrthogonal(Q: Tensor): boolean | null {
  const n = Q.shape[Q.ndim - 2], k = Q.shape[Q.ndim - 1];
  const eps = 10 * n * finfo(Q.dtype).eps;
  const v = valuesOf(matmul(mT(Q), Q).sub(eyeLike(Q, k)).abs().max());
  return v === null ? null : v <= eps;
}
function valuesOf(t: Tensor): number | null {
  const d = valuesNow(t);
  return d ? d[0] : null;
}
/** Π_i (I − τ_i v_i v_iᵀ), v_i column i of A below the diagonal with a 1 on it (linalg.householder_product): its first k columns. */
function householderProduct(A: Tensor, tau: Tensor): Tensor {
  const n = A.shape[A.ndim - 2], k = A.shape[A.ndim - 1];
  let Q = eyeLike(A, n);
  const I = eye(n, optsOf(A));
  for (let i = 0; i < k; i++) {
    const v = A.narrow(-1, i, 1).add(I.narrow(-1, i, 1)); // [.., n, 1]
    const t = tau.narrow(-1, i, 1).unsqueeze(-1);          // [.., 1, 1]
    Q = Q.sub(matmul(matmul(Q, v), mT(v)).mul(t));
  }
  return Q.narrow(-1, 0, k);
}

function orthogonalClass(): new (weight: Tensor, map: OrthogonalMap, useTrivialization: boolean) => Orth {
  if (orthClass) return orthClass;
  const Base: typeof Module = Module;
  class _Orthogonal extends Base {
    declare base: Tensor;
    constructor(weight: Tensor, readonly orthogonalMap: OrthogonalMap, useTrivialization: boolean) {
      super();
      Object.defineProperty(this, 'orthogonalMap', { value: orthogonalMap, enumerable: false });
      Object.defineProperty(this, 'shape', { value: [...weight.shape], enumerable: false });
      // (the buffer exists from the start with trivialization, as PyTorch's register_buffer("base", None) then set)
      if (useTrivialization) this.base = noGrad(() => zeros([...weight.shape.slice(0, -2), Math.max(...weight.shape.slice(-2)), Math.max(...weight.shape.slice(-2))], optsOf(weight)));
    }
    override forward(X: Tensor): Tensor {
      let n = X.shape[X.ndim - 2], k = X.shape[X.ndim - 1];
      const transposed = n < k;
      if (transposed) { X = mT(X); [n, k] = [k, n]; }
      let Q: Tensor;
      if (this.orthogonalMap === 'matrix_exp' || this.orthogonalMap === 'cayley') {
        X = X.tril();
        if (n !== k) X = cat([X, zeros([...X.shape.slice(0, -2), n, n - k], optsOf(X))], -1);
        const A = X.sub(mT(X));
        if (this.orthogonalMap === 'matrix_exp') Q = matrixExp(A);
        else { const I = eyeLike(A, n); Q = linalg.solve(I.sub(A.mul(0.5)), I.add(A.mul(0.5))); }
        if (n !== k) Q = Q.narrow(-1, 0, k);
      } else {
        const A = X.tril(-1);
        const tau = sum(A.mul(A), -2).add(1).reciprocal().mul(2);
        Q = householderProduct(A, tau);
        // (X's diagonal, ±1, as integers: no gradient through it, as PyTorch's .int())
        Q = Q.mul(diagOf(X).detach().trunc().unsqueeze(-2));
      }
      if (this.base !== undefined) Q = matmul(this.base, Q);
      return transposed ? mT(Q) : Q;
    }
    rightInverse(Qin: Tensor): Tensor {
      const shape = (this as unknown as { shape: number[] }).shape;
      if (Qin.shape.join() !== shape.join()) throw new Error(`Expected a matrix or batch of matrices of shape [${shape.join(', ')}]. Got a tensor of shape [${Qin.shape.join(', ')}].`);
      return noGrad(() => {
        let Q = Qin;
        let n = Q.shape[Q.ndim - 2], k = Q.shape[Q.ndim - 1];
        if (n < k) { Q = mT(Q); [n, k] = [k, n]; }
        if (this.base === undefined) {
          if (this.orthogonalMap !== 'householder') throw new Error('It is not possible to assign to the matrix exponential or the Cayley parametrizations when use_trivialization=False.');
          throw new Error('orthogonal(): assigning to the householder parametrization without trivialization (geqrf) is not supported in troupe; keep useTrivialization (the default)');
        }
        if (n === k) Q = isOrthogonal(Q) === true ? Q.clone() : makeOrthogonal(Q);
        else Q = makeOrthogonal(cat([Q, randn([...Q.shape.slice(0, -2), n, n - k], optsOf(Q))], -1));
        this.base = Q;
        // −I: the maps give I (householder: H(0) with the diagonal's signs) at −I, so the weight is base's
        const negI = eye(Qin.shape[Qin.ndim - 2], Qin.shape[Qin.ndim - 1], optsOf(Qin)).neg();
        return Qin.ndim > 2 ? negI.expand([...Qin.shape]).contiguous() : negI;
      });
    }
  }
  orthClass = _Orthogonal as unknown as new (weight: Tensor, map: OrthogonalMap, useTrivialization: boolean) => Orth;
  return orthClass;
}

/**
 * torch.nn.utils.parametrizations.orthogonal(module, name = 'weight', orthogonalMap, { useTrivialization }):
 * module[name] (at least 2-D) parametrized as an orthogonal matrix. The map defaults to 'matrix_exp' for
 * square matrices and 'householder' otherwise. Registered with unsafe (the original is the −I of the
 * trivialization), as PyTorch's.
 */
export function orthogonal<M extends Module>(module: M, name = 'weight', orthogonalMap: OrthogonalMap | null = null, o: { useTrivialization?: boolean } = {}): M {
  const weight = (module as unknown as Record<string, unknown>)[name];
  if (!(weight instanceof Tensor)) throw new Error(`Module '${module.constructor.name}' has no parameter or buffer with name '${name}'`);
  if (weight.ndim < 2) throw new Error(`Expected a matrix or batch of matrices. Got a tensor of ${weight.ndim} dimensions.`);
  const n = weight.shape[weight.ndim - 2], k = weight.shape[weight.ndim - 1];
  const map = orthogonalMap ?? (n === k ? 'matrix_exp' : 'householder');
  if (!['matrix_exp', 'cayley', 'householder'].includes(map)) throw new Error(`orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: ${String(orthogonalMap)}`);
  const O = orthogonalClass();
  return registerParametrization(module, name, new O(weight, map, o.useTrivialization ?? true), { unsafe: true });
}
