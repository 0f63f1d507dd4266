#!/usr/bin/env python3
"""atom_check.py FILE: checks that FILE is a well-formed Atom 1.0 feed (RFC 4287's required
elements and their forms); prints the first problem and exits 1, or exits 0."""
import re
import sys
import xml.etree.ElementTree as ET

A = '{http://www.w3.org/2005/Atom}'
DATE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$')
IRI = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$')


def fail(msg):
    print(msg)
    sys.exit(1)


def one(el, name, where):
    found = el.findall(A + name)
    if len(found) != 1:
        fail(f'{where}: expected exactly one atom:{name}, found {len(found)}')
    return found[0]


def text_construct(el, where):
    t = el.get('type', 'text')
    if t not in ('text', 'html', 'xhtml'):
        fail(f'{where}: bad type {t!r}')
    if t != 'xhtml' and len(el) != 0:
        fail(f'{where}: a {t} construct must not contain elements')


def check(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail(f'not well-formed XML: {e}')
    if root.tag != A + 'feed':
        fail(f'root is {root.tag}, not atom:feed')
    for name in ('id', 'title', 'updated'):
        one(root, name, 'feed')
    text_construct(one(root, 'title', 'feed'), 'feed title')
    if not IRI.match(one(root, 'id', 'feed').text or ''):
        fail('feed id is not an absolute IRI')
    if not DATE.match(one(root, 'updated', 'feed').text or ''):
        fail('feed updated is not an RFC 3339 date')
    if not any(l.get('rel') == 'self' for l in root.findall(A + 'link')):
        fail('feed has no link rel="self"')
    feed_author = root.findall(A + 'author')
    for a in feed_author:
        one(a, 'name', 'feed author')
    entries = root.findall(A + 'entry')
    if not entries:
        fail('feed has no entries')
    ids = set()
    for i, e in enumerate(entries):
        w = f'entry {i + 1}'
        for name in ('id', 'title', 'updated'):
            one(e, name, w)
        eid = one(e, 'id', w).text or ''
        if not IRI.match(eid):
            fail(f'{w}: id {eid!r} is not an absolute IRI')
        if eid in ids:
            fail(f'{w}: id {eid!r} repeats')
        ids.add(eid)
        for name in ('updated', 'published'):
            for d in e.findall(A + name):
                if not DATE.match(d.text or ''):
                    fail(f'{w}: {name} {d.text!r} is not an RFC 3339 date')
        if not feed_author and not e.findall(A + 'author'):
            fail(f'{w}: no author in the entry or the feed')
        content = e.findall(A + 'content')
        if len(content) > 1:
            fail(f'{w}: more than one content')
        if not content and not any(l.get('rel', 'alternate') == 'alternate' for l in e.findall(A + 'link')):
            fail(f'{w}: neither content nor an alternate link')
        for c in content:
            text_construct(c, f'{w} content')
        text_construct(one(e, 'title', w), f'{w} title')
        if not (e.findall(A + 'summary') or content):
            fail(f'{w}: no summary or content')


if __name__ == '__main__':
    check(sys.argv[1])
