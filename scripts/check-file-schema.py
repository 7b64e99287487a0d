#!/usr/bin/env python3
"""Checks `tandem schema` against the repository's migration files.

    check-file-schema.py TANDEM_BINARY SOURCE_DIR

The schema must be a valid JSON Schema (draft 2020-12); every example and
benchmark migration of the repository must validate against it; and files
the reader refuses for their shape (an unknown key, an unknown operation, a
missing `operations`) must fail it too, so a schema that accepts anything
does not pass. Exit 1 naming each file that broke a rule.
"""
import glob
import json
import os
import subprocess
import sys

import jsonschema
import yaml


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f) if path.endswith(".json") else yaml.safe_load(f)


def main():
    tandem, source = sys.argv[1], sys.argv[2]
    schema = json.loads(subprocess.run([tandem, "schema"], check=True, capture_output=True,
                                       text=True).stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = []
    good = sorted(glob.glob(os.path.join(source, "examples", "**", "*.yaml"), recursive=True) +
                  glob.glob(os.path.join(source, "bench", "*.yaml")))
    for path in good:
        for error in validator.iter_errors(load(path)):
            failures.append(f"{path}: {'/'.join(map(str, error.path))}: {error.message}")
    bad = ["unknown_key_typo.yaml", "unknown_operation.yaml", "missing_operations.yaml",
           "unknown_top_level_key.yaml", "operation_is_text.yaml"]
    for name in bad:
        path = os.path.join(source, "tests", "bad_input", name)
        if validator.is_valid(load(path)):
            failures.append(f"{path}: the reader refuses it, but the schema accepts it")
    for line in failures:
        print(line, file=sys.stderr)
    print(f"{len(good)} migration files valid, {len(bad)} refused files refused"
          if not failures else f"{len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
