// fast-check arbitraries for the property tests (imported only by *.prop.test.ts).

import fc from 'fast-check';

/** Keys that exercise pointer escaping and prototype names, but never look like SMP directives ("$…"). */
export const key: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('a', 'b', 'c', 'spec', 'x/y', 'm~n', '~1', '', '__proto__', 'constructor'),
  fc.string({ unit: fc.constantFrom('a', 'b', '/', '~', '0', '1', '-'), maxLength: 4 }),
);

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.boolean(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
  fc.string({ maxLength: 6 }),
);

/** JSON documents. With `nulls`, object members and array items may be null (as in a merge patch). */
export function json(nulls: boolean): { value: fc.Arbitrary<unknown>; object: fc.Arbitrary<Record<string, unknown>> } {
  const leaf = nulls ? fc.oneof(scalar, fc.constant(null)) : scalar;
  const tree = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 4 }),
    object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  }));
  return { value: tree.value, object: tree.object };
}

const maybe = <T>(arb: fc.Arbitrary<T>, nulls: boolean): fc.Arbitrary<T | null> =>
  nulls ? fc.option(arb, { nil: null, freq: 5 }) : arb;

/** Pod-shaped objects (and, with `nulls`, directive-free strategic patches for them) with colliding merge keys. */
export function podLike(nulls: boolean): fc.Arbitrary<Record<string, unknown>> {
  const opt = { requiredKeys: [] as never[] };
  const env = fc.record({ name: fc.constantFrom('A', 'B', 'C'), value: maybe(fc.constantFrom('1', '2'), nulls) }, opt);
  const envItem = env.map((e) => ({ name: 'A', ...e }));
  const container = fc
    .record(
      {
        name: fc.constantFrom('app', 'side', 'init'),
        image: maybe(fc.constantFrom('nginx:1.27', 'nginx:1.28'), nulls),
        env: maybe(fc.array(envItem, { maxLength: 3 }), nulls),
        ports: maybe(
          fc.array(fc.record({ containerPort: fc.constantFrom(80, 443), name: fc.constantFrom('http', 'https') }), {
            maxLength: 2,
          }),
          nulls,
        ),
        command: maybe(fc.array(fc.constantFrom('sh', '-c', 'run'), { maxLength: 3 }), nulls),
      },
      opt,
    )
    .map((c) => ({ name: 'app', ...c }));
  const volume = fc.oneof(
    fc.record({ name: fc.constantFrom('data', 'cfg'), emptyDir: fc.constant({}) }),
    fc.record({ name: fc.constantFrom('data', 'cfg'), configMap: fc.record({ name: fc.constantFrom('c1', 'c2') }) }),
  );
  const metadata = fc.record(
    {
      name: fc.constantFrom('web'),
      labels: maybe(
        fc.dictionary(fc.constantFrom('app', 'tier'), maybe(fc.constantFrom('web', 'front'), nulls), { maxKeys: 2 }),
        nulls,
      ),
      finalizers: maybe(fc.array(fc.constantFrom('f1', 'f2', 'f3'), { maxLength: 3 }), nulls),
      ownerReferences: maybe(
        fc.array(fc.record({ uid: fc.constantFrom('u1', 'u2'), name: fc.constantFrom('rs1', 'rs2') }), {
          maxLength: 2,
        }),
        nulls,
      ),
    },
    opt,
  );
  const spec = fc.record(
    {
      containers: maybe(fc.array(container, { maxLength: 3 }), nulls),
      volumes: maybe(fc.array(volume, { maxLength: 2 }), nulls),
      tolerations: maybe(fc.array(fc.record({ key: fc.constantFrom('k1', 'k2') }), { maxLength: 2 }), nulls),
      nodeName: maybe(fc.constantFrom('n1', 'n2'), nulls),
    },
    opt,
  );
  return fc.record({ metadata: maybe(metadata, nulls), spec: maybe(spec, nulls) }, opt);
}
