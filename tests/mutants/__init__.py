"""Mutation testing of the spec: realistic learner bugs it must catch, and correct-but-different code it must pass.

``mutation`` makes broken copies of a correct submission and runs spec modules on them in a subprocess;
``catalogue`` lists the mutants; ``correct/`` holds the correct variants; ``spec_report`` is the pytest plugin
the subprocesses load to report each requirement's outcome; ``grading`` grades every submission once; ``golden``
keeps every requirement's status for every submission (golden.json). The meta-test is tests/test_mutants.py.
"""
