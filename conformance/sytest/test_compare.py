"""Unit tests of compare.py on SyTest TAP output shaped like SyTest's TAP formatter writes it.

Run: python3 conformance/sytest/test_compare.py (unittest; the conformance suite's pytest setup
wants a spec marker on every test, so these are kept out of it).
"""

import io
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import compare  # noqa: E402

TAP = """\
# Starting server-0
ok 1 GET /_matrix/client/versions is reachable
not ok 2 POST /register can create a user
# Started: 2026-11-29 05:00:00.000
# Ended: 2026-11-29 05:00:01.000
# Expected 200, got 404
ok 3 (expected fail) Can login with shared secret # TODO passed but expected fail
not ok 4 (expected fail) Room creation reports m.room.create # TODO expected fail
  ok 1 first step (Multi step test)
  not ok 2 second step (Multi step test)
  1..2
ok 5 Multi step test passes (2 subtests)
ok 6 Can upload a file # skip lack of can_register
ok 7 Name with # inside it
1..7
"""


class ParseTapTest(unittest.TestCase):
    def setUp(self):
        self.results = compare.parse_tap(TAP.splitlines())

    def test_plain_and_expected_fail_passes(self):
        self.assertEqual(
            self.results.passed,
            {
                "GET /_matrix/client/versions is reachable",
                "Can login with shared secret",
                "Multi step test passes",
                "Name with # inside it",
            },
        )

    def test_failures_include_expected_fails(self):
        self.assertEqual(
            self.results.failed,
            {"POST /register can create a user", "Room creation reports m.room.create"},
        )

    def test_skip_is_not_a_pass(self):
        self.assertEqual(self.results.skipped, {"Can upload a file"})

    def test_indented_steps_are_not_tests(self):
        self.assertFalse(self.results.seen("first step (Multi step test)"))

    def test_a_failure_of_a_repeated_name_wins(self):
        results = compare.parse_tap(["ok 1 Twice", "not ok 2 Twice", "ok 3 Twice"])
        self.assertEqual(results.failed, {"Twice"})
        self.assertEqual(results.passed, set())


class CompareTest(unittest.TestCase):
    def setUp(self):
        self.results = compare.parse_tap(TAP.splitlines())

    def test_regressions_and_new_passes(self):
        baseline = {
            "GET /_matrix/client/versions is reachable",
            "POST /register can create a user",
            "Can upload a file",
            "A test that no longer exists",
        }
        result = compare.compare(baseline, self.results)
        self.assertEqual(result.failed, ["POST /register can create a user"])
        self.assertEqual(result.skipped, ["Can upload a file"])
        self.assertEqual(result.not_run, ["A test that no longer exists"])
        self.assertEqual(result.regressions, 3)
        self.assertEqual(
            result.new_passes,
            ["Can login with shared secret", "Multi step test passes", "Name with # inside it"],
        )

    def test_partial_run_ignores_tests_not_run(self):
        result = compare.compare({"A test that no longer exists"}, self.results, partial=True)
        self.assertEqual(result.regressions, 0)

    def test_baseline_comments_and_blank_lines(self):
        names = compare.read_baseline(["# header", "", "First test", "  # not a comment", "Second"])
        self.assertEqual(names, {"First test", "  # not a comment", "Second"})


class MainTest(unittest.TestCase):
    def run_main(self, baseline_text, *extra):
        with tempfile.TemporaryDirectory() as tmp:
            results = Path(tmp, "results.tap")
            results.write_text(TAP, encoding="utf-8")
            baseline = Path(tmp, "expected-pass.txt")
            baseline.write_text(baseline_text, encoding="utf-8")
            out = io.StringIO()
            with redirect_stdout(out):
                code = compare.main([str(results), "--baseline", str(baseline), *extra])
            return code, out.getvalue(), baseline.read_text(encoding="utf-8")

    def test_exit_1_on_regression(self):
        code, out, _ = self.run_main("# h\nPOST /register can create a user\n")
        self.assertEqual(code, 1)
        self.assertIn("REGRESSION (failed): POST /register can create a user", out)

    def test_exit_0_with_only_new_passes(self):
        code, out, _ = self.run_main("# h\nGET /_matrix/client/versions is reachable\n")
        self.assertEqual(code, 0)
        self.assertIn("NEW PASS: Can login with shared secret", out)
        self.assertNotIn("REGRESSION", out)

    def test_write_baseline_keeps_header(self):
        code, _, written = self.run_main("# header line\n# second\nOld name\n", "--write-baseline")
        self.assertEqual(code, 0)
        self.assertTrue(written.startswith("# header line\n# second\n"))
        self.assertIn("\nCan login with shared secret\n", written)
        self.assertNotIn("Old name", written)

    def test_input_without_results_is_an_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            empty = Path(tmp, "empty.tap")
            empty.write_text("# nothing ran\n", encoding="utf-8")
            with redirect_stderr(io.StringIO()):
                code = compare.main([str(empty), "--baseline", str(empty)])
            self.assertEqual(code, 2)


if __name__ == "__main__":
    unittest.main()
