#!/usr/bin/env python3
"""Checks a --json document against its schema in docs/json/.

usage: check_json.py SOURCE_DIR SCHEMA_NAME FILE
Prints every violation and exits 1 when there is one."""
import json
import sys

import jsonschema

src, name, path = sys.argv[1], sys.argv[2], sys.argv[3]
schema = json.load(open(f"{src}/docs/json/{name}.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
text = open(path).read()
try:
    doc = json.loads(text)
except ValueError as e:
    print(f"{name}: not one JSON document: {e}: {text[:200]!r}")
    sys.exit(1)
errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors:
    print(f"{name}: at {'/'.join(str(p) for p in e.path) or '(root)'}: {e.message}")
sys.exit(1 if errors else 0)
