"""docs/errors.md lists every diagnostic the compiler can emit, each with a real example."""

from __future__ import annotations

import re

from compiler.diagnostics import CODES

from .conftest import EXAMPLES, ROOT

DOC = (ROOT / "docs" / "errors.md").read_text()
CORPUS = "\n".join(p.read_text() for p in EXAMPLES.glob("*/*/expected.txt"))


def test_every_code_is_documented():
    documented = re.findall(r"^### ([EW]\d{3}): ", DOC, flags=re.M)
    assert documented == list(CODES)


def test_every_code_is_exercised_by_the_corpus_or_the_write_tests():
    exercised = set(re.findall(r"\[([EW]\d{3})\]", CORPUS))
    assert set(CODES) - exercised == {"E900"}  # covered by the write-fault tests in tests/test_build.py


def test_examples_in_the_docs_are_real_output():
    for block in re.findall(r"Example \(`(\w+)`\):\n\n```\n(.*?)\n```", DOC, flags=re.S):
        case, text = block
        expected = next(EXAMPLES.glob(f"*/{case}/expected.txt")).read_text()
        assert text in expected, case


def test_generated_schema_validators_are_fresh():
    """compiler/_generated/ is what `make schemas` writes from compiler/schemas/."""
    from compiler.validate import GENERATED_DIR, KINDS, generated_code

    for kind in KINDS:
        with open(f"{GENERATED_DIR}/{kind}_schema.py", encoding="utf-8") as handle:
            assert handle.read() == generated_code(kind), f"run `make schemas` ({kind})"
