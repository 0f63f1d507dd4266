#!/usr/bin/env python3
"""vocab_check.py: counts and cross-checks data/vocab (the C loader is the real gate)."""
import re, sys
from collections import Counter

def rows(path, nfields):
    out = []
    for n, line in enumerate(open(path, encoding='utf-8'), 1):
        line = line.rstrip('\n')
        if not line.strip() or line.startswith('#'):
            continue
        f = line.split('|')
        if len(f) != nfields:
            sys.exit(f'{path}:{n}: expected {nfields} fields separated by |')
        out.append((n, [x.strip() for x in f]))
    return out

cond = rows('data/vocab/conditions.txt', 4)
meds = rows('data/vocab/medications.txt', 4)
keys = Counter(f[0] for _, f in cond)
bad = [k for k, c in keys.items() if c > 1]
if bad: sys.exit(f'duplicate condition keys: {bad}')
for n, f in cond:
    if not re.fullmatch(r'[a-z0-9]+(-[a-z0-9]+)*', f[0]): sys.exit(f'conditions.txt:{n}: bad key {f[0]}')
mk = Counter(f[0] for _, f in meds)
bad = [k for k, c in mk.items() if c > 1]
if bad: sys.exit(f'duplicate medication names: {bad}')
terms = Counter()
for n, f in meds:
    for c in f[3].split(','):
        if c.strip() not in keys: sys.exit(f'medications.txt:{n}: unknown condition {c.strip()!r}')
    for t in [f[0]] + [b.strip().lower() for b in f[1].split(',') if b.strip()]:
        terms[t.lower()] += 1
dup = [t for t, c in terms.items() if c > 1]
print(f'{len(cond)} conditions, {len(meds)} medications; brand names shared by several: {dup}')
if len(cond) < 150 or len(meds) < 300: sys.exit('too few entries')
