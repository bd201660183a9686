"""Helpers shared by the exercise, wrong-bank and grader tests (not tests themselves)."""
