/*
 * Copyright 2026 The Backstage ITSM Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

// Deterministic randomness: a seeded PRNG, one stream per purpose.

'use strict';

/** FNV-1a, to derive one PRNG stream per purpose from the seed. */
function hashString(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seeded PRNG. Each component and department draws from its own stream
 * (`seed:name`), so adding a component does not reshuffle the others.
 */
class Random {
  constructor(seed, stream) {
    this.next = mulberry32(hashString(`${seed}:${stream}`));
  }
  float() {
    return this.next();
  }
  uniform(min, max) {
    return min + (max - min) * this.next();
  }
  int(min, max) {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(items) {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Picks a key of `weights` ({ key: weight }) with its weight's probability. */
  weighted(weights) {
    const entries = Array.isArray(weights)
      ? weights.map((w, i) => [i, w])
      : Object.entries(weights);
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [key, w] of entries) {
      r -= w;
      if (r < 0) return key;
    }
    return entries[entries.length - 1][0];
  }
  normal() {
    // Box-Muller; 1 - u keeps the logarithm finite.
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** A long-tailed duration: median `median`, spread `sigma` (log scale). */
  lognormal(median, sigma) {
    return median * Math.exp(sigma * this.normal());
  }
  poisson(lambda) {
    if (lambda <= 0) return 0;
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
}

module.exports = { hashString, mulberry32, Random };
